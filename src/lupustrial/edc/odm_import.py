"""`lupustrial import odm`: a study's ODM 1.3.2 file replayed into an empty instance (issue 20).

The file (`lupustrial export odm`) is the audit trail in order. Each change is replayed by
calling the service that made it (`study.services`, `study.adverse_events`,
`pharmacy.services`, and one module per area: `odm_deviations`, `odm_safety` for the safety
reports, `odm_monitoring` for the monitoring log) as its original actor,
inside the import context (`audit.imports`): the services check their rules and write the one
audit trail as they always do, and the writer stamps each entry with the original time and
with who imported it under which import id.

- Sites and accounts are replayed in sequence like the rest (`_Importer.administration`):
  a site created, renamed or moved to another time zone, an account created with the role
  and sites of its first entries, then given another role, other sites, another name,
  deactivated, at the time each change was made, by whoever made it, through
  `accounts.services`; so each change is checked against the role its actor had then. Every
  account is an **inactive account without a password**, whatever the file says, all
  through the import: the person is not here to sign in; an account because every imported
  change must name its real actor. The file's status and password entries are recorded as
  the original system's history (`imports.ImportRun.statuses`), and at the end the importer
  records each account as it is here: inactive, password sign-in disabled.
- The enrolment signature cannot be given again without its signer: the file's Signature
  (signer, time, meaning) is kept as an imported signature (`services._imported_signature`).
- What the services write by themselves (a query on a value outside its soft limits, a
  signature voided by a correction, a verification withdrawn by a new version) is written
  again by the replayed change, so the file's copy of it is not replayed; downloads and
  failed signings are not changes to the record and are not replayed either.
- Anything else the file holds that has no replay yet stops the import, naming the trail
  entry, and nothing is kept (one transaction): nothing is silently dropped. So does a
  change a service refuses here (its rule no longer allows it, or the file was altered):
  one line naming the entry and the service's reason.

Identity (names, medical record numbers) is not in the file (the trail keeps only its seal):
imported candidates have a blank identity, to be entered from the site's identification log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from lupustrial.edc import odm_deviations, odm_monitoring, odm_safety
from lupustrial.edc.accounts import services as accounts
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.verification import verify
from lupustrial.edc.deviations.services import DeviationInputError
from lupustrial.edc.monitoring.services import MonitoringInputError
from lupustrial.edc.pharmacy import services as pharmacy
from lupustrial.edc.pharmacy.models import DrugLot
from lupustrial.edc.safety.services import SafetyInputError
from lupustrial.edc.study import adverse_events, not_done, services
from lupustrial.edc.study.models import FormData, Query, Subject, SubjectStatus
from lupustrial.interop.odm.reader import NS, Replay, Step, read
from lupustrial.interop.odm.schema import schema_errors
from lupustrial.interop.odm.writer import RECORD_SEPARATOR

Progress = Callable[[str], None]

SET_UP_FORMS = ("site", "account")
"""Study-level entries about sites and accounts, replayed in sequence
(`_Importer.administration`)."""
_REPLAY_ERRORS = (
    odm_deviations.DeviationReplayError,
    odm_safety.SafetyReplayError,
    odm_monitoring.MonitoringReplayError,
)
_SERVICE_REFUSALS = (
    services.NotAllowedError,
    services.ConflictError,
    services.RuleError,
    accounts.AdministrationError,
    DeviationInputError,
    MonitoringInputError,
    pharmacy.ProductInputError,
    SafetyInputError,
)
"""What the services raise when they refuse a change: a replayed change they refuse stops
the import in one line (`_Importer.run`), not with a traceback."""


class ImportRefusedError(Exception):
    """The file cannot be imported here; nothing was kept."""


@dataclass
class Imported:
    """What an import did: its id, what it replayed and what it left to the services."""

    import_id: str
    sha256: str
    changes: int = 0  # replayed saves, signatures and notes
    entries: int = 0  # trail entries written
    subjects: int = 0
    accounts: list[str] = field(default_factory=list)
    not_replayed: dict[str, int] = field(default_factory=dict)  # why → how many


def check_file(data: bytes) -> None:
    """Refuse a file that is not ODM 1.3.2 or that breaks its schema, in one line."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ImportRefusedError(f"not an XML document ({error})") from None
    if root.tag != "{http://www.cdisc.org/ns/odm/v1.3}ODM":
        raise ImportRefusedError("not a CDISC ODM document (its root element is not ODM 1.3)")
    version = root.get("ODMVersion", "")
    if version != "1.3.2":
        raise ImportRefusedError(f"not ODM 1.3.2 (ODMVersion is {version or 'not given'})")
    errors = schema_errors(data, limit=1)
    if errors:
        raise ImportRefusedError(f"the file breaks the ODM 1.3.2 schema: {errors[0]}")


