"""Which statuses fail a candidate, the ranked candidate list, and the attrition funnel.

An inclusion criterion fails when not met, an exclusion criterion when met
(`protocol.rules.Criterion.fails`); unknown never fails: it goes on the screening list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lupustrial.protocol.criteria import CRITERION_BY_ID
from lupustrial.protocol.rules import Kind

VISIT_ONLY: tuple[str, ...] = ("I1", "I3", "I5", "E1", "E8", "E13")
"""Criteria records cannot settle: always checked at the screening visit (I1: the
classification criteria; I3: the full SLEDAI-2K)."""


def kind_of(criterion: str) -> Kind:
    """The protocol's kind for a pre-screening criterion id ("alive" is an inclusion)."""
    if criterion == "alive":
        return Kind.INCLUSION
    return CRITERION_BY_ID[criterion.split(".")[0]].kind


def fails(criterion: str, status: str) -> bool:
    failing = "not_met" if kind_of(criterion) is Kind.INCLUSION else "met"
    return status == failing


def wording(criterion: str) -> str:
    if criterion == "alive":
        return "Alive on the as-of date"
    parts = {
        "I2.recent": "I2, part: within six months of the SLE diagnosis",
        "I2.untreated": "I2, part: no systemic immunosuppressive or immunomodulatory drug",
    }
    return parts.get(criterion) or CRITERION_BY_ID[criterion].wording


@dataclass
class Person:
    """A candidate's results, as ranked and listed."""

    person_id: int
    first_dx_date: dt.date
    last_visit: dt.date | None
    statuses: dict[str, str] = field(default_factory=dict)
    lab_points: float = 0.0

    @property
    def failed(self) -> list[str]:
        return [c for c, s in self.statuses.items() if fails(c, s)]

    @property
    def unknown(self) -> list[str]:
        return [c for c, s in self.statuses.items() if s == "unknown"]

    @property
    def candidate(self) -> bool:
        return not self.failed

    def to_check(self) -> list[str]:
        """What the screening visit must settle: the unknown criteria, then the visit-only."""
        items = [f"{c}: {wording(c)}" for c in self.unknown if c not in VISIT_ONLY]
        for criterion in VISIT_ONLY:
            if criterion == "I3" and self.statuses.get("I3") == "met":
                continue
            items.append(f"{criterion}: {CRITERION_BY_ID[criterion].wording}")
        return items


@dataclass(frozen=True)
class FunnelStep:
    step: str
    remaining: int
    failing_alone: int | None


def funnel(
    start: dict[str, int],
    failing_alone: dict[str, int],
    failing_first: dict[str, int],
    cohort: int,
    order: tuple[str, ...],
) -> list[FunnelStep]:
    """Persons remaining after each criterion in turn, and failing each criterion alone.

    ``failing_first`` counts, per criterion, the persons whose first failure in ``order``
    it is; the ``cohort`` persons minus those counts, cumulatively, remain.
    """
    steps = [FunnelStep(name, count, None) for name, count in start.items()]
    remaining = cohort
    for criterion in order:
        remaining -= failing_first.get(criterion, 0)
        steps.append(
            FunnelStep(
                f"{criterion}: {wording(criterion)}", remaining, failing_alone.get(criterion, 0)
            )
        )
    return steps
