"""Published thresholds: a finding defined by a measurement crossing a fixed limit.

Every instrument that derives a finding from a value declares its limits as rows of this one
kind and judges them here: SLEDAI-2K (Gladman 2002), the 2019 EULAR/ACR criteria (Aringer
2019), the 1997 ACR criteria (Tan 1982; Hochberg 1997) and SLICC 2012 (Petri 2012). The
limits themselves, and whether a limit is strict, belong to each instrument's table.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lupustrial.clinical.model import Reason
from lupustrial.clinical.units import Quantity

Comparison = Literal["<", ">", "≥"]
COMPARE: Mapping[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    ">": operator.gt,
    "≥": operator.ge,
}
"""Typed loosely on purpose: the columnar scorer applies the same operators to whole arrays."""
_OPPOSITE: Mapping[str, str] = {"<": "≥", ">": "≤", "≥": "<"}


@dataclass(frozen=True)
class Evidence:
    """A finding judged from measurements, with the values and the limit it came from.

    ``note`` is the English the results print; ``reasons`` are the same values as codes
    (``lab_threshold``), for the pages to word in the reader's language.
    """

    present: bool
    note: str
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Threshold:
    """The finding ``code`` is present when ``measurement`` crosses ``threshold`` in ``unit``.

    ``code`` is the descriptor (SLEDAI-2K), item (2019 EULAR/ACR) or sub-item (1997 ACR,
    SLICC 2012) that the threshold defines.
    """

    code: str
    measurement: str
    comparison: Comparison
    threshold: float
    unit: str

    @property
    def descriptor(self) -> str:
        """``code`` by SLEDAI-2K's word, as the columnar scorer reads ``LAB_THRESHOLDS``."""
        return self.code

    @property
    def item(self) -> str:
        """``code`` by the 2019 EULAR/ACR word, as ``VALUE_THRESHOLDS`` was read."""
        return self.code

    def value_of(self, measured: Quantity | float) -> float:
        """The measurement in this threshold's unit (a plain number is already in it)."""
        return measured.to(self.unit) if isinstance(measured, Quantity) else float(measured)

    def holds(self, measured: Quantity | float) -> bool:
        return bool(COMPARE[self.comparison](self.value_of(measured), self.threshold))

    def shown(self, measured: Quantity | float) -> str:
        """The value as entered, and converted when it was entered in another unit."""
        if not isinstance(measured, Quantity):
            return f"{float(measured):g} {self.unit}"
        if measured.unit == self.unit:
            return str(measured)
        return f"{measured} = {self.value_of(measured):g} {self.unit}"

    def bound(self, present: bool = True) -> str:
        """The limit with the comparison that held, e.g. '< 4 10^9/L' or '≥ 4 10^9/L'."""
        sign = self.comparison if present else _OPPOSITE[self.comparison]
        return f"{sign} {self.threshold:g} {self.unit}"

    def judge(self, measured: Quantity | float) -> Evidence:
        present = self.holds(measured)
        return Evidence(
            present,
            f"{self.measurement} {self.shown(measured)} {self.bound(present)}",
            (self.reason(measured, present),),
        )

    def reason(self, measured: Quantity | float, present: bool) -> Reason:
        """The judgement as values: what ``shown`` and ``bound`` write, unworded."""
        if isinstance(measured, Quantity):
            value, unit = measured.value, measured.unit
            converted = None if unit == self.unit else self.value_of(measured)
        else:
            value, unit, converted = float(measured), self.unit, None
        return Reason.trusted(
            code="lab_threshold",
            values={
                "item": self.measurement,
                "value": value,
                "unit": unit,
                "converted": converted,
                "sign": self.comparison if present else _OPPOSITE[self.comparison],
                "limit": self.threshold,
                "limit_unit": self.unit,
            },
        )


def _given(
    thresholds: Iterable[Threshold], code: str, record: object | None
) -> Iterator[tuple[Threshold, Quantity | float]]:
    """The thresholds defining ``code`` whose measurement ``record`` holds, in table order."""
    if record is None:
        return
    for threshold in thresholds:
        if threshold.code != code:
            continue
        measured = getattr(record, threshold.measurement)
        # Lists (dated counts) are judged by their instrument's own occasion rule.
        if isinstance(measured, Quantity | int | float):
            yield threshold, measured


def first_given(
    thresholds: Iterable[Threshold], code: str, record: object | None
) -> Evidence | None:
    """The first measurement given decides: a table lists the preferred one first."""
    for threshold, measured in _given(thresholds, code, record):
        return threshold.judge(measured)
    return None


def any_crossed(
    thresholds: Iterable[Threshold], code: str, record: object | None
) -> Evidence | None:
    """One occasion suffices: any measurement across its threshold meets; each is noted."""
    judged = [threshold.judge(measured) for threshold, measured in _given(thresholds, code, record)]
    if not judged:
        return None
    return Evidence(
        any(e.present for e in judged),
        "; ".join(e.note for e in judged),
        tuple(r for e in judged for r in e.reasons),
    )
