"""The report as PDF: the same HTML file printed by headless Chromium (Playwright).

A4, page numbers in the footer ("page N of M", with the study and data cut). Chromium is the
system's (Debian's ``chromium`` package; ``LUPUSTRIAL_CHROMIUM`` names another binary); no
browser is ever downloaded. Every request other than the report file itself is refused, so
nothing is fetched from the network while printing. Without Playwright or Chromium,
`PdfUnavailableError` says which is missing and how to install it.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

CHROMIUM_ENV = "LUPUSTRIAL_CHROMIUM"
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
"""Debian's real binary first: /usr/bin/chromium is a shell wrapper that may not start."""

LOCAL_SCHEMES = ("file:", "data:", "about:")

FOOTER = (
    '<div style="font-size:8px;width:100%;margin:0 12mm;color:#555;'
    'display:flex;justify-content:space-between;font-family:sans-serif">'
    "<span>{label}</span>"
    '<span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span>'
    "</div>"
)


class PdfUnavailableError(RuntimeError):
    """The PDF cannot be produced here (no Playwright, no Chromium, or Chromium failed)."""


def find_chromium() -> str | None:
    """The Chromium binary to use: ``$LUPUSTRIAL_CHROMIUM``, else Debian's, else on PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    candidates = (chosen,) if chosen else CHROMIUM_CANDIDATES
    for candidate in candidates:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _chromium_or_fail() -> str:
    path = find_chromium()
    if path is None:
        where = os.environ.get(CHROMIUM_ENV) or ", ".join(CHROMIUM_CANDIDATES)
        raise PdfUnavailableError(
            f"Chromium not found ({where}); install it with `apt-get install chromium` "
            f"or set {CHROMIUM_ENV} to its binary"
        )
    return path


def write_pdf(html_path: str | Path, pdf_path: str | Path, *, footer_label: str = "") -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, page numbers in the footer); return its path."""
    executable = _chromium_or_fail()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfUnavailableError(
            "the Python package playwright is not installed (pip install playwright; "
            "no browser download is needed, the system's Chromium is used)"
        ) from None
    source = Path(html_path).resolve()
    target = Path(pdf_path)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith(LOCAL_SCHEMES)
                        else route.abort()
                    ),
                )
                page.goto(source.as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER.format(label=html.escape(footer_label)),
                    margin={"top": "15mm", "bottom": "18mm", "left": "12mm", "right": "12mm"},
                )
            finally:
                browser.close()
    except PlaywrightError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise PdfUnavailableError(f"Chromium could not print the report: {first_line}") from None
    return target
