"""LLDAS: the Lupus Low Disease Activity State (Franklyn 2016).

LLDAS holds when all five components hold:

1. SLEDAI-2K ≤ 4, with no activity in major organ systems (renal, CNS, cardiopulmonary,
   vasculitis, fever) and no haemolytic anaemia or gastrointestinal activity;
2. no new features of lupus disease activity compared with the previous assessment;
3. SELENA-SLEDAI physician global assessment (0–3) ≤ 1;
4. current prednisolone (or equivalent) dose ≤ 7.5 mg daily;
5. well-tolerated standard maintenance doses of immunosuppressive drugs and approved
   biological agents, excluding investigational drugs.

Haemolytic anaemia and gastrointestinal activity are not SLEDAI-2K descriptors, so they are
inputs of their own. Component 2 compares every SLEDAI-2K descriptor (serology included) and
those two features with the previous assessment; without one it cannot be judged.

Anifrolumab is an approved biological agent for SLE (licensed from 2021, in Japan among
others), so the study drug at its licensed dose does not break component 5; whether the
maintenance therapy is standard and well tolerated is the investigator's judgement, entered
as ``maintenance_therapy_standard_and_tolerated``.

The three numeric limits are `LldasThresholds`, the published values by default; a protocol
that sets others (`ProtocolConfig.lldas`) passes them in, and the component names and
evidence then state the limits applied.
"""

from __future__ import annotations

import functools
from typing import Self

from pydantic import Field, model_validator

from lupustrial.clinical.components import (
    Component,
    ComponentFinding,
    CompositeResult,
    GlucocorticoidInput,
    boolean_finding,
    reason,
    score_range,
    threshold_finding,
)
from lupustrial.clinical.glucocorticoids import PrednisoloneEquivalent
from lupustrial.clinical.model import Reason, StrictModel, share
from lupustrial.clinical.pga import PgaValue
from lupustrial.clinical.sledai2k import DESCRIPTORS, OrganSystem, Sledai2kResult, range_at_most
from lupustrial.clinical.sources import FRANKLYN_2016
from lupustrial.clinical.status import MET, NOT_MET, UNKNOWN, Status, all_of, any_of, negate


class LldasThresholds(StrictModel):
    """LLDAS's numeric limits; every default is the published value (Franklyn 2016)."""

    sledai2k_max: int = Field(default=4, ge=0, description="Component 1: SLEDAI-2K ≤ this.")
    pga_max: float = Field(
        default=1.0, ge=0, le=3, description="Component 3: physician global assessment ≤ this."
    )
    prednisolone_max_mg_per_day: float = Field(
        default=7.5, ge=0, description="Component 4: prednisolone-equivalent mg/day ≤ this."
    )


LLDAS_PUBLISHED = LldasThresholds()
"""Franklyn 2016's limits: SLEDAI-2K ≤ 4, PGA ≤ 1, prednisolone ≤ 7.5 mg/day."""

MAJOR_ORGAN_SYSTEMS: tuple[OrganSystem, ...] = (
    OrganSystem.RENAL,
    OrganSystem.CNS,
    OrganSystem.CARDIOPULMONARY,
    OrganSystem.VASCULAR,
)
MAJOR_ORGAN_DESCRIPTORS: tuple[str, ...] = ("fever",)
"""Franklyn 2016 lists fever among the major organ systems; SLEDAI-2K files it as
constitutional, so it is named here by descriptor."""

MAJOR_ORGAN_CODES: tuple[str, ...] = tuple(
    d.code
    for d in DESCRIPTORS
    if d.organ_system in MAJOR_ORGAN_SYSTEMS or d.code in MAJOR_ORGAN_DESCRIPTORS
)
"""The SLEDAI-2K descriptors whose presence is major organ activity for component 1."""


