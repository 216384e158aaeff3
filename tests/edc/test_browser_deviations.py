"""The deviation log in a real headless Chromium (issue 17): the suggested deviation on the
dashboard, confirmed, completed and closed by the investigator.

Reuses the study flow's browser fixture (Debian's Chromium through Playwright, never a
download; skipped with the reason without it).
"""

from __future__ import annotations

from typing import Any

import pytest

from lupustrial.edc.deviations.models import Deviation
from tests.edc.test_browser import ARTIFACTS, _log_in, page  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_the_osaka_investigator_confirms_the_overdue_visit_and_closes_the_deviation(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    expect = playwright_api.expect
    _log_in(page, live_server.url, "osaka")
    # the demo's Osaka subject missed W4: suggested on the dashboard
    expect(page.locator("#deviation-alerts")).to_contain_text("W4 not done")
    page.click("header nav >> text=Protocol deviations")
    page.wait_for_url("**/deviations/")
    row = page.locator("#suggestions tr", has_text="W4 not done")
    row.locator('select[name="serious"]').select_option("no")
    row.locator("text=Confirm as a deviation").click()
    page.wait_for_url("**/deviations/*/")
    expect(page.locator(".message")).to_contain_text("Deviation DEV-OSK-001 recorded.")
    expect(page.locator("#deviation-status")).to_have_text("open")

    page.fill('[name="corrective_action"]', "W4 assessments done at an unscheduled visit")
    page.fill('[name="preventive_action"]', "reminder call a week before each visit")
    page.fill('[name="reason"]', "CAPA agreed with the monitor")
    page.click('main form.narrow button[type="submit"]')
    expect(page.locator(".message")).to_contain_text("Deviation DEV-OSK-001 changed.")
    page.click("text=Close the deviation")
    expect(page.locator("#deviation-status")).to_contain_text("closed — osaka")
    page.screenshot(path=str(ARTIFACTS / "30-deviation-closed.png"), full_page=True)
    deviation = Deviation.objects.get()
    assert deviation.closed
    assert deviation.corrective_action.startswith("W4 assessments")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#deviation-alerts")).to_have_count(0)
