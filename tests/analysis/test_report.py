"""The HTML report: self-contained, and the same for the same snapshot."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from lupustrial.analysis.report import render_report
from lupustrial.cli import main
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


def test_no_external_asset(snapshot: Snapshot) -> None:
    html = render_report(snapshot, created_at=CUT)
    assert not re.search(r"<(script|link|img)\b", html)
    assert "src=" not in html


def test_report_command(
    snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        main(["report", str(snapshot.path), "--out", str(tmp_path / "r")])
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    assert code == 0
    assert (tmp_path / "r" / "report.html").is_file()
    capsys.readouterr()
