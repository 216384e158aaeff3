"""ibis loaded with only the SQL compilers a run uses.

``ibis.backends.sql.compilers``'s ``__init__`` imports the compiler of every dialect ibis
knows (twenty, with sqlglot's dialects behind them) to name them as attributes, and every
ibis backend imports that package, so loading DuckDB's backend loaded all twenty: about
0.1 s of CPU of a first run's 1.5 s at 100,000 persons (`python -X importtime`), for SQL
no run writes. `load` puts the package in place without running its ``__init__``, imports
the dialects asked for, and leaves every other name to the package's own ``__init__``, run
in full the first time anything else is asked of it (`sc.PostgresCompiler`,
`ibis.to_sql(expr, dialect=...)`, ``from ... import *``): nothing ibis can do is lost, only
delayed. `tests/prescreen/test_ibis_loader.py` holds it to the locked ibis version: the
SQL compiled is the same with the full package, and the other dialects still load.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

PACKAGE = "ibis.backends.sql.compilers"


def load(*dialects: str) -> None:
    """Make ``ibis.backends.sql.compilers`` hold ``dialects``' compilers (e.g. ``duckdb``)
    without importing the others, if the package is not imported yet; call it before the
    backend (``ibis.duckdb``) is first used."""
    if PACKAGE not in sys.modules:
        parent = importlib.import_module(PACKAGE.rpartition(".")[0])
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return  # not the package this expects: ibis imports it itself, in full
        module = importlib.util.module_from_spec(spec)
        # A module-level __getattr__ (PEP 562), which ModuleType declares as a method.
        module.__getattr__ = _complete(module, spec)  # type: ignore[method-assign]
        sys.modules[PACKAGE] = module
        parent.compilers = module  # type: ignore[attr-defined]  # a submodule, as import sets it
    for dialect in dialects:
        importlib.import_module(f"{PACKAGE}.{dialect}")


def _complete(module: ModuleType, spec: Any) -> Any:
    """The package's ``__getattr__`` (PEP 562, called only for a name it does not hold yet):
    runs the package's own ``__init__`` once, then answers from it."""
    done: list[bool] = []

    def __getattr__(name: str) -> Any:  # noqa: N807 (the module hook's own name)
        if not done:
            done.append(True)
            spec.loader.exec_module(module)
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from None

    return __getattr__
