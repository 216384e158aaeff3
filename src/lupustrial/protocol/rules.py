"""What a criterion is, and what judging one returns: status, evidence, what is missing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.clinical.status import Status, all_of, any_of
from lupustrial.protocol.config import ProtocolConfig
from lupustrial.protocol.screening import ScreeningRecord


class Kind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class Phrase(StrictModel):
    """One line of evidence, or one item still missing: a code and its values, with its English.

    The English (`text`) is what the command line and the English-only files print; the web
    layer words the code and its values in the reader's language (`edc/study/eligibility_text`).
    Values keep their types (dates, numbers, clinical results) so that each language can write
    them its own way.
    """

    code: str
    text: str
    params: dict[str, Any] = Field(default_factory=dict)


def said(code: str, text: str, **params: Any) -> Phrase:
    """A phrase: its code, its English, and the values the English was made of."""
    return Phrase(code=code, text=text, params=params)


FIELD = "field"
"""The code of a missing item that is an input field, named by its dotted path."""


def field(path: str) -> Phrase:
    """A missing input field, by its dotted path in the screening record."""
    return Phrase(code=FIELD, text=path, params={"path": path})


class Evaluation(StrictModel):
    """One criterion judged: met / not met / unknown, the evidence, and the inputs missing."""

    status: Status
    evidence: list[Phrase] = Field(default_factory=list)
    missing: list[Phrase] = Field(default_factory=list)

    @classmethod
    def unknown(cls, *missing: str | Phrase, evidence: list[Phrase] | None = None) -> Evaluation:
        items = [field(m) if isinstance(m, str) else m for m in missing]
        return cls(status=Status.UNKNOWN, evidence=evidence or [], missing=items)


def distinct(phrases: Iterable[Phrase]) -> list[Phrase]:
    """Each phrase once (by its English), in first-seen order."""
    seen: dict[str, Phrase] = {}
    for phrase in phrases:
        seen.setdefault(phrase.text, phrase)
    return list(seen.values())


def combine(parts: list[Evaluation], *, all_needed: bool) -> Evaluation:
    """Join part-judgements with Kleene AND (``all_needed``) or OR, keeping all evidence.

    What is missing is kept only while the answer is still open: once a part decides, the
    other parts' gaps no longer change the result and are not asked for.
    """
    statuses = [part.status for part in parts]
    status = all_of(statuses) if all_needed else any_of(statuses)
    evidence = [line for part in parts for line in part.evidence]
    missing = (
        distinct(m for part in parts for m in part.missing) if status is Status.UNKNOWN else []
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
