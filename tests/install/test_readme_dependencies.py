"""The README says why each dependency is there: every one `pyproject.toml` asks for is named
in its "Dependencies and why" tables, so a dependency added without a reason fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


def _readme_dependency_names() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Dependencies and why", 1)[1]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| package"):
            first_cell = line.split("|")[1]
            for part in first_cell.split(","):
                names.add(_name(part.strip().split(" (")[0]))
    return names


def test_every_dependency_of_pyproject_is_explained_in_the_readme() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    asked = {_name(r) for r in project["dependencies"]}
    asked |= {_name(r) for r in project["optional-dependencies"]["dev"]}
    asked -= {"lupustrial"}
    unexplained = sorted(asked - _readme_dependency_names() - {"pyspark"})
    assert unexplained == []
    # pyspark is the [spark] extra, described in a sentence rather than the tables.
    assert "`[spark]`: pyspark" in (ROOT / "README.md").read_text(encoding="utf-8")
