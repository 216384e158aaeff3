"""Where study records come from: each source is a function returning `StudyRecords`.

Sources are named here and imported only when used, so that the command line never imports
the web application (Django) just to export the demo. A new source adds one line to
`SOURCES`: its name, a one-line description, and ``"module:function"``, the function taking
no argument and returning `StudyRecords`; the web application's database is ``"database"``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a source is loaded: naming the sources stays cheap
    from lupustrial.dataset.records import StudyRecords


class SourceError(Exception):
    """A source that cannot give its records (no database, unreachable server): the message
    says what to do, for the user."""


@dataclass(frozen=True)
class Source:
    """A named source of study records, loaded lazily from ``module:function``."""

    name: str
    description: str
    target: str

    def loader(self) -> Callable[[], StudyRecords]:
        module_name, _, function = self.target.partition(":")
        module = importlib.import_module(module_name)
        loader: Callable[[], StudyRecords] = getattr(module, function)
        return loader

    def load(self) -> StudyRecords:
        from lupustrial.dataset.records import StudyRecords

        records = self.loader()()
        if not isinstance(records, StudyRecords):
            raise TypeError(
                f"source {self.name} returned {type(records).__name__}, not StudyRecords"
            )
        return records


SOURCES: dict[str, Source] = {
    source.name: source
    for source in (
        Source(
            "demo",
            "the seeded demo study (no real patient data)",
            "lupustrial.dataset.demo:demo_records",
        ),
        Source(
            "database",
            "the web application's database (DATABASE_URL, else the SQLite file in ./var)",
            "lupustrial.edc:database_records",
        ),
    )
}


def get_source(name: str) -> Source:
    """The source with this name; an unknown name is an error listing the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r} (known: {', '.join(SOURCES)})") from None
