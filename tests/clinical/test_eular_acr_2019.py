"""2019 EULAR/ACR classification criteria for SLE against the published table (Aringer 2019)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from lupustrial.clinical.eular_acr_2019 import (
    CLASSIFICATION_THRESHOLD,
    DOMAINS,
    ENTRIES,
    ITEMS,
    MAXIMUM_TOTAL,
    VALUE_THRESHOLDS,
    DomainKind,
    EularAcr2019Input,
    score_eular_acr_2019,
)
from lupustrial.clinical.sources import ARINGER_2019
from lupustrial.clinical.status import Status

# Aringer 2019, Table 1: domain -> (kind, {criterion: weight}).
PUBLISHED: dict[str, tuple[str, dict[str, int]]] = {
    "constitutional": ("clinical", {"fever": 2}),
    "hematologic": (
        "clinical",
        {"leukopenia": 3, "thrombocytopenia": 4, "autoimmune_hemolysis": 4},
    ),
    "neuropsychiatric": ("clinical", {"delirium": 2, "psychosis": 3, "seizure": 5}),
    "mucocutaneous": (
        "clinical",
        {
            "non_scarring_alopecia": 2,
            "oral_ulcers": 2,
            "subacute_cutaneous_or_discoid_lupus": 4,
            "acute_cutaneous_lupus": 6,
        },
    ),
    "serosal": ("clinical", {"pleural_or_pericardial_effusion": 5, "acute_pericarditis": 6}),
    "musculoskeletal": ("clinical", {"joint_involvement": 6}),
    "renal": (
        "clinical",
        {"proteinuria": 4, "renal_biopsy_class_ii_or_v": 8, "renal_biopsy_class_iii_or_iv": 10},
    ),
    "antiphospholipid_antibodies": ("immunologic", {"antiphospholipid_antibodies": 2}),
    "complement_proteins": ("immunologic", {"low_c3_or_low_c4": 3, "low_c3_and_low_c4": 4}),
    "sle_specific_antibodies": ("immunologic", {"anti_dsdna_or_anti_smith": 6}),
}
PUBLISHED_WEIGHTS = {code: w for _, items in PUBLISHED.values() for code, w in items.items()}
PUBLISHED_MAXIMUM = sum(max(items.values()) for _, items in PUBLISHED.values())

# The complement items are judged from two entries; every other item is its own entry.
ENTRY_OF = {code: [code] for code in PUBLISHED_WEIGHTS} | {
    "low_c3_or_low_c4": ["low_c3"],
    "low_c3_and_low_c4": ["low_c3", "low_c4"],
}


def ana_positive(**overrides: Any) -> EularAcr2019Input:
    """ANA 1:160 and every criterion assessed as absent, except the overrides."""
    values: dict[str, Any] = {"ana_titre_denominator": 160, **dict.fromkeys(ENTRIES, False)}
    values.update(overrides)
    return EularAcr2019Input.model_validate(values)


def present(*codes: str, **overrides: Any) -> EularAcr2019Input:
    entries = {entry: True for code in codes for entry in ENTRY_OF[code]}
    return ana_positive(**entries, **overrides)


def q(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit}


def values_only(**values: Any) -> EularAcr2019Input:
    return EularAcr2019Input.model_validate(values)


# --- the table ---------------------------------------------------------------------------


def test_table_matches_the_published_weights_and_domains() -> None:
    assert {item.code: item.weight for item in ITEMS} == PUBLISHED_WEIGHTS
    assert {item.code: item.domain for item in ITEMS} == {
        code: domain for domain, (_, items) in PUBLISHED.items() for code in items
    }
    assert {d.code: d.kind.value for d in DOMAINS} == {d: k for d, (k, _) in PUBLISHED.items()}
    assert [d.code for d in DOMAINS] == list(PUBLISHED)


def test_maximum_is_the_sum_of_domain_maxima() -> None:
    assert MAXIMUM_TOTAL == PUBLISHED_MAXIMUM == 51
    assert CLASSIFICATION_THRESHOLD == 10


def test_every_entry_is_a_boolean_input_field() -> None:
    fields = EularAcr2019Input.model_fields
    assert set(ENTRIES) <= set(fields)
    assert set(ENTRIES) == (set(PUBLISHED_WEIGHTS) - {"low_c3_or_low_c4", "low_c3_and_low_c4"}) | {
        "low_c3",
        "low_c4",
    }
    for entry in ENTRIES:
        assert fields[entry].annotation == bool | None
        assert fields[entry].default is None


def test_field_descriptions_state_the_attribution_rule() -> None:
    for entry in ENTRIES:
        description = EularAcr2019Input.model_fields[entry].description or ""
        assert "no more likely explanation than SLE" in description


def test_thresholds_are_the_criteria_own_not_sledai() -> None:
    by_item = {
        (t.item, t.measurement): (t.comparison, t.threshold, t.unit) for t in VALUE_THRESHOLDS
    }
    assert by_item[("fever", "temperature")] == (">", 38.3, "°C")
    assert by_item[("leukopenia", "leukocytes")] == ("<", 4.0, "10^9/L")
    assert by_item[("thrombocytopenia", "platelets")] == ("<", 100.0, "10^9/L")
    assert by_item[("proteinuria", "urine_protein_24h")] == (">", 0.5, "g/24h")
    assert by_item[("proteinuria", "urine_protein_creatinine_ratio")] == (">", 0.5, "g/g")


# --- weights and domains -----------------------------------------------------------------


@pytest.mark.parametrize(("code", "weight"), PUBLISHED_WEIGHTS.items())
def test_each_item_scores_its_weight(code: str, weight: int) -> None:
    result = score_eular_acr_2019(present(code))
    # Both complement entries low is the 4-point item, which also meets the 3-point one.
    assert result.total == weight
    assert result.maximum_possible == weight
    assert result.finding(code).status is Status.MET
    assert result.missing == []


@pytest.mark.parametrize("domain", PUBLISHED)
def test_only_the_highest_item_in_a_domain_counts(domain: str) -> None:
    _, items = PUBLISHED[domain]
    result = score_eular_acr_2019(present(*items))
    score = result.domain(domain)
    assert score.points == max(items.values()) == result.total
    assert score.counted_item is not None
    assert PUBLISHED_WEIGHTS[score.counted_item] == max(items.values())
    assert score.status is Status.MET


def test_every_item_present_scores_the_maximum() -> None:
    result = score_eular_acr_2019(present(*PUBLISHED_WEIGHTS))
    assert result.total == result.maximum_possible == 51
    assert result.classified is Status.MET


def test_equal_weights_in_a_domain_count_once() -> None:
    result = score_eular_acr_2019(present("thrombocytopenia", "autoimmune_hemolysis"))
    assert result.total == 4
    assert result.domain("hematologic").counted_item == "thrombocytopenia"


@pytest.mark.parametrize(
    ("low_c3", "low_c4", "total", "maximum"),
    [
        (True, True, 4, 4),
        (True, False, 3, 3),
        (False, True, 3, 3),
        (False, False, 0, 0),
        (True, None, 3, 4),  # one low, the other unknown: at least 3, possibly 4
        (None, True, 3, 4),
        (False, None, 0, 3),
        (None, None, 0, 4),
    ],
)
def test_complement_domain_is_three_valued(
    low_c3: bool | None, low_c4: bool | None, total: int, maximum: int
) -> None:
    result = score_eular_acr_2019(ana_positive(low_c3=low_c3, low_c4=low_c4))
    score = result.domain("complement_proteins")
    assert (score.points, score.maximum_possible) == (total, maximum)
    assert (result.total, result.maximum_possible) == (total, maximum)
    assert ("low_c3" in result.missing) is (low_c3 is None)
    assert ("low_c4" in result.missing) is (low_c4 is None)


# --- classification ----------------------------------------------------------------------


def test_worked_example_is_classified_with_21_points() -> None:
    # Acute cutaneous lupus 6 (oral ulcers 2, same domain, not added) + joint involvement 6
    # + anti-dsDNA 6 + low C3 only 3 = 21.
    result = score_eular_acr_2019(
        ana_positive(
            acute_cutaneous_lupus=True,
            oral_ulcers=True,
            joint_involvement=True,
            anti_dsdna_or_anti_smith=True,
            low_c3=True,
        )
    )
    assert result.total == result.maximum_possible == 21
    assert result.domain("mucocutaneous").points == 6
    assert result.domain("mucocutaneous").counted_item == "acute_cutaneous_lupus"
    assert result.domain("complement_proteins").counted_item == "low_c3_or_low_c4"
    assert result.entry_criterion is Status.MET
    assert result.clinical_item is Status.MET
    assert result.classified is Status.MET
    assert result.instrument == "2019 EULAR/ACR"
    assert result.source == ARINGER_2019
    assert result.summary_line() == "2019 EULAR/ACR: classified (21 points; entry criterion met)"
    assert result.reasons == [
        "entry criterion met: ANA ≥ 1:80 (ANA 1:160 ≥ 1:80)",
        "at least one clinical item: Acute cutaneous lupus (6), Joint involvement (6)",
        "total 21 ≥ 10",
    ]


def test_immunologic_items_alone_do_not_classify() -> None:
    # Anti-dsDNA 6 + low C3 and C4 4 = 10 points, but no clinical item.
    result = score_eular_acr_2019(present("anti_dsdna_or_anti_smith", "low_c3_and_low_c4"))
    assert result.total == 10
    assert result.clinical_item is Status.NOT_MET
    assert result.classified is Status.NOT_MET
    assert result.reasons == ["no clinical item (immunologic items alone do not classify)"]
    assert result.summary_line() == "2019 EULAR/ACR: not classified (10 points; no clinical item)"


def test_clinical_items_not_assessed_leave_immunologic_ten_undetermined() -> None:
    inp = EularAcr2019Input(
        ana_titre_denominator=320, anti_dsdna_or_anti_smith=True, low_c3=True, low_c4=True
    )
    result = score_eular_acr_2019(inp)
    assert result.total == 10
    assert result.clinical_item is Status.UNKNOWN
    assert result.classified is Status.UNKNOWN


@pytest.mark.parametrize(
    ("titre", "entry", "classified"),
    [
        (40, Status.NOT_MET, Status.NOT_MET),
        (80, Status.MET, Status.MET),
        (1280, Status.MET, Status.MET),
    ],
)
def test_entry_criterion_is_ana_at_least_1_80(
    titre: int, entry: Status, classified: Status
) -> None:
    result = score_eular_acr_2019(present(*PUBLISHED_WEIGHTS, ana_titre_denominator=titre))
    assert result.total == 51  # the points do not matter without the entry criterion
    assert result.entry_criterion is entry
    assert result.entry_basis == "derived"
    assert result.classified is classified


def test_ana_below_1_80_is_not_classified_whatever_the_points() -> None:
    result = score_eular_acr_2019(present(*PUBLISHED_WEIGHTS, ana_titre_denominator=40))
    assert result.reasons == ["entry criterion not met: ANA below 1:80 (ANA 1:40 < 1:80)"]
    assert result.summary_line() == (
        "2019 EULAR/ACR: not classified (51 points; entry criterion not met)"
    )


def test_entered_ana_counts_over_a_disagreeing_titre() -> None:
    result = score_eular_acr_2019(
        present(
            "seizure",
            "acute_pericarditis",
            ana_titre_denominator=40,
            ana_positive_at_least_1_80=True,
        )
    )
    assert result.entry_criterion is Status.MET
    assert result.entry_basis == "entered"
    assert result.classified is Status.MET
    assert len(result.discrepancies) == 1
    assert "ANA 1:40 < 1:80" in result.discrepancies[0]
    assert "the entered value counts" in result.discrepancies[0]


def test_entered_ana_alone_meets_the_entry_criterion() -> None:
    result = score_eular_acr_2019(
        present(
            "seizure",
            "acute_pericarditis",
            ana_titre_denominator=None,
            ana_positive_at_least_1_80=True,
        )
    )
    assert result.entry_criterion is Status.MET
    assert result.entry_basis == "entered"
    assert result.discrepancies == []


def test_entry_not_assessed_caps_at_undetermined() -> None:
    result = score_eular_acr_2019(
        present("seizure", "acute_pericarditis", ana_titre_denominator=None)
    )
    assert result.total == 11
    assert result.entry_criterion is Status.UNKNOWN
    assert result.classified is Status.UNKNOWN
    assert result.reasons == ["entry criterion not assessed: no ANA result"]
    assert result.summary_line() == "2019 EULAR/ACR: undetermined (11 points; not assessed: ANA)"


@pytest.mark.parametrize(
    ("codes", "total", "classified"),
    [
        (("seizure", "antiphospholipid_antibodies", "low_c3_or_low_c4"), 10, Status.MET),
        (("seizure", "antiphospholipid_antibodies", "fever"), 9, Status.NOT_MET),
        (("renal_biopsy_class_iii_or_iv",), 10, Status.MET),
        (("renal_biopsy_class_ii_or_v",), 8, Status.NOT_MET),
    ],
)
def test_ten_points_classify_and_nine_do_not(
    codes: tuple[str, ...], total: int, classified: Status
) -> None:
    result = score_eular_acr_2019(present(*codes))
    assert result.total == total
    assert result.classified is classified


def test_not_classified_below_ten_explains_itself() -> None:
    result = score_eular_acr_2019(present("renal_biopsy_class_ii_or_v"))
    assert result.reasons == ["total 8 < 10"]
    assert result.summary_line() == "2019 EULAR/ACR: not classified (8 points < 10)"


# --- three-valued ------------------------------------------------------------------------


def test_unknown_items_that_could_reach_ten_leave_it_undetermined() -> None:
    result = score_eular_acr_2019(present("renal_biopsy_class_ii_or_v", seizure=None))
    assert (result.total, result.maximum_possible) == (8, 13)
    assert result.classified is Status.UNKNOWN
    assert result.missing == ["seizure"]
    assert result.reasons == ["total 8 < 10, but up to 13 if the items not assessed were present"]
    assert result.summary_line() == (
        "2019 EULAR/ACR: undetermined (8–13 points; not assessed: seizure)"
    )


def test_unknown_items_that_cannot_reach_ten_are_not_met() -> None:
    result = score_eular_acr_2019(present("psychosis", fever=None, oral_ulcers=None))
    assert (result.total, result.maximum_possible) == (3, 7)
    assert result.classified is Status.NOT_MET
    assert result.summary_line() == "2019 EULAR/ACR: not classified (3–7 points < 10)"
    assert "at most 7" in result.reasons[0]


def test_an_unknown_item_below_the_domain_already_counted_adds_nothing() -> None:
    result = score_eular_acr_2019(present("acute_cutaneous_lupus", oral_ulcers=None))
    assert result.total == result.maximum_possible == 6
    assert result.missing == ["oral_ulcers"]


def test_nothing_assessed_is_unknown_not_zero() -> None:
    result = score_eular_acr_2019(EularAcr2019Input())
    assert (result.total, result.maximum_possible) == (0, 51)
    assert result.entry_criterion is Status.UNKNOWN
    assert result.clinical_item is Status.UNKNOWN
    assert result.classified is Status.UNKNOWN
    assert result.missing == list(ENTRIES)
    assert result.summary_line().startswith(
        "2019 EULAR/ACR: undetermined (0–51 points; not assessed: ANA, fever, leukopenia"
    )


# --- derivations from recorded values ----------------------------------------------------


@pytest.mark.parametrize(
    ("values", "code", "met"),
    [
        ({"temperature": q(38.3, "°C")}, "fever", False),  # not SLEDAI-2K's 38.0
        ({"temperature": q(38.4, "°C")}, "fever", True),
        ({"temperature": q(100.9, "°F")}, "fever", False),  # 38.28 °C
        ({"temperature": q(101.0, "F")}, "fever", True),  # 38.33 °C
        ({"leukocytes": q(4.0, "10^9/L")}, "leukopenia", False),  # not SLEDAI-2K's 3.0
        ({"leukocytes": q(3.9, "10^9/L")}, "leukopenia", True),
        ({"leukocytes": q(4000, "/mm³")}, "leukopenia", False),
        ({"leukocytes": q(3999, "cells/mm3")}, "leukopenia", True),
        ({"platelets": q(100, "10^9/L")}, "thrombocytopenia", False),
        ({"platelets": q(99.9, "10^9/L")}, "thrombocytopenia", True),
        ({"platelets": q(100_000, "/µL")}, "thrombocytopenia", False),
        ({"urine_protein_24h": q(0.5, "g/24h")}, "proteinuria", False),
        ({"urine_protein_24h": q(501, "mg/24h")}, "proteinuria", True),
        ({"urine_protein_creatinine_ratio": q(500, "mg/g")}, "proteinuria", False),
        ({"urine_protein_creatinine_ratio": q(0.51, "g/g")}, "proteinuria", True),
    ],
)
def test_derived_thresholds_are_strict(values: dict[str, Any], code: str, met: bool) -> None:
    result = score_eular_acr_2019(values_only(**values))
    finding = result.finding(code)
    assert finding.status is Status.of(met)
    assert finding.basis == "derived"
    assert finding.derived_from is not None
    assert result.derived == [code]


def test_either_proteinuria_measurement_over_the_threshold_suffices() -> None:
    result = score_eular_acr_2019(
        values_only(
            urine_protein_24h=q(0.3, "g/24h"), urine_protein_creatinine_ratio=q(80, "mg/mmol")
        )
    )
    finding = result.finding("proteinuria")
    assert finding.status is Status.MET
    assert finding.derived_from is not None
    assert "urine_protein_24h" in finding.derived_from
    assert "urine_protein_creatinine_ratio" in finding.derived_from


def test_converted_values_are_shown_in_the_derivation() -> None:
    finding = score_eular_acr_2019(values_only(leukocytes=q(3500, "/mm3"))).finding("leukopenia")
    assert finding.derived_from == "leukocytes 3500 /mm³ = 3.5 10^9/L < 4 10^9/L"


def test_entered_value_counts_and_disagreement_is_reported() -> None:
    # 38.9 °C, but the clinician attributed the fever to an infection.
    result = score_eular_acr_2019(ana_positive(temperature=q(38.9, "°C")))
    assert result.finding("fever").status is Status.NOT_MET
    assert result.finding("fever").basis == "entered"
    assert result.derived == []
    assert len(result.discrepancies) == 1
    assert "Fever entered as absent" in result.discrepancies[0]
    assert "38.9 °C" in result.discrepancies[0]


def test_agreement_is_not_a_discrepancy() -> None:
    result = score_eular_acr_2019(present("leukopenia", leukocytes=q(3.2, "10^9/L")))
    assert result.discrepancies == []
    assert result.finding("leukopenia").derived_from is not None


@pytest.mark.parametrize(
    ("synovitis", "tenderness", "minutes", "status"),
    [
        (True, None, None, Status.MET),
        (None, True, 30, Status.MET),  # exactly 30 minutes counts
        (None, True, 29, Status.UNKNOWN),  # synovitis still open
        (False, True, 29, Status.NOT_MET),
        (False, True, 30, Status.MET),
        (False, False, 60, Status.NOT_MET),
        (False, True, None, Status.UNKNOWN),
        (False, None, 10, Status.NOT_MET),
        (None, None, None, Status.UNKNOWN),
    ],
)
def test_joint_involvement_from_its_two_alternatives(
    synovitis: bool | None, tenderness: bool | None, minutes: int | None, status: Status
) -> None:
    result = score_eular_acr_2019(
        values_only(
            synovitis_two_or_more_joints=synovitis,
            tenderness_two_or_more_joints=tenderness,
            morning_stiffness_minutes=minutes,
        )
    )
    finding = result.finding("joint_involvement")
    assert finding.status is status
    assert finding.basis == ("not assessed" if status is Status.UNKNOWN else "derived")
    assert result.domain("musculoskeletal").points == (6 if status is Status.MET else 0)


def test_entered_joint_involvement_counts_over_its_components() -> None:
    result = score_eular_acr_2019(
        ana_positive(
            joint_involvement=True,
            synovitis_two_or_more_joints=False,
            tenderness_two_or_more_joints=True,
            morning_stiffness_minutes=15,
        )
    )
    assert result.finding("joint_involvement").status is Status.MET
    assert len(result.discrepancies) == 1
    assert "morning stiffness 15 min < 30 min" in result.discrepancies[0]


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"fevers": True}, "fevers"),
        ({"low_complement": True}, "low_complement"),
        ({"temperature": q(38.5, "mg/dL")}, "temperature"),
        ({"leukocytes": q(3.0, "g/24h")}, "leukocytes"),
        ({"urine_protein_24h": q(0.6, "g/g")}, "urine_protein_24h"),
        ({"platelets": q(-1, "10^9/L")}, "platelets"),
        ({"morning_stiffness_minutes": -5}, "morning_stiffness_minutes"),
        ({"ana_titre_denominator": 0}, "ana_titre_denominator"),
        ({"seizure": "often"}, "seizure"),
        ({"date": "2999-01-01"}, "date"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        EularAcr2019Input.model_validate(data)


def test_domain_kinds_split_seven_clinical_three_immunologic() -> None:
    kinds = [d.kind for d in DOMAINS]
    assert kinds.count(DomainKind.CLINICAL) == 7
    assert kinds.count(DomainKind.IMMUNOLOGIC) == 3


# --- properties --------------------------------------------------------------------------

entry_states = st.fixed_dictionaries(
    {
        **{entry: st.sampled_from([True, False, None]) for entry in ENTRIES},
        "ana_positive_at_least_1_80": st.sampled_from([True, False, None]),
    }
)


@given(entry_states)
def test_scores_stay_in_range(states: dict[str, bool | None]) -> None:
    result = score_eular_acr_2019(EularAcr2019Input.model_validate(states))
    assert 0 <= result.total <= result.maximum_possible <= PUBLISHED_MAXIMUM
    assert result.total == sum(d.points for d in result.domains)
    for domain in result.domains:
        assert domain.points <= max(PUBLISHED[domain.code][1].values())


@given(entry_states, st.sampled_from(ENTRIES))
def test_adding_an_item_never_lowers_the_total(states: dict[str, bool | None], entry: str) -> None:
    before = score_eular_acr_2019(EularAcr2019Input.model_validate(states))
    after = score_eular_acr_2019(EularAcr2019Input.model_validate({**states, entry: True}))
    assert after.total >= before.total
    assert after.maximum_possible >= before.maximum_possible


@given(entry_states)
def test_classified_implies_ten_points_and_a_clinical_item(states: dict[str, bool | None]) -> None:
    result = score_eular_acr_2019(EularAcr2019Input.model_validate(states))
    if result.classified is Status.MET:
        assert result.total >= CLASSIFICATION_THRESHOLD
        assert result.entry_criterion is Status.MET
        assert result.clinical_item is Status.MET
    if result.maximum_possible < CLASSIFICATION_THRESHOLD:
        assert result.classified is Status.NOT_MET
    assert result.reasons


@given(entry_states, st.data())
def test_assessing_what_was_missing_never_overturns_a_decision(
    states: dict[str, bool | None], data: st.DataObject
) -> None:
    before = score_eular_acr_2019(EularAcr2019Input.model_validate(states))
    filled = {
        name: data.draw(st.booleans()) if value is None else value for name, value in states.items()
    }
    after = score_eular_acr_2019(EularAcr2019Input.model_validate(filled))
    assert after.classified is not Status.UNKNOWN
    if before.classified is not Status.UNKNOWN:
        assert after.classified is before.classified
    assert before.total <= after.total <= before.maximum_possible
