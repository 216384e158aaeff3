"""DuckDB, the embedded default: a directory of Parquet files (read in place) or a DuckDB file
(opened read-only: a pre-screen writes only temporary tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis

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


ENGINE = DuckDB()
