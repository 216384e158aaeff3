"""Every role against every page and API endpoint: allowed or refused, as specified.

The issue's roles: investigator (everything at their site, the only one who signs),
coordinator (enters data, cannot sign), data manager (queries and locks, all sites), monitor
(reads, verifies, raises queries, cannot edit), statistician (pseudonymised exports only),
administrator (users, roles and sites; no clinical data). "osaka" is an investigator at the
other site: the TKY subjects are refused to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from lupustrial.edc.study import adverse_events
from lupustrial.edc.study.models import AdverseEvent, FormData, Subject, Visit
from tests.edc.clients import login

ROLES = ("investigator", "coordinator", "osaka", "datamanager", "monitor", "statistician", "admin")


@dataclass(frozen=True)
class Case:
    name: str
    request: Callable[[Client], int]
    allowed: frozenset[str]


def _subject(number: str) -> Subject:
    return Subject.objects.get(screening_number=number)


def _w12() -> Visit:
    return Visit.objects.get(subject=_subject("S-001"), code="W12")


def _vitals() -> FormData:
    return FormData.objects.get(visit=_w12(), crf="vitals")


def _get(name: str, *args: object) -> Callable[[Client], int]:
    return lambda client: (
        client.get(reverse(name, args=[a() if callable(a) else a for a in args])).status_code
    )


def _pk(getter: Callable[[], Model]) -> Callable[[], int]:
    return lambda: getter().pk


def _save_vitals(client: Client) -> int:
    form = _vitals()
    return client.post(
        reverse("crf", args=[form.visit_id, "vitals"]),
        {
            "body_weight.value": "60",
            "body_weight.unit": "kg",
            "version": form.version,
            "reason": "permission test",
            "temperature.value": "36.7",
            "temperature.unit": "°C",
        },
    ).status_code


def _form_action(action: str) -> Callable[[Client], int]:
    return lambda client: (
        client.post(
            reverse("form_action", args=[_vitals().pk, action]),
            {"field": "x", "text": "?", "version": _vitals().version},
        ).status_code
    )


def _verify_adverse_event(client: Client) -> int:
    """The monitor's SDV of an adverse event (TKY-001's AE-001, recorded here the first time:
    the demo has none)."""
    subject = _subject("S-001")
    event = AdverseEvent.objects.filter(subject=subject, number=1).first()
    if event is None:
        assert subject.first_infusion_date is not None
        onset = (subject.first_infusion_date + dt.timedelta(days=12)).isoformat()
        data = {"term": "Herpes zoster", "onset": onset, "grade": 2, "serious": False,
                "related": "possible", "outcome": "not recovered"}  # fmt: skip
        coordinator = get_user_model().objects.get(username="coordinator")
        event = adverse_events.record_adverse_event(coordinator, subject, data)
    return client.post(
        reverse("adverse_event_verify", args=[event.pk]), {"version": event.version}
    ).status_code


def _api_get(path: Callable[[], str]) -> Callable[[Client], int]:
    return lambda client: client.get(path()).status_code


def _api_put(client: Client) -> int:
    form = _vitals()
    return client.put(
        f"/api/visits/{form.visit_id}/forms/vitals",
        data={"data": form.data, "version": form.version, "reason": "permission test"},
        content_type="application/json",
    ).status_code


SITE = frozenset({"investigator", "coordinator"})
READERS = frozenset({"investigator", "coordinator", "datamanager", "monitor"})

CASES = (
    Case("home", _get("home"), frozenset(ROLES)),
    Case("register candidate", _get("register"), SITE | {"osaka"}),
    Case("subject page", _get("subject", _pk(lambda: _subject("S-001"))), READERS),
    Case("screening page", _get("screening", _pk(lambda: _subject("S-003"))), READERS),
    Case("consent page", _get("consent", _pk(lambda: _subject("S-003"))), SITE),
    Case("enrol page", _get("enrol", _pk(lambda: _subject("S-003"))), frozenset({"investigator"})),
    Case("visit page", _get("visit", _pk(_w12)), READERS),
    Case(
        "eCRF page",
        lambda c: c.get(reverse("crf", args=[_w12().pk, "sledai2k"])).status_code,
        READERS,
    ),
    Case("audit trail page", _get("audit_trail", _pk(lambda: _subject("S-001"))), READERS),
    Case("audit export", _get("audit_export"), frozenset({"datamanager"})),
    Case("save an eCRF", _save_vitals, SITE),
    Case("verify a form", _form_action("verify"), frozenset({"monitor"})),
    Case("verify an adverse event", _verify_adverse_event, frozenset({"monitor"})),
    Case("raise a query", _form_action("query"), frozenset({"datamanager", "monitor"})),
    Case("API subjects", _api_get(lambda: "/api/subjects"), READERS | {"osaka"}),
    Case("API subject", _api_get(lambda: f"/api/subjects/{_subject('S-001').pk}"), READERS),
    Case("API visit", _api_get(lambda: f"/api/visits/{_w12().pk}"), READERS),
    Case("API form", _api_get(lambda: f"/api/visits/{_w12().pk}/forms/vitals"), READERS),
    Case("API save a form", _api_put, SITE),
    # Last: a locked form refuses the saves above.
    Case("lock a form", _form_action("lock"), frozenset({"datamanager"})),
)

OK = {200, 302}


@pytest.mark.usefixtures("demo")
def test_permission_matrix() -> None:
    """All cases on one demo study (loading it per case would cost a minute), all reported."""
    wrong = []
    for case in CASES:
        outcome = {role: case.request(login(role)) for role in ROLES}
        allowed = {role for role, status in outcome.items() if status in OK}
        refused = {status for status in outcome.values() if status not in OK}
        if allowed != set(case.allowed) or not refused <= {403}:
            wrong.append(f"{case.name}: expected {sorted(case.allowed)}, got {outcome}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.usefixtures("demo")
def test_anonymous_users_are_sent_to_log_in_and_the_api_refuses_them() -> None:
    anonymous = Client()
    response = anonymous.get(reverse("subject", args=[_subject("S-001").pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert anonymous.get("/api/subjects").status_code == 401


@pytest.mark.usefixtures("demo")
def test_identity_is_shown_to_site_roles_only() -> None:
    url = reverse("subject", args=[_subject("S-001").pk])
    assert "Hanako Yamamoto" in login("investigator").get(url).content.decode()
    assert "Hanako Yamamoto" not in login("monitor").get(url).content.decode()
    assert "Hanako Yamamoto" not in login("datamanager").get(url).content.decode()
    assert "Hanako Yamamoto" not in login("datamanager").get(reverse("home")).content.decode()


@pytest.mark.usefixtures("demo")
def test_a_user_sees_only_their_own_sites_subjects() -> None:
    numbers = [s["screening_number"] for s in login("osaka").get("/api/subjects").json()]
    assert numbers == ["S-101"]
