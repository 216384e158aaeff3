"""Finding 2: source-data verification and locks name the form version the user opened;
a version saved since is refused with a message (English and Japanese), never marked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lupustrial.edc.accounts.models import StaffProfile
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.trail import decode_value
from lupustrial.edc.study.models import FormData, Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _form() -> FormData:
    subject = Subject.objects.get(screening_number="S-001")
    return FormData.objects.get(visit__subject=subject, visit__code="W12", crf="vitals")


def _coordinator_saves_a_new_version(weight: str) -> None:
    form = _form()
    response = login("coordinator").post(
        reverse("crf", args=[form.visit_id, "vitals"]),
        {
            "body_weight.value": weight,
            "body_weight.unit": "kg",
            "version": form.version,
            "reason": "transcription",
        },
    )
    assert response.status_code == 302


def _opened_version(client: Client) -> int:
    """The version the eCRF page puts in its verify form, as a browser would submit it."""
    form = _form()
    page = client.get(reverse("crf", args=[form.visit_id, "vitals"])).content.decode()
    marker = f'action="{reverse("form_action", args=[form.pk, "verify"])}"'
    start = page.index(marker)
    field = page.index('name="version" value="', start) + len('name="version" value="')
    return int(page[field : page.index('"', field)])


def test_the_version_opened_is_verified_and_named_in_the_trail() -> None:
    monitor = login("monitor")
    seen = _opened_version(monitor)
    response = monitor.post(
        reverse("form_action", args=[_form().pk, "verify"]), {"version": seen}, follow=True
    )
    assert response.status_code == 200
    assert _form().verified_at is not None
    entry = AuditEntry.objects.filter(action="verify").latest("seq")
    assert decode_value(entry.new_value)["version"] == seen


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "You opened version 1 of this form, but version 2 was saved since"),
        ("ja", "このフォームのバージョン 1 を開きましたが、その後バージョン 2 が保存されました"),
    ],
)
def test_a_version_the_monitor_did_not_open_is_not_verified(language: str, message: str) -> None:
    StaffProfile.objects.filter(user__username="monitor").update(language=language)
    monitor = login("monitor")
    seen = _opened_version(monitor)
    assert seen == 1
    _coordinator_saves_a_new_version("58")
    response = monitor.post(
        reverse("form_action", args=[_form().pk, "verify"]), {"version": seen}, follow=True
    )
    assert message in response.content.decode()
    assert _form().verified_at is None
    assert not AuditEntry.objects.filter(action="verify").exists()


@pytest.mark.parametrize("posted", [{}, {"version": ""}, {"version": "two"}])
def test_a_verification_without_a_version_is_refused(posted: dict[str, str]) -> None:
    response = login("monitor").post(
        reverse("form_action", args=[_form().pk, "verify"]), posted, follow=True
    )
    assert response.status_code == 200
    assert _form().verified_at is None


def test_a_lock_names_the_version_and_refuses_one_not_seen() -> None:
    manager = login("datamanager")
    seen = _form().version
    _coordinator_saves_a_new_version("57")
    manager.post(reverse("form_action", args=[_form().pk, "lock"]), {"version": seen})
    assert not _form().locked
    manager.post(reverse("form_action", args=[_form().pk, "lock"]), {"version": _form().version})
    assert _form().locked
    entry = AuditEntry.objects.filter(action="lock").latest("seq")
    assert entry.new_value == f'{{"version": {_form().version}}}'


def test_a_casebook_lock_names_every_form_version() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    login("datamanager").post(reverse("casebook_lock", args=[subject.pk]), {"locked": "1"})
    entry = AuditEntry.objects.filter(action="lock", form="casebook").latest("seq")
    assert '"W12 vitals": 1' in entry.new_value
