"""The compact forms in a real browser (issue 18), in English and in Japanese.

The SLEDAI-2K is one table answered with the keyboard (arrow keys on the radio buttons),
"mark all unanswered absent" answers the rest, the live score follows, and "Save and next"
walks the visit's forms. The screening form comes in sections beside the decision. The page
heights at 1366×900 are bounded. An accessibility check (axe-core, bundled by the
`axe-playwright-python` package, a development dependency) finds no serious or
critical violation on the main pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc.study import services
from lupustrial.edc.study.models import Subject, Visit
from tests.edc.test_browser import ARTIFACTS, _log_in, page  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SCREEN = {"width": 1366, "height": 900}


def _open_w4(user: str = "osaka") -> Visit:
    """The demo's Osaka subject: week 4 never entered. Dated through the services."""
    visit = Visit.objects.get(subject__screening_number="S-101", code="W4")
    assert visit.planned_date is not None
    who = get_user_model().objects.get(username=user)
    services.set_visit_date(who, visit, visit.planned_date, visit.version)
    return visit


def _japanese(username: str) -> None:
    staff = get_user_model().objects.get(username=username).staff
    staff.language = "ja"
    staff.save(update_fields=["language"])


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_sledai2k_by_keyboard_then_save_and_next(
    page: Any,  # noqa: F811
    live_server: Any,
    language: str,
) -> None:
    expect = playwright_api.expect
    page.set_viewport_size(SCREEN)
    visit = _open_w4()
    if language == "ja":
        _japanese("osaka")
    base = live_server.url
    _log_in(page, base, "osaka")
    page.goto(f"{base}/visits/{visit.pk}/forms/sledai2k/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 2.2 * SCREEN["height"], f"the SLEDAI-2K page is {height} px tall"
    expect(page.locator("tr[data-descriptor]")).to_have_count(24)

    # Keyboard: focus the seizure row's radios, the arrow key moves the answer.
    page.focus('[name="seizure"][value="true"]')
    page.keyboard.press("ArrowRight")  # present -> absent
    assert page.locator('[name="seizure"][value="false"]').is_checked()
    # Arthritis present by keyboard: the live score follows.
    page.focus('[name="arthritis"][value="true"]')
    with page.expect_response(lambda r: r.url.endswith("/preview/")):
        page.keyboard.press("Space")
    expect(page.locator("#sledai-score .big")).to_have_text("4")
    page.focus("[data-mark-absent]")
    page.keyboard.press("Enter")
    unanswered = page.locator('tr[data-descriptor] input[value=""]:checked')
    expect(unanswered).to_have_count(0)
    assert page.locator('[name="arthritis"][value="true"]').is_checked()
    page.screenshot(path=str(ARTIFACTS / f"forms-sledai2k-{language}.png"), full_page=True)

    page.focus("#crf-form button[name='next']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/visits/{visit.pk}/forms/disease_activity/")
    message = "フォームを保存しました。次：" if language == "ja" else "Form saved. Next:"
    expect(page.locator(".message.success")).to_contain_text(message)
    saved = visit.forms.get(crf="sledai2k").data
    assert saved["arthritis"] is True
    assert saved["seizure"] is False
    page.goto(f"{base}/visits/{visit.pk}/")
    complete = "完了" if language == "ja" else "complete"
    expect(page.locator("ul.crfs li", has_text="SLEDAI-2K")).to_contain_text(complete)


def test_the_screening_form_in_sections_with_the_decision_in_view(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    expect = playwright_api.expect
    page.set_viewport_size(SCREEN)
    subject = Subject.objects.get(screening_number="S-003")
    _log_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/subjects/{subject.pk}/screening/")
    sections = page.locator("[data-section]")
    expect(sections).to_have_count(5)
    expect(page.locator("[data-section]:visible")).to_have_count(1)
    page.click("[data-section-tab='labs']")
    expect(page.locator("#group-labs")).to_be_visible()
    expect(page.locator("#group-demographics")).to_be_hidden()
    page.mouse.wheel(0, 1500)
    expect(page.locator("#decision")).to_be_in_viewport()
    for key in ("demographics", "classification", "history", "labs", "exclusions"):
        page.click(f"[data-section-tab='{key}']")
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= 3.6 * SCREEN["height"], f"section {key} is {height} px tall"


def test_no_serious_or_critical_accessibility_violation_on_the_main_pages(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from axe_playwright_python.sync_playwright import Axe  # a development dependency

    axe = Axe()
    base = live_server.url
    visit = _open_w4()
    subject = Subject.objects.get(screening_number="S-101")
    w12 = Visit.objects.get(subject__screening_number="S-001", code="W12")
    pages = {
        "osaka": [
            "/",
            f"/subjects/{subject.pk}/",
            f"/subjects/{subject.pk}/screening/",
            f"/visits/{visit.pk}/",
            *(
                f"/visits/{visit.pk}/forms/{code}/"
                for code in ("labs", "sledai2k", "glucocorticoids")
            ),
        ],
        "datamanager": [f"/visits/{w12.pk}/forms/vitals/"],
    }
    problems = []
    for user, paths in pages.items():
        _log_in(page, base, user)
        for path in paths:
            page.goto(base + path)
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [node["target"] for node in violation["nodes"][:3]]
                    problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
        page.context.clear_cookies()
    assert not problems, "\n".join(problems)
