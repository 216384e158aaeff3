"""Issue 20: safety reports and the monitoring log under the import context.

Their services take their times from `imports.now()` (the original change's inside an
import), stamp a row's time and its trail entry's as one, and an imported report keeps the
frozen document the source sent, checked against what the service generated for it. The
whole round trip through `lupustrial import odm` is in `tests/cli/test_import_odm_shell.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc import odm_safety
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.trail import decode_value
from lupustrial.edc.monitoring import services as monitoring
from lupustrial.edc.safety import services as safety
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study.models import FormData, Query, Subject
from lupustrial.safety.events import SafetyEvent

pytestmark = pytest.mark.usefixtures("demo")

RULE = "CRB-15-unexpected-serious"
THEN = dt.datetime(2026, 10, 10, 1, 2, 3, 456789, tzinfo=dt.UTC)


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _tky() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _event(subject: Subject) -> SafetyEvent:
    return SafetyEvent.model_validate(
        {
            "id": f"{subject.label}-AE-009",
            "subject_id": subject.label,
            "versions": [
                {
                    "aware_date": (THEN.date() - dt.timedelta(days=2)).isoformat(),
                    "term": {"verbatim": "pneumonia", "ctcae_code": 10021881,
                             "specified_code": 10035664},
                    "seriousness": ["hospitalisation"],
                    "causality": "possible",
                }
            ],
        }
    )  # fmt: skip


def _entry(form: str) -> AuditEntry:
    found = AuditEntry.objects.filter(form=form).order_by("-seq").first()
    assert found is not None
    return found


def test_a_report_generated_in_an_import_is_dated_at_the_original_change() -> None:
    with imports.importing("IMP-1", "console:alice"), imports.original(THEN):
        report = safety.generate_report(_user("investigator"), _tky(), _event(_tky()), RULE)
    assert report.generated_at == THEN == _entry(safety.FORM).at
    assert report.document["report"]["generated_at"] == "2026-10-10T01:02:03+00:00"


def test_outside_an_import_a_report_and_its_entry_are_one_moment() -> None:
    report = safety.generate_report(_user("investigator"), _tky(), _event(_tky()), RULE)
    assert report.generated_at == _entry(safety.FORM).at > THEN


def _sent(subject: Subject) -> dict[str, Any]:
    """The report as the source froze it: generated there and then, rolled back here."""
    report = safety.generate_report(_user("investigator"), subject, _event(subject), RULE)
    document: dict[str, Any] = report.document
    SafetyReport.objects.filter(pk=report.pk).delete()  # the source's, not this database's
    return document


def test_an_imported_report_keeps_the_document_the_source_sent() -> None:
    subject = _tky()
    sent = _sent(subject)
    sent["report"]["recipient"] = "the board, as the source's version worded it"
    with imports.importing("IMP-1", "console:alice"), imports.original(THEN, document=sent):
        report = safety.generate_report(_user("investigator"), subject, _event(subject), RULE)
    assert report.document == sent  # what was sent is kept, not what is built today
    assert decode_value(_entry(safety.FORM).new_value)["document_sha256"] == safety.document_digest(
        sent
    )


@pytest.mark.parametrize(
    ("part", "key", "value"),
    [("report", "number", "X/1"), ("report", "rule", "PMDA-15"), ("event", "id", "TKY-001-AE-8")],
)
def test_an_imported_document_of_another_report_is_refused(part: str, key: str, value: str) -> None:
    subject = _tky()
    sent = _sent(subject)
    sent[part][key] = value
    with (
        imports.importing("IMP-1", "console:alice"),
        imports.original(THEN, document=sent),
        pytest.raises(safety.SafetyInputError) as refused,
    ):
        safety.generate_report(_user("investigator"), subject, _event(subject), RULE)
    assert refused.value.field == "document"
    assert not SafetyReport.objects.exists()


def test_a_files_document_that_is_not_the_one_its_entry_names_stops_the_replay() -> None:
    document = {"report": {"number": "TKY-001-AE-001/R/1"}}
    note = {
        "seq": 7,
        "action": "create",
        "field": "TKY-001-AE-001/R/1",
        "new": {"document_sha256": safety.document_digest(document)},
        "document": document,
    }
    assert odm_safety.document_of(note) == document
    note["document"] = {"report": {"number": "TKY-001-AE-001/R/1", "due": "2026-10-11"}}
    with pytest.raises(odm_safety.SafetyReplayError, match=r"audit entry 7: .* SHA-256 differs"):
        odm_safety.document_of(note)


def test_a_monitoring_visit_and_a_query_finding_are_one_moment_each() -> None:
    subject = _tky()
    with imports.importing("IMP-1", "console:alice"), imports.original(THEN):
        visit = monitoring.log_visit(
            _user("monitor"), subject.site, visited_on=THEN.date(), kind="remote", summary="SDV"
        )
    assert visit.recorded_at == THEN == _entry(monitoring.VISIT_FORM).at
    vitals = FormData.objects.filter(visit__subject=subject, crf="vitals").first()
    assert vitals is not None
    finding = monitoring.add_finding(
        _user("monitor"), visit, text="Weight?", action="query", subject=subject, form=vitals
    )
    assert finding.query_id is not None
    query = Query.objects.get(pk=finding.query_id)
    entries = list(AuditEntry.objects.order_by("-seq")[:2])
    assert {e.at for e in entries} == {finding.recorded_at} == {query.raised_at}
