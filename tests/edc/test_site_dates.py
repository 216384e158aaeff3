"""Site-local dates in the web application (finding 9): entered, shown and compared at the site.

Both demo sites are in Asia/Tokyo. A consent entered as 08:00 on 10 March at the site is
23:00 UTC on 9 March: it is stored as that moment and counted as 10 March everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.demo import DEMO_PASSWORD, _screening
from lupustrial.edc.export import database_records
from lupustrial.edc.study import services
from lupustrial.edc.study.models import Subject, Visit
from lupustrial.protocol import dates
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")

FIRST_DOSE = dt.date(2025, 3, 20)
CONSENT_DAY = dt.date(2025, 3, 10)
UTC = dt.UTC


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _consented_at_8_in_tokyo() -> Subject:
    coordinator = _user("coordinator")
    site = Site.objects.get(code="TKY")
    subject = services.register_candidate(coordinator, site, "S-950", "Test Patient", "M-950")
    services.save_screening(
        coordinator, subject, _screening("screening-eligible.json", FIRST_DOSE), 0
    )
    response = login("coordinator").post(
        reverse("consent", args=[subject.pk]),
        {
            "form_version": "1.0",
            "obtained_at": f"{CONSENT_DAY.isoformat()}T08:00",
            "obtained_by": _user("investigator").pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return Subject.objects.get(pk=subject.pk)


def test_the_demo_sites_are_in_tokyo() -> None:
    assert set(Site.objects.values_list("time_zone", flat=True)) == {"Asia/Tokyo"}


def test_an_unknown_time_zone_is_refused_with_its_name() -> None:
    site = Site(code="XX", name="Nowhere", time_zone="Asia/Tokio")
    with pytest.raises(ValidationError, match="Asia/Tokio is not a known time zone"):
        site.full_clean()


def test_a_consent_typed_at_the_site_is_stored_in_utc_and_dated_at_the_site() -> None:
    subject = _consented_at_8_in_tokyo()
    assert subject.consents.get().obtained_at == dt.datetime(2025, 3, 9, 23, 0, tzinfo=UTC)
    exported = database_records().subject(subject.label)
    assert exported.consent_date == CONSENT_DAY
    # What I5 reads of the consent (the eligibility decision's input since 9b4e79d): the
    # consent part of the key the decision is kept under, which is what it is decided from.
    _decision, key = services.kept_eligibility(subject)
    assert key is not None
    consent = key[1]
    assert consent is not None
    assert dict(consent)["date"] == CONSENT_DAY.isoformat()
    page = login("coordinator").get(reverse("subject", args=[subject.pk])).content.decode()
    assert "2025-03-10 08:00 JST" in page


def test_enrolment_before_the_site_date_of_consent_is_refused() -> None:
    """In UTC the consent fell on 9 March and this enrolment date would have passed."""
    subject = _consented_at_8_in_tokyo()
    investigator = _user("investigator")
    with pytest.raises(services.RuleError, match="between the consent and today"):
        services.enrol(
            investigator, subject, DEMO_PASSWORD, FIRST_DOSE, CONSENT_DAY - dt.timedelta(days=1)
        )
    enrolled = services.enrol(investigator, subject, DEMO_PASSWORD, FIRST_DOSE, CONSENT_DAY)
    assert enrolled.enrolment_date == CONSENT_DAY


def _enrolled() -> Subject:
    subject = _consented_at_8_in_tokyo()
    return services.enrol(_user("investigator"), subject, DEMO_PASSWORD, FIRST_DOSE, CONSENT_DAY)


def test_a_visit_on_the_tokyo_date_is_not_in_the_future_at_08_00_jst(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subject = _enrolled()
    w0 = subject.visits.get(code="W0")
    monkeypatch.setattr(dates, "utc_now", lambda: dt.datetime(2025, 3, 19, 23, 0, tzinfo=UTC))
    with pytest.raises(services.RuleError, match="cannot be in the future"):
        services.set_visit_date(_user("coordinator"), w0, FIRST_DOSE + dt.timedelta(days=1), 0)
    visit = services.set_visit_date(_user("coordinator"), w0, FIRST_DOSE, 0)
    assert visit.date == FIRST_DOSE  # 20 March in Tokyo while it is still 19 March in UTC


@pytest.mark.parametrize(("utc_hour", "overdue"), [(14, False), (15, True)])
def test_a_window_closes_at_midnight_at_the_site(
    monkeypatch: pytest.MonkeyPatch, utc_hour: int, overdue: bool
) -> None:
    subject = _enrolled()
    w4: Visit = subject.visits.get(code="W4")
    assert w4.window_end is not None
    after = w4.window_end + dt.timedelta(days=1)
    at = dt.datetime.combine(w4.window_end, dt.time(utc_hour, 0), tzinfo=UTC)
    monkeypatch.setattr(dates, "utc_now", lambda: at)  # 23:00 or 00:00 the next day in Tokyo
    assert Site.objects.get(code="TKY").today() == (after if overdue else w4.window_end)
    codes = {v.code for v in services.overdue_visits(_user("coordinator"))}
    assert ("W4" in codes) is overdue
