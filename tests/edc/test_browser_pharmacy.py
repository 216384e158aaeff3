"""Drug accountability in a real headless Chromium (issue 17): the coordinator records a lot
received, dispenses a vial for a subject, and the counts follow.

Reuses the study flow's browser fixture (Debian's Chromium through Playwright, never a
download; skipped with the reason without it).
"""

from __future__ import annotations

from typing import Any

import pytest

from lupustrial.edc.pharmacy.models import DrugLot
from lupustrial.edc.study.models import Subject
from tests.edc.test_browser import ARTIFACTS, _log_in, _submit, page  # noqa: F401  (the fixture)

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_the_coordinator_receives_a_lot_and_dispenses_a_vial(
    page: Any,  # noqa: F811
    live_server: Any,
) -> None:
    expect = playwright_api.expect
    base = live_server.url
    subject = Subject.objects.get(screening_number="S-001")
    today = subject.site.today().isoformat()
    _log_in(page, base, "coordinator")
    page.click("header nav >> text=Drug accountability")
    page.wait_for_url("**/pharmacy/")
    form = page.locator("#site-TKY form.receive")
    form.locator('[name="lot_number"]').fill("AF-2031")
    form.locator('[name="expiry_date"]').fill("2031-03-31")
    form.locator('[name="vials"]').fill("3")
    form.locator('[name="on"]').fill(today)
    form.locator("button[type='submit']").click()
    expect(page.locator(".message")).to_contain_text("Lot AF-2031 received.")
    page.click("#site-TKY >> text=AF-2031")
    page.select_option('[name="kind"]', "dispensed")
    page.fill('[name="vials"]', "1")
    page.fill('[name="on"]', today)
    page.select_option('[name="subject"]', label=subject.label)
    _submit(page, "#movement-form button[type='submit']", "**/pharmacy/lots/*/")
    expect(page.locator("#on-hand")).to_have_text("2")
    page.screenshot(path=str(ARTIFACTS / "41-drug-accountability.png"), full_page=True)
    lot = DrugLot.objects.get(lot_number="AF-2031")
    assert [(m.kind, m.vials) for m in lot.movements.all()] == [("received", 3), ("dispensed", 1)]
