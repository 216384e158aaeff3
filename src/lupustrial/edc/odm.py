"""The study database as one CDISC ODM 1.3.2 file (`lupustrial export odm`).

Gathers what `interop.odm.writer` needs from the application: the forms the record is made of
(the eCRFs `protocol.crfs` declares, the visit's date and status, screening), the schedule,
the users and sites, and every audit trail entry about a subject. The trail is the one record
of every change (services write it, nothing else), so the file's clinical data are the trail
in its own order, and replaying them gives the forms as the database holds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Literal, TypedDict

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from pydantic import Field

from lupustrial import __version__
from lupustrial.clinical.model import StrictModel
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.trail import decode_value, flatten
from lupustrial.edc.monitoring.services import FINDING_FORM as MONITORING_FINDING_FORM
from lupustrial.edc.monitoring.services import VISIT_FORM as MONITORING_VISIT_FORM
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.safety.services import FORM as SAFETY_REPORT_FORM
from lupustrial.edc.study.crfs import CRF_BY_CODE, CRFS
from lupustrial.edc.study.labels import label
from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.not_done import FIELD as NOT_DONE_FIELD
from lupustrial.edc.study.services import ENROLMENT_MEANING
from lupustrial.interop.odm.items import FormSpec, ItemSpec
from lupustrial.interop.odm.writer import (
    Entry,
    EventSpec,
    Person,
    Place,
    Study,
    StudyInfo,
    build,
)
from lupustrial.protocol.crfs import AdverseEvent
from lupustrial.protocol.schedule import SCHEDULE, VISIT_BY_CODE
from lupustrial.protocol.screening import ScreeningRecord

STUDY = StudyInfo(
    oid="JPRN-jRCTs031230358",
    name="Early anifrolumab in systemic lupus erythematosus",
    description=(
        "Single-arm study of anifrolumab started early in SLE; primary outcome LLDAS at "
        "week 12 (jRCTs031230358, Clinical Trials Act)."
    ),
    protocol_name="jRCTs031230358",
)


class VisitRecord(StrictModel):
    """A visit's own record: the day it took place, or that it was missed (the reason for
    a missed visit is the change's reason in the trail)."""

    date: dt.date | None = Field(default=None, description="Visit date.")
    status: Literal["planned", "done", "missed"] | None = Field(
        default=None, description="Visit status."
    )


class Registration(StrictModel):
    """A candidate registered for screening at a site."""

    site: str = Field(description="Site code.")
    screening_number: str = Field(description="Screening number.")
    identity: str | None = Field(
        default=None,
        description="The seal of the name and medical record number (a digest the trail keeps "
        "to check the identity against; not the identity itself).",
    )


class ConsentWithdrawal(StrictModel):
    """Consent withdrawn, fully or partly (no further data, safety follow-up allowed)."""

    on: dt.date = Field(description="Date consent was withdrawn.")
    scope: Literal["full", "no_further_data"] = Field(description="Withdrawal scope.")
    version: str = Field(description="Consent form version withdrawn.")


class ConsentRecord(StrictModel):
    """One written informed consent on one form version (one record per version)."""

    form_version: str = Field(description="Consent form version.")
    obtained_at: dt.datetime = Field(description="Date and time of consent.")
    obtained_by: str = Field(description="Who obtained consent (user name).")
    language: str = Field(description="Language of the form (blank: the site's).")
    re_consent: bool = Field(description="Consent again on a revised form.")
    withdrawal: ConsentWithdrawal | None = None


class EnrolmentRecord(StrictModel):
    """Enrolment: the subject ID given, the enrolment and first infusion dates."""

    subject_id: str = Field(description="Subject ID.")
    screening_number: str = Field(description="Screening number.")
    enrolment_date: dt.date = Field(description="Enrolment date.")
    first_infusion_date: dt.date = Field(description="First anifrolumab infusion (day 0).")


class ScreenFailure(StrictModel):
    """A screen failure and the criteria not met."""

    status: str = Field(description="Status.")
    criteria: list[str] = Field(description="Criteria not met.")
    note: str | None = Field(default=None, description="The investigator's note.")


class EndOfStudy(StrictModel):
    """End of participation: completed or withdrawn, and when (the reason is the change's)."""

    status: str = Field(description="Status at the end.")
    on: dt.date = Field(description="Date of the end of participation.")


ADVERSE_EVENT = "adverse_event"
"""The trail's form of an adverse event record; its fields are "AE-001.<field>"."""
STUDY_FORMS = (
    "site", "account", "drug_accountability", MONITORING_VISIT_FORM, MONITORING_FINDING_FORM
)  # fmt: skip
"""The trail's records that belong to no subject and that the study's data rest on: the sites
(their time zones date every visit), the accounts (roles and sites), the drug lots an
infusion names, and the monitoring log (visits, and findings about no one subject). Written
as study-level annotations so that an import can rebuild them."""
SUBJECT_FORMS = ("registration", "consent", "enrolment", "screen_failure", "end_of_study")
"""The subject's own records, which the trail holds as one entry each: each of its values is
one ItemData in the file (`_expand`)."""


