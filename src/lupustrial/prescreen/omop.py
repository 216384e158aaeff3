"""Opening an OMOP CDM (v5.3 or v5.4) on an engine: the tables and columns pre-screening reads.

Sources: a directory of Parquet files (``person.parquet`` or ``person/`` of parts, one per
table), a DuckDB database file, or a PostgreSQL URL. On Spark, Parquet paths or a database
of the session's catalogue. Each engine opens its own sources (`engines`). Every column
is cast on read to the type the CDM specifies (64-bit ids, dates), so an ETL that wrote
32-bit ids or timestamps reads the same way on every engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from lupustrial.prescreen.engines import ENGINE_NAMES, Engine, engine_named

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


def _typed(table: ir.Table, name: str, where: str) -> ir.Table:
    columns = CDM_COLUMNS[name]
    present = {column.lower(): column for column in table.columns}
    optional = OPTIONAL_COLUMNS.get(name, frozenset())
    missing = [column for column in columns if column not in present and column not in optional]
    if missing:
        raise OmopInputError(f"{where}: table {name} lacks column(s) {', '.join(missing)}")
    return table.select(
        **{
            column: _cast(table[present[column]], kind)
            if column in present
            else ibis.null().cast(kind)
            for column, kind in columns.items()
        }
    )


def _cast(column: ir.Value, kind: str) -> ir.Value:
    """A column as the CDM types it. Text read as a number or date (an ETL that wrote every
    column as text, as Eunomia's measurement values are) becomes NULL where it is not one,
    rather than stopping the run: an unreadable value is a missing value."""
    if column.type().is_string() and kind != STR:
        return column.try_cast(kind)
    return column.cast(kind)


def _parquet_path(directory: Path, name: str) -> Path | None:
    for candidate in (directory / f"{name}.parquet", directory / name):
        if candidate.is_file() or (candidate.is_dir() and any(candidate.glob("*.parquet"))):
            return candidate
    return None


OPTIONAL_TABLES = frozenset({"death"})
"""Tables a pre-screen runs without: an absent, empty or malformed one is read as empty,
with a warning (Eunomia's death table has placeholder column names and its header as a
row), where a missing clinical table stops the run."""


def _empty(name: str) -> ir.Table:
    columns = CDM_COLUMNS[name]
    schema = pa.schema([(column, _ARROW[kind]) for column, kind in columns.items()])
    return ibis.memtable(schema.empty_table())


_ARROW = {ID: pa.int64(), DATE: pa.date32(), FLOAT: pa.float64(), STR: pa.string()}


def _read_all(
    raw: dict[str, ir.Table | None], where: str, missing_message: str
) -> tuple[dict[str, ir.Table], list[str]]:
    """Every CDM table typed (`_typed`), an optional one read as empty if it cannot be."""
    missing = [name for name, table in raw.items() if table is None and name not in OPTIONAL_TABLES]
    if missing:
        raise OmopInputError(missing_message.format(", ".join(missing)))
    tables: dict[str, ir.Table] = {}
    warnings: list[str] = []
    for name, table in raw.items():
        try:
            if table is None:
                raise OmopInputError(f"{where}: no table {name}")
            tables[name] = _typed(table, name, where)
        except OmopInputError as error:
            if name not in OPTIONAL_TABLES:
                raise
            warnings.append(f"{error}: read as empty (no {name} records known)")
            tables[name] = _empty(name)
    return tables, warnings


def parquet_tables(backend: Any, directory: Path) -> tuple[dict[str, ir.Table], list[str]]:
    """Every CDM table from a directory of Parquet files, typed, and the warnings."""
    paths = {name: _parquet_path(directory, name) for name in CDM_COLUMNS}
    raw: dict[str, ir.Table | None] = {}
    for name, path in paths.items():
        if path is None:
            raw[name] = None
            continue
        source = str(path / "*.parquet") if path.is_dir() else str(path)
        raw[name] = backend.read_parquet(source, table_name=f"omop_{name}")
    return _read_all(
        raw,
        str(directory),
        f"{directory}: no Parquet for table(s) {{}} "
        "(expected <table>.parquet or <table>/*.parquet)",
    )


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
