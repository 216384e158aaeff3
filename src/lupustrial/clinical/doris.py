"""DORIS 2021 remission in SLE (van Vollenhoven 2021).

Remission holds when all four components hold:

1. clinical SLEDAI-2K = 0, irrespective of serology (low complement and raised anti-dsDNA
   do not count);
2. physician global assessment < 0.5 on the SELENA 0–3 scale (exactly 0.5 fails);
3. prednisolone-equivalent dose of 5 mg/day or less;
4. antimalarials, immunosuppressives and biologics, if taken, at stable doses.

The prednisolone limit is worded two ways in the paper: the abstract says "prednisolone
5 mg/day or less", the final recommendation in Table 2 "prednisolone <5 mg/day". We follow
the abstract, so exactly 5 mg/day meets by default; ``prednisolone_inclusive=False`` in
`DorisThresholds` (or ``prednisolone_limit_inclusive=False``) applies the strict reading.
The numeric limits are `DorisThresholds`, the published values by default; a protocol that
sets others (`ProtocolConfig.doris`) passes them in, and the results state the limits applied.

DORIS permits maintenance therapy rather than requiring it, so component 4 asks only that
whatever is taken be stable: ``maintenance_therapy_stable`` is true also for a patient on
none, false when a dose was started, raised or switched, and unknown when not recorded.
"""

from __future__ import annotations

import functools

from pydantic import Field

from lupustrial.clinical.components import (
    Component,
    ComponentFinding,
    CompositeResult,
    GlucocorticoidInput,
    boolean_finding,
    reason,
    sledai_score,
    threshold_finding,
)
from lupustrial.clinical.glucocorticoids import PrednisoloneEquivalent
from lupustrial.clinical.model import StrictModel, share
from lupustrial.clinical.pga import PgaValue
from lupustrial.clinical.sledai2k import DESCRIPTOR_BY_CODE, Sledai2kResult
from lupustrial.clinical.sources import VAN_VOLLENHOVEN_2021
from lupustrial.clinical.status import MET, NOT_MET


class DorisThresholds(StrictModel):
    """DORIS remission's numeric limits; every default is published (van Vollenhoven 2021)."""

    clinical_sledai2k_max: int = Field(
        default=0, ge=0, description="Component 1: clinical SLEDAI-2K ≤ this (0: none)."
    )
    pga_below: float = Field(
        default=0.5, gt=0, le=3, description="Component 2: physician global assessment < this."
    )
    prednisolone_max_mg_per_day: float = Field(
        default=5.0, ge=0, description="Component 3: prednisolone-equivalent mg/day limit."
    )
    prednisolone_inclusive: bool = Field(
        default=True,
        description="Component 3: the limit itself meets (the abstract's '5 mg/day or less'); "
        "false for Table 2's '< 5 mg/day'.",
    )


DORIS_PUBLISHED = DorisThresholds()
"""van Vollenhoven 2021: clinical SLEDAI-2K = 0, PGA < 0.5, prednisolone ≤ 5 mg/day."""


@functools.cache  # the same few limits for every assessment: worded once
def _doris_components(limits: DorisThresholds = DORIS_PUBLISHED) -> tuple[Component, ...]:
    """The four components of the 2021 DORIS definition (van Vollenhoven 2021), limits stated."""
    sledai = limits.clinical_sledai2k_max
    sledai_name = "= 0" if sledai == 0 else f"≤ {sledai}"
    pga, dose = f"{limits.pga_below:g}", f"{limits.prednisolone_max_mg_per_day:g}"
    at_most = limits.prednisolone_inclusive
    return (
        Component(1, f"Clinical SLEDAI-2K {sledai_name}",
                  f"Clinical SLEDAI-2K {sledai_name}, irrespective of serology",
                  "clinical_sledai_zero" if sledai == 0 else "clinical_sledai_at_most", sledai),
        Component(2, f"PGA < {pga}",
                  f"Physician global assessment < {pga} (scale 0–3)",
                  "pga_below", limits.pga_below),
        Component(3, f"Prednisolone {'≤' if at_most else '<'} {dose} mg/day",
                  f"Prednisolone (or equivalent) {dose} mg/day or less" if at_most
                  else f"Prednisolone (or equivalent) < {dose} mg/day",
                  "prednisolone_at_most" if at_most else "prednisolone_below",
                  limits.prednisolone_max_mg_per_day),
        Component(4, "Stable maintenance therapy",
                  "Antimalarials, immunosuppressives and biologics allowed at stable doses",
                  "stable_maintenance"),
    )  # fmt: skip


COMPONENTS: tuple[Component, ...] = _doris_components()
"""The four components with the published limits (van Vollenhoven 2021)."""


def doris_components(limits: DorisThresholds = DORIS_PUBLISHED) -> tuple[Component, ...]:
    """The components worded with ``limits``: `COMPONENTS` for the published ones, found by
    identity rather than by hashing the limits (a pydantic model's hash reads every field;
    several times per assessment, issue 19)."""
    return COMPONENTS if limits is DORIS_PUBLISHED else _doris_components(limits)


