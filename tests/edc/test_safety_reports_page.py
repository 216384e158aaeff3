"""Safety reports in the web application: the dashboard's days left, submission, downloads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.safety import services
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study.models import Subject
from lupustrial.safety.events import SafetyEvent
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")

RULE = "CRB-15-unexpected-serious"


def _generated(days_ago: int) -> SafetyReport:
    subject = Subject.objects.get(screening_number="S-001")
    aware = subject.site.today() - dt.timedelta(days=days_ago)
    event = SafetyEvent.model_validate(
        {
            "id": f"AE-{subject.label}-1",
            "subject_id": subject.label,
            "versions": [
                {
                    "aware_date": aware.isoformat(),
                    "term": {"verbatim": "pneumonia", "ctcae_code": 10021881,
                             "specified_code": 10035664},
                    "seriousness": ["hospitalisation"],
                    "causality": "probable",
                }
            ],
        }
    )  # fmt: skip
    investigator = get_user_model().objects.get(username="investigator")
    return services.generate_report(investigator, subject, event, RULE)


def test_dashboard_shows_days_left_and_overdue_in_red_to_site_staff_and_data_manager() -> None:
    report = _generated(days_ago=20)  # due 15 days after: overdue by 5
    # The coordinator too (issue 18: open safety reports on each role's home page).
    for username in ("investigator", "coordinator", "datamanager"):
        page = login(username).get("/").content.decode()
        assert "Safety reports awaiting submission" in page
        assert f'id="due-{report.pk}"' in page
        assert '<span class="overdue-report">overdue by 5 days</span>' in page
    assert "Safety reports awaiting submission" not in login("monitor").get("/").content.decode()
    assert "Safety reports awaiting submission" not in login("osaka").get("/").content.decode()


def test_days_left_before_the_deadline_and_none_on_the_day_after_submission() -> None:
    report = _generated(days_ago=14)  # the deadline is tomorrow
    assert "1 day left" in login("investigator").get("/").content.decode()
    services.record_submission(
        get_user_model().objects.get(username="investigator"),
        report,
        "certified review board",
        report.subject.site.today(),
    )
    assert "awaiting submission" not in login("investigator").get("/").content.decode()


def test_submission_form_names_the_field_and_saves_nothing_on_bad_input() -> None:
    report = _generated(days_ago=2)
    url = reverse("safety_report_submission", args=[report.pk])
    client = login("investigator")
    today = report.subject.site.today().isoformat()
    page = client.post(url, {f"{report.pk}-submitted_on": today}, follow=True).content.decode()
    assert "Submitted to: This field is required." in page
    future = (report.subject.site.today() + dt.timedelta(days=3)).isoformat()
    page = client.post(
        url, {f"{report.pk}-submitted_to": "CRB", f"{report.pk}-submitted_on": future}, follow=True
    ).content.decode()
    assert "Submitted on (site date): The date is in the future at the site." in page
    report.refresh_from_db()
    assert not report.submitted
    page = client.post(
        url, {f"{report.pk}-submitted_to": "Tokyo CRB", f"{report.pk}-submitted_on": today},
        follow=True,
    ).content.decode()  # fmt: skip
    assert f"Submission of {report.number} recorded." in page
    assert "Tokyo CRB" in page
    report.refresh_from_db()
    assert report.submitted_by is not None
    assert report.submitted_by.get_username() == "investigator"


@pytest.mark.parametrize("username", ["coordinator", "datamanager", "monitor"])
def test_only_the_investigator_records_a_submission(username: str) -> None:
    report = _generated(days_ago=2)
    response = login(username).post(
        reverse("safety_report_submission", args=[report.pk]),
        {f"{report.pk}-submitted_to": "CRB", f"{report.pk}-submitted_on": "2026-01-01"},
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert not report.submitted


def test_downloads_give_the_document_as_generated_and_are_audited() -> None:
    report = _generated(days_ago=2)
    client = login("datamanager")
    response = client.get(reverse("safety_report_download", args=[report.pk, "json"]))
    assert json.loads(response.content) == report.document
    pdf = client.get(reverse("safety_report_download", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    fields = list(AuditEntry.objects.filter(action="export", form="safety_report").values_list(
        "field", flat=True))  # fmt: skip
    assert fields == [f"{report.number}.json", f"{report.number}.pdf"]
    assert client.get(f"/safety/reports/{report.pk}/xml/").status_code == 404


def test_reports_of_other_sites_are_not_shown_or_served() -> None:
    report = _generated(days_ago=2)
    osaka = login("osaka")
    assert report.number not in osaka.get("/safety/reports/").content.decode()
    url = reverse("safety_report_download", args=[report.pk, "json"])
    assert osaka.get(url).status_code == 403


def test_safety_reports_reach_the_dataset_snapshot() -> None:
    from lupustrial.dataset.tables import build_tables
    from lupustrial.edc.export import database_records

    report = _generated(days_ago=3)
    investigator = get_user_model().objects.get(username="investigator")
    subject, today = report.subject, report.subject.site.today()
    services.record_submission(investigator, report, "Tokyo CRB", today)
    (row,) = build_tables(database_records())["safety_reports"]
    assert row == {
        "subject_id": subject.label,
        "number": report.number,
        "event": report.event_key,
        "rule": RULE,
        "recipient": "certified review board (through the head of the institution)",
        "kind": "first",
        "follows": None,
        "day_zero": today - dt.timedelta(days=3),
        "due": today + dt.timedelta(days=12),
        "generated_on": today,
        "submitted_to": "Tokyo CRB",
        "submitted_on": today,
    }
