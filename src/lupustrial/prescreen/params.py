"""The run's dates as data: the as-of date and every window's first day, one row on the engine.

Every query of a run reads its dates from this one-row table (uploaded per run, `Windows`
computed in Python with the protocol's calendar) instead of carrying them as literals, so
the SQL of a run does not depend on its as-of date: compiled once, it serves every run
(`plan`). On an engine whose SQL is not kept, the dates stay literals (`Params`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from lupustrial.prescreen.plan import Kept
from lupustrial.prescreen.windows import Windows

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

PARAMS_TABLE = "prescreen_params"
WINDOW_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Windows))
"""The columns of the parameter row: ``as_of`` and every window (`Windows`' fields)."""


def params_row(windows: Windows) -> pa.Table:
    """The one-row table of ``windows``' dates, a date column each."""
    from lupustrial.prescreen.arrow import table

    return table({name: ([getattr(windows, name)], "date") for name in WINDOW_NAMES})


class Params:
    """The run's dates in its queries: the uploaded parameter row read as scalars
    (uncorrelated subqueries), or, for an engine whose SQL is not kept (`Engine.runs_sql`),
    the dates themselves as literals: Spark runs each scalar subquery as a job of its own
    before the query, and gains nothing from SQL that outlives the run."""

    def __init__(self, row: Kept | ir.Table | None, literal: Windows | None = None) -> None:
        if (row is None) == (literal is None):
            raise ValueError("Params: the uploaded row or the literal dates, one of them")
        self._row = row
        self._literal = literal

    @property
    def row(self) -> ir.Table:
        assert self._row is not None
        return self._row.table if isinstance(self._row, Kept) else self._row

    def day(self, name: str) -> ir.DateValue:
        """The date ``name`` (`WINDOW_NAMES`) as a scalar of the query."""
        if name not in WINDOW_NAMES:
            raise KeyError(name)
        if self._literal is not None:
            import ibis

            literal: ir.DateValue = ibis.literal(getattr(self._literal, name), type="date")
            return literal
        value: ir.DateValue = self.row[name].as_scalar()
        return value

    @property
    def as_of(self) -> ir.DateValue:
        return self.day("as_of")
