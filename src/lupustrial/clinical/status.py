"""Three-valued evaluation: met, not met, unknown (missing data is never silently false)."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING


class CodeEnum(StrEnum):
    """A text enumeration (statuses, organ systems, drugs) whose ``value`` is read without
    running Python code.

    pydantic reads ``value`` for every such member it serialises, and `enum`'s own ``value``
    is a Python-level descriptor (Python 3.11): that was a tenth of `lupustrial score`'s time
    (issue 19). The member's ``_value_`` is the same text, read here by a C-level getter.
    """

    if not TYPE_CHECKING:  # a type checker would take the getter for a member; the type is str
        value = property(operator.attrgetter("_value_"))


class Status(CodeEnum):
    """The outcome of judging one rule against data that may be incomplete."""

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """The status as a reader says it: "met", "not met", "unknown"."""
        return self.value.replace("_", " ")

    @classmethod
    def of(cls, value: bool | None) -> Status:
        """Map a known truth value to MET/NOT_MET and an absent one to UNKNOWN."""
        if value is None:
            return _UNKNOWN
        return _MET if value else _NOT_MET


MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
"""The members as plain names: `Status.MET` is a class attribute lookup through the enum's
metaclass, several times slower than a name, and these run for every descriptor of every
assessment scored (issue 19)."""
_MET, _NOT_MET, _UNKNOWN = MET, NOT_MET, UNKNOWN


def all_of(statuses: Iterable[Status]) -> Status:
    """Kleene conjunction: any NOT_MET decides; otherwise any UNKNOWN leaves it open."""
    result = _MET
    for status in statuses:
        if status is _NOT_MET:
            return _NOT_MET
        if status is _UNKNOWN:
            result = _UNKNOWN
    return result


def any_of(statuses: Iterable[Status]) -> Status:
    """Kleene disjunction: any MET decides; otherwise any UNKNOWN leaves it open."""
    result = _NOT_MET
    for status in statuses:
        if status is _MET:
            return _MET
        if status is _UNKNOWN:
            result = _UNKNOWN
    return result


def negate(status: Status) -> Status:
    """Kleene negation: UNKNOWN stays UNKNOWN."""
    if status is _UNKNOWN:
        return status
    return _NOT_MET if status is _MET else _MET
