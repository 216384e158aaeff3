"""The pre-screen's CSV files defuse cells a spreadsheet would run as formulas (OWASP); writing
the files does not load pandas."""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lupustrial.prescreen.coverage import SetCoverage
from lupustrial.prescreen.engine import PrescreenResult
from lupustrial.prescreen.report import write_outputs

ATTACKS = ['=HYPERLINK("http://x")', "+1+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_formula_cells_get_an_apostrophe(duckdb_result: PrescreenResult, tmp_path: Path) -> None:
    criteria = duckdb_result.criteria
    notes = [*ATTACKS, "-2", "plain"] + [None] * (criteria.num_rows - len(ATTACKS) - 2)
    at = criteria.schema.get_field_index("note")
    poisoned = criteria.set_column(at, "note", pa.array(notes, pa.string()))
    line = SetCoverage("sle", "=2+5", 1, 1)
    result = dataclasses.replace(duckdb_result, criteria=poisoned, coverage=[line])
    write_outputs(result, tmp_path)

    written = [row["note"] for row in _rows(tmp_path / "criteria.csv")][: len(ATTACKS) + 2]
    assert written == [*["'" + attack for attack in ATTACKS], "-2", "plain"]
    assert _rows(tmp_path / "coverage.csv")[0]["title"] == "'=2+5"
    # The Parquet file is data for programs: it keeps every value as it was.
    kept = pq.read_table(tmp_path / "criteria.parquet")["note"].to_pylist()
    assert kept[: len(ATTACKS)] == ATTACKS


def test_candidates_and_funnel_cells_pass_through_the_same_rule(
    duckdb_result: PrescreenResult, tmp_path: Path
) -> None:
    step = dataclasses.replace(duckdb_result.funnel[0], step="-1 persons removed by =rule")
    result = dataclasses.replace(duckdb_result, funnel=[step, *duckdb_result.funnel[1:]])
    write_outputs(result, tmp_path)
    assert _rows(tmp_path / "funnel.csv")[0]["step"] == "'-1 persons removed by =rule"


def test_writing_the_files_imports_no_pandas(omop_dir: Path, tmp_path: Path) -> None:
    """pyarrow imports pandas for `to_numpy`, `pyarrow.array` or a compute function given a
    Python value (0.2-0.3 s CPU); the evidence sentences and the CSV's apostrophes go through
    `arrow` instead, so a command with ``--out`` loads no pandas."""
    out = tmp_path / "out"
    script = (
        "import sys\n"
        "from lupustrial.cli import main\n"
        f"sys.argv = ['lupustrial', 'prescreen', '--omop', {str(omop_dir)!r}, "
        f"'--as-of', '2025-01-15', '--out', {str(out)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
    assert len(_rows(out / "criteria.csv")) == pq.read_table(out / "criteria.parquet").num_rows