_CLINICAL = frozenset(code for code, d in DESCRIPTOR_BY_CODE.items() if not d.serology)


class DorisInput(GlucocorticoidInput):
    """One visit's data for DORIS remission (van Vollenhoven 2021)."""

    sledai2k: Sledai2kResult = Field(description="The scored SLEDAI-2K of this assessment.")
    pga: PgaValue | None = None
    maintenance_therapy_stable: bool | None = Field(
        default=None,
        description="Antimalarials, immunosuppressives and biologics, if any, at stable "
        "doses; true also when the patient takes none.",
    )


class DorisResult(CompositeResult):
    """DORIS remission judged component by component (van Vollenhoven 2021)."""

    instrument: str = "DORIS remission"
    source: str = VAN_VOLLENHOVEN_2021


def clinical_sledai_within_limit(
    inp: DorisInput, limits: DorisThresholds = DORIS_PUBLISHED
) -> ComponentFinding:
    """Component 1: clinical SLEDAI-2K = 0, serology ignored (van Vollenhoven 2021)."""
    component = doris_components(limits)[0]
    sledai = inp.sledai2k
    status = sledai.at_most(limits.clinical_sledai2k_max, clinical=True)
    score = sledai_score(sledai, clinical=True)
    met = MET  # a name, not an enum lookup per descriptor (issue 19)
    serology = [f.code for f in sledai.findings if f.status is met and f.code not in _CLINICAL]
    if status is MET:
        return _clinical_sledai_within(component, score, tuple(serology))
    if status is NOT_MET:
        active = [f.code for f in sledai.findings if f.status is met and f.code in _CLINICAL]
        return component.finding(
            status, [reason("clinical_sledai_active", score=score, features=active)]
        )
    unassessed = [code for code in sledai.missing if code in _CLINICAL]
    return component.finding(
        status,
        [reason("clinical_sledai_not_assessed", score=score, features=unassessed)],
        [f"sledai2k.{code}" for code in unassessed],
    )


@functools.lru_cache(maxsize=256)  # a few limits × scores within them × 4 serology patterns
def _clinical_sledai_within(
    component: Component, score: str, serology: tuple[str, ...]
) -> ComponentFinding:
    """Component 1 met: depends on nothing but its arguments, so built once and shared, as
    LLDAS component 1 met is (issue 19)."""
    finding = component.finding(MET, [reason("clinical_sledai", score=score, features=serology)])
    return share(finding)


def pga_within_limit(
    inp: DorisInput, limits: DorisThresholds = DORIS_PUBLISHED
) -> ComponentFinding:
    """Component 2: physician global assessment < 0.5 on 0–3 (van Vollenhoven 2021)."""
    return threshold_finding(
        doris_components(limits)[1],
        item="pga",
        value=inp.pga,
        limit=limits.pga_below,
        inclusive=False,
        missing="pga",
    )


def prednisolone_within_limit(
    inp: DorisInput,
    limits: DorisThresholds = DORIS_PUBLISHED,
    *,
    equivalent: PrednisoloneEquivalent | None = None,
) -> ComponentFinding:
    """Component 3: prednisolone equivalent ≤ 5 mg/day (van Vollenhoven 2021).

    ``equivalent``: the input's regimens' equivalent on its SLEDAI-2K's day, when the caller
    has it already (computed here otherwise).
    """
    # The dose taken on the day of this assessment, whose date the SLEDAI-2K has.
    return inp.prednisolone_finding(
        doris_components(limits)[2],
        limit=limits.prednisolone_max_mg_per_day,
        on=inp.sledai2k.date,
        inclusive=limits.prednisolone_inclusive,
        equivalent=equivalent,
    )


def stable_maintenance_therapy(inp: DorisInput) -> ComponentFinding:
    """Component 4: maintenance therapy, if any, at stable doses (van Vollenhoven 2021)."""
    return boolean_finding(
        COMPONENTS[3],
        inp.maintenance_therapy_stable,
        met="maintenance_stable",
        not_met="maintenance_not_stable",
        missing="maintenance_therapy_stable",
    )


def assess_doris_remission(
    inp: DorisInput,
    limits: DorisThresholds = DORIS_PUBLISHED,
    *,
    prednisolone_limit_inclusive: bool | None = None,
    prednisolone: PrednisoloneEquivalent | None = None,
) -> DorisResult:
    """Judge 2021 DORIS remission, component by component (van Vollenhoven 2021).

    ``limits`` defaults to the published values; ``prednisolone_limit_inclusive`` (if given)
    overrides ``limits.prednisolone_inclusive``. ``prednisolone``: the input's regimens'
    equivalent on its SLEDAI-2K's day, when the caller has computed it already.
    """
    if prednisolone_limit_inclusive is not None:
        limits = limits.model_copy(update={"prednisolone_inclusive": prednisolone_limit_inclusive})
    return DorisResult.judge(
        [
            clinical_sledai_within_limit(inp, limits),
            pga_within_limit(inp, limits),
            prednisolone_within_limit(inp, limits, equivalent=prednisolone),
            stable_maintenance_therapy(inp),
        ]
    )
