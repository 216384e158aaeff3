"""SLEDAI-2K against its published definition (Gladman 2002)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from lupustrial.clinical.sledai2k import (
    DESCRIPTORS,
    MAXIMUM_TOTAL,
    OrganSystem,
    Sledai2kInput,
    score_sledai2k,
)
from lupustrial.clinical.status import Status

PUBLISHED_WEIGHTS = {
    "seizure": 8,
    "psychosis": 8,
    "organic_brain_syndrome": 8,
    "visual_disturbance": 8,
    "cranial_nerve_disorder": 8,
    "lupus_headache": 8,
    "cva": 8,
    "vasculitis": 8,
    "arthritis": 4,
    "myositis": 4,
    "urinary_casts": 4,
    "hematuria": 4,
    "proteinuria": 4,
    "pyuria": 4,
    "rash": 2,
    "alopecia": 2,
    "mucosal_ulcers": 2,
    "pleurisy": 2,
    "pericarditis": 2,
    "low_complement": 2,
    "increased_dna_binding": 2,
    "fever": 1,
    "thrombocytopenia": 1,
    "leukopenia": 1,
}
CODES = [d.code for d in DESCRIPTORS]


def all_absent(**overrides: Any) -> Sledai2kInput:
    values: dict[str, Any] = dict.fromkeys(CODES, False)
    values.update(overrides)
    return Sledai2kInput.model_validate(values)


def labs_only(**labs: Any) -> Sledai2kInput:
    return Sledai2kInput.model_validate({"labs": labs})


def q(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def test_table_matches_the_published_weights_and_totals_105() -> None:
    assert {d.code: d.weight for d in DESCRIPTORS} == PUBLISHED_WEIGHTS
    assert MAXIMUM_TOTAL == 105
    assert len(DESCRIPTORS) == 24


def test_every_descriptor_is_an_input_field() -> None:
    descriptor_fields = set(Sledai2kInput.model_fields) - {"date", "lookback_days", "labs"}
    assert descriptor_fields == set(CODES)


@pytest.mark.parametrize(("code", "weight"), PUBLISHED_WEIGHTS.items())
def test_each_descriptor_scores_its_weight(code: str, weight: int) -> None:
    result = score_sledai2k(all_absent(**{code: True}))
    assert result.total == weight
    assert result.present == [code]
    assert result.complete
    serology = code in {"low_complement", "increased_dna_binding"}
    assert result.clinical_total == (0 if serology else weight)


def test_everything_present_scores_105() -> None:
    result = score_sledai2k(Sledai2kInput.model_validate(dict.fromkeys(CODES, True)))
    assert result.total == 105
    assert result.clinical_total == 101


def test_nothing_assessed_is_unknown_not_zero() -> None:
    result = score_sledai2k(Sledai2kInput())
    assert result.total == 0
    assert result.maximum_possible == 105
    assert not result.complete
    assert result.missing == CODES
    assert result.at_least(4) is Status.UNKNOWN


def test_worked_example_active_nephritis() -> None:
    # Arthritis 4 + proteinuria 4 + hematuria 4 + low complement 2 + anti-dsDNA 2 = 16.
    result = score_sledai2k(
        all_absent(
            arthritis=True,
            proteinuria=True,
            hematuria=True,
            low_complement=True,
            increased_dna_binding=True,
        )
    )
    assert result.total == 16
    assert result.clinical_total == 12
    assert "SLEDAI-2K 16 (clinical 12)" in result.summary_line()


@pytest.mark.parametrize(
    ("labs", "code", "present"),
    [
        ({"platelets": q(100, "10^9/L")}, "thrombocytopenia", False),
        ({"platelets": q(99.9, "10^9/L")}, "thrombocytopenia", True),
        ({"platelets": q(100_000, "/mm3")}, "thrombocytopenia", False),
        ({"platelets": q(99_000, "/µL")}, "thrombocytopenia", True),
        ({"leukocytes": q(3.0, "10^9/L")}, "leukopenia", False),
        ({"leukocytes": q(2.99, "x10^9/L")}, "leukopenia", True),
        ({"leukocytes": q(2900, "cells/mm³")}, "leukopenia", True),
        ({"temperature": q(38.0, "°C")}, "fever", False),
        ({"temperature": q(38.1, "°C")}, "fever", True),
        ({"temperature": q(100.4, "°F")}, "fever", False),
        ({"temperature": q(100.5, "F")}, "fever", True),
        ({"urine_protein_24h": q(0.5, "g/24h")}, "proteinuria", False),
        ({"urine_protein_24h": q(501, "mg/24h")}, "proteinuria", True),
        ({"urine_protein_creatinine_ratio": q(500, "mg/g")}, "proteinuria", False),
        ({"urine_protein_creatinine_ratio": q(0.51, "g/g")}, "proteinuria", True),
        ({"urine_rbc_per_hpf": q(5, "/hpf")}, "hematuria", False),
        ({"urine_rbc_per_hpf": q(6, "/hpf")}, "hematuria", True),
        ({"urine_wbc_per_hpf": q(5, "/hpf")}, "pyuria", False),
        ({"urine_wbc_per_hpf": q(6, "cells/hpf")}, "pyuria", True),
    ],
)
def test_lab_descriptor_thresholds_are_strict(
    labs: dict[str, Any], code: str, present: bool
) -> None:
    finding = score_sledai2k(labs_only(**labs)).finding(code)
    assert finding.status is Status.of(present)
    assert finding.basis == "derived"
    assert finding.derived_from is not None


def complement(c3: float | None, c4: float | None) -> dict[str, Any]:
    labs: dict[str, Any] = {}
    if c3 is not None:
        labs["c3"] = {"value": q(c3, "g/L"), "lower_limit_of_normal": q(0.9, "g/L")}
    if c4 is not None:
        labs["c4"] = {"value": q(c4, "mg/dL"), "lower_limit_of_normal": q(10, "mg/dL")}
    return labs


@pytest.mark.parametrize(
    ("c3", "c4", "status"),
    [
        (0.9, 10, Status.NOT_MET),  # exactly at both lower limits: not low
        (0.89, 10, Status.MET),
        (0.9, 9.9, Status.MET),
        (0.5, None, Status.MET),  # one low component is enough
        (1.2, None, Status.UNKNOWN),  # a normal C3 says nothing about C4
        (None, 20, Status.UNKNOWN),
    ],
)
def test_low_complement_against_the_labs_lower_limit(
    c3: float | None, c4: float | None, status: Status
) -> None:
    result = score_sledai2k(labs_only(**complement(c3, c4)))
    assert result.finding("low_complement").status is status


@pytest.mark.parametrize(("value", "present"), [(30, False), (30.1, True), (12, False)])
def test_anti_dsdna_against_the_labs_upper_limit(value: float, present: bool) -> None:
    labs = {"anti_dsdna": {"value": value, "upper_limit_of_normal": 30, "unit": "IU/mL"}}
    finding = score_sledai2k(labs_only(**labs)).finding("increased_dna_binding")
    assert finding.status is Status.of(present)


def test_entered_value_counts_and_disagreement_is_reported() -> None:
    # Urine RBC 10/hpf, but the clinician attributed it to a urinary infection.
    inp = all_absent(labs={"urine_rbc_per_hpf": q(10, "/hpf")})
    result = score_sledai2k(inp)
    assert result.finding("hematuria").status is Status.NOT_MET
    assert result.finding("hematuria").basis == "entered"
    assert len(result.discrepancies) == 1
    assert "Hematuria entered as absent" in result.discrepancies[0]
    assert "10 /hpf" in result.discrepancies[0]


def test_agreement_is_not_a_discrepancy() -> None:
    inp = all_absent(thrombocytopenia=True, labs={"platelets": q(80, "10^9/L")})
    result = score_sledai2k(inp)
    assert result.discrepancies == []
    assert result.finding("thrombocytopenia").derived_from is not None


def test_converted_values_are_shown_in_the_derivation() -> None:
    finding = score_sledai2k(labs_only(leukocytes=q(2500, "/mm3"))).finding("leukopenia")
    assert finding.derived_from == "leukocytes 2500 /mm³ = 2.5 10^9/L < 3 10^9/L"


@pytest.mark.parametrize(
    ("threshold", "status"), [(4, Status.MET), (5, Status.UNKNOWN), (105, Status.UNKNOWN)]
)
def test_partial_assessments_give_three_valued_thresholds(threshold: int, status: Status) -> None:
    result = score_sledai2k(Sledai2kInput(arthritis=True))
    assert result.at_least(threshold) is status


def test_complete_assessment_below_threshold_is_not_met() -> None:
    result = score_sledai2k(all_absent(rash=True))
    assert result.at_least(4) is Status.NOT_MET
    assert result.at_most(4) is Status.MET


def test_lookback_defaults_to_ten_days_and_cites_the_variant() -> None:
    assert score_sledai2k(Sledai2kInput()).lookback_days == 10
    thirty = score_sledai2k(Sledai2kInput(lookback_days=30))
    assert "Touma" in thirty.lookback_source
    with pytest.raises(ValidationError, match="lookback_days"):
        Sledai2kInput.model_validate({"lookback_days": 14})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"labs": {"platelets": q(-1, "10^9/L")}}, "platelets"),
        ({"labs": {"platelets": q(100, "furlongs")}}, "unit"),
        ({"seizures": True}, "seizures"),
        ({"date": "2999-01-01"}, "date"),
        ({"rash": "often"}, "rash"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Sledai2kInput.model_validate(data)


def test_organ_systems_group_lldas_major_organs() -> None:
    by_code = {d.code: d.organ_system for d in DESCRIPTORS}
    assert by_code["pleurisy"] is OrganSystem.CARDIOPULMONARY
    assert by_code["fever"] is OrganSystem.CONSTITUTIONAL
    assert {c for c, o in by_code.items() if o is OrganSystem.RENAL} == {
        "urinary_casts",
        "hematuria",
        "proteinuria",
        "pyuria",
    }


descriptor_states = st.fixed_dictionaries({c: st.sampled_from([True, False, None]) for c in CODES})


@given(descriptor_states)
def test_scores_stay_in_range(states: dict[str, bool | None]) -> None:
    result = score_sledai2k(Sledai2kInput.model_validate(states))
    assert 0 <= result.clinical_total <= result.total <= result.maximum_possible <= 105


@given(descriptor_states, st.sampled_from(CODES))
def test_adding_a_descriptor_never_lowers_the_score(
    states: dict[str, bool | None], code: str
) -> None:
    before = score_sledai2k(Sledai2kInput.model_validate(states))
    after = score_sledai2k(Sledai2kInput.model_validate({**states, code: True}))
    assert after.total >= before.total
    assert after.clinical_total >= before.clinical_total


def test_equal_inputs_give_equal_results_that_share_no_list() -> None:
    """Inputs without laboratory results share their findings' tally (issue 19): the
    results are equal, and each has its own lists, so changing one cannot change another."""
    first = score_sledai2k(Sledai2kInput(rash=True, fever=False))
    second = score_sledai2k(Sledai2kInput(rash=True, fever=False))
    assert first == second
    for name in ("present", "missing", "derived", "discrepancies", "findings"):
        assert getattr(first, name) is not getattr(second, name), name
    first.present.append("seizure")
    assert second.present == ["rash"]
