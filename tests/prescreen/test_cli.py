"""`lupustrial prescreen`: run, concepts, synthetic; bad input is a message and exit 2."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.commands import exit_status

import lupustrial.cli.prescreen  # noqa: F401  (registers the commands even if __init__ lags)

from .conftest import AS_OF


def test_run_prints_and_writes(
    omop_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = exit_status(
        [
            "prescreen",
            "run",
            "--omop",
            str(omop_dir),
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(tmp_path),
            "--top",
            "3",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "Funnel" in captured.out
    assert "Candidates:" in captured.out
    assert "prescreen: judging the criteria" in captured.err
    for name in ("criteria.parquet", "criteria.csv", "candidates.csv", "funnel.csv"):
        assert (tmp_path / name).stat().st_size > 0


def test_prescreen_without_a_command_is_a_run(
    omop_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's spelling, `lupustrial prescreen --omop PATH`, is `prescreen run`."""
    options = ["--omop", str(omop_dir), "--as-of", AS_OF.isoformat(), "--top", "5"]
    assert exit_status(["prescreen", *options]) == 0
    short = capsys.readouterr().out
    assert exit_status(["prescreen", "run", *options]) == 0
    assert short == capsys.readouterr().out
    assert "Candidates:" in short


def test_circe_seven_is_a_documented_option(
    omop_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--criteria circe-seven` judges the seven rules Circe can express, and says so."""
    import json

    from lupustrial.cli import prescreen as command
    from lupustrial.prescreen.criteria_ids import SCOPES

    assert set(command._SCOPES) == set(SCOPES)  # the CLI's list is the engine's
    options = ["--omop", str(omop_dir), "--as-of", AS_OF.isoformat(), "--out", str(tmp_path)]
    assert exit_status(["prescreen", "run", *options, "--criteria", "circe-seven"]) == 0
    out = capsys.readouterr().out
    assert "Criteria: circe-seven" in out
    assert json.loads((tmp_path / "run.json").read_text())["criteria"] == "circe-seven"
    assert "not_judged" in (tmp_path / "criteria.csv").read_text()


def test_language_ja_prints_the_summary_in_japanese(
    omop_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ["--omop", str(omop_dir), "--as-of", AS_OF.isoformat(), "--top", "2"]
    assert exit_status(["prescreen", "run", *options, "--language", "ja"]) == 0
    out = capsys.readouterr().out
    assert "絞り込み" in out
    assert "候補者:" in out
    assert "Funnel" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["prescreen", "run", "--omop", "/no/such/place"], "no such file or directory"),
        (["prescreen", "run", "--omop", "{omop}", "--as-of", "2025-02-30"], "not a date"),
        (["prescreen", "run", "--omop", "{empty}"], "no Parquet for table(s)"),
        (["prescreen", "run", "--omop", "{garbage}"], "not a DuckDB database"),
        (
            ["prescreen", "run", "--omop", "{omop}", "--engine", "spark", "--out", "{garbage}"],
            "cannot write",
        ),
        (
            ["prescreen", "run", "--omop", "mysql://x", "--engine", "postgres"],
            "not a PostgreSQL URL",
        ),
        (["prescreen", "concepts", "--omop", "/no/such/place"], "no such file"),
        (["prescreen", "--omop", "{omop}", "concepts"], "go after the command"),
        (["prescreen", "--top", "3", "synthetic"], "go after the command"),
        (["prescreen", "--top", "3"], "give --omop PATH"),
        (["prescreen", "--omop", "/no/such/place"], "no such file or directory"),
        (["prescreen", "synthetic", "--out", "{garbage}"], "is not a directory"),
        (["prescreen", "run", "--omop", "{omop}", "--engine", "trino"], "is not one of duckdb"),
        (["prescreen", "run", "--omop", "{omop}", "--criteria", "circe"], "is not one of all"),
        (["prescreen", "run", "--omop", "{omop}", "--language", "fr"], "is not one of en, ja"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    argv: list[str],
    message: str,
    omop_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_text("not a database")
    places = {"{omop}": str(omop_dir), "{empty}": str(empty), "{garbage}": str(garbage)}
    argv = [places.get(a, a) for a in argv]
    if "spark" in argv:  # the output check comes after the run: keep this one on DuckDB
        argv = [a for a in argv if a not in ("--engine", "spark")]
    code = exit_status(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_import_reopens_the_omop_data_with_the_run_engine(
    omop_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The candidate import opens the OMOP data as the run did (run.json): here a run
    recorded on PostgreSQL makes the import read --omop as a PostgreSQL URL."""
    import json

    options = ["--omop", str(omop_dir), "--as-of", AS_OF.isoformat(), "--out", str(tmp_path)]
    assert exit_status(["prescreen", "run", *options]) == 0
    recorded = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert recorded["engine"] == "duckdb"
    recorded.update(engine="postgres", options={"schema": "cdm"})
    (tmp_path / "run.json").write_text(json.dumps(recorded), encoding="utf-8")
    with (tmp_path / "candidates.csv").open(encoding="utf-8") as handle:
        person = handle.readlines()[1].split(",")[1]
    capsys.readouterr()
    code = exit_status(
        ["prescreen", "import", str(tmp_path), "--omop", str(omop_dir), "--person", person,
        "--site", "TKY", "--screening-number", "S-9", "--name", "X", "--mrn", "M", "--as", "c"]
    )  # fmt: skip
    assert code == 2
    assert "not a PostgreSQL URL" in capsys.readouterr().err


def test_concepts_prints_every_set_and_resolves(
    omop_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_status(["prescreen", "concepts", "--omop", str(omop_dir)]) == 0
    out = capsys.readouterr().out
    assert "sle: Systemic lupus erythematosus" in out
    assert "concept 257628 +descendants" in out
    assert "NOT FOUND" not in out


def test_synthetic_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = exit_status(
        [
            "prescreen",
            "synthetic",
            "--persons",
            "80",
            "--seed",
            "1",
            "--out",
            str(tmp_path),
            "--as-of",
            AS_OF.isoformat(),
        ]
    )
    assert code == 0
    assert "wrote 80 persons" in capsys.readouterr().out
    assert (tmp_path / "concept_ancestor.parquet").exists()


@pytest.mark.parametrize("command", [[], ["run"], ["concepts"], ["synthetic"]])
def test_help_everywhere(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_status(["prescreen", *command, "--help"]) == 0
    assert "Usage" in capsys.readouterr().out


def test_spark_without_the_extra_says_how_to_install_it(
    omop_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Spark is the `[spark]` extra: without pyspark, `--engine spark` says what to install."""
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    argv = ["prescreen", "run", "--omop", str(omop_dir), "--engine", "spark"]
    code = exit_status([*argv, "--as-of", AS_OF.isoformat()])
    err = capsys.readouterr().err
    assert code == 2
    assert "pip install 'lupustrial[spark]'" in err
    assert "Traceback" not in err
