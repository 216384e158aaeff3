"""One model's columns in a statement written here, read back as the ORM reads them (issue 19).

The pages' hot reads (the signed-in user in `accounts.signed_in`, a subject's record in
`study.record_rows`) are statements written once instead of built by the ORM on every
request; `Rows` gives each model's column list and turns a row back into the instance the
ORM would have made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)
T = TypeVar("T")

Converter = tuple[int, list[Any], Col]


class PerConnection(Generic[T]):
    """What ``write`` gives for a database connection, written once per connection object
    (each worker thread has its own; gone with it): a statement's text and converters are
    its backend's. Thread-safe: two threads never share a connection, and a value written
    twice is the same."""

    def __init__(self, write: Callable[[BaseDatabaseWrapper], T]) -> None:
        self._write = write
        self._written: WeakKeyDictionary[BaseDatabaseWrapper, T] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, db: BaseDatabaseWrapper) -> T:
        found = self._written.get(db)
        if found is None:
            found = self._write(db)
            with self._lock:
                self._written[db] = found
        return found


class Rows(Generic[M]):
    """One model's columns in a statement written here, and its instances built from a row
    as the ORM builds them: every concrete field in `_meta` order, converted by the
    backend's and the field's converters (dates on SQLite, JSON, time zones), then
    `Model.from_db`. Written once per database connection (quoting and converters are its
    backend's)."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.pk_position = self.fields.index(model._meta.pk)
        # Per connection (each thread has its own): the converters are its backend's methods.
        self._plan = PerConnection(self._write_plan)

    def _write_plan(self, db: BaseDatabaseWrapper) -> tuple[str, list[Converter]]:
        quote = db.ops.quote_name
        columns = ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)
        converters: list[Converter] = []
        for position, field in enumerate(self.fields):
            col = field.get_col(self.alias)
            found = db.ops.get_db_converters(col) + col.get_db_converters(db)
            if found:
                converters.append((position, found, col))
        return columns, converters

    def columns(self, db: BaseDatabaseWrapper) -> str:
        """The model's columns, qualified by the alias, for a SELECT list."""
        return self._plan(db)[0]

    @property
    def width(self) -> int:
        return len(self.fields)

    def table(self, db: BaseDatabaseWrapper) -> str:
        """The model's table with the alias, for a FROM clause."""
        return f"{db.ops.quote_name(self.model._meta.db_table)} {self.alias}"

    def build(self, db: BaseDatabaseWrapper, row: Sequence[Any], start: int = 0) -> M | None:
        """The instance in ``row`` from ``start``; None when its primary key is NULL (the
        right side of an outer join that found nothing)."""
        values = list(row[start : start + len(self.fields)])
        if values[self.pk_position] is None:
            return None
        for position, converters, col in self._plan(db)[1]:
            value = values[position]
            for converter in converters:
                value = converter(value, col, db)
            values[position] = value
        return self.model.from_db(db.alias, self.attnames, values)


def build_side_by_side(
    db: BaseDatabaseWrapper, row: Sequence[Any], parts: Sequence[Rows[Any]], start: int = 0
) -> list[Any]:
    """The instances of ``parts``, whose columns stand side by side in ``row`` from
    ``start`` in that order (a joined SELECT of their `Rows.columns`): one per part, None
    for the missing side of an outer join."""
    found: list[Any] = []
    for part in parts:
        found.append(part.build(db, row, start))
        start += part.width
    return found
