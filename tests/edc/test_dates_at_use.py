"""A test reads today's date when it uses it, never when its module is imported.

The sites' day changes at their midnight (Asia/Tokyo: 15:00 UTC). A date read at import and
used minutes later, across that midnight, is yesterday to the server, which judges every date
by the site's own (`protocol.dates.site_today`); such a run fails for no fault of the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
CLOCKS = {"today", "localdate", "now", "utcnow", "localtime"}


def _reads_the_clock(node: ast.AST) -> bool:
    """Whether evaluating ``node`` calls a clock (a lambda's body runs later, when called)."""
    if isinstance(node, ast.Lambda):
        return False
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in CLOCKS:
            return True
    return any(_reads_the_clock(child) for child in ast.iter_child_nodes(node))


def _read_at_import(path: Path, root: Path = TESTS.parent) -> list[str]:
    """Module- and class-level statements that read the clock (run once, at import)."""
    found = []
    bodies = [ast.parse(path.read_text(encoding="utf-8")).body]
    while bodies:
        for statement in bodies.pop():
            if isinstance(statement, ast.ClassDef):
                bodies.append(statement.body)
            elif not isinstance(
                statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.If | ast.Try
            ) and _reads_the_clock(statement):
                found.append(f"{path.relative_to(root)}:{statement.lineno}")
    return found


def test_no_test_module_reads_the_date_at_import() -> None:
    found = [line for path in sorted(TESTS.rglob("*.py")) for line in _read_at_import(path)]
    assert found == []


def test_the_check_finds_a_date_read_at_import(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "import datetime as dt\nfrom django.utils import timezone\n"
        "TODAY = timezone.localdate()\n"
        "FIRST = dt.date.today() - dt.timedelta(days=1)\n"
        "class Case:\n    NOW = dt.datetime.now()\n"
        "def at_use() -> dt.date:\n    return dt.date.today()\n"
        "LATER = lambda: dt.date.today()\n",
        encoding="utf-8",
    )
    assert _read_at_import(module, tmp_path) == ["module.py:3", "module.py:4", "module.py:6"]
