"""An engine lost mid-run (Spark's JVM gone: py4j "connection refused") is opened again and
the run repeated once, the loss reported; any other error is not retried.

No JVM is started here: the losses are made by a DuckDB engine that fails on purpose, and
Spark's reading of an error as a lost JVM is checked on py4j's own exception types.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from tests.commands import run

from lupustrial.prescreen import engines, omop
from lupustrial.prescreen.engine import PrescreenResult, run_prescreen_on
from lupustrial.prescreen.engines import Engine, EngineLostError
from lupustrial.prescreen.engines.duckdb import DuckDB
from lupustrial.prescreen.engines.spark import Spark
from lupustrial.prescreen.plan import Step

from .conftest import AS_OF


class _Flaky(DuckDB):
    """DuckDB whose first ``failures`` kept results raise ``error``; ``opened`` counts
    the databases opened on it."""

    failures: ClassVar[int] = 0
    error: ClassVar[BaseException] = ConnectionRefusedError(111, "Connection refused")
    opened: ClassVar[int] = 0

    def open(self, location: str, **options: Any) -> omop.OmopDatabase:
        type(self).opened += 1
        return super().open(location, **options)

    def run_keep(self, backend: Any, name: str, step: Step) -> None:
        if type(self).failures:
            type(self).failures -= 1
            raise type(self).error
        super().run_keep(backend, name, step)

    def lost(self, error: BaseException) -> bool:
        return isinstance(error, ConnectionRefusedError)


@pytest.fixture
def flaky() -> type[_Flaky]:
    _Flaky.failures, _Flaky.opened = 0, 0
    _Flaky.error = ConnectionRefusedError(111, "Connection refused")
    return _Flaky


def _run(omop_dir: Path, messages: list[str]) -> PrescreenResult:
    return run_prescreen_on(
        _Flaky(), lambda: _Flaky().open(str(omop_dir)), AS_OF, progress=messages.append
    )


def test_a_lost_engine_is_opened_again_and_the_run_repeated(
    omop_dir: Path, duckdb_result: PrescreenResult, flaky: type[_Flaky]
) -> None:
    flaky.failures = 1
    messages: list[str] = []
    result = _run(omop_dir, messages)
    assert flaky.opened == 2
    assert result.statuses() == duckdb_result.statuses()
    lost = [m for m in messages if "lost" in m]
    assert len(lost) == 1
    assert "Connection refused" in lost[0]
    assert "attempt 2 of 2" in lost[0]


def test_a_loss_while_opening_is_retried_too(
    omop_dir: Path, duckdb_result: PrescreenResult, flaky: type[_Flaky]
) -> None:
    opened = 0

    def open_db() -> omop.OmopDatabase:
        nonlocal opened
        opened += 1
        if opened == 1:  # as py4j says it when the JVM is gone before the run begins
            raise ConnectionRefusedError(111, "Connection refused")
        return _Flaky().open(str(omop_dir))

    messages: list[str] = []
    result = run_prescreen_on(_Flaky(), open_db, AS_OF, progress=messages.append)
    assert opened == 2
    assert result.statuses() == duckdb_result.statuses()
    assert any("attempt 2 of 2" in m for m in messages)


def test_a_run_that_loses_nothing_opens_once(
    omop_dir: Path, duckdb_result: PrescreenResult, flaky: type[_Flaky]
) -> None:
    messages: list[str] = []
    assert _run(omop_dir, messages).statuses() == duckdb_result.statuses()
    assert flaky.opened == 1
    assert not [m for m in messages if "lost" in m]


def test_another_error_is_not_retried(omop_dir: Path, flaky: type[_Flaky]) -> None:
    flaky.failures, flaky.error = 1, ValueError("a bug, not a lost engine")
    with pytest.raises(ValueError, match="a bug"):
        _run(omop_dir, [])
    assert flaky.opened == 1


def test_an_engine_lost_on_every_attempt_is_one_error(omop_dir: Path, flaky: type[_Flaky]) -> None:
    flaky.failures = 5
    with pytest.raises(EngineLostError, match=r"lost on 2 attempts.*Connection refused"):
        _run(omop_dir, [])
    assert flaky.opened == 2


def test_the_command_says_it_in_one_line(
    omop_dir: Path,
    flaky: type[_Flaky],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    flaky.failures = 5
    monkeypatch.setattr(omop, "engine_named", lambda name: _Flaky())
    monkeypatch.setattr(engines, "engine_named", lambda name: _Flaky())
    code, _, err = run(capsys, "prescreen", "run", "--omop", str(omop_dir), "--as-of", "2025-01-15")
    assert code == 2
    assert "Traceback" not in err
    assert "lost on 2 attempts" in err
    assert "attempt 2 of 2" in err  # the first loss was reported as it happened


def test_engines_lose_nothing_by_default() -> None:
    assert Engine.lost(DuckDB(), ConnectionRefusedError()) is False


def test_spark_reads_a_py4j_network_error_as_a_lost_jvm() -> None:
    from py4j.protocol import Py4JError, Py4JNetworkError

    spark = Spark()
    refused = Py4JNetworkError(
        "An error occurred while trying to connect to the Java server (127.0.0.1:38271)",
        cause=ConnectionRefusedError(111, "Connection refused"),
    )
    assert spark.lost(refused)
    outer = RuntimeError("collecting the criteria")  # as raised inside whatever called the JVM
    outer.__cause__ = refused
    assert spark.lost(outer)
    context = RuntimeError("formatting")  # raised while handling it
    context.__context__ = outer
    assert spark.lost(context)
    assert spark.lost(ConnectionRefusedError(111, "Connection refused"))
    assert not spark.lost(ValueError("no such column"))
    assert not spark.lost(Py4JError("An error occurred while calling o42.sql"))
