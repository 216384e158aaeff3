"""A DuckDB run loads DuckDB's SQL compiler and no other dialect's (`ibis_loader`), and with the
locked ibis that changes nothing it compiles: the same SQL as with every dialect loaded, and
every other dialect still there when asked for. Each check runs in a fresh interpreter (this
one has loaded ibis its own way already)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

OTHER_DIALECTS = ("postgres", "bigquery", "snowflake", "trino", "pyspark", "mssql")


def _python(script: str, cache: Path) -> str:
    environment = {**os.environ, "LUPUSTRIAL_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _first_run(omop_dir: Path, before: str = "") -> str:
    """A command compiling its SQL (an empty cache, no shipped plan), then what it loaded."""
    return (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from lupustrial.prescreen import plan\n"
        "plan.SHIPPED = Path('/nonexistent/no-shipped-plans')\n"
        f"{before}\n"
        "from lupustrial.cli import main\n"
        f"sys.argv = ['lupustrial', 'prescreen', '--omop', {str(omop_dir)!r}, "
        "'--as-of', '2025-01-15']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "names = sorted(m for m in sys.modules if m.startswith('ibis.backends.sql.compilers.'))\n"
        "print(json.dumps(names))\n"
    )


def test_a_first_run_on_duckdb_loads_no_other_dialect(omop_dir: Path, tmp_path: Path) -> None:
    loaded = json.loads(_python(_first_run(omop_dir), tmp_path / "cache"))
    assert "ibis.backends.sql.compilers.duckdb" in loaded  # it did compile
    assert not {f"ibis.backends.sql.compilers.{name}" for name in OTHER_DIALECTS} & set(loaded)


def test_the_sql_is_the_same_as_with_every_dialect_loaded(omop_dir: Path, tmp_path: Path) -> None:
    every = "import ibis.backends.sql.compilers as sc\nassert len(sc.__all__) > 10"
    kept = {}
    for name, before in (("only", ""), ("every", every)):
        cache = tmp_path / name
        loaded = json.loads(_python(_first_run(omop_dir, before), cache))
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
    duck, postgres, names, starred, compiler, same = json.loads(_python(script, tmp_path))
    assert "WHERE" in duck
    assert '"t0"."a" > 1' in duck
    assert '"t0"."a" > 1' in postgres
    assert {"DuckDBCompiler", "PostgresCompiler", "PySparkCompiler"} <= set(names)
    assert sorted(names) == starred
    assert compiler == "PostgresCompiler"
    assert same
