"""CSV files for people to open in a spreadsheet, with formula injection defused.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or carriage return can hide such a start (OWASP, "CSV Injection", 2023). Every CSV
the application writes for people (the audit trail's export) passes its cells through
`spreadsheet_cell`, which puts an apostrophe before such a cell so that it is shown as text.
A plain number ("-3", "+1.5") is left alone: it is no formula and stays a number.
The study dataset's CSVs are not for this: they keep values exactly as entered (their
manifest says so), because they are data for programs, checked by their SHA-256.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def spreadsheet_cell(value: Any) -> Any:
    """``value``, with an apostrophe in front if a spreadsheet would read it as a formula."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def write_rows(out: Writable, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """A header and rows as CSV into ``out``, every cell defused."""
    writer = csv.writer(out)
    writer.writerow([spreadsheet_cell(name) for name in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