@functools.cache  # the same few limits for every assessment: worded once
def _lldas_components(limits: LldasThresholds = LLDAS_PUBLISHED) -> tuple[Component, ...]:
    """The five components as Franklyn 2016 (Table 1) words them, with ``limits`` stated."""
    sledai, pga = limits.sledai2k_max, f"{limits.pga_max:g}"
    dose = f"{limits.prednisolone_max_mg_per_day:g}"
    return (
        Component(1, f"SLEDAI-2K ≤ {sledai} without major activity",
                  f"SLEDAI-2K ≤{sledai}, with no activity in major organ systems (renal, CNS, "
                  "cardiopulmonary, vasculitis, fever) and no haemolytic anaemia or "
                  "gastrointestinal activity", "sledai_at_most_without_major", sledai),
        Component(2, "No new activity",
                  "No new features of lupus disease activity compared with the previous "
                  "assessment", "no_new_activity"),
        Component(3, f"PGA ≤ {pga}",
                  f"SELENA-SLEDAI physician global assessment (PGA, scale 0–3) ≤{pga}",
                  "pga_at_most", limits.pga_max),
        Component(4, f"Prednisolone ≤ {dose} mg/day",
                  f"Current prednisolone (or equivalent) dose ≤{dose} mg daily",
                  "prednisolone_at_most", limits.prednisolone_max_mg_per_day),
        Component(5, "Standard maintenance therapy",
                  "Well tolerated standard maintenance doses of immunosuppressive drugs and "
                  "approved biological agents, excluding investigational drugs",
                  "standard_maintenance"),
    )  # fmt: skip


COMPONENTS: tuple[Component, ...] = _lldas_components()
"""The five components with the published limits (Franklyn 2016, Table 1)."""


def lldas_components(limits: LldasThresholds = LLDAS_PUBLISHED) -> tuple[Component, ...]:
    """The components worded with ``limits``: `COMPONENTS` for the published ones, found by
    identity rather than by hashing the limits (a pydantic model's hash reads every field;
    several times per assessment, issue 19)."""
    return COMPONENTS if limits is LLDAS_PUBLISHED else _lldas_components(limits)


class LldasInput(GlucocorticoidInput):
    """One visit's data for LLDAS, with the previous assessment to compare against."""

    sledai2k: Sledai2kResult = Field(description="The scored SLEDAI-2K of this assessment.")
    previous_sledai2k: Sledai2kResult | None = Field(
        default=None, description="The scored SLEDAI-2K of the previous assessment."
    )
    haemolytic_anaemia: bool | None = Field(
        default=None, description="Haemolytic anaemia from lupus now (not a SLEDAI-2K item)."
    )
    gastrointestinal_activity: bool | None = Field(
        default=None, description="Gastrointestinal lupus activity now (not a SLEDAI-2K item)."
    )
    previous_haemolytic_anaemia: bool | None = Field(
        default=None, description="Haemolytic anaemia at the previous assessment."
    )
    previous_gastrointestinal_activity: bool | None = Field(
        default=None, description="Gastrointestinal activity at the previous assessment."
    )
    pga: PgaValue | None = None
    maintenance_therapy_standard_and_tolerated: bool | None = Field(
        default=None,
        description="Immunosuppressives and approved biologics (anifrolumab included) at "
        "well-tolerated standard maintenance doses, and no investigational drug; true also "
        "when the patient takes none.",
    )

    @model_validator(mode="after")
    def _previous_comes_first(self) -> Self:
        now, before = self.sledai2k.date, self.previous_sledai2k
        if now and before and before.date and before.date > now:
            raise ValueError(
                f"previous_sledai2k is dated {before.date.isoformat()}, after the current "
                f"assessment ({now.isoformat()})"
            )
        return self


class LldasResult(CompositeResult):
    """LLDAS judged component by component (Franklyn 2016)."""

    instrument: str = "LLDAS"
    source: str = FRANKLYN_2016


def low_activity_without_major_organs(
    inp: LldasInput, limits: LldasThresholds = LLDAS_PUBLISHED
) -> ComponentFinding:
    """Component 1: SLEDAI-2K ≤ 4, no major organ, haemolytic or GI activity (Franklyn 2016)."""
    sledai = inp.sledai2k
    status_of = {f.code: f.status for f in sledai.findings}
    return _low_activity(
        lldas_components(limits)[0],
        limits.sledai2k_max,
        sledai.total,
        sledai.maximum_possible,
        tuple([status_of[code] for code in MAJOR_ORGAN_CODES]),
        tuple(sledai.missing),
        Status.of(inp.haemolytic_anaemia),
        Status.of(inp.gastrointestinal_activity),
    )


