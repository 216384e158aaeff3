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

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, Prefetch, QuerySet

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.rows import PerConnection, Rows, build_side_by_side
from lupustrial.edc.statements import database
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

_SUBJECT = Rows(Subject, "s")
_SITE = Rows(Site, "t")
_IDENTITY = Rows(Identity, "i")
_VISIT = Rows(Visit, "v")
_FORM = Rows(FormData, "f")
_CONSENT = Rows(Consent, "c")
_OBTAINED_BY = Rows(get_user_model(), "ob")
_ENTERED_BY = Rows(get_user_model(), "eb")
_SIGNATURE = Rows(Signature, "g")
_EVENT = Rows(AdverseEvent, "e")
_CONSENTS = next(
    lookup
    for lookup in services.SUBJECT_RECORD
    if isinstance(lookup, Prefetch) and lookup.prefetch_to == "consents"
)


@dataclass(frozen=True)
class _Statements:
    subject: str
    subject_with_identity: str
    visits: str
    consents: str
    signatures: str
    events: str


def _write(db: BaseDatabaseWrapper) -> _Statements:
    q = db.ops.quote_name

    def select(*parts: Rows[Any]) -> str:
        return f"SELECT {', '.join(part.columns(db) for part in parts)}"

    site = f"INNER JOIN {_SITE.table(db)} ON s.{q('site_id')} = t.{q('id')}"
    identity = f"LEFT OUTER JOIN {_IDENTITY.table(db)} ON i.{q('subject_id')} = s.{q('id')}"
    return _Statements(
        subject=f"{select(_SUBJECT, _SITE)} FROM {_SUBJECT.table(db)} {site}"
        f" WHERE s.{q('id')} = %s",
        subject_with_identity=f"{select(_SUBJECT, _SITE, _IDENTITY)} FROM {_SUBJECT.table(db)}"
        f" {site} {identity} WHERE s.{q('id')} = %s",
        visits=f"{select(_VISIT, _FORM)} FROM {_VISIT.table(db)}"
        f" LEFT OUTER JOIN {_FORM.table(db)} ON f.{q('visit_id')} = v.{q('id')}"
        f" WHERE v.{q('subject_id')} = %s ORDER BY v.{q('order')}, v.{q('id')}, f.{q('id')}",
        consents=f"{select(_CONSENT, _OBTAINED_BY, _ENTERED_BY)} FROM {_CONSENT.table(db)}"
        f" INNER JOIN {_OBTAINED_BY.table(db)} ON c.{q('obtained_by_id')} = ob.{q('id')}"
        f" LEFT OUTER JOIN {_ENTERED_BY.table(db)} ON c.{q('entered_by_id')} = eb.{q('id')}"
        f" WHERE c.{q('subject_id')} = %s ORDER BY c.{q('obtained_at')}, c.{q('id')}",
        signatures=f"{select(_SIGNATURE)} FROM {_SIGNATURE.table(db)}"
        f" WHERE g.{q('subject_id')} = %s ORDER BY g.{q('signed_at')}, g.{q('id')}",
        events=f"{select(_EVENT)} FROM {_EVENT.table(db)}"
        f" WHERE e.{q('subject_id')} = %s ORDER BY e.{q('number')}",
    )


_WRITTEN = PerConnection(_write)


def _statements() -> tuple[BaseDatabaseWrapper, _Statements]:
    """This thread's connection to the database the pages read (the default one) and the
    statements written for it (once per connection)."""
    db = database()
    return db, _WRITTEN(db)


def _rows(db: BaseDatabaseWrapper, sql: str, pk: int) -> list[tuple[Any, ...]]:
    with db.cursor() as cursor:
        cursor.execute(sql, [pk])
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def read_subject(pk: int, *, identity: bool) -> Subject | None:
    """The subject with its site, and its identity if ``identity`` (None for a subject
    without one), as ``Subject.objects.select_related("site"[, "identity"]).get(pk=pk)``;
    None if there is no such subject."""
    db, sql = _statements()
    rows = _rows(db, sql.subject_with_identity if identity else sql.subject, pk)
    if not rows:
        return None
    parts = (_SUBJECT, _SITE, _IDENTITY) if identity else (_SUBJECT, _SITE)
    subject, site, *found_identity = build_side_by_side(db, rows[0], parts)
    assert isinstance(subject, Subject)
    assert site is not None
    Subject._meta.get_field("site").set_cached_value(subject, site)
    if identity:
        found = found_identity[0]
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
    # Private attributes prefetch_related sets, which the stubs do not declare.
    queryset._prefetch_done = True  # type: ignore[union-attr]
    field = manager.field
    for row in rows:
        field.set_cached_value(row, owner)
    # The model's prefetch cache: private to Django too, undeclared in the stubs.
    if not hasattr(owner, "_prefetched_objects_cache"):
        owner._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    owner._prefetched_objects_cache[relation] = queryset  # type: ignore[attr-defined]


def read_record(subject: Subject) -> None:
    """The subject's visits with their forms, consents with who obtained and entered each,
    and signatures, read onto ``subject`` as ``prefetch_related_objects([subject],
    *services.SUBJECT_RECORD)`` reads them (three statements)."""
    db, sql = _statements()
    visits: list[Visit] = []
    forms: dict[int, list[FormData]] = {}
    for row in _rows(db, sql.visits, subject.pk):
        if not visits or visits[-1].pk != row[_VISIT.pk_position]:
            visit = _VISIT.build(db, row)
            assert visit is not None
            visits.append(visit)
            forms[visit.pk] = []
        form = _FORM.build(db, row, _VISIT.width)
        if form is not None:
            forms[visits[-1].pk].append(form)
    _prefetched(subject, "visits", visits)
    for visit in visits:
        _prefetched(visit, "forms", forms[visit.pk])

    consents: list[Consent] = []
    for row in _rows(db, sql.consents, subject.pk):
        consent, obtained_by, entered_by = build_side_by_side(
            db, row, (_CONSENT, _OBTAINED_BY, _ENTERED_BY)
        )
        assert isinstance(consent, Consent)
        Consent._meta.get_field("obtained_by").set_cached_value(consent, obtained_by)
        Consent._meta.get_field("entered_by").set_cached_value(consent, entered_by)
        consents.append(consent)
    _prefetched(subject, "consents", consents, _CONSENTS.queryset)

    signatures = [_SIGNATURE.build(db, row) for row in _rows(db, sql.signatures, subject.pk)]
    _prefetched(subject, "signatures", signatures)


def read_adverse_events(subject: Subject) -> list[AdverseEvent]:
    """The subject's adverse events as ``adverse_events.adverse_events(subject, people=False)``
    reads them, each with its visit: the one `read_record` read (one statement)."""
    db, sql = _statements()
    visits = {visit.pk: visit for visit in subject.visits.all()}
    field = AdverseEvent._meta.get_field("visit")
    events: list[AdverseEvent] = []
    for row in _rows(db, sql.events, subject.pk):
        event = _EVENT.build(db, row)
        assert event is not None
        # As select_related("visit") caches it: None between visits. A visit not among the
        # subject's (none is: `adverse_events._visit_of`) is left to be read when asked for.
        if event.visit_id is None:
            field.set_cached_value(event, None)
        elif event.visit_id in visits:
            field.set_cached_value(event, visits[event.visit_id])
        events.append(event)
    return events
