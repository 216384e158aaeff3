"""The default configuration's compiled SQL, shipped with the package (`plan.SHIPPED`).

A new user's first run is a configuration's first run: without a plan it imports ibis and
compiles every step (about half of the whole command at 100,000 persons). The plans of the
default configuration, one per criteria scope on each engine that runs SQL it is given,
are compiled here on a small synthetic population (the SQL does not depend on the data:
every date is a parameter, every list an uploaded table, and a step whose SQL does depend
on what the vocabulary holds is named after it, so a database needing another is compiled
at its first run) and written to ``src/lupustrial/prescreen/compiled``:

    .venv/bin/python -m lupustrial.prescreen.precompile

`tests/prescreen/test_precompiled.py` compiles them afresh and fails when the shipped files
differ, so they are written again whenever the code, the libraries or the default
configuration change. A custom configuration's first run still compiles its own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from lupustrial.prescreen import plan
from lupustrial.prescreen.config import DEFAULT_PRESCREEN
from lupustrial.prescreen.criteria_ids import SCOPES
from lupustrial.prescreen.engines import ENGINE_NAMES, engine_named

SHIPPED_ENGINES = tuple(name for name in ENGINE_NAMES if name == "duckdb")
"""The engines whose plans are shipped: those that run SQL they are given (`Engine.runs_sql`,
DuckDB); the others build their queries at each run."""

_AS_OF = dt.date(2025, 1, 15)
_PERSONS = 300


def fresh_plans() -> dict[str, dict[str, Any]]:
    """Per shipped file name, the default configuration's plan compiled now: its key and
    steps, compiled with no kept or shipped plan to start from."""
    from lupustrial.prescreen.engine import run_prescreen
    from lupustrial.prescreen.omop import open_database
    from lupustrial.prescreen.synthetic import write_synthetic

    plans: dict[str, dict[str, Any]] = {}
    saved = (plan.SHIPPED, plan._MEMORY, os.environ.get("LUPUSTRIAL_CACHE_DIR"))
    with tempfile.TemporaryDirectory() as directory:
        population = Path(directory) / "omop"
        write_synthetic(population, _PERSONS, seed=3, as_of=_AS_OF)
        try:
            plan.SHIPPED = Path(directory) / "none"
            os.environ["LUPUSTRIAL_CACHE_DIR"] = str(Path(directory) / "cache")
            for engine in SHIPPED_ENGINES:
                for scope in SCOPES:
                    plan._MEMORY = {}
                    db = open_database(str(population), engine)
                    run_prescreen(db, _AS_OF, DEFAULT_PRESCREEN, scope=scope)
                    assert db.plan is not None
                    assert engine_named(engine).runs_sql
                    plans[plan.shipped_path(engine, scope).name] = {
                        "key": db.plan.key,
                        "steps": {name: step.to_json() for name, step in db.plan.steps.items()},
                    }
        finally:
            plan.SHIPPED, plan._MEMORY = saved[0], saved[1]
            if saved[2] is None:
                os.environ.pop("LUPUSTRIAL_CACHE_DIR", None)
            else:
                os.environ["LUPUSTRIAL_CACHE_DIR"] = saved[2]
    return plans


def text(document: dict[str, Any]) -> str:
    """A shipped file's text (keys sorted, a line per entry: readable in a diff)."""
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the shipped plans afresh (and remove any no longer shipped)."""
    plans = fresh_plans()
    plan.SHIPPED.mkdir(exist_ok=True)
    for stale in plan.SHIPPED.glob("*.json"):
        if stale.name not in plans:
            stale.unlink()
    for name, document in plans.items():
        (plan.SHIPPED / name).write_text(text(document), encoding="utf-8")
        print(f"{plan.SHIPPED / name}: {len(document['steps'])} steps")


if __name__ == "__main__":
    main()
