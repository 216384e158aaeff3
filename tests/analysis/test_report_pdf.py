"""The report in a real headless Chromium, and its PDF from the one PDF engine (WeasyPrint).

The HTML page loads in Chromium without a JavaScript error, a console error or a failed
request, and asks for nothing from the network. `lupustrial report` prints it to an A4 PDF/A
with page numbers whose every page, rendered to an image by poppler's ``pdftoppm``, is not
blank. Japanese text is printed in an embedded CJK font and reads back as the same text.
Without WeasyPrint the command still writes the HTML and warns on stderr.

Debian's Chromium is driven by Playwright; no browser is ever downloaded. Without Chromium
(or Playwright, or poppler-utils for the page images) the tests that need it are skipped with
the reason; `scripts/system-deps` installs them, and in CI a missing one is an error.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.commands import exit_status

from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.snapshot import Snapshot, read_snapshot, write_snapshot
from lupustrial.pdf import PdfUnavailableError, css_string, write_pdf

CUT = dt.datetime(2025, 3, 31, tzinfo=dt.UTC)
LOCAL_URLS = ("file:", "data:", "about:")


def _chromium() -> str | None:
    """Debian's Chromium binary (the real one, not the shell wrapper, when both exist)."""
    for candidate in ("/usr/lib/chromium/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = _chromium()

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (scripts/system-deps test); "
    "these tests never download a browser",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) is not installed (scripts/system-deps test)",
)


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path = tmp_path_factory.mktemp("report-pdf") / "snap"
    write_snapshot(demo_records(), path, CUT)
    return read_snapshot(path)


@pytest.fixture(scope="module")
def written(snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory `lupustrial report` wrote, with the PDF."""
    out = tmp_path_factory.mktemp("report-out")
    assert exit_status(["report", str(snapshot.path), "--out", str(out)]) == 0
    assert (out / "report.pdf").is_file()
    return out


@pytest.fixture(scope="module")
def browser(written: Path) -> Iterator[Any]:
    """A Chromium for the tests, started after the report is printed (one Playwright at once)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@needs_chromium
def test_html_renders_without_errors_or_network(browser: Any, written: Path) -> None:
    page = browser.new_page()
    problems: list[str] = []
    remote: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda request: problems.append(f"failed: {request.url} {request.failure}"),
    )

    def guard(route: Any) -> None:
        if route.request.url.startswith(LOCAL_URLS):
            route.continue_()
        else:
            remote.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    response = page.goto((written / "report.html").as_uri(), wait_until="load")
    assert response is not None
    assert response.ok
    assert page.title().startswith("Study report")
    sizes = page.evaluate(
        "[...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().width)"
    )
    assert len(sizes) == 3
    assert all(width > 100 for width in sizes)
    assert page.locator("#published").is_visible()
    page.close()
    assert remote == [], f"the report asked the network for {remote}"
    assert problems == []


@needs_poppler
def test_pdf_pages_are_a4_numbered_and_not_blank(written: Path, tmp_path: Path) -> None:
    pdf = written / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    assert pages >= 2
    assert "(A4)" in info.stdout
    assert "Producer:        WeasyPrint" in info.stdout
    text = _pdftotext(pdf)
    for number in range(1, pages + 1):
        assert f"page {number} of {pages}" in text
    words = " ".join(text.split())  # headings may wrap
    assert "Primary endpoint" in words
    assert "context, not a comparison" in words
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    for image_path in images:
        with Image.open(image_path) as image:
            grey = image.convert("L")
            dark = sum(count for value, count in enumerate(grey.histogram()) if value < 200)
            assert dark / (grey.width * grey.height) > 0.005, f"{image_path.name} is blank"


def test_without_weasyprint_html_and_a_warning(
    snapshot: Snapshot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as if not installed
    assert exit_status(["report", str(snapshot.path), "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "report.html").is_file()
    assert not (tmp_path / "r" / "report.pdf").exists()
    captured = capsys.readouterr()
    assert "warning: report.pdf not written: the Python package weasyprint" in captured.err
    assert "--no-pdf" in captured.err
    assert "report written to" in captured.out


@needs_poppler
def test_japanese_text_is_printed_in_an_embedded_cjk_font(tmp_path: Path) -> None:
    page = tmp_path / "ja.html"
    text = "適格性の判定：全選択基準を満たす"
    page.write_text(
        f'<!doctype html><html lang="ja"><meta charset="utf-8"><p>{text}</p></html>',
        encoding="utf-8",
    )
    pdf = write_pdf(page, tmp_path / "ja.pdf", footer_label='症例 "S01" \\ 2026')
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert "CJK" in fonts.stdout, "no CJK font: install fonts-noto-cjk (scripts/system-deps)"
    printed = _pdftotext(pdf)
    assert text in printed
    assert '症例 "S01" \\ 2026' in printed
    assert "page 1 of 1" in printed


def test_the_pdf_reads_nothing_from_the_network(tmp_path: Path) -> None:
    page = tmp_path / "remote.html"
    page.write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        '</head><body><img src="https://127.0.0.1:9/x.png"><p>text</p></body></html>',
        encoding="utf-8",
    )
    from weasyprint.urls import URLFetcher

    refused: list[str] = []
    original = URLFetcher.fetch

    def spy(self: Any, url: str, headers: Any = None) -> Any:
        try:
            return original(self, url, headers)
        except ValueError:
            refused.append(url)
            raise

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(URLFetcher, "fetch", spy)
        write_pdf(page, tmp_path / "remote.pdf")
    assert (tmp_path / "remote.pdf").read_bytes().startswith(b"%PDF-")
    assert sorted(refused) == ["http://127.0.0.1:9/x.css", "https://127.0.0.1:9/x.png"]


def test_css_string_escapes_quotes_backslashes_and_newlines() -> None:
    assert css_string('a "b" \\ c\nd') == 'a \\"b\\" \\\\ c\\A d'


def test_an_unwritable_target_is_a_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(PdfUnavailableError, match="could not be written"):
        write_pdf(page, tmp_path / "no-such-dir" / "p.pdf")
