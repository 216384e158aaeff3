"""One synthetic OMOP population and one DuckDB pre-screen, shared by the tests."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.omop import open_database
from lupustrial.prescreen.synthetic import write_synthetic

AS_OF = dt.date(2025, 1, 15)
PERSONS = 600


@pytest.fixture(scope="session", autouse=True)
def _compiled_sql_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compiled SQL (`plan`) kept in the session's own directory, not the user's cache
    (commands run in a subprocess inherit it)."""
    os.environ["LUPUSTRIAL_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def omop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("omop")
    write_synthetic(directory, PERSONS, seed=7, as_of=AS_OF, chunk_persons=250)
    return directory


@pytest.fixture(scope="session")
def duckdb_result(omop_dir: Path) -> PrescreenResult:
    return run_prescreen(open_database(str(omop_dir)), AS_OF)


def by_person(result: PrescreenResult) -> dict[int, dict[str, dict[str, object]]]:
    rows: dict[int, dict[str, dict[str, object]]] = {}
    for row in result.explained().to_pylist():
        rows.setdefault(row["person_id"], {})[row["criterion"]] = row
    return rows
