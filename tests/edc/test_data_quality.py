"""Edit checks, queries, source-data verification and locks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lupustrial.edc.study.models import FormData, Query, Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _form(crf: str = "vitals") -> FormData:
    subject = Subject.objects.get(screening_number="S-001")
    return FormData.objects.get(visit__subject=subject, visit__code="W12", crf=crf)


def _save_weight(username: str, weight: str) -> str:
    form = _form()
    response = login(username).post(
        reverse("crf", args=[form.visit_id, "vitals"]),
        {
            "body_weight.value": weight,
            "body_weight.unit": "kg",
            "version": form.version,
            "reason": "r",
        },
    )
    return response.content.decode() if response.status_code == 200 else ""


def test_a_query_is_raised_answered_and_closed() -> None:
    form = _form()
    login("monitor").post(
        reverse("form_action", args=[form.pk, "query"]),
        {"field": "body_weight.value", "text": "Source says 61 kg?"},
    )
    query = Query.objects.get()
    assert query.status == "open"
    login("coordinator").post(
        reverse("query_action", args=[query.pk, "answer"]), {"answer": "Checked: 60 kg"}
    )
    query.refresh_from_db()
    assert (query.status, query.answer) == ("answered", "Checked: 60 kg")
    assert (
        login("coordinator").post(reverse("query_action", args=[query.pk, "close"])).status_code
        == 403
    )
    login("monitor").post(reverse("query_action", args=[query.pk, "close"]))
    query.refresh_from_db()
    assert query.status == "closed"


def test_a_change_after_verification_withdraws_the_verification() -> None:
    form = _form()
    login("monitor").post(
        reverse("form_action", args=[form.pk, "verify"]), {"version": form.version}
    )
    form.refresh_from_db()
    assert form.verified_at is not None
    assert _save_weight("coordinator", "59") == ""
    form.refresh_from_db()
    assert form.verified_at is None


def test_a_locked_form_cannot_be_changed_until_unlocked_with_a_reason() -> None:
    form = _form()
    login("datamanager").post(
        reverse("form_action", args=[form.pk, "lock"]), {"version": form.version}
    )
    assert "This form is locked" in _save_weight("coordinator", "59")
    login("datamanager").post(
        reverse("form_action", args=[form.pk, "unlock"]), {"reason": "", "version": form.version}
    )
    form.refresh_from_db()
    assert form.locked
    login("datamanager").post(
        reverse("form_action", args=[form.pk, "unlock"]),
        {"reason": "query resolution", "version": form.version},
    )
    form.refresh_from_db()
    assert not form.locked


def test_a_locked_casebook_refuses_every_change() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    login("datamanager").post(reverse("casebook_lock", args=[subject.pk]), {"locked": "1"})
    assert "is locked" in _save_weight("coordinator", "59")
    assert FormData.objects.filter(visit__subject=subject, locked=False).count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body_weight.value", "-1", "A negative value cannot be entered"),
        ("body_weight.value", "401", "body weight"),
        ("systolic_mmhg", "400", "400 mmHg is above 300 mmHg"),
    ],
)
def test_edit_checks_name_the_field(field: str, value: str, message: str) -> None:
    form = _form()
    response = login("coordinator").post(
        reverse("crf", args=[form.visit_id, "vitals"]),
        {
            "body_weight.value": "60",
            "body_weight.unit": "kg",
            field: value,
            "version": form.version,
            "reason": "r",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_visit_cannot_be_dated_in_the_future() -> None:
    form = _form()
    visit = form.visit
    # The site's tomorrow (Tokyo): from 15:00 UTC the UTC date's tomorrow is today there.
    tomorrow = visit.subject.site.today() + dt.timedelta(days=1)
    response = login("coordinator").post(
        reverse("visit", args=[visit.pk]),
        {"date": tomorrow.isoformat(), "version": visit.version, "reason": "r"},
    )
    assert "cannot be in the future" in response.content.decode()


def test_an_adverse_event_needs_consistent_grade_and_outcome() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    response = login("coordinator").post(
        reverse("adverse_event_new", args=[subject.pk]),
        {
            "term": "Herpes zoster",
            "onset": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
            "grade": "2",
            "serious": "false",
            "related": "possible",
            "outcome": "recovering",
            "infection": "false",
            "herpes_zoster": "true",
        },
    )
    assert "tick infection too" in response.content.decode()
    assert not subject.adverse_events.exists()
