"""Monitoring in a real headless Chromium (issue 17): the monitor sees SDV progress and query
ageing, logs an on-site visit, and records a finding that becomes a deviation.

Reuses the study flow's browser fixture (Debian's Chromium through Playwright, never a
download; skipped with the reason without it).
"""

from __future__ import annotations

from typing import Any

import pytest

from lupustrial.edc.deviations.models import Deviation
from lupustrial.edc.monitoring.models import MonitoringVisit
from lupustrial.edc.study.models import Subject
from tests.edc.test_browser import ARTIFACTS, _log_in, _submit, page  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_the_monitor_logs_a_visit_and_a_finding_becomes_a_deviation(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    expect = playwright_api.expect
    base = live_server.url
    subject = Subject.objects.get(screening_number="S-001")
    today = subject.site.today().isoformat()
    _log_in(page, base, "monitor")
    page.click("header nav >> text=Monitoring")
    page.wait_for_url("**/monitoring/")
    section = page.locator("#monitoring-TKY")
    expect(section.locator(".sdv-site")).to_contain_text("/")
    expect(section.locator(".ageing")).to_contain_text("0-7")
    form = section.locator("form.log-visit")
    form.locator('[name="visited_on"]').fill(today)
    form.locator('[name="kind"]').select_option("on_site")
    form.locator('[name="subjects"]').select_option(str(subject.pk))
    form.locator('[name="summary"]').fill("Source documents of W0 to W8 checked.")
    form.locator("button[type='submit']").click()
    expect(page.locator(".message")).to_contain_text("Monitoring visit logged.")
    page.click(f"#monitoring-TKY .visits >> text={today}")
    page.fill('[name="text"]', "Pregnancy test missing before the W4 infusion.")
    page.select_option('[name="action"]', "deviation")
    page.select_option('[name="subject"]', label=subject.label)
    page.select_option('[name="category"]', "procedure_not_done")
    page.fill('[name="occurred_on"]', today)
    page.select_option('[name="serious"]', "no")
    _submit(page, "#finding-form button[type='submit']", "**/monitoring/visits/*/")
    expect(page.locator("#findings")).to_contain_text("DEV-TKY-001")
    page.screenshot(path=str(ARTIFACTS / "42-monitoring-visit.png"), full_page=True)
    visit = MonitoringVisit.objects.get()
    assert [f.deviation for f in visit.findings.all()] == [Deviation.objects.get()]
