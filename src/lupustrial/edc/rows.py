"""One model's columns in a statement written here, read back as the ORM reads them (issue 19).

The pages' hot reads (the signed-in user in `accounts.signed_in`, a subject's record in
`study.record_rows`) are statements written once instead of built by the ORM on every
request; `Rows` gives each model's column list and turns a row back into the instance the
ORM would have made.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)

Converter = tuple[int, list[Any], Col]


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
        self._plans: WeakKeyDictionary[Any, tuple[str, list[Converter]]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def _plan(self, db: BaseDatabaseWrapper) -> tuple[str, list[Converter]]:
        plan = self._plans.get(db)
        if plan is None:
            quote = db.ops.quote_name
            columns = ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)
            converters: list[Converter] = []
            for position, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                found = db.ops.get_db_converters(col) + col.get_db_converters(db)
                if found:
                    converters.append((position, found, col))
            plan = (columns, converters)
            with self._lock:
                self._plans[db] = plan
        return plan

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
