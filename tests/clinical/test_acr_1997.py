"""The 1997 ACR classification criteria against their published definition.

Tan 1982, as updated by Hochberg 1997.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from lupustrial.clinical.acr_1997 import (
    CRITERIA,
    Acr1997Input,
    Acr1997Result,
    score_acr_1997,
)
from lupustrial.clinical.sources import HOCHBERG_1997, TAN_1982
from lupustrial.clinical.status import Status

PUBLISHED: dict[int, tuple[str, list[str]]] = {
    1: ("malar_rash", ["malar_rash"]),
    2: ("discoid_rash", ["discoid_rash"]),
    3: ("photosensitivity", ["photosensitivity"]),
    4: ("oral_ulcers", ["oral_ulcers"]),
    5: ("arthritis", ["arthritis"]),
    6: ("serositis", ["pleuritis", "pericarditis"]),
    7: ("renal_disorder", ["persistent_proteinuria", "cellular_casts"]),
    8: ("neurologic_disorder", ["seizures", "psychosis"]),
    9: (
        "hematologic_disorder",
        [
            "hemolytic_anemia",
            "leukopenia_two_occasions",
            "lymphopenia_two_occasions",
            "thrombocytopenia",
        ],
    ),
    10: (
        "immunologic_disorder",
        [
            "anti_dsdna",
            "anti_sm",
            "anticardiolipin",
            "lupus_anticoagulant",
            "false_positive_syphilis_serology",
        ],
    ),
    11: ("antinuclear_antibody", ["antinuclear_antibody"]),
}
PUBLISHED_LABELS = {
    "pleuritis": "a",
    "pericarditis": "b",
    "persistent_proteinuria": "a",
    "cellular_casts": "b",
    "seizures": "a",
    "psychosis": "b",
    "hemolytic_anemia": "a",
    "leukopenia_two_occasions": "b",
    "lymphopenia_two_occasions": "c",
    "thrombocytopenia": "d",
    "anti_dsdna": "a",
    "anti_sm": "b",
    "anticardiolipin": "c(1)",
    "lupus_anticoagulant": "c(2)",
    "false_positive_syphilis_serology": "c(3)",
}
SUB_ITEMS = [code for _, codes in PUBLISHED.values() for code in codes]
CRITERION_OF = {code: criterion for criterion, codes in PUBLISHED.values() for code in codes}
RAW_FIELDS = {"date", "leukocyte_counts", "lymphocyte_counts", "platelets", "urine_protein_24h"}


def all_absent(**overrides: Any) -> Acr1997Input:
    values: dict[str, Any] = dict.fromkeys(SUB_ITEMS, False)
    values.update(overrides)
    return Acr1997Input.model_validate(values)


def score(**values: Any) -> Acr1997Result:
    return score_acr_1997(Acr1997Input.model_validate(values))


def q(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def counts(*dated: tuple[str, float, str]) -> list[dict[str, Any]]:
    return [{"date": date, "count": q(value, unit)} for date, value, unit in dated]


def test_table_matches_the_published_criteria() -> None:
    assert {c.number: (c.code, [s.code for s in c.sub_items]) for c in CRITERIA} == PUBLISHED
    labels = {s.code: s.label for c in CRITERIA for s in c.sub_items if s.label}
    assert labels == PUBLISHED_LABELS
    assert all(c.definition and all(s.definition for s in c.sub_items) for c in CRITERIA)


def test_every_sub_item_is_an_input_field_with_its_definition() -> None:
    fields = Acr1997Input.model_fields
    assert set(fields) == set(SUB_ITEMS) | RAW_FIELDS
    description = fields["leukopenia_two_occasions"].description or ""
    assert "9b" in description
    assert "2 or more occasions" in description


def test_the_le_cell_is_not_a_criterion_since_hochberg_1997() -> None:
    codes = {c.code for c in CRITERIA} | set(SUB_ITEMS)
    assert not any("le_cell" in code for code in codes)
    with pytest.raises(ValidationError, match="le_cell_preparation"):
        Acr1997Input.model_validate({"le_cell_preparation": True})


@pytest.mark.parametrize("code", SUB_ITEMS)
def test_each_sub_item_alone_meets_its_criterion(code: str) -> None:
    result = score_acr_1997(all_absent(**{code: True}))
    assert result.count == 1
    assert result.maximum_possible == 1
    finding = result.criterion(CRITERION_OF[code])
    assert finding.status is Status.MET
    assert finding.sub_items_met == [code]
    assert result.classified is Status.NOT_MET


FOUR = ("malar_rash", "arthritis", "anti_dsdna", "antinuclear_antibody")


def test_exactly_four_criteria_classify() -> None:
    result = score_acr_1997(all_absent(**dict.fromkeys(FOUR, True)))
    assert result.count == 4
    assert result.classified is Status.MET
    assert result.summary_line().startswith("1997 ACR: classified (4 of 11 criteria)")
    assert result.missing == []


def test_three_criteria_do_not_classify() -> None:
    result = score_acr_1997(all_absent(**dict.fromkeys(FOUR[:3], True)))
    assert result.count == 3
    assert result.maximum_possible == 3
    assert result.classified is Status.NOT_MET
    assert result.summary_line().startswith("1997 ACR: not classified (3 of 11 criteria)")


def test_two_sub_items_of_one_criterion_count_once() -> None:
    result = score_acr_1997(
        all_absent(pleuritis=True, pericarditis=True, malar_rash=True, oral_ulcers=True)
    )
    assert result.count == 3
    assert result.criterion("serositis").sub_items_met == ["pleuritis", "pericarditis"]
    assert result.classified is Status.NOT_MET


def test_five_criteria_summary() -> None:
    result = score_acr_1997(all_absent(**dict.fromkeys((*FOUR, "seizures"), True)))
    assert result.summary_line() == (
        "1997 ACR: classified (5 of 11 criteria): Malar rash, Arthritis, Neurologic disorder, "
        "Immunologic disorder, Antinuclear antibody"
    )


def test_unknowns_that_can_reach_four_leave_it_undetermined() -> None:
    result = score_acr_1997(all_absent(**dict.fromkeys(FOUR[:3], True), seizures=None))
    assert result.count == 3
    assert result.maximum_possible == 4
    assert result.classified is Status.UNKNOWN
    assert result.missing == ["seizures"]
    assert "undetermined" in result.reasons[-1]
    assert "not assessed: neurologic_disorder" in result.summary_line()


def test_unknowns_that_cannot_reach_four_are_not_met() -> None:
    result = score_acr_1997(all_absent(malar_rash=True, arthritis=True, seizures=None))
    assert result.maximum_possible == 3
    assert result.classified is Status.NOT_MET
    assert "not classified" in result.reasons[-1]


def test_nothing_assessed_is_unknown_not_zero() -> None:
    result = score()
    assert result.count == 0
    assert result.maximum_possible == 11
    assert result.classified is Status.UNKNOWN
    assert result.missing == SUB_ITEMS


def test_a_met_criterion_needs_no_other_sub_item() -> None:
    # Hemolytic anemia alone settles criterion 9; its other sub-items do not matter.
    result = score(hemolytic_anemia=True)
    assert result.criterion("hematologic_disorder").status is Status.MET
    assert "leukopenia_two_occasions" not in result.missing


def test_result_cites_both_sources() -> None:
    result = score()
    assert result.instrument == "1997 ACR"
    assert TAN_1982 in result.source
    assert HOCHBERG_1997 in result.source
    assert any("Tan 1982; Hochberg 1997" in reason for reason in result.reasons)
    assert "Hochberg 1997" in (score_acr_1997.__doc__ or "")


# Leukopenia and lymphopenia need 2 occasions (Tan 1982).


def hematology(**values: Any) -> Status:
    inp = Acr1997Input.model_validate(values)
    return score_acr_1997(inp).criterion("hematologic_disorder").status


def test_leukopenia_on_one_occasion_is_not_met() -> None:
    result = score(leukocyte_counts=counts(("2024-01-05", 3.5, "10^9/L")))
    finding = result.criterion("hematologic_disorder")
    assert finding.sub_items_met == []
    assert "leukopenia_two_occasions" in finding.derived
    assert "only 1 occasion" in finding.derived_from[0]
    # Not met, not unknown: the other hematologic sub-items are still open.
    assert finding.status is Status.UNKNOWN
    assert "leukopenia_two_occasions" not in finding.not_assessed


def test_leukopenia_on_two_dates_is_met() -> None:
    result = score(
        leukocyte_counts=counts(("2024-01-05", 3.5, "10^9/L"), ("2024-03-01", 3900, "/mm³"))
    )
    finding = result.criterion("hematologic_disorder")
    assert finding.status is Status.MET
    assert finding.sub_items_met == ["leukopenia_two_occasions"]
    assert finding.derived_from == [
        "leukocyte_counts < 4 10^9/L on 2 occasions "
        "(2024-01-05: 3.5 10^9/L; 2024-03-01: 3900 /mm³ = 3.9 10^9/L)"
    ]
    assert result.derived == ["leukopenia_two_occasions"]


def test_two_low_values_on_the_same_date_are_one_occasion() -> None:
    result = score(
        leukocyte_counts=counts(("2024-01-05", 3.5, "10^9/L"), ("2024-01-05", 3.1, "10^9/L"))
    )
    finding = result.criterion("hematologic_disorder")
    assert finding.sub_items_met == []
    assert "only 1 occasion" in finding.derived_from[0]


@pytest.mark.parametrize(
    ("field", "value", "unit", "met"),
    [
        ("leukocyte_counts", 4.0, "10^9/L", False),
        ("leukocyte_counts", 4000, "/mm³", False),
        ("leukocyte_counts", 3999, "/mm3", True),
        ("leukocyte_counts", 3900, "cells/µL", True),
        ("lymphocyte_counts", 1.5, "10^9/L", False),
        ("lymphocyte_counts", 1500, "/mm³", False),
        ("lymphocyte_counts", 1.49, "x10^9/L", True),
    ],
)
def test_count_thresholds_are_strict(field: str, value: float, unit: str, met: bool) -> None:
    low_twice = counts(("2024-01-05", value, unit), ("2024-02-05", value, unit))
    result = score(**{field: low_twice})
    sub_item = {"leukocyte_counts": "leukopenia_two_occasions"}.get(
        field, "lymphopenia_two_occasions"
    )
    assert (sub_item in result.criterion("hematologic_disorder").sub_items_met) is met


def test_counts_never_low_are_not_met_on_the_evidence_given() -> None:
    result = score(
        hemolytic_anemia=False,
        thrombocytopenia=False,
        leukocyte_counts=counts(("2024-01-05", 6.0, "10^9/L"), ("2024-02-05", 5.5, "10^9/L")),
        lymphocyte_counts=counts(("2024-01-05", 2.0, "10^9/L")),
    )
    finding = result.criterion("hematologic_disorder")
    assert finding.status is Status.NOT_MET
    assert all("not met on the evidence given" in note for note in finding.derived_from)


def test_entered_occasions_count_and_disagreement_is_reported() -> None:
    # The clinician knows of an earlier low count that is not in the list.
    result = score(
        leukopenia_two_occasions=True,
        leukocyte_counts=counts(("2024-01-05", 3.5, "10^9/L")),
    )
    finding = result.criterion("hematologic_disorder")
    assert finding.status is Status.MET
    assert finding.derived == []
    assert len(result.discrepancies) == 1
    assert "Leukopenia entered as present" in result.discrepancies[0]
    assert "only 1 occasion" in result.discrepancies[0]


def test_entered_absence_against_two_low_occasions_is_reported() -> None:
    # e.g. both low counts were on a drug known to cause leukopenia.
    result = score(
        leukopenia_two_occasions=False,
        lymphocyte_counts=counts(("2024-01-05", 1.0, "10^9/L"), ("2024-02-05", 1.2, "10^9/L")),
        lymphopenia_two_occasions=False,
    )
    assert result.criterion("hematologic_disorder").sub_items_met == []
    assert result.discrepancies[0].startswith("Lymphopenia entered as absent")


@pytest.mark.parametrize(
    ("platelets", "met"),
    [(q(100, "10^9/L"), False), (q(99.9, "10^9/L"), True), (q(100_000, "/mm³"), False)],
)
def test_thrombocytopenia_below_100_strictly(platelets: dict[str, Any], met: bool) -> None:
    finding = score(platelets=platelets).criterion("hematologic_disorder")
    assert ("thrombocytopenia" in finding.sub_items_met) is met
    assert finding.derived == ["thrombocytopenia"]


@pytest.mark.parametrize(
    ("protein", "status"),
    [(q(0.5, "g/day"), Status.UNKNOWN), (q(501, "mg/24h"), Status.MET)],
)
def test_proteinuria_above_half_a_gram_strictly(protein: dict[str, Any], status: Status) -> None:
    finding = score(urine_protein_24h=protein).criterion("renal_disorder")
    assert finding.status is status  # cellular casts still open when proteinuria is absent
    assert finding.derived == ["persistent_proteinuria"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"malar_rashes": True}, "malar_rashes"),
        ({"platelets": q(100, "furlongs")}, "unit"),
        ({"platelets": q(-1, "10^9/L")}, "negative"),
        ({"leukocyte_counts": counts(("2024-01-05", -3, "10^9/L"))}, "negative"),
        ({"lymphocyte_counts": counts(("2999-01-01", 1.0, "10^9/L"))}, "future"),
        ({"date": "2999-01-01"}, "future"),
        (
            {"date": "2024-01-01", "leukocyte_counts": counts(("2024-02-01", 3, "10^9/L"))},
            "after the assessment",
        ),
        ({"urine_protein_24h": q(1, "mmol/L")}, "unit"),
        ({"arthritis": "sometimes"}, "arthritis"),
    ],
)
def test_bad_input_is_rejected(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Acr1997Input.model_validate(data)


def test_counts_on_the_assessment_date_are_accepted() -> None:
    today = dt.date.today().isoformat()
    inp = Acr1997Input.model_validate(
        {"date": today, "leukocyte_counts": counts((today, 3.0, "10^9/L"))}
    )
    assert score_acr_1997(inp).date == dt.date.today()


states = st.fixed_dictionaries({code: st.sampled_from([True, False, None]) for code in SUB_ITEMS})
low_counts = st.lists(
    st.fixed_dictionaries(
        {
            "date": st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 5)),
            "count": st.fixed_dictionaries(
                {"value": st.floats(0, 8, allow_nan=False), "unit": st.just("10^9/L")}
            ),
        }
    ),
    max_size=4,
)


@given(states, low_counts)
def test_counts_stay_in_range_and_the_rule_holds(
    values: dict[str, bool | None], leukocytes: list[dict[str, Any]]
) -> None:
    result = score_acr_1997(Acr1997Input.model_validate({**values, "leukocyte_counts": leukocytes}))
    assert 0 <= result.count <= result.maximum_possible <= 11
    assert result.count == sum(f.status is Status.MET for f in result.criteria)
    if result.classified is Status.MET:
        assert result.count >= 4
    if result.classified is Status.NOT_MET:
        assert result.maximum_possible < 4
    if result.classified is Status.UNKNOWN:
        assert result.count < 4 <= result.maximum_possible


@given(states, st.sampled_from(SUB_ITEMS))
def test_asserting_an_unknown_sub_item_never_lowers_the_count(
    values: dict[str, bool | None], code: str
) -> None:
    before = score_acr_1997(Acr1997Input.model_validate({**values, code: None}))
    after = score_acr_1997(Acr1997Input.model_validate({**values, code: True}))
    assert after.count >= before.count
    if before.classified is Status.MET:
        assert after.classified is Status.MET


@given(
    st.fixed_dictionaries({code: st.booleans() for code in SUB_ITEMS}),
    st.sets(st.sampled_from(SUB_ITEMS), max_size=5),
)
def test_a_settled_classification_holds_for_every_way_of_filling_the_gaps(
    values: dict[str, bool], unknown: set[str]
) -> None:
    gaps = sorted(unknown)
    partial = score_acr_1997(Acr1997Input.model_validate({**values, **dict.fromkeys(gaps)}))
    outcomes = {
        score_acr_1997(
            Acr1997Input.model_validate({**values, **dict(zip(gaps, combo, strict=True))})
        ).classified
        for combo in itertools.product([False, True], repeat=len(gaps))
    }
    if partial.classified is not Status.UNKNOWN:
        assert outcomes == {partial.classified}
    else:
        assert outcomes == {Status.MET, Status.NOT_MET}  # unknown only when it can go either way
