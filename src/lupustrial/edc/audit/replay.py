"""What every reconciliation shares: the trail's entries as replayed, and a difference found.

Each app compares its own tables with the trail (`edc.reconciliation` lists them all); this
module sits below them, in the audit app, so that none imports another to compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """One trail entry as the reconciliations read it: the subject resolved to its key."""

    seq: int
    action: str
    actor: str
    ref: int | None  # the subject's primary key (by label for entries from before it was kept)
    visit: str
    form: str
    field: str
    new: Any
    reason: str


@dataclass(frozen=True)
class Difference:
    """One place where the record and the replayed trail disagree."""

    subject: str
    form: str
    field: str
    record: Any
    trail: Any

    def line(self) -> str:
        where = " ".join(part for part in (self.subject, self.form, self.field) if part)
        return f"{where}: the record holds {self.record!r}, the trail says {self.trail!r}"


def _known(value: Any) -> bool:
    # An empty text or list and no value at all read the same in a record and in the trail.
    return value is not None and value != "" and value != []


def compare(
    found: list[Difference],
    subject: str,
    form: str,
    record: Mapping[str, Any],
    trail: Mapping[str, Any],
) -> None:
    """A difference for each field whose value the record and the trail do not share."""
    held = {k: v for k, v in record.items() if _known(v)}
    said = {k: v for k, v in trail.items() if _known(v)}
    for name in sorted(held.keys() | said.keys()):
        if held.get(name) != said.get(name):
            found.append(Difference(subject, form, name, held.get(name), said.get(name)))
