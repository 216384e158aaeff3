"""Where a pre-screen's queries run: one module per backend behind one interface, `Engine`.

Callers never ask a backend its name: what differs between engines (how a result is kept for
the rest of the run, fetched as Arrow, how a small table is sent to it, which form of the
criteria query it runs best) is a method or attribute of its `Engine`. Adding a backend
(Trino, BigQuery, Snowflake) is one module here, its name in `ENGINE_NAMES`, and its place
in the engine-equality test (`tests/prescreen/test_engines.py`).

This module imports nothing heavy: the command line reads `ENGINE_NAMES` at start-up, and a
backend's module (with ibis and its driver) is imported only when that engine is used.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from lupustrial.prescreen.omop import OmopDatabase
    from lupustrial.prescreen.plan import Step

ENGINE_NAMES: tuple[str, ...] = ("duckdb", "spark", "postgres")
"""Every engine, the default first: the one list (the command's choices read it)."""

CriteriaForm = Literal["union", "array"]
"""How the criteria's rows are made (`criteria.all_criteria`): a UNION ALL of one projection
per criterion, or one projection making each person's rows as an array, unnested."""


class EngineLostError(Exception):
    """The engine went away during a run, on every attempt (`engine.run_prescreen_on`): the
    message says which engine and what it last said, for the user."""


class Engine(ABC):
    """A backend: opens an OMOP database on it, keeps, fetches and uploads tables."""

    name: ClassVar[str]
    criteria_form: ClassVar[CriteriaForm] = "union"
    sorts_results: ClassVar[bool] = True
    """Whether the criteria rows are sorted by the engine (cheap where it sorts in parallel
    with the query) rather than in Python after the fetch."""
    runs_sql: ClassVar[bool] = False
    """Whether a run's statements are compiled once and sent as SQL text (`plan`): the
    engine then implements the methods below from `compile_keep` on."""

    @abstractmethod
    def open(self, location: str, **options: Any) -> OmopDatabase:
        """The OMOP CDM at ``location`` on this engine (`omop.OmopInputError` if not)."""

    def materialize(self, backend: Any, expr: ir.Table) -> ir.Table:
        """``expr`` computed once and kept on the engine for the rest of the run."""
        return expr.cache()

    def fetch(self, backend: Any, expr: ir.Table) -> pa.Table:
        """``expr``'s rows as an Arrow table, typed as ibis types ``expr``."""
        return expr.to_pyarrow()

    def lost(self, error: BaseException) -> bool:
        """Whether ``error`` says the engine itself went away mid-run (Spark's JVM gone), so
        that opening it again and running again may succeed; a wrong query, bad data or a
        bug is not a loss and is never retried. An embedded engine loses nothing."""
        return False

    def upload(self, backend: Any, table: pa.Table, name: str) -> ir.Table:
        """A small table on the engine, for joins (a temporary table, replaced each run).

        Created eagerly rather than as an ibis memtable: the engines' caches
        (`Table.cache`) then see it on every backend.
        """
        return backend.create_table(name, table, temp=True, overwrite=True)

    # --- an engine that runs SQL it is given (`runs_sql`; `plan`) ---------------------

    def compile_keep(self, backend: Any, expr: ir.Table) -> Step:
        """The statement that keeps ``expr``'s rows, typed as ibis types them."""
        raise NotImplementedError

    def run_keep(self, backend: Any, name: str, step: Step) -> None:
        """Keep a compiled step's rows as the temporary table ``name`` (replacing it)."""
        raise NotImplementedError

    def compile_fetch(self, backend: Any, expr: ir.Table) -> Step:
        """The statement that returns ``expr``'s rows."""
        raise NotImplementedError

    def run_fetch(self, backend: Any, step: Step) -> pa.Table:
        """A compiled step's rows as Arrow, typed as ibis types them."""
        raise NotImplementedError

    def send(self, backend: Any, table: pa.Table, name: str) -> None:
        """``table`` as the temporary table ``name`` (replacing it)."""
        raise NotImplementedError

    def columns_of(self, schema: pa.Schema) -> tuple[tuple[str, str], ...]:
        """An Arrow schema's columns as ibis type names (what `table_over` takes)."""
        raise NotImplementedError

    def table_over(self, backend: Any, name: str, columns: tuple[tuple[str, str], ...]) -> ir.Table:
        """The ibis table over the temporary table ``name`` of these columns."""
        raise NotImplementedError


def engine_named(name: str) -> Engine:
    """The engine called ``name`` (its module imported now)."""
    if name not in ENGINE_NAMES:
        from lupustrial.prescreen.omop import OmopInputError

        raise OmopInputError(f"unknown engine {name!r} ({', '.join(ENGINE_NAMES)})")
    module = importlib.import_module(f"{__name__}.{name}")
    engine: Engine = module.ENGINE
    return engine
