"""The trail replayed and compared with the record, so that a change behind the application shows.

Every change goes through the services, which write the trail; so replaying the trail's
field changes must give exactly what the tables hold. Whatever differs was changed around
the application (SQL, a database tool) and is reported by subject, form and field: every
form's latest version and the screening data, visit dates, consent, enrolment, signatures
(each active one re-checked against the digest of what it signed), locks and roles
(issue 14, finding 2; 21 CFR 11.10(e), 1997).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lupustrial.edc.accounts.models import StaffProfile
from lupustrial.edc.audit.models import Action, AuditEntry
from lupustrial.edc.audit.trail import decode_value, flatten
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.models import Consent, FormData, Subject, Visit
from lupustrial.edc.study.services import ENROLMENT_MEANING, signed_digest

_CHANGES = (Action.CREATE, Action.UPDATE)


@dataclass(frozen=True)
class Difference:
    """One place where the record and the replayed trail disagree."""

    subject: str
    form: str
    field: str
    record: Any
    trail: Any

    def line(self) -> str:
        where = " ".join(part for part in (self.subject, self.form, self.field) if part)
        return f"{where}: the record holds {self.record!r}, the trail says {self.trail!r}"


def _compare(
    found: list[Difference], subject: str, form: str, record: dict[str, Any], trail: dict[str, Any]
) -> None:
    record = {k: v for k, v in record.items() if v is not None}
    trail = {k: v for k, v in trail.items() if v is not None}
    for name in sorted(record.keys() | trail.keys()):
        if record.get(name) != trail.get(name):
            found.append(Difference(subject, form, name, record.get(name), trail.get(name)))


def _consent(values: dict[str, Any]) -> dict[str, Any]:
    """A consent as compared: its time as an instant (the trail may hold the site's offset)."""
    keep = ("form_version", "obtained_at", "obtained_by", "language")
    consent = {k: values.get(k) for k in keep}
    consent["obtained_at"] = dt.datetime.fromisoformat(str(values["obtained_at"]))
    return consent


def _entries() -> Iterable[AuditEntry]:
    return AuditEntry.objects.order_by("seq").only(
        "seq", "action", "subject", "subject_ref", "visit", "form", "field", "new_value"
    )


def reconcile() -> list[Difference]:
    """Replay the trail and list every difference from the record, by subject, form, field."""
    subjects = {s.pk: s for s in Subject.objects.all()}
    by_label = {s.label: s.pk for s in subjects.values()} | {
        s.screening_number: s.pk for s in subjects.values()
    }
    forms: dict[tuple[int, str, str], dict[str, Any]] = defaultdict(dict)
    screening: dict[int, dict[str, Any]] = defaultdict(dict)
    visit_dates: dict[tuple[int, str], Any] = {}
    consents: dict[int, list[dict[str, Any]]] = defaultdict(list)
    withdrawals: dict[tuple[int, str], Any] = {}
    enrolments: dict[int, Any] = {}
    signatures: dict[int, int] = defaultdict(int)
    form_locks: dict[tuple[int, str, str], bool] = {}
    casebook_locks: dict[int, tuple[int, bool]] = {}
    lock_seq: dict[tuple[int, str, str], int] = {}
    accounts: dict[tuple[str, str], Any] = {}

    for entry in _entries():
        ref = entry.subject_ref or by_label.get(entry.subject)
        new = decode_value(entry.new_value)
        if entry.form == "account" and entry.action in (Action.ROLE_CHANGE, Action.USER):
            username, _, name = entry.field.rpartition(".")
            if name in ("role", "sites", "active"):
                accounts[(username, name)] = new
            continue
        if ref is None:
            continue
        if entry.action in _CHANGES and entry.form in CRF_BY_CODE:
            forms[(ref, entry.visit, entry.form)][entry.field] = new
        elif entry.action in _CHANGES and entry.form == "screening":
            screening[ref][entry.field] = new
        elif entry.form == "visit" and entry.field == "date" and entry.action in _CHANGES:
            visit_dates[(ref, entry.visit)] = new
        elif entry.form == "consent" and entry.action == Action.CREATE:
            consents[ref].append(_consent(new))
        elif entry.form == "consent" and entry.field == "withdrawal":
            withdrawals[(ref, new["version"])] = {"on": new["on"], "scope": new["scope"]}
        elif entry.form == "enrolment" and entry.action == Action.CREATE:
            enrolments[ref] = new
        elif entry.form == "enrolment" and entry.action == Action.SIGN:
            signatures[ref] += new == ENROLMENT_MEANING
        elif entry.form == "enrolment" and entry.action == Action.SIGNATURE_VOID:
            signatures[ref] -= 1
        elif entry.action in (Action.LOCK, Action.UNLOCK):
            locked = entry.action == Action.LOCK
            if entry.form == "casebook":
                casebook_locks[ref] = (entry.seq, locked)
            else:
                form_locks[(ref, entry.visit, entry.form)] = locked
                lock_seq[(ref, entry.visit, entry.form)] = entry.seq

    found: list[Difference] = []
    for form in FormData.objects.select_related("visit"):
        ref, visit = form.visit.subject_id, form.visit.code
        label = subjects[ref].label
        key = (ref, visit, form.crf)
        _compare(found, label, f"{visit} {form.crf}", flatten(form.data), forms.pop(key, {}))
        casebook_seq, casebook_locked = casebook_locks.get(ref, (0, False))
        trail_locked = (
            form_locks.get(key, False) if lock_seq.get(key, 0) > casebook_seq else casebook_locked
        )
        if form.locked != trail_locked:
            found.append(
                Difference(label, f"{visit} {form.crf}", "locked", form.locked, trail_locked)
            )
    for (ref, visit, crf), fields in forms.items():
        if ref in subjects:
            _compare(found, subjects[ref].label, f"{visit} {crf}", {}, fields)

    for visit_row in Visit.objects.all():
        trail_date = visit_dates.get((visit_row.subject_id, visit_row.code))
        date = visit_row.date.isoformat() if visit_row.date else None
        if date != trail_date:
            label = subjects[visit_row.subject_id].label
            found.append(Difference(label, f"{visit_row.code} visit", "date", date, trail_date))

    consent_rows: dict[int, list[Consent]] = defaultdict(list)
    for row in Consent.objects.select_related("obtained_by").order_by("pk"):
        consent_rows[row.subject_id].append(row)
    for ref, subject in subjects.items():
        label = subject.label
        _compare(found, label, "screening", flatten(subject.screening or {}), screening[ref])
        held = [
            _consent(
                {
                    "form_version": c.form_version,
                    "obtained_at": c.obtained_at.isoformat(),
                    "obtained_by": c.obtained_by.get_username(),
                    "language": c.language,
                }
            )
            for c in consent_rows[ref]
        ]
        if held != consents[ref]:
            found.append(Difference(label, "consent", "", held, consents[ref]))
        for c in consent_rows[ref]:
            withdrawn = (
                {"on": c.withdrawn_on.isoformat(), "scope": c.withdrawal_scope}
                if c.withdrawn_on
                else None
            )
            if withdrawn != withdrawals.get((ref, c.form_version)):
                trail_withdrawn = withdrawals.get((ref, c.form_version))
                found.append(
                    Difference(
                        label, f"consent {c.form_version}", "withdrawal", withdrawn, trail_withdrawn
                    )
                )
        enrolment = enrolments.get(ref)
        enrolled = (
            {
                "subject_id": subject.subject_id,
                "first_infusion_date": subject.first_infusion_date.isoformat(),
                "enrolment_date": subject.enrolment_date.isoformat(),
            }
            if subject.subject_id and subject.first_infusion_date and subject.enrolment_date
            else None
        )
        trail_enrolled = (
            {k: enrolment[k] for k in ("subject_id", "first_infusion_date", "enrolment_date")}
            if enrolment
            else None
        )
        if enrolled != trail_enrolled:
            found.append(Difference(label, "enrolment", "", enrolled, trail_enrolled))
        if subject.casebook_locked != casebook_locks.get(ref, (0, False))[1]:
            found.append(
                Difference(
                    label,
                    "casebook",
                    "locked",
                    subject.casebook_locked,
                    casebook_locks.get(ref, (0, False))[1],
                )
            )
        active = list(subject.signatures.filter(voided_at__isnull=True))
        if len(active) != signatures[ref]:
            found.append(
                Difference(label, "enrolment", "active signatures", len(active), signatures[ref])
            )
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

    for profile in StaffProfile.objects.select_related("user").prefetch_related("sites"):
        username = profile.user.get_username()
        held_account = {
            "role": profile.role,
            "sites": sorted(s.code for s in profile.sites.all()),
            "active": profile.user.is_active,
        }
        for name, value in held_account.items():
            if (username, name) in accounts and accounts[(username, name)] != value:
                found.append(
                    Difference(
                        "", "account", f"{username}.{name}", value, accounts[(username, name)]
                    )
                )
            elif (username, name) not in accounts and name == "role":
                found.append(Difference("", "account", f"{username}.role", value, None))
    return found
