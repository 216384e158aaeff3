"""Monitoring support (issue 17): SDV progress per subject and site, query ageing, and the
log of monitoring visits whose findings become queries or deviations, through the services
with the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.deviations.models import Deviation
from lupustrial.edc.monitoring import services
from lupustrial.edc.monitoring.models import MonitoringVisit
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import FormData, Query, Subject
from lupustrial.edc.study.services import NotAllowedError
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _tokyo() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _site(code: str = "TKY") -> services.SiteMonitoring:
    return next(s for s in services.overview(_user("monitor")) if s.site.code == code)


def test_sdv_progress_per_subject_and_site_follows_verification() -> None:
    before = _site()
    subject = _tokyo()
    progress = {s.label: p for s, p in before.subjects}[subject.label]
    assert progress.saved > 0
    form = FormData.objects.filter(visit__subject=subject, verified_at__isnull=True).first()
    assert form is not None
    study.verify_form(_user("monitor"), form, form.version)
    after = _site()
    assert {s.label: p for s, p in after.subjects}[subject.label].verified == (
        progress.verified + 1
    )
    assert after.sdv.verified == before.sdv.verified + 1
    assert after.sdv.saved == before.sdv.saved


def test_query_ageing_counts_days_open_at_the_site() -> None:
    form = FormData.objects.filter(visit__subject=_tokyo()).first()
    assert form is not None
    old = study.raise_query(_user("monitor"), form, "", "Please confirm the value.")
    Query.objects.filter(pk=old.pk).update(raised_at=old.raised_at - dt.timedelta(days=8))
    study.raise_query(_user("monitor"), form, "", "And this one.")
    site = _site()
    ages = sorted(a.days_open for a in site.queries if a.query.form_id == form.pk)
    assert ages == [0, 8]
    assert site.ageing["0-7"] >= 1
    assert site.ageing["8-30"] >= 1
    page = login("monitor").get(reverse("monitoring")).content.decode()
    assert "Please confirm the value." in page


def test_the_monitor_logs_a_visit_and_the_next_one_is_due_after_the_interval() -> None:
    site = _tokyo().site
    day = site.today() - dt.timedelta(days=2)
    visit = services.log_visit(
        _user("monitor"), site, visited_on=day, kind="on_site",
        summary="Consent forms and W0-W8 source documents checked.", subjects=[_tokyo()],
    )  # fmt: skip
    assert list(visit.subjects.all()) == [_tokyo()]
    entry = AuditEntry.objects.get(form=services.VISIT_FORM)
    assert entry.field == f"TKY:{day.isoformat()}"
    assert "source documents" in entry.new_value
    due = _site().next_visit_due
    assert due == day + dt.timedelta(days=services.PLAN.visit_interval_days)
    assert _site().overdue is False


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "by phone"}, "kind"),
        ({"summary": "  "}, "summary"),
        ({"visited_on": None}, "visited_on"),
        ({"subjects": "osaka"}, "subjects"),
    ],
)
def test_bad_visits_are_refused_naming_the_field(values: dict[str, Any], field: str) -> None:
    site = _tokyo().site
    if values.get("subjects") == "osaka":
        values["subjects"] = [Subject.objects.get(screening_number="S-101")]
    call = {"visited_on": site.today(), "kind": "remote", "summary": "ok", **values}
    with pytest.raises(services.MonitoringInputError) as refused:
        services.log_visit(_user("monitor"), site, **call)
    assert refused.value.field == field
    assert not MonitoringVisit.objects.exists()


def test_only_the_monitor_logs_visits() -> None:
    site = _tokyo().site
    with pytest.raises(NotAllowedError):
        services.log_visit(_user("coordinator"), site, visited_on=site.today(), kind="remote",
                           summary="x")  # fmt: skip


def _visit() -> MonitoringVisit:
    site = _tokyo().site
    return services.log_visit(
        _user("monitor"), site, visited_on=site.today(), kind="remote", summary="Remote SDV."
    )


def test_a_finding_becomes_a_query_on_the_form() -> None:
    form = FormData.objects.filter(visit__subject=_tokyo(), crf="labs").first()
    assert form is not None
    finding = services.add_finding(
        _user("monitor"), _visit(), text="Creatinine differs from the lab report.",
        action="query", subject=_tokyo(), form=form,
    )  # fmt: skip
    assert finding.query is not None
    assert finding.query.form == form
    assert finding.query.text == "Creatinine differs from the lab report."
    assert AuditEntry.objects.filter(form=services.FINDING_FORM).count() == 1


def test_a_finding_becomes_a_deviation_in_the_log() -> None:
    subject = _tokyo()
    finding = services.add_finding(
        _user("monitor"), _visit(), text="Pregnancy test not done before W4 infusion.",
        action="deviation", subject=subject, category="procedure_not_done",
        occurred_on=subject.site.today() - dt.timedelta(days=10), serious=False,
    )  # fmt: skip
    assert finding.deviation is not None
    deviation = Deviation.objects.get(pk=finding.deviation.pk)
    assert deviation.category == "procedure_not_done"
    page = login("monitor").get(reverse("monitoring_visit", args=[finding.visit.pk]))
    assert deviation.number in page.content.decode()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"action": "query"}, "form"),
        ({"action": "deviation", "subject": None}, "subject"),
        ({"action": "deviation", "category": "nonsense"}, "category"),
        ({"action": "escalate"}, "action"),
        ({"text": ""}, "text"),
    ],
)
def test_bad_findings_are_refused_and_nothing_is_saved(values: dict[str, Any], field: str) -> None:
    visit = _visit()
    subject = _tokyo()
    call: dict[str, Any] = {
        "text": "x", "action": "note", "subject": subject, "category": "other",
        "occurred_on": subject.site.today(), "serious": False, **values,
    }  # fmt: skip
    with pytest.raises(services.MonitoringInputError) as refused:
        services.add_finding(_user("monitor"), visit, **call)
    assert refused.value.field == field
    assert not visit.findings.exists()
    assert not Deviation.objects.exists()


def test_visits_findings_and_drug_movements_reach_the_snapshot(tmp_path: Any) -> None:
    from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
    from lupustrial.edc.export import database_records
    from lupustrial.edc.pharmacy.services import receive_lot, record_movement

    subject = _tokyo()
    site = subject.site
    visit = services.log_visit(
        _user("monitor"), site, visited_on=site.today(), kind="on_site",
        summary="ICF v1.0 checked.", follow_up="Re-train on visit windows.", subjects=[subject],
    )  # fmt: skip
    services.add_finding(
        _user("monitor"), visit, text="W8 was late.", action="deviation", subject=subject,
        category="visit_window", occurred_on=site.today(), serious=False,
    )  # fmt: skip
    services.add_finding(_user("monitor"), visit, text="Filing is tidy.", action="note")
    lot = receive_lot(_user("coordinator"), site, "AF9", dt.date(2031, 1, 31), 2, site.today())
    record_movement(_user("coordinator"), lot, "dispensed", 1, site.today(), subject)
    cut = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    write_snapshot(database_records(), tmp_path / "snap", cut, source="database")
    snap = read_snapshot(tmp_path / "snap")
    [logged] = snap.table("monitoring_visits")
    assert (logged["site"], logged["kind"], logged["monitor"]) == ("TKY", "on_site", "monitor")
    assert logged["subjects_reviewed"] == subject.label
    assert logged["follow_up"] == "Re-train on visit windows."
    findings = snap.table("monitoring_findings")
    assert [(f["line"], f["action"], f["deviation_number"]) for f in findings] == [
        (1, "deviation", "DEV-TKY-001"),
        (2, "note", None),
    ]
    movements = [m for m in snap.table("drug_movements") if m["lot_number"] == "AF9"]
    assert [(m["kind"], m["vials"], m["subject_id"]) for m in movements] == [
        ("dispensed", 1, subject.label),
        ("received", 2, None),
    ]
    assert movements[0]["expiry_date"] == dt.date(2031, 1, 31)


def test_a_finding_names_an_enrolled_subject_of_the_site() -> None:
    candidate = Subject.objects.get(screening_number="S-003")
    with pytest.raises(services.MonitoringInputError) as refused:
        services.add_finding(_user("monitor"), _visit(), text="x", action="note",
                             subject=candidate)  # fmt: skip
    assert refused.value.field == "subject"
