"""`lupustrial export odm` as a user runs it: a fresh shell on the demo's database (issue 20)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.shells import LUPUSTRIAL, run, shell

from lupustrial.interop.odm.reader import read
from lupustrial.interop.odm.schema import schema_errors


def test_export_odm_in_a_freshshell(demo_dir: Path, tmp_path: Path) -> None:
    done = run(["export", "odm", "--out", "study.xml"], shell(demo_dir), tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "audit trail entries" in done.stderr  # progress on the way
    assert "validating against the ODM 1.3.2 XML Schema" in done.stderr
    path = tmp_path / "study.xml"
    assert schema_errors(path) == []
    replay = read(path)
    assert {key[0] for key in replay.values} == {"S-001", "S-002", "S-003", "S-101"}
    assert {key[1] for key in replay.values} >= {"SCREENING", "W0", "W4", "W8", "W12"}


def test_export_odm_without_a_database_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    done = run(["export", "odm", "--out", "study.xml"], shell(empty), tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "lupustrial web" in done.stderr
    assert not (tmp_path / "study.xml").exists()


def test_export_odm_has_help() -> None:
    done = subprocess.run(
        [LUPUSTRIAL, "export", "odm", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "ODM 1.3.2" in done.stdout


def test_archive_and_verify_in_a_freshshell(demo_dir: Path, tmp_path: Path) -> None:
    env = shell(demo_dir)
    done = run(["archive", "--out", "closeout"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "verifying the audit trail" in done.stderr
    checked = run(["archive", "verify", "closeout"], env, tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "intact" in checked.stdout
    (tmp_path / "closeout" / "study.odm.xml").write_text("<ODM/>", encoding="utf-8")
    checked = run(["archive", "verify", "closeout"], env, tmp_path)
    assert checked.returncode == 1
    assert "study.odm.xml" in checked.stdout
    again = run(["archive", "--out", "closeout"], env, tmp_path)
    assert again.returncode == 2
    assert "not empty" in again.stderr
