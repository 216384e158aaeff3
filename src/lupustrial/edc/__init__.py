"""The study's web application: screening, consent, enrolment, visits, eCRFs, audit trail.

A Django project. Its apps: `accounts` (sites, roles, per-user language), `audit` (the one
hash-chained, append-only trail), `study` (subjects, screening, consent, enrolment, visits,
eCRFs, queries, verification, locks) and `api` (the JSON API with its OpenAPI document).
Clinical rules are never written here: scores come from `lupustrial.clinical` and the
eligibility decision from `lupustrial.protocol`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lupustrial.dataset.records import StudyRecords

SETTINGS_MODULE = "lupustrial.edc.settings"


def setup() -> None:
    """Configure Django for this project once (for the CLI, tests and scripts)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup()


def ready() -> str:
    """Configure Django and check that the study database exists and is migrated.

    Returns the database as a user would recognise it; a bad setting (``ImproperlyConfigured``,
    e.g. ``LUPUSTRIAL_EMAIL=bogus``) or a database that is absent or not migrated is a
    `SourceError` saying what to do, not a traceback.
    """
    from django.core.exceptions import ImproperlyConfigured

    from lupustrial.dataset.sources import SourceError

    try:
        setup()
    except ImproperlyConfigured as error:
        raise SourceError(f"the web application's settings: {error}") from None
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    where = _database_name(connection.settings_dict)
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        raise SourceError(f"cannot read the study database {where}: {error}") from None
    if pending:
        raise SourceError(
            f"the study database {where} is empty or not up to date: create it with "
            "`lupustrial web demo` (demo data) or `lupustrial web serve` (DATABASE_URL or "
            "LUPUSTRIAL_DATA_DIR say which database)"
        )
    return where


def database_records() -> StudyRecords:
    """The dataset's `database` source, usable from a fresh shell.

    Django is configured before the web application's models are imported (they cannot be
    imported earlier), and a database that is absent or not migrated is a `SourceError`
    telling the user how to create one, not a traceback.
    """
    where = ready()
    from django.db import DatabaseError

    from lupustrial.dataset.sources import SourceError
    from lupustrial.edc.export import database_records as read

    try:
        return read()
    except DatabaseError as error:
        raise SourceError(f"cannot read the study database {where}: {error}") from None


def _database_name(settings: dict[str, object]) -> str:
    """The database as a user would recognise it (no password): the SQLite file or host/name."""
    if str(settings.get("ENGINE", "")).endswith("sqlite3"):
        return str(settings.get("NAME"))
    return f"{settings.get('HOST') or 'localhost'}/{settings.get('NAME')}"
