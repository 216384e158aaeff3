"""Every hand-made edge case gets, criterion by criterion, the status declared for it."""

from __future__ import annotations

import pytest

from lupustrial.prescreen.criteria_ids import CRITERION_IDS
from lupustrial.prescreen.engine import PrescreenResult
from lupustrial.prescreen.synthetic import (
    BASELINE_EXPECTED,
    EDGE_CASES,
    EDGE_PERSON_ID,
    EdgeCase,
)

from .conftest import by_person


@pytest.mark.parametrize("case", EDGE_CASES, ids=lambda c: c.key)
def test_edge_case(case: EdgeCase, duckdb_result: PrescreenResult) -> None:
    rows = by_person(duckdb_result)
    person_id = EDGE_PERSON_ID[case.key]
    if not case.in_cohort:
        assert person_id not in rows
        return
    got = {criterion: rows[person_id][criterion]["status"] for criterion in CRITERION_IDS}
    assert got == case.expected_statuses(), case.label


def test_every_criterion_is_declared_for_the_baseline() -> None:
    assert set(BASELINE_EXPECTED) == set(CRITERION_IDS)


def test_person_ids_are_64_bit(duckdb_result: PrescreenResult) -> None:
    assert min(duckdb_result.criteria["person_id"].to_pylist()) > 2**31


def test_deciding_record_is_reported(duckdb_result: PrescreenResult) -> None:
    rows = by_person(duckdb_result)
    creatinine = rows[EDGE_PERSON_ID["creatinine_176_84_umol"]]["E5"]
    assert creatinine["record_domain"] == "measurement"
    assert creatinine["value"] == pytest.approx(2.0)
    assert "≥ 2 mg/dL" in str(creatinine["evidence"])
    vaccine = rows[EDGE_PERSON_ID["live_vaccine_day_30"]]["E12"]
    assert vaccine["record_domain"] == "drug_exposure"
    assert "live vaccine within 30 days" in str(vaccine["evidence"])


def test_records_outside_the_observation_period_are_noted(
    duckdb_result: PrescreenResult,
) -> None:
    rows = by_person(duckdb_result)
    early = rows[EDGE_PERSON_ID["early_sle_outside_period"]]["I2.recent"]
    assert "outside the observation period" in str(early["note"])
    ast = rows[EDGE_PERSON_ID["ast_high_outside_period"]]["E4"]
    assert ast["status"] == "not_met"
    assert "outside the observation period" in str(ast["note"])


def test_unknown_is_never_a_failure(duckdb_result: PrescreenResult) -> None:
    statuses = duckdb_result.criteria.to_pylist()
    assert all(not row["fails"] for row in statuses if row["status"] == "unknown")
