"""Migration study 0003 carries the visits' adverse events forms over to adverse event records,
every row and every change, and keeps each saved form's content as its stored version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lupustrial.edc.demo import load_demo

BEFORE = [("study", "0002_consent_versions")]
AFTER = [("study", "0003_adverse_event_records")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _event(term: str, onset: dt.date, **changes: Any) -> dict[str, Any]:
    return {
        "term": term,
        "onset": onset.isoformat(),
        "grade": 2,
        "serious": False,
        "related": "possible",
        "outcome": "not recovered",
        **changes,
    }


def test_the_adverse_events_forms_become_records_with_every_version(transactional_db: None) -> None:
    # Migrations run outside a test transaction; the fixture (not the marker) also lifts the
    # audit trail's TRUNCATE guards for the flush after it on PostgreSQL (tests/edc/conftest.py).
    load_demo()
    try:
        apps = _migrate(BEFORE)
        subject = apps.get_model("study", "Subject").objects.get(screening_number="S-001")
        form_data = apps.get_model("study", "FormData")
        visits = {v.code: v for v in subject.visits.all()}
        user_id = form_data.objects.filter(visit__subject=subject).first().updated_by_id
        onset = visits["W0"].date + dt.timedelta(days=3)
        rash = _event("Rash", onset, grade=1)
        zoster = _event("Herpes zoster", onset, infection=True, herpes_zoster=True)
        forms = {
            # Two rows with the same term and onset on one form are two events.
            "W4": [zoster, dict(zoster, grade=1), rash],
            # Carried over: the zoster resolves, the second zoster and the rash unchanged.
            "W8": [
                dict(zoster, outcome="recovered", end_date=visits["W4"].date.isoformat()),
                dict(zoster, grade=1),
                rash,
            ],
            "W12": [],
        }
        for code, rows in forms.items():
            if visits[code].date is None:
                continue
            form_data.objects.create(
                visit=visits[code],
                crf="adverse_events",
                data={"events": rows},
                updated_by_id=user_id,
            )
        apps = _migrate(AFTER)
    finally:
        _migrate([("study", n) for _, n in _latest()])

    from lupustrial.edc.study.models import AdverseEvent, FormData, Subject
    from lupustrial.edc.study.versions import versions_of

    subject = Subject.objects.get(screening_number="S-001")
    events = list(AdverseEvent.objects.filter(subject=subject).order_by("number"))
    assert [(e.label, e.data["term"], e.version) for e in events] == [
        ("AE-001", "Herpes zoster", 2),
        ("AE-002", "Herpes zoster", 1),
        ("AE-003", "Rash", 1),
    ]
    first = versions_of(events[0])
    assert [v.data["outcome"] for v in first] == ["not recovered", "recovered"]
    assert [v.visit for v in first] == ["W4", "W8"]
    assert all(v.migrated and "adverse events form" in v.reason for v in first)
    assert events[1].data["grade"] == 1
    assert events[0].visit is not None
    assert events[0].visit.code == "W4"
    # Every saved form (the old adverse events forms too) has its content as a version.
    for form in FormData.objects.filter(visit__subject=subject):
        assert versions_of(form)[-1].data == form.data
    assert FormData.objects.filter(crf="adverse_events").count() >= 2  # kept, not deleted


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "study"]
