"""`lupustrial --help` starts fast: the heavy libraries are imported only by the commands
that use them (issue 19; `python -X importtime -c "import lupustrial.cli"` shows the rest).

Measured on the same machine, `lupustrial --help` took 1.25 s when scipy, pyarrow and every
pydantic model were imported at start; without them it is typer and the command modules. The
test checks the cause, not a time: a fresh interpreter showing the help (and each command
group's help) has imported none of these packages.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "scipy",
    "ibis",
    "django",
    "pyarrow",
    "numpy",
    "pandas",
    "matplotlib",
    "duckdb",
    "weasyprint",
    "jinja2",
    "sqlglot",
    "pyspark",
    "odmlib",
    "xmlschema",
    "fhir",
)

PROBE = """
import json, sys
from lupustrial.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def imported_by(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return set(modules)


def test_help_imports_no_heavy_library_and_not_pydantic() -> None:
    assert imported_by("--help") & {*HEAVY, "pydantic"} == set()


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "--help"],
        ["eligibility", "--help"],
        ["dataset", "export", "--help"],
        ["prescreen", "run", "--help"],
        ["web", "--help"],
        ["report", "periodic", "--help"],
        ["export", "odm", "--help"],
    ],
)
def test_command_help_imports_no_heavy_library(argv: list[str]) -> None:
    """A command's help: typer itself imports pydantic there (its parameter adapters)."""
    assert imported_by(*argv) & set(HEAVY) == set()


def test_the_probe_sees_a_command_that_does_import_them() -> None:
    """The check can fail: `schema assessment` builds pydantic models, `plan precision` scipy."""
    assert "pydantic" in imported_by("schema", "assessment")
    assert "scipy" in imported_by("plan", "precision", "--n", "5")
