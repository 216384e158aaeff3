"""Issue 14, finding 1 on PostgreSQL: the database itself refuses TRUNCATE and a forged head.

These tests need PostgreSQL (DATABASE_URL); elsewhere they are skipped, except under CI
(CI=true), where a missing PostgreSQL fails them rather than letting them pass unseen.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from tests.edc.postgresql import require_postgresql

pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture(autouse=True)
def _postgresql(db: None) -> None:
    require_postgresql()


def _refused(sql: str, params: list[Any] | None = None) -> None:
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic():
        connection.cursor().execute(sql, params or [])


def test_truncate_of_the_trail_is_refused() -> None:
    _refused("TRUNCATE audit_auditentry")


def test_update_and_delete_of_entries_are_refused() -> None:
    _refused("UPDATE audit_auditentry SET reason = 'x'")
    _refused("DELETE FROM audit_auditentry")


def test_the_head_cannot_be_truncated_deleted_or_moved_off_the_trail() -> None:
    _refused("TRUNCATE audit_audithead")
    _refused("DELETE FROM audit_audithead")
    _refused("UPDATE audit_audithead SET seq = seq - 1")
    _refused("UPDATE audit_audithead SET hash = %s", ["f" * 64])
