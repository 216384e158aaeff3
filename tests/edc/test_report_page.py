"""The study report page: built from the database, audited, for exporters and investigators."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from lupustrial.edc.audit.models import Action, AuditEntry
from tests.edc.clients import login

pytestmark = pytest.mark.django_db

ALLOWED = ("statistician", "datamanager", "investigator", "osaka")
REFUSED = ("coordinator", "monitor", "admin")


def _exports() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.EXPORT, form="report"))


@pytest.mark.parametrize("username", ALLOWED)
def test_report_from_the_database(demo: Any, username: str) -> None:
    response = login(username).get(reverse("study_report"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert page.startswith("<!doctype html>")
    assert "Primary endpoint" in page
    assert "source database" in page
    assert "context, not a comparison" in page
    assert page.count("<svg") == 3
    assert not re.search(r"<(script|link|img)\b", page)
    assert "Content-Disposition" not in response
    [entry] = _exports()
    assert entry.actor
    assert entry.role


def test_report_download(demo: Any) -> None:
    response = login("statistician").get(reverse("study_report"), {"download": "1"})
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="study-report-\d{8}T\d{4}\.html"', response["Content-Disposition"]
    )
    assert len(_exports()) == 1


@pytest.mark.parametrize("username", REFUSED)
def test_report_refused(demo: Any, username: str) -> None:
    response = login(username).get(reverse("study_report"))
    assert response.status_code == 403
    assert _exports() == []


def test_report_needs_login(demo: Any) -> None:
    from django.test import Client

    response = Client().get(reverse("study_report"))
    assert response.status_code == 302
    assert _exports() == []


@pytest.mark.parametrize(("username", "shown"), [("statistician", True), ("coordinator", False)])
def test_nav_link(demo: Any, username: str, shown: bool) -> None:
    page = login(username).get(reverse("home")).content.decode()
    assert (reverse("study_report") in page) is shown


def test_an_investigator_reports_on_their_own_sites_only(demo: Any) -> None:
    tokyo = login("investigator").get(reverse("study_report")).content.decode()
    osaka = login("osaka").get(reverse("study_report")).content.decode()
    everyone = login("statistician").get(reverse("study_report")).content.decode()
    assert "TKY-001" in tokyo
    assert "OSK-001" not in tokyo
    assert "OSK-001" in osaka
    assert "TKY-001" not in osaka
    assert "TKY-001" in everyone
    assert "OSK-001" in everyone
