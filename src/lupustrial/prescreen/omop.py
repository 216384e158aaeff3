"""Opening an OMOP CDM (v5.3 or v5.4) on an engine: the tables and columns pre-screening reads.

Sources: a directory of Parquet files (``person.parquet`` or ``person/`` of parts, one per
table), a DuckDB database file, or a PostgreSQL URL. On Spark, Parquet paths or a database
of the session's catalogue. Each engine opens its own sources (`engines`). Every column
is cast on read to the type the CDM specifies (64-bit ids, dates), so an ETL that wrote
32-bit ids or timestamps reads the same way on every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from lupustrial.prescreen.engines import ENGINE_NAMES, Engine, engine_named
from lupustrial.prescreen.plan import Kept, Plan

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

T = TypeVar("T")
R = TypeVar("R")

ID, DATE, FLOAT, STR = "int64", "date", "float64", "string"

CDM_COLUMNS: dict[str, dict[str, str]] = {
    "person": {
        "person_id": ID,
        "gender_concept_id": ID,
        "year_of_birth": ID,
        "month_of_birth": ID,
        "day_of_birth": ID,
    },
    "observation_period": {
        "person_id": ID,
        "observation_period_start_date": DATE,
        "observation_period_end_date": DATE,
    },
    "condition_occurrence": {
        "condition_occurrence_id": ID,
        "person_id": ID,
        "condition_concept_id": ID,
        "condition_start_date": DATE,
        "condition_end_date": DATE,
    },
    "drug_exposure": {
        "drug_exposure_id": ID,
        "person_id": ID,
        "drug_concept_id": ID,
        "drug_exposure_start_date": DATE,
        "drug_exposure_end_date": DATE,
    },
    "measurement": {
        "measurement_id": ID,
        "person_id": ID,
        "measurement_concept_id": ID,
        "measurement_date": DATE,
        "value_as_number": FLOAT,
        "value_as_concept_id": ID,
        "unit_concept_id": ID,
        "unit_source_value": STR,
    },
    "observation": {
        "observation_id": ID,
        "person_id": ID,
        "observation_concept_id": ID,
        "observation_date": DATE,
        "value_as_number": FLOAT,
        "value_as_concept_id": ID,
        "unit_concept_id": ID,
        "unit_source_value": STR,
    },
    "visit_occurrence": {
        "visit_occurrence_id": ID,
        "person_id": ID,
        "visit_start_date": DATE,
        "visit_end_date": DATE,
    },
    "death": {"person_id": ID, "death_date": DATE},
    "concept": {
        "concept_id": ID,
        "concept_name": STR,
        "domain_id": STR,
        "vocabulary_id": STR,
        "concept_class_id": STR,
        "standard_concept": STR,
        "concept_code": STR,
    },
    "concept_ancestor": {"ancestor_concept_id": ID, "descendant_concept_id": ID},
}
"""The columns read, with their CDM v5.4 types; other columns are never touched."""

OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "measurement": frozenset({"unit_source_value"}),
    "observation": frozenset({"unit_source_value"}),
}
"""Columns read where present and NULL where an extract left them out: the written unit is
only the last resort for a result's unit (`units`)."""


class OmopInputError(Exception):
    """A database that cannot be pre-screened: the message says what is wrong, for the user."""


