"""A DuckDB run loads DuckDB's SQL compiler and no other dialect's (`ibis_loader`), and with the
locked ibis that changes nothing it compiles: the same SQL as with every dialect loaded, and
every other dialect still there when asked for. Each check runs in a fresh interpreter (this
one has loaded ibis its own way already)."""

from __future__ import annotations

import json
from pathlib import Path

from .command_scripts import prescreen_script, run_script

OTHER_DIALECTS = ("postgres", "bigquery", "snowflake", "trino", "pyspark", "mssql")


def _first_run(omop_dir: Path, before: str = "") -> str:
    """A command compiling its SQL (an empty cache, no shipped plan), then what it loaded."""
    return prescreen_script(
        omop_dir,
        report="json.dumps(sorted(m for m in sys.modules "
        "if m.startswith('ibis.backends.sql.compilers.')))",
        shipped="/nonexistent/no-shipped-plans",
        before=before,
    )


def test_a_first_run_on_duckdb_loads_no_other_dialect(omop_dir: Path, tmp_path: Path) -> None:
    loaded = json.loads(run_script(_first_run(omop_dir), tmp_path / "cache"))
    assert "ibis.backends.sql.compilers.duckdb" in loaded  # it did compile
    assert not {f"ibis.backends.sql.compilers.{name}" for name in OTHER_DIALECTS} & set(loaded)


def test_the_sql_is_the_same_as_with_every_dialect_loaded(omop_dir: Path, tmp_path: Path) -> None:
    every = "import ibis.backends.sql.compilers as sc\nassert len(sc.__all__) > 10"
    kept = {}
    for name, before in (("only", ""), ("every", every)):
        cache = tmp_path / name
        loaded = json.loads(run_script(_first_run(omop_dir, before), cache))
        assert ("ibis.backends.sql.compilers.postgres" in loaded) == (name == "every")
        (written,) = (cache / "prescreen-sql").iterdir()
        kept[name] = json.loads(written.read_text(encoding="utf-8"))
    assert {"events", "facts", "criteria"} <= {step.split(":")[0] for step in kept["only"]}
    assert kept["only"] == kept["every"]


def test_every_other_dialect_still_loads_when_asked_for(tmp_path: Path) -> None:
    script = (
        "import json\n"
        "from lupustrial.prescreen import ibis_loader\n"
        "ibis_loader.load('duckdb')\n"
        "import ibis\n"
        "import ibis.backends.sql.compilers as sc\n"
        "con = ibis.duckdb.connect()\n"
        "t = ibis.table({'a': 'int64', 'b': 'string'}, name='t')\n"
        "expr = t.filter(t.a > 1).select('b')\n"
        "duck = con.compile(expr)\n"
        "postgres = ibis.to_sql(expr, dialect='postgres')\n"
        "names = list(sc.__all__)\n"
        "namespace = {}\n"
        "exec('from ibis.backends.sql.compilers import *', namespace)\n"
        "starred = sorted(n for n in namespace if n.endswith('Compiler'))\n"
        "same = sc.duckdb.compiler is con.compiler\n"
        "print(json.dumps([duck, postgres, names, starred, sc.PostgresCompiler.__name__, same]))\n"
    )
    duck, postgres, names, starred, compiler, same = json.loads(run_script(script, tmp_path))
    assert "WHERE" in duck
    assert '"t0"."a" > 1' in duck
    assert '"t0"."a" > 1' in postgres
    assert {"DuckDBCompiler", "PostgresCompiler", "PySparkCompiler"} <= set(names)
    assert sorted(names) == starred
    assert compiler == "PostgresCompiler"
    assert same
