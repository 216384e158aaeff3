"""A git revision of this checkout written out, for the benchmarks that compare it with the
working tree (`--against REV`)."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def export_src(revision: str, into: Path) -> Path:
    """The ``src`` folder of ``revision``, written under ``into`` with the rest of its tree:
    ``src/lupustrial/examples`` is a link to the top-level ``examples``, which an export of
    ``src`` alone would leave dangling."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"