@dataclass
class OmopDatabase:
    """An ibis backend and the CDM tables on it, cast to the CDM's types, and the `Engine`
    that keeps, fetches and uploads tables there."""

    backend: Any
    engine: Engine
    tables: Mapping[str, ir.Table]
    location: str
    options: dict[str, str] = field(default_factory=dict)
    """The options it was opened with, as text (a PostgreSQL schema), to open it again."""
    warnings: list[str] = field(default_factory=list)
    """What was read other than as given (an optional table read as empty), for the run."""

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    def materialize(self, expr: ir.Table) -> ir.Table:
        """``expr`` computed once and kept on the engine for the rest of the run."""
        return self.engine.materialize(self.backend, expr)

    def fetch(self, expr: ir.Table) -> pa.Table:
        """``expr``'s rows as an Arrow table, typed as ibis types ``expr``."""
        return self.engine.fetch(self.backend, expr)

    def upload(self, table: pa.Table, name: str) -> ir.Table:
        """A small table on the engine, for joins (a temporary table, replaced each run)."""
        return self.engine.upload(self.backend, table, name)

    plan: Plan | None = None
    """The run's compiled statements (`plan`), where the engine runs SQL it is given."""

    def keep(self, step: str, build: Callable[[], ir.Table]) -> Kept:
        """Step ``step``'s result kept on the engine for the rest of the run: from the
        plan's SQL if it has the step, else ``build``'s expression, compiled and added."""
        if self.plan is None or not self.engine.runs_sql:
            return Kept(step, expr=self.materialize(build()))
        name = f"prescreen_{step.split(':')[0]}"
        compiled = self.plan.get(step)
        if compiled is None:
            compiled = self.engine.compile_keep(self.backend, build())
            self.plan.add(step, compiled)
        self.engine.run_keep(self.backend, name, compiled)
        columns = compiled.columns
        return Kept(name, lambda: self.engine.table_over(self.backend, name, columns))

    def take(self, step: str, build: Callable[[], ir.Table]) -> pa.Table:
        """Step ``step``'s rows as Arrow (as `keep`, fetched rather than kept)."""
        if self.plan is None or not self.engine.runs_sql:
            return self.fetch(build())
        compiled = self.plan.get(step)
        if compiled is None:
            compiled = self.engine.compile_fetch(self.backend, build())
            self.plan.add(step, compiled)
        return self.engine.run_fetch(self.backend, compiled)

    def send(self, table: pa.Table, name: str) -> Kept:
        """`upload`, as a `Kept` whose ibis table is made only if a step is built."""
        if self.plan is None or not self.engine.runs_sql:
            return Kept(name, expr=self.upload(table, name))
        self.engine.send(self.backend, table, name)
        schema = table.schema
        return Kept(
            name, lambda: self.engine.table_over(self.backend, name, self.engine.columns_of(schema))
        )


How = Literal["cast", "try_cast", "null"]


def column_sources(
    name: str, present: Mapping[str, bool], where: str
) -> dict[str, tuple[str | None, How]]:
    """Per CDM column of table ``name``: the column it is read from among ``present``
    (name, in any case → whether it holds text) and how it is typed: cast; cast where it is
    a value, when text is read as a number or date (`_cast`); or NULL, for an optional
    column left out (`OPTIONAL_COLUMNS`). A required column missing is an `OmopInputError`."""
    columns = CDM_COLUMNS[name]
    found = {column.lower(): column for column in present}
    optional = OPTIONAL_COLUMNS.get(name, frozenset())
    missing = [column for column in columns if column not in found and column not in optional]
    if missing:
        raise OmopInputError(f"{where}: table {name} lacks column(s) {', '.join(missing)}")
    sources: dict[str, tuple[str | None, How]] = {}
    for column, kind in columns.items():
        if column not in found:
            sources[column] = (None, "null")
        else:
            text = present[found[column]] and kind != STR
            sources[column] = (found[column], "try_cast" if text else "cast")
    return sources


def _typed(table: ir.Table, name: str, where: str) -> ir.Table:
    import ibis

    present = {column: table[column].type().is_string() for column in table.columns}
    sources = column_sources(name, present, where)
    kinds = CDM_COLUMNS[name]
    return table.select(
        **{
            column: ibis.null().cast(kinds[column])
            if source is None
            else _cast(table[source], kinds[column])
            for column, (source, _) in sources.items()
        }
    )


def _cast(column: ir.Value, kind: str) -> ir.Value:
    """A column as the CDM types it. Text read as a number or date (an ETL that wrote every
    column as text, as Eunomia's measurement values are) becomes NULL where it is not one,
    rather than stopping the run: an unreadable value is a missing value."""
    if column.type().is_string() and kind != STR:
        return column.try_cast(kind)
    return column.cast(kind)


