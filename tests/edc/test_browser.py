"""The study flow in a real headless Chromium, as a user clicks through it.

Debian's Chromium (``apt-get install chromium``) is driven by Playwright's Python API; no
browser is ever downloaded. Without Chromium the test is skipped with the reason.

The scenario runs against Django's live server on the test database (SQLite by default,
PostgreSQL with DATABASE_URL): log in as the coordinator, register a candidate, fill the
screening form and see the eligibility decision, record consent; log in as the investigator,
enrol with the password signature, enter the week-12 visit and see LLDAS computed; change a
SLEDAI-2K descriptor and see the live score follow (htmx).

Screenshots of every main page go to test-artifacts/screenshots/ (git-ignored). With
LUPUSTRIAL_UPDATE_SCREENSHOTS=1 the README's curated set in docs/screenshots/ is refreshed
from them too (docs/web.md).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from lupustrial.edc.demo import DEMO_PASSWORD, _complete_visit, _screening, _visit_forms, load_demo
from lupustrial.edc.study.models import Subject
from tests.edc.test_flows import _crf_post, _enrolled, _first_dose, _screening_post

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
CURATED = {
    "01-login.png": "login.png",
    "02-home.png": "home.png",
    "05-screening-decision.png": "screening.png",
    "07-subject-enrolled.png": "subject.png",
    "09-visit-w12-lldas.png": "visit-lldas.png",
    "10-sledai2k-live.png": "sledai2k.png",
}


def _chromium() -> str | None:
    """Debian's Chromium binary (the real one, not the shell wrapper, when both exist)."""
    for candidate in ("/usr/lib/chromium/chromium", shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = _chromium()

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (apt-get install -y chromium); "
        "the browser test never downloads a browser",
    ),
]


INVESTIGATOR_NAME = "Dr Aiko Sato"  # the demo investigator at TKY


