"""What this database's vocabulary and records can answer: a coverage report per concept set.

A pre-screen on a vocabulary that lacks a set's concepts, or on laboratory results without a
usable unit, still finishes, with every affected criterion unknown; row by row that looks
like ordinary missing data. The report says it for the run as a whole: per concept set, how
many concepts it resolved to here and how many records it found (among persons with an SLE
record, the only ones staged), and per laboratory test how many results had no usable unit.
A set that resolves to nothing, or a test whose results mostly have no usable unit, is a
warning (printed, and written with the results).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lupustrial.prescreen.concepts import DEFAULT_CONCEPT_SETS, Domain
from lupustrial.prescreen.omop import OmopDatabase
from lupustrial.prescreen.plan import Kept
from lupustrial.prescreen.resolve import ResolvedConcepts
from lupustrial.prescreen.units import ResolvedUnits

if TYPE_CHECKING:
    import ibis.expr.types as ir

MOSTLY = 0.5
"""A test whose results lack a usable unit in more than this share is a warning."""


@dataclass(frozen=True)
class SetCoverage:
    """One concept set in this database: concepts, records, and for a lab its units."""

    key: str
    title: str
    concepts: int
    records: int | None
    lab_results: int | None = None
    without_unit: int | None = None

    @property
    def warning(self) -> str | None:
        if self.concepts == 0:
            return (
                f"concept set {self.key} resolves to no concept in this vocabulary: "
                "the criteria reading it cannot use it"
            )
        if self.lab_results and (self.without_unit or 0) > MOSTLY * self.lab_results:
            return (
                f"laboratory test {self.key}: {self.without_unit:,} of {self.lab_results:,} "
                "results have no usable unit (unit concept not in the vocabulary nor a standard "
                "UCUM id, written unit not understood): those results decide nothing"
            )
        return None


def coverage(
    db: OmopDatabase, events: Kept, resolved: ResolvedConcepts, units: ResolvedUnits
) -> list[SetCoverage]:
    """Every default concept set's coverage here (one small query for the record counts)."""

    def counted() -> ir.Table:
        return events.table.group_by("set_key").agg(n=events.table.count())

    records = dict(zip(*db.take("set_counts", counted).to_pydict().values(), strict=True))
    report = []
    for concept_set in DEFAULT_CONCEPT_SETS:
        key = concept_set.key
        lab = units.coverage.get(key)
        report.append(
            SetCoverage(
                key,
                concept_set.title,
                len(resolved.members[key]),
                None if concept_set.domain is Domain.RESULT else int(records.get(key, 0)),
                None if lab is None else lab.results,
                None if lab is None else lab.without_unit,
            )
        )
    return report


def warnings(report: list[SetCoverage]) -> list[str]:
    return [line.warning for line in report if line.warning is not None]
