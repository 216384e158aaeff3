"""Writes in SQL written here for the form save, prepared by the models' own fields (issue 19).

The ORM builds every statement again on each request: for a save's four writes that was
about a fifth of the save's CPU. The statements here are the ORM's own, in effect: each
column is written through its model field exactly as the ORM does (``pre_save`` and
``get_db_prep_save``), so what is stored is the same, and the models stay the schema's one
description. (Rows read back in SQL written here: `edc.rows.Rows`.)

`run_together` sends a change's writes in one round trip on PostgreSQL, as one statement
whose other writes are data-modifying ``WITH`` clauses (each runs exactly once, on the same
snapshot, before the statement ends; constraints and foreign keys are checked as for separate
statements). SQLite, the embedded default, has no data-modifying ``WITH``: there they run one
after the other, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

Statement = tuple[str, list[Any]]
"""SQL with ``%s`` placeholders, and its parameters in order."""


def database() -> BaseDatabaseWrapper:
    """This thread's connection itself: each ``connection.x`` looks the thread's connection
    up again, which on a statement's ~40 columns cost about a tenth of a millisecond."""
    return connections[DEFAULT_DB_ALIAS]


def _prepared(row: Model, add: bool, fields: Sequence[Any], db: BaseDatabaseWrapper) -> list[Any]:
    return [field.get_db_prep_save(field.pre_save(row, add), db) for field in fields]


def update(row: Model) -> Statement:
    """``row``'s every column but its primary key, by its primary key: the UPDATE the ORM's
    ``save()`` of an existing row sends (without its signals: the models here have none,
    `tests/edc/test_writes_without_signals.py`)."""
    db = database()
    quote = db.ops.quote_name
    fields = [f for f in row._meta.concrete_fields if not f.primary_key]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    pk = row._meta.pk
    return (
        f"UPDATE {quote(row._meta.db_table)} SET {assignments} WHERE {quote(pk.column)} = %s",
        [*_prepared(row, False, fields, db), pk.get_db_prep_value(row.pk, db)],
    )


def insert(rows: Sequence[Model], returning_pk: bool = False) -> Statement:
    """One INSERT of ``rows`` (of one model), their primary keys chosen by the database, as the
    ORM's ``bulk_create`` sends it; with ``returning_pk`` the new keys come back in order."""
    db = database()
    quote = db.ops.quote_name
    model = type(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) VALUES "
        + ", ".join([placeholders] * len(rows))
    )
    if returning_pk:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql, [value for row in rows for value in _prepared(row, True, fields, db)]


def together() -> bool:
    """Whether writes may share one statement (data-modifying ``WITH``): PostgreSQL, the
    server database the application supports; not SQLite, its embedded default."""
    return database().vendor == "postgresql"


def run_together(statements: Sequence[Statement]) -> list[tuple[Any, ...]]:
    """Run the statements of one change in the caller's transaction, in one round trip where
    the database allows it (`together`); the rows the last one returns (its RETURNING).

    Together, every statement but the last becomes a ``WITH`` clause of the last: none may
    read what another writes (they share one snapshot), and no row may be written by two.
    """
    if not statements:
        return []
    with database().cursor() as cursor:
        if together() and len(statements) > 1:
            clauses = ", ".join(f"w{n} AS ({sql})" for n, (sql, _) in enumerate(statements[:-1]))
            last_sql, _last = statements[-1]
            params = [value for _sql, values in statements for value in values]
            cursor.execute(f"WITH {clauses} {last_sql}", params)
            return _returned(cursor, last_sql)
        for sql, params in statements:
            cursor.execute(sql, params)
        return _returned(cursor, statements[-1][0])


def _returned(cursor: Any, sql: str) -> list[tuple[Any, ...]]:
    return list(cursor.fetchall()) if " RETURNING " in sql else []


Along = Callable[[Sequence[Any]], Sequence[Statement]]
"""Writes that go with the audit trail's entries of one change, given those entries
(`audit.trail.record_changes`, ``along``)."""
