"""LLDAS against its published definition (Franklyn 2016)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lupustrial.clinical.lldas import (
    COMPONENTS,
    LLDAS_PUBLISHED,
    MAJOR_ORGAN_CODES,
    LldasInput,
    LldasThresholds,
    assess_lldas,
)
from lupustrial.clinical.sledai2k import DESCRIPTORS, Sledai2kInput, Sledai2kResult, score_sledai2k
from lupustrial.clinical.status import Status

CODES = [d.code for d in DESCRIPTORS]
M, N, U = Status.MET, Status.NOT_MET, Status.UNKNOWN


def sledai(**overrides: Any) -> Sledai2kResult:
    """A complete SLEDAI-2K with everything absent except ``overrides``."""
    values: dict[str, Any] = dict.fromkeys(CODES, False)
    values.update(overrides)
    return score_sledai2k(Sledai2kInput.model_validate(values))


def lldas_input(**overrides: Any) -> LldasInput:
    """A visit in LLDAS, changed by ``overrides``."""
    values: dict[str, Any] = {
        "sledai2k": sledai(),
        "previous_sledai2k": sledai(),
        "haemolytic_anaemia": False,
        "gastrointestinal_activity": False,
        "previous_haemolytic_anaemia": False,
        "previous_gastrointestinal_activity": False,
        "pga": 0.5,
        "prednisolone_mg_per_day": 5.0,
        "maintenance_therapy_standard_and_tolerated": True,
    }
    values.update(overrides)
    return LldasInput.model_validate(values)


def component(number: int, **overrides: Any) -> Status:
    return assess_lldas(lldas_input(**overrides)).components[number - 1].status


def test_a_quiet_visit_is_in_lldas() -> None:
    result = assess_lldas(lldas_input())
    assert result.status is M
    assert [c.number for c in result.components] == [1, 2, 3, 4, 5]
    assert result.missing == []
    assert result.summary_line() == "LLDAS: met (5/5 components)"
    assert "Franklyn" in result.source


def test_components_carry_the_published_wording() -> None:
    assert len(COMPONENTS) == 5
    assert "no haemolytic anaemia or gastrointestinal activity" in COMPONENTS[0].definition
    assert "≤7.5 mg" in COMPONENTS[3].definition
    assert "excluding investigational drugs" in COMPONENTS[4].definition


def test_major_organ_mapping() -> None:
    assert set(MAJOR_ORGAN_CODES) == {
        "seizure",
        "psychosis",
        "organic_brain_syndrome",
        "visual_disturbance",
        "cranial_nerve_disorder",
        "lupus_headache",
        "cva",
        "vasculitis",
        "urinary_casts",
        "hematuria",
        "proteinuria",
        "pyuria",
        "pleurisy",
        "pericarditis",
        "fever",
    }


# Component 1: SLEDAI-2K ≤ 4 without major organ, haemolytic or GI activity.


@pytest.mark.parametrize(
    ("descriptors", "status"),
    [
        ({"arthritis": True}, M),  # 4, musculoskeletal
        ({"rash": True, "low_complement": True}, M),  # 4 with serology
        ({"arthritis": True, "leukopenia": True}, N),  # 5
        ({"proteinuria": True}, N),  # 4, but renal
        ({"fever": True}, N),  # 1, but fever is major
        ({"pleurisy": True}, N),  # cardiopulmonary
        ({"vasculitis": True}, N),
        ({"lupus_headache": True}, N),
    ],
)
def test_component_1_score_and_major_organs(descriptors: dict[str, bool], status: Status) -> None:
    current = sledai(**descriptors)
    assert component(1, sledai2k=current, previous_sledai2k=current) is status


def test_component_1_explains_the_failure() -> None:
    current = sledai(proteinuria=True)
    result = assess_lldas(lldas_input(sledai2k=current, previous_sledai2k=current))
    assert result.components[0].evidence == "major organ activity: Proteinuria"
    assert result.summary_line() == "LLDAS: not met — 1 major organ activity: Proteinuria"


def test_sledai_above_4_is_shown() -> None:
    current = sledai(arthritis=True, leukopenia=True)
    result = assess_lldas(lldas_input(sledai2k=current, previous_sledai2k=current))
    assert result.components[0].evidence == "SLEDAI-2K 5 > 4"


def test_haemolytic_anaemia_fails_component_1() -> None:
    assert component(1, haemolytic_anaemia=True, previous_haemolytic_anaemia=True) is N


def test_gastrointestinal_activity_fails_component_1() -> None:
    assert component(1, gastrointestinal_activity=True) is N


def test_component_1_unknown_when_major_organs_not_assessed() -> None:
    partial = score_sledai2k(Sledai2kInput(arthritis=False, rash=False))
    finding = assess_lldas(lldas_input(sledai2k=partial)).components[0]
    assert finding.status is U
    assert "sledai2k.proteinuria" in finding.missing


def test_component_1_unknown_without_haemolytic_anaemia() -> None:
    finding = assess_lldas(lldas_input(haemolytic_anaemia=None)).components[0]
    assert finding.status is U
    assert finding.missing == ("haemolytic_anaemia",)
    assert finding.evidence == "haemolytic anaemia not recorded"


def test_unassessed_minor_descriptors_can_still_leave_the_score_at_most_4() -> None:
    values: dict[str, Any] = dict.fromkeys(MAJOR_ORGAN_CODES, False)
    values["rash"] = True  # 2 known; the unassessed minor descriptors could add up to 13
    partial = score_sledai2k(Sledai2kInput.model_validate(values))
    assert partial.maximum_possible > 4
    assert component(1, sledai2k=partial, previous_sledai2k=sledai(rash=True)) is U
    partial_low = score_sledai2k(
        Sledai2kInput.model_validate({**dict.fromkeys(CODES, False), "leukopenia": None})
    )
    assert component(1, sledai2k=partial_low) is M


# Component 2: no new features compared with the previous assessment.


def test_a_new_descriptor_fails_component_2() -> None:
    result = assess_lldas(lldas_input(sledai2k=sledai(rash=True), previous_sledai2k=sledai()))
    assert result.components[1].status is N
    assert result.components[1].evidence == "new since the previous assessment: Rash"
    assert result.status is N


def test_a_persisting_descriptor_is_not_new() -> None:
    result = assess_lldas(
        lldas_input(sledai2k=sledai(rash=True), previous_sledai2k=sledai(rash=True))
    )
    assert result.components[1].status is M
    assert (
        result.components[1].evidence
        == "no new feature since the previous assessment (1 persisting)"
    )


def test_a_resolved_descriptor_is_not_new() -> None:
    assert component(2, sledai2k=sledai(), previous_sledai2k=sledai(arthritis=True)) is M


def test_new_serology_is_a_new_feature() -> None:
    assert component(2, sledai2k=sledai(low_complement=True)) is N


def test_no_previous_assessment_is_unknown() -> None:
    result = assess_lldas(lldas_input(previous_sledai2k=None))
    assert result.components[1].status is U
    assert result.components[1].evidence == "no previous assessment"
    assert "previous_sledai2k" in result.missing
    assert result.status is U
    assert result.summary_line() == "LLDAS: unknown — 2 no previous assessment"


def test_no_previous_assessment_even_without_current_activity_is_unknown() -> None:
    assert component(2, previous_sledai2k=None, sledai2k=sledai()) is U


def test_present_now_but_not_assessed_previously_is_unknown() -> None:
    previous = score_sledai2k(
        Sledai2kInput.model_validate({**dict.fromkeys(CODES, False), "rash": None})
    )
    finding = assess_lldas(
        lldas_input(sledai2k=sledai(rash=True), previous_sledai2k=previous)
    ).components[1]
    assert finding.status is U
    assert finding.evidence == "cannot tell whether new: Rash"
    assert finding.missing == ("previous_sledai2k.rash",)


def test_not_assessed_now_but_absent_previously_is_unknown() -> None:
    current = score_sledai2k(
        Sledai2kInput.model_validate({**dict.fromkeys(CODES, False), "alopecia": None})
    )
    finding = assess_lldas(lldas_input(sledai2k=current)).components[1]
    assert finding.status is U
    assert finding.missing == ("sledai2k.alopecia",)


def test_not_assessed_now_but_present_previously_is_not_new() -> None:
    current = score_sledai2k(
        Sledai2kInput.model_validate({**dict.fromkeys(CODES, False), "alopecia": None})
    )
    assert component(2, sledai2k=current, previous_sledai2k=sledai(alopecia=True)) is M


def test_new_gastrointestinal_activity_fails_component_2() -> None:
    result = assess_lldas(lldas_input(gastrointestinal_activity=True))
    assert result.components[1].status is N
    assert "gastrointestinal activity" in result.components[1].evidence


def test_new_haemolytic_anaemia_fails_component_2() -> None:
    assert component(2, haemolytic_anaemia=True) is N
    assert component(2, haemolytic_anaemia=True, previous_haemolytic_anaemia=True) is M
    assert component(2, haemolytic_anaemia=True, previous_haemolytic_anaemia=None) is U


def test_previous_assessment_must_come_first() -> None:
    later = score_sledai2k(Sledai2kInput.model_validate({"date": "2024-05-01"}))
    earlier = score_sledai2k(Sledai2kInput.model_validate({"date": "2024-04-01"}))
    with pytest.raises(ValidationError, match="previous_sledai2k is dated"):
        LldasInput(sledai2k=earlier, previous_sledai2k=later)
    assert LldasInput(sledai2k=later, previous_sledai2k=earlier).previous_sledai2k == earlier


# Component 3: PGA ≤ 1.


@pytest.mark.parametrize(("pga", "status"), [(0, M), (1.0, M), (1.01, N), (3, N), (None, U)])
def test_component_3_pga(pga: float | None, status: Status) -> None:
    assert component(3, pga=pga) is status


def test_pga_failure_in_the_summary() -> None:
    assert assess_lldas(lldas_input(pga=1.2)).summary_line() == "LLDAS: not met — 3 PGA 1.2 > 1"


def test_pga_off_the_scale_is_rejected() -> None:
    with pytest.raises(ValidationError, match="pga"):
        lldas_input(pga=4)


# Component 4: prednisolone equivalent ≤ 7.5 mg/day.


@pytest.mark.parametrize(("mg", "status"), [(0, M), (7.5, M), (7.51, N), (60, N), (None, U)])
def test_component_4_prednisolone(mg: float | None, status: Status) -> None:
    assert component(4, prednisolone_mg_per_day=mg) is status


def test_component_4_from_doses() -> None:
    six_mg_mp = [{"drug": "methylprednisolone", "dose": {"value": 6, "unit": "mg"}}]
    result = assess_lldas(lldas_input(prednisolone_mg_per_day=None, glucocorticoids=six_mg_mp))
    finding = result.components[3]
    assert finding.status is M
    assert finding.evidence == (
        "prednisolone equivalent 7.5 mg/day ≤ 7.5 mg/day (methylprednisolone 6 mg/day)"
    )
    eight_mg_mp = [{"drug": "methylprednisolone", "dose": {"value": 8, "unit": "mg"}}]
    assert component(4, prednisolone_mg_per_day=None, glucocorticoids=eight_mg_mp) is N


def test_no_glucocorticoid_meets_component_4() -> None:
    assert component(4, prednisolone_mg_per_day=None, glucocorticoids=[]) is M


def test_dose_given_two_ways_is_rejected() -> None:
    with pytest.raises(ValidationError, match="not both"):
        lldas_input(glucocorticoids=[])


def test_negative_dose_is_rejected() -> None:
    with pytest.raises(ValidationError, match="prednisolone_mg_per_day"):
        lldas_input(prednisolone_mg_per_day=-1)


# Component 5: maintenance therapy.


@pytest.mark.parametrize(("value", "status"), [(True, M), (False, N), (None, U)])
def test_component_5_maintenance_therapy(value: bool | None, status: Status) -> None:
    assert component(5, maintenance_therapy_standard_and_tolerated=value) is status


def test_a_missing_component_leaves_lldas_unknown_and_says_what_is_missing() -> None:
    result = assess_lldas(lldas_input(pga=None))
    assert result.status is U
    assert result.missing == ["pga"]
    assert result.summary_line() == "LLDAS: unknown — 3 PGA not recorded"


def test_a_failed_component_decides_despite_unknowns() -> None:
    result = assess_lldas(lldas_input(pga=None, prednisolone_mg_per_day=10))
    assert result.status is N
    assert result.summary_line() == (
        "LLDAS: not met — 4 prednisolone equivalent 10 mg/day > 7.5 mg/day"
    )


def test_result_status_cannot_contradict_its_components() -> None:
    result = assess_lldas(lldas_input(pga=2))
    with pytest.raises(ValidationError, match="contradicts"):
        type(result).model_validate({**result.model_dump(), "status": "met"})


# Properties.

states = st.sampled_from([True, False, None])
sledai_states = st.fixed_dictionaries(dict.fromkeys(CODES, states))


@st.composite
def lldas_inputs(draw: st.DrawFn) -> LldasInput:
    previous = draw(st.none() | sledai_states)
    return LldasInput(
        sledai2k=score_sledai2k(Sledai2kInput.model_validate(draw(sledai_states))),
        previous_sledai2k=(
            None if previous is None else score_sledai2k(Sledai2kInput.model_validate(previous))
        ),
        haemolytic_anaemia=draw(states),
        gastrointestinal_activity=draw(states),
        previous_haemolytic_anaemia=draw(states),
        previous_gastrointestinal_activity=draw(states),
        pga=draw(st.sampled_from([None, 0.0, 1.0, 1.01, 3.0])),
        prednisolone_mg_per_day=draw(st.sampled_from([None, 0.0, 7.5, 7.51, 40.0])),
        maintenance_therapy_standard_and_tolerated=draw(states),
    )


@settings(max_examples=200)
@given(lldas_inputs())
def test_lldas_is_the_conjunction_of_its_components(inp: LldasInput) -> None:
    result = assess_lldas(inp)
    statuses = [c.status for c in result.components]
    if N in statuses:
        assert result.status is N
    assert (result.status is M) == all(s is M for s in statuses)
    if result.status is U:
        assert result.missing
    if result.components[0].status is M:
        assert inp.sledai2k.total <= 4
    assert result.summary_line().startswith("LLDAS: ")


def _prednisolone(mg: float, start: str | None = None, end: str | None = None) -> dict[str, Any]:
    dose: dict[str, Any] = {"drug": "prednisolone", "dose": {"value": mg, "unit": "mg"}}
    if start:
        dose["start_date"] = start
    if end:
        dose["end_date"] = end
    return dose


@pytest.mark.parametrize(
    ("regimens", "expected"),
    [
        # 10 mg ended the day before the assessment, 7.5 mg from the day: exactly 7.5 meets.
        ([_prednisolone(10, "2026-10-01", "2026-11-19"), _prednisolone(7.5, "2026-11-20")], M),
        # 10 mg ends on the assessment day: still taken that day.
        ([_prednisolone(10, "2026-10-01", "2026-11-20"), _prednisolone(7.5, "2026-11-21")], N),
        # 10 mg starts the day after the assessment: not yet taken.
        ([_prednisolone(5, "2026-10-01", "2026-11-20"), _prednisolone(10, "2026-11-21")], M),
        # Without a start, taken every day up to its end; without an end, still running.
        ([_prednisolone(10, None, "2026-11-20")], N),
        ([_prednisolone(10, None, "2026-11-19"), _prednisolone(5, "2026-11-01")], M),
        ([_prednisolone(10, "2026-01-01")], N),
    ],
)
def test_component_4_reads_the_dose_taken_on_the_assessment_day(
    regimens: list[dict[str, Any]], expected: Status
) -> None:
    assessed = score_sledai2k(
        Sledai2kInput.model_validate({**dict.fromkeys(CODES, False), "date": "2026-11-20"})
    )
    status = component(4, sledai2k=assessed, prednisolone_mg_per_day=None, glucocorticoids=regimens)
    assert status is expected


@pytest.mark.parametrize(
    ("mg", "limits", "status"),
    [
        (7.5, LLDAS_PUBLISHED, Status.MET),  # the published ceiling itself meets
        (7.51, LLDAS_PUBLISHED, Status.NOT_MET),
        (10.0, LldasThresholds(prednisolone_max_mg_per_day=10), Status.MET),
        (10.01, LldasThresholds(prednisolone_max_mg_per_day=10), Status.NOT_MET),
    ],
)
def test_the_dose_ceiling_is_a_parameter(
    mg: float, limits: LldasThresholds, status: Status
) -> None:
    result = assess_lldas(lldas_input(prednisolone_mg_per_day=mg), limits)
    finding = result.components[3]
    assert finding.status is status
    assert finding.name == f"Prednisolone ≤ {limits.prednisolone_max_mg_per_day:g} mg/day"


@pytest.mark.parametrize(("pga", "status"), [(1.5, Status.MET), (1.51, Status.NOT_MET)])
def test_the_pga_and_sledai_limits_are_parameters(pga: float, status: Status) -> None:
    limits = LldasThresholds(pga_max=1.5, sledai2k_max=6)
    result = assess_lldas(lldas_input(pga=pga), limits)
    assert result.components[2].status is status
    assert result.components[0].name == "SLEDAI-2K ≤ 6 without major activity"


def test_the_published_limits_are_the_defaults() -> None:
    assert (
        LldasThresholds(sledai2k_max=4, pga_max=1.0, prednisolone_max_mg_per_day=7.5)
        == LLDAS_PUBLISHED
    )


def test_component_1_met_is_built_once_and_shared() -> None:
    """Component 1 met depends only on the score and the limit (issue 19): equal inputs share
    one finding, equal to one built afresh."""
    first = assess_lldas(lldas_input()).components[0]
    second = assess_lldas(lldas_input()).components[0]
    assert first.status is Status.MET
    assert first is second
    assert first.evidence.startswith("SLEDAI-2K 0 ≤ 4, no major organ"), first.evidence
