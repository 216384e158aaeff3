"""A coordinator's day in a real headless Chromium (issue 18): the worklists on the home page,
the per-site status grid, the visit calendar and the casebook link, in English and Japanese,
with no script error and no Content-Security-Policy refusal (no inline style or script)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.edc.test_browser import ARTIFACTS, _log_in, page  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _watch_csp(page: Any) -> list[str]:  # noqa: F811
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_the_osaka_investigator_walks_worklists_grid_and_calendar(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    base, expect = live_server.url, playwright_api.expect
    refused = _watch_csp(page)
    _log_in(page, base, "osaka")
    expect(page.locator("#visits-overdue")).to_contain_text("W4")
    expect(page.locator("#visits-due")).to_contain_text("opens in 7 days")
    page.screenshot(path=str(ARTIFACTS / "30-worklists.png"), full_page=True)

    page.click("text=Form status at OSK")
    page.wait_for_url("**/sites/OSK/status/")
    legend = page.locator("#status-legend")
    for word in ("incomplete: not entered", "complete", "verified", "locked", "query open"):
        expect(legend).to_contain_text(word)
    complete = page.locator("#status-grid td.state-entered").first
    expect(complete).to_contain_text("✓")
    # colour from the stylesheet, not inline, and not the only signal
    colour = complete.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(223, 240, 216)"
    page.screenshot(path=str(ARTIFACTS / "31-status-grid.png"), full_page=True)

    page.goto(f"{base}/")
    page.click("text=Visit calendar")
    page.wait_for_url("**/calendar/")
    expect(page.locator("#visit-calendar")).to_be_visible()
    # OSK-001 started six weeks ago: week 8 is planned this month, week 12 the next
    expect(page.locator("#visit-calendar .mark-planned")).to_contain_text("OSK-001 W8")
    page.screenshot(path=str(ARTIFACTS / "32-visit-calendar.png"), full_page=True)
    page.click("a[rel=next]")
    expect(page.locator("#visit-calendar .mark-planned")).to_contain_text("OSK-001 W12")
    assert refused == [], refused


def test_the_japanese_coordinator_sees_the_worklists_and_the_casebook_link(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    staff = get_user_model().objects.get(username="coordinator").staff
    staff.language = "ja"
    staff.save()
    base, expect = live_server.url, playwright_api.expect
    refused = _watch_csp(page)
    _log_in(page, base, "coordinator")
    expect(page.locator("body")).to_contain_text("来院カレンダー")
    page.locator("table a", has_text="S-001").click()
    expect(page.locator("#casebook-pdf")).to_have_text("症例ファイル(PDF)")
    with page.expect_download() as download:
        page.click("#casebook-pdf")
    assert download.value.suggested_filename.startswith("casebook-TKY-001-")
    page.goto(f"{base}/sites/TKY/status/")
    expect(page.locator("h1")).to_contain_text("のフォーム状況")
    page.screenshot(path=str(ARTIFACTS / "33-status-grid-ja.png"), full_page=True)
    assert refused == [], refused
