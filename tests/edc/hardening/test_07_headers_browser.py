"""Finding 7 in a real browser: Chromium reports no Content-Security-Policy violation on the
application's pages, its live parts (htmx), Swagger UI and the study report."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from lupustrial.edc.study.models import Subject
from tests.edc.hardening.test_07_headers import _pages
from tests.edc.test_browser import CHROMIUM, _log_in, page  # noqa: F401  (page: a fixture)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_a_real_browser_reports_no_policy_violation(page: Any, live_server: Any) -> None:  # noqa: F811
    """Chromium under the policy: every page, the live SLEDAI-2K (htmx), the language switch,
    Swagger UI and the study report load without one refused script, style or image."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    base = live_server.url
    _log_in(page, base, "investigator")
    for path in _pages():
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    visit = Subject.objects.get(screening_number="S-001").visits.get(code="W12")
    page.goto(f"{base}/visits/{visit.pk}/forms/sledai2k/")
    with page.expect_response(lambda r: r.url.endswith("/forms/sledai2k/preview/")):
        page.check('[name="arthritis"][value="true"]')
    page.goto(f"{base}/api/docs")
    page.wait_for_selector(".swagger-ui .info")
    page.goto(f"{base}{reverse('study_report')}")
    assert page.locator("img[alt=swimmer]").evaluate("img => img.naturalWidth") > 0
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.select_option('select[name="language"]', "ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert not violations, violations
