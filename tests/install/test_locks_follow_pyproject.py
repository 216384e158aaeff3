"""The lock files name every dependency pyproject.toml declares (issue 15, item 11).

A dependency added to pyproject.toml but not to the locks installs nowhere (`make` installs
from the locks only), so the suite would fail on a fresh machine with an import error far
from the cause. `make lock` regenerates them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCKS = {
    "runtime": ROOT / "requirements" / "runtime.txt",
    "spark": ROOT / "requirements" / "spark.txt",
    "dev": ROOT / "requirements" / "dev.txt",
}
# Which lock must hold each group: the dev lock installs the runtime and Spark too.
GROUPS = {
    "runtime": PYPROJECT["project"]["dependencies"],
    "spark": PYPROJECT["project"]["optional-dependencies"].get("spark", []),
    "dev": PYPROJECT["project"]["optional-dependencies"].get("dev", []),
}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _locked(lock: Path) -> set[str]:
    pinned = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock.read_text(), re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower() for name in pinned}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_declared_dependency_is_locked(group: str) -> None:
    locks = {"runtime": ["runtime", "spark", "dev"], "spark": ["spark", "dev"], "dev": ["dev"]}
    # The project itself is installed from the working tree (`pip install -e .`), not locked.
    declared = {_name(r) for r in GROUPS[group]} - {"lupustrial"}
    for lock in locks[group]:
        missing = declared - _locked(LOCKS[lock])
        assert not missing, f"{LOCKS[lock].name} lacks {sorted(missing)}: run `make lock`"