@functools.lru_cache(maxsize=1024)
def _low_activity(
    component: Component,
    limit: int,
    total: int,
    maximum: int,
    major: tuple[Status, ...],
    missing_descriptors: tuple[str, ...],
    haemolytic: Status,
    gastrointestinal: Status,
) -> ComponentFinding:
    """Component 1 from all it reads: the SLEDAI-2K's range and its descriptors not assessed,
    the statuses of `MAJOR_ORGAN_CODES` in order, haemolytic anaemia and GI activity. Built
    once per distinct set and shared (issue 19): a first visit with descriptors not assessed
    words a long list each time otherwise."""
    total_status = range_at_most(total, maximum, limit)
    # Each distinct status once: the conjunction does not depend on order or repetition.
    absent = set(major) | {haemolytic, gastrointestinal}
    status = all_of([total_status, *(negate(s) for s in absent)])
    score = score_range(total, maximum)
    if status is MET:
        return _sledai_within(component, score, limit)
    reasons: list[Reason] = []
    missing: list[str] = []
    shown = status  # report only what decides: failures, or else what is unknown
    if total_status is shown:
        code = "sledai_above" if shown is NOT_MET else "sledai_may_exceed"
        reasons.append(reason(code, score=score, limit=limit))
        missing.extend(f"sledai2k.{code}" for code in missing_descriptors)
    active = [c for c, s in zip(MAJOR_ORGAN_CODES, major, strict=True) if s is MET]
    unassessed = [c for c, s in zip(MAJOR_ORGAN_CODES, major, strict=True) if s is UNKNOWN]
    if shown is NOT_MET and active:
        reasons.append(reason("major_organ_activity", features=tuple(active)))
    if shown is UNKNOWN and unassessed:
        reasons.append(reason("major_organ_not_assessed", features=tuple(unassessed)))
        missing.extend(f"sledai2k.{code}" for code in unassessed)
    for name, value in (
        ("haemolytic_anaemia", haemolytic),
        ("gastrointestinal_activity", gastrointestinal),
    ):
        if shown is NOT_MET and value is MET:
            reasons.append(reason("present", item=name))
        if shown is UNKNOWN and value is UNKNOWN:
            reasons.append(reason("not_recorded", item=name))
            missing.append(name)
    return share(component.finding(status, reasons, missing))


@functools.lru_cache(maxsize=256)
def _sledai_within(component: Component, score: str, limit: int) -> ComponentFinding:
    """Component 1 met: depends on nothing but its arguments, so built once and shared, as
    the yes/no findings are (results are immutable; issue 19)."""
    return share(component.finding(MET, [reason("sledai_within", score=score, limit=limit)]))


def no_new_activity(inp: LldasInput) -> ComponentFinding:
    """Component 2: no new features of activity since the previous assessment (Franklyn 2016)."""
    now, before = inp.sledai2k, inp.previous_sledai2k
    # Every feature present or not assessed now, with its status; one absent now cannot be new,
    # so it decides nothing here (and most are absent: passing over them is most of this
    # component's speed, issue 19).
    absent = NOT_MET  # a name, not an enum lookup per feature
    current = tuple([(f.code, f.status) for f in now.findings if f.status is not absent])
    previous = None
    if before is not None:
        status_before = {f.code: f.status for f in before.findings}
        previous = tuple([status_before.get(code, UNKNOWN) for code, _ in current])
    return _no_new_activity(
        current,
        previous,
        inp.haemolytic_anaemia,
        inp.gastrointestinal_activity,
        inp.previous_haemolytic_anaemia,
        inp.previous_gastrointestinal_activity,
    )


