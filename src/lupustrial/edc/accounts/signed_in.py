"""The signed-in user read with their staff profile, credential and sites in one statement.

Every signed-in request reads its user (`backends.StudyBackend.get_user`): the profile gives
the role, language and sites, the credential whether a new password must be chosen, and the
sites the time zone and every permission check. Through the ORM that was two statements (the
user with `select_related("staff", "credential")`, then `profile.site_list`), and the ORM
built each afresh on every request, about as much CPU as everything else the login page does
(issue 19). Here one statement is written once per database connection and its rows become
the instances the ORM makes (`edc.rows.Rows`: `Model.from_db` over every concrete field,
each column through the converters the ORM applies), the one-to-one caches set both ways as
`select_related` sets them, and the profile's `site_list` the sites `visible_sites()` gives
(every site for the roles that see all, else the assigned ones, in `Site`'s order).

Nothing is kept between requests: a change of role, sites, language, status or password
shows on the next request. `tests/edc/test_signed_in_read.py` compares every field with the
ORM's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from lupustrial.edc.accounts.models import Credential, Site, StaffProfile
from lupustrial.edc.accounts.roles import ALL_SITES_ROLES
from lupustrial.edc.rows import PerConnection, Rows, build_side_by_side

_USER = Rows(get_user_model(), "u")
_PROFILE = Rows(StaffProfile, "p")
_CREDENTIAL = Rows(Credential, "c")
_SITE = Rows(Site, "s")
_ROLES = tuple(sorted(str(role) for role in ALL_SITES_ROLES))
"""The roles that see every site (`StaffProfile.visible_sites`), the statement's parameters."""


def _statement(db: BaseDatabaseWrapper) -> str:
    quote = db.ops.quote_name

    def column(rows: Rows[Any], name: str) -> str:
        meta = rows.model._meta
        field = meta.pk if name == "pk" else meta.get_field(name)
        return f"{rows.alias}.{quote(field.column)}"

    assigned: Any = StaffProfile._meta.get_field("sites")
    through = assigned.remote_field.through._meta
    every_site = f"{column(_PROFILE, 'role')} IN ({', '.join(['%s'] * len(_ROLES))})"
    ordering = ", ".join(
        column(_SITE, name.lstrip("-")) + (" DESC" if name.startswith("-") else "")
        for name in Site._meta.ordering or ["pk"]
    )
    selected = ", ".join(rows.columns(db) for rows in (_USER, _PROFILE, _CREDENTIAL, _SITE))
    return (
        f"SELECT {selected} FROM {_USER.table(db)}"
        f" LEFT JOIN {_PROFILE.table(db)} ON {column(_PROFILE, 'user')} = {column(_USER, 'pk')}"
        f" LEFT JOIN {_CREDENTIAL.table(db)}"
        f" ON {column(_CREDENTIAL, 'user')} = {column(_USER, 'pk')}"
        # Every site for a role that sees all, else the ones assigned.
        f" LEFT JOIN {_SITE.table(db)} ON ({every_site if _ROLES else '1 = 0'}"
        f" OR {column(_SITE, 'pk')} IN"
        f" (SELECT m.{quote(assigned.m2m_reverse_name())} FROM {quote(through.db_table)} m"
        f" WHERE m.{quote(assigned.m2m_column_name())} = {column(_PROFILE, 'pk')}))"
        f" WHERE {column(_USER, 'pk')} = %s"
        f" ORDER BY {ordering}"
    )


_prepared = PerConnection(_statement)
"""The statement per connection object (one per worker thread and database; gone with it)."""


def read_user(user_id: Any) -> Any:
    """The user with this primary key, their profile, credential and sites; None if unknown."""
    users: Any = get_user_model()
    try:
        pk = users._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    db = connections[router.db_for_read(users)]
    with db.cursor() as cursor:
        cursor.execute(_prepared(db), [*_ROLES, pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    user, profile, credential = build_side_by_side(db, rows[0], (_USER, _PROFILE, _CREDENTIAL))
    # As `select_related` links them: user.staff (None: no profile, and no query) and
    # profile.user, user.credential and credential.user.
    for related, model in ((profile, StaffProfile), (credential, Credential)):
        owner: Any = model._meta.get_field("user")
        owner.remote_field.set_cached_value(user, related)
        if related is not None:
            owner.set_cached_value(related, user)
    if profile is not None:
        at = _USER.width + _PROFILE.width + _CREDENTIAL.width
        sites = (_SITE.build(db, row, at) for row in rows)
        # `StaffProfile.site_list` is a cached_property: this is where it keeps its value.
        profile.__dict__["site_list"] = tuple(site for site in sites if site is not None)
    return user
