"""DORIS 2021 remission in SLE (van Vollenhoven 2021).

Remission holds when all four components hold:

1. clinical SLEDAI-2K = 0, irrespective of serology (low complement and raised anti-dsDNA
   do not count);
2. physician global assessment < 0.5 on the SELENA 0–3 scale (exactly 0.5 fails);
3. prednisolone-equivalent dose of 5 mg/day or less;
4. antimalarials, immunosuppressives and biologics, if taken, at stable doses.

The prednisolone limit is worded two ways in the paper: the abstract says "prednisolone
5 mg/day or less", the final recommendation in Table 2 "prednisolone <5 mg/day". We follow
the abstract, so exactly 5 mg/day meets by default; ``prednisolone_limit_inclusive=False``
applies the strict reading.

DORIS permits maintenance therapy rather than requiring it, so component 4 asks only that
whatever is taken be stable: ``maintenance_therapy_stable`` is true also for a patient on
none, false when a dose was started, raised or switched, and unknown when not recorded.
"""

from __future__ import annotations

from pydantic import Field

from lupustrial.clinical.components import (
    Component,
    ComponentFinding,
    CompositeResult,
    GlucocorticoidInput,
    boolean_finding,
    sledai_score,
    threshold_finding,
)
from lupustrial.clinical.pga import PgaValue
from lupustrial.clinical.sledai2k import DESCRIPTOR_BY_CODE, Sledai2kResult
from lupustrial.clinical.sources import VAN_VOLLENHOVEN_2021
from lupustrial.clinical.status import Status

CLINICAL_SLEDAI2K_LIMIT = 0
PGA_LIMIT = 0.5
PREDNISOLONE_LIMIT_MG_PER_DAY = 5.0

COMPONENTS: tuple[Component, ...] = (
    Component(1, "Clinical SLEDAI-2K = 0",
              "Clinical SLEDAI-2K = 0, irrespective of serology"),
    Component(2, "PGA < 0.5",
              "Physician global assessment < 0.5 (scale 0–3)"),
    Component(3, "Prednisolone ≤ 5 mg/day",
              "Prednisolone (or equivalent) 5 mg/day or less"),
    Component(4, "Stable maintenance therapy",
              "Antimalarials, immunosuppressives and biologics allowed at stable doses"),
)  # fmt: skip
"""The four components of the 2021 DORIS definition (van Vollenhoven 2021)."""

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


def clinical_sledai_zero(inp: DorisInput) -> ComponentFinding:
    """Component 1: clinical SLEDAI-2K = 0, serology ignored (van Vollenhoven 2021)."""
    component = COMPONENTS[0]
    sledai = inp.sledai2k
    status = sledai.at_most(CLINICAL_SLEDAI2K_LIMIT, clinical=True)
    score = f"clinical SLEDAI-2K {sledai_score(sledai, clinical=True)}"
    serology = [
        f.name for f in sledai.findings if f.status is Status.MET and f.code not in _CLINICAL
    ]
    if status is Status.MET:
        ignored = f" ({', '.join(serology)} ignored)" if serology else ""
        return component.finding(status, f"{score}{ignored}")
    if status is Status.NOT_MET:
        active = [f.name for f in sledai.findings if f.status is Status.MET and f.code in _CLINICAL]
        return component.finding(status, f"{score}: {', '.join(active)}")
    unassessed = [code for code in sledai.missing if code in _CLINICAL]
    return component.finding(
        status,
        f"{score}: not assessed: {', '.join(unassessed)}",
        [f"sledai2k.{code}" for code in unassessed],
    )


def pga_below_half(inp: DorisInput) -> ComponentFinding:
    """Component 2: physician global assessment < 0.5 on 0–3 (van Vollenhoven 2021)."""
    return threshold_finding(
        COMPONENTS[1], label="PGA", value=inp.pga, limit=PGA_LIMIT, inclusive=False, missing="pga"
    )


def prednisolone_at_most_5(inp: DorisInput, *, inclusive: bool = True) -> ComponentFinding:
    """Component 3: prednisolone equivalent ≤ 5 mg/day (van Vollenhoven 2021)."""
    # The dose taken on the day of this assessment, whose date the SLEDAI-2K has.
    return inp.prednisolone_finding(
        COMPONENTS[2],
        limit=PREDNISOLONE_LIMIT_MG_PER_DAY,
        on=inp.sledai2k.date,
        inclusive=inclusive,
    )


def stable_maintenance_therapy(inp: DorisInput) -> ComponentFinding:
    """Component 4: maintenance therapy, if any, at stable doses (van Vollenhoven 2021)."""
    return boolean_finding(
        COMPONENTS[3],
        inp.maintenance_therapy_stable,
        met="maintenance therapy, if any, stable",
        not_met="maintenance therapy not stable",
        missing="maintenance_therapy_stable",
    )


def assess_doris_remission(
    inp: DorisInput, *, prednisolone_limit_inclusive: bool = True
) -> DorisResult:
    """Judge 2021 DORIS remission, component by component (van Vollenhoven 2021)."""
    return DorisResult.judge(
        [
            clinical_sledai_zero(inp),
            pga_below_half(inp),
            prednisolone_at_most_5(inp, inclusive=prednisolone_limit_inclusive),
            stable_maintenance_therapy(inp),
        ]
    )