@functools.lru_cache(maxsize=1024)
def _no_new_activity(
    current: tuple[tuple[str, Status], ...],
    previous: tuple[Status, ...] | None,
    haemolytic_anaemia: bool | None,
    gastrointestinal_activity: bool | None,
    previous_haemolytic_anaemia: bool | None,
    previous_gastrointestinal_activity: bool | None,
) -> ComponentFinding:
    """Component 2 from all it reads: the SLEDAI-2K features present or not assessed now with
    their statuses, the same features' statuses before (None: no previous assessment), and
    the two features outside the SLEDAI-2K now and before. Built once per distinct set and
    shared (issue 19)."""
    component = COMPONENTS[1]
    known_before = previous is not None
    # (feature code, status now, status before, input now, input before)
    features: list[tuple[str, Status, Status, str, str]] = [
        (
            code,
            status,
            previous[number] if previous is not None else UNKNOWN,
            f"sledai2k.{code}",
            f"previous_sledai2k.{code}" if known_before else "previous_sledai2k",
        )
        for number, (code, status) in enumerate(current)
    ]
    for name, value_now, value_before in (
        ("haemolytic_anaemia", haemolytic_anaemia, previous_haemolytic_anaemia),
        (
            "gastrointestinal_activity",
            gastrointestinal_activity,
            previous_gastrointestinal_activity,
        ),
    ):
        if value_now is not False:
            features.append(
                (name, Status.of(value_now), Status.of(value_before), name, f"previous_{name}")
            )
    # A feature is new when present now and absent before; not assessed before is not "absent".
    new = [(feature, all_of([feature[1], negate(feature[2])])) for feature in features]
    status = negate(any_of(is_new for _, is_new in new))
    if not known_before:
        # The definition is a comparison: with nothing to compare it can fail, never hold.
        status = all_of([status, UNKNOWN])
    if status is NOT_MET:
        codes = [f[0] for f, is_new in new if is_new is MET]
        return share(component.finding(status, [reason("new_features", features=tuple(codes))]))
    if status is MET:
        return _nothing_new(sum(1 for f in features if f[1] is MET))
    undecided = [f for f, is_new in new if is_new is UNKNOWN]
    missing = [
        name
        for _, value_now, value_before, name_now, name_before in undecided
        for name, value in ((name_now, value_now), (name_before, value_before))
        if value is UNKNOWN
    ]
    if not known_before:
        finding = component.finding(
            status, [reason("no_previous")], ["previous_sledai2k", *missing]
        )
    else:
        finding = component.finding(
            status, [reason("cannot_tell_new", features=tuple(f[0] for f in undecided))], missing
        )
    return share(finding)


@functools.lru_cache(maxsize=64)  # 0 to 26 features persisting
def _nothing_new(persisting: int) -> ComponentFinding:
    """Component 2 met: depends on nothing but the count of features persisting, so built once
    and shared, as component 1 met is (issue 19)."""
    finding = COMPONENTS[1].finding(MET, [reason("no_new_feature", persisting=persisting)])
    return share(finding)


def pga_within_limit(
    inp: LldasInput, limits: LldasThresholds = LLDAS_PUBLISHED
) -> ComponentFinding:
    """Component 3: SELENA physician global assessment ≤ 1 on 0–3 (Franklyn 2016)."""
    return threshold_finding(
        lldas_components(limits)[2],
        item="pga",
        value=inp.pga,
        limit=limits.pga_max,
        missing="pga",
    )


def prednisolone_within_limit(
    inp: LldasInput,
    limits: LldasThresholds = LLDAS_PUBLISHED,
    *,
    equivalent: PrednisoloneEquivalent | None = None,
) -> ComponentFinding:
    """Component 4: current prednisolone-equivalent dose ≤ 7.5 mg/day (Franklyn 2016).

    ``equivalent``: the input's regimens' equivalent on its SLEDAI-2K's day, when the caller
    has it already (computed here otherwise).
    """
    # "Current" is the dose taken on the day of this assessment, whose date the SLEDAI-2K has.
    return inp.prednisolone_finding(
        lldas_components(limits)[3],
        limit=limits.prednisolone_max_mg_per_day,
        on=inp.sledai2k.date,
        equivalent=equivalent,
    )


def standard_maintenance_therapy(inp: LldasInput) -> ComponentFinding:
    """Component 5: well-tolerated standard maintenance immunosuppression (Franklyn 2016)."""
    return boolean_finding(
        COMPONENTS[4],
        inp.maintenance_therapy_standard_and_tolerated,
        met="maintenance_standard",
        not_met="maintenance_not_standard",
        missing="maintenance_therapy_standard_and_tolerated",
    )


def assess_lldas(
    inp: LldasInput,
    limits: LldasThresholds = LLDAS_PUBLISHED,
    *,
    prednisolone: PrednisoloneEquivalent | None = None,
) -> LldasResult:
    """Judge the Lupus Low Disease Activity State, component by component (Franklyn 2016).

    ``limits`` defaults to the published values; a protocol's own are stated in the result.
    ``prednisolone``: the input's regimens' equivalent on its SLEDAI-2K's day, when the caller
    has computed it already (the assessment's own), so it is not computed again.
    """
    return LldasResult.judge(
        [
            low_activity_without_major_organs(inp, limits),
            no_new_activity(inp),
            pga_within_limit(inp, limits),
            prednisolone_within_limit(inp, limits, equivalent=prednisolone),
            standard_maintenance_therapy(inp),
        ]
    )
