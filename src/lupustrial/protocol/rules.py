"""What a criterion is, and what judging one returns: status, evidence, what is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.clinical.status import Status, all_of, any_of
from lupustrial.protocol.config import ProtocolConfig
from lupustrial.protocol.screening import ScreeningRecord


class Kind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class Evaluation(StrictModel):
    """One criterion judged: met / not met / unknown, the evidence, and the inputs missing."""

    status: Status
    evidence: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)

    @classmethod
    def unknown(cls, *missing: str, evidence: list[str] | None = None) -> Evaluation:
        return cls(status=Status.UNKNOWN, evidence=evidence or [], missing=list(missing))


def combine(parts: list[Evaluation], *, all_needed: bool) -> Evaluation:
    """Join part-judgements with Kleene AND (``all_needed``) or OR, keeping all evidence.

    What is missing is kept only while the answer is still open: once a part decides, the
    other parts' gaps no longer change the result and are not asked for.
    """
    statuses = [part.status for part in parts]
    status = all_of(statuses) if all_needed else any_of(statuses)
    evidence = [line for part in parts for line in part.evidence]
    missing = (
        list(dict.fromkeys(m for part in parts for m in part.missing))
        if status is Status.UNKNOWN
        else []
    )
    return Evaluation(status=status, evidence=evidence, missing=missing)


Rule = Callable[[ScreeningRecord, ProtocolConfig], Evaluation]


@dataclass(frozen=True)
class Criterion:
    """A registration criterion: its id, the registration's wording, its meaning in data."""

    id: str
    kind: Kind
    wording: str
    meaning: str
    needs: tuple[str, ...]
    rule: Rule

    def fails(self, status: Status) -> bool:
        """An inclusion fails when not met; an exclusion fails when met."""
        return status is (Status.NOT_MET if self.kind is Kind.INCLUSION else Status.MET)
