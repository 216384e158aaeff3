"""What a page derives from the whole study, kept until the audit trail moves (issue 19).

The dashboard reads a dozen tables (subjects, visits, forms, consents, signatures, queries,
adverse events, safety reports, decided suggestions) to make its lists, whatever the number
of subjects. Every change of study data goes through the services layer, which appends to
the audit trail in the change's own transaction and moves the trail's head (`AuditHead`:
sequence number and hash); `audit verify` reconciles every model of the EDC with the trail,
so a change that did not move the head is itself a finding. One read of the head therefore
says whether what was derived before is still the study as it is now:

- the key names the head's sequence number AND hash (a restored older backup or a
  rolled-back write can bring a sequence number back, never with the same hash);
- what is derived from dates is kept only while each site's date it was made on is still
  today there (overdue visits, reporting clocks count days on the site's date);
- the scope (who asks, their role and sites, the language) is the caller's part of the key,
  so one user's lists are never another's.

A page about one subject needs a narrower key (`subject_head`): the subject's own latest
entry, and the latest entry of the study's set-up that its page shows (a site's name and time
zone, a user's name). Every change shown on a subject page is written to the trail with that
subject's reference (`AuditEntry.subject_ref`), so other subjects' changes and sign-ins, which
move the whole trail's head, leave it kept. Each entry's hash chains every entry before it,
so the latest of those entries (sequence number and hash) names all of them.

Kept in this process, like `by_version`; bounded, least recently used out, thread-safe.
What is not in the trail (a user's display name edited outside the admin site, a change made
behind the application's back) shows at the next audited change; `audit verify` names the
latter.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection

from lupustrial.edc.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from lupustrial.edc.study.by_version import ByVersion
from lupustrial.protocol import dates

V = TypeVar("V")

Head = tuple[int, str]


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


# The heads are read on every view of a kept page, so they are written in SQL: building the
# same statements through the ORM cost 0.3 ms (trail head) and 0.9 ms (subject head) of CPU
# per view, against 0.03 and 0.09 ms for the statements themselves (PostgreSQL, issue 19).
_ENTRIES = AuditEntry._meta.db_table
_HEAD = AuditHead._meta.db_table


def trail_head() -> Head:
    """The audit trail's head now: its last entry's sequence number and hash (one query)."""
    rows = _rows(f"SELECT seq, hash FROM {_HEAD} WHERE id = 1", [])
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS_HASH)


SET_UP_FORMS = ("site", "account")
"""The study-level entries (no subject) that can change a subject page: a site's name or time
zone (`accounts.services.record_site_change`), a user's name, role, sites or status
(`record_account_change`): the page names who obtained each consent."""


def latest_of(*kinds: tuple[str, list[Any]]) -> tuple[Head, ...]:
    """The latest entry (sequence number and hash) of each kind of entry that has one, in
    one query; a kind is an SQL condition on the trail's table and its parameters. Each
    latest is one index lookup (`AuditEntry.Meta.indexes`: subject_ref or form, then seq)."""
    latest = ", ".join(f"(SELECT max(seq) FROM {_ENTRIES} WHERE {where})" for where, _ in kinds)
    rows = _rows(
        f"SELECT seq, hash FROM {_ENTRIES} WHERE seq IN ({latest}) ORDER BY seq",
        [value for _, params in kinds for value in params],
    )
    return tuple((int(seq), str(hash_)) for seq, hash_ in rows)


def subject_entries(subject_pk: int) -> tuple[str, list[Any]]:
    """The entries about one subject (`AuditEntry.subject_ref`)."""
    return "subject_ref = %s", [subject_pk]


def set_up_entries() -> tuple[str, list[Any]]:
    """The study's set-up entries that a subject page shows (`SET_UP_FORMS`)."""
    marks = ", ".join(["%s"] * len(SET_UP_FORMS))
    return f"subject_ref IS NULL AND form IN ({marks})", list(SET_UP_FORMS)


def subject_head(subject_pk: int) -> tuple[Head, ...]:
    """What a page of one subject is derived from, as the trail names it (one query): the
    subject's latest entry, and the latest set-up entry (`SET_UP_FORMS`) of the study."""
    return latest_of(subject_entries(subject_pk), set_up_entries())


@dataclass(frozen=True)
class _Kept(Generic[V]):
    head: Hashable
    days: tuple[tuple[str, dt.date], ...]  # each site time zone read, and its date then
    value: V


class ByTrail(Generic[V]):
    """A bounded map from a scope to what was derived for it at one head of the trail (kept in
    a `ByVersion`: the same bounded, least-recently-used, thread-safe store)."""

    def __init__(self, size: int) -> None:
        self._kept: ByVersion[_Kept[V]] = ByVersion(size)
        self._lock = threading.Lock()
        self.derivations = 0  # how many times `get` derived afresh (the tests count them)

    def get(
        self,
        scope: Hashable,
        derive: Callable[[], tuple[V, Iterable[str]]],
        head: Callable[[], Hashable] = trail_head,
    ) -> V:
        """What ``derive`` gives for ``scope`` at the trail's current head and today's dates.

        ``derive`` returns the value and the site time zones whose dates it depends on;
        ``head`` reads the part of the trail it is derived from (the whole trail's head unless
        given, e.g. `subject_head`), before ``derive`` reads the data.
        """
        current = head()
        key = (connection.alias, connection.settings_dict.get("NAME"), scope)
        kept = self._kept.kept(key)
        if kept is not None and kept.head == current and _still_today(kept.days):
            return kept.value
        # The moment is taken before deriving: a day that turns while it runs makes the kept
        # dates stale, so the next request derives again, never the other way round.
        moment = dates.utc_now()
        value, zones = derive()
        days = tuple(sorted((zone, dates.site_date(moment, zone)) for zone in set(zones)))
        with self._lock:
            self.derivations += 1
        self._kept.keep(key, _Kept(current, days, value))
        return value

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


def _still_today(days: tuple[tuple[str, dt.date], ...]) -> bool:
    now = dates.utc_now()
    return all(dates.site_date(now, zone) == day for zone, day in days)
