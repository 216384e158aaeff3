"""What the vocabulary cannot answer (issue 21): units, coverage, recency, hepatitis levels."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from lupustrial.prescreen.concepts import CONCEPT_SET_BY_KEY
from lupustrial.prescreen.config import PrescreenConfig
from lupustrial.prescreen.criteria_ids import CRITERION_IDS
from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.labs import QUANTITATIVE, STANDARD_UCUM_IDS
from lupustrial.prescreen.omop import open_database
from lupustrial.prescreen.report import render, write_outputs
from lupustrial.prescreen.synthetic import EDGE_CASES, EDGE_PERSON_ID, write_synthetic
from lupustrial.prescreen.units import linear_map
from lupustrial.prescreen.vocabulary import UNIT_IDS, build_vocabulary
from lupustrial.protocol.config import DEFAULT_PROTOCOL

from .conftest import AS_OF, PERSONS, by_person


@pytest.fixture(scope="module")
def thin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("omop-thin")
    write_synthetic(
        directory, PERSONS, seed=7, as_of=AS_OF, chunk_persons=250, thin_vocabulary=True
    )
    return directory


@pytest.fixture(scope="module")
def thin_result(thin_dir: Path) -> PrescreenResult:
    return run_prescreen(open_database(str(thin_dir)), AS_OF)


# --- units ------------------------------------------------------------------------------


def test_standard_ucum_ids_agree_with_the_synthetic_vocabulary() -> None:
    for concept_id, code in STANDARD_UCUM_IDS.items():
        if code in UNIT_IDS:
            assert UNIT_IDS[code] == concept_id, code


def test_a_unit_is_read_from_the_vocabulary_then_the_standard_id_then_as_written() -> None:
    creatinine = QUANTITATIVE["creatinine"]
    assert linear_map(creatinine, 8840, None, {}) == (1.0, 0.0)  # standard mg/dL id
    scale, _ = linear_map(creatinine, 8749, None, {}) or (0.0, 0.0)  # µmol/L
    assert scale == pytest.approx(1 / 88.42)
    assert linear_map(creatinine, 0, "mg/dl", {}) == (1.0, 0.0)  # written, any case
    assert linear_map(creatinine, 0, "µmol/L", {}) is not None
    assert linear_map(creatinine, 123, None, {123: "mg/dL"}) == (1.0, 0.0)  # vocabulary row
    assert linear_map(creatinine, 0, None, {}) is None
    assert linear_map(creatinine, 9557, "mEq/L", {}) is None  # not a creatinine unit


def test_a_thin_vocabulary_reads_the_labs_as_the_full_one(
    thin_result: PrescreenResult, duckdb_result: PrescreenResult
) -> None:
    thin, full = by_person(thin_result), by_person(duckdb_result)
    assert thin.keys() == full.keys()
    for person, rows in full.items():
        for criterion in ("I3", "E4", "E5"):
            assert thin[person][criterion]["status"] == rows[criterion]["status"], person
            assert thin[person][criterion]["value"] == rows[criterion]["value"], person


def test_edge_cases_on_a_thin_vocabulary(thin_result: PrescreenResult) -> None:
    """Every edge case as declared, except the chronic and carrier hepatitis records, which
    a vocabulary without those codes holds as unspecified hepatitis: E2 is then settled by
    the carrier test (the baseline's negative HBsAg; HCV RNA untested: unknown), and E3
    waits for the nucleic-acid test."""
    rows = by_person(thin_result)
    for case in EDGE_CASES:
        person = EDGE_PERSON_ID[case.key]
        if not case.in_cohort:
            assert person not in rows
            continue
        expected = case.expected_statuses()
        if case.key.endswith(("_chronic", "_carrier")):
            e2 = "not_met" if case.key.startswith("hepatitis_b") else "unknown"
            expected = {**expected, "E2": e2, "E3": "unknown"}
        got = {c: rows[person][c]["status"] for c in CRITERION_IDS}
        assert got == expected, case.key


def test_the_coverage_report_names_what_a_thin_vocabulary_lacks(
    thin_result: PrescreenResult, duckdb_result: PrescreenResult, tmp_path: Path
) -> None:
    lacking = [w for w in thin_result.warnings if "resolves to no concept" in w]
    assert len(lacking) == 1
    assert "viral_hepatitis" in lacking[0]
    assert not duckdb_result.warnings
    line = next(c for c in thin_result.coverage if c.key == "creatinine")
    assert line.concepts == 1
    assert line.records
    assert line.lab_results == line.records
    assert line.without_unit == 1  # the one result in mEq/L
    assert "viral_hepatitis" in render(thin_result)
    write_outputs(thin_result, tmp_path)
    with (tmp_path / "coverage.csv").open(encoding="utf-8") as handle:
        coverage = {row["concept_set"]: row for row in csv.DictReader(handle)}
    assert coverage["viral_hepatitis"]["concepts"] == "0"
    assert "resolves to no concept" in coverage["viral_hepatitis"]["warning"]
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert run["engine"] == "duckdb"
    assert run["warnings"] == thin_result.warnings


def _without_units(source: Path, target: Path, *, keep_written: bool) -> None:
    shutil.copytree(source, target)
    path = target / "measurement.parquet"
    table = pq.read_table(path)
    zeros = pa.array([0] * table.num_rows, pa.int64())
    table = table.set_column(
        table.schema.get_field_index("unit_concept_id"), "unit_concept_id", zeros
    )
    if not keep_written:
        written = table.schema.get_field_index("unit_source_value")
        table = table.set_column(
            written, "unit_source_value", pa.nulls(table.num_rows, pa.string())
        )
    pq.write_table(table, path)


def test_the_written_unit_is_the_last_resort(
    thin_dir: Path, thin_result: PrescreenResult, tmp_path: Path
) -> None:
    _without_units(thin_dir, tmp_path / "written", keep_written=True)
    result = run_prescreen(open_database(str(tmp_path / "written")), AS_OF)
    assert result.statuses() == thin_result.statuses()


def test_labs_without_a_usable_unit_are_unknown_with_the_reason(
    thin_dir: Path, tmp_path: Path
) -> None:
    _without_units(thin_dir, tmp_path / "none", keep_written=False)
    result = run_prescreen(open_database(str(tmp_path / "none")), AS_OF)
    assert any("ast" in w and "no usable unit" in w for w in result.warnings)
    rows = by_person(result)[EDGE_PERSON_ID["baseline"]]
    assert rows["E4"]["status"] == "unknown"
    assert "unit that cannot be converted" in str(rows["E4"]["evidence"])
    assert rows["I3"]["status"] == "unknown"
    assert "platelets" in str(rows["I3"]["evidence"])
    assert "without a usable unit" in str(rows["I3"]["evidence"])


def test_a_death_table_that_cannot_be_read_is_a_warning(omop_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "omop"
    shutil.copytree(omop_dir, copy)
    header = pa.table({"column0": ["PERSON_ID"], "column1": ["DEATH_DATE"]})
    pq.write_table(header, copy / "death.parquet")
    result = run_prescreen(open_database(str(copy)), AS_OF)
    assert any("table death lacks column(s) person_id, death_date" in w for w in result.warnings)
    (copy / "death.parquet").unlink()
    result = run_prescreen(open_database(str(copy)), AS_OF)
    assert any("no table death" in w for w in result.warnings)
    alive = pc.unique(
        result.criteria.filter(
            pc.equal(pc.cast(result.criteria["criterion"], pa.string()), "alive")
        )["status"].cast(pa.string())
    )
    assert alive.to_pylist() == ["met"]


# --- recency ----------------------------------------------------------------------------


def test_a_lab_result_older_than_its_window_decides_nothing(
    duckdb_result: PrescreenResult,
) -> None:
    rows = by_person(duckdb_result)
    ast = rows[EDGE_PERSON_ID["ast_high_91_days"]]["E4"]
    assert ast["status"] == "unknown"
    assert "older than 90 days — recheck at screening" in str(ast["evidence"])
    creatinine = rows[EDGE_PERSON_ID["creatinine_high_90_days"]]["E5"]
    assert creatinine["status"] == "met"


def test_recency_is_configuration(omop_dir: Path) -> None:
    longer = PrescreenConfig(liver_result_max_age_days=91, kidney_result_max_age_days=89)
    rows = by_person(run_prescreen(open_database(str(omop_dir)), AS_OF, longer))
    assert rows[EDGE_PERSON_ID["ast_high_91_days"]]["E4"]["status"] == "met"
    creatinine = rows[EDGE_PERSON_ID["creatinine_high_90_days"]]["E5"]
    assert creatinine["status"] == "unknown"
    assert "older than 89 days" in str(creatinine["evidence"])


# --- hepatitis and the concept sets -----------------------------------------------------


@pytest.mark.parametrize("virus", ["b", "c"])
def test_hepatitis_at_every_level_is_read(virus: str, duckdb_result: PrescreenResult) -> None:
    rows = by_person(duckdb_result)
    for level in ("chronic", "carrier"):
        e2 = rows[EDGE_PERSON_ID[f"hepatitis_{virus}_{level}"]]["E2"]
        assert e2["status"] == "met"
        assert e2["record_domain"] == "condition_occurrence"
    for level in ("acute", "unspecified"):
        row = rows[EDGE_PERSON_ID[f"hepatitis_{virus}_{level}"]]
        assert row["E2"]["status"] == "unknown"
        assert f"hepatitis {virus.upper()} recorded" in str(row["E2"]["evidence"])
        assert "check carrier status" in str(row["E2"]["evidence"])
        assert row["E2"]["record_domain"] == "condition_occurrence"
        assert row["E3"]["status"] == "unknown"
        test = "HBV DNA" if virus == "b" else "HCV RNA"
        assert f"{test} not tested" in str(row["E3"]["evidence"])


def test_confirmed_concept_ids_are_marked_verified() -> None:
    verified = {
        (key, item.concept_id or item.concept_code): item.verified
        for key in ("immunosuppressants", "collagen_diseases", "lactation")
        for item in CONCEPT_SET_BY_KEY[key].items
    }
    for key, ident in (
        ("immunosuppressants", 19010482),
        ("immunosuppressants", 19012565),
        ("immunosuppressants", 1792515),
        ("immunosuppressants", 44507676),
        ("collagen_diseases", "195353004"),
        ("collagen_diseases", "239928004"),
        ("collagen_diseases", "82275008"),
        ("collagen_diseases", "155441006"),
        ("lactation", "413712001"),
    ):
        assert verified[(key, ident)], ident
    for key, ident in (
        ("immunosuppressants", "5657"),
        ("immunosuppressants", 551749),
        ("collagen_diseases", "398049005"),
        ("collagen_diseases", "1966002"),
        ("collagen_diseases", "7859003"),
    ):
        assert not verified[(key, ident)], ident


def test_the_common_inactivated_vaccines_are_listed() -> None:
    items = CONCEPT_SET_BY_KEY["non_live_vaccines"].items
    codes = {item.concept_code for item in items}
    assert {"140", "33", "52", "150", "158", "215", "216", "08", "62", "207"} <= codes
    for item in items:  # each is a kind the protocol lists as not live
        assert any(term.matches(item.name) for term in DEFAULT_PROTOCOL.non_live_vaccines), item
    assert not codes & {i.concept_code for i in CONCEPT_SET_BY_KEY["live_vaccines"].items}


def test_a_thin_vocabulary_lacks_the_units_and_chronic_hepatitis() -> None:
    full, thin = build_vocabulary(), build_vocabulary(thin=True)
    assert any(c.vocabulary_id == "UCUM" for c in full.concepts)
    assert not any(c.vocabulary_id == "UCUM" for c in thin.concepts)
    names = {c.concept_name for c in thin.concepts}
    assert "chronic hepatitis B" in {c.concept_name for c in full.concepts}
    assert "chronic hepatitis B" not in names
    assert "viral hepatitis type B" in names
