"""The dashboard and the subject pages kept until the audit trail moves (issue 19,
`study.by_trail`).

Each kind of change that shows on them is made through the services (as the pages make it),
then every watcher's dashboard and subject page as the server keeps them must be the ones a
fresh derivation gives, and the change must show on at least one of them (so a kept page
that missed the change fails). Scope (user, sites, language) and the site's day are checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lupustrial.edc.accounts import services as accounts
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.deviations import services as deviations
from lupustrial.edc.safety import services as safety
from lupustrial.edc.study import adverse_events, services
from lupustrial.edc.study.models import FormData, Query, Subject, Visit
from lupustrial.edc.study.not_done import set_form_not_done
from lupustrial.edc.study.views import DASHBOARDS, SUBJECT_PAGES, VISIT_ROWS
from lupustrial.protocol import dates
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.consent import ConsentFormVersion
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")

WATCHERS = ("coordinator", "osaka", "monitor", "datamanager")
"""Tokyo's coordinator, Osaka's investigator, the monitor (both sites), the data manager (all)."""

_PER_REQUEST = re.compile(r'(csrfmiddlewaretoken" value="|CSRFToken": "|nonce=")[^"]*"')


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _page(client: Client, url: str | None = None) -> str:
    response = client.get(url or reverse("home"))
    assert response.status_code == 200
    return _PER_REQUEST.sub(r'\1"', response.content.decode())


def _kept_and_fresh(client: Client, url: str | None = None) -> tuple[str, str]:
    """The page as the server keeps it, then as a fresh derivation gives it."""
    kept = _page(client, url)
    DASHBOARDS.clear()
    SUBJECT_PAGES.clear()
    VISIT_ROWS.clear()
    return kept, _page(client, url)


def _subject_url(name: str) -> str:
    """The subject page each watcher looks at: Osaka's for Osaka, else Tokyo's."""
    number = "S-101" if name == "osaka" else "S-001"
    return reverse("subject", args=[Subject.objects.get(screening_number=number).pk])


def _osaka_w4() -> Visit:
    return Visit.objects.get(subject__screening_number="S-101", code="W4")


def _tky() -> Subject:
    return Subject.objects.select_related("site").get(screening_number="S-001")


def _tky_form() -> FormData:
    return FormData.objects.filter(visit__subject=_tky(), crf="vitals").order_by("pk")[0]


def _serious_event(subject: Subject) -> dict[str, Any]:
    today = subject.site.today()
    return {
        "term": "pneumonia",
        "ctcae_code": 10021881,
        "specified_code": 10035664,
        "onset": (today - dt.timedelta(days=5)).isoformat(),
        "aware_date": (today - dt.timedelta(days=3)).isoformat(),
        "grade": 3,
        "serious": True,
        "seriousness_criteria": ["hospitalisation"],
        "related": "probable",
        "outcome": "recovering",
        "infection": True,
    }


def _register() -> None:
    services.register_candidate(
        _user("coordinator"), Site.objects.get(code="TKY"), "S-009", "Hana Mori", "MRN-0009"
    )


def _consent_form_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The review board approved version 2.0 of the consent form: active subjects must
    consent again, and the dashboards list them until they have."""
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


def _consent() -> None:
    obtained = timezone.now() - dt.timedelta(hours=1)
    services.record_consent(_user("coordinator"), _tky(), "2.0", obtained)


def _dismiss_suggestion() -> None:
    key = f"visit_window:{_osaka_w4().subject.label}:W4"
    deviations.dismiss_suggestion(_user("osaka"), key, "the visit was held; date not yet entered")


def _visit_date() -> None:
    visit = _osaka_w4()
    assert visit.window_start is not None
    services.set_visit_date(_user("osaka"), visit, visit.window_start, visit.version)


def _save_form() -> None:
    visit = _osaka_w4()
    data = {"temperature": {"value": 36.5, "unit": "°C"}}
    services.save_form(_user("osaka"), visit, "vitals", data, 0)


def _not_done() -> None:
    reason = "Blood not drawn: the patient declined."
    set_form_not_done(_user("osaka"), _osaka_w4(), "labs", reason, version=0)


def _raise_query() -> None:
    services.raise_query(_user("monitor"), _tky_form(), "temperature", "Please check the unit.")


def _answer_query() -> None:
    query = Query.objects.select_related("form__visit__subject").get(text__startswith="Please")
    services.answer_query(_user("coordinator"), query, "Checked: °C.")


def _verify() -> None:
    form = _tky_form()
    services.verify_form(_user("monitor"), form, form.version)


def _adverse_event() -> None:
    subject = _tky()
    adverse_events.record_adverse_event(_user("coordinator"), subject, _serious_event(subject))


def _safety_report() -> None:
    event = _tky().adverse_events.get()
    safety.generate_event_report(_user("investigator"), event, "CRB-15-unexpected-serious")


def _deviation() -> None:
    subject = _tky()
    deviations.record_deviation(
        _user("investigator"),
        subject,
        category="other",
        occurred_on=subject.site.today() - dt.timedelta(days=1),
        description="Infusion started 40 minutes late.",
        serious=False,
    )


