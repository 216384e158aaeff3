"""2021 DORIS remission against its published definition (van Vollenhoven 2021)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.clinical.doris import (
    COMPONENTS,
    DORIS_PUBLISHED,
    DorisInput,
    DorisThresholds,
    assess_doris_remission,
    doris_components,
)
from lupustrial.clinical.sledai2k import DESCRIPTORS, Sledai2kInput, Sledai2kResult, score_sledai2k
from lupustrial.clinical.status import Status

CODES = [d.code for d in DESCRIPTORS]
M, N, U = Status.MET, Status.NOT_MET, Status.UNKNOWN


def sledai(**overrides: Any) -> Sledai2kResult:
    values: dict[str, Any] = dict.fromkeys(CODES, False)
    values.update(overrides)
    return score_sledai2k(Sledai2kInput.model_validate(values))


def doris_input(**overrides: Any) -> DorisInput:
    """A visit in remission, changed by ``overrides``."""
    values: dict[str, Any] = {
        "sledai2k": sledai(),
        "pga": 0.2,
        "prednisolone_mg_per_day": 2.5,
        "maintenance_therapy_stable": True,
    }
    values.update(overrides)
    return DorisInput.model_validate(values)


def component(number: int, **overrides: Any) -> Status:
    return assess_doris_remission(doris_input(**overrides)).components[number - 1].status


def test_a_quiet_visit_is_in_remission() -> None:
    result = assess_doris_remission(doris_input())
    assert result.status is M
    assert [c.number for c in result.components] == [1, 2, 3, 4]
    assert result.summary_line() == "DORIS remission: met (4/4 components)"
    assert "van Vollenhoven" in result.source
    assert len(COMPONENTS) == 4


@pytest.mark.parametrize(
    ("descriptors", "status"),
    [
        ({}, M),
        ({"low_complement": True}, M),
        ({"low_complement": True, "increased_dna_binding": True}, M),
        ({"leukopenia": True}, N),
        ({"rash": True, "low_complement": True}, N),
    ],
)
def test_component_1_clinical_sledai_ignores_serology(
    descriptors: dict[str, bool], status: Status
) -> None:
    assert component(1, sledai2k=sledai(**descriptors)) is status


def test_ignored_serology_is_shown() -> None:
    finding = assess_doris_remission(doris_input(sledai2k=sledai(low_complement=True)))
    assert finding.components[0].evidence == "clinical SLEDAI-2K 0 (Low complement ignored)"


def test_clinical_activity_is_named() -> None:
    result = assess_doris_remission(doris_input(sledai2k=sledai(arthritis=True)))
    assert result.summary_line() == "DORIS remission: not met — 1 clinical SLEDAI-2K 4: Arthritis"


def test_unassessed_serology_does_not_matter() -> None:
    current = sledai(low_complement=None, increased_dna_binding=None)
    assert component(1, sledai2k=current) is M


def test_unassessed_clinical_descriptor_is_unknown() -> None:
    current = sledai(rash=None)
    result = assess_doris_remission(doris_input(sledai2k=current))
    assert result.components[0].status is U
    assert result.missing == ["sledai2k.rash"]
    assert result.status is U


@pytest.mark.parametrize(("pga", "status"), [(0, M), (0.49, M), (0.5, N), (1, N), (None, U)])
def test_component_2_pga_below_half(pga: float | None, status: Status) -> None:
    assert component(2, pga=pga) is status


def test_pga_at_half_is_explained() -> None:
    result = assess_doris_remission(doris_input(pga=0.5))
    assert result.summary_line() == "DORIS remission: not met — 2 PGA 0.5 ≥ 0.5"


@pytest.mark.parametrize(("mg", "status"), [(0, M), (5.0, M), (5.01, N), (None, U)])
def test_component_3_prednisolone_at_most_5(mg: float | None, status: Status) -> None:
    assert component(3, prednisolone_mg_per_day=mg) is status


def test_strict_reading_of_the_prednisolone_limit() -> None:
    inp = doris_input(prednisolone_mg_per_day=5.0)
    strict = assess_doris_remission(inp, prednisolone_limit_inclusive=False)
    assert strict.components[2].status is N
    assert strict.components[2].evidence == "prednisolone equivalent 5 mg/day ≥ 5 mg/day"
    four = assess_doris_remission(
        doris_input(prednisolone_mg_per_day=4.99), prednisolone_limit_inclusive=False
    )
    assert four.components[2].status is M


def test_component_3_from_doses() -> None:
    four_mg_mp = [{"drug": "methylprednisolone", "dose": {"value": 4, "unit": "mg"}}]
    assert component(3, prednisolone_mg_per_day=None, glucocorticoids=four_mg_mp) is M
    pred_6 = [{"drug": "prednisone", "dose": {"value": 6, "unit": "mg"}}]
    assert component(3, prednisolone_mg_per_day=None, glucocorticoids=pred_6) is N


@pytest.mark.parametrize(("value", "status"), [(True, M), (False, N), (None, U)])
def test_component_4_stable_maintenance_therapy(value: bool | None, status: Status) -> None:
    assert component(4, maintenance_therapy_stable=value) is status


def test_everything_unknown_lists_what_is_missing() -> None:
    result = assess_doris_remission(DorisInput(sledai2k=sledai()))
    assert result.status is U
    assert result.missing == [
        "pga",
        "prednisolone_mg_per_day or glucocorticoids",
        "maintenance_therapy_stable",
    ]


states = st.sampled_from([True, False, None])


@st.composite
def doris_inputs(draw: st.DrawFn) -> DorisInput:
    descriptors = draw(st.fixed_dictionaries(dict.fromkeys(CODES, states)))
    return DorisInput(
        sledai2k=score_sledai2k(Sledai2kInput.model_validate(descriptors)),
        pga=draw(st.sampled_from([None, 0.0, 0.49, 0.5, 3.0])),
        prednisolone_mg_per_day=draw(st.sampled_from([None, 0.0, 5.0, 5.01, 40.0])),
        maintenance_therapy_stable=draw(states),
    )


@settings(max_examples=200)
@given(doris_inputs())
def test_remission_is_the_conjunction_of_its_components(inp: DorisInput) -> None:
    result = assess_doris_remission(inp)
    statuses = [c.status for c in result.components]
    if N in statuses:
        assert result.status is N
    assert (result.status is M) == all(s is M for s in statuses)
    if result.components[0].status is M:
        assert inp.sledai2k.clinical_total == 0
    if result.status is U:
        assert result.missing


def test_component_3_reads_the_dose_taken_on_the_assessment_day() -> None:
    assessed = score_sledai2k(
        Sledai2kInput.model_validate({**dict.fromkeys(CODES, False), "date": "2026-11-20"})
    )
    regimens = [
        {"drug": "prednisolone", "dose": {"value": 30, "unit": "mg"},
         "start_date": "2026-09-01", "end_date": "2026-11-19"},
        {"drug": "prednisolone", "dose": {"value": 5, "unit": "mg"}, "start_date": "2026-11-20"},
    ]  # fmt: skip
    status = component(3, sledai2k=assessed, prednisolone_mg_per_day=None, glucocorticoids=regimens)
    assert status is Status.MET  # exactly 5 mg/day on the day: the abstract's "or less"


@pytest.mark.parametrize(
    ("mg", "limits", "status"),
    [
        (5.0, DORIS_PUBLISHED, Status.MET),
        (5.0, DorisThresholds(prednisolone_inclusive=False), Status.NOT_MET),
        (7.5, DorisThresholds(prednisolone_max_mg_per_day=7.5), Status.MET),
        (7.51, DorisThresholds(prednisolone_max_mg_per_day=7.5), Status.NOT_MET),
    ],
)
def test_the_dose_limit_is_a_parameter(mg: float, limits: DorisThresholds, status: Status) -> None:
    result = assess_doris_remission(doris_input(prednisolone_mg_per_day=mg), limits)
    assert result.components[2].status is status


def test_the_published_limits_are_the_defaults() -> None:
    assert (
        DorisThresholds(clinical_sledai2k_max=0, pga_below=0.5, prednisolone_max_mg_per_day=5.0)
        == DORIS_PUBLISHED
    )
    assert [c.name for c in doris_components(DORIS_PUBLISHED)[:3]] == [
        "Clinical SLEDAI-2K = 0",
        "PGA < 0.5",
        "Prednisolone ≤ 5 mg/day",
    ]
