"""A subject's record for its page, read in SQL written here (issue 19).

A subject page derived afresh (after any change to the subject: the benchmark's case, each
save of a form) read the subject and its visits, forms, consents, signatures and adverse
events through the ORM: about 6.5 ms of CPU on PostgreSQL, most of it Django building the
six statements and the instances, against about 0.5 ms for the statements themselves. Here
the statements are written once per model from its fields (`Rows`: every concrete column,
each value converted as the ORM converts it, the instance made by `Model.from_db`), and the
instances are linked as `select_related` and `prefetch_related_objects(*SUBJECT_RECORD)`
link them, so the services' helpers (`services.consents`, `scored_visits`, ...) read the
same objects from the same caches. Visits and their forms are one statement (a join).

`tests/edc/test_record_rows.py` compares every instance, field, cached relation and
prefetched list with the ORM's, on SQLite and PostgreSQL, and the subject page derived from
these reads with the page derived from the ORM's, byte for byte.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, Prefetch, QuerySet
from django.db.models.expressions import Col

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.study import services
from lupustrial.edc.study.models import (
    AdverseEvent,
    Consent,
    FormData,
    Identity,
    Signature,
    Subject,
    Visit,
)

M = TypeVar("M", bound=Model)

Converter = tuple[int, list[Any], Col]


def _db() -> BaseDatabaseWrapper:
    """This thread's connection to the database the pages read (the default one)."""
    return connections[DEFAULT_DB_ALIAS]


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
        with self._lock:
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

    @property
    def columns(self) -> str:
        """The model's columns, qualified by the alias, for a SELECT list."""
        return self._plan(_db())[0]

    @property
    def width(self) -> int:
        return len(self.fields)

    @property
    def table(self) -> str:
        """The model's table with the alias, for a FROM clause."""
        return f"{_q(self.model._meta.db_table)} {self.alias}"

    def build(self, row: Sequence[Any], start: int = 0) -> M | None:
        """The instance in ``row`` from ``start``; None when its primary key is NULL (the
        right side of an outer join that found nothing)."""
        values = list(row[start : start + len(self.fields)])
        if values[self.pk_position] is None:
            return None
        db = _db()
        for position, converters, col in self._plan(db)[1]:
            value = values[position]
            for converter in converters:
                value = converter(value, col, db)
            values[position] = value
        return self.model.from_db(db.alias, self.attnames, values)


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with _db().cursor() as cursor:
        cursor.execute(sql, list(params))
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def _q(name: str) -> str:
    return _db().ops.quote_name(name)


_SUBJECT = Rows(Subject, "s")
_SITE = Rows(Site, "t")
_IDENTITY = Rows(Identity, "i")
_VISIT = Rows(Visit, "v")
_FORM = Rows(FormData, "f")
_CONSENT = Rows(Consent, "c")
_SIGNATURE = Rows(Signature, "g")
_EVENT = Rows(AdverseEvent, "e")
_CONSENTS = next(
    lookup
    for lookup in services.SUBJECT_RECORD
    if isinstance(lookup, Prefetch) and lookup.prefetch_to == "consents"
)
_OBTAINED_BY = Rows(get_user_model(), "ob")
_ENTERED_BY = Rows(get_user_model(), "eb")


def read_subject(pk: int, *, identity: bool) -> Subject | None:
    """The subject with its site, and its identity if ``identity`` (None for a subject
    without one), as ``Subject.objects.select_related("site"[, "identity"]).get(pk=pk)``;
    None if there is no such subject."""
    columns = f"{_SUBJECT.columns}, {_SITE.columns}"
    joins = f"INNER JOIN {_SITE.table} ON s.{_q('site_id')} = t.{_q('id')}"
    if identity:
        columns += f", {_IDENTITY.columns}"
        joins += f" LEFT OUTER JOIN {_IDENTITY.table} ON i.{_q('subject_id')} = s.{_q('id')}"
    rows = _rows(f"SELECT {columns} FROM {_SUBJECT.table} {joins} WHERE s.{_q('id')} = %s", [pk])
    if not rows:
        return None
    row = rows[0]
    subject = _SUBJECT.build(row)
    site = _SITE.build(row, _SUBJECT.width)
    assert subject is not None
    assert site is not None
    Subject._meta.get_field("site").set_cached_value(subject, site)
    if identity:
        found = _IDENTITY.build(row, _SUBJECT.width + _SITE.width)
        # As select_related sets a reverse one-to-one: on the subject (None when there is
        # none, so reading it raises as the ORM's does) and, if found, back on the identity.
        Identity._meta.get_field("subject").remote_field.set_cached_value(subject, found)
        if found is not None:
            Identity._meta.get_field("subject").set_cached_value(found, subject)
    return subject


