"""Each main page stays within its SQL query budget (issue 19): a regression fails the suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from lupustrial.edc.study.models import FormData, Subject, Visit
from lupustrial.edc.study.views import DASHBOARDS, SUBJECT_PAGES
from tests.edc.clients import login
from tests.edc.query_budgets import QUERY_BUDGETS

pytestmark = pytest.mark.usefixtures("demo")

Budget = Callable[..., Any]


def _w12() -> Visit:
    return Visit.objects.get(subject__screening_number="S-001", code="W12")


def _opened(role: str) -> Client:
    """A signed-in client that has already opened one page (its session exists and is warm)."""
    client = login(role)
    assert client.get(reverse("home")).status_code == 200
    return client


@pytest.mark.parametrize("role", ["investigator", "coordinator", "monitor", "datamanager"])
def test_the_dashboard_keeps_its_query_budget(
    role: str, django_assert_max_num_queries: Budget
) -> None:
    client = _opened(role)
    with django_assert_max_num_queries(QUERY_BUDGETS["home"]):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("role", ["investigator", "datamanager"])
def test_the_dashboard_after_a_change_keeps_its_query_budget(
    role: str, django_assert_max_num_queries: Budget
) -> None:
    client = _opened(role)
    DASHBOARDS.clear()  # as after a change: every list is derived again
    with django_assert_max_num_queries(QUERY_BUDGETS["home, after a change"]):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    ("role", "budget"),
    [
        ("investigator", "subject"),
        ("coordinator", "subject"),
        ("monitor", "subject"),
        ("datamanager", "subject, may lock"),
    ],
)
def test_the_subject_page_keeps_its_query_budget(
    role: str, budget: str, django_assert_max_num_queries: Budget
) -> None:
    client = _opened(role)
    url = reverse("subject", args=[Subject.objects.get(screening_number="S-001").pk])
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(QUERY_BUDGETS[budget]):
        assert client.get(url).status_code == 200
    SUBJECT_PAGES.clear()  # as after a change: the page is derived again
    with django_assert_max_num_queries(QUERY_BUDGETS[f"{budget}, after a change"]):
        assert client.get(url).status_code == 200


def test_the_visit_page_keeps_its_query_budget(django_assert_max_num_queries: Budget) -> None:
    client = _opened("investigator")
    with django_assert_max_num_queries(QUERY_BUDGETS["visit"]):
        assert client.get(reverse("visit", args=[_w12().pk])).status_code == 200


@pytest.mark.parametrize("code", ["vitals", "sledai2k"])
def test_a_form_page_keeps_its_query_budget(
    code: str, django_assert_max_num_queries: Budget
) -> None:
    client = _opened("coordinator")
    with django_assert_max_num_queries(QUERY_BUDGETS["form"]):
        assert client.get(reverse("crf", args=[_w12().pk, code])).status_code == 200


def test_a_form_save_keeps_its_query_budget(django_assert_max_num_queries: Budget) -> None:
    client = _opened("coordinator")
    form = FormData.objects.get(visit=_w12(), crf="vitals")
    budget = "form save, SQLite" if connection.vendor == "sqlite" else "form save"
    with django_assert_max_num_queries(QUERY_BUDGETS[budget]):
        response = client.post(
            reverse("crf", args=[form.visit_id, "vitals"]),
            {
                "temperature.value": "36.6",
                "temperature.unit": "°C",
                "body_weight.value": "58",
                "body_weight.unit": "kg",
                "version": form.version,
                "reason": "Weighed again",
            },
        )
        assert response.status_code == 302
    form.refresh_from_db()
    assert form.data["body_weight"]["value"] == 58


def test_a_form_save_through_the_api_keeps_the_same_budget(
    django_assert_max_num_queries: Budget,
) -> None:
    client = _opened("coordinator")
    form = FormData.objects.get(visit=_w12(), crf="vitals")
    data = {**form.data, "body_weight": {"value": 58, "unit": "kg"}}
    budget = "form save, SQLite" if connection.vendor == "sqlite" else "form save"
    with django_assert_max_num_queries(QUERY_BUDGETS[budget]):
        response = client.put(
            f"/api/visits/{form.visit_id}/forms/vitals",
            data={"data": data, "version": form.version, "reason": "Weighed again"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
    form.refresh_from_db()
    assert form.data["body_weight"]["value"] == 58


@pytest.mark.parametrize("role", ["coordinator", "monitor", "datamanager"])
def test_the_status_grid_and_calendar_keep_their_query_budgets(
    role: str, django_assert_max_num_queries: Budget
) -> None:
    client = _opened(role)
    with django_assert_max_num_queries(QUERY_BUDGETS["status grid"]):
        assert client.get(reverse("status_grid", args=["TKY"])).status_code == 200
    with django_assert_max_num_queries(QUERY_BUDGETS["calendar"]):
        assert client.get(reverse("visit_calendar")).status_code == 200
