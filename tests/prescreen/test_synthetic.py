"""The synthetic population: its density of everyday records and its share of SLE."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lupustrial.prescreen.synthetic import BACKGROUND_RATES, EDGE_CASES, write_synthetic

from .conftest import AS_OF

PERSONS = 4000
CLINICAL = ("condition_occurrence", "drug_exposure", "measurement", "observation")
SLE_CONCEPT_ID = 257628


def _scalar(query: str) -> int:
    found = duckdb.connect().execute(query).fetchone()
    assert found is not None
    return int(found[0])


def _persons_with_sle(directory: Path) -> float:
    """Share of the random persons (edge cases left out) with an SLE record."""
    query = f"""
        SELECT COUNT(DISTINCT c.person_id)
        FROM read_parquet('{directory}/condition_occurrence.parquet') c
        JOIN read_parquet('{directory}/concept_ancestor.parquet') a
          ON a.descendant_concept_id = c.condition_concept_id
        WHERE a.ancestor_concept_id = {SLE_CONCEPT_ID} AND c.person_id >= 3001000000
    """
    return _scalar(query) / (PERSONS - len(EDGE_CASES))


@pytest.fixture(scope="module")
def default_population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("default")
    write_synthetic(directory, PERSONS, seed=3, as_of=AS_OF, chunk_persons=1500)
    return directory


def test_about_sixty_records_per_person(default_population: Path) -> None:
    tables = (*CLINICAL, "visit_occurrence")
    rows = sum(_scalar(f"SELECT COUNT(*) FROM '{default_population}/{t}.parquet'") for t in tables)
    per_person = rows / PERSONS
    assert sum(rate for rate, _, _ in BACKGROUND_RATES.values()) == pytest.approx(45.0)
    assert 55 < per_person < 65


def test_default_share_of_sle_is_a_stress_test(default_population: Path) -> None:
    assert 0.12 < _persons_with_sle(default_population) < 0.18


def test_sle_share_sets_the_prevalence(tmp_path: Path) -> None:
    write_synthetic(tmp_path, PERSONS, seed=3, as_of=AS_OF, sle_share=0.02)
    assert 0.01 < _persons_with_sle(tmp_path) < 0.03


@pytest.mark.parametrize("share", [0.0, 1.0, -0.1, 1.5])
def test_sle_share_outside_0_and_1_is_refused(tmp_path: Path, share: float) -> None:
    with pytest.raises(ValueError, match="sle_share"):
        write_synthetic(tmp_path, 10, seed=1, as_of=AS_OF, sle_share=share)
