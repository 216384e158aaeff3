"""`lupustrial dataset export` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.commands import run


def test_export_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap"
    code, stdout, _ = run(
        capsys, "dataset", "export", "--demo", "--out", str(out), "--data-cut", "2025-03-31"
    )
    assert code == 0
    assert "subjects 12" in stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"] == "demo"
    assert manifest["data_cut"] == "2025-03-31T00:00:00+00:00"
    code, stdout, _ = run(capsys, "endpoints", str(out), "--format", "text")
    assert code == 0
    assert "5/10 = 50.0% (95% CI 18.7%–81.3%" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--demo or --source"),
        (["--source", "nowhere"], "unknown source 'nowhere' (known: demo"),
        (["--demo", "--data-cut", "soon"], "--data-cut 'soon' is not an ISO date"),
        (["--demo", "--data-cut", "2024-06-01"], "after the data cut"),
    ],
)
def test_export_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, "dataset", "export", "--out", str(tmp_path / "s"), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_export_refuses_a_used_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x").write_text("x")
    code, _, err = run(capsys, "dataset", "export", "--demo", "--out", str(tmp_path))
    assert code == 2
    assert "not an empty directory" in err


def test_study_records_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "study-records")
    assert code == 0
    assert "subjects" in json.loads(out)["properties"]
