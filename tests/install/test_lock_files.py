"""The lock files agree with `pyproject.toml`: a dependency added or changed there without
`make lock` would not be installed by `make run`, `make test` or CI."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PINNED = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", re.MULTILINE)


def locked(name: str) -> dict[str, set[str]]:
    """Package → the versions pinned in ``requirements/NAME.txt`` (a universal lock may pin
    one package at two versions, for different Pythons)."""
    text = (ROOT / "requirements" / f"{name}.txt").read_text(encoding="utf-8")
    pins: dict[str, set[str]] = {}
    for package, version in PINNED.findall(text):
        pins.setdefault(_normal(package), set()).add(version)
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(*groups: str) -> list[Requirement]:
    found = [Requirement(text) for text in PROJECT["dependencies"]]
    for group in groups:
        found += [Requirement(text) for text in PROJECT["optional-dependencies"][group]]
    return [r for r in found if _normal(r.name) != "lupustrial"]


@pytest.mark.parametrize(
    ("lock", "groups"), [("runtime", ()), ("spark", ("spark",)), ("dev", ("spark", "dev"))]
)
def test_every_requirement_is_locked_at_a_version_it_allows(
    lock: str, groups: tuple[str, ...]
) -> None:
    pins = locked(lock)
    problems = []
    for requirement in _requirements(*groups):
        versions = pins.get(_normal(requirement.name))
        if not versions:
            problems.append(f"{requirement.name} is not in requirements/{lock}.txt")
        elif not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(f"{requirement} but requirements/{lock}.txt has {sorted(versions)}")
    assert problems == [], "run `make lock` and commit requirements/:\n" + "\n".join(problems)


def test_the_locks_agree_on_every_shared_version() -> None:
    runtime, spark, dev = locked("runtime"), locked("spark"), locked("dev")
    assert {p: v for p, v in spark.items() if p in runtime} == runtime
    assert {p: v for p, v in dev.items() if p in spark} == spark


def test_the_runtime_lock_has_no_development_tool_or_optional_engine() -> None:
    runtime = locked("runtime")
    for package in ("pytest", "playwright", "pyspark", "statsmodels", "mypy", "ruff", "uv"):
        assert package not in runtime
