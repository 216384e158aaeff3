"""Round trip through the web pages: an adverse event entered on its form starts its clock, the
clock is on the dashboard and the due list, the report is generated from the event's page and
its submission recorded, and each step is in the audit trail. Nothing entered is lost."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study.models import AdverseEvent, Subject
from tests.commands import run
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")

RULE = "CRB-15-unexpected-serious"


def _tky() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _posted(subject: Subject) -> dict[str, Any]:
    today = subject.site.today()
    return {
        "term": "pneumonia",
        "ctcae_code": "10021881",
        "specified_code": "10035664",
        "onset": (today - dt.timedelta(days=5)).isoformat(),
        "aware_date": (today - dt.timedelta(days=3)).isoformat(),
        "grade": "3",
        "serious": "true",
        "seriousness_criteria": ["hospitalisation", "medically_important"],
        "related": "probable",
        "outcome": "recovering",
        "action_taken": "drug interrupted",
        "infection": "true",
        "course": "Fever and cough; admitted, intravenous antibiotics.",
    }


def test_adverse_event_entered_on_the_form_to_report_submitted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    subject = _tky()
    today = subject.site.today()
    day0 = today - dt.timedelta(days=3)
    due = day0 + dt.timedelta(days=15)

    # 1. the coordinator enters the event on its form
    coordinator = login("coordinator")
    response = coordinator.post(reverse("adverse_event_new", args=[subject.pk]), _posted(subject))
    assert response.status_code == 302, response.content.decode()[-3000:]
    record = AdverseEvent.objects.get(subject=subject)
    # nothing entered is lost: every posted value is in the stored version
    assert record.data["ctcae_code"] == 10021881
    assert record.data["specified_code"] == 10035664
    assert record.data["aware_date"] == day0.isoformat()
    assert record.data["seriousness_criteria"] == ["hospitalisation", "medically_important"]
    assert record.data["course"] == _posted(subject)["course"]

    # 2. its clocks: on the investigator's dashboard, the event page and the due list
    investigator = login("investigator")
    home = investigator.get("/").content.decode()
    assert 'id="safety-clocks"' in home
    assert f"clock-TKY-001-AE-001-{RULE}" in home
    page = investigator.get(reverse("adverse_event", args=[record.pk])).content.decode()
    assert f"clock-TKY-001-AE-001-{RULE}" in page
    assert due.isoformat() in page
    assert "Generate report" in page
    code, out, err = run(
        capsys, "safety", "due", "--source", "database", "--today", today.isoformat(), "-f", "json"
    )
    assert code == 0, err
    assert [(r["rule"], r["due"]) for r in json.loads(out)["open"]] == [
        (RULE, due.isoformat()),
        ("PMDA-15", due.isoformat()),
    ]

    # 3. the investigator generates the report from the event's page ...
    response = investigator.post(
        reverse("safety_event_report", args=[record.pk]), {"rule": RULE, "back": "event"}
    )
    assert response.status_code == 302
    report = SafetyReport.objects.get(event_key="TKY-001-AE-001", rule=RULE)
    assert report.document["event"]["ctcae_code"] == 10021881
    assert report.document["event"]["meddra_code"] == 10035664
    assert report.document["event"]["action_taken_with_anifrolumab"] == "drug interrupted"
    assert [c["code"] for c in report.document["seriousness"]["criteria"]] == [
        "hospitalisation",
        "medically_important",
    ]
    assert report.document["report"]["due"] == due.isoformat()
    listing = investigator.get(reverse("safety_reports")).content.decode()
    assert f'id="report-{report.pk}"' in listing

    # 4. ... and records its submission: the board's clock closes, PMDA's stays open
    response = investigator.post(
        reverse("safety_report_submission", args=[report.pk]),
        {
            f"{report.pk}-submitted_to": "Certified review board",
            f"{report.pk}-submitted_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    home = investigator.get("/").content.decode()
    assert f"clock-TKY-001-AE-001-{RULE}" not in home
    assert "clock-TKY-001-AE-001-PMDA-15" in home

    # 5. the audit trail holds every step, by whom
    trail = [
        (e.actor, e.form, e.action)
        for e in AuditEntry.objects.filter(subject="TKY-001").order_by("seq")
        if e.form in ("adverse_event", "safety_report")
    ]
    assert ("coordinator", "adverse_event", "create") in trail
    assert ("investigator", "safety_report", "create") in trail
    assert ("investigator", "safety_report", "update") in trail


def test_the_form_refuses_a_grade_the_ctcae_term_does_not_define_naming_the_field() -> None:
    subject = _tky()
    posted = {**_posted(subject), "ctcae_code": "10002218", "specified_code": "", "grade": "2"}
    response = login("coordinator").post(reverse("adverse_event_new", args=[subject.pk]), posted)
    assert response.status_code == 200
    assert "CTCAE v5.0 &#x27;Anaphylaxis&#x27; has no grade 2 (its grades: 3, 4, 5)" in (
        response.content.decode()
    )
    assert not AdverseEvent.objects.exists()


def test_the_form_refuses_a_serious_event_without_its_aware_date() -> None:
    subject = _tky()
    posted = {**_posted(subject), "aware_date": ""}
    response = login("coordinator").post(reverse("adverse_event_new", args=[subject.pk]), posted)
    assert response.status_code == 200
    assert "a serious event needs the date the investigator became aware" in (
        response.content.decode()
    )
    assert not AdverseEvent.objects.exists()


def test_the_open_clocks_read_in_japanese() -> None:
    subject = _tky()
    assert (
        login("coordinator")
        .post(reverse("adverse_event_new", args=[subject.pk]), _posted(subject))
        .status_code
        == 302
    )
    staff = get_user_model().objects.get(username="datamanager").staff
    staff.language = "ja"
    staff.save()
    client = login("datamanager")
    assert "作成すべき疾病等報告" in client.get("/").content.decode()
    page = client.get(reverse("safety_reports")).content.decode()
    assert "報告期限が進行中の疾病等" in page
    assert "clock-TKY-001-AE-001-PMDA-15" in page


def test_a_follow_up_report_is_generated_from_the_event_page_and_links_to_the_first() -> None:
    subject = _tky()
    coordinator, investigator = login("coordinator"), login("investigator")
    assert (
        coordinator.post(
            reverse("adverse_event_new", args=[subject.pk]), _posted(subject)
        ).status_code
        == 302
    )
    record = AdverseEvent.objects.get(subject=subject)
    url = reverse("safety_event_report", args=[record.pk])
    assert investigator.post(url, {"rule": RULE, "back": "event"}).status_code == 302
    first = SafetyReport.objects.get(event_key="TKY-001-AE-001", rule=RULE)
    page = investigator.get(reverse("adverse_event", args=[record.pk])).content.decode()
    assert f'id="event-report-{first.pk}"' in page
    assert "Generate follow-up report" in page
    # a second first report is refused, with the reason, and nothing is made
    response = investigator.post(url, {"rule": RULE, "back": "event"}, follow=True)
    assert "make a follow-up report of it" in response.content.decode()
    assert SafetyReport.objects.filter(event_key="TKY-001-AE-001").count() == 1
    investigator.post(url, {"rule": RULE, "follows": str(first.pk), "back": "event"})
    follow_up = SafetyReport.objects.get(event_key="TKY-001-AE-001", follows=first)
    assert follow_up.document["report"]["kind"] == "follow-up"
    assert follow_up.document["report"]["follows"]["number"] == first.number
    # the coordinator sees the reports but may not generate one
    page = coordinator.get(reverse("adverse_event", args=[record.pk])).content.decode()
    assert f'id="event-report-{follow_up.pk}"' in page
    assert "Generate follow-up report" not in page
    assert coordinator.post(url, {"rule": RULE, "back": "event"}).status_code == 403