def import_id_of(data: bytes, at: dt.datetime) -> tuple[str, str]:
    """The import's id (time and the file's digest: readable, and unique per file and run)."""
    digest = hashlib.sha256(data).hexdigest()
    return f"odm-{at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{digest[:12]}", digest


def _instant(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def _seq_of(source: str) -> int:
    """The trail entry's number from an AuditRecord's SourceID ("audit 42 <hash> ...")."""
    parts = source.split()
    if len(parts) < 3 or parts[0] != "audit" or not parts[1].isdigit():
        raise ImportRefusedError(f"an AuditRecord's SourceID does not name its entry: {source!r}")
    return int(parts[1])


def _visit_in_source(source: str) -> str:
    """The visit an adverse event's version was entered at ("... at visit W4"), or ""."""
    _, found, visit = source.partition(" at visit ")
    return visit.strip() if found else ""


@dataclass(frozen=True)
class _Operation:
    seq: int
    step: Step | None = None  # a SubjectData
    note: dict[str, Any] | None = None  # a study-level annotation


def _operations(replay: Replay) -> Iterator[_Operation]:
    """The file's SubjectData and study-level notes in the trail's order."""
    ordered: list[_Operation] = []
    for step in replay.steps:
        if step.changes:
            seq = _seq_of(step.changes[0].source)
        elif step.signature is not None:
            seq = int(step.signature["id"].removeprefix("SG."))
        else:
            seq = int(json.loads(step.notes[0])["seq"])
        ordered.append(_Operation(seq, step=step))
    for text in replay.study_notes:
        note = json.loads(text)
        ordered.append(_Operation(int(note["seq"]), note=note))
    return iter(sorted(ordered, key=lambda op: op.seq))


class _Importer:
    """The replay of one file, inside one transaction and one import context."""

    def __init__(self, replay: Replay, root: ET.Element, importer: str, result: Imported):
        self.replay, self.root, self.importer, self.result = replay, root, importer, result
        self.users: dict[str, Any] = {}
        self.sites: dict[str, Site] = {}  # the file's site numbers → the sites here
        self.signatures: dict[str, imports.ImportedSignature] = {}
        self.queries: dict[int, Query] = {}  # the file's query number → the query here
        self.monitoring = odm_monitoring.Log()  # the file's monitoring visits → the ones here
        self.ahead: deque[_Operation] = deque()  # the operations not replayed yet

    # -- sites and accounts ---------------------------------------------------------------------

    def set_up(self) -> None:
        """Refuse a file that does not give each of its sites a time zone (every date at a
        site is its local date); the sites and accounts are made by replaying their entries."""
        sites = _sites(self.replay)
        for location in self.root.iterfind(".//odm:AdminData/odm:Location", NS):
            oid = location.get("OID", "")
            if location.get("LocationType") != "Site" or not oid.startswith("LOC."):
                continue
            code = oid.removeprefix("LOC.")
            if not sites.get(code, {}).get("time_zone"):
                raise ImportRefusedError(f"the file does not give site {code}'s time zone")

    def administration(self, note: dict[str, Any]) -> None:
        """A site's or an account's change: its entries (one per field, written by one call of
        the service) replayed by one call of `accounts.services`, as its original actor at its
        time; a password event alone."""
        notes = [note]
        owner, _, name = str(note["field"]).rpartition(".")
        if note["form"] == "account" and name == "credential":
            # A stored password's fingerprint under the original's audit key (exports leave
            # them out): it proves nothing here, where the account has no password; closing
            # the account records its own (`close_imported_account`).
            return
        following = self.ahead[0].note if self.ahead else None
        while name != "password" and following is not None and _same_change(note, following):
            notes.append(following)
            self.take_next()
            following = self.ahead[0].note if self.ahead else None
        values = {str(n["field"]).rpartition(".")[2]: n["new"] for n in notes}
        actor, reason = self.administrator(note["actor"]), str(note["reason"])
        with imports.original(_instant(note["at"])):
            if note["form"] == "site":
                self.site_change(actor, owner, values, reason, note)
            else:
                self.account_change(actor, owner, values, reason, note)

    def administrator(self, login: str) -> Any:
        """Who made an administrative change: an account replayed so far, else the operator
        at the original's host (`lupustrial web add-user`, a loader), named as the file does."""
        login = login.removeprefix("USR.")
        return self.users.get(login, login)

    def site_change(
        self, actor: Any, number: str, values: dict[str, Any], reason: str, note: dict[str, Any]
    ) -> None:
        site = self.sites.get(number)
        if site is None:
            if not values.get("code"):
                raise ImportRefusedError(
                    f"audit entry {note['seq']}: site {number} is changed before it is created"
                )
            code = str(values["code"])
            self.sites[number] = accounts.create_site(
                actor,
                code,
                str(values.get("name") or code),
                reason,
                time_zone=str(values.get("time_zone") or ""),
            )
        elif "code" in values:
            raise ImportRefusedError(
                f"audit entry {note['seq']}: a site's code changed ({site.code} to "
                f"{values['code']}) has no import yet"
            )
        else:
            accounts.change_site(
                actor,
                site,
                reason,
                name=values.get("name"),
                time_zone=str(values.get("time_zone") or ""),
            )

    def account_change(
        self, actor: Any, login: str, values: dict[str, Any], reason: str, note: dict[str, Any]
    ) -> None:
        user = self.users.get(login)
        if "password" in values:
            if user is None:
                raise ImportRefusedError(
                    f"audit entry {note['seq']}: a password of {login!r}, who has no account"
                )
            accounts.replay_password_entry(actor, user, str(values["password"]), reason)
        elif user is None:
            if not values.get("role"):
                raise ImportRefusedError(
                    f"audit entry {note['seq']}: the account {login!r} is created with no role"
                )
            self.users[login] = accounts.create_inactive_account(
                actor,
                login,
                str(values["role"]),
                [str(code) for code in values.get("sites") or []],
                reason,
                full_name=str(values.get("name") or ""),
                active=bool(values.get("active", True)),
                email=str(values.get("email") or ""),
            )
            self.result.accounts.append(login)
        else:
            sites = values.get("sites")
            accounts.change_account(
                actor,
                user,
                reason,
                role=values.get("role"),
                sites=[str(code) for code in sites] if sites is not None else None,
                active=values.get("active"),
                full_name=values.get("name"),
                email=values.get("email"),
            )

    def close_accounts(self) -> None:
        """Each imported account as it is here: inactive, without a password sign-in."""
        reason = (
            f"import {self.result.import_id}: the original actor's account here is inactive, "
            "with no password"
        )
        for user in self.users.values():
            accounts.close_imported_account(self.importer, user, reason)

    def user(self, login: str) -> Any:
        login = login.removeprefix("USR.")
        if login not in self.users:
            raise ImportRefusedError(
                f"a change was made by {login!r}, whom the file gives no account with a role"
            )
        return self.users[login]

    # -- replay ---------------------------------------------------------------------------------

    def run(self, progress: Progress) -> None:
        self.ahead = deque(_operations(self.replay))
        total = len(self.ahead)
        while self.ahead:
            operation = self.ahead.popleft()
            try:
                if operation.note is not None:
                    self.study_note(operation.note)
                elif operation.step is not None:
                    self.step(operation.step)
            except _REPLAY_ERRORS as error:
                raise ImportRefusedError(str(error)) from None
            except _SERVICE_REFUSALS as error:
                reason = " ".join(str(error).split())  # one line
                raise ImportRefusedError(
                    f"audit entry {operation.seq} ({_described(operation)}) is refused here: "
                    f"{reason}"
                ) from None
            self.result.changes += 1
            if (total - len(self.ahead)) // 100 > (total - len(self.ahead) - 1) // 100:
                progress(f"  {total - len(self.ahead)} of {total} changes replayed")

    def next_subject_note(self, key: str) -> dict[str, Any] | None:
        """The next operation's note when it is one of subject ``key`` alone, else None."""
        step = self.ahead[0].step if self.ahead else None
        if step is None or step.subject != key or step.changes or len(step.notes) != 1:
            return None
        return dict(json.loads(step.notes[0]))

    def take_next(self) -> None:
        """The next operation is replayed with the current one (one service wrote both)."""
        self.ahead.popleft()
        self.result.changes += 1

    def skip(self, why: str) -> None:
        self.result.not_replayed[why] = self.result.not_replayed.get(why, 0) + 1

    def step(self, step: Step) -> None:
        if step.signature is not None:
            self.signature(step)
        elif step.changes:
            self.save(step)
        else:
            for text in step.notes:
                self.subject_note(step.subject, json.loads(text))

    def signature(self, step: Step) -> None:
        given = step.signature
        assert given is not None
        meaning = self.replay.signature_meanings.get(given["meaning"], "")
        signed = imports.ImportedSignature(
            signer=given["user"].removeprefix("USR."),
            at=_instant(given["at"]),
            meaning=meaning,
            source=f"ODM Signature {given['id']} of import {self.result.import_id}",
        )
        subject = self.subject(step.subject)
        if subject.subject_id is None:  # the enrolment that follows carries it
            self.signatures[step.subject] = signed
            return
        with imports.original(signed.at, signature=signed):  # signed again after a void
            services.sign_again(self.user(signed.signer), subject, password="")

    def subject(self, key: str) -> Subject:
        subject = Subject.objects.select_related("site").filter(screening_number=key).first()
        if subject is None:
            raise ImportRefusedError(f"a change to subject {key} comes before its registration")
        return subject

    def save(self, step: Step) -> None:
        first = step.changes[0]
        subject_key, form = first.form[0], first.form[3]
        user, reason, at = self.user(first.user), first.reason, _instant(first.at)
        document = step.documents[first.form]
        # The signature given just before an enrolment rides with it (`services._sign`).
        signature = self.signatures.pop(subject_key, None) if form == "enrolment" else None
        with imports.original(at, signature=signature):
            if form == "registration":
                self.register(user, document or {})
            elif form == "adverse_event":
                self.adverse_event(user, step, document or {}, reason)
            elif form in ("screening", "consent", "enrolment", "screen_failure", "end_of_study"):
                self.subject_record(user, step, form, document or {}, reason)
            else:
                self.visit_record(user, step, form, document or {}, reason)

    def register(self, user: Any, document: dict[str, Any]) -> None:
        site = Site.objects.get(code=document["site"])
        # The identity is not in the file (only its seal): blank, from the identification log.
        services.register_candidate(user, site, document["screening_number"], "", "")
        self.result.subjects += 1

    def subject_record(
        self, user: Any, step: Step, form: str, document: dict[str, Any], reason: str
    ) -> None:
        subject = self.subject(step.subject)
        if form == "screening":
            services.save_screening(user, subject, document, subject.screening_version, reason)
        elif form == "consent":
            self.consent(user, subject, step, document, reason)
        elif form == "enrolment":
            enrolled = services.enrol(
                user,
                subject,
                "",
                dt.date.fromisoformat(document["first_infusion_date"]),
                dt.date.fromisoformat(document["enrolment_date"]),
            )
            if enrolled.subject_id != document["subject_id"]:
                raise ImportRefusedError(
                    f"{step.subject} was enrolled as {enrolled.subject_id} here, "
                    f"{document['subject_id']} in the file"
                )
        elif form == "screen_failure":
            services.record_screen_failure(user, subject, document.get("note") or "")
        elif form == "end_of_study":
            self.end_of_study(user, subject, document, reason)

    def consent(
        self, user: Any, subject: Subject, step: Step, document: dict[str, Any], reason: str
    ) -> None:
        record = step.changes[0].field.partition(RECORD_SEPARATOR)[0]
        consent = document[record]
        paths = {c.field.partition(RECORD_SEPARATOR)[2] for c in step.changes}
        if any(path.startswith("withdrawal.") for path in paths):
            withdrawal = consent["withdrawal"]
            services.withdraw_consent(
                user,
                subject,
                dt.date.fromisoformat(withdrawal["on"]),
                withdrawal["scope"],
                reason,
            )
            return
        services.record_consent(
            user,
            subject,
            consent["form_version"],
            _instant(consent["obtained_at"]),
            obtained_by=self.user(consent["obtained_by"]),
            language=consent.get("language") or "",
        )

    def end_of_study(
        self, user: Any, subject: Subject, document: dict[str, Any], reason: str
    ) -> None:
        status, on = document["status"], dt.date.fromisoformat(document["on"])
        if subject.status == status:
            self.skip("end of participation written by a consent withdrawal")
        elif status == SubjectStatus.WITHDRAWN:
            services.withdraw(user, subject, on, reason)
        else:
            services.complete(user, subject, on)

    def visit_record(
        self, user: Any, step: Step, form: str, document: dict[str, Any], reason: str
    ) -> None:
        subject = self.subject(step.subject)
        code = step.changes[0].form[2] or step.changes[0].form[1]  # U1, or W4
        visit = subject.visits.filter(code=code).first()
        if form == "visit":
            fields = {c.field for c in step.changes}
            if "date" in fields:
                date = dt.date.fromisoformat(document["date"])
                if visit is None:
                    visit = services.add_unscheduled_visit(user, subject, date)
                    if visit.code != code:
                        raise ImportRefusedError(
                            f"{subject.label}'s unscheduled visit is {visit.code} here, "
                            f"{code} in the file"
                        )
                else:
                    services.set_visit_date(user, visit, date, visit.version, reason)
            elif document.get("status") == "missed" and visit is not None:
                services.mark_missed(user, visit, reason)
            else:
                raise ImportRefusedError(f"{subject.label} {code}: a visit change not known")
            return
        if visit is None:
            raise ImportRefusedError(f"{subject.label}: form {form} of visit {code}, not held")
        saved = FormData.objects.filter(visit=visit, crf=form).first()
        version = saved.version if saved else 0
        declared = [c for c in step.changes if c.field == not_done.FIELD]
        if declared:  # a declaration "not done" (or its undo): one change, its own service
            not_done.set_form_not_done(
                user, visit, form, reason, version, not_done=declared[0].kind != "Remove"
            )
            return
        values = {k: v for k, v in document.items() if k != not_done.FIELD}
        services.save_form(user, visit, form, values, version, reason)

    def adverse_event(self, user: Any, step: Step, document: dict[str, Any], reason: str) -> None:
        subject = self.subject(step.subject)
        label = step.changes[0].field.partition(RECORD_SEPARATOR)[0]
        code = _visit_in_source(step.changes[0].source)
        visit = subject.visits.get(code=code) if code else None
        event = adverse_events.find_adverse_event(subject, label)
        if event is None:
            event = adverse_events.record_adverse_event(user, subject, document[label], visit)
            if event.label != label:
                raise ImportRefusedError(f"{subject.label}: {label} was recorded as {event.label}")
        else:
            adverse_events.update_adverse_event(
                user, event, document[label], event.version, reason, visit
            )

    # -- notes: the entries that are no value ---------------------------------------------------

    def subject_note(self, key: str, note: dict[str, Any]) -> None:
        action, form = note["action"], note["form"]
        if action == "export":
            self.skip("downloads and prints (not changes to the record)")
        elif action == "sign" and note["new"] in ("refused", "blocked"):
            self.skip("refused signing attempts (not changes to the record)")
        elif action in ("signature_void", "unverify"):
            self.skip("signature voids and withdrawn verifications (written by the change)")
        elif action == "query":
            self.query(self.subject(key), note)
        elif action in ("verify", "lock", "unlock"):
            self.verified_or_locked(self.subject(key), note)
        elif form == "drug_accountability":
            self.movement(note, self.subject(key))
        elif form in odm_deviations.FORMS and action in ("create", "update"):
            self.deviation(key, note)
        elif form == odm_safety.FORM:
            self.safety_report(self.subject(key), note)
        elif form in odm_monitoring.FORMS:
            self.monitoring_entry(note, self.subject(key))
        else:
            raise ImportRefusedError(
                f"audit entry {note['seq']} ({action} {form} of {key}) has no import yet"
            )

    def deviation(self, key: str, note: dict[str, Any]) -> None:
        """A deviation recorded, changed or closed, or a suggested one decided on
        (`odm_deviations`), with the entries the same service call wrote taken along."""
        user, subject = self.user(note["actor"]), self.subject(key)
        with imports.original(_instant(note["at"])):
            if note["form"] == "deviation_suggestion":
                odm_deviations.decide(user, note)
            elif note["action"] == "create":
                following = self.next_subject_note(key)
                if odm_monitoring.records_deviation(note, following):
                    self.take_next()  # a monitoring finding recorded it: one `add_finding`
                    self.monitoring.finding(user, subject, following or {}, deviation=note)
                    return
                decision = following if odm_deviations.confirms(note, following) else None
                if decision is not None:
                    self.take_next()
                odm_deviations.record(user, subject, note, decision)
            else:
                notes = [note]
                if not str(note["field"]).endswith(".closed"):
                    while odm_deviations.same_update(note, self.next_subject_note(key)):
                        notes.append(self.next_subject_note(key) or {})
                        self.take_next()
                odm_deviations.update(user, notes)

    def safety_report(self, subject: Subject, note: dict[str, Any]) -> None:
        """A safety report generated (its frozen document from the file) or its submission
        recorded (`odm_safety`)."""
        user = self.user(note["actor"])
        with imports.original(_instant(note["at"]), document=odm_safety.document_of(note)):
            odm_safety.replay(user, subject, note)

    def monitoring_entry(self, note: dict[str, Any], subject: Subject | None) -> None:
        """A monitoring visit logged, or a finding noted (`odm_monitoring`); a finding raised
        as a query or a deviation is replayed with that query's or deviation's entry."""
        user = self.user(note["actor"])
        with imports.original(_instant(note["at"])):
            if note["form"] == odm_monitoring.FORMS[0]:
                self.monitoring.visit(user, note)
            elif (note.get("new") or {}).get("action") == "note":
                self.monitoring.finding(user, subject, note)
            else:
                raise ImportRefusedError(
                    f"audit entry {note['seq']}: a monitoring finding raised as a "
                    f"{(note.get('new') or {}).get('action')} without the entry that raised it"
                )

    def study_note(self, note: dict[str, Any]) -> None:
        if note["form"] == "drug_accountability":
            self.movement(note, None)
        elif note["form"] in odm_monitoring.FORMS:  # a visit is about a site, not a subject
            self.monitoring_entry(note, None)
        elif note["form"] in SET_UP_FORMS:  # sites and accounts, in sequence too
            self.administration(note)
        else:
            raise ImportRefusedError(
                f"audit entry {note['seq']} ({note['action']} {note['form']}) has no import yet"
            )

    def movement(self, note: dict[str, Any], subject: Subject | None) -> None:
        new = note["new"]
        site = Site.objects.get(code=str(note["field"]).partition(":")[0])
        user = self.user(note["actor"])
        with imports.original(_instant(note["at"])):
            if new["kind"] == "received":
                pharmacy.receive_lot(
                    user,
                    site,
                    new["lot_number"],
                    dt.date.fromisoformat(new["expiry_date"]),
                    new["vials"],
                    dt.date.fromisoformat(new["on"]),
                    new.get("note") or "",
                )
                return
            lot = DrugLot.objects.get(site=site, lot_number=new["lot_number"])
            pharmacy.record_movement(
                user,
                lot,
                new["kind"],
                new["vials"],
                dt.date.fromisoformat(new["on"]),
                subject,
                new.get("note") or "",
            )

    def query(self, subject: Subject, note: dict[str, Any]) -> None:
        new = note["new"]
        number, status = int(new["query"]), new["status"]
        form = FormData.objects.get(
            visit__subject=subject, visit__code=note["visit"], crf=note["form"]
        )
        user = self.user(note["actor"])
        with imports.original(_instant(note["at"])):
            if status == "open" and str(new.get("text", "")).startswith(
                services.AUTOMATIC_QUERY_MARK
            ):
                taken = {q.pk for q in self.queries.values()}
                written = form.queries.filter(field=note["field"], text=new["text"])
                found = written.exclude(pk__in=taken).order_by("pk").first()
                if found is None:
                    raise ImportRefusedError(
                        f"audit entry {note['seq']}: the automatic query was not raised here"
                    )
                self.queries[number] = found
                self.skip("automatic queries (raised again by the save)")
            elif status == "open":
                following = self.next_subject_note(subject.screening_number)
                if odm_monitoring.raises_query(note, following):
                    self.take_next()  # a monitoring finding raised it: one `add_finding`
                    finding = self.monitoring.finding(user, subject, following or {}, form=form)
                    assert finding.query_id is not None  # raises_query: this one raised a query
                    self.queries[number] = Query.objects.get(pk=finding.query_id)
                else:
                    self.queries[number] = services.raise_query(
                        user, form, note["field"], new["text"]
                    )
            elif status == "answered":
                services.answer_query(user, self.query_of(number, note), new["answer"])
            else:
                services.close_query(user, self.query_of(number, note))

    def verified_or_locked(self, subject: Subject, note: dict[str, Any]) -> None:
        """Source data verified (a form's or an adverse event's version), a form or the
        casebook locked or unlocked: the service again, at the version the entry names."""
        action, new, user = note["action"], note["new"] or {}, self.user(note["actor"])
        with imports.original(_instant(note["at"])):
            if note["form"] == "casebook":
                services.set_casebook_lock(user, subject, action == "lock", note["reason"])
            elif note["form"] == "adverse_event" and action == "verify":
                event = adverse_events.find_adverse_event(subject, note["field"])
                if event is None:
                    raise ImportRefusedError(f"audit entry {note['seq']}: no {note['field']}")
                adverse_events.verify_adverse_event(user, event, new["version"])
            else:
                form = FormData.objects.get(
                    visit__subject=subject, visit__code=note["visit"], crf=note["form"]
                )
                if action == "verify":
                    services.verify_form(user, form, new["version"])
                else:
                    services.set_form_lock(
                        user, form, action == "lock", new["version"], note["reason"]
                    )

    def query_of(self, number: int, note: dict[str, Any]) -> Query:
        if number not in self.queries:
            raise ImportRefusedError(f"audit entry {note['seq']}: query {number} was never raised")
        return Query.objects.get(pk=self.queries[number].pk)


def _described(operation: _Operation) -> str:
    """What an operation is, for a message: "create safety_report of S-001"."""
    if operation.note is not None:
        return f"{operation.note['action']} {operation.note['form']}"
    step = operation.step
    assert step is not None
    if step.changes:
        what = f"change of {step.changes[0].form[3]}"
    elif step.signature is not None:
        what = "signature"
    else:
        note = json.loads(step.notes[0])
        what = f"{note['action']} {note['form']}"
    return f"{what} of {step.subject}"


def _element_text(element: ET.Element, tag: str) -> str:
    found = element.find(f"odm:{tag}", NS)
    return (found.text or "") if found is not None else ""


Values = dict[str, dict[str, Any]]
"""Values by their owner: a site's by its code, an account's by its login."""


def _sites(replay: Replay) -> Values:
    """Each site's values, as the study-level notes last left them, by its code."""
    by_pk: Values = {}
    for text in replay.study_notes:
        note = json.loads(text)
        owner, _, name = str(note["field"]).rpartition(".")
        if note["form"] == "site" and owner:
            by_pk.setdefault(owner, {})[name] = note["new"]
    return {str(values["code"]): values for values in by_pk.values() if values.get("code")}


def _same_change(first: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether ``other`` is another entry of the service call that wrote ``first``: the same
    site or account, actor and reason, not a password, and the same moment, or both entries
    of its creation (a file written before one change had one moment: entry by entry)."""
    owner, name = str(first["field"]).rpartition(".")[::2]
    other_owner, other_name = str(other["field"]).rpartition(".")[::2]
    return (
        other["form"] == first["form"]
        and other_owner == owner
        and other_name != "password"
        and other_name != name
        and (other["actor"], other["reason"]) == (first["actor"], first["reason"])
        and (other["at"] == first["at"] or (first["old"] is None and other["old"] is None))
    )


def import_odm(
    path: Path, importer: str, progress: Progress = lambda _: None, *, checked: bool = False
) -> Imported:
    """Replay the ODM file at ``path`` into the configured, empty database (module docstring).

    ``checked``: the caller has just checked the file (`check_file`), which is not repeated.
    """
    from django.utils import timezone

    from lupustrial.edc.backups.services import holds_data

    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportRefusedError(f"{path}: cannot be read ({error.strerror})") from None
    if not checked:
        progress(f"checking {path.name} against the ODM 1.3.2 XML Schema")
        check_file(data)
    if holds_data():
        raise ImportRefusedError(
            "the database holds data already: an ODM file is imported only into an empty one"
        )
    import_id, digest = import_id_of(data, timezone.now())
    replay = read(data)
    result = Imported(import_id, digest)
    progress(
        f"import {import_id}: {len(replay.steps)} saves and notes, {len(replay.changes)} values"
    )
    started = {"file": path.name, "sha256": digest, "import_id": import_id}
    with transaction.atomic(), imports.importing(import_id, importer):
        services.record_import(importer, "started", started, f"import of {path.name}")
        importer_run = _Importer(replay, ET.fromstring(data), importer, result)
        importer_run.set_up()
        importer_run.run(progress)
        importer_run.close_accounts()
        from lupustrial.edc.audit.models import AuditEntry

        result.entries = AuditEntry.objects.filter(import_id=import_id).count() + 1
        services.record_import(
            importer,
            "finished",
            {**started, "subjects": result.subjects, "entries": result.entries},
            f"import of {path.name}",
        )
        progress("verifying the imported audit trail against the record")
        report = verify(checkpoint_by=None)
        if not report.intact:  # nothing is kept: the transaction rolls back
            raise ImportRefusedError(
                "the imported record does not verify:\n" + "\n".join(report.lines())
            )
    verify(checkpoint_by="import")
    return result
