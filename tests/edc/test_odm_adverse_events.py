"""Adverse events in the ODM file with every version (issue 20 with issue 13's records): the
file replayed up to each version's change gives that version, as the version table holds it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc.odm import odm_document
from lupustrial.edc.study import adverse_events as ae
from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.versions import versions_of
from lupustrial.interop.odm.items import unflatten
from lupustrial.interop.odm.reader import read
from lupustrial.interop.odm.schema import schema_errors
from lupustrial.interop.odm.writer import RECORD_SEPARATOR

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def test_every_version_of_an_adverse_event_is_in_the_file() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    assert subject.first_infusion_date is not None
    w4 = subject.visits.get(code="W4")
    first = {
        "term": "帯状疱疹 (herpes zoster)",
        "onset": (subject.first_infusion_date + dt.timedelta(days=12)).isoformat(),
        "grade": 2,
        "serious": False,
        "related": "possible",
        "outcome": "not recovered",
        "infection": True,
        "herpes_zoster": True,
    }
    coordinator = _user("coordinator")
    event = ae.record_adverse_event(coordinator, subject, first, visit=w4)
    event = ae.update_adverse_event(
        coordinator, event, {**first, "grade": 3}, event.version, reason="悪化 (worse)"
    )
    ended = {**first, "grade": 3, "outcome": "recovered", "end_date": first["onset"]}
    event = ae.update_adverse_event(coordinator, event, ended, event.version, reason="resolved")
    other = ae.record_adverse_event(
        coordinator, subject, {**first, "term": "Cough", "infection": False, "herpes_zoster": False}
    )
    document = odm_document()
    assert schema_errors(document) == []
    replay = read(document)
    key = (subject.screening_number, "ADVERSE_EVENTS", "", "adverse_event")
    records = replay.document(key) or {}
    assert records[event.label] == event.data
    assert records[other.label] == other.data
    versions = versions_of(event)
    assert len(versions) == 3
    changes = [c for c in replay.changes if c.form == key]
    prefix = f"{event.label}{RECORD_SEPARATOR}"
    for number, version in enumerate(versions):
        upto = versions[number + 1].audit_seq if number + 1 < len(versions) else None
        values: dict[str, Any] = {}
        for change in changes:
            seq = int(change.source.split()[1])
            if upto is not None and seq >= upto:
                break
            if not change.field.startswith(prefix):
                continue
            name = change.field.removeprefix(prefix)
            if change.kind == "Remove":
                values.pop(name, None)
            else:
                values[name] = change.value
        assert unflatten(values) == version.data, version.number
    reasons = {c.reason for c in changes}
    assert {"悪化 (worse)", "resolved"} <= reasons
    assert any(c.source.endswith("at visit W4") for c in changes)
