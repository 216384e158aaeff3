"""Definitions made of numbered components that must all hold: LLDAS, DORIS remission.

Each component is judged three-valued and explains itself (its published wording, the
evidence, what is missing); the definition holds when every component holds (Kleene
conjunction), so one component known to fail decides even when others are unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

from pydantic import Field, model_validator

from lupustrial.clinical.glucocorticoids import (
    UNDATED_ASSESSMENT,
    GlucocorticoidDose,
    PrednisoloneEquivalent,
    prednisolone_equivalent_on,
)
from lupustrial.clinical.model import StrictModel
from lupustrial.clinical.sledai2k import Sledai2kResult
from lupustrial.clinical.status import Status, all_of


@dataclass(frozen=True)
class Component:
    """One numbered component of a published definition, with its wording."""

    number: int
    name: str
    definition: str

    def finding(
        self, status: Status, evidence: str, missing: Sequence[str] = ()
    ) -> ComponentFinding:
        # What is missing only matters while the component is undecided.
        return ComponentFinding.trusted(
            number=self.number,
            name=self.name,
            definition=self.definition,
            status=status,
            evidence=evidence,
            missing=list(dict.fromkeys(missing)) if status is Status.UNKNOWN else [],
        )


class ComponentFinding(StrictModel):
    """How one component was judged: status, the evidence, and the inputs still needed."""

    number: int = Field(ge=1)
    name: str
    definition: str = Field(description="The component as the source words it.")
    status: Status
    evidence: str = Field(description="Why the component has this status, with the values.")
    missing: list[str] = Field(
        default_factory=list, description="Inputs that would decide an unknown component."
    )


class CompositeResult(StrictModel):
    """A definition that holds when all its components hold (three-valued)."""

    instrument: str
    source: str
    components: list[ComponentFinding]
    status: Status = Field(description="All components met → met; any not met → not met.")
    missing: list[str] = Field(description="Inputs that would decide the unknown components.")

    @model_validator(mode="after")
    def _status_follows_components(self) -> Self:
        expected = all_of(c.status for c in self.components)
        if self.status is not expected:
            raise ValueError(f"status {self.status} contradicts the components ({expected})")
        return self

    @classmethod
    def judge(cls, components: Sequence[ComponentFinding]) -> Self:
        """The result of ``components``: their conjunction and everything still missing."""
        missing = [name for c in components for name in c.missing]
        return cls.trusted(
            components=list(components),
            status=all_of(c.status for c in components),
            missing=list(dict.fromkeys(missing)),
        )

    def summary_line(self) -> str:
        if self.status is Status.MET:
            count = len(self.components)
            return f"{self.instrument}: met ({count}/{count} components)"
        deciding = "; ".join(
            f"{c.number} {c.evidence}" for c in self.components if c.status is self.status
        )
        label = "not met" if self.status is Status.NOT_MET else "unknown"
        return f"{self.instrument}: {label} — {deciding}"


def threshold_finding(
    component: Component,
    *,
    label: str,
    value: float | None,
    limit: float,
    inclusive: bool = True,
    unit: str = "",
    missing: str,
    detail: str | None = None,
) -> ComponentFinding:
    """A component that holds when ``value`` stays at or below (or below) ``limit``."""
    if value is None:
        return component.finding(Status.UNKNOWN, f"{label} not recorded", [missing])
    holds = value <= limit if inclusive else value < limit
    sign = {(True, True): "≤", (True, False): ">", (False, True): "<", (False, False): "≥"}[
        (inclusive, holds)
    ]
    suffix = f" {unit}" if unit else ""
    evidence = f"{label} {value:g}{suffix} {sign} {limit:g}{suffix}"
    if detail:
        evidence += f" ({detail})"
    return component.finding(Status.of(holds), evidence)


def boolean_finding(
    component: Component, value: bool | None, *, met: str, not_met: str, missing: str
) -> ComponentFinding:
    """A component recorded directly as a yes/no judgement."""
    if value is None:
        return component.finding(Status.UNKNOWN, f"{missing} not recorded", [missing])
    return component.finding(Status.of(value), met if value else not_met)


def sledai_score(result: Sledai2kResult, *, clinical: bool = False) -> str:
    """The score as known so far: exact when complete, else the possible range."""
    low, high = (
        (result.clinical_total, result.clinical_maximum_possible)
        if clinical
        else (result.total, result.maximum_possible)
    )
    return f"{low}" if low == high else f"{low}–{high}"


class GlucocorticoidInput(StrictModel):
    """The current glucocorticoid exposure: the doses themselves, or a precomputed mg/day."""

    prednisolone_mg_per_day: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        description="Current prednisolone-equivalent dose in mg/day, if already computed.",
    )
    glucocorticoids: list[GlucocorticoidDose] | None = Field(
        default=None,
        description="Systemic glucocorticoid regimens, converted with the BNF table; those "
        "taken on the assessment day are the current dose (all of them when none is dated); "
        "an empty list means none.",
    )

    @model_validator(mode="after")
    def _one_way_of_giving_the_dose(self) -> Self:
        if self.prednisolone_mg_per_day is not None and self.glucocorticoids is not None:
            raise ValueError(
                "give either prednisolone_mg_per_day or glucocorticoids, not both: "
                "two figures for one dose could disagree"
            )
        return self

    def prednisolone_equivalent(self, on: dt.date | None) -> PrednisoloneEquivalent | None:
        """The dose taken on ``on``; None when no regimens were given or the day is needed."""
        if self.glucocorticoids is None:
            return None
        return prednisolone_equivalent_on(self.glucocorticoids, on)

    def prednisolone_finding(
        self, component: Component, *, limit: float, on: dt.date | None, inclusive: bool = True
    ) -> ComponentFinding:
        """The dose component: the dose taken on ``on`` against ``limit`` mg/day."""
        equivalent = self.prednisolone_equivalent(on)
        if self.glucocorticoids is not None and equivalent is None:
            return component.finding(Status.UNKNOWN, UNDATED_ASSESSMENT, ["date"])
        value = self.prednisolone_mg_per_day if equivalent is None else equivalent.mg_per_day
        detail = None
        if equivalent is not None:
            detail = "; ".join(
                f"{c.drug.value} {c.daily_dose_mg:g} mg/day" for c in equivalent.contributions
            )
            detail = detail or "no glucocorticoid"
            if equivalent.not_current:
                detail += f"; {equivalent.not_current} not taken on {on}"
        return threshold_finding(
            component,
            label="prednisolone equivalent",
            value=value,
            limit=limit,
            inclusive=inclusive,
            unit="mg/day",
            missing="prednisolone_mg_per_day or glucocorticoids",
            detail=detail,
        )
