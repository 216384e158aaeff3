"""Definitions made of numbered components that must all hold: LLDAS, DORIS remission.

Each component is judged three-valued and explains itself (its published wording, the
evidence, what is missing); the definition holds when every component holds (Kleene
conjunction), so one component known to fail decides even when others are unknown.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from pydantic import Field, model_validator

from lupustrial.clinical.glucocorticoids import (
    UNDATED_ASSESSMENT,
    GlucocorticoidDose,
    PrednisoloneEquivalent,
    prednisolone_equivalent_on,
)
from lupustrial.clinical.model import FrozenValues, Reason, StrictModel, share
from lupustrial.clinical.sledai2k import DESCRIPTOR_BY_CODE, Sledai2kResult
from lupustrial.clinical.status import MET, NOT_MET, UNKNOWN, Status, all_of

ITEM_WORDS: dict[str, str] = {
    "pga": "PGA",
    "prednisolone_equivalent": "prednisolone equivalent",
    "haemolytic_anaemia": "haemolytic anaemia",
    "gastrointestinal_activity": "gastrointestinal activity",
}
"""The English of the inputs a reason names; any other input is named by its field name."""

PHRASES: dict[str, str] = {
    "maintenance_standard": "maintenance therapy standard and well tolerated",
    "maintenance_not_standard": (
        "maintenance therapy not standard, not tolerated or investigational"
    ),
    "maintenance_stable": "maintenance therapy, if any, stable",
    "maintenance_not_stable": "maintenance therapy not stable",
    "no_previous": "no previous assessment",
    "undated": UNDATED_ASSESSMENT,
}
"""Reasons that are a fixed phrase, by code."""


def _item(code: str) -> str:
    return ITEM_WORDS.get(code, code)


def _feature(code: str) -> str:
    """A SLEDAI-2K descriptor's name, or a feature outside the SLEDAI-2K (LLDAS's two)."""
    descriptor = DESCRIPTOR_BY_CODE.get(code)
    return descriptor.name if descriptor is not None else _item(code)


def _dose_detail(values: dict[str, Any]) -> str:
    detail = "; ".join(f"{drug} {mg:g} mg/day" for drug, mg in values["doses"])
    detail = detail or "no glucocorticoid"
    if values.get("not_current"):
        detail += f"; {values['not_current']} not taken on {values['on']}"
    return detail


def english(reason: Reason) -> str:
    """A reason in English, as the command line and the dataset give it."""
    v, code = reason.values, reason.code
    if code in PHRASES:
        return PHRASES[code]
    if code == "not_recorded":
        return f"{_item(v['item'])} not recorded"
    if code == "present":
        return _item(v["item"])
    if code == "compared":
        suffix = f" {v['unit']}" if v.get("unit") else ""
        text = f"{_item(v['item'])} {v['value']:g}{suffix} {v['sign']} {v['limit']:g}{suffix}"
        return f"{text} ({_dose_detail(v)})" if "doses" in v else text
    wording = _WORDING.get(code)
    if wording is None:
        raise ValueError(f"no English for the reason {code!r}")
    return wording(v)


def _names(v: dict[str, Any]) -> str:
    return ", ".join(_feature(c) for c in v.get("features", ()))


def _codes(v: dict[str, Any]) -> str:
    return ", ".join(v.get("features", ()))


_WORDING: dict[str, Callable[[dict[str, Any]], str]] = {
    # Only the reason at hand is worded (issue 19: wording all of them for each cost more
    # than judging the component).
    "sledai_within": lambda v: (
        f"SLEDAI-2K {v.get('score')} ≤ {v.get('limit')}, no major "
        "organ, haemolytic or gastrointestinal activity"
    ),
    "sledai_above": lambda v: f"SLEDAI-2K {v.get('score')} > {v.get('limit')}",
    "sledai_may_exceed": lambda v: f"SLEDAI-2K {v.get('score')} may exceed {v.get('limit')}",
    "major_organ_activity": lambda v: f"major organ activity: {_names(v)}",
    "major_organ_not_assessed": lambda v: f"major organ descriptors not assessed: {_codes(v)}",
    "new_features": lambda v: f"new since the previous assessment: {_names(v)}",
    "no_new_feature": lambda v: (
        "no new feature since the previous assessment"
        + (f" ({v['persisting']} persisting)" if v.get("persisting") else "")
    ),
    "cannot_tell_new": lambda v: f"cannot tell whether new: {_names(v)}",
    "clinical_sledai": lambda v: (
        f"clinical SLEDAI-2K {v.get('score')}"
        + (f" ({names} ignored)" if (names := _names(v)) else "")
    ),
    "clinical_sledai_active": lambda v: f"clinical SLEDAI-2K {v.get('score')}: {_names(v)}",
    "clinical_sledai_not_assessed": lambda v: (
        f"clinical SLEDAI-2K {v.get('score')}: not assessed: {_codes(v)}"
    ),
}
"""Reasons worded from their values, by code."""


@dataclass(frozen=True)
class Component:
    """One numbered component of a published definition, with its wording."""

    number: int
    name: str
    definition: str
    code: str = ""
    """What the name says, as a code another language words (with ``limit``)."""
    limit: float | None = None
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Hashed once: a component is a key of the shared findings' caches, several times per
        # assessment, and the generated hash reads every field each time (issue 19).
        fields = (self.number, self.name, self.definition, self.code, self.limit)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash

    def finding(
        self, status: Status, reasons: Sequence[Reason], missing: Sequence[str] = ()
    ) -> ComponentFinding:
        # What is missing only matters while the component is undecided.
        return ComponentFinding.trusted(
            number=self.number,
            name=self.name,
            definition=self.definition,
            status=status,
            evidence="; ".join(english(r) for r in reasons),
            missing=tuple(dict.fromkeys(missing)) if status is UNKNOWN else (),
            reasons=tuple(reasons),
            code=self.code,
            limit=self.limit,
        )


def reason(code: str, **values: Any) -> Reason:
    """A reason; its values refuse changes, as it may be shared (`model.share`)."""
    return Reason.trusted(code=code, values=FrozenValues(values))


class ComponentFinding(StrictModel):
    """How one component was judged: status, the evidence, and the inputs still needed."""

    number: int = Field(ge=1)
    name: str
    definition: str = Field(description="The component as the source words it.")
    status: Status
    evidence: str = Field(description="Why the component has this status, with the values.")
    missing: tuple[str, ...] = Field(
        default=(), description="Inputs that would decide an unknown component."
    )
    code: str = Field(default="", exclude=True, description="The component's name as a code.")
    limit: float | None = Field(default=None, exclude=True, description="The limit it states.")
    reasons: tuple[Reason, ...] = Field(
        default=(),
        exclude=True,  # the evidence's codes and values, for the pages; the JSON keeps evidence
        description="The evidence as codes and values, for wording in another language.",
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
        if self.status is MET:
            count = len(self.components)
            return f"{self.instrument}: met ({count}/{count} components)"
        deciding = "; ".join(
            f"{c.number} {c.evidence}" for c in self.components if c.status is self.status
        )
        label = "not met" if self.status is NOT_MET else "unknown"
        return f"{self.instrument}: {label} — {deciding}"


def threshold_finding(
    component: Component,
    *,
    item: str,
    value: float | None,
    limit: float,
    inclusive: bool = True,
    unit: str = "",
    missing: str,
    doses: Sequence[tuple[str, float]] | None = None,
    not_current: int = 0,
    on: dt.date | None = None,
) -> ComponentFinding:
    """A component that holds when ``value`` stays at or below (or below) ``limit``.

    ``doses`` (drug, mg/day) explain a prednisolone equivalent, with the regimens ``not_current``
    on the day ``on``.
    """
    if doses is None:
        return _shared_threshold_finding(component, item, value, limit, inclusive, unit, missing)
    return _threshold_finding(
        component, item, value, limit, inclusive, unit, missing, doses, not_current, on
    )


@functools.lru_cache(maxsize=1024, typed=True)
def _shared_threshold_finding(
    component: Component,
    item: str,
    value: float | None,
    limit: float,
    inclusive: bool,
    unit: str,
    missing: str,
) -> ComponentFinding:
    """A comparison that depends on nothing but its arguments (a PGA against its limit):
    built once and shared, as results are immutable; the few values a scale has recur
    (issue 19)."""
    return share(_threshold_finding(component, item, value, limit, inclusive, unit, missing))


def _threshold_finding(
    component: Component,
    item: str,
    value: float | None,
    limit: float,
    inclusive: bool,
    unit: str,
    missing: str,
    doses: Sequence[tuple[str, float]] | None = None,
    not_current: int = 0,
    on: dt.date | None = None,
) -> ComponentFinding:
    if value is None:
        return component.finding(UNKNOWN, [reason("not_recorded", item=item)], [missing])
    holds = value <= limit if inclusive else value < limit
    sign = {(True, True): "≤", (True, False): ">", (False, True): "<", (False, False): "≥"}[
        (inclusive, holds)
    ]
    values: dict[str, Any] = {
        "item": item,
        "value": value,
        "sign": sign,
        "limit": limit,
        "unit": unit,
    }
    if doses is not None:
        values |= {"doses": list(doses), "not_current": not_current, "on": on}
    return component.finding(Status.of(holds), [reason("compared", **values)])


@functools.cache  # three findings per component (yes, no, not recorded): built once, shared
def boolean_finding(
    component: Component, value: bool | None, *, met: str, not_met: str, missing: str
) -> ComponentFinding:
    """A component recorded directly as a yes/no judgement (``met``, ``not_met``: phrase codes)."""
    if value is None:
        finding = component.finding(UNKNOWN, [reason("not_recorded", item=missing)], [missing])
    else:
        finding = component.finding(Status.of(value), [reason(met if value else not_met)])
    return share(finding)


def sledai_score(result: Sledai2kResult, *, clinical: bool = False) -> str:
    """The score as known so far: exact when complete, else the possible range."""
    low, high = (
        (result.clinical_total, result.clinical_maximum_possible)
        if clinical
        else (result.total, result.maximum_possible)
    )
    return score_range(low, high)


def score_range(low: int, high: int) -> str:
    """A score known to lie in ``low``..``high``: exact when they are equal, else the range."""
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
        self,
        component: Component,
        *,
        limit: float,
        on: dt.date | None,
        inclusive: bool = True,
        equivalent: PrednisoloneEquivalent | None = None,
    ) -> ComponentFinding:
        """The dose component: the dose taken on ``on`` against ``limit`` mg/day.

        ``equivalent``, when given, is this input's regimens' equivalent on ``on``, already
        computed by the caller (the assessment's own, issue 19); otherwise it is computed here.
        """
        if equivalent is None:
            equivalent = self.prednisolone_equivalent(on)
        if self.glucocorticoids is not None and equivalent is None:
            return component.finding(UNKNOWN, [reason("undated")], ["date"])
        value = self.prednisolone_mg_per_day if equivalent is None else equivalent.mg_per_day
        return threshold_finding(
            component,
            item="prednisolone_equivalent",
            value=value,
            limit=limit,
            inclusive=inclusive,
            unit="mg/day",
            missing="prednisolone_mg_per_day or glucocorticoids",
            doses=(
                None
                if equivalent is None
                else [(c.drug.value, c.daily_dose_mg) for c in equivalent.contributions]
            ),
            not_current=equivalent.not_current if equivalent is not None else 0,
            on=on,
        )