def _prefetched(
    owner: Model, relation: str, rows: list[Any], queryset: QuerySet[Any] | None = None
) -> None:
    """``rows`` as ``prefetch_related`` keeps a reverse foreign key's: the related manager's
    queryset (``queryset``, a `Prefetch`'s, filtered to ``owner``), its result filled in,
    under the relation's name, and each row's foreign key pointing back at ``owner``."""
    manager = getattr(owner, relation)
    queryset = manager.get_queryset() if queryset is None else manager._apply_rel_filters(queryset)
    queryset._result_cache = rows
    queryset._prefetch_done = True  # type: ignore[union-attr]
    field = manager.field
    for row in rows:
        field.set_cached_value(row, owner)
    if not hasattr(owner, "_prefetched_objects_cache"):
        owner._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    owner._prefetched_objects_cache[relation] = queryset  # type: ignore[attr-defined]


def read_record(subject: Subject) -> None:
    """The subject's visits with their forms, consents with who obtained and entered each,
    and signatures, read onto ``subject`` as ``prefetch_related_objects([subject],
    *services.SUBJECT_RECORD)`` reads them (three statements)."""
    visits: list[Visit] = []
    forms: dict[int, list[FormData]] = {}
    for row in _rows(
        f"SELECT {_VISIT.columns}, {_FORM.columns} FROM {_VISIT.table}"
        f" LEFT OUTER JOIN {_FORM.table} ON f.{_q('visit_id')} = v.{_q('id')}"
        f" WHERE v.{_q('subject_id')} = %s ORDER BY v.{_q('order')}, v.{_q('id')}, f.{_q('id')}",
        [subject.pk],
    ):
        if not visits or visits[-1].pk != row[0]:
            visit = _VISIT.build(row)
            assert visit is not None
            visits.append(visit)
            forms[visit.pk] = []
        form = _FORM.build(row, _VISIT.width)
        if form is not None:
            forms[visits[-1].pk].append(form)
    _prefetched(subject, "visits", visits)
    for visit in visits:
        _prefetched(visit, "forms", forms[visit.pk])

    consents: list[Consent] = []
    for row in _rows(
        f"SELECT {_CONSENT.columns}, {_OBTAINED_BY.columns}, {_ENTERED_BY.columns}"
        f" FROM {_CONSENT.table}"
        f" INNER JOIN {_OBTAINED_BY.table} ON c.{_q('obtained_by_id')} = ob.{_q('id')}"
        f" LEFT OUTER JOIN {_ENTERED_BY.table} ON c.{_q('entered_by_id')} = eb.{_q('id')}"
        f" WHERE c.{_q('subject_id')} = %s ORDER BY c.{_q('obtained_at')}, c.{_q('id')}",
        [subject.pk],
    ):
        consent = _CONSENT.build(row)
        assert consent is not None
        people = _CONSENT.width
        Consent._meta.get_field("obtained_by").set_cached_value(
            consent, _OBTAINED_BY.build(row, people)
        )
        Consent._meta.get_field("entered_by").set_cached_value(
            consent, _ENTERED_BY.build(row, people + _OBTAINED_BY.width)
        )
        consents.append(consent)
    _prefetched(subject, "consents", consents, _CONSENTS.queryset)

    signatures = [
        _SIGNATURE.build(row)
        for row in _rows(
            f"SELECT {_SIGNATURE.columns} FROM {_SIGNATURE.table}"
            f" WHERE g.{_q('subject_id')} = %s ORDER BY g.{_q('signed_at')}, g.{_q('id')}",
            [subject.pk],
        )
    ]
    _prefetched(subject, "signatures", signatures)


def read_adverse_events(subject: Subject) -> list[AdverseEvent]:
    """The subject's adverse events as ``adverse_events.adverse_events(subject, people=False)``
    reads them, each with its visit: the one `read_record` read (one statement)."""
    visits = {visit.pk: visit for visit in subject.visits.all()}
    field = AdverseEvent._meta.get_field("visit")
    events: list[AdverseEvent] = []
    for row in _rows(
        f"SELECT {_EVENT.columns} FROM {_EVENT.table}"
        f" WHERE e.{_q('subject_id')} = %s ORDER BY e.{_q('number')}",
        [subject.pk],
    ):
        event = _EVENT.build(row)
        assert event is not None
        # As select_related("visit") caches it: None between visits. A visit not among the
        # subject's (none is: `adverse_events._visit_of`) is left to be read when asked for.
        if event.visit_id is None:
            field.set_cached_value(event, None)
        elif event.visit_id in visits:
            field.set_cached_value(event, visits[event.visit_id])
        events.append(event)
    return events
