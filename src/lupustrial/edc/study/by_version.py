"""What the pages derive from saved forms, kept per form version (issue 19).

A visit's validated forms (`records.visit_forms`) and its scores (`protocol.crfs.score_visit`
through `services.derived_for_subject`) are the same until one of the forms they were made
from changes, and every change of a form goes through `services.save_form`, which raises its
version. They are kept in this process under a key naming each form's row, version and last
write time (and the visit dates the derivation reads), so a changed form is a new key and is
derived afresh: nothing is invalidated by hand, and a page never shows scores of a version
that is gone. The write time covers a row number used again after a rolled-back insert
(SQLite reuses them). This is a cache of the one derivation, not a second implementation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from lupustrial.edc.study.models import Visit

V = TypeVar("V")

FormsVersion = tuple[tuple[str, int, int, str], ...]


def forms_version(visit: Visit) -> FormsVersion:
    """The visit's saved forms as they are now: CRF, row, version and write time of each."""
    return tuple(
        sorted(
            (form.crf, form.pk, form.version, form.updated_at.isoformat())
            for form in visit.forms.all()
        )
    )


class ByVersion(Generic[V]):
    """A bounded map from a version key to what was derived from it, least recently used out.

    Thread-safe (a threaded server shares it); two threads missing the same key both derive
    it, which costs time, never correctness.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, derive: Callable[[], V]) -> V:
        found = self.kept(key)
        if found is not None:
            return found
        value = derive()
        self.keep(key, value)
        return value

    def kept(self, key: Hashable) -> V | None:
        """What is kept for ``key`` (now the most recently used), or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def keep(self, key: Hashable, value: V) -> None:
        """Keep ``value`` for ``key``, the least recently used out beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
