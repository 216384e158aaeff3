"""A bad web-application setting is a one-line message and exit status 2 in every command
that sets up the web application, never a traceback (run as the user runs them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [
    ["jobs", "run"],
    ["web", "serve", "--address", "127.0.0.1:1"],
    ["web", "demo", "--no-serve"],
    ["audit", "verify"],
    ["safety", "notify"],
    ["safety", "due", "--source", "database"],
    ["casebook", "TKY-001"],
    ["export", "odm", "--out", "study.xml"],
    ["archive", "--out", "closeout"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_bad_email_setting_is_one_line_naming_it(command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "LUPUSTRIAL_EMAIL": "bogus", "LUPUSTRIAL_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "lupustrial", *command],
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "lupustrial: the web application's settings: "
        "LUPUSTRIAL_EMAIL='bogus': one of console, file, smtp"
    ]


SOURCE_COMMANDS = [
    ["export", "redcap", "--out", "project"],
    ["export", "fhir", "--out", "bundle.json"],
    ["dataset", "export", "--source", "database", "--out", "snapshot"],
]


@pytest.mark.parametrize("command", SOURCE_COMMANDS, ids=" ".join)
def test_a_bad_setting_read_through_the_database_source_is_one_line(
    command: list[str], tmp_path: Path
) -> None:
    # These read the records through the dataset's `database` source (progress lines first).
    env = {**os.environ, "LUPUSTRIAL_EMAIL": "bogus", "LUPUSTRIAL_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "lupustrial", *command],
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    *_, message = done.stderr.strip().splitlines()
    assert message.startswith("lupustrial: ")
    assert message.endswith(
        "the web application's settings: LUPUSTRIAL_EMAIL='bogus': one of console, file, smtp"
    )
