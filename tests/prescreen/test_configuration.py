"""Concept sets cover the protocol's lists; thresholds are the protocol's, not copies."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lupustrial.clinical.sledai2k import LAB_THRESHOLDS
from lupustrial.prescreen.concepts import CONCEPT_SET_BY_KEY, LAB_TESTS
from lupustrial.prescreen.config import PrescreenConfig
from lupustrial.prescreen.engine import run_prescreen
from lupustrial.prescreen.labs import QUANTITATIVE
from lupustrial.prescreen.omop import open_database
from lupustrial.prescreen.synthetic import EDGE_PERSON_ID, write_synthetic
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig

from .conftest import AS_OF, by_person

LISTS = {
    "immunosuppressants": DEFAULT_PROTOCOL.immunosuppressants,
    "live_vaccines": DEFAULT_PROTOCOL.live_vaccines,
    "non_live_vaccines": DEFAULT_PROTOCOL.non_live_vaccines,
    "collagen_diseases": DEFAULT_PROTOCOL.excluding_collagen_diseases
    + DEFAULT_PROTOCOL.allowed_collagen_diseases,
}


@pytest.mark.parametrize("key", LISTS)
def test_every_protocol_term_has_a_concept_item(key: str) -> None:
    items = CONCEPT_SET_BY_KEY[key].items
    for term in LISTS[key]:
        assert any(term.matches(item.name) for item in items), term.name


def test_every_sledai_lab_has_a_loinc_test_and_a_unit() -> None:
    for rule in LAB_THRESHOLDS:
        assert rule.measurement in LAB_TESTS
        assert QUANTITATIVE[rule.measurement].unit == rule.unit


def test_thresholds_come_from_the_protocol(omop_dir: Path) -> None:
    stricter = PrescreenConfig(
        protocol=ProtocolConfig(liver_enzyme_limit_u_per_l=99.0, live_vaccine_window_days=31)
    )
    rows = by_person(run_prescreen(open_database(str(omop_dir)), AS_OF, stricter))
    assert rows[EDGE_PERSON_ID["ast_99"]]["E4"]["status"] == "met"
    assert rows[EDGE_PERSON_ID["live_vaccine_day_31"]]["E12"]["status"] == "met"


def test_synthetic_is_seeded_and_chunked(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    write_synthetic(one, 300, seed=5, as_of=AS_OF, chunk_persons=40)
    write_synthetic(two, 300, seed=5, as_of=AS_OF, chunk_persons=40)
    for table in ("person", "measurement", "drug_exposure"):
        assert pq.read_table(one / f"{table}.parquet").equals(
            pq.read_table(two / f"{table}.parquet")
        )
    assert pq.ParquetFile(one / "person.parquet").metadata.num_row_groups > 5
    assert pq.read_table(one / "person.parquet").num_rows == 300


def test_duckdb_file_source(omop_dir: Path, tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "cdm.duckdb"
    with duckdb.connect(str(path)) as con:
        for file in omop_dir.glob("*.parquet"):
            con.execute(f"CREATE TABLE {file.stem} AS SELECT * FROM read_parquet('{file}')")
    rows = by_person(run_prescreen(open_database(str(path)), dt.date(2025, 1, 15)))
    assert rows[EDGE_PERSON_ID["ast_100"]]["E4"]["status"] == "met"


def test_lookbacks_are_the_clinical_layers() -> None:
    from lupustrial.clinical.sledai2k import LOOKBACK_DAYS
    from lupustrial.prescreen.config import SLEDAI_LOOKBACK_DAYS
    from lupustrial.protocol.exclusion import severe_kidney_disease, severe_liver_disease

    assert SLEDAI_LOOKBACK_DAYS in LOOKBACK_DAYS
    assert "U/L" in (severe_liver_disease.__doc__ or "")
    assert "mg/dL" in (severe_kidney_disease.__doc__ or "")
