"""The report in a real headless Chromium, and its PDF.

The HTML page loads without a JavaScript error, a console error or a failed request, and asks
for nothing from the network. `lupustrial report` prints it to an A4 PDF with page numbers
whose every page, rendered to an image by poppler's ``pdftoppm``, is not blank. Without
Chromium the command still writes the HTML and warns on stderr.

Debian's Chromium is driven by Playwright; no browser is ever downloaded. Without Chromium (or
Playwright, or poppler-utils for the page images) the tests that need it are skipped with the
reason.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.commands import exit_status

from lupustrial.analysis.report_pdf import CHROMIUM_ENV, LOCAL_SCHEMES, find_chromium
from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.snapshot import Snapshot, read_snapshot, write_snapshot

CUT = dt.datetime(2025, 3, 31, tzinfo=dt.UTC)
CHROMIUM = find_chromium()

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install -y chromium); "
    "these tests never download a browser",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) is not installed",
)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path = tmp_path_factory.mktemp("report-pdf") / "snap"
    write_snapshot(demo_records(), path, CUT)
    return read_snapshot(path)


@pytest.fixture(scope="module")
def written(snapshot: Snapshot, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory `lupustrial report` wrote, with the PDF (Chromium required)."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
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
        if route.request.url.startswith(LOCAL_SCHEMES):
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


@needs_chromium
@needs_poppler
def test_pdf_pages_are_a4_numbered_and_not_blank(written: Path, tmp_path: Path) -> None:
    pdf = written / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(next(line for line in info.stdout.splitlines() if line.startswith("Pages:"))[6:])
    assert pages >= 2
    assert "(A4)" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for number in range(1, pages + 1):
        assert f"page {number} of {pages}" in text
    assert "Primary endpoint" in text
    assert "context, not a comparison" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "p")], check=True)
    images = sorted(tmp_path.glob("p-*.png"))
    assert len(images) == pages
    for image_path in images:
        with Image.open(image_path) as image:
            grey = image.convert("L")
            dark = sum(count for value, count in enumerate(grey.histogram()) if value < 200)
            assert dark / (grey.width * grey.height) > 0.005, f"{image_path.name} is blank"


def test_without_chromium_html_and_a_warning(
    snapshot: Snapshot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    assert exit_status(["report", str(snapshot.path), "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "report.html").is_file()
    assert not (tmp_path / "r" / "report.pdf").exists()
    captured = capsys.readouterr()
    assert "warning: report.pdf not written: Chromium not found" in captured.err
    assert "--no-pdf" in captured.err
    assert "report written to" in captured.out