def _title(text: object) -> tuple[str, str]:
    with override("en"):
        english = str(text)
    with override("ja"):
        japanese = str(text)
    return english, japanese


class _SubjectForm(TypedDict):
    """FormSpec's arguments for a form of the subject's, not of a visit's."""

    per_visit: bool
    event: str


def form_specs() -> tuple[FormSpec, ...]:
    """The record's forms: the visit, each eCRF, and screening; items from their models."""
    specs = [FormSpec("visit", *_title(_("Visit")), VisitRecord)]
    specs += [FormSpec(crf.code, *_title(crf.title), crf.model) for crf in CRFS]
    specs.append(FormSpec("screening", *_title(_("Screening")), ScreeningRecord, per_visit=False))
    subject: _SubjectForm = {"per_visit": False, "event": "SUBJECT"}
    specs += [
        FormSpec("registration", *_title(_("Registration")), Registration, **subject),
        FormSpec("consent", *_title(_("Consent")), ConsentRecord, **subject, keyed=True),
        FormSpec("enrolment", *_title(_("Enrolment")), EnrolmentRecord, **subject),
        FormSpec("screen_failure", *_title(_("Screen failure")), ScreenFailure, **subject),
        FormSpec("end_of_study", *_title(_("End of study")), EndOfStudy, **subject),
        # Adverse events are their own records (AE-001 of a subject), each save a version:
        # one keyed form, the event's key as the repeat key, every version's changes in order.
        FormSpec(
            "adverse_event",
            *_title(_("Adverse event record")),
            AdverseEvent,
            per_visit=False,
            event="ADVERSE_EVENTS",
            keyed=True,
        ),
    ]
    return tuple(_labelled(_with_status(spec.with_items())) for spec in specs)


def _with_status(form: FormSpec) -> FormSpec:
    """A visit eCRF's items and one more, in the form's own item group: the reason the form
    was declared not done (`study.not_done`; CDASH --REASND). ODM 1.3.2 has no form status
    to carry it, so it is an item like any other: an Insert when declared, a Remove when
    undone, each with its AuditRecord."""
    if form.code not in CRF_BY_CODE:
        return form
    reason = ItemSpec(
        form.code,
        NOT_DONE_FIELD,
        "text",
        description="Why the form was declared not done at the visit (CDASH --REASND).",
    )
    return replace(form, items=(*form.items, reason))


def _labelled(form: FormSpec) -> FormSpec:
    """Each item's question from the forms' label catalogue (`study.labels`), EN and JA."""
    items = []
    for spec in form.items:
        english, japanese = _title(label(spec.path))
        if spec.path.endswith(".unit"):
            english, japanese = f"{english} (unit)", f"{japanese}（単位）"
        items.append(replace(spec, label=english, label_ja=japanese if japanese != english else ""))
    return replace(form, items=tuple(items))


def event_specs(forms: tuple[FormSpec, ...]) -> tuple[EventSpec, ...]:
    visit_forms = tuple(f.code for f in forms if f.per_visit)
    screening = EventSpec("SCREENING", *_title(_("Screening")), "Common", False, ("screening",))
    scheduled = tuple(
        EventSpec(
            v.code, *_title(_("Week %(week)s") % {"week": v.week}), "Scheduled", False, visit_forms
        )
        for v in SCHEDULE
    )
    unscheduled = EventSpec(
        "UNSCHEDULED", *_title(_("Unscheduled visit")), "Unscheduled", True, visit_forms
    )
    subject = EventSpec("SUBJECT", *_title(_("Subject")), "Common", False, SUBJECT_FORMS)
    events = EventSpec(
        "ADVERSE_EVENTS", *_title(_("Adverse events")), "Common", False, (ADVERSE_EVENT,)
    )
    return (subject, screening, *scheduled, unscheduled, events)


def event_of_visit(code: str) -> tuple[str, str]:
    """A visit code's study event and repeat key: scheduled visits are their own event."""
    if code in VISIT_BY_CODE:
        return code, ""
    return "UNSCHEDULED", code


def _people() -> tuple[Person, ...]:
    users = get_user_model().objects.select_related("staff").prefetch_related("staff__sites")
    people = []
    for user in users.order_by("username"):
        profile = getattr(user, "staff", None)
        people.append(
            Person(
                login=user.get_username(),
                name=user.get_full_name() or user.get_username(),
                role=profile.role if profile else "",
                sites=tuple(sorted(s.code for s in profile.sites.all())) if profile else (),
            )
        )
    return tuple(people)


def _entries(progress: Callable[[str], None]) -> tuple[Entry, ...]:
    subjects = {s.pk: s for s in Subject.objects.select_related("site")}
    by_label = {s.label: s for s in subjects.values()} | {
        s.screening_number: s for s in subjects.values()
    }
    rows = AuditEntry.objects.exclude(subject="").order_by("seq")
    total = rows.count()
    progress(f"reading {total} audit trail entries about subjects")
    # A safety report's entry names its frozen document by digest; the file holds the document.
    documents = dict(SafetyReport.objects.values_list("number", "document"))
    entries = []
    for n, row in enumerate(rows.iterator(chunk_size=2000), 1):
        subject = subjects.get(row.subject_ref) if row.subject_ref else by_label.get(row.subject)
        if subject is None:
            continue  # a subject the trail names but the study no longer holds: none yet
        entry = _entry(row, subject.screening_number, subject.site.code)
        if row.form == SAFETY_REPORT_FORM and row.action == "create":
            entry = replace(entry, document=documents.get(row.field))
        entries.extend(_expand(entry))
        if n % 10000 == 0:
            progress(f"  {n} of {total} entries read")
    return tuple(entries)


def _study_entries() -> tuple[Entry, ...]:
    """The trail's entries about the sites, accounts and drug lots, which name no subject
    (sign-ins, exports and jobs are the application's, not the study's, and stay out; so do
    the stored passwords' fingerprints, ``account.<user>.credential``: keyed with this
    installation's audit key, they prove nothing elsewhere, and an import's accounts have no
    password — the import records their own, `accounts.services.close_imported_account`)."""
    rows = (
        AuditEntry.objects.filter(subject="", form__in=STUDY_FORMS)
        .exclude(form="account", field__endswith=".credential")
        .order_by("seq")
    )
    return tuple(_entry(row, "", "") for row in rows.iterator(chunk_size=2000))


def _entry(row: AuditEntry, subject_key: str, site: str) -> Entry:
    """One trail row as the ODM writer reads it, for the subject (or none) it is about."""
    return Entry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        role=row.role,
        action=row.action,
        subject_key=subject_key,
        site=site,
        visit=row.visit,
        form=row.form,
        field=row.field,
        old=decode_value(row.old_value),
        new=decode_value(row.new_value),
        reason=row.reason,
        hash=row.hash,
    )


def _expand(entry: Entry) -> list[Entry]:
    """A subject-level entry holding several values (consent: version, time, who...) as one
    change per value, each keeping the entry's number and hash; an adverse event's change
    ("AE-001.grade") as its record's key and field; other entries as they are."""
    if entry.form == ADVERSE_EVENT and "." in entry.field:
        record, _, field = entry.field.partition(".")
        return [replace(entry, record=record, field=field)]
    if entry.form not in SUBJECT_FORMS or not isinstance(entry.new, dict):
        return [entry]
    if entry.action not in ("create", "update"):
        return [entry]
    prefix = "withdrawal." if entry.form == "consent" and entry.field == "withdrawal" else ""
    record = ""
    if entry.form == "consent":
        record = str(entry.new.get("form_version") or entry.new.get("version") or "")
    new = {prefix + k: v for k, v in flatten(entry.new).items()}
    if isinstance(entry.old, dict):
        old = {prefix + k: v for k, v in flatten(entry.old).items()}
    elif entry.old is not None and entry.field:
        old = {entry.field: entry.old}  # a status before: "screening", "enrolled"
    else:
        old = {}
    names = sorted(k for k in new.keys() | old.keys() if new.get(k) != old.get(k))
    return [
        replace(
            entry,
            field=name,
            old=old.get(name),
            new=new.get(name),
            record=record,
            part=n,
            null=name in new and new[name] is None,  # a value given as null, not removed
        )
        for n, name in enumerate(names, 1)
    ]


def study(progress: Callable[[str], None] = lambda _: None) -> Study:
    """Everything the ODM file holds, read from the database."""
    forms = form_specs()
    return Study(
        info=STUDY,
        events=event_specs(forms),
        forms=forms,
        people=_people(),
        places=tuple(Place(s.code, s.name) for s in Site.objects.order_by("code")),
        entries=_entries(progress),
        study_entries=_study_entries(),
        signature_meaning=ENROLMENT_MEANING,
        event_of_visit=event_of_visit,
    )


def odm_document(progress: Callable[[str], None] = lambda _: None) -> str:
    """The whole study as ODM 1.3.2 XML text (UTF-8, with its declaration)."""
    gathered = study(progress)
    progress(f"building the ODM document: {len(gathered.entries)} entries")
    document = build(gathered, timezone.now(), __version__)
    return document.to_xml_string(xml_declaration=True)
