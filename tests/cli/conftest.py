"""The demo study's database, made once per session for the commands run in fresh shells."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.cli.shells import run, shell


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`lupustrial web demo`'s data directory; copy it before changing anything in it."""
    data = tmp_path_factory.mktemp("var")
    done = run(["web", "demo", "--no-serve"], shell(data), data)
    assert done.returncode == 0, done.stderr
    return data
