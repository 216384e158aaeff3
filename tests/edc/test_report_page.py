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
    # Served under the CSP: no inline style or script, the style linked, figures as images.
    assert page.count('<img alt="') == 3
    assert page.count("data:image/svg+xml;base64,") == 3
    assert not re.search(r"<(style|svg)\b|\sstyle=|<script(?![^>]*\bsrc=)", page)
    assert f'<link rel="stylesheet" href="{reverse("report_css")}">' in page
    # Issue 18: inside the application's page, with its navigation and the PDF offered.
    assert '<header class="bar">' in page
    assert f'href="{reverse("home")}"' in page
    assert f'href="{reverse("study_report")}?format=pdf"' in page
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
    page = response.content.decode()  # the self-contained file, as `lupustrial report` writes
    assert page.count("<svg") == 3
    assert "<style>" in page
    assert not re.search(r"<(script|link|img)\b", page)
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


def test_the_fresh_demo_is_an_interim_answer_with_osaka_ongoing(demo: Any) -> None:
    """TKY-001 reached week 12 (responder); OSK-001's week 12 is not yet due: 1 of 1 evaluable."""
    page = login("statistician").get(reverse("study_report")).content.decode()
    assert "<h1>Interim study report / 中間試験報告書 — early-anifrolumab-sle</h1>" in page
    assert 'id="interim"' in page
    assert "Evaluable: 1 of 2; ongoing: OSK-001." in page
    assert re.search(r"<td>main</td><td class=\"num\">1/1</td>", page)
    assert re.search(r"<td>OSK-001</td>\s*<td>ongoing</td>", page)
    assert "Sites " not in page  # the whole study: no scope notice


def test_a_site_report_says_so_and_explains_its_scope(demo: Any) -> None:
    page = login("osaka").get(reverse("study_report")).content.decode()
    assert "<h1>Interim site report / 中間施設報告書 — early-anifrolumab-sle — OSK</h1>" in page
    assert "<b>Sites OSK only.</b>" in page
    assert "試験の結論ではありません" in page
    assert "No evaluable patient yet: no estimate." in page
    assert "Screen failures: 0 ()" not in page


@pytest.mark.skipif(
    __import__("shutil").which("pdftotext") is None,
    reason="poppler's pdftotext is not installed (make system-deps installs poppler-utils)",
)
def test_the_report_page_offers_its_pdf(demo: Any, tmp_path: Any) -> None:
    """Issue 18: the PDF from the page, printed by WeasyPrint, audited as report.pdf."""
    import subprocess

    response = login("statistician").get(reverse("study_report"), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="study-report-\d{8}T\d{4}\.pdf"', response["Content-Disposition"]
    )
    (tmp_path / "report.pdf").write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Interim study report" in text
    assert "1 responder of 1 evaluable patient" in text
    [entry] = AuditEntry.objects.filter(action=Action.EXPORT, form="report.pdf")
    assert entry.actor == "statistician"


def test_the_report_counts_in_words_in_english_and_japanese(demo: Any) -> None:
    """Issue 18: "1 responder", not "1 responders"; Japanese counters beside."""
    page = login("statistician").get(reverse("study_report")).content.decode()
    assert "1 responder of 1 evaluable patient." in page
    assert "評価可能な1名のうち奏効1名" in page
    assert "Any: 0 events;" in page
    assert "有害事象: 0件" in page
    assert "1 evaluable of 2 patients" in page
