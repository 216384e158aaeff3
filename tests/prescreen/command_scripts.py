"""`lupustrial prescreen` run in a fresh interpreter by a small script, for the tests of what a
command loads (this interpreter has loaded ibis, pandas and the rest its own way already)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LOADED_LIBRARIES = "sorted(m for m in ('ibis', 'sqlglot', 'pandas') if m in sys.modules)"
"""Which of the heavy libraries the command imported (a script's `report`)."""


def prescreen_script(
    omop_dir: Path, *, report: str, shipped: str | None = None, before: str = ""
) -> str:
    """A script that runs the command on ``omop_dir`` as of 2025-01-15 and prints ``report``
    (a Python expression) on its last line; ``shipped`` replaces the folder of the shipped
    plans, ``before`` runs first."""
    lines = ["import json, sys", "from pathlib import Path"]
    if shipped is not None:
        lines += ["from lupustrial.prescreen import plan", f"plan.SHIPPED = Path({shipped!r})"]
    if before:
        lines.append(before)
    lines += [
        "from lupustrial.cli import main",
        f"sys.argv = ['lupustrial', 'prescreen', '--omop', {str(omop_dir)!r}, "
        "'--as-of', '2025-01-15']",
        "try:",
        "    main()",
        "except SystemExit as done:",
        "    assert not done.code, done.code",
        f"print({report})",
    ]
    return "\n".join(lines) + "\n"


def run_script(script: str, cache: Path) -> str:
    """The script's last line, run with ``cache`` as the kept-SQL folder; it must succeed."""
    environment = {**os.environ, "LUPUSTRIAL_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]
