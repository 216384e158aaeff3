"""The signed-in user read with their staff profile, credential and sites in one statement.

Every signed-in request reads its user (`backends.StudyBackend.get_user`): the profile gives
the role, language and sites, the credential whether a new password must be chosen, and the
sites the time zone and every permission check. Through the ORM that was two statements (the
user with `select_related("staff", "credential")`, then `profile.site_list`), and the ORM
built each afresh on every request, about as much CPU as everything else the login page does
(issue 19). Here one statement is written once per database connection and its rows become
the instances the ORM makes: `Model.from_db` over every concrete field, each column through
the converters the ORM applies, the one-to-one caches set both ways as `select_related` sets
them, and the profile's `site_list` the sites `visible_sites()` gives (every site for the
roles that see all, else the assigned ones, in `Site`'s order).

Nothing is kept between requests: a change of role, sites, language, status or password
shows on the next request. `tests/edc/test_signed_in_read.py` compares every field with the
ORM's.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from lupustrial.edc.accounts.models import Credential, Site, StaffProfile
from lupustrial.edc.accounts.roles import ALL_SITES_ROLES

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True)
class _Table:
    """One model's columns in the statement: where they start and how each value is read."""

    model: type[Model]
    start: int
    key: int
    """Where the primary key is among the columns: NULL when an outer join found no row."""
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]

    @property
    def stop(self) -> int:
        return self.start + len(self.attnames)

    def instance(self, db: str, row: Sequence[Any], connection: BaseDatabaseWrapper) -> Any:
        values = list(row[self.start : self.stop])
        if values[self.key] is None:
            return None
        for index, converters, expression in self.converters:
            for convert in converters:
                values[index] = convert(values[index], expression, connection)
        return self.model.from_db(db, self.attnames, values)


@dataclass(frozen=True)
class _Statement:
    sql: str
    roles: tuple[str, ...]
    user: _Table
    profile: _Table
    credential: _Table
    site: _Table


def _table(model: type[Model], alias: str, start: int, connection: BaseDatabaseWrapper) -> _Table:
    # In the model's order: `Model.from_db` passes a full row to the constructor as it is.
    fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, tuple(found), column))
    key = [field.primary_key for field in fields].index(True)
    return _Table(model, start, key, tuple(f.attname for f in fields), tuple(converters))


def _statement(connection: BaseDatabaseWrapper) -> _Statement:
    quote = connection.ops.quote_name
    users: Any = get_user_model()
    user = _table(users, "u", 0, connection)
    profile = _table(StaffProfile, "p", user.stop, connection)
    credential = _table(Credential, "c", profile.stop, connection)
    site = _table(Site, "s", credential.stop, connection)
    assigned: Any = StaffProfile._meta.get_field("sites")
    through = assigned.remote_field.through._meta
    roles = tuple(sorted(str(role) for role in ALL_SITES_ROLES))

    def column(alias: str, model: Any, name: str) -> str:
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        return f"{alias}.{quote(field.column)}"

    ordering = ", ".join(
        column("s", Site, name.lstrip("-")) + (" DESC" if name.startswith("-") else "")
        for name in Site._meta.ordering or ["pk"]
    )
    selected = [
        column(alias, table.model, name)
        for alias, table in (("u", user), ("p", profile), ("c", credential), ("s", site))
        for name in table.attnames
    ]
    # Every site for a role that sees all (`StaffProfile.visible_sites`), else the assigned.
    every_site = f"{column('p', StaffProfile, 'role')} IN ({', '.join(['%s'] * len(roles))})"
    sql = (
        f"SELECT {', '.join(selected)} FROM {quote(users._meta.db_table)} u"
        f" LEFT JOIN {quote(StaffProfile._meta.db_table)} p"
        f" ON {column('p', StaffProfile, 'user')} = {column('u', users, 'pk')}"
        f" LEFT JOIN {quote(Credential._meta.db_table)} c"
        f" ON {column('c', Credential, 'user')} = {column('u', users, 'pk')}"
        f" LEFT JOIN {quote(Site._meta.db_table)} s"
        f" ON ({every_site if roles else '1 = 0'} OR {column('s', Site, 'pk')} IN"
        f" (SELECT m.{quote(assigned.m2m_reverse_name())} FROM {quote(through.db_table)} m"
        f" WHERE m.{quote(assigned.m2m_column_name())} = {column('p', StaffProfile, 'pk')}))"
        f" WHERE {column('u', users, 'pk')} = %s"
        f" ORDER BY {ordering}"
    )
    return _Statement(sql, roles, user, profile, credential, site)


_STATEMENTS: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Statement] = (
    weakref.WeakKeyDictionary()
)
"""The statement per connection object (one per worker thread and database; gone with it)."""
_STATEMENTS_LOCK = threading.Lock()


def _prepared(connection: BaseDatabaseWrapper) -> _Statement:
    found = _STATEMENTS.get(connection)
    if found is None:
        found = _statement(connection)
        with _STATEMENTS_LOCK:
            _STATEMENTS[connection] = found
    return found


def read_user(user_id: Any) -> Any:
    """The user with this primary key, their profile, credential and sites; None if unknown."""
    users: Any = get_user_model()
    try:
        pk = users._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    db = router.db_for_read(users)
    connection = connections[db]
    statement = _prepared(connection)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [*statement.roles, pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    user = statement.user.instance(db, first, connection)
    owners: tuple[tuple[_Table, Any], ...] = (
        (statement.profile, StaffProfile._meta.get_field("user")),
        (statement.credential, Credential._meta.get_field("user")),
    )
    for table, field in owners:
        related = table.instance(db, first, connection)
        # As `select_related` does: user.staff (None: no profile, no query) and profile.user.
        field.remote_field.set_cached_value(user, related)
        if related is not None:
            field.set_cached_value(related, user)
            if table is statement.profile:
                sites = (statement.site.instance(db, row, connection) for row in rows)
                # `StaffProfile.site_list` is a cached_property: this is where it keeps its value.
                related.__dict__["site_list"] = tuple(s for s in sites if s is not None)
    return user