OPTIONAL_TABLES = frozenset({"death"})
"""Tables a pre-screen runs without: an absent, empty or malformed one is read as empty,
with a warning (Eunomia's death table has placeholder column names and its header as a
row), where a missing clinical table stops the run."""


def _empty(name: str) -> ir.Table:
    import ibis
    import pyarrow as pa

    arrow = {ID: pa.int64(), DATE: pa.date32(), FLOAT: pa.float64(), STR: pa.string()}
    columns = CDM_COLUMNS[name]
    schema = pa.schema([(column, arrow[kind]) for column, kind in columns.items()])
    return ibis.memtable(schema.empty_table())


def read_tables(
    raw: Mapping[str, T | None],
    where: str,
    missing_message: str,
    typed: Callable[[T, str, str], R],
    empty: Callable[[str], R],
) -> tuple[dict[str, R], list[str]]:
    """Every CDM table typed (``typed``: `column_sources`' rule), an optional one read as
    empty (``empty``) if it cannot be, with a warning."""
    missing = [name for name, table in raw.items() if table is None and name not in OPTIONAL_TABLES]
    if missing:
        raise OmopInputError(missing_message.format(", ".join(missing)))
    tables: dict[str, R] = {}
    warnings: list[str] = []
    for name, table in raw.items():
        try:
            if table is None:
                raise OmopInputError(f"{where}: no table {name}")
            tables[name] = typed(table, name, where)
        except OmopInputError as error:
            if name not in OPTIONAL_TABLES:
                raise
            warnings.append(f"{error}: read as empty (no {name} records known)")
            tables[name] = empty(name)
    return tables, warnings


def _read_all(
    raw: dict[str, ir.Table | None], where: str, missing_message: str
) -> tuple[dict[str, ir.Table], list[str]]:
    """Every CDM table typed as ibis tables (`read_tables`)."""
    return read_tables(raw, where, missing_message, _typed, _empty)


def parquet_path(directory: Path, name: str) -> Path | None:
    for candidate in (directory / f"{name}.parquet", directory / name):
        if candidate.is_file() or (candidate.is_dir() and any(candidate.glob("*.parquet"))):
            return candidate
    return None


def parquet_missing(directory: Path) -> str:
    """`read_tables`' message for Parquet tables not found in ``directory``."""
    return (
        f"{directory}: no Parquet for table(s) {{}} (expected <table>.parquet or <table>/*.parquet)"
    )


def parquet_tables(backend: Any, directory: Path) -> tuple[dict[str, ir.Table], list[str]]:
    """Every CDM table from a directory of Parquet files, typed, and the warnings."""
    paths = {name: parquet_path(directory, name) for name in CDM_COLUMNS}
    raw: dict[str, ir.Table | None] = {}
    for name, path in paths.items():
        if path is None:
            raw[name] = None
            continue
        source = str(path / "*.parquet") if path.is_dir() else str(path)
        raw[name] = backend.read_parquet(source, table_name=f"omop_{name}")
    return _read_all(raw, str(directory), parquet_missing(directory))


def backend_tables(
    backend: Any, where: str, names: list[str], database: str | None = None
) -> tuple[dict[str, ir.Table], list[str]]:
    """Every CDM table among a database's tables (``names``, any case), typed, and the
    warnings."""
    available = {t.lower(): t for t in names}
    raw: dict[str, ir.Table | None] = {
        name: backend.table(available[name], database=database) if name in available else None
        for name in CDM_COLUMNS
    }
    return _read_all(raw, where, f"{where}: no table(s) {{}}")


def open_database(location: str, engine: str = ENGINE_NAMES[0], **options: Any) -> OmopDatabase:
    """Open ``location`` on the engine named ``engine`` (`engines.ENGINE_NAMES`), with that
    engine's options (a PostgreSQL ``schema``, a Spark ``session``)."""
    return engine_named(engine).open(location, **options)