def _close_query() -> None:
    query = Query.objects.select_related("form__visit__subject").get(text__startswith="Please")
    services.close_query(_user("monitor"), query)


def _rename_site() -> None:
    """Study level: the administrator renames Tokyo's site (the admin site's path)."""
    site = Site.objects.get(code="TKY")
    before = {"code": site.code, "name": site.name, "time_zone": site.time_zone}
    site.name = "Tokyo Metropolitan Hospital"
    site.save()
    accounts.record_site_change(_user("admin"), site, before, "The hospital was renamed.")


def _rename_user() -> None:
    """Study level: the administrator corrects the investigator's name, which the Tokyo
    subject's consent shows as who obtained it (the admin site's path)."""
    user = _user("investigator")
    before = accounts.account_state(user.pk)
    user.first_name, user.last_name = "Aiko", "Sato-Kimura"
    user.save()
    accounts.record_account_change(_user("admin"), user, before, "Name changed on marriage.")


def _withdraw_consent() -> None:
    subject = _tky()
    services.withdraw_consent(
        _user("coordinator"), subject, subject.site.today(), "no_further_data"
    )


def _lock_casebook() -> None:
    services.set_casebook_lock(_user("datamanager"), _tky(), True)


CHANGES: tuple[tuple[str, Callable[[], None]], ...] = (
    ("a new candidate", _register),
    ("a consent again, on the new version", _consent),
    ("a suggested deviation dismissed (Osaka)", _dismiss_suggestion),
    ("a visit date (Osaka)", _visit_date),
    ("a form saved (Osaka)", _save_form),
    ("a form declared not done (Osaka)", _not_done),
    ("a query raised", _raise_query),
    ("a query answered", _answer_query),
    ("a form verified", _verify),
    ("a serious adverse event", _adverse_event),
    ("a safety report generated", _safety_report),
    ("a deviation recorded", _deviation),
    ("a query closed", _close_query),
    ("a site renamed (study level)", _rename_site),
    ("a user's name corrected (study level)", _rename_user),
    ("consent withdrawn (safety follow-up allowed)", _withdraw_consent),
    ("the casebook locked", _lock_casebook),
)


def test_every_kind_of_change_shows_on_every_kept_dashboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _consent_form_2(monkeypatch)
    clients = {name: login(name) for name in WATCHERS}
    pages = [(name, url) for name in WATCHERS for url in (reverse("home"), _subject_url(name))]

    def read() -> dict[tuple[str, str], str]:
        return {(name, url): _page(clients[name], url) for name, url in pages}

    before = read()  # kept from here on
    for change, make in CHANGES:
        derived = DASHBOARDS.derivations
        make()
        after = {}
        for name, url in pages:
            kept, fresh = _kept_and_fresh(clients[name], url)
            assert kept == fresh, f"{name}'s {url} after {change} is not the fresh one"
            after[(name, url)] = fresh
        assert any(after[page] != before[page] for page in pages), f"{change} shows nowhere"
        assert DASHBOARDS.derivations > derived
        before = read()


def test_a_dashboard_is_derived_once_until_the_trail_moves() -> None:
    # Signing in is in the trail too, so both sessions are opened first.
    client, again, osaka = login("coordinator"), login("coordinator"), login("osaka")
    first = _page(client)
    derived = DASHBOARDS.derivations
    assert _page(client) == first
    assert _page(again) == first  # another session of the same user
    assert DASHBOARDS.derivations == derived
    _page(osaka)  # another user: their own lists
    assert DASHBOARDS.derivations == derived + 1


def test_each_user_sees_their_own_sites_in_their_own_language() -> None:
    coordinator, osaka = login("coordinator"), login("osaka")
    tokyo_page, osaka_page = _page(coordinator), _page(osaka)
    assert "S-101" in osaka_page
    assert "S-101" not in tokyo_page
    # The coordinator's sites change (scope, not only the trail, names the lists).
    profile = _user("coordinator").staff
    profile.sites.add(Site.objects.get(code="OSK"))
    kept, fresh = _kept_and_fresh(coordinator)
    assert kept == fresh
    assert "S-101" in kept
    # Their language changes: the lists are kept per language.
    profile.language = "ja"
    profile.save(update_fields=["language"])
    kept, fresh = _kept_and_fresh(coordinator)
    assert kept == fresh
    assert 'lang="ja"' in kept


def test_the_kept_lists_follow_the_site_s_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Osaka's week-8 visit is listed as due from seven days before its window opens."""
    visit = Visit.objects.get(subject__screening_number="S-101", code="W8")
    assert visit.window_start is not None
    client = login("osaka")
    for days_before, listed in ((8, False), (7, True)):
        day = visit.window_start - dt.timedelta(days=days_before)
        noon_in_osaka = dt.datetime(day.year, day.month, day.day, 3, 0, tzinfo=dt.UTC)
        monkeypatch.setattr(dates, "utc_now", lambda moment=noon_in_osaka: moment)
        kept, fresh = _kept_and_fresh(client)
        assert kept == fresh
        assert (f"{visit.subject.label} W8</a>" in kept) is listed
