"""The study as CDISC ODM 1.3.2 (issue 20): valid against the schema, and nothing lost.

The round trip: the demo study, changed the ways a study changes (corrections with reasons,
rows added and removed, a value emptied, an unscheduled visit, a missed visit, a query,
Japanese text), is exported; the file validates against the ODM 1.3.2 XML Schema; replaying
the file alone (`interop.odm.reader`) gives every form, visit date and screening record as the
database holds them, and one ItemData per change the trail recorded, with its user, time,
reason and the trail entry's number and hash.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.odm import SUBJECT_FORMS, event_of_visit, form_specs, odm_document
from lupustrial.edc.study import adverse_events, services
from lupustrial.edc.study.models import FormData, Signature, Subject, Visit, VisitStatus
from lupustrial.interop.odm.reader import read
from lupustrial.interop.odm.schema import schema_errors
from lupustrial.interop.odm.writer import RECORD_SEPARATOR

pytestmark = pytest.mark.usefixtures("demo")

DATA_FORMS = {spec.code for spec in form_specs()}


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _form(visit: Visit, crf: str) -> FormData:
    return FormData.objects.get(visit=visit, crf=crf)


def _change_the_study() -> None:
    """Changes of every kind, through the services (the only way data change)."""
    coordinator = _user("coordinator")
    subject = Subject.objects.get(screening_number="S-001")
    w4 = subject.visits.get(code="W4")
    labs = _form(w4, "labs")
    corrected = dict(labs.data)
    corrected["c3"] = {**corrected["c3"], "value": {"value": 0.52, "unit": "g/L"}}
    corrected.pop("alt", None)  # a value emptied: a removal in the trail
    services.save_form(
        coordinator, w4, "labs", corrected, labs.version, reason="転記ミスの訂正 (transcription)"
    )
    steroids = _form(w4, "glucocorticoids")
    rows = [
        *steroids.data["doses"],
        {
            "drug": "methylprednisolone",
            "dose": {"value": 500, "unit": "mg"},
            "route": "intravenous",
        },
    ]
    services.save_form(
        coordinator, w4, "glucocorticoids", {"doses": rows}, steroids.version, reason="pulse"
    )
    steroids = _form(w4, "glucocorticoids")
    services.save_form(
        coordinator,
        w4,
        "glucocorticoids",
        {"doses": rows[1:]},  # the first row removed: the rows after it move up
        steroids.version,
        reason="first regimen entered in error",
    )
    adverse_events.record_adverse_event(
        coordinator,
        subject,
        {
            "term": "帯状疱疹 (herpes zoster)",
            "onset": (w4.date or dt.date.today()).isoformat(),
            "grade": 2,
            "serious": False,
            "related": "possible",
            "outcome": "recovering",
            "infection": True,
            "herpes_zoster": True,
        },
        visit=w4,
    )
    services.raise_query(_user("monitor"), _form(w4, "labs"), "c3", "C3 の単位を確認してください")
    assert w4.date is not None
    extra = services.add_unscheduled_visit(coordinator, subject, w4.date + dt.timedelta(days=9))
    services.save_form(
        coordinator, extra, "vitals", {"systolic_mmhg": 131, "diastolic_mmhg": 82}, version=0
    )
    osaka = Subject.objects.get(screening_number="S-101")
    w4_osaka = osaka.visits.get(code="W4")
    if w4_osaka.status == VisitStatus.PLANNED:
        services.mark_missed(_user("osaka"), w4_osaka, "患者都合 (patient could not come)")


@pytest.fixture
def exported() -> str:
    _change_the_study()
    return odm_document()


def test_the_export_validates_against_the_odm_1_3_2_schema(exported: str) -> None:
    assert schema_errors(exported) == []
    assert 'FileType="Transactional"' in exported
    assert 'Archival="Yes"' in exported
    assert 'xml:lang="ja"' in exported  # Japanese titles beside the English ones
    assert "痙攣発作" in exported  # an item's question from the label catalogue, in Japanese
    assert "帯状疱疹" in exported


def test_a_broken_document_fails_the_schema(exported: str) -> None:
    """The check can fail: an AuditRecord without its required UserRef is refused."""
    start = exported.index("<UserRef ")
    broken = exported[:start] + exported[exported.index("/>", start) + 2 :]
    assert schema_errors(broken)


def test_replaying_the_file_gives_every_form_as_the_database_holds_it(exported: str) -> None:
    replay = read(exported)
    checked = 0
    for form in FormData.objects.select_related("visit__subject"):
        visit = form.visit
        event, repeat = event_of_visit(visit.code)
        key = (visit.subject.screening_number, event, repeat, form.crf)
        assert replay.document(key) == form.data, key
        checked += 1
    assert checked >= 20
    unscheduled = Visit.objects.filter(planned_date__isnull=True)
    assert unscheduled.exists()
    for visit in Visit.objects.select_related("subject").exclude(status=VisitStatus.PLANNED):
        event, repeat = event_of_visit(visit.code)
        document = replay.document((visit.subject.screening_number, event, repeat, "visit")) or {}
        if visit.status == VisitStatus.MISSED:
            assert document.get("status") == "missed"
        else:
            assert document.get("date") == visit.date.isoformat() if visit.date else False
    for subject in Subject.objects.exclude(screening=None):
        key = (subject.screening_number, "SCREENING", "", "screening")
        assert replay.document(key) == subject.screening


def test_one_item_data_per_change_with_who_when_why_and_the_trail_entry(exported: str) -> None:
    replay = read(exported)
    changes = (
        AuditEntry.objects.filter(form__in=DATA_FORMS, action__in=("create", "update"))
        .exclude(subject="")
        .exclude(field="", new_value="")
    )
    by_seq = {entry.seq: entry for entry in changes}
    seen = set()
    for change in replay.changes:
        _, seq, digest = change.source.split()[:3]
        entry = by_seq[int(seq)]
        seen.add(entry.seq)
        assert digest == entry.hash
        assert change.user == f"USR.{entry.actor}"
        assert change.reason == entry.reason
        assert dt.datetime.fromisoformat(change.at) == entry.at
        if entry.form not in SUBJECT_FORMS:  # those hold several values in one entry
            # a keyed record's change (an adverse event's "AE-001.grade") reads "AE-001#grade"
            assert change.field.replace(RECORD_SEPARATOR, ".", 1) == entry.field
            assert change.kind == ("Remove" if entry.new_value == "" else change.kind)
    assert seen == set(by_seq)  # every change the trail recorded is in the file
    reasons = {c.reason for c in replay.changes}
    assert "転記ミスの訂正 (transcription)" in reasons


def test_the_subjects_own_records_are_items_too(exported: str) -> None:
    replay = read(exported)
    for subject in Subject.objects.exclude(subject_id=None):
        key = subject.screening_number
        enrolment = replay.document((key, "SUBJECT", "", "enrolment")) or {}
        assert enrolment["subject_id"] == subject.subject_id
        assert subject.enrolment_date is not None
        assert enrolment["enrolment_date"] == subject.enrolment_date.isoformat()
        consents = replay.document((key, "SUBJECT", "", "consent")) or {}
        assert set(consents) == {c.form_version for c in subject.consents.all()}
        registration = replay.document((key, "SUBJECT", "", "registration")) or {}
        assert registration["site"] == subject.site.code


def test_signatures_and_notes_are_kept(exported: str) -> None:
    replay = read(exported)
    assert len(replay.signatures) == Signature.objects.count()
    notes = [json.loads(text) for _, text in replay.notes]
    assert any(
        n["action"] == "query" and "C3 の単位" in json.dumps(n, ensure_ascii=False) for n in notes
    )
    assert any(n["action"] == "sign" for n in notes) or replay.signatures
