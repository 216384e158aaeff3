"""Commands run as a user runs them: a fresh process on a data directory's database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

LUPUSTRIAL = shutil.which("lupustrial", path=str(Path(sys.executable).parent)) or "lupustrial"


def shell(data_dir: Path) -> dict[str, str]:
    """A user's shell on ``data_dir``'s SQLite database (no test settings, no DATABASE_URL)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["LUPUSTRIAL_DATA_DIR"] = str(data_dir)
    return env


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LUPUSTRIAL, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
