"""Django's database sessions, the session row read by a statement written once (issue 19).

Every request with a session cookie reads its row. Django's store reads it through the ORM
(`Session.objects.get(session_key=..., expire_date__gt=now)`), which builds the same SELECT
afresh each time, several times the CPU of running it. This store (``SESSION_ENGINE``) runs
that SELECT as written here, with the same condition: the row of that key whose expiry is
still ahead, the moment adapted for the database as the ORM adapts it. Everything else
(saving, creating, deleting, `clearsessions`) is Django's.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

_STATEMENTS: dict[str, str] = {}
"""The SELECT per database vendor (its quoting): one or two entries per process."""


def _statement(connection: BaseDatabaseWrapper, model: Any) -> str:
    found = _STATEMENTS.get(connection.vendor)
    if found is None:
        quote = connection.ops.quote_name
        meta = model._meta
        found = _STATEMENTS[connection.vendor] = (
            f"SELECT {quote(meta.get_field('session_data').column)}"
            f" FROM {quote(meta.db_table)}"
            f" WHERE {quote(meta.get_field('session_key').column)} = %s"
            f" AND {quote(meta.get_field('expire_date').column)} > %s"
        )
    return found


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        connection = connections[router.db_for_read(self.model)]
        sql = _statement(connection, self.model)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new session, as Django's store does
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data
