"""Source-data verification of adverse events (ICH E6(R2) 5.18.4, 2016), as of forms.

The monitor verifies the version of an event they opened; a new version clears it, with an
UNVERIFY entry in the trail; the event's page says verified or not, by whom and when; the
monitor's worklist and the monitoring plan count adverse events; `audit verify` names a
verification set behind the application.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.audit.models import Action, AuditEntry
from lupustrial.edc.monitoring import services as monitoring
from lupustrial.edc.reconciliation import reconcile
from lupustrial.edc.study import adverse_events as ae
from lupustrial.edc.study import services
from lupustrial.edc.study.casebook import render_casebook
from lupustrial.edc.study.models import AdverseEvent, Subject
from lupustrial.edc.study.worklists import worklists
from lupustrial.protocol.monitoring import MonitoringPlan, sdv_progress

from .clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


@pytest.fixture(autouse=True)
def _recorded(demo: None) -> None:
    """TKY-001's AE-001 at version 2 (the demo has no adverse events)."""
    subject = Subject.objects.get(subject_id="TKY-001")
    assert subject.first_infusion_date is not None
    onset = subject.first_infusion_date + dt.timedelta(days=12)
    data = {"term": "Herpes zoster", "onset": onset.isoformat(), "grade": 2, "serious": False,
            "related": "possible", "outcome": "not recovered"}  # fmt: skip
    event = ae.record_adverse_event(_user("coordinator"), subject, data)
    ae.update_adverse_event(_user("coordinator"), event, {**data, "grade": 3}, 1, "worse")


def _event() -> AdverseEvent:
    return AdverseEvent.objects.select_related("subject").get(
        subject__subject_id="TKY-001", number=1
    )


def test_the_monitor_verifies_the_version_opened_and_the_trail_says_so() -> None:
    event = _event()
    verified = ae.verify_adverse_event(_user("monitor"), event, event.version)
    assert verified.verified_by == _user("monitor")
    assert verified.verified_at is not None
    entry = AuditEntry.objects.filter(action=Action.VERIFY).latest("seq")
    assert (entry.subject, entry.form, entry.field) == ("TKY-001", "adverse_event", event.label)
    assert json.loads(entry.new_value) == {
        "version": event.version,
        "at": verified.verified_at.isoformat(),
    }


def test_a_version_saved_since_the_page_was_opened_is_not_verified() -> None:
    event = _event()
    with pytest.raises(services.ConflictError):
        ae.verify_adverse_event(_user("monitor"), event, event.version - 1)
    assert _event().verified_at is None


@pytest.mark.parametrize("role", ["investigator", "coordinator", "datamanager", "statistician"])
def test_only_the_monitor_verifies(role: str) -> None:
    event = _event()
    with pytest.raises(services.NotAllowedError):
        ae.verify_adverse_event(_user(role), event, event.version)
    assert _event().verified_at is None


def test_a_new_version_clears_the_verification_with_its_trail_entry() -> None:
    event = _event()
    ae.verify_adverse_event(_user("monitor"), event, event.version)
    event = _event()
    changed = {**event.data, "outcome": "recovered"}
    event = ae.update_adverse_event(
        _user("coordinator"), event, changed, event.version, "recovered"
    )
    assert (event.verified_at, event.verified_by) == (None, None)
    entry = AuditEntry.objects.filter(action=Action.UNVERIFY).latest("seq")
    assert (entry.form, entry.field) == ("adverse_event", event.label)
    assert entry.reason == "data changed after verification"
    assert reconcile() == []


def test_the_page_shows_the_verification_and_the_monitor_verifies_there() -> None:
    event = _event()
    url = reverse("adverse_event", args=[event.pk])
    with translation.override("en"):
        page = login("monitor").get(url).content.decode()
        assert 'id="event-verification"' in page
        assert "Not verified" in page
        assert reverse("adverse_event_verify", args=[event.pk]) in page
        coordinator_page = login("coordinator").get(url).content.decode()
        assert reverse("adverse_event_verify", args=[event.pk]) not in coordinator_page
    monitor = login("monitor")
    answer = monitor.post(
        reverse("adverse_event_verify", args=[event.pk]), {"version": event.version}
    )
    assert answer.status_code == 302
    verified = _event()
    assert verified.verified_by == _user("monitor")
    with translation.override("en"):
        page = monitor.get(url).content.decode()
    assert "Verified" in page
    assert "monitor" in page
    assert reverse("adverse_event_verify", args=[event.pk]) not in page
    staff = _user("monitor").staff  # the monitor's language is Japanese: the page follows
    staff.language = "ja"
    staff.save(update_fields=["language"])
    page = login("monitor").get(url).content.decode()
    assert "SDV済み（第2版）：monitor" in page


