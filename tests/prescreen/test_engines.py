"""The same per-person results on DuckDB, PySpark (local) and PostgreSQL."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lupustrial.prescreen import engines
from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.engines import ENGINE_NAMES, Engine, engine_named
from lupustrial.prescreen.engines.spark import local_spark_session
from lupustrial.prescreen.omop import CDM_COLUMNS, OmopInputError, open_database

from .conftest import AS_OF


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


def _create_database_if_missing(url: str) -> None:
    """A fresh CI machine has the server but not the Makefile's database (the PostgreSQL pass
    makes only its `test_` copy): create it, as `make test` installs what it needs."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = str(conninfo_to_dict(url).get("dbname") or "")
    if not name:
        return
    maintenance = make_conninfo(url, dbname="postgres")
    with psycopg.connect(maintenance, connect_timeout=3, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _configured_postgres_url() -> str:
    """The PostgreSQL database the run is configured with: POSTGRES_URL (the Makefile passes
    its own), else a PostgreSQL DATABASE_URL. Each engineer/CI points these at its own database;
    the test works in a schema of its own there and drops it afterwards.

    Skips when none is configured or the database does not answer; under CI=true it fails
    instead, so CI cannot pass this comparison unseen (as tests/edc/postgresql.py does).
    """
    url = os.environ.get("POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgres://")):
        problem = "no PostgreSQL configured (set POSTGRES_URL)"
    else:
        import psycopg

        try:
            _create_database_if_missing(url)
            psycopg.connect(url, connect_timeout=3).close()
        except psycopg.Error as error:
            problem = f"PostgreSQL not reachable at {url}: {str(error).strip()}"
        else:
            return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: this test must run on PostgreSQL; {problem}")
    pytest.skip(problem)


def test_postgres_matches_duckdb(omop_dir: Path, duckdb_result: PrescreenResult) -> None:
    import ibis

    postgres_url = _configured_postgres_url()
    schema = f"prescreen_{uuid.uuid4().hex[:8]}"
    backend = ibis.connect(postgres_url)
    backend.raw_sql(f"CREATE SCHEMA {schema}").close()
    try:
        for table in CDM_COLUMNS:
            backend.create_table(
                table, pq.read_table(omop_dir / f"{table}.parquet"), database=schema
            )
        result = run_prescreen(open_database(postgres_url, "postgres", schema=schema), AS_OF)
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


# --- the engine seam --------------------------------------------------------------------

EQUALITY_TESTS = {
    "duckdb": "the reference (conftest.duckdb_result)",
    "spark": test_spark_matches_duckdb,
    "postgres": test_postgres_matches_duckdb,
}
"""Every engine's place in the engine-equality test: a new engine adds its test here."""


def test_every_engine_is_held_to_the_same_answers() -> None:
    assert set(EQUALITY_TESTS) == set(ENGINE_NAMES)


@pytest.mark.parametrize("name", ENGINE_NAMES)
def test_every_engine_is_one_module(name: str) -> None:
    engine = engine_named(name)
    assert isinstance(engine, Engine)
    assert engine.name == name
    assert type(engine).__module__ == f"lupustrial.prescreen.engines.{name}"


def test_an_unknown_engine_is_named() -> None:
    with pytest.raises(
        OmopInputError, match="unknown engine 'trino' \\(duckdb, spark, postgres\\)"
    ):
        open_database("somewhere", "trino")


def test_callers_never_ask_an_engine_its_name() -> None:
    """What differs between engines is a method or attribute of `Engine` (DESIGN.md)."""
    package = Path(engines.__file__).parent.parent
    asking = re.compile(r"""(engine|\.name)\s*[!=]=|["'](spark|duckdb|postgres)["']\s+in\b""")
    for path in package.rglob("*.py"):
        if path.parent.name == "engines":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not asking.search(line), f"{path.name}:{number}: {line.strip()}"
