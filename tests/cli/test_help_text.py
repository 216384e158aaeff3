"""The help a new user reads: paragraphs that reflow, the root naming what the tool does."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.commands import run

from lupustrial.cli import command

ROOT = Path(__file__).resolve().parents[2]


def _walk(group: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, group
    for name, sub in getattr(group, "commands", {}).items():
        yield from _walk(sub, [*path, name])


def test_no_help_paragraph_keeps_the_source_code_line_breaks() -> None:
    # Typer prints a docstring's single line breaks as they are, so a paragraph wrapped at 95
    # columns in the source comes out ragged in an 80-column terminal and in the command list.
    broken = [
        " ".join(path) or "root"
        for path, cmd in _walk(command(), [])
        if any("\n" in paragraph for paragraph in (cmd.help or "").split("\n\n"))
    ]
    assert broken == []


def test_a_long_description_reads_as_one_paragraph(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "eligibility", "--help")
    assert code == 0
    assert "met, not met or unknown, with its evidence" in out


def test_the_root_help_names_the_whole_study_not_only_scoring(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for word in ("pre-screen", "web application", "report", "archive"):
        assert word in out
    # The commands are listed in the order a study meets them, not the order of the imports.
    listed = [
        line.split()[1]
        for line in out.splitlines()
        if line.startswith("│ ") and len(line.split()) > 2 and line.split()[1].isalpha()
    ]
    assert listed.index("score") < listed.index("eligibility") < listed.index("web")
    assert listed.index("dataset") < listed.index("report") < listed.index("archive")


def test_python_dash_m_lupustrial_runs_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lupustrial", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout
