"""Benchmark: a coordinator's effort at the forms (issue 18), measured in a real browser.

Not a test. Serves a fresh demo study (`lupustrial web demo`, on SQLite in a temporary data
directory) and drives Debian's Chromium (Playwright) at 1366×900:

- the page heights of the screening form and of the SLEDAI-2K form (S-001, week 12), in
  pixels and in screens of 900 px;
- the keystrokes and clicks to enter a complete week-4 visit (S-101 at Osaka, whose W4 was
  never entered) by keyboard alone: the visit date, then every form with the demo's week-4
  values (`lupustrial.edc.demo._visit_forms`), moving with Tab, choosing with the arrow keys,
  typing values, and saving with Enter; from one form to the next with "Save and next"
  where the page offers it, else back through the visit page's link to the next form.

    .venv/bin/python benchmarks/bench_forms.py [--src SRC] [--port 8765]

``--src`` runs another checkout's ``src`` (e.g. a worktree of an older commit) to measure
"before"; the browser script is the same. Every key press and every mouse click counts; the
script uses no mouse click, and fails if a field cannot be reached by keyboard.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # playwright is imported where the browser starts
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parents[1]
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
PASSWORD = "lupus-demo-2026"  # the demo's (lupustrial.edc.demo.DEMO_PASSWORD)
MAX_TABS = 600


def chromium() -> str:
    for candidate in ("/usr/lib/chromium/chromium", shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("Debian's chromium is needed: apt-get install -y chromium (make system-deps)")


@contextlib.contextmanager
def demo_server(src: Path, port: int, data_dir: Path) -> Iterator[str]:
    """`lupustrial web demo` from ``src``, until the block ends."""
    env = {**os.environ, "PYTHONPATH": str(src), "LUPUSTRIAL_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-c", "from lupustrial.cli import main; main()"]
    server = subprocess.Popen(
        [*command, "web", "demo", "--address", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if server.poll() is not None:
                sys.exit("the demo server stopped; run `lupustrial web demo` to see why")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def django_setup(src: Path, data_dir: Path) -> None:
    """This process reads the demo database too (which visit and subject to open)."""
    sys.path.insert(0, str(src))
    os.environ["LUPUSTRIAL_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lupustrial.edc.settings")
    import django

    django.setup()


class Keyboard:
    """Presses keys in the page and counts them; the only way this benchmark fills a form."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.keys = 0
        self.clicks = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.keys += 1

    def type(self, text: str) -> None:
        for character in text:
            self.page.keyboard.type(character)
            self.keys += 1

    def active(self) -> dict[str, Any]:
        return dict(
            self.page.evaluate(
                """() => { const e = document.activeElement;
                  return {name: e?.name || "", type: e?.type || e?.tagName || "",
                          value: e?.value ?? "", tag: e?.tagName || "",
                          text: (e?.innerText || "").trim(), mark: e?.dataset?.markAbsent ?? null,
                          next: e?.getAttribute?.("name") === "next",
                          inForm: !!e?.closest?.("#crf-form")}; }"""
            )
        )

    def tab_to(self, wanted: Any) -> dict[str, Any]:
        """Tab until ``wanted(active element)`` holds; fail when it never does."""
        for _ in range(MAX_TABS):
            here = self.active()
            if wanted(here):
                return here
            self.press("Tab")
        raise AssertionError(f"not reachable by Tab on {self.page.url}")


def _dom_values(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            """() => { const out = {};
              for (const e of document.querySelectorAll("#crf-form [name]")) {
                if (e.type === "radio") { if (e.checked) out[e.name] = e.value; }
                else if (e.type === "checkbox") { out[e.name] = e.checked ? "on" : ""; }
                else out[e.name] = e.value; }
              return out; }"""
        )
    )


def _dom_order(page: Any) -> list[str]:
    return list(
        page.evaluate(
            """() => [...new Set([...document.querySelectorAll("#crf-form [name]")]
                 .map(e => e.name))]"""
        )
    )


def _set(keyboard: Keyboard, name: str, value: str) -> None:
    here = keyboard.tab_to(lambda e: e["name"] == name)
    kind = here["type"]
    if kind == "radio":
        for _ in range(4):
            checked = keyboard.page.evaluate(
                "(n) => document.querySelector(`[name='${n}']:checked`)?.value ?? null", name
            )
            if checked == value:
                return
            keyboard.press("ArrowRight")
        raise AssertionError(f"{name}: no radio {value}")
    if kind.startswith("select"):
        options = keyboard.page.evaluate(
            "(n) => [...document.querySelector(`[name='${n}']`).options].map(o => o.value)", name
        )
        step = options.index(value) - options.index(here["value"])
        keyboard.press("ArrowDown" if step > 0 else "ArrowUp", abs(step))
        return
    if kind == "checkbox":
        keyboard.press("Space")
        return
    if here["value"]:
        keyboard.press("Control+A")
    if kind == "date":
        year, month, day = value.split("-")
        keyboard.type(month + day + year)  # en-US order in Chromium's date field
        return
    keyboard.type(value)


def fill_form(keyboard: Keyboard, targets: dict[str, str]) -> None:
    """Fill one generated form by keyboard: each differing field in page order."""
    page = keyboard.page
    page.focus("#crf-form")  # the form's start, as a click-free landing would be
    current = _dom_values(page)
    order = _dom_order(page)
    wanted = {
        k: v for k, v in targets.items() if current.get(k, "") != v and k in order
    }  # pre-filled (units, derived descriptors) need no key
    mark_absent = page.locator("[data-mark-absent]").count() > 0
    if mark_absent:
        # One action answers every descriptor still unanswered "absent" (issue 18).
        present = {k: v for k, v in wanted.items() if v != "false"}
        for name in sorted(present, key=order.index):
            _set(keyboard, name, present[name])
        keyboard.tab_to(lambda e: e["mark"] is not None)
        keyboard.press("Enter")
        wanted = {}
    for name in sorted(wanted, key=order.index):
        _set(keyboard, name, wanted[name])


