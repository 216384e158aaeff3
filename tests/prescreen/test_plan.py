"""A run's SQL is compiled once (`plan`): every date is a parameter, so one compiled plan serves
every as-of date, in this process and the next; a run from the kept SQL builds nothing with
ibis (and a command run from it imports no ibis at all)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from lupustrial.prescreen import plan
from lupustrial.prescreen.config import DEFAULT_PRESCREEN
from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.engines.duckdb import DuckDB
from lupustrial.prescreen.omop import open_database

from .command_scripts import LOADED_LIBRARIES, prescreen_script, run_script

LATER = dt.date(2025, 7, 1)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of its own: empty on disk and in memory, and no shipped plan (as for a
    configuration other than the default; `test_precompiled` tests the shipped ones)."""
    monkeypatch.setenv("LUPUSTRIAL_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(plan, "_MEMORY", {})
    monkeypatch.setattr(plan, "SHIPPED", tmp_path / "no-shipped-plans")
    return tmp_path


def _same(one: PrescreenResult, other: PrescreenResult) -> None:
    assert one.criteria.equals(other.criteria)
    assert one.persons.equals(other.persons)
    assert one.funnel == other.funnel
    assert one.candidates == other.candidates


def _compiling_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a step was compiled")

    monkeypatch.setattr(DuckDB, "compile_keep", refuse)
    monkeypatch.setattr(DuckDB, "compile_fetch", refuse)


def test_one_compiled_plan_serves_another_as_of_date(
    omop_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Compiled fresh for each date (the kept SQL forgotten in between) ...
    fresh = run_prescreen(open_database(str(omop_dir)), LATER)
    monkeypatch.setattr(plan, "_MEMORY", {})
    for path in (cache / "prescreen-sql").iterdir():
        path.unlink()
    run_prescreen(open_database(str(omop_dir)), dt.date(2024, 3, 1))
    # ... and from the plan compiled for another date, compiling nothing.
    _compiling_fails(monkeypatch)
    again = run_prescreen(open_database(str(omop_dir)), LATER)
    _same(fresh, again)


def test_the_plan_is_kept_on_disk_for_the_next_process(
    omop_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_prescreen(open_database(str(omop_dir)), LATER)
    (kept,) = (cache / "prescreen-sql").iterdir()
    steps = json.loads(kept.read_text(encoding="utf-8"))
    assert {"events", "facts", "criteria"} <= {name.split(":")[0] for name in steps}
    assert LATER.isoformat() not in kept.read_text(encoding="utf-8")
    monkeypatch.setattr(plan, "_MEMORY", {})  # as a new process: only the disk copy
    _compiling_fails(monkeypatch)
    _same(first, run_prescreen(open_database(str(omop_dir)), LATER))


def test_the_plan_key_depends_on_the_scope_and_configuration(cache: Path) -> None:
    default = plan.Plan.for_run("duckdb", "all", DEFAULT_PRESCREEN).key
    assert default == plan.Plan.for_run("duckdb", "all", DEFAULT_PRESCREEN).key
    assert default != plan.Plan.for_run("duckdb", "circe-seven", DEFAULT_PRESCREEN).key
    longer = DEFAULT_PRESCREEN.model_copy(update={"sledai_lookback_days": 120})
    assert default != plan.Plan.for_run("duckdb", "all", longer).key
    # Sets are written in one order whatever the process's string hashing.
    assert plan.canonical({"b", "a", "c"}) == ["a", "b", "c"]


def test_an_unwritable_cache_only_means_compiling_again(
    omop_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("LUPUSTRIAL_CACHE_DIR", str(blocked))
    monkeypatch.setattr(plan, "_MEMORY", {})
    result = run_prescreen(open_database(str(omop_dir)), LATER)
    assert result.criteria.num_rows > 0


def test_a_command_from_kept_sql_imports_no_ibis_nor_pandas(omop_dir: Path, cache: Path) -> None:
    """The command's start-up: with its SQL compiled, a DuckDB run loads neither ibis nor
    sqlglot (0.4 s of CPU time), nor pandas (0.2 s: `arrow` keeps pyarrow from loading it)."""
    script = prescreen_script(
        omop_dir, report=LOADED_LIBRARIES, shipped=str(cache / "no-shipped-plans")
    )
    # the first compiles (and imports ibis), the second reads the plan
    loaded = [run_script(script, cache) for _ in range(2)]
    assert loaded[0].startswith("['ibis'")
    assert loaded[1] == "[]"


def test_duckdb_binds_the_dates_as_prepared_parameters(
    omop_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On DuckDB the kept SQL names each date as a prepared parameter (`$as_of`), bound when a
    step runs, not as a subquery over the parameter row: DuckDB plans a bound parameter as a
    constant, so a date filter reaches the Parquet scan (about 7% of the events step at 5M
    persons), while the SQL still serves every as-of date."""
    first = run_prescreen(open_database(str(omop_dir)), LATER)
    (kept,) = (cache / "prescreen-sql").iterdir()
    text = kept.read_text(encoding="utf-8")
    assert "$as_of" in text
    assert "prescreen_params" not in text
    monkeypatch.setattr(plan, "_MEMORY", {})
    _compiling_fails(monkeypatch)
    _same(first, run_prescreen(open_database(str(omop_dir)), LATER))
