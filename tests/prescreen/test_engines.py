"""The same per-person results on DuckDB, PySpark (local) and PostgreSQL."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.omop import (
    CDM_COLUMNS,
    OmopInputError,
    local_spark_session,
    open_database,
    open_postgres,
)

from .conftest import AS_OF

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _comparable(result: PrescreenResult) -> list[tuple[object, ...]]:
    columns = (
        "person_id",
        "criterion",
        "status",
        "record_domain",
        "record_id",
        "record_date",
        "detail",
    )
    rows = result.criteria.select(list(columns)).to_pylist()
    values = {(r["person_id"], r["criterion"]): r["value"] for r in result.criteria.to_pylist()}
    return sorted(
        (
            *(r[c] for c in columns),
            None
            if values[(r["person_id"], r["criterion"])] is None
            else round(values[(r["person_id"], r["criterion"])], 6),
        )
        for r in rows
    )


def test_spark_matches_duckdb(omop_dir: Path, duckdb_result: PrescreenResult) -> None:
    session = local_spark_session(partitions=1, small=True)  # a few hundred persons
    spark = run_prescreen(open_database(str(omop_dir), "spark", session=session), AS_OF)
    assert _comparable(spark) == _comparable(duckdb_result)
    assert [s.remaining for s in spark.funnel] == [s.remaining for s in duckdb_result.funnel]


def _postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _postgres_reachable(), reason="PostgreSQL not reachable on :5432")
def test_postgres_matches_duckdb(omop_dir: Path, duckdb_result: PrescreenResult) -> None:
    import ibis

    schema = f"prescreen_{uuid.uuid4().hex[:8]}"
    backend = ibis.connect(POSTGRES_URL)
    backend.raw_sql(f"CREATE SCHEMA {schema}").close()
    try:
        for table in CDM_COLUMNS:
            backend.create_table(
                table, pq.read_table(omop_dir / f"{table}.parquet"), database=schema
            )
        result = run_prescreen(open_postgres(POSTGRES_URL, schema), AS_OF)
        assert _comparable(result) == _comparable(duckdb_result)
    finally:
        backend.raw_sql(f"DROP SCHEMA {schema} CASCADE").close()


def test_spark_reads_a_catalogue_database(
    omop_dir: Path, duckdb_result: PrescreenResult, tmp_path: Path
) -> None:
    """On Spark the CDM can be tables of a catalogue database instead of Parquet paths."""
    session = local_spark_session(partitions=1, small=True)
    database = f"cdm_{uuid.uuid4().hex[:8]}"
    session.sql(f"CREATE DATABASE {database} LOCATION '{tmp_path / database}'")
    try:
        for table in CDM_COLUMNS:
            session.sql(
                f"CREATE TABLE {database}.{table} USING parquet "
                f"LOCATION '{omop_dir / f'{table}.parquet'}'"
            )
        result = run_prescreen(open_database(database, "spark", session=session), AS_OF)
        assert _comparable(result) == _comparable(duckdb_result)
    finally:
        session.sql(f"DROP DATABASE {database} CASCADE")


def test_spark_names_what_it_cannot_open() -> None:
    session = local_spark_session(partitions=1, small=True)
    with pytest.raises(OmopInputError, match="neither a directory of Parquet files nor a database"):
        open_database("no_such_cdm", "spark", session=session)
