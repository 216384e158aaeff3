"""Tests that only PostgreSQL can run (its triggers and roles): when they skip, and when they fail.

`make test` runs the suite on SQLite, then the web application's tests again on PostgreSQL
(`make pytest-postgres`). The SQLite pass sets LUPUSTRIAL_POSTGRESQL_PASS_FOLLOWS=1, so these tests
skip there and run in the PostgreSQL pass. Anywhere else under CI=true a missing PostgreSQL fails
them rather than letting them pass unseen; and `make pytest-postgres` itself fails under CI=true
when PostgreSQL is not reachable, so CI cannot skip the PostgreSQL pass either.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

SQLITE_IN_SUBPROCESSES = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="its commands run on SQLite in fresh shells (DATABASE_URL removed) and it never opens "
    "the test database, so it is the same test in the SQLite pass: not run again on PostgreSQL",
)
"""For a test that only runs commands in subprocesses on their own SQLite data directory: the
PostgreSQL pass (DATABASE_URL set) would repeat it unchanged, so it runs in the SQLite pass only
(CI time, see the Makefile's pytest-postgres)."""

# The TRUNCATE guards of migration audit 0005, which the browser tests' flush needs lifted.
_TRUNCATE_GUARDS = (
    ("audit_auditentry", "audit_entry_no_truncate"),
    ("audit_audithead", "audit_head_no_truncate"),
)


def truncate_guards(state: str) -> None:
    """ENABLE or DISABLE the audit trail's TRUNCATE triggers (tests/edc/conftest.py says why)."""
    with connection.cursor() as cursor:
        for table, trigger in _TRUNCATE_GUARDS:
            cursor.execute(f"ALTER TABLE {table} {state} TRIGGER {trigger}")


def require_postgresql() -> None:
    """Skip or fail (see the module's docstring) unless the tests run on PostgreSQL.

    On PostgreSQL the TRUNCATE guards are put back for the calling test (inside its
    transaction, so the test database returns to its state afterwards).
    """
    if connection.vendor == "postgresql":
        truncate_guards("ENABLE")
        return
    if os.environ.get("LUPUSTRIAL_POSTGRESQL_PASS_FOLLOWS") == "1":
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass (make pytest-postgres)")
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true: these tests must run on PostgreSQL (set DATABASE_URL)")
    pytest.skip("PostgreSQL only (set DATABASE_URL); under CI=true this fails instead")
