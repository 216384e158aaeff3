"""Finding 5: re-entering the password at signing is locked out like a login: after the
login's failure limit of wrong passwords, no password is checked until the cool-off ends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from lupustrial.edc.accounts.models import StaffProfile
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.demo import DEMO_PASSWORD
from lupustrial.edc.study.models import Subject, SubjectStatus
from tests.edc.clients import login
from tests.edc.test_flows import _enrolled, _first_dose, _screened_and_consented

pytestmark = pytest.mark.usefixtures("people")


def _enrol_with(subject: Subject, password: str) -> str:
    response = login("investigator").post(
        reverse("enrol", args=[subject.pk]),
        {
            "first_infusion_date": _first_dose().isoformat(),
            "enrolment_date": _enrolled().isoformat(),
            "password": password,
        },
    )
    return response.content.decode() if response.status_code == 200 else ""


def _outcomes() -> list[Any]:
    return list(
        AuditEntry.objects.filter(action="sign", actor="investigator")
        .order_by("seq")
        .values_list("new_value", flat=True)
    )


def test_the_right_password_is_refused_after_five_wrong_ones(settings: Any) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    subject = _screened_and_consented(login("coordinator"))
    for _ in range(5):
        assert "password did not match" in _enrol_with(subject, "guess-again")
    page = _enrol_with(subject, DEMO_PASSWORD)
    assert "Too many wrong passwords at signing: signing is blocked for 30 minutes" in page
    assert Subject.objects.get(pk=subject.pk).status == SubjectStatus.SCREENING
    assert _outcomes() == ['"refused"'] * 5 + ['"blocked"']


def test_four_wrong_passwords_leave_signing_open(settings: Any) -> None:
    subject = _screened_and_consented(login("coordinator"))
    for _ in range(4):
        _enrol_with(subject, "guess-again")
    assert _enrol_with(subject, DEMO_PASSWORD) == ""  # redirected: enrolled
    assert Subject.objects.get(pk=subject.pk).status == SubjectStatus.ENROLLED


def test_the_block_ends_with_the_cool_off(settings: Any) -> None:
    subject = _screened_and_consented(login("coordinator"))
    for _ in range(5):
        _enrol_with(subject, "guess-again")
    later = timezone.now() + dt.timedelta(minutes=31)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert _enrol_with(subject, DEMO_PASSWORD) == ""
    assert Subject.objects.get(pk=subject.pk).status == SubjectStatus.ENROLLED


def test_the_block_is_explained_in_japanese() -> None:
    StaffProfile.objects.filter(user__username="investigator").update(language="ja")
    subject = _screened_and_consented(login("coordinator"))
    for _ in range(5):
        _enrol_with(subject, "guess-again")
    page = _enrol_with(subject, DEMO_PASSWORD)
    assert "署名時のパスワードの誤りが多すぎるため、署名を 30 分間停止しています" in page
