"""The demo study's users and sites, and a logged-in client per role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lupustrial.edc.demo import create_users, load_demo
from tests.edc.postgresql import truncate_guards


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests hash with a fast hasher: PBKDF2's deliberate cost is 0.4 s per password here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _data_dir(
    settings: Any, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test's own data directory (apart from tmp_path): its own audit key and checkpoints."""
    settings.DATA_DIR = tmp_path_factory.mktemp("data")
    monkeypatch.delenv("LUPUSTRIAL_AUDIT_KEY", raising=False)
    monkeypatch.delenv("LUPUSTRIAL_AUDIT_OLD_KEYS", raising=False)
    return Path(settings.DATA_DIR)


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    """Two sites (TKY, OSK) and one user per role, without subjects."""
    return create_users()


@pytest.fixture
def demo(db: Any) -> None:
    """The whole demo study: enrolled subjects with visits, a screen failure, a candidate."""
    load_demo()


# The audit trail's TRUNCATE guards (migration audit 0005) are lifted for the transactional tests
# (live_server: the browser tests) on PostgreSQL: pytest-django empties their database with
# TRUNCATE after each, which the guards refuse, and its flush runs after every fixture of ours
# has been torn down. They stay lifted for the session's test database; the tests that prove the
# guards put them back inside their own transaction (tests/edc/postgresql.py).
@pytest.fixture(autouse=True)
def _transactional_flush_on_postgresql(
    request: pytest.FixtureRequest, django_db_blocker: Any
) -> None:
    if not {"live_server", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("django_db_setup")
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock():
            truncate_guards("DISABLE")
