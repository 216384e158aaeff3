"""The audit trail's INSERT is written in `audit/trail.py` (issue 19): what it stores must be
exactly the entries the trail built, ids included, and the chain must verify. Round trip on
the configured database (SQLite here, PostgreSQL in `make pytest-postgres`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.trail import record_changes, verify_chain

pytestmark = pytest.mark.usefixtures("people")


def _stored(entry: AuditEntry) -> dict[str, Any]:
    return {f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields}


def test_the_entries_stored_are_the_entries_built() -> None:
    user = get_user_model().objects.get(username="coordinator")
    at = dt.datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=dt.UTC)
    built = record_changes(
        user,
        "update",
        {"weight": 55.5, "note": "before", "gone": [1, 2]},
        {"weight": 56.0, "note": "café 日本語 'quoted'", "new": {"a": 1}},
        subject="S-001",
        visit="W4",
        form="vitals",
        reason="Re-weighed",
        at=at,
    )
    assert len(built) == 4  # weight, note, gone, new
    assert all(entry.pk is not None and not entry._state.adding for entry in built)
    stored = AuditEntry.objects.filter(pk__in=[e.pk for e in built]).order_by("seq")
    assert [_stored(e) for e in stored] == [_stored(e) for e in built]
    assert [e.seq for e in stored] == list(range(built[0].seq, built[0].seq + 4))
    assert stored[0].at == at
    assert verify_chain().intact


def test_an_imported_entry_keeps_its_importer() -> None:
    with imports.importing("import-0001", "ODM import"):
        (entry,) = record_changes("ODM import", "create", None, {"x": 1}, form="screening")
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.import_id, stored.imported_by) == ("import-0001", "ODM import")
    assert _stored(stored) == _stored(entry)
    assert verify_chain().intact
