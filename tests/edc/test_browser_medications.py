"""Concomitant medications in a real headless Chromium (issue 17): a coordinator enters an
antihypertensive and a vaccine, with dose and unit, route, frequency and indication.

Reuses the study flow's browser fixture (Debian's Chromium through Playwright, never a
download; skipped with the reason without it).
"""

from __future__ import annotations

from typing import Any

import pytest

from lupustrial.edc.study.models import FormData, Subject
from tests.edc.test_browser import ARTIFACTS, _log_in, _submit, page  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_the_coordinator_records_every_concomitant_medication(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    expect = playwright_api.expect
    base = live_server.url
    visit = Subject.objects.get(screening_number="S-001").visits.get(code="W8")
    assert visit.date is not None
    _log_in(page, base, "coordinator")
    page.goto(f"{base}/visits/{visit.pk}/forms/medications/")
    expect(page.locator("h1, h2").first).to_contain_text("Concomitant medications and vaccines")
    page.fill('[name="medications.0.drug"]', "amlodipine")
    page.fill('[name="medications.0.dose"]', "5")
    page.select_option('[name="medications.0.dose_unit"]', "mg")
    page.select_option('[name="medications.0.route"]', "oral")
    page.fill('[name="medications.0.frequency"]', "once daily")
    page.fill('[name="medications.0.indication"]', "hypertension")
    page.click("[data-add-row]")  # the second row is shown on demand
    page.fill('[name="medications.1.drug"]', "inactivated influenza")
    page.fill('[name="medications.1.dose"]', "0.5")
    page.select_option('[name="medications.1.dose_unit"]', "mL")
    page.select_option('[name="medications.1.route"]', "intramuscular")
    page.fill('[name="medications.1.start_date"]', visit.date.isoformat())
    page.check('[name="medications.1.vaccine"][value="true"]')
    page.screenshot(path=str(ARTIFACTS / "40-concomitant-medications.png"), full_page=True)
    _submit(
        page, "#crf-form button[type='submit']:not([name='next'])", f"{base}/visits/{visit.pk}/"
    )
    expect(page.locator(".message.success")).to_have_text("Form saved.")
    saved = FormData.objects.get(visit=visit, crf="medications").data["medications"]
    assert saved[0] == {
        "drug": "amlodipine", "dose": 5.0, "dose_unit": "mg", "route": "oral",
        "frequency": "once daily", "indication": "hypertension",
    }  # fmt: skip
    assert saved[1]["vaccine"] is True
    assert saved[1]["start_date"] == visit.date.isoformat()


def test_asked_and_none_taken_is_entered_from_the_page(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    """The 'asked' box tells 'none taken' from 'not yet asked'; it once rendered as nothing."""
    base = live_server.url
    visit = Subject.objects.get(screening_number="S-001").visits.get(code="W12")
    _log_in(page, base, "coordinator")
    page.goto(f"{base}/visits/{visit.pk}/forms/medications/")
    page.check('[name="medications.recorded"]')
    _submit(
        page, "#crf-form button[type='submit']:not([name='next'])", f"{base}/visits/{visit.pk}/"
    )
    assert FormData.objects.get(visit=visit, crf="medications").data["medications"] == []
