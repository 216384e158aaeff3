"""The SLICC 2012 classification criteria against their published definition (Petri 2012)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from lupustrial.clinical.criteria_common import CriterionKind
from lupustrial.clinical.slicc_2012 import (
    CRITERIA,
    Slicc2012Input,
    Slicc2012Result,
    score_slicc_2012,
)
from lupustrial.clinical.sources import PETRI_2012
from lupustrial.clinical.status import Status

PUBLISHED_CLINICAL: dict[int, tuple[str, list[str]]] = {
    1: ("acute_cutaneous_lupus", ["acute_cutaneous_lupus", "subacute_cutaneous_lupus"]),
    2: ("chronic_cutaneous_lupus", ["chronic_cutaneous_lupus"]),
    3: ("oral_ulcers", ["oral_ulcers", "nasal_ulcers"]),
    4: ("nonscarring_alopecia", ["nonscarring_alopecia"]),
    5: (
        "synovitis",
        [
            "synovitis_two_or_more_joints",
            "tenderness_two_or_more_joints",
            "morning_stiffness_minutes",
        ],
    ),
    6: ("serositis", ["pleurisy", "pericarditis"]),
    7: ("renal", ["proteinuria", "red_cell_casts"]),
    8: (
        "neurologic",
        [
            "seizures",
            "psychosis",
            "mononeuritis_multiplex",
            "myelitis",
            "peripheral_or_cranial_neuropathy",
            "acute_confusional_state",
        ],
    ),
    9: ("hemolytic_anemia", ["hemolytic_anemia"]),
    10: ("leukopenia_or_lymphopenia", ["leukopenia", "lymphopenia"]),
    11: ("thrombocytopenia", ["thrombocytopenia"]),
}
PUBLISHED_IMMUNOLOGIC: dict[int, tuple[str, list[str]]] = {
    1: ("antinuclear_antibody", ["antinuclear_antibody"]),
    2: ("anti_dsdna", ["anti_dsdna"]),
    3: ("anti_sm", ["anti_sm"]),
    4: (
        "antiphospholipid",
        [
            "lupus_anticoagulant",
            "false_positive_rpr",
            "anticardiolipin",
            "anti_beta2_glycoprotein_i",
        ],
    ),
    5: ("low_complement", ["low_c3", "low_c4", "low_ch50"]),
    6: ("direct_coombs", ["direct_coombs_positive", "no_hemolytic_anemia"]),
}
BOOLEAN_FIELDS = [
    code
    for table in (PUBLISHED_CLINICAL, PUBLISHED_IMMUNOLOGIC)
    for _, codes in table.values()
    for code in codes
    if code not in {"morning_stiffness_minutes", "no_hemolytic_anemia"}
] + ["biopsy_proven_lupus_nephritis"]
RAW_FIELDS = {
    "date",
    "morning_stiffness_minutes",
    "leukocytes",
    "lymphocytes",
    "platelets",
    "urine_protein_24h",
    "urine_protein_creatinine_ratio",
}
CLINICAL = ["oral_ulcers", "nonscarring_alopecia", "pleurisy", "seizures"]
IMMUNOLOGIC = ["antinuclear_antibody", "anti_dsdna", "anti_sm", "low_c3"]


def all_absent(**overrides: Any) -> Slicc2012Input:
    values: dict[str, Any] = dict.fromkeys(BOOLEAN_FIELDS, False)
    values.update(overrides)
    return Slicc2012Input.model_validate(values)


def score(**values: Any) -> Slicc2012Result:
    return score_slicc_2012(all_absent(**values))


def q(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def test_table_matches_the_published_criteria() -> None:
    def table(kind: CriterionKind) -> dict[int, tuple[str, list[str]]]:
        return {
            c.number: (c.code, [s.code for s in c.sub_items]) for c in CRITERIA if c.kind is kind
        }

    assert table(CriterionKind.CLINICAL) == PUBLISHED_CLINICAL
    assert table(CriterionKind.IMMUNOLOGIC) == PUBLISHED_IMMUNOLOGIC
    assert len(CRITERIA) == 17


def test_every_sub_item_is_an_input_field() -> None:
    assert set(Slicc2012Input.model_fields) == set(BOOLEAN_FIELDS) | RAW_FIELDS


def test_everything_absent_is_not_classified() -> None:
    result = score()
    assert (result.count, result.maximum_possible) == (0, 0)
    assert result.classified is Status.NOT_MET
    assert result.missing == []


@pytest.mark.parametrize(
    ("values", "criterion"),
    [
        ({"acute_cutaneous_lupus": True}, "acute_cutaneous_lupus"),
        ({"subacute_cutaneous_lupus": True}, "acute_cutaneous_lupus"),
        ({"chronic_cutaneous_lupus": True}, "chronic_cutaneous_lupus"),
        ({"oral_ulcers": True}, "oral_ulcers"),
        ({"nasal_ulcers": True}, "oral_ulcers"),
        ({"nonscarring_alopecia": True}, "nonscarring_alopecia"),
        ({"synovitis_two_or_more_joints": True}, "synovitis"),
        ({"tenderness_two_or_more_joints": True, "morning_stiffness_minutes": 30}, "synovitis"),
        ({"pleurisy": True}, "serositis"),
        ({"pericarditis": True}, "serositis"),
        ({"proteinuria": True}, "renal"),
        ({"red_cell_casts": True}, "renal"),
        ({"seizures": True}, "neurologic"),
        ({"psychosis": True}, "neurologic"),
        ({"mononeuritis_multiplex": True}, "neurologic"),
        ({"myelitis": True}, "neurologic"),
        ({"peripheral_or_cranial_neuropathy": True}, "neurologic"),
        ({"acute_confusional_state": True}, "neurologic"),
        ({"hemolytic_anemia": True}, "hemolytic_anemia"),
        ({"leukopenia": True}, "leukopenia_or_lymphopenia"),
        ({"lymphopenia": True}, "leukopenia_or_lymphopenia"),
        ({"thrombocytopenia": True}, "thrombocytopenia"),
        ({"antinuclear_antibody": True}, "antinuclear_antibody"),
        ({"anti_dsdna": True}, "anti_dsdna"),
        ({"anti_sm": True}, "anti_sm"),
        ({"lupus_anticoagulant": True}, "antiphospholipid"),
        ({"false_positive_rpr": True}, "antiphospholipid"),
        ({"anticardiolipin": True}, "antiphospholipid"),
        ({"anti_beta2_glycoprotein_i": True}, "antiphospholipid"),
        ({"low_c3": True}, "low_complement"),
        ({"low_c4": True}, "low_complement"),
        ({"low_ch50": True}, "low_complement"),
        ({"direct_coombs_positive": True}, "direct_coombs"),
    ],
)
def test_each_sub_item_alone_meets_its_criterion(values: dict[str, Any], criterion: str) -> None:
    result = score(**values)
    assert [f.code for f in result.criteria if f.status is Status.MET] == [criterion]
    assert result.count == result.maximum_possible == 1
    kind = result.criterion(criterion).kind
    assert result.clinical_count == (1 if kind is CriterionKind.CLINICAL else 0)
    assert result.immunologic_count == (1 if kind is CriterionKind.IMMUNOLOGIC else 0)


@pytest.mark.parametrize(
    ("tenderness", "minutes", "status"),
    [
        (True, 30, Status.MET),  # 'at least 30 minutes': exactly 30 counts
        (True, 29, Status.NOT_MET),
        (False, 120, Status.NOT_MET),
        (True, None, Status.UNKNOWN),
        (None, 45, Status.UNKNOWN),
        (None, 10, Status.NOT_MET),
    ],
)
def test_tenderness_needs_thirty_minutes_of_morning_stiffness(
    tenderness: bool | None, minutes: int | None, status: Status
) -> None:
    result = score(tenderness_two_or_more_joints=tenderness, morning_stiffness_minutes=minutes)
    assert result.criterion("synovitis").status is status


def test_synovitis_needs_no_morning_stiffness() -> None:
    result = score(synovitis_two_or_more_joints=True, morning_stiffness_minutes=None)
    assert result.criterion("synovitis").status is Status.MET


def test_four_criteria_with_both_kinds_classify() -> None:
    result = score(**dict.fromkeys([*CLINICAL[:2], *IMMUNOLOGIC[:2]], True))
    assert (result.count, result.clinical_count, result.immunologic_count) == (4, 2, 2)
    assert result.count_route is Status.MET
    assert result.classified is Status.MET
    assert result.summary_line().startswith(
        "SLICC 2012: classified (4 of 17 criteria; 2 clinical, 2 immunologic)"
    )


def test_three_criteria_do_not_classify() -> None:
    result = score(**dict.fromkeys([*CLINICAL[:2], IMMUNOLOGIC[0]], True))
    assert result.count == 3
    assert result.classified is Status.NOT_MET


def test_four_clinical_and_no_immunologic_do_not_classify() -> None:
    result = score(**dict.fromkeys(CLINICAL, True))
    assert (result.clinical_count, result.immunologic_count) == (4, 0)
    assert result.count_route is Status.NOT_MET
    assert result.classified is Status.NOT_MET


def test_four_immunologic_and_no_clinical_do_not_classify() -> None:
    result = score(**dict.fromkeys(IMMUNOLOGIC, True))
    assert (result.clinical_count, result.immunologic_count) == (0, 4)
    assert result.classified is Status.NOT_MET


def test_four_clinical_with_immunology_not_assessed_is_undetermined() -> None:
    immunology = {
        f: None for f in BOOLEAN_FIELDS if f in {"antinuclear_antibody", "anti_dsdna", "anti_sm"}
    }
    result = score(**dict.fromkeys(CLINICAL, True), **immunology)
    assert result.immunologic_maximum_possible == 3
    assert result.classified is Status.UNKNOWN
    assert result.missing == ["antinuclear_antibody", "anti_dsdna", "anti_sm"]


def test_unknowns_that_cannot_reach_four_are_not_met() -> None:
    result = score(oral_ulcers=True, antinuclear_antibody=True, seizures=None)
    assert (result.count, result.maximum_possible) == (2, 3)
    assert result.classified is Status.NOT_MET


def test_nothing_assessed_is_unknown() -> None:
    result = score_slicc_2012(Slicc2012Input())
    assert (result.count, result.maximum_possible) == (0, 17)
    assert result.classified is Status.UNKNOWN
    assert "biopsy_proven_lupus_nephritis" in result.missing


@pytest.mark.parametrize("antibody", ["antinuclear_antibody", "anti_dsdna"])
def test_biopsy_proven_nephritis_with_ana_or_anti_dsdna_alone_classifies(antibody: str) -> None:
    result = score(biopsy_proven_lupus_nephritis=True, **{antibody: True})
    assert result.count == 1
    assert result.count_route is Status.NOT_MET
    assert result.renal_biopsy_route is Status.MET
    assert result.classified is Status.MET
    assert "by biopsy-proven lupus nephritis" in result.summary_line()


def test_biopsy_proven_nephritis_needs_an_antibody() -> None:
    assert score(biopsy_proven_lupus_nephritis=True).classified is Status.NOT_MET
    open_ana = score(biopsy_proven_lupus_nephritis=True, antinuclear_antibody=None)
    assert open_ana.renal_biopsy_route is Status.UNKNOWN
    assert open_ana.classified is Status.UNKNOWN
    assert open_ana.missing == ["antinuclear_antibody"]


def test_biopsy_not_assessed_keeps_the_route_open() -> None:
    result = score(antinuclear_antibody=True, biopsy_proven_lupus_nephritis=None)
    assert result.renal_biopsy_route is Status.UNKNOWN
    assert result.classified is Status.UNKNOWN
    assert result.missing == ["biopsy_proven_lupus_nephritis"]


@pytest.mark.parametrize(
    ("hemolytic_anemia", "coombs", "hemolytic"),
    [
        (False, Status.MET, Status.NOT_MET),
        (True, Status.NOT_MET, Status.MET),  # counts as hemolytic anemia only
        (None, Status.UNKNOWN, Status.UNKNOWN),
    ],
)
def test_direct_coombs_counts_only_without_hemolytic_anemia(
    hemolytic_anemia: bool | None, coombs: Status, hemolytic: Status
) -> None:
    result = score(direct_coombs_positive=True, hemolytic_anemia=hemolytic_anemia)
    assert result.criterion("direct_coombs").status is coombs
    assert result.criterion("hemolytic_anemia").status is hemolytic
    if hemolytic_anemia:
        assert result.immunologic_count == 0
        assert any("hemolytic anemia only" in reason for reason in result.reasons)
    if hemolytic_anemia is None:
        assert result.missing == ["hemolytic_anemia"]


def test_direct_coombs_with_hemolytic_anemia_does_not_complete_four() -> None:
    result = score(
        oral_ulcers=True,
        pleurisy=True,
        antinuclear_antibody=True,
        hemolytic_anemia=True,
        direct_coombs_positive=True,
    )
    assert (result.count, result.clinical_count, result.immunologic_count) == (4, 3, 1)
    assert result.criterion("direct_coombs").status is Status.NOT_MET


def test_negative_coombs_needs_no_hemolytic_anemia_assessment() -> None:
    result = score(direct_coombs_positive=False, hemolytic_anemia=None)
    assert result.criterion("direct_coombs").status is Status.NOT_MET


@pytest.mark.parametrize(
    ("labs", "sub_item", "criterion", "met"),
    [
        ({"lymphocytes": q(1.0, "10^9/L")}, "lymphopenia", "leukopenia_or_lymphopenia", False),
        ({"lymphocytes": q(0.99, "10^9/L")}, "lymphopenia", "leukopenia_or_lymphopenia", True),
        ({"lymphocytes": q(1000, "/mm³")}, "lymphopenia", "leukopenia_or_lymphopenia", False),
        ({"leukocytes": q(4.0, "10^9/L")}, "leukopenia", "leukopenia_or_lymphopenia", False),
        ({"leukocytes": q(3900, "/mm³")}, "leukopenia", "leukopenia_or_lymphopenia", True),
        ({"platelets": q(100, "10^9/L")}, "thrombocytopenia", "thrombocytopenia", False),
        ({"platelets": q(100_000, "/mm3")}, "thrombocytopenia", "thrombocytopenia", False),
        ({"platelets": q(99, "10^3/µL")}, "thrombocytopenia", "thrombocytopenia", True),
        ({"urine_protein_24h": q(0.5, "g/24h")}, "proteinuria", "renal", True),
        ({"urine_protein_24h": q(499, "mg/24h")}, "proteinuria", "renal", False),
        ({"urine_protein_creatinine_ratio": q(500, "mg/g")}, "proteinuria", "renal", True),
        # 50 mg/mmol = 0.442 g/g; 57 mg/mmol = 0.504 g/g (creatinine 113.12 g/mol).
        ({"urine_protein_creatinine_ratio": q(50, "mg/mmol")}, "proteinuria", "renal", False),
        ({"urine_protein_creatinine_ratio": q(57, "mg/mmol")}, "proteinuria", "renal", True),
    ],
)
def test_laboratory_thresholds(
    labs: dict[str, Any], sub_item: str, criterion: str, met: bool
) -> None:
    finding = score(**{sub_item: None}, **labs).criterion(criterion)
    assert finding.status is Status.of(met)
    assert finding.derived == [sub_item]
    assert finding.derived_from


def test_converted_values_are_shown_in_the_derivation() -> None:
    result = score(leukopenia=None, lymphopenia=None, leukocytes=q(3900, "/mm³"))
    assert result.criterion("leukopenia_or_lymphopenia").derived_from == [
        "leukocytes 3900 /mm³ = 3.9 10^9/L < 4 10^9/L"
    ]
    assert result.derived == ["leukopenia"]


def test_the_24_hour_collection_decides_over_the_ratio() -> None:
    result = score(
        proteinuria=None,
        urine_protein_24h=q(0.3, "g/24h"),
        urine_protein_creatinine_ratio=q(0.9, "g/g"),
    )
    assert result.criterion("renal").status is Status.NOT_MET


def test_entered_value_counts_and_disagreement_is_reported() -> None:
    # Thrombocytopenia attributed to heparin: the clinician enters it as absent.
    result = score(thrombocytopenia=False, platelets=q(60, "10^9/L"))
    assert result.criterion("thrombocytopenia").status is Status.NOT_MET
    assert result.discrepancies == [
        "Thrombocytopenia entered as absent, but the measurements say present "
        "(platelets 60 10^9/L < 100 10^9/L); the entered value counts."
    ]


def test_result_cites_petri_2012() -> None:
    result = score()
    assert result.instrument == "SLICC 2012"
    assert result.source == PETRI_2012
    assert "Petri 2012" in result.reasons[0]
    assert "Petri 2012" in (score_slicc_2012.__doc__ or "")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"malar_rash": True}, "malar_rash"),
        ({"platelets": q(100, "furlongs")}, "unit"),
        ({"lymphocytes": q(-0.5, "10^9/L")}, "negative"),
        ({"morning_stiffness_minutes": -5}, "morning_stiffness_minutes"),
        ({"date": "2999-01-01"}, "future"),
        ({"urine_protein_creatinine_ratio": q(1, "g/day")}, "unit"),
        ({"anti_sm": "weak"}, "anti_sm"),
    ],
)
def test_bad_input_is_rejected(data: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        Slicc2012Input.model_validate(data)


ENTERED = BOOLEAN_FIELDS
states = st.fixed_dictionaries(
    {
        **{code: st.sampled_from([True, False, None]) for code in ENTERED},
        "morning_stiffness_minutes": st.none() | st.integers(0, 90),
    }
)


def rule_holds(result: Slicc2012Result, inp: Slicc2012Input) -> bool:
    by_count = result.count >= 4 and result.clinical_count >= 1 and result.immunologic_count >= 1
    antibody = any(
        result.criterion(code).status is Status.MET
        for code in ("antinuclear_antibody", "anti_dsdna")
    )
    return by_count or (inp.biopsy_proven_lupus_nephritis is True and antibody)


@given(states)
def test_counts_stay_in_range_and_the_rule_holds(values: dict[str, Any]) -> None:
    inp = Slicc2012Input.model_validate(values)
    result = score_slicc_2012(inp)
    assert 0 <= result.count <= result.maximum_possible <= 17
    assert result.count == result.clinical_count + result.immunologic_count
    assert result.clinical_count <= result.clinical_maximum_possible <= 11
    assert result.immunologic_count <= result.immunologic_maximum_possible <= 6
    if result.classified is Status.MET:
        assert rule_holds(result, inp)
    if result.classified is Status.NOT_MET:
        assert not rule_holds(result, inp)
        assert result.renal_biopsy_route is Status.NOT_MET
        assert (
            result.maximum_possible < 4
            or result.clinical_maximum_possible < 1
            or result.immunologic_maximum_possible < 1
        )


@given(states, st.sampled_from(ENTERED))
def test_asserting_an_unknown_item_never_lowers_the_count(
    values: dict[str, Any], code: str
) -> None:
    before = score_slicc_2012(Slicc2012Input.model_validate({**values, code: None}))
    after = score_slicc_2012(Slicc2012Input.model_validate({**values, code: True}))
    assert after.count >= before.count
    if before.classified is Status.MET:
        assert after.classified is Status.MET


known = st.fixed_dictionaries(
    {
        **{code: st.booleans() for code in ENTERED},
        "morning_stiffness_minutes": st.sampled_from([0, 30]),
    }
)


@given(known, st.sets(st.sampled_from([*ENTERED, "morning_stiffness_minutes"]), max_size=5))
def test_a_settled_classification_holds_for_every_way_of_filling_the_gaps(
    values: dict[str, Any], unknown: set[str]
) -> None:
    # The Coombs criterion is not monotone in hemolytic anemia, so check against brute force.
    partial = score_slicc_2012(Slicc2012Input.model_validate({**values, **dict.fromkeys(unknown)}))
    choices = {f: [0, 30] if f == "morning_stiffness_minutes" else [False, True] for f in unknown}
    outcomes = {
        score_slicc_2012(
            Slicc2012Input.model_validate({**values, **dict(zip(choices, combo, strict=True))})
        ).classified
        for combo in itertools.product(*choices.values())
    }
    assert Status.UNKNOWN not in outcomes
    if partial.classified is not Status.UNKNOWN:
        assert outcomes == {partial.classified}
