"""The HTML report: self-contained, and the same for the same snapshot."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from tests.commands import exit_status

from lupustrial.analysis.published import PUBLISHED_RATES, SEE_SOURCE
from lupustrial.analysis.report import render_report, write_report
from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.snapshot import Snapshot, read_snapshot, write_snapshot

CUT = dt.datetime(2025, 3, 31, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path = tmp_path_factory.mktemp("report") / "snap"
    write_snapshot(demo_records(), path, CUT)
    return read_snapshot(path)


def test_same_snapshot_same_report(snapshot: Snapshot) -> None:
    first = render_report(snapshot, created_at=CUT)
    assert render_report(snapshot, created_at=CUT) == first
    assert "18.7%–81.3%" in first
    assert first.count("<svg") == 3
    assert "S09" in first
    assert "withdrawn" in first


def test_same_records_same_report_apart_from_creation_time(
    snapshot: Snapshot, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    write_snapshot(demo_records(), again, CUT)
    first = write_report(snapshot, tmp_path / "a").read_text(encoding="utf-8")
    second = write_report(
        read_snapshot(again), tmp_path / "b", created_at=CUT + dt.timedelta(days=3)
    ).read_text(encoding="utf-8")
    assert first != second

    def stamp(text: str) -> str:
        return re.sub(r"Report created [^<]*\.", "Report created X.", text)

    assert stamp(first) == stamp(second)


def test_published_rates_shown_as_context(snapshot: Snapshot) -> None:
    html = render_report(snapshot, created_at=CUT)
    primary = html.index("Primary endpoint")
    context = html.index("context, not a comparison")
    assert primary < context < html.index("Secondary endpoints")
    assert "108/360 (30.0%)" in html
    assert "doi:10.1136/ard-2022-222748" in html
    for rate in PUBLISHED_RATES:
        assert rate.time_point
        assert rate.population
        assert rate.citation
        assert rate.time_point in html
        if rate.anifrolumab != SEE_SOURCE:
            assert re.fullmatch(r"\d+/\d+ \(\d+\.\d%\)", rate.anifrolumab)
    assert "p-value" not in html.lower()


def test_no_external_asset(snapshot: Snapshot) -> None:
    html = render_report(snapshot, created_at=CUT)
    assert not re.search(r"<(script|link|img)\b", html)
    assert "src=" not in html


def test_report_command(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = exit_status(["report", str(snapshot.path), "--out", str(tmp_path / "r"), "--no-pdf"])
    assert code == 0
    assert (tmp_path / "r" / "report.html").is_file()
    assert not (tmp_path / "r" / "report.pdf").exists()
    assert capsys.readouterr().err == ""


def test_the_page_and_its_style_are_files_shipped_with_the_package() -> None:
    """The template is a file beside the report, not a Python string (issue 13)."""
    import inspect
    import tomllib

    from lupustrial.analysis import report_template

    assert (report_template.TEMPLATES / "report.html").read_text().startswith("<!doctype html>")
    assert (report_template.TEMPLATES / "report.css").read_text() == report_template.STYLE
    assert "<html" not in inspect.getsource(report_template)
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    shipped = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]
    assert {"analysis/templates/*.html", "analysis/templates/*.css"} <= set(shipped["lupustrial"])
