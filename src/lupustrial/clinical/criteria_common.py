"""Building blocks shared by the classification criteria (1997 ACR, SLICC 2012).

A classification instrument is a table of criteria, each made of sub-items. A sub-item is
entered by the clinician as true/false, or left out (not assessed); some sub-items can
instead be derived from a measurement crossing a published threshold. When both an entered
value and a derivable result exist and disagree, the entered value counts (the clinician may
have excluded a cause such as a drug) and the finding says so, as in SLEDAI-2K.

Criteria are judged three-valued (status.py): a classification is MET only when the
criteria already met reach its rule, NOT_MET only when they cannot reach it even if every
criterion not assessed were met, and UNKNOWN otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.status import CodeEnum, Status, all_of, any_of, negate
from lupustrial.clinical.thresholds import Evidence, Threshold


class CriterionKind(CodeEnum):
    """The two kinds of SLICC 2012 criteria; at least one of each is required (Petri 2012)."""

    CLINICAL = "clinical"
    IMMUNOLOGIC = "immunologic"


MORNING_STIFFNESS = Threshold(
    "morning_stiffness_minutes", "morning_stiffness_minutes", "≥", 30, "min"
)
"""'At least 30 minutes of morning stiffness': exactly 30 minutes counts (Petri 2012)."""


def joint_involvement(synovitis: Status, tenderness: Status, morning_stiffness: Status) -> Status:
    """Synovitis in ≥ 2 joints, or tenderness in ≥ 2 joints with ≥ 30 min morning stiffness.

    The SLICC 2012 joint criterion (Petri 2012); the 2019 EULAR/ACR joint involvement domain
    has the same wording (Aringer 2019).
    """
    return any_of((synovitis, all_of((tenderness, morning_stiffness))))


@dataclass(frozen=True)
class SubItem:
    """One alternative within a criterion, e.g. 9b leukopenia within the hematologic disorder."""

    code: str
    label: str  # "a", "b", "c(1)" as published; "" when the criterion has a single sub-item
    name: str
    definition: str
    enterable: bool = True  # False: only derived from a measurement of the same name
    entered_as: str | None = None  # the input field, when it is not ``code``
    negated: bool = False  # the sub-item is the absence of what ``entered_as`` records

    @property
    def input_field(self) -> str:
        return self.entered_as or self.code


Rule = Callable[[Mapping[str, Status]], Status]


def any_sub_item(statuses: Mapping[str, Status]) -> Status:
    """A criterion met by any one of its sub-items ('OR' in Tan 1982 and Petri 2012)."""
    return any_of(statuses.values())


def every_sub_item(statuses: Mapping[str, Status]) -> Status:
    """A criterion that needs all its sub-items, e.g. direct Coombs without hemolytic anemia."""
    return all_of(statuses.values())


@dataclass(frozen=True)
class Criterion:
    """One classification criterion, its published definition and its sub-items."""

    number: int
    code: str
    name: str
    definition: str
    sub_items: tuple[SubItem, ...]
    kind: CriterionKind | None = None
    rule: Rule = any_sub_item

    @classmethod
    def single(
        cls, number: int, code: str, name: str, definition: str, kind: CriterionKind | None = None
    ) -> Criterion:
        """A criterion that is its own single sub-item (same code, name and definition)."""
        return cls(number, code, name, definition, (SubItem(code, "", name, definition),), kind)


def sub_item_field(criteria: Iterable[Criterion], code: str) -> Any:
    """A pydantic field for one sub-item, described by its published definition."""
    for criterion in criteria:
        for sub_item in criterion.sub_items:
            if sub_item.code == code and sub_item.enterable and not sub_item.negated:
                kind = f"{criterion.kind} " if criterion.kind else ""
                return Field(
                    default=None,
                    description=f"{sub_item.name} ({kind}criterion {criterion.number}"
                    f"{sub_item.label}): {sub_item.definition} true = present at any time, "
                    "false = absent, omitted = not assessed.",
                )
    raise KeyError(code)


def measurement_description(
    thresholds: Iterable[Threshold], measurement: str, what: str, when: str = ""
) -> str:
    """Describe a raw-result field by the thresholds that read it, so they are stated once."""
    uses = "; ".join(
        f"{t.code} when {t.bound()}{when}" for t in thresholds if t.measurement == measurement
    )
    return f"{what} Derives {uses}, unless that sub-item is entered."


class CriterionFinding(StrictModel):
    """How one criterion was judged: its status, the sub-items behind it, and disagreements."""

    number: int
    code: str
    name: str
    kind: CriterionKind | None = None
    status: Status
    sub_items_met: list[str] = Field(description="Codes of the sub-items met.")
    not_assessed: list[str] = Field(description="Input fields of the sub-items not assessed.")
    derived: list[str] = Field(description="Codes of sub-items judged from measurements.")
    derived_from: list[str] = Field(description="The measurements and thresholds used.")
    discrepancies: list[str] = Field(
        description="Entered values that disagree with the measurements."
    )


def judge_criteria(
    criteria: Iterable[Criterion], inp: BaseModel, derive: Callable[[SubItem], Evidence | None]
) -> list[CriterionFinding]:
    """Judge each sub-item (entry first, else measurement), then each criterion by its rule."""
    return [_judge_criterion(criterion, inp, derive) for criterion in criteria]


def _judge_criterion(
    criterion: Criterion, inp: BaseModel, derive: Callable[[SubItem], Evidence | None]
) -> CriterionFinding:
    statuses: dict[str, Status] = {}
    not_assessed: list[str] = []
    derived: list[str] = []
    derived_from: list[str] = []
    discrepancies: list[str] = []
    for sub_item in criterion.sub_items:
        value: bool | None = getattr(inp, sub_item.input_field) if sub_item.enterable else None
        evidence = derive(sub_item)
        if evidence is not None:
            derived_from.append(evidence.note)
            if value is None:
                value = evidence.present
                derived.append(sub_item.code)
            elif value != evidence.present:
                discrepancies.append(
                    f"{sub_item.name} entered as {_presence(value)}, but the measurements say "
                    f"{_presence(evidence.present)} ({evidence.note}); the entered value counts."
                )
        if value is None:
            not_assessed.append(sub_item.input_field)
        status = Status.of(value)
        statuses[sub_item.code] = negate(status) if sub_item.negated else status
    return CriterionFinding.trusted(
        number=criterion.number,
        code=criterion.code,
        name=criterion.name,
        kind=criterion.kind,
        status=criterion.rule(statuses),
        sub_items_met=[code for code, status in statuses.items() if status is Status.MET],
        not_assessed=not_assessed,
        derived=derived,
        derived_from=derived_from,
        discrepancies=discrepancies,
    )


def _presence(value: bool) -> str:
    return "present" if value else "absent"


def reaches(count: int, maximum: int, threshold: int) -> Status:
    """Whether a count that may still rise to ``maximum`` reaches ``threshold``."""
    if count >= threshold:
        return Status.MET
    if maximum < threshold:
        return Status.NOT_MET
    return Status.UNKNOWN


def tally(
    findings: Iterable[CriterionFinding], kind: CriterionKind | None = None
) -> tuple[int, int]:
    """Criteria met, and criteria met or not assessed (the most that could be met)."""
    statuses = [f.status for f in findings if kind is None or f.kind is kind]
    met = statuses.count(Status.MET)
    return met, met + statuses.count(Status.UNKNOWN)


VERDICTS: dict[Status, str] = {
    Status.MET: "classified",
    Status.NOT_MET: "not classified",
    Status.UNKNOWN: "undetermined",
}


class ClassificationResult(StrictModel):
    """What every classification result shares; each instrument adds its own rule's parts."""

    instrument: str
    source: str
    date: PastDate | None = None
    criteria: list[CriterionFinding]
    count: int = Field(description="Number of criteria met.")
    maximum_possible: int = Field(
        description="Criteria met or not assessed: the count if every open criterion were met."
    )
    classified: Status
    missing: list[str] = Field(
        description="Input fields not assessed in the criteria still undetermined."
    )
    derived: list[str] = Field(description="Codes of sub-items judged from measurements.")
    discrepancies: list[str] = Field(
        description="Entered values that disagree with the measurements."
    )
    reasons: list[str] = Field(description="How the classification was reached, step by step.")

    def criterion(self, code: str) -> CriterionFinding:
        for finding in self.criteria:
            if finding.code == code:
                return finding
        raise KeyError(code)

    def summary_line(self) -> str:
        settled = self.classified is Status.MET
        counted = f"{self.count} of {len(self.criteria)} criteria"
        if self.maximum_possible > self.count and not settled:
            counted += f", up to {self.maximum_possible}"
        met = ", ".join(f.name for f in self.criteria if f.status is Status.MET)
        line = (
            f"{self.instrument}: {VERDICTS[self.classified]}{self._route_detail()} "
            f"({counted}{self._count_detail()}): {met or 'no criterion met'}"
        )
        unknown = [f.code for f in self.criteria if f.status is Status.UNKNOWN]
        if unknown and not settled:
            line += f"; not assessed: {', '.join(unknown)}"
        return line

    def _route_detail(self) -> str:
        return ""

    def _count_detail(self) -> str:
        return ""


def missing_fields(findings: Iterable[CriterionFinding]) -> list[str]:
    """Input fields not assessed in the criteria still undetermined (UNKNOWN)."""
    fields = (field for f in findings if f.status is Status.UNKNOWN for field in f.not_assessed)
    return list(dict.fromkeys(fields))


def derived_codes(findings: Iterable[CriterionFinding]) -> list[str]:
    return [code for f in findings for code in f.derived]


def all_discrepancies(findings: Iterable[CriterionFinding]) -> list[str]:
    return list(dict.fromkeys(d for f in findings for d in f.discrepancies))