def _is_save(e: dict[str, Any]) -> bool:
    return bool(e["inForm"] and e["tag"] == "BUTTON" and e["type"] == "submit" and not e["next"])


def _link_to(title: str) -> Any:
    return lambda e: e["tag"] == "A" and e["text"] == title


def enter_visit(page: Any, base: str, visit_pk: int, forms: dict[str, dict[str, str]]) -> Keyboard:
    keyboard = Keyboard(page)
    page.goto(f"{base}/visits/{visit_pk}/")
    date = forms.pop("_date")["date"]
    page.focus("main")
    _set(keyboard, "date", date)
    keyboard.press("Enter")
    page.wait_for_selector("ul.crfs")
    codes = list(forms)
    # From the visit page, the first form by its link.
    keyboard.tab_to(_link_to(titles[codes[0]]))
    keyboard.press("Enter")
    for index, code in enumerate(codes):
        page.wait_for_url(f"**/forms/{code}/")
        fill_form(keyboard, forms[code])
        following = codes[index + 1] if index + 1 < len(codes) else None
        has_next = page.locator("#crf-form button[name='next']").count() > 0
        if following and has_next:
            keyboard.tab_to(lambda e: e["next"])
            keyboard.press("Enter")
            page.wait_for_url(f"**/forms/{following}/")
            continue
        keyboard.tab_to(
            lambda e: (
                e["inForm"] and e["tag"] == "BUTTON" and e["type"] == "submit" and not e["next"]
            )
        )
        keyboard.press("Enter")
        page.wait_for_url(f"**/visits/{visit_pk}/")  # a refused form stays on its page
        if following:
            page.focus("main")
            keyboard.tab_to(_link_to(titles[following]))
            keyboard.press("Enter")
    return keyboard


titles: dict[str, str] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the src to serve")
    parser.add_argument("--port", type=int, default=8765, help="loopback port for the server")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    data_dir = Path(tempfile.mkdtemp(prefix="bench-forms-"))
    try:
        with demo_server(args.src.resolve(), args.port, data_dir) as base:
            django_setup(args.src.resolve(), data_dir)
            from lupustrial.edc.demo import _visit_forms
            from lupustrial.edc.study.crfs import CRF_BY_CODE
            from lupustrial.edc.study.models import Subject, Visit
            from lupustrial.edc.study.schema_forms import FormPlan, row_counts

            s001 = Subject.objects.get(screening_number="S-001")
            w12 = Visit.objects.get(subject=s001, code="W12")
            w4 = Visit.objects.get(subject__screening_number="S-101", code="W4")
            assert w4.planned_date is not None
            data = _visit_forms(4, 20, True)
            data["infusion"]["date"] = w4.planned_date.isoformat()
            data["medications"] = {"medications": []}
            targets: dict[str, dict[str, str]] = {"_date": {"date": w4.planned_date.isoformat()}}
            for code in CRF_BY_CODE:
                if code not in data:
                    continue
                crf = CRF_BY_CODE[code]
                plan = FormPlan(crf.model, exclude=crf.exclude, rows=row_counts(crf.model, None))
                initial = plan.initial(data[code])
                targets[code] = {
                    k: ("on" if v is True else str(v)) for k, v in initial.items() if v is not False
                }
                titles[code] = str(crf.title)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
                context = browser.new_context(viewport=VIEWPORT, locale="en-US")
                context.set_default_timeout(20_000)
                page = context.new_page()
                heights: dict[str, Any] = {}
                for user, pages in (
                    ("coordinator", {"screening": f"/subjects/{s001.pk}/screening/"}),
                    ("coordinator", {"sledai2k": f"/visits/{w12.pk}/forms/sledai2k/"}),
                ):
                    login(page, base, user)
                    for name, path in pages.items():
                        page.goto(base + path)
                        heights[name] = page.evaluate("document.documentElement.scrollHeight")
                        if name == "screening" and page.locator("[data-section]").count():
                            heights["screening_sections"] = section_heights(page)
                            page.evaluate(
                                """() => document.querySelectorAll("[data-section]")
                                   .forEach(s => { s.hidden = false; })"""
                            )
                            heights["screening_all_sections_shown"] = page.evaluate(
                                "document.documentElement.scrollHeight"
                            )
                    logout(page, base)
                login(page, base, "osaka")
                started = time.monotonic()
                keyboard = enter_visit(page, base, w4.pk, targets)
                seconds = time.monotonic() - started
                browser.close()
        result = {
            "src": str(args.src),
            "page_height_px": heights,
            "screens_at_900px": {
                k: round(v / VIEWPORT["height"], 1)
                for k, v in heights.items()
                if isinstance(v, int)
            },
            "w4_visit": {"keystrokes": keyboard.keys, "clicks": keyboard.clicks},
            "w4_seconds_automated": round(seconds, 1),
        }
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def section_heights(page: Any) -> list[int]:
    """The page's height with each screening section shown in turn (its tab)."""
    heights = []
    for tab in page.locator("[data-section-tab]").all():
        tab.evaluate("t => t.click()")  # measuring, not entering: not counted
        heights.append(page.evaluate("document.documentElement.scrollHeight"))
    return heights


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.press('[name="password"]', "Enter")
    page.wait_for_url(f"{base}/")


def logout(page: Any, base: str) -> None:
    page.context.clear_cookies()


if __name__ == "__main__":
    main()
