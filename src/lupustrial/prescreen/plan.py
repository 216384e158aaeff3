"""A run's statements compiled once: the SQL of each step, kept per engine and criteria scope.

Building a run's queries with ibis and compiling them to SQL took most of a run on a small
database (0.8 of 1.0 s CPU at 100,000 persons), and the same SQL came out every time: every
date a run reads is a parameter (`params`), every list that depends on the vocabulary an
uploaded table, every kept result a table of a fixed name. So each step's SQL is compiled
on its first use and kept, in memory for the process and on disk for the next process (as
Python keeps its bytecode), keyed by what the SQL depends on: the engine, the criteria
scope, the configuration, the source of the code that writes it and the versions of the
libraries that compile it (`fingerprint`). A later run only sends the kept SQL; its
builders (ibis expressions) are never called, and ibis is not even imported where the
engine can run SQL itself (`Engine.runs_sql`).

The disk copy lives in ``$LUPUSTRIAL_CACHE_DIR`` (default ``$XDG_CACHE_HOME/lupustrial``
or ``~/.cache/lupustrial``), a file per key; a directory that cannot be written only means
the SQL is compiled again next time.

The plans of the default configuration come with the package (``compiled/``, written by
``python -m lupustrial.prescreen.precompile``), so that a new user's first run does not
compile either (ibis's import and the compiling were half of that run at 100,000 persons).
A shipped plan carries its key and is used only under that same key, so only with the very
sources, library versions and configuration that compiled it, as a kept plan: it can be out
of date (then a first run compiles, as for any other configuration), never wrong.
`tests/prescreen/test_precompiled.py` fails when it is out of date or differs from a fresh
compilation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

StepKind = Literal["keep", "fetch"]


@dataclass(frozen=True)
class Step:
    """One statement: its SQL, and the types of its result (an ibis schema as text, for a
    kept table; an Arrow schema, for a fetched one)."""

    kind: StepKind
    sql: str
    columns: tuple[tuple[str, str], ...] = ()
    arrow_schema: str = ""
    """Base64 of the serialized Arrow schema a fetch is cast to (as ibis types it)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sql": self.sql,
            "columns": [list(c) for c in self.columns],
            "arrow_schema": self.arrow_schema,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        return cls(
            data["kind"],
            data["sql"],
            tuple((str(n), str(t)) for n, t in data["columns"]),
            data["arrow_schema"],
        )

    def schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(self.arrow_schema)))


def arrow_schema_text(schema: pa.Schema) -> str:
    return base64.b64encode(schema.serialize().to_pybytes()).decode("ascii")


_SOURCES = ("prescreen", "clinical", "protocol")
_LIBRARIES = ("ibis-framework", "sqlglot", "duckdb")
"""The libraries that write kept SQL and run it: only DuckDB runs SQL it is given
(`Engine.runs_sql`). Not pyspark, an extra: a plain install, which lacks it, must find the
shipped plans under the key they were compiled with."""
_FINGERPRINT: list[str] = []


def fingerprint() -> str:
    """What compiled SQL depends on besides a run's own options: the source of the code
    that writes it (the pre-screen, and the clinical and protocol thresholds it reads) and
    the versions of the libraries that compile it. Computed once per process (about 80
    files read)."""
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        package = Path(__file__).resolve().parent.parent
        for folder in _SOURCES:
            for path in sorted((package / folder).rglob("*.py")):
                digest.update(str(path.relative_to(package)).encode())
                digest.update(path.read_bytes())
        for library in _LIBRARIES:
            try:
                digest.update(f"{library}={metadata.version(library)}".encode())
            except metadata.PackageNotFoundError:
                digest.update(f"{library}=-".encode())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def canonical(value: Any) -> Any:
    """``value`` as plain JSON data whose text is the same in every process (a set's order
    follows string hashing, which changes per process)."""
    if hasattr(value, "model_dump"):
        return canonical(value.model_dump(mode="python"))
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def cache_dir() -> Path:
    """Where compiled SQL is kept between processes."""
    if explicit := os.environ.get("LUPUSTRIAL_CACHE_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lupustrial"


SHIPPED = Path(__file__).resolve().parent / "compiled"
"""The plans shipped with the package, a file per engine and criteria scope."""


def shipped_path(engine: str, scope: str) -> Path:
    return SHIPPED / f"{engine}-{scope}.json"


_MEMORY: dict[str, dict[str, Step]] = {}
"""Compiled steps per key, for the process."""


@dataclass
class Plan:
    """The compiled steps of runs with one key: found in memory or on disk, added to as
    steps are compiled, and written back after a run that compiled any (`save`)."""

    key: str
    steps: dict[str, Step] = field(default_factory=dict)
    added: bool = False

    @classmethod
    def for_run(cls, engine: str, scope: str, config: Any) -> Plan:
        """The plan of runs on ``engine`` judging ``scope`` with ``config`` (any value:
        pydantic models as their fields, sets sorted, so that equal configurations have
        one key in every process)."""
        text = json.dumps([fingerprint(), engine, scope, canonical(config)], sort_keys=True)
        key = f"{engine}-{scope}-{hashlib.sha256(text.encode()).hexdigest()[:24]}"
        steps = _MEMORY.get(key)
        if steps is None:
            steps = {**_shipped(engine, scope, key), **_read(key)}
            _MEMORY[key] = steps
        return cls(key, steps)

    def get(self, name: str) -> Step | None:
        return self.steps.get(name)

    def add(self, name: str, step: Step) -> None:
        self.steps[name] = step
        self.added = True

    def save(self) -> None:
        """Write the steps to disk if this run compiled any (atomically: a file is whole)."""
        if not self.added:
            return
        self.added = False
        folder = cache_dir() / "prescreen-sql"
        document = {name: step.to_json() for name, step in self.steps.items()}
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8"
            ) as out:
                json.dump(document, out)
            os.replace(out.name, folder / f"{self.key}.json")
        except OSError:
            # Only a speed-up: without it the next process compiles the SQL again.
            return


def _read(key: str) -> dict[str, Step]:
    path = cache_dir() / "prescreen-sql" / f"{key}.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {name: Step.from_json(data) for name, data in document.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _shipped(engine: str, scope: str, key: str) -> dict[str, Step]:
    """The shipped plan of ``engine`` and ``scope``, if it was compiled under ``key``."""
    try:
        document = json.loads(shipped_path(engine, scope).read_text(encoding="utf-8"))
        if document["key"] != key:
            return {}
        return {name: Step.from_json(data) for name, data in document["steps"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


class Kept:
    """A table a run made on its engine (kept or uploaded), by name; its ibis table is made
    only if a later step must be built (`table`)."""

    def __init__(
        self,
        name: str,
        make: Callable[[], ir.Table] | None = None,
        expr: ir.Table | None = None,
    ) -> None:
        self.name = name
        self._make = make
        self._expr = expr

    @property
    def table(self) -> ir.Table:
        """The ibis table over it (for building a later step's expression)."""
        if self._expr is None:
            assert self._make is not None
            self._expr = self._make()
        return self._expr
