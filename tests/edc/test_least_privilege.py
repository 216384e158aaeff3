"""Issue 14, finding 1: the application's PostgreSQL role cannot rewrite or disable the trail.

Runs on PostgreSQL only; under CI=true a missing PostgreSQL fails these tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, transaction

from lupustrial.cli import main
from lupustrial.edc.study.models import Subject
from tests.edc.postgresql import require_postgresql

pytestmark = pytest.mark.usefixtures("demo")
APP_ROLE = "lupustrial_audit_app"


def test_the_grants_are_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["db", "grants", "--app-role", APP_ROLE])
    assert exit_.value.code in (0, None)
    out = capsys.readouterr().out
    assert f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditentry FROM {APP_ROLE};" in out
    with pytest.raises(SystemExit) as exit_:
        main(["db", "grants", "--app-role", "x; DROP TABLE y"])
    assert exit_.value.code == 2


@pytest.fixture
def as_app_role(demo: None) -> Iterator[None]:
    require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %s) THEN"
            f" CREATE ROLE {APP_ROLE}; END IF; END $$",
            [APP_ROLE],
        )
    with pytest.raises(SystemExit) as exit_:
        main(["db", "grants", "--app-role", APP_ROLE, "--apply"])
    assert exit_.value.code in (0, None)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    yield None
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@pytest.mark.usefixtures("as_app_role")
def test_the_application_role_only_appends_to_the_trail() -> None:
    for sql in (
        "UPDATE audit_auditentry SET reason = 'x'",
        "DELETE FROM audit_auditentry",
        "TRUNCATE audit_auditentry",
        "ALTER TABLE audit_auditentry DISABLE TRIGGER USER",
        "DELETE FROM audit_audithead",
    ):
        with (
            pytest.raises(DatabaseError, match=r"permission denied|must be owner"),
            transaction.atomic(),
        ):
            connection.cursor().execute(sql)
    # ... while the application works: a change is saved and audited as the app role.
    from lupustrial.edc.accounts.services import record_failed_login

    record_failed_login("someone", "127.0.0.1")
    assert Subject.objects.exists()
