"""The safety page in a real headless Chromium: the rules in force and the CTCAE lookup (htmx).

Reuses the study flow's browser fixture (Debian's Chromium through Playwright, never a
download; skipped with the reason without it).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.edc.test_browser import ARTIFACTS, _log_in, page  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_investigator_reads_the_rules_and_looks_up_a_ctcae_term(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    base = live_server.url
    expect = playwright_api.expect
    _log_in(page, base, "investigator")
    page.click("header nav >> text=Safety reporting")
    page.wait_for_url("**/safety/")
    expect(page.locator("#rule-CRB-7")).to_contain_text("7 days")
    expected_serious = page.locator("#rule-CRB-periodic-expected-serious")
    expect(expected_serious).to_contain_text("periodic report")
    expect(expected_serious).to_contain_text("para. 1 item iv")  # where the 30 days belong
    expect(expected_serious).not_to_contain_text("Not confirmed")

    # typing in the search box asks for the fragment (htmx): no page load, no script inline
    page.fill('input[name="q"]', "shingl")
    row = page.locator("#ctcae-results tr", has_text="Shingles")
    expect(row).to_contain_text("10040555")
    expect(row).to_contain_text("Localized, local intervention indicated")  # grade 1
    assert page.url.endswith("/safety/")  # the page itself was not reloaded
    page.screenshot(path=str(ARTIFACTS / "20-safety-ctcae-lookup.png"), full_page=True)


def test_the_japanese_page_keeps_english_ctcae_terms(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    staff = get_user_model().objects.get(username="datamanager").staff
    staff.language = "ja"
    staff.save()
    _log_in(page, live_server.url, "datamanager")
    page.goto(f"{live_server.url}/safety/?q=infusion")
    expect = playwright_api.expect
    expect(page.locator("h1")).to_have_text("安全性報告")
    expect(page.locator("#ctcae-results")).to_contain_text("Infusion related reaction")


def test_investigator_sees_an_overdue_report_and_records_its_submission(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from tests.edc.test_safety_reports_page import _generated

    report = _generated(days_ago=20)  # 15-day rule: overdue by 5 days
    expect = playwright_api.expect
    _log_in(page, live_server.url, "investigator")
    due = page.locator(f"#due-{report.pk}")
    expect(due.locator(".overdue-report")).to_have_text("overdue by 5 days")
    color = due.locator(".overdue-report").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(170, 0, 0)"  # red, from the stylesheet (no inline style)
    page.screenshot(path=str(ARTIFACTS / "21-safety-dashboard.png"), full_page=True)

    due.locator("a").click()
    page.wait_for_url("**/safety/reports/**")
    row = page.locator(f"#report-{report.pk}")
    row.locator('input[name$="submitted_to"]').fill("Tokyo certified review board")
    today = report.subject.site.today().isoformat()
    row.locator('input[name$="submitted_on"]').fill(today)
    row.locator("button").click()
    expect(page.locator(".message")).to_contain_text(f"Submission of {report.number} recorded.")
    expect(page.locator(f"#report-{report.pk}")).to_contain_text("Tokyo certified review board")
    page.goto(f"{live_server.url}/")
    expect(page.locator(f"#due-{report.pk}")).to_have_count(0)


def test_investigator_generates_the_report_of_a_recorded_event_from_its_page(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from tests.edc.test_safety_recorded import RULE, _made_serious

    event = _made_serious(aware_days_ago=16)  # 15-day rules: overdue by 1 day
    expect = playwright_api.expect
    _log_in(page, live_server.url, "investigator")
    clock = page.locator(f"#safety-clocks #clock-TKY-001-AE-001-{RULE}")
    expect(clock.locator(".overdue-report")).to_have_text("overdue by 1 day")
    page.screenshot(path=str(ARTIFACTS / "22-safety-clocks-dashboard.png"), full_page=True)

    clock.locator("a").click()
    page.wait_for_url(f"**/adverse-events/{event.pk}/")
    row = page.locator(f"#event-safety-clocks #clock-TKY-001-AE-001-{RULE}")
    expect(row).to_contain_text("overdue by 1 day")
    row.locator("button", has_text="Generate report").click()
    page.wait_for_url("**/safety/reports/**")
    number = f"TKY-001-AE-001/{RULE}/1"
    expect(page.locator(".message")).to_contain_text(f"Report {number} generated.")
    expect(page.locator("table.safety-reports")).to_contain_text(number)
    page.goto(f"{live_server.url}/")
    expect(page.locator(f"#safety-clocks #clock-TKY-001-AE-001-{RULE}")).to_have_count(0)
    expect(page.locator("#safety-due")).to_contain_text(number)  # awaiting submission


def test_a_ctcae_term_picked_beside_the_adverse_event_form_fills_its_code(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from lupustrial.edc.study.models import Subject

    subject = Subject.objects.get(screening_number="S-001")
    expect = playwright_api.expect
    _log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/subjects/{subject.pk}/adverse-events/new/")
    page.fill('#ctcae input[name="q"]', "anaphyl")
    row = page.locator("#ctcae-10002218")
    expect(row).to_contain_text("Anaphylaxis")
    row.locator("button.ctcae-use").click()
    expect(page.locator("#id_ctcae_code")).to_have_value("10002218")
    expect(page.locator("#id_term")).to_have_value("Anaphylaxis")
    # where there is no form to fill, the button is not offered
    page.goto(f"{live_server.url}/safety/?q=anaphyl")
    expect(page.locator("#ctcae-10002218 button.ctcae-use")).to_be_hidden()
