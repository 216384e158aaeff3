"""Which unit each laboratory result is in, and how many results have none that can be used.

A result's unit is read, in order, from the database's own vocabulary (its `concept` row for
``unit_concept_id``), from the OMOP standard UCUM concept ids (`labs.STANDARD_UCUM_IDS`,
understood even when the vocabulary lacks their rows), and from the unit as written
(``unit_source_value``) through the clinical layer's units module. A result none of these
turns into the unit its criterion is judged in has no converted value: its criterion is
unknown, with that reason, never guessed.

The distinct (test, unit id, written unit) combinations of the staged results are few; they
are fetched with their counts, mapped here in Python, and the map is joined back on the
engine (`facts.latest_records`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lupustrial.prescreen.arrow import Kind, table
from lupustrial.prescreen.labs import QUANTITATIVE, STANDARD_UCUM_IDS, LabTest
from lupustrial.prescreen.omop import OmopDatabase
from lupustrial.prescreen.plan import Kept

if TYPE_CHECKING:
    from collections.abc import Sequence

    import ibis.expr.types as ir
    import pyarrow as pa

NO_UNIT_ID = -1
"""A missing ``unit_concept_id`` as the join key carries it (NULL never equals NULL)."""
NO_UNIT_TEXT = ""
"""A missing ``unit_source_value`` as the join key carries it."""


def linear_map(
    test: LabTest, unit_id: int | None, written: str | None, vocabulary: dict[int, str]
) -> tuple[float, float] | None:
    """(scale, shift) onto ``test``'s unit: vocabulary, standard UCUM id, written unit."""
    if unit_id is not None:
        code = vocabulary.get(unit_id) or STANDARD_UCUM_IDS.get(unit_id)
        if code is not None and (found := test.linear_map(code)) is not None:
            return found
    if written:
        return test.spelled_map(written)
    return None


@dataclass(frozen=True)
class LabUnits:
    """Per quantitative test: results staged, and those without a usable unit."""

    results: int
    without_unit: int


@dataclass(frozen=True)
class ResolvedUnits:
    """The unit map to join on (`table`), and per test what it could read (`coverage`)."""

    table: pa.Table
    coverage: dict[str, LabUnits]


_NAMES = ("set_key", "unit_key", "unit_text", "scale", "shift")


def unit_keys(events: ir.Table) -> tuple[ir.IntegerValue, ir.StringValue]:
    """The join keys of a result's unit (its id and its written unit, missing made equal)."""
    return (
        events.unit_concept_id.fill_null(NO_UNIT_ID),
        events.unit_source.fill_null(NO_UNIT_TEXT),
    )


def resolve_units(db: OmopDatabase, events: Kept, vocabulary: dict[int, str]) -> ResolvedUnits:
    """Map every unit the staged laboratory results are in (one small query)."""

    def combos() -> ir.Table:
        labs = events.table.filter(events.table.set_key.isin(list(QUANTITATIVE)))
        unit_id, written = unit_keys(labs)
        return labs.group_by(set_key=labs.set_key, unit_key=unit_id, unit_text=written).agg(
            n=labs.count()
        )

    rows = db.take("unit_combinations", combos).to_pylist()
    counts = {key: [0, 0] for key in QUANTITATIVE}
    mapped: dict[str, list[object]] = {name: [] for name in _NAMES}
    for row in rows:
        key, unit, text, n = row["set_key"], row["unit_key"], row["unit_text"], row["n"]
        found = linear_map(
            QUANTITATIVE[key], None if unit == NO_UNIT_ID else unit, text or None, vocabulary
        )
        counts[key][0] += n
        if found is None:
            counts[key][1] += n
            continue
        for name, value in zip(_NAMES, (key, unit, text, *found), strict=True):
            mapped[name].append(value)
    coverage = {key: LabUnits(total, without) for key, (total, without) in counts.items()}
    kinds: tuple[Kind, ...] = ("string", "int64", "string", "float64", "float64")
    columns: dict[str, tuple[Sequence[object], Kind]] = {
        name: (mapped[name], kind) for name, kind in zip(_NAMES, kinds, strict=True)
    }
    return ResolvedUnits(table(columns), coverage)
