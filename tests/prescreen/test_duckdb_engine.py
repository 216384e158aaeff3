"""DuckDB keeps a result and takes an upload in one statement each, typed as ibis types them.

A run keeps six results and uploads two tables; through ibis's `Table.cache` and
`create_table` these took five and nine statements each (the current catalog and schema,
CREATE, INSERT, renames, then DESCRIBE to read back the schema just written).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from lupustrial.prescreen.omop import OmopDatabase, open_database


class _Counting:
    """A DuckDB connection that counts the statements sent through it."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self.statements: list[str] = []

    def execute(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.statements.append(str(query))
        return self._connection.execute(query, *args, **kwargs)

    def sql(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.statements.append(str(query))
        return self._connection.sql(query, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def _counted(omop_dir: Path) -> tuple[OmopDatabase, _Counting]:
    db = open_database(str(omop_dir))
    assert db.backend.ibis is not None  # ibis set up over the connection before counting
    counting = _Counting(db.backend.con)
    db.backend.con = counting
    return db, counting


def _described(db: OmopDatabase, name: str) -> dict[str, str]:
    rows = db.backend.con.execute(f'DESCRIBE "{name}"').fetchall()
    return {str(row[0]): str(row[1]) for row in rows}


def test_keeping_a_result_is_one_statement_typed_as_ibis_types_it(omop_dir: Path) -> None:
    db, counting = _counted(omop_dir)
    person = db["person"]
    expr = person.select(
        "person_id",
        small=ibis.literal(3, type="int16"),
        nothing=ibis.null().cast("date"),
        born=person.year_of_birth.cast("float64"),
    )
    kept = db.materialize(expr)
    assert len(counting.statements) == 1
    assert kept.schema() == expr.schema()
    name = kept.op().name
    assert _described(db, name) == {
        "person_id": "BIGINT",
        "small": "SMALLINT",
        "nothing": "DATE",
        "born": "DOUBLE",
    }
    assert kept.to_pyarrow().equals(expr.to_pyarrow())
    # Kept results are distinct tables: a second keeps its own rows.
    other = db.materialize(expr.order_by("person_id").limit(5))
    assert other.op().name != name
    assert other.count().to_pyarrow().as_py() == 5
    assert kept.count().to_pyarrow().as_py() > 5


def test_an_upload_is_one_statement_and_replaces_its_table(omop_dir: Path) -> None:
    db, counting = _counted(omop_dir)
    first = pa.table(
        {"concept_id": pa.array([1, 2], pa.int64()), "source": pa.array([3, 4], pa.int16())}
    )
    uploaded = db.upload(first, "prescreen_test_upload")
    assert len(counting.statements) == 1
    assert uploaded.schema() == ibis.schema(first.schema)
    assert _described(db, "prescreen_test_upload") == {"concept_id": "BIGINT", "source": "SMALLINT"}
    second = first.slice(1)
    again = db.upload(second, "prescreen_test_upload")
    assert again.to_pyarrow().equals(second)


def test_a_kept_result_reads_an_in_memory_table(omop_dir: Path) -> None:
    """An expression over an ibis memtable (an optional table read as empty is one) is kept
    with the memtable registered first."""
    db = open_database(str(omop_dir))
    empty = ibis.memtable(pa.table({"death_date": pa.array([dt.date(2020, 1, 1)], pa.date32())}))
    kept = db.materialize(empty.mutate(n=ibis.literal(1)))
    assert kept.to_pyarrow().num_rows == 1
