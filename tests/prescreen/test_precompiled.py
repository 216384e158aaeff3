"""The default configuration's compiled SQL ships with the package (`precompile`, `plan.SHIPPED`):
a new user's first run compiles nothing and imports no ibis, with the same results as a
compiled run; the shipped files are a fresh compilation of the code as it is (this test fails
otherwise: write them again with ``.venv/bin/python -m lupustrial.prescreen.precompile``); a
shipped plan of another key is never used, and another configuration compiles its own."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest

from lupustrial.prescreen import plan, precompile
from lupustrial.prescreen.config import DEFAULT_PRESCREEN
from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.engines.duckdb import DuckDB
from lupustrial.prescreen.omop import open_database

from .command_scripts import LOADED_LIBRARIES, prescreen_script, run_script
from .conftest import AS_OF

ROOT = Path(__file__).resolve().parents[2]
WRITE_AGAIN = "write them again: .venv/bin/python -m lupustrial.prescreen.precompile"


def _same(one: PrescreenResult, other: PrescreenResult) -> None:
    assert one.criteria.equals(other.criteria)
    assert one.persons.equals(other.persons)
    assert one.funnel == other.funnel
    assert one.candidates == other.candidates


def _count_compiling(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    for name in ("compile_keep", "compile_fetch"):
        original = getattr(DuckDB, name)

        def counted(
            self: DuckDB, *args: object, _original: Callable[..., object] = original
        ) -> object:
            compiled.append("step")
            return _original(self, *args)

        monkeypatch.setattr(DuckDB, name, counted)
    return compiled


def _empty_cache(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUPUSTRIAL_CACHE_DIR", str(path))
    monkeypatch.setattr(plan, "_MEMORY", {})


@pytest.fixture(scope="module")
def fresh() -> dict[str, str]:
    """The shipped files' text as compiled now."""
    return {name: precompile.text(document) for name, document in precompile.fresh_plans().items()}


def _shipped() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in plan.SHIPPED.glob("*.json")}


def test_the_shipped_sql_is_a_fresh_compilation(fresh: dict[str, str]) -> None:
    """The SQL itself: failing, the shipped plans would send SQL the code no longer writes
    (were their key to match)."""
    shipped = _shipped()
    assert sorted(shipped) == sorted(fresh) == ["duckdb-all.json", "duckdb-circe-seven.json"]
    for name, text in fresh.items():
        differs = f"{name} differs from a fresh compilation; {WRITE_AGAIN}"
        assert json.loads(shipped[name])["steps"] == json.loads(text)["steps"], differs


def test_the_shipped_plans_are_current(fresh: dict[str, str]) -> None:
    """Their key: after any edit of the pre-screen's, the clinical or the protocol sources (or
    another ibis, sqlglot or DuckDB) they are out of date, so not used (a new user's first
    run compiles) until written again, even where the SQL itself is unchanged (the test
    above still passing says so)."""
    shipped = _shipped()
    for name, text in fresh.items():
        out_of_date = f"{name} is out of date (code or libraries); {WRITE_AGAIN}"
        assert json.loads(shipped[name])["key"] == json.loads(text)["key"], out_of_date
        assert shipped[name] == text


@pytest.mark.parametrize("scope", ["all", "circe-seven"])
def test_a_first_run_of_the_default_configuration_compiles_nothing(
    omop_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scope: str
) -> None:
    _empty_cache(tmp_path / "compiled", monkeypatch)
    with monkeypatch.context() as without:
        without.setattr(plan, "SHIPPED", tmp_path / "no-shipped-plans")
        compiled = run_prescreen(open_database(str(omop_dir)), AS_OF, scope=scope)
    _empty_cache(tmp_path / "first-run", monkeypatch)
    counted = _count_compiling(monkeypatch)
    shipped = run_prescreen(open_database(str(omop_dir)), AS_OF, scope=scope)
    assert counted == []
    _same(compiled, shipped)
    assert not (tmp_path / "first-run").exists()  # nothing compiled, nothing written


def test_another_configuration_compiles_its_own(
    omop_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _empty_cache(tmp_path, monkeypatch)
    counted = _count_compiling(monkeypatch)
    longer = DEFAULT_PRESCREEN.model_copy(update={"sledai_lookback_days": 120})
    run_prescreen(open_database(str(omop_dir)), AS_OF, longer)
    assert len(counted) >= 10


def test_a_shipped_plan_under_another_key_is_not_used(
    omop_dir: Path, duckdb_result: PrescreenResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after an edit of the code: the shipped SQL (here made wrong) is not sent."""
    document = json.loads(plan.shipped_path("duckdb", "all").read_text(encoding="utf-8"))
    document["key"] = "duckdb-all-000000000000000000000000"
    for step in document["steps"].values():
        step["sql"] = "SELECT error('stale SQL was run')"
    other = tmp_path / "shipped"
    other.mkdir()
    (other / "duckdb-all.json").write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(plan, "SHIPPED", other)
    _empty_cache(tmp_path / "cache", monkeypatch)
    counted = _count_compiling(monkeypatch)
    _same(duckdb_result, run_prescreen(open_database(str(omop_dir)), AS_OF))
    assert len(counted) >= 10


def test_a_first_command_imports_no_ibis_nor_sqlglot(omop_dir: Path, tmp_path: Path) -> None:
    """A new user's first command (an empty cache) runs the shipped SQL."""
    script = prescreen_script(omop_dir, report=LOADED_LIBRARIES)
    assert run_script(script, tmp_path / "empty") == "[]"


def test_a_plain_install_has_the_libraries_the_plans_were_compiled_with() -> None:
    """The plans' key holds the versions of ibis, sqlglot and DuckDB: those of the lock a plain
    install uses (`requirements/runtime.txt`), or a new user would compile after all."""
    locked = (ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")
    for library in plan._LIBRARIES:
        pinned = re.search(rf"^{re.escape(library)}==(\S+)", locked, re.MULTILINE)
        assert pinned is not None, library
        assert pinned.group(1) == metadata.version(library), library