def test_a_stale_verification_posted_from_the_page_is_refused_with_a_message() -> None:
    event = _event()
    answer = login("monitor").post(
        reverse("adverse_event_verify", args=[event.pk]), {"version": event.version - 1},
        follow=True,
    )  # fmt: skip
    assert answer.status_code == 200
    assert _event().verified_at is None


def test_the_coordinator_cannot_verify_from_the_page() -> None:
    event = _event()
    answer = login("coordinator").post(
        reverse("adverse_event_verify", args=[event.pk]), {"version": event.version}
    )
    assert answer.status_code == 403
    assert _event().verified_at is None


def test_the_monitors_worklist_holds_the_events_to_verify() -> None:
    event = _event()
    assert event in worklists(_user("monitor")).events_to_verify
    assert worklists(_user("coordinator")).events_to_verify == []
    with translation.override("en"):
        page = login("monitor").get(reverse("home")).content.decode()
    assert 'id="events-to-verify"' in page
    assert reverse("adverse_event", args=[event.pk]) in page
    ae.verify_adverse_event(_user("monitor"), event, event.version)
    assert event not in worklists(_user("monitor")).events_to_verify


def test_the_monitoring_plan_verifies_adverse_events() -> None:
    plan = MonitoringPlan()
    assert "adverse_event" in plan.sdv_crfs
    assert sdv_progress([("adverse_event", True), ("adverse_event", False)], plan).verified == 1


def test_the_monitoring_overview_counts_adverse_events() -> None:
    def tokyo_saved() -> tuple[int, int]:
        [site] = [s for s in monitoring.overview(_user("monitor")) if s.site.code == "TKY"]
        [progress] = [p for subject, p in site.subjects if subject.subject_id == "TKY-001"]
        return progress.saved, progress.verified

    saved, verified = tokyo_saved()
    event = _event()
    ae.verify_adverse_event(_user("monitor"), event, event.version)
    assert tokyo_saved() == (saved, verified + 1)


def test_a_verification_set_behind_the_application_is_named() -> None:
    event = _event()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE study_adverseevent SET verified_at = updated_at, verified_by_id = %s"
            " WHERE id = %s",
            [_user("monitor").pk, event.pk],
        )
    lines = [d.line() for d in reconcile()]
    assert any(
        line.startswith("TKY-001 AE-001 verification verified_by: the record holds 'monitor'")
        for line in lines
    ), lines


def test_a_verification_taken_off_behind_the_application_is_named() -> None:
    event = _event()
    ae.verify_adverse_event(_user("monitor"), event, event.version)
    assert reconcile() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE study_adverseevent SET verified_at = NULL, verified_by_id = NULL WHERE id = %s",
            [event.pk],
        )
    lines = [d.line() for d in reconcile()]
    assert any(line.startswith("TKY-001 AE-001 verification verified_by") for line in lines), lines


def test_the_casebook_says_which_version_of_an_event_was_verified_by_whom() -> None:
    def heading(html: str) -> str:
        return html.split("<h3>AE-001", 1)[1].split("</h3>", 1)[0]

    event = _event()
    with translation.override("en"):
        assert "verified" not in heading(render_casebook(event.subject, exported_by="monitor"))
    ae.verify_adverse_event(_user("monitor"), event, event.version)
    with translation.override("en"):
        said = heading(render_casebook(event.subject, exported_by="monitor"))
    assert "· verified (version 2)" in said
    assert said.endswith("(monitor)")


def test_the_api_says_whether_the_event_is_verified() -> None:
    event = _event()
    client = login("monitor")
    assert client.get(f"/api/adverse-events/{event.pk}").json()["verified"] is False
    ae.verify_adverse_event(_user("monitor"), event, event.version)
    assert client.get(f"/api/adverse-events/{event.pk}").json()["verified"] is True


def test_the_subject_pages_list_of_events_marks_the_verified_ones() -> None:
    event = _event()
    url = reverse("subject", args=[event.subject.pk])
    with translation.override("en"):
        assert 'class="tag ae-verified"' not in login("monitor").get(url).content.decode()
        ae.verify_adverse_event(_user("monitor"), event, event.version)
        assert 'class="tag ae-verified"' in login("monitor").get(url).content.decode()
