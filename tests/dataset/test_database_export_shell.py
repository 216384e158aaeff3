"""`lupustrial dataset export --source database` run as a user runs it: in a fresh shell.

The other export tests run inside pytest-django, where Django is already configured; these
run the installed command as a subprocess on the SQLite database `lupustrial web demo
--no-serve` created, once with nothing Django-related in the environment and once with
DJANGO_SETTINGS_MODULE set (finding 1 of issue 13).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LUPUSTRIAL = shutil.which("lupustrial", path=str(Path(sys.executable).parent)) or "lupustrial"


def _shell(data_dir: Path, **extra: str) -> dict[str, str]:
    """A fresh shell's environment: no DATABASE_URL, no Django settings, the demo's data dir."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["LUPUSTRIAL_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LUPUSTRIAL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("var")
    done = _run(["web", "demo", "--no-serve"], _shell(data), data)
    assert done.returncode == 0, done.stderr
    return data


@pytest.mark.parametrize("settings", [None, "lupustrial.edc.settings"])
def test_export_from_the_demo_database_in_a_fresh_shell(
    demo_dir: Path, tmp_path: Path, settings: str | None
) -> None:
    env = _shell(demo_dir, **({"DJANGO_SETTINGS_MODULE": settings} if settings else {}))
    done = _run(["dataset", "export", "--source", "database", "--out", "snap"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    manifest = json.loads((tmp_path / "snap" / "manifest.json").read_text())
    assert manifest["source"] == "database"
    assert manifest["tables"]["subjects"]["rows"] == 2
    endpoints = _run(["endpoints", "snap", "--format", "json"], env, tmp_path)
    assert endpoints.returncode == 0, endpoints.stderr


def test_export_without_a_database_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    done = _run(
        ["dataset", "export", "--source", "database", "--out", "snap"], _shell(empty), tmp_path
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "lupustrial web" in done.stderr
