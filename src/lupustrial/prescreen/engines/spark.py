"""PySpark, the network-scale engine: Parquet paths or a database of the session's catalogue,
on the session given, the active one, or a new local one (`local_spark_session`)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from lupustrial.prescreen.engines import Engine
from lupustrial.prescreen.omop import (
    OmopDatabase,
    OmopInputError,
    backend_tables,
    parquet_tables,
)

_log = logging.getLogger(__name__)


def _require_pyspark() -> None:
    """Spark is an optional engine (the ``[spark]`` extra): say so when it is not installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise OmopInputError(
            "the Spark engine is not installed: pip install 'lupustrial[spark]' "
            "(pyspark and ibis's pyspark backend)"
        ) from None


class Spark(Engine):
    name = "spark"
    # Spark analyses a UNION ALL of sixteen projections of one table for 3 s whatever the
    # data, and runs the array form in 1-2 s against 4-5 s (`criteria.all_criteria`).
    criteria_form = "array"
    # Spark's global sort is a sampling job and a shuffle, 3 of its 7 s at 1M stress
    # persons: the rows are sorted in Python after the fetch (`engine._sorted`).
    sorts_results = False

    def open(self, location: str, **options: Any) -> OmopDatabase:
        """A directory of Parquet files, or else the name of a database in the session's
        catalogue holding the CDM tables; option ``session``: the Spark session to use."""
        _require_pyspark()
        session = options.get("session")
        if session is None:
            session = _active_session() or local_spark_session()
        backend = ibis.pyspark.connect(session)
        if Path(location).is_dir():
            tables, warnings = parquet_tables(backend, Path(location))
            return OmopDatabase(backend, self, tables, location, warnings=warnings)
        if not session.catalog.databaseExists(location):
            raise OmopInputError(
                f"{location}: neither a directory of Parquet files nor a database in the Spark "
                "catalogue"
            )
        where = f"Spark catalogue database {location}"
        names = backend.list_tables(database=location)
        tables, warnings = backend_tables(backend, where, names, location)
        return OmopDatabase(backend, self, tables, location, warnings=warnings)

    def lost(self, error: BaseException) -> bool:
        """The JVM went away: py4j could not reach it (`Py4JNetworkError`, "connection
        refused"), anywhere in the chain of causes. An error the JVM answered with (an
        analysis error, a failed task) is not a loss."""
        from py4j.protocol import Py4JNetworkError

        seen: set[int] = set()
        pending: list[BaseException | None] = [error]
        while pending:
            current = pending.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(current, (Py4JNetworkError, ConnectionError)):
                return True
            cause = getattr(current, "cause", None)  # py4j's own place for it
            pending += [current.__cause__, current.__context__]
            if isinstance(cause, BaseException):
                pending.append(cause)
        return False

    def materialize(self, backend: Any, expr: ir.Table) -> ir.Table:
        """Spark only marks the result for caching, and until it is computed plans every
        join with it as if it were as large as the tables it came from: a join with the few
        thousand persons with SLE then shuffles every clinical table (26 of 59 s at 1M
        persons) instead of broadcasting them. Counting it computes it, and Spark then
        knows its real size."""
        cached = expr.cache()
        cached.count().to_pyarrow()
        return cached

    def fetch(self, backend: Any, expr: ir.Table) -> pa.Table:
        """ibis fetches a PySpark result through pandas (convert, then convert again to
        Arrow), which cost about 10 s of a 60 s run at 1M stress persons (1.5M criteria
        rows). PySpark hands over Arrow itself (`DataFrame.toArrow`); the types are then
        cast to ibis's."""
        fetched = backend.raw_sql(backend.compile(expr)).toArrow()
        return fetched.cast(expr.schema().to_pyarrow())

    def upload(self, backend: Any, table: pa.Table, name: str) -> ir.Table:
        """ibis cannot make temporary tables on PySpark: a session temporary view instead.
        Spark cannot size a frame made from local data, and would shuffle a whole clinical
        table to join it with a few hundred concepts: it is marked to be broadcast (sent
        whole to every task) instead."""
        session = backend._session
        frame = session.createDataFrame(table.to_pandas()).hint("broadcast")
        frame.createOrReplaceTempView(name)
        return backend.table(name)


def _jvm_alive() -> bool:
    """Whether this process's Spark JVM is up and answers: its process has not exited
    (PySpark keeps it as the gateway's ``proc``) and one call through py4j returns."""
    from py4j.protocol import Py4JError
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None:
        return False
    process = getattr(gateway, "proc", None)
    if process is not None and process.poll() is not None:
        return False
    try:
        gateway.jvm.java.lang.System.nanoTime()
    except (Py4JError, OSError):
        return False
    return True


def _forget_lost_jvm() -> None:
    """PySpark's record of a JVM that went away, cleared, so that the next session starts a
    new JVM: otherwise every later session is built on the dead gateway and fails too."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession, SQLContext

    gateway = SparkContext._gateway
    with SparkContext._lock:
        SparkContext._active_spark_context = None
        SparkContext._gateway = None
        SparkContext._jvm = None
    SparkSession._instantiatedSession = None
    SparkSession._activeSession = None
    SQLContext._instantiatedContext = None
    if gateway is not None:
        try:
            gateway.shutdown()  # closes py4j's sockets to the dead JVM
        except Exception as error:  # a dead JVM cannot be shut down cleanly; say so
            _log.debug("closing the lost JVM's gateway: %s", error)


def _active_session() -> Any:
    """The active Spark session, or None: none was started in this process, or its JVM is
    gone (PySpark's own lookup would call into the dead JVM and fail)."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._gateway is not None and not _jvm_alive():
        return None
    return SparkSession.getActiveSession()


def local_spark_session(partitions: int = 2, *, small: bool = False) -> Any:
    """A local Spark session, quiet and quick to start (tests, single machines).

    One per process (Spark allows one context per JVM and `getOrCreate` reuses it); if
    this process's JVM went away (killed, crashed), the lost one is forgotten, the loss
    logged, and a new JVM started.

    ``partitions`` is the shuffle and default parallelism: the tests' few hundred persons
    run fastest in one; a single machine with millions of rows wants one per core.
    ``small`` interprets expressions instead of compiling them to Java: cheaper for the
    tests' tiny tables, much slower over millions of rows.
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if SparkContext._gateway is not None and not _jvm_alive():
        process = getattr(SparkContext._gateway, "proc", None)
        _log.warning(
            "Spark's JVM (process %s, exit status %s) went away: starting a new one",
            getattr(process, "pid", "?"),
            process.poll() if process is not None else "?",
        )
        _forget_lost_jvm()
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


ENGINE = Spark()
