"""Opening an OMOP CDM v5.4 database on an engine: the tables and columns pre-screening reads.

Sources: a directory of Parquet files (``person.parquet`` or ``person/`` of parts, one per
table), a DuckDB database file, or a PostgreSQL URL. On Spark, Parquet paths or a database
of the session's catalogue. Every column
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
    """An ibis backend and the CDM tables on it, cast to the CDM's types."""

    backend: Any
    engine: str
    tables: Mapping[str, ir.Table]
    location: str
    options: dict[str, str] = field(default_factory=dict)
    """The options it was opened with, as text (a PostgreSQL schema), to open it again."""
    warnings: list[str] = field(default_factory=list)
    """What was read other than as given (an optional table read as empty), for the run."""

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    def materialize(self, expr: ir.Table) -> ir.Table:
        """``expr`` computed once and kept on the engine for the rest of the run.

        DuckDB and PostgreSQL write a temporary table there and then. Spark only marks the
        result for caching, and until it is computed plans every join with it as if it
        were as large as the tables it came from: a join with the few thousand persons
        with SLE then shuffles every clinical table (26 of 59 s at 1M persons) instead of
        broadcasting them. Counting it computes it, and Spark then knows its real size.
        """
        cached = expr.cache()
        if self.engine == "spark":
            cached.count().to_pyarrow()
        return cached

    def fetch(self, expr: ir.Table) -> pa.Table:
        """``expr``'s rows as an Arrow table, typed as ibis types ``expr``.

        ibis fetches a PySpark result through pandas (convert, then convert again to
        Arrow), which cost about 10 s of a 60 s run at 1M stress persons (1.5M criteria
        rows). PySpark hands over Arrow itself (`DataFrame.toArrow`); the types are then
        cast to ibis's.
        """
        if self.engine != "spark":
            return expr.to_pyarrow()
        fetched = self.backend.raw_sql(self.backend.compile(expr)).toArrow()
        return fetched.cast(expr.schema().to_pyarrow())


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


def _parquet_tables(backend: Any, directory: Path) -> tuple[dict[str, ir.Table], list[str]]:
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


def _backend_tables(
    backend: Any, where: str, database: str | None = None
) -> tuple[dict[str, ir.Table], list[str]]:
    available = {t.lower(): t for t in _table_names(backend, database)}
    raw: dict[str, ir.Table | None] = {
        name: backend.table(available[name], database=database) if name in available else None
        for name in CDM_COLUMNS
    }
    return _read_all(raw, where, f"{where}: no table(s) {{}}")


def _table_names(backend: Any, database: str | None) -> list[str]:
    if backend.name == "duckdb":
        # ibis 12's list_tables calls an API DuckDB 2 removed; ask DuckDB directly.
        rows = backend.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
        return [str(row[0]) for row in rows]
    names: list[str] = backend.list_tables(database=database)
    return names


def open_duckdb(location: str) -> OmopDatabase:
    """A Parquet directory or a DuckDB file, on DuckDB."""
    path = Path(location)
    if not path.exists():
        raise OmopInputError(f"{location}: no such file or directory")
    if path.is_dir():
        backend = _without_checkpoints(ibis.duckdb.connect())
        tables, warnings = _parquet_tables(backend, path)
        return OmopDatabase(backend, "duckdb", tables, location, warnings=warnings)
    try:
        backend = _without_checkpoints(ibis.duckdb.connect(str(path), read_only=True))
    except Exception as error:  # duckdb raises its own IOException for non-database files
        raise OmopInputError(f"{location}: not a DuckDB database ({error})") from error
    tables, warnings = _backend_tables(backend, location)
    return OmopDatabase(backend, "duckdb", tables, location, warnings=warnings)


def _without_checkpoints(backend: Any) -> Any:
    """A pre-screen writes only temporary tables, which no checkpoint makes durable; DuckDB
    would still checkpoint (compress) each large one as it is written, 0.2 s for the
    per-person facts of 95,000 persons. They are kept as written instead."""
    backend.raw_sql("SET checkpoint_threshold = '1TB'")
    return backend


def open_spark(location: str, session: Any | None = None) -> OmopDatabase:
    """On PySpark: a directory of Parquet files, or else the name of a database in the
    session's catalogue holding the CDM tables.

    The session is the one given, else the active one (left as configured), else a new
    local session.
    """
    if session is None:
        from pyspark.sql import SparkSession

        session = SparkSession.getActiveSession() or local_spark_session()
    backend = ibis.pyspark.connect(session)
    if Path(location).is_dir():
        tables, warnings = _parquet_tables(backend, Path(location))
        return OmopDatabase(backend, "spark", tables, location, warnings=warnings)
    if not session.catalog.databaseExists(location):
        raise OmopInputError(
            f"{location}: neither a directory of Parquet files nor a database in the Spark "
            "catalogue"
        )
    where = f"Spark catalogue database {location}"
    tables, warnings = _backend_tables(backend, where, location)
    return OmopDatabase(backend, "spark", tables, location, warnings=warnings)


def local_spark_session(partitions: int = 2, *, small: bool = False) -> Any:
    """A local Spark session, quiet and quick to start (tests, single machines).

    ``partitions`` is the shuffle and default parallelism: the tests' few hundred persons
    run fastest in one; a single machine with millions of rows wants one per core.
    ``small`` interprets expressions instead of compiling them to Java: cheaper for the
    tests' tiny tables, much slower over millions of rows.
    """
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("lupustrial-prescreen")
        # Few partitions and no adaptive re-planning: on one machine the fixed
        # cost per task and per stage, not the data, is what a pre-screen pays for.
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # The criteria are wide CASE expressions over small tables: compiling them to Java
        # costs more than interpreting them.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN" if small else "FALLBACK")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def open_postgres(url: str, schema: str | None = None) -> OmopDatabase:
    """A PostgreSQL database given by URL; the CDM tables in ``schema`` (default: public)."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise OmopInputError(f"{url}: not a PostgreSQL URL (postgresql://user@host/database)")
    try:
        backend = ibis.connect(url)
    except Exception as error:
        raise OmopInputError(f"{url}: cannot connect ({error})") from error
    tables, warnings = _backend_tables(backend, url, schema)
    options = {"schema": schema} if schema else {}
    return OmopDatabase(backend, "postgres", tables, url, options, warnings)


def open_database(location: str, engine: str = "duckdb", **options: Any) -> OmopDatabase:
    """Open ``location`` on ``engine`` (duckdb, spark or postgres)."""
    if engine == "duckdb":
        return open_duckdb(location)
    if engine == "spark":
        return open_spark(location, options.get("session"))
    if engine == "postgres":
        return open_postgres(location, options.get("schema"))
    raise OmopInputError(f"unknown engine {engine!r} (duckdb, spark or postgres)")
