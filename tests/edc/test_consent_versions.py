"""Consent versions (issue 17): declared versions, who obtained it, site time, re-consent,
withdrawal full or partial."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.study import services
from lupustrial.edc.study.models import Consent, Subject, SubjectStatus
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.consent import ConsentFormVersion
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")
UTC = dt.UTC


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _candidate() -> Subject:
    return Subject.objects.get(screening_number="S-003")  # TKY, screened, not consented


def _post(subject: Subject, **changes: Any) -> Any:
    data = {
        "form_version": "1.0",
        "language": "ja",
        "obtained_at": "2026-03-02T09:00",
        "obtained_by": _user("investigator").pk,
        **changes,
    }
    return login("coordinator").post(reverse("consent", args=[subject.pk]), data)


def test_nine_in_the_morning_at_a_japanese_site_is_nine_jst_and_who_obtained_it_is_kept() -> None:
    subject = _candidate()
    response = _post(subject)
    assert response.status_code == 302, response.content.decode()[-2000:]
    consent = Consent.objects.get(subject=subject)
    assert consent.obtained_at == dt.datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 09:00 JST
    assert consent.obtained_by.get_username() == "investigator"
    assert consent.entered_by is not None
    assert consent.entered_by.get_username() == "coordinator"
    assert consent.language == "ja"
    page = login("coordinator").get(reverse("subject", args=[subject.pk])).content.decode()
    assert "2026-03-02 09:00" in page
    entry = AuditEntry.objects.filter(form="consent").latest("seq")
    assert entry.actor == "coordinator"
    assert '"obtained_by": "investigator"' in entry.new_value


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"obtained_by": "osaka"}, "Obtained by: osaka is not an investigator or coordinator"),
        ({"obtained_by": "monitor"}, "Obtained by: monitor is not an investigator"),
        ({"form_version": "9.9"}, "Consent form version: 9.9 is not declared (declared: 1.0)"),
        ({"form_version": " "}, "Consent form version: required"),
        ({"language": "en"}, "Language of the form: version 1.0 is printed in ja"),
        ({"obtained_at": dt.datetime(2999, 1, 1, 9)}, "Date and time of consent: it cannot"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(changes: dict[str, Any], message: str) -> None:
    subject = _candidate()
    values: dict[str, Any] = {
        "form_version": "1.0",
        "obtained_at": dt.datetime(2026, 3, 2, 9, 0),
        "obtained_by": _user("investigator"),
        "language": "ja",
        **changes,
    }
    if isinstance(values["obtained_by"], str):
        values["obtained_by"] = _user(values["obtained_by"])
    with pytest.raises(services.RuleError) as refused:
        services.record_consent(_user("coordinator"), subject, **values)
    assert str(refused.value).startswith(message)
    assert not Consent.objects.filter(subject=subject).exists()
    assert not AuditEntry.objects.filter(form="consent", subject=subject.label).exists()


def test_the_page_offers_only_the_sites_staff_and_the_declared_versions() -> None:
    subject = _candidate()
    for changes in ({"obtained_by": _user("osaka").pk}, {"form_version": "9.9"}):
        response = _post(subject, **changes)
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert not Consent.objects.filter(subject=subject).exists()
    page = login("coordinator").get(reverse("consent", args=[subject.pk])).content.decode()
    assert "Emi Watanabe" not in page  # the patient is no staff member
    assert "osaka" not in page.split("<main>")[1]


@pytest.fixture
def version_2(monkeypatch: pytest.MonkeyPatch) -> str:
    """The review board approved version 2.0 of the consent form."""
    amended = DEFAULT_PROTOCOL.model_copy(
        update={
            "consent_forms": (
                *DEFAULT_PROTOCOL.consent_forms,
                ConsentFormVersion(number="2.0", date=dt.date(2026, 1, 10), languages=("ja",)),
            )
        }
    )
    monkeypatch.setattr("lupustrial.edc.study.services.DEFAULT_PROTOCOL", amended)
    monkeypatch.setattr("lupustrial.edc.study.views.DEFAULT_PROTOCOL", amended)
    return "2.0"


def test_a_new_version_flags_every_active_subject_until_they_consent_again(version_2: str) -> None:
    tokyo = Subject.objects.get(screening_number="S-001")
    signature = services.active_signature(tokyo)
    due = services.due_to_consent_again_subjects(_user("monitor"))
    assert {s.screening_number for s in due} == {"S-001", "S-101"}
    home = login("investigator").get(reverse("home")).content.decode()
    assert 'id="consent-due"' in home
    assert tokyo.label in home
    with pytest.raises(services.RuleError, match="already recorded"):
        services.record_consent(_user("coordinator"), tokyo, "1.0", dt.datetime(2026, 3, 2, 9, 0))
    services.record_consent(
        _user("coordinator"), tokyo, version_2, dt.datetime.now(UTC) - dt.timedelta(hours=1),
        obtained_by=_user("investigator"),
    )  # fmt: skip
    assert not services.consent_due_again(tokyo)
    assert [c.form_version for c in services.consents(tokyo)] == ["1.0", "2.0"]
    first = services.first_consent(tokyo)
    assert first is not None
    assert first.form_version == "1.0"
    assert services.active_signature(tokyo) == signature  # re-consent voids no signature
    home = login("investigator").get(reverse("home")).content.decode()
    assert 'id="consent-due"' not in home  # S-101 is at Osaka, not the investigator's site


def test_no_flag_without_a_new_version() -> None:
    assert services.due_to_consent_again_subjects(_user("monitor")) == []


def test_a_partial_withdrawal_keeps_the_subject_a_full_one_ends_participation() -> None:
    tokyo = Subject.objects.get(screening_number="S-001")
    osaka = Subject.objects.get(screening_number="S-101")
    first = services.first_consent(tokyo)
    assert first is not None
    consent_day = tokyo.site.date_of(first.obtained_at)
    with pytest.raises(services.RuleError, match="before the consent"):
        services.withdraw_consent(
            _user("coordinator"), tokyo, consent_day - dt.timedelta(days=1), "no_further_data"
        )
    with pytest.raises(services.RuleError, match="future"):
        services.withdraw_consent(
            _user("coordinator"), tokyo, tokyo.site.today() + dt.timedelta(days=1), "full"
        )
    with pytest.raises(services.RuleError, match="full or partial"):
        services.withdraw_consent(_user("coordinator"), tokyo, consent_day, "some")
    consent = services.withdraw_consent(
        _user("coordinator"), tokyo, consent_day, "no_further_data", "safety follow-up only"
    )
    assert consent.withdrawal_scope == "no_further_data"
    assert Subject.objects.get(pk=tokyo.pk).status == SubjectStatus.ENROLLED
    with pytest.raises(services.RuleError, match="withdrawn"):
        services.withdraw_consent(_user("coordinator"), tokyo, consent_day, "full")
    services.withdraw_consent(_user("osaka"), osaka, osaka.site.today(), "full")
    osaka = Subject.objects.get(pk=osaka.pk)
    assert osaka.status == SubjectStatus.WITHDRAWN
    assert osaka.withdrawn_on == osaka.site.today()
    page = login("osaka").get(reverse("subject", args=[osaka.pk])).content.decode()
    assert "full: no further participation" in page


def test_withdrawal_on_the_page() -> None:
    tokyo = Subject.objects.get(screening_number="S-001")
    client = login("investigator")
    url = reverse("consent_withdrawal", args=[tokyo.pk])
    bad = client.post(url, {"on": "2999-01-01", "scope": "full"})
    assert bad.status_code == 200
    assert "Date: it cannot be in the future." in bad.content.decode()
    ok = client.post(url, {"on": tokyo.site.today().isoformat(), "scope": "no_further_data"})
    assert ok.status_code == 302
    latest = services.latest_consent(tokyo)
    assert latest is not None
    assert latest.withdrawal_scope == "no_further_data"


def test_consents_and_their_withdrawal_reach_the_dataset(version_2: str) -> None:
    from lupustrial.dataset.tables import build_tables
    from lupustrial.edc.export import database_records

    tokyo = Subject.objects.get(screening_number="S-001")
    at = dt.datetime.now(UTC) - dt.timedelta(minutes=5)
    services.record_consent(
        _user("coordinator"), tokyo, version_2, at, obtained_by=_user("investigator")
    )
    today = tokyo.site.today()
    services.withdraw_consent(_user("coordinator"), tokyo, today, "no_further_data")
    rows = [
        r for r in build_tables(database_records())["consents"] if r["subject_id"] == tokyo.label
    ]
    assert [(r["form_version"], r["withdrawn_on"], r["withdrawal_scope"]) for r in rows] == [
        ("1.0", None, None),
        ("2.0", today, "no_further_data"),
    ]
    assert rows[1]["consent_date"] == tokyo.site.date_of(at)
