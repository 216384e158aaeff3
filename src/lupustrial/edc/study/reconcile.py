"""The study's tables compared with the replayed trail: a change behind the application shows.

Every change goes through the services, which write the trail; so replaying the trail's
field changes must give exactly what the tables hold. Whatever differs was changed around
the application (SQL, a database tool) and is reported by subject, form and field: the
subject's registration, identity, status and end of participation, every form's latest
version and its source-data verification, the screening data, visits (dates, missed visits,
the planned schedule), consents, enrolment, signatures (each active one re-checked against
the digest of what it signed), locks and queries (issue 14, finding 2; 21 CFR 11.10(e), 1997).
`edc.reconciliation` runs it with the other apps' comparisons.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model

from lupustrial.edc.audit.keys import keyring
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.replay import Difference, Event, compare
from lupustrial.edc.audit.trail import flatten
from lupustrial.edc.study.crfs import CRF_BY_CODE, RETIRED_CRFS
from lupustrial.edc.study.models import (
    AdverseEvent,
    Consent,
    FormData,
    Identity,
    Query,
    RecordKind,
    RecordVersion,
    Signature,
    Subject,
    Visit,
)
from lupustrial.edc.study.not_done import FIELD as NOT_DONE_FIELD
from lupustrial.edc.study.services import ENROLMENT_MEANING, identity_seal, signed_digest
from lupustrial.protocol.schedule import VISIT_BY_CODE

COVERS: tuple[type[Model], ...] = (
    Subject, Identity, Consent, Signature, Visit, FormData, Query, AdverseEvent, RecordVersion,
)  # fmt: skip
"""The tables this module compares with the trail (the coverage test reads it)."""

_CHANGES = (Action.CREATE, Action.UPDATE)


def _consent(values: Mapping[str, Any]) -> dict[str, Any]:
    """A consent as compared: its time as an instant (the trail may hold the site's offset)."""
    keep = ("form_version", "obtained_at", "obtained_by", "language")
    consent = {k: values.get(k) for k in keep}
    consent["obtained_at"] = dt.datetime.fromisoformat(str(values["obtained_at"]))
    return consent


def _instant(text: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(str(text)) if text else None


def _verification(by: Any, at: dt.datetime | None) -> dict[str, Any]:
    """A record's source-data verification as compared: who and when, or nothing."""
    return {"verified_by": by.get_username(), "verified_at": at} if by and at else {}


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


class _Replay:
    """The study's state as the trail tells it, entry by entry."""

    def __init__(self) -> None:
        self.forms: dict[tuple[int, str, str], dict[str, Any]] = defaultdict(dict)
        self.verified: dict[tuple[int, str, str], dict[str, Any] | None] = {}
        # A form's not-done declaration: its reason, None when undone (`not_done.py`).
        self.not_done: dict[tuple[int, str, str], Any] = {}
        self.screening: dict[int, dict[str, Any]] = defaultdict(dict)
        self.subjects: dict[int, dict[str, Any]] = defaultdict(dict)
        self.identities: dict[int, str] = {}
        self.visits: dict[tuple[int, str], dict[str, Any]] = defaultdict(dict)
        self.consents: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.withdrawals: dict[tuple[int, str], Any] = {}
        self.enrolments: dict[int, Any] = {}
        self.signatures: dict[int, int] = defaultdict(int)
        self.form_locks: dict[tuple[int, str, str], tuple[int, bool]] = {}
        self.casebook_locks: dict[int, tuple[int, bool]] = {}
        self.queries: dict[int, dict[str, Any]] = {}
        # Query entries from before they named the query: matched in order, by form field.
        self.unnamed_queries: dict[tuple[int, str, str, str], list[dict[str, Any]]] = defaultdict(
            list
        )

        self.adverse_events: dict[tuple[int, str], dict[str, Any]] = defaultdict(dict)
        self.events_verified: dict[tuple[int, str], dict[str, Any] | None] = {}
        # Each versioned record's field changes in trail order: (seq, field, new value).
        self.changes: dict[tuple[Any, ...], list[tuple[int, str, Any]]] = defaultdict(list)

    def read(self, event: Event) -> None:
        ref, new, form = event.ref, event.new, event.form
        if ref is None:
            return
        key = (ref, event.visit, form)
        if event.action in _CHANGES and form in CRF_BY_CODE and event.field == NOT_DONE_FIELD:
            self.not_done[key] = new  # the form's status, not a value of its content
        elif event.action in _CHANGES and (form in CRF_BY_CODE or form in RETIRED_CRFS):
            self.forms[key][event.field] = new
            self.changes[(RecordKind.FORM, ref, event.visit, form)].append(
                (event.seq, event.field, new)
            )
        elif event.action in _CHANGES and form == ADVERSE_EVENT_FORM:
            label, _, field = event.field.partition(".")
            self.adverse_events[(ref, label)][field] = new
            self.changes[(RecordKind.ADVERSE_EVENT, ref, label)].append((event.seq, field, new))
        elif event.action in (Action.VERIFY, Action.UNVERIFY) and form == ADVERSE_EVENT_FORM:
            self.events_verified[(ref, event.field)] = (
                {"verified_by": event.actor, "verified_at": (new or {}).get("at")}
                if event.action == Action.VERIFY
                else None
            )
        elif event.action == Action.VERIFY:
            self.verified[key] = {"verified_by": event.actor, "verified_at": (new or {}).get("at")}
        elif event.action == Action.UNVERIFY:
            self.verified[key] = None
        elif event.action == Action.QUERY:
            self._query(event)
        elif event.action in _CHANGES and form == "screening":
            self.screening[ref][event.field] = new
        elif form == "registration" and event.action == Action.CREATE:
            self.subjects[ref] |= {"status": "screening", "site": new["site"]}
            if "identity" in new:
                self.identities[ref] = new["identity"]
        elif form == "screen_failure":
            self.subjects[ref] |= {
                "status": new["status"],
                "screen_failure_reasons": new["criteria"],
            }
            if "note" in new:
                self.subjects[ref]["screen_failure_note"] = new["note"]
        elif form == "end_of_study":
            on = "withdrawn_on" if new["status"] == "withdrawn" else "completed_on"
            self.subjects[ref] |= {"status": new["status"], on: new["on"]}
            if new["status"] == "withdrawn":
                self.subjects[ref]["withdrawal_reason"] = event.reason
        elif form == "visit" and event.field == "date" and event.action in _CHANGES:
            self.visits[(ref, event.visit)] |= {"date": new, "status": "done"}
        elif form == "visit" and event.field == "status":
            self.visits[(ref, event.visit)] |= {"status": new, "missed_reason": event.reason}
        elif form == "consent" and event.action == Action.CREATE:
            self.consents[ref].append(_consent(new))
        elif form == "consent" and event.field == "withdrawal":
            self.withdrawals[(ref, new["version"])] = {"on": new["on"], "scope": new["scope"]}
        elif form == "enrolment" and event.action == Action.CREATE:
            self.enrolments[ref] = new
            self.subjects[ref]["status"] = "enrolled"
        elif form == "enrolment" and event.action == Action.SIGN:
            self.signatures[ref] += new == ENROLMENT_MEANING
        elif form == "enrolment" and event.action == Action.SIGNATURE_VOID:
            self.signatures[ref] -= 1
        elif event.action in (Action.LOCK, Action.UNLOCK):
            locked = (event.seq, event.action == Action.LOCK)
            if form == "casebook":
                self.casebook_locks[ref] = locked
            else:
                self.form_locks[key] = locked

    def _query(self, event: Event) -> None:
        new = dict(event.new or {})
        number = new.pop("query", None)
        status = new["status"]
        query: dict[str, Any] | None
        if status == "open":
            query = {
                "field": event.field,
                "text": new.get("text"),
                "status": "open",
                "raised_by": event.actor,
                "where": (event.ref, event.visit, event.form),
            }
            where = (event.ref or 0, event.visit, event.form, event.field)
            if number is not None:
                self.queries[number] = query
            else:
                self.unnamed_queries[where].append(query)
            return
        if number is not None:
            query = self.queries.get(number)
        else:  # the first on that field that could take this step
            pending = self.unnamed_queries[(event.ref or 0, event.visit, event.form, event.field)]
            steps = ("open",) if status == "answered" else ("open", "answered")
            query = next((q for q in pending if q["status"] in steps), None)
        if query is not None:
            query["status"] = status
            if "answer" in new:
                query["answer"] = new["answer"]

    def locked(self, key: tuple[int, str, str]) -> bool:
        form_seq, form_locked = self.form_locks.get(key, (0, False))
        casebook_seq, casebook_locked = self.casebook_locks.get(key[0], (0, False))
        return form_locked if form_seq > casebook_seq else casebook_locked


def reconcile(events: Sequence[Event], labels: Mapping[int, str]) -> list[Difference]:
    """Every difference between the study's tables and the replayed trail."""
    trail = _Replay()
    for event in events:
        trail.read(event)
    found: list[Difference] = []
    _forms(found, trail, labels)
    _queries(found, trail, labels)
    _visits(found, trail, labels)
    _subjects(found, trail, labels)
    _adverse_events(found, trail, labels)
    _versions(found, trail)
    return found


ADVERSE_EVENT_FORM = "adverse_event"
"""The trail's form of adverse events (`adverse_events.AUDIT_FORM`); fields are AE-NNN.<field>."""


def _adverse_events(found: list[Difference], trail: _Replay, labels: Mapping[int, str]) -> None:
    """Each event's content as the trail tells it. An event carried over from the visits' old
    adverse events forms by migration study 0003 has no entry of its own for what it held
    then: its account starts from the last carried-over version, and the trail's entries
    after it apply on top."""
    carried: dict[int, dict[str, Any]] = {}
    for row in RecordVersion.objects.filter(kind=RecordKind.ADVERSE_EVENT, migrated=True).order_by(
        "record_id", "number"
    ):
        carried[row.record_id] = row.data
    for event in AdverseEvent.objects.select_related("verified_by"):
        ref = event.subject_id
        said = flatten(carried.get(event.pk, {})) | trail.adverse_events.pop((ref, event.label), {})
        compare(found, labels[ref], event.label, flatten(event.data), said)
        verified = trail.events_verified.get((ref, event.label))
        compare(
            found,
            labels[ref],
            f"{event.label} verification",
            _verification(event.verified_by, event.verified_at),
            {**verified, "verified_at": _instant(verified["verified_at"])} if verified else {},
        )
    for (ref, label), fields in trail.adverse_events.items():
        if ref in labels:
            compare(found, labels[ref], label, {}, fields)


def _versions(found: list[Difference], trail: _Replay) -> None:
    """Every stored version (`versions.py`) is what the trail says the record held after that
    change: the trail's entries from the version's first entry (``audit_seq``) up to the next
    version's, applied on top of the versions before. A version carried over by migration
    study 0003 has no entries of its own: it is where the trail's account starts. The latest
    version is the record as it stands."""
    stored: dict[tuple[str, int], list[RecordVersion]] = defaultdict(list)
    for row in RecordVersion.objects.order_by("kind", "record_id", "number"):
        stored[(row.kind, row.record_id)].append(row)
    records: list[tuple[RecordKind, Any, str, tuple[Any, ...]]] = []
    for form in FormData.objects.select_related("visit__subject"):
        key: tuple[Any, ...] = (RecordKind.FORM, form.visit.subject_id, form.visit.code, form.crf)
        records.append((RecordKind.FORM, form, f"{form.visit.code} {form.crf}", key))
    for event in AdverseEvent.objects.select_related("subject"):
        key = (RecordKind.ADVERSE_EVENT, event.subject_id, event.label)
        records.append((RecordKind.ADVERSE_EVENT, event, event.label, key))
    for kind, record, where, key in records:
        subject = record.visit.subject if kind == RecordKind.FORM else record.subject
        versions = stored.get((kind, record.pk), [])
        latest = versions[-1] if versions else None
        held = {"version": record.version, **flatten(record.data)}
        kept = {"version": latest.number, **flatten(latest.data)} if latest else {}
        compare(found, subject.label, f"{where} stored version", held, kept)
        changes = trail.changes.get(key, [])
        state: dict[str, Any] = {}
        applied = 0
        for index, version in enumerate(versions):
            later = [v.audit_seq for v in versions[index + 1 :] if v.audit_seq is not None]
            bound = later[0] if later else None
            while applied < len(changes) and (bound is None or changes[applied][0] < bound):
                _, field, new = changes[applied]
                state[field] = new
                applied += 1
            if version.migrated:
                state = flatten(version.data)
                continue
            compare(
                found, subject.label, f"{where} version {version.number}", flatten(version.data),
                state,
            )  # fmt: skip


def _forms(found: list[Difference], trail: _Replay, labels: Mapping[int, str]) -> None:
    forms = FormData.objects.select_related("visit", "verified_by")
    for form in forms:
        ref, visit = form.visit.subject_id, form.visit.code
        label, where = labels[ref], f"{visit} {form.crf}"
        key = (ref, visit, form.crf)
        compare(found, label, where, flatten(form.data), trail.forms.pop(key, {}))
        if form.locked != trail.locked(key):
            found.append(Difference(label, where, "locked", form.locked, trail.locked(key)))
        said_not_done = {NOT_DONE_FIELD: trail.not_done.pop(key, None)}
        compare(found, label, where, {NOT_DONE_FIELD: form.not_done_reason}, said_not_done)
        said = trail.verified.get(key) or {}
        held = (
            {"verified_by": form.verified_by.get_username(), "verified_at": form.verified_at}
            if form.verified_by is not None and form.verified_at is not None
            else {}
        )
        said = {**said, "verified_at": _instant(said.get("verified_at"))}
        if said["verified_at"] is None:  # entries from before the time was kept
            held.pop("verified_at", None)
        compare(found, label, f"{where} verification", held, said)
    for (ref, visit, crf), fields in trail.forms.items():
        if ref in labels:
            compare(found, labels[ref], f"{visit} {crf}", {}, fields)
    for (ref, visit, crf), reason in trail.not_done.items():  # a form row gone
        if ref in labels:
            compare(found, labels[ref], f"{visit} {crf}", {}, {NOT_DONE_FIELD: reason})


def _queries(found: list[Difference], trail: _Replay, labels: Mapping[int, str]) -> None:
    unnamed = {key: list(queries) for key, queries in trail.unnamed_queries.items()}
    rows = Query.objects.select_related("form__visit", "raised_by").order_by("pk")
    for query in rows:
        ref, visit, crf = query.form.visit.subject_id, query.form.visit.code, query.form.crf
        said = trail.queries.pop(query.pk, None)
        if said is None and unnamed.get((ref, visit, crf, query.field)):
            said = unnamed[(ref, visit, crf, query.field)].pop(0)
        held = {
            "where": (ref, visit, crf),
            "field": query.field,
            "text": query.text,
            "status": query.status,
            "answer": query.answer,
            "raised_by": query.raised_by.get_username(),
        }
        compare(found, labels[ref], f"{visit} {crf} query {query.pk}", held, said or {})
    left = [(n, q) for n, q in trail.queries.items()] + [
        (0, q) for queries in unnamed.values() for q in queries
    ]
    for number, entry in left:
        ref, visit, crf = entry["where"]
        name = f"query {number}" if number else "query"
        compare(found, labels.get(ref, ""), f"{visit} {crf} {name}", {}, entry)


def _visits(found: list[Difference], trail: _Replay, labels: Mapping[int, str]) -> None:
    first_infusion = {
        ref: dt.date.fromisoformat(enrolment["first_infusion_date"])
        for ref, enrolment in trail.enrolments.items()
    }
    for visit in Visit.objects.all():
        ref = visit.subject_id
        said = dict(trail.visits.get((ref, visit.code), {}))
        said.setdefault("status", "planned")
        held: dict[str, Any] = {
            "date": _day(visit.date),
            "status": visit.status,
            "missed_reason": visit.missed_reason,
        }
        definition = VISIT_BY_CODE.get(visit.code)
        if visit.planned_date is not None or definition is not None:
            # The schedule follows from the first infusion (protocol.schedule), nothing else.
            held |= {
                "planned_date": _day(visit.planned_date),
                "window": (_day(visit.window_start), _day(visit.window_end)),
            }
            first = first_infusion.get(ref)
            if definition is not None and first is not None:
                start, end = definition.window(first)
                said |= {
                    "planned_date": _day(definition.planned_date(first)),
                    "window": (_day(start), _day(end)),
                }
        compare(found, labels[ref], f"{visit.code} visit", held, said)


def _subjects(found: list[Difference], trail: _Replay, labels: Mapping[int, str]) -> None:
    consent_rows: dict[int, list[Consent]] = defaultdict(list)
    for row in Consent.objects.select_related("obtained_by").order_by("pk"):
        consent_rows[row.subject_id].append(row)
    identities = {i.subject_id: i for i in Identity.objects.all()}
    known = set(keyring())
    active_signatures: dict[int, list[Signature]] = defaultdict(list)
    for signature in Signature.objects.filter(voided_at__isnull=True):
        active_signatures[signature.subject_id].append(signature)
    for subject in Subject.objects.select_related("site"):
        ref, label = subject.pk, subject.label
        compare(found, label, "screening", flatten(subject.screening or {}), trail.screening[ref])
        said = dict(trail.subjects.get(ref, {}))
        held = {
            "status": subject.status,
            "site": subject.site.code,
            "screen_failure_reasons": subject.screen_failure_reasons,
            "screen_failure_note": subject.screen_failure_note,
            "withdrawn_on": _day(subject.withdrawn_on),
            "withdrawal_reason": subject.withdrawal_reason,
            "completed_on": _day(subject.completed_on),
        }
        if subject.status == "screen_failed" and "screen_failure_note" not in said:
            held.pop("screen_failure_note")  # entries from before the note was kept
        compare(found, label, "subject", held, said)
        _identity(found, label, identities.get(ref), trail.identities.get(ref), known)
        _consents(found, subject, consent_rows[ref], trail)
        _enrolment(found, subject, trail)
        if subject.casebook_locked != trail.casebook_locks.get(ref, (0, False))[1]:
            found.append(
                Difference(
                    label,
                    "casebook",
                    "locked",
                    subject.casebook_locked,
                    trail.casebook_locks.get(ref, (0, False))[1],
                )
            )
        _signatures(found, subject, active_signatures[ref], trail.signatures[ref])


def _identity(
    found: list[Difference], label: str, row: Identity | None, seal: str | None, known: set[str]
) -> None:
    if seal is None:  # registered before the trail kept the identity's seal
        return
    key_id, _, _mac = seal.partition(":")
    if key_id not in known:
        return  # a lost key: the chain's check names every entry it sealed
    held = identity_seal(row.name, row.medical_record_number, key_id) if row else None
    if held != seal:
        found.append(
            Difference(
                label,
                "identity",
                "name or medical record number",
                "not what was registered" if row else None,
                "as registered",
            )
        )


def _consents(
    found: list[Difference], subject: Subject, rows: list[Consent], trail: _Replay
) -> None:
    ref, label = subject.pk, subject.label
    held = [
        _consent(
            {
                "form_version": c.form_version,
                "obtained_at": c.obtained_at.isoformat(),
                "obtained_by": c.obtained_by.get_username(),
                "language": c.language,
            }
        )
        for c in rows
    ]
    if held != trail.consents[ref]:
        found.append(Difference(label, "consent", "", held, trail.consents[ref]))
    for c in rows:
        withdrawn = (
            {"on": c.withdrawn_on.isoformat(), "scope": c.withdrawal_scope}
            if c.withdrawn_on
            else None
        )
        said = trail.withdrawals.get((ref, c.form_version))
        if withdrawn != said:
            found.append(
                Difference(label, f"consent {c.form_version}", "withdrawal", withdrawn, said)
            )


def _enrolment(found: list[Difference], subject: Subject, trail: _Replay) -> None:
    enrolment = trail.enrolments.get(subject.pk)
    enrolled = (
        {
            "subject_id": subject.subject_id,
            "first_infusion_date": subject.first_infusion_date.isoformat(),
            "enrolment_date": subject.enrolment_date.isoformat(),
        }
        if subject.subject_id and subject.first_infusion_date and subject.enrolment_date
        else None
    )
    said = (
        {k: enrolment[k] for k in ("subject_id", "first_infusion_date", "enrolment_date")}
        if enrolment
        else None
    )
    if enrolled != said:
        found.append(Difference(subject.label, "enrolment", "", enrolled, said))


def _signatures(
    found: list[Difference], subject: Subject, active: list[Signature], count: int
) -> None:
    label = subject.label
    if len(active) != count:
        found.append(Difference(label, "enrolment", "active signatures", len(active), count))
    digest = signed_digest(subject) if active else ""
    for signature in active:
        if signature.signed_digest != digest:
            found.append(
                Difference(
                    label,
                    "enrolment",
                    f"signature of {signature.signed_at:%Y-%m-%d %H:%M}",
                    "does not cover the data as they are now",
                    "signed over other data",
                )
            )
