"""DuckDB, the embedded default: a directory of Parquet files (read in place) or a DuckDB file
(opened read-only: a pre-screen writes only temporary tables)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import sqlglot as sg
from ibis.backends.sql.datatypes import DuckDBType

from lupustrial.prescreen.engines import Engine
from lupustrial.prescreen.omop import (
    OmopDatabase,
    OmopInputError,
    backend_tables,
    parquet_tables,
)


class DuckDB(Engine):
    name = "duckdb"

    def open(self, location: str, **options: Any) -> OmopDatabase:
        """A Parquet directory or a DuckDB file, on DuckDB (no options)."""
        path = Path(location)
        if not path.exists():
            raise OmopInputError(f"{location}: no such file or directory")
        if path.is_dir():
            backend = _without_checkpoints(ibis.duckdb.connect())
            tables, warnings = parquet_tables(backend, path)
            return OmopDatabase(backend, self, tables, location, warnings=warnings)
        try:
            backend = _without_checkpoints(ibis.duckdb.connect(str(path), read_only=True))
        except Exception as error:  # duckdb raises its own IOException for non-database files
            raise OmopInputError(f"{location}: not a DuckDB database ({error})") from error
        tables, warnings = backend_tables(backend, location, _table_names(backend))
        return OmopDatabase(backend, self, tables, location, warnings=warnings)

    def materialize(self, backend: Any, expr: ir.Table) -> ir.Table:
        """``expr`` kept as a temporary table, made by one statement.

        ibis's `Table.cache` takes five round trips for it (the current catalog, the current
        schema, CREATE, INSERT, then DESCRIBE to read back the schema it had just written)
        and a run keeps six results. Here the columns are cast to the types ibis gives
        them, so the table is typed as `Table.cache` would type it, and the ibis table over
        it is made from that schema, without asking DuckDB. Temporary tables live as long
        as the connection, which is the run's.
        """
        schema = expr.schema()
        name = f"prescreen_kept_{next(_KEPT)}"
        quoted = {column: sg.to_identifier(column, quoted=True).sql("duckdb") for column in schema}
        columns = ", ".join(
            f"CAST({quoted[column]} AS {DuckDBType.to_string(kind)}) AS {quoted[column]}"
            for column, kind in schema.items()
        )
        backend._run_pre_execute_hooks(expr)  # registers the in-memory tables it reads
        backend.con.execute(
            f'CREATE TEMPORARY TABLE "{name}" AS SELECT {columns} FROM ({backend.compile(expr)})'
        )
        table = ops.DatabaseTable(
            name, schema, backend, ops.Namespace(catalog="temp", database="main")
        )
        return table.to_expr()

    def upload(self, backend: Any, table: pa.Table, name: str) -> ir.Table:
        """``table`` as the temporary table ``name``, replaced if there is one: one statement
        over the Arrow table, registered for it, where ibis's `create_table` takes nine."""
        view = f"{name}_arrow"
        backend.con.register(view, table)
        try:
            backend.con.execute(f'CREATE OR REPLACE TEMPORARY TABLE "{name}" AS FROM "{view}"')
        finally:
            backend.con.unregister(view)
        kept = ops.DatabaseTable(
            name, ibis.schema(table.schema), backend, ops.Namespace(catalog="temp", database="main")
        )
        return kept.to_expr()


def _table_names(backend: Any) -> list[str]:
    # ibis 12's list_tables calls an API DuckDB 2 removed; ask DuckDB directly.
    rows = backend.con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _without_checkpoints(backend: Any) -> Any:
    """A pre-screen writes only temporary tables, which no checkpoint makes durable; DuckDB
    would still checkpoint (compress) each large one as it is written, 0.2 s for the
    per-person facts of 95,000 persons. They are kept as written instead."""
    backend.raw_sql("SET checkpoint_threshold = '1TB'")
    return backend


_KEPT = itertools.count(1)
"""Names of the tables `DuckDB.materialize` keeps: unique within the process, so within
every connection."""

ENGINE = DuckDB()