@pytest.fixture
def page(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """A fresh Chromium page; the demo study is loaded for a realistic dashboard."""
    # Playwright's sync API runs an event loop in this thread (via greenlets); the ORM calls
    # the test makes between browser steps are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    load_demo()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
        # Every browser test's one timeout for an action or a wait (not per test). 30 s, not
        # 10: a click can wait on a legitimately slow response on a loaded machine — the
        # casebook PDF's download took 6-10 s of wall time at load 6-7 (1.2-1.7 s of CPU), and a
        # click on its link timed out at 10 s under load 12. A page that hangs still fails.
        context.set_default_timeout(30_000)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield tab
        finally:
            # While Playwright's loop runs, asgiref keeps Django's connections per context
            # rather than per thread, so the test's ORM calls opened a second connection:
            # close it, or PostgreSQL cannot drop the test database afterwards.
            connections.close_all()
            context.close()
            browser.close()
        assert not errors, f"JavaScript errors in the pages: {errors}"


def _shot(page: Any, name: str, *, full_page: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


_FILL = """
([formSelector, values]) => {
  const form = document.querySelector(formSelector);
  const problems = [];
  for (const [name, value] of Object.entries(values)) {
    let field = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (field === null) {
      // A list with more rows than the blank ones on the page: add the row's input.
      field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      form.appendChild(field);
    }
    if (field.type === "radio") {
      // Yes / no / not assessed are radio buttons: check the one with this value.
      const choice = `[name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`;
      const radio = form.querySelector(choice);
      if (radio === null) problems.push(`${name}: no choice ${value}`);
      else radio.checked = true;
    } else if (field.type === "checkbox") {
      field.checked = value !== "" && value.toLowerCase() !== "false";
    } else {
      field.value = value;
      if (field.value !== value) problems.push(`${name}: ${value} not accepted`);
    }
  }
  return problems;
}
"""


def _fill(page: Any, form: str, values: dict[str, Any]) -> None:
    """Fill a generated form's inputs by name, as the browser would post them."""
    wanted = {k: str(v) for k, v in values.items() if k not in ("version", "reason")}
    problems = page.evaluate(_FILL, [form, wanted])
    assert not problems, problems


def _submit(page: Any, button: str, then: str) -> None:
    """Submit a form and expect to land on ``then``; else fail with the page's errors."""
    page.click(button)
    try:
        page.wait_for_url(then)
    except playwright_api.TimeoutError as timeout:
        errors = page.locator(".errorlist, .errors, .message.error").all_inner_texts()
        raise AssertionError(f"the form was refused on {page.url}: {errors}") from timeout


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', DEMO_PASSWORD)
    _submit(page, 'main button[type="submit"]', f"{base}/")


def _log_out(page: Any) -> None:
    page.click("header .who form[action$='/logout/'] button")
    page.wait_for_url("**/login/")


def test_a_candidate_is_screened_enrolled_and_seen_at_week_12(page: Any, live_server: Any) -> None:
    base = live_server.url
    expect = playwright_api.expect

    # -- the coordinator logs in and registers a candidate -------------------------------
    page.goto(f"{base}/")
    page.wait_for_url("**/login/?next=/")
    htmx_loaded = page.evaluate("() => typeof window.htmx !== 'undefined'")
    assert htmx_loaded, "htmx did not load from the static files"
    _shot(page, "01-login.png")
    _log_in(page, base, "coordinator")
    expect(page.locator("#enrolled")).to_have_text("1")  # Tokyo only
    _shot(page, "02-home.png", full_page=True)

    page.click("text=New candidate")
    page.wait_for_url("**/subjects/new/")
    page.select_option('[name="site"]', label="TKY Tokyo University Hospital")
    page.fill('[name="screening_number"]', "S-004")
    page.fill('[name="name"]', "Natsuki Mori")
    page.fill('[name="medical_record_number"]', "MRN-S-004")
    _shot(page, "03-register.png")
    _submit(page, 'main button[type="submit"]', "**/screening/")
    subject_url = page.url.removesuffix("screening/")
    expect(page.locator("#decision")).to_have_text("No screening data yet.")

    # -- the screening form: a few fields by hand, the long generated rest by name ---------
    data = _screening("screening-eligible.json", _first_dose())
    posted = _screening_post(data, 0)
    page.select_option('[name="sex"]', posted.pop("sex"))
    page.fill('[name="date_of_birth"]', posted.pop("date_of_birth"))
    page.fill('[name="body_weight.value"]', posted.pop("body_weight.value"))
    _fill(page, "#screening-form", posted)
    _shot(page, "04-screening-filled.png")
    page.click("#screening-form button[type='submit']")
    expect(page.locator(".message.success")).to_have_text("Screening data saved.")
    # Consent is recorded in the application, so until then the decision is incomplete.
    expect(page.locator("#decision .outcome")).to_have_text("incomplete")
    expect(page.locator("#decision")).to_contain_text("missing: Consent")

    # -- consent -----------------------------------------------------------------------------
    page.goto(subject_url)
    page.click("text=Record consent")
    consent_at = dt.datetime.combine(_first_dose() - dt.timedelta(days=11), dt.time(9, 0))
    page.select_option('[name="form_version"]', "1.0")
    page.fill('[name="obtained_at"]', consent_at.strftime("%Y-%m-%dT%H:%M"))
    # The investigator obtained it; the coordinator enters it (issue 17).
    page.select_option('[name="obtained_by"]', label=INVESTIGATOR_NAME)
    _submit(page, 'main button[type="submit"]', subject_url)
    expect(page.locator(".message.success")).to_have_text("Consent recorded.")
    page.click("text=Screening data")
    expect(page.locator("#decision .outcome")).to_have_text("eligible")
    _shot(page, "05-screening-decision.png")
    _log_out(page)

    # -- the investigator enrols with the password signature --------------------------------
    _log_in(page, base, "investigator")
    page.goto(subject_url)
    page.click("text=Enrol (sign)")
    page.fill('[name="first_infusion_date"]', _first_dose().isoformat())
    if page.locator('[name="enrolment_date"]').count():  # defaults to today
        page.fill('[name="enrolment_date"]', _enrolled().isoformat())
    page.fill('[name="password"]', DEMO_PASSWORD)
    _shot(page, "06-enrol-signature.png")
    _submit(page, 'main button[type="submit"]', subject_url)
    expect(page.locator(".message.success")).to_have_text("Subject enrolled and signature applied.")
    expect(page.locator("#subject-id")).to_have_text("TKY-002")
    expect(page.locator(".signature")).to_contain_text("Dr Aiko Sato")
    _shot(page, "07-subject-enrolled.png", full_page=True)

    # Weeks 0 to 8 were entered earlier (through the same services as the pages).
    subject = Subject.objects.get(screening_number="S-004")
    coordinator = get_user_model().objects.get(username="coordinator")
    for code, (mg, active) in {"W0": (30, True), "W4": (20, True), "W8": (10, False)}.items():
        visit = subject.visits.get(code=code)
        _complete_visit(coordinator, visit, _visit_forms(int(code[1:]), mg, active))
    w12 = subject.visits.get(code="W12")
    assert w12.planned_date is not None

    # -- the week-12 visit: its date, then its forms ----------------------------------------
    page.goto(f"{base}/visits/{w12.pk}/")
    page.fill('[name="date"]', w12.planned_date.isoformat())
    page.click("text=Save visit date")
    expect(page.locator("ul.crfs")).to_be_visible()
    forms = _visit_forms(12, 5, False)
    forms["infusion"]["date"] = w12.planned_date.isoformat()
    for code, values in forms.items():
        page.goto(f"{base}/visits/{w12.pk}/forms/{code}/")
        _fill(page, "#crf-form", _crf_post(code, values, 0))
        if code == "vitals":
            _shot(page, "08-crf-vitals.png")
        _submit(
            page, "#crf-form button[type='submit']:not([name='next'])", f"{base}/visits/{w12.pk}/"
        )
        expect(page.locator(".message.success")).to_have_text("Form saved.")
    derived = page.locator("#derived")
    expect(derived).to_contain_text("LLDAS: met")
    expect(derived).to_contain_text("SLEDAI-2K 0")
    _shot(page, "09-visit-w12-lldas.png", full_page=True)

    # -- the SLEDAI-2K live score follows a descriptor (htmx), before anything is saved -------
    page.goto(f"{base}/visits/{w12.pk}/forms/sledai2k/")
    score = page.locator("#sledai-score .big")
    expect(score).to_have_text("0")
    with page.expect_response(lambda r: r.url.endswith("/forms/sledai2k/preview/")) as preview:
        page.check('[name="arthritis"][value="true"]')
    assert preview.value.status == 200
    expect(score).to_have_text("4")
    expect(page.locator("#sledai-score")).to_contain_text("Arthritis: met")
    page.check('[name="rash"][value="true"]')
    expect(score).to_have_text("6")
    _shot(page, "10-sledai2k-live.png")
    assert subject.visits.get(code="W12").forms.get(crf="sledai2k").data["arthritis"] is False

    if os.environ.get("LUPUSTRIAL_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        for source, target in CURATED.items():
            shutil.copyfile(ARTIFACTS / source, DOCS / target)
