"""Every change of the safety workflow, checked and written to the audit trail in one place.

Generating a report and recording its submission are the investigator's (the only role that
signs): the report document is built by `lupustrial.safety.report` from the event as now
recorded and frozen; the submission says to whom, when and by whom. Bad input raises
`SafetyInputError` naming the field, and nothing is saved.

Times come from `audit.imports.now()`: the clock's, or inside `lupustrial import odm` the
original change's, and a report's ``generated_at`` is its trail entry's time. An import
replaying a report gives the frozen document the source kept (`imports.original(...,
document=...)`): what was sent is kept, not what this version would build today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.safety.recorded import (
    RecordedEvent,
    event_key,
    recorded_event,
    recorded_events,
)
from lupustrial.edc.study.models import AdverseEvent, Subject
from lupustrial.edc.study.services import require, visible_subjects
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.safety.events import OpenClock, SafetyEvent, open_clocks
from lupustrial.safety.report import ReportError, ReportRef, ReportRequest, build_report

REGISTRATION = "jRCTs031230358"
FORM = "safety_report"


class SafetyInputError(ValueError):
    """Input the safety workflow refuses; ``field`` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def document_digest(document: Any) -> str:
    """SHA-256 of a report as kept (canonical JSON): the trail names what was generated."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _number(event_key: str, rule: str) -> str:
    count = SafetyReport.objects.filter(event_key=event_key, rule=rule).count()
    return f"{event_key}/{rule}/{count + 1}"


def generate_report(
    user: User,
    subject: Subject,
    event: SafetyEvent,
    rule: str,
    *,
    follows: SafetyReport | None = None,
) -> SafetyReport:
    """Generate and keep the report of ``event`` under ``rule`` (a follow-up when ``follows``).

    A first report must answer a rule the event now falls under, and there is one first
    report per event and rule; a follow-up follows the first report of the same event and
    rule.
    """
    require(user, Can.SIGN, subject)
    if event.subject_id != subject.label:
        raise SafetyInputError("event", _("The event belongs to another subject."))
    now = imports.now()  # the row's time and its entry's are one (`trail._append`)
    with transaction.atomic():
        first = SafetyReport.objects.filter(
            event_key=event.id, rule=rule, follows__isnull=True
        ).first()
        if follows is None and first is not None:
            raise SafetyInputError(
                "follows",
                _("Report %(number)s is the first report of this event and rule: make a "
                  "follow-up report of it.") % {"number": first.number},
            )  # fmt: skip
        if follows is not None and (follows.event_key != event.id or follows.rule != rule):
            raise SafetyInputError(
                "follows", _("A follow-up follows a report of the same event and rule.")
            )
        if follows is not None and follows.follows_id is not None:
            follows = follows.follows  # the chain hangs from the first report
        number = _number(event.id, rule)
        request = ReportRequest(
            event_id=event.id,
            rule_id=rule,
            number=number,
            follows=ReportRef(number=follows.number, submitted_on=follows.submitted_on)
            if follows
            else None,
        )
        try:
            document = build_report(
                event,
                request,
                DEFAULT_PROTOCOL.safety,
                study_title=DEFAULT_PROTOCOL.study_title,
                registration=REGISTRATION,
                generated_at=now,
            )
        except ReportError as error:
            field, _sep, message = str(error).partition(": ")
            raise SafetyInputError(field, message) from None
        document = _imported_document(document)
        try:
            report = SafetyReport.objects.create(
                subject=subject,
                event_key=event.id,
                rule=rule,
                number=number,
                follows=follows,
                document=document,
                generated_at=now,
                generated_by=user,
            )
        except IntegrityError:
            raise SafetyInputError(
                "follows", _("A first report of this event and rule was just made: reload.")
            ) from None
        record(
            user,
            Action.CREATE,
            subject=subject,
            form=FORM,
            field=number,
            new={
                "event": event.id,
                "rule": rule,
                "kind": document["report"]["kind"],
                "follows": follows.number if follows else None,
                "due": document["report"]["due"],
                "document_sha256": document_digest(document),
            },
            at=now,
        )
    return report


def _imported_document(built: dict[str, Any]) -> dict[str, Any]:
    """The document to keep: the one built, or inside an import the one the source froze and
    sent, which must be the report of the same number, event and rule (the rules were checked
    on the one built from the record replayed so far)."""
    replayed = imports.current_original()
    if replayed is None or replayed.document is None:
        return built
    kept = replayed.document
    same = isinstance(kept, dict) and all(
        isinstance(kept.get(part), dict) and kept[part].get(key) == built[part][key]
        for part, key in (("report", "number"), ("report", "rule"), ("event", "id"))
    )
    if not same:
        raise SafetyInputError(
            "document", _("The imported report is not this event's report under this rule.")
        )
    return dict(kept)


def generate_event_report(
    user: User,
    record: AdverseEvent,
    rule: str,
    *,
    follows: SafetyReport | None = None,
) -> SafetyReport:
    """Generate the report of a recorded adverse event (every version read) under ``rule``."""
    return generate_report(
        user, record.subject, recorded_event(record).event, rule, follows=follows
    )


@dataclass(frozen=True)
class ClockItem:
    """An open reporting clock of a recorded event, as pages list it.

    ``report`` is the first report of the event and rule if one has been generated (it
    awaits submission); days are counted on the subject's site date.
    """

    recorded: RecordedEvent
    open: OpenClock
    report: SafetyReport | None
    days_left: int | None

    @property
    def overdue_by(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def _clock_items(recorded: list[RecordedEvent]) -> list[ClockItem]:
    by_key = {r.event.id: r for r in recorded}
    today: dict[int, dt.date] = {}
    items = []
    for item in open_clocks([r.event for r in recorded], DEFAULT_PROTOCOL.safety):
        owner = by_key[item.event_id]
        site = owner.subject.site
        on = today.setdefault(site.pk, site.today())
        report = owner.first_reports.get(item.clock.rule.id)
        items.append(ClockItem(owner, item, report, item.clock.days_left(on)))
    return items


def open_clocks_for(user: User) -> list[ClockItem]:
    """Every expedited report still to submit for the events of the subjects the user sees,
    soonest deadline first (Clinical Trials Act Regulations Art. 54, 2018)."""
    return _clock_items(recorded_events(visible_subjects(user)))


def event_clocks(user: User, record: AdverseEvent) -> list[ClockItem]:
    """The open clocks of one recorded event (its page)."""
    require(user, Can.VIEW_SUBJECTS, record.subject)
    return _clock_items([recorded_event(record)])


def event_reports(user: User, record: AdverseEvent) -> list[SafetyReport]:
    """Every report of one recorded event (first reports and follow-ups), oldest first."""
    require(user, Can.VIEW_SUBJECTS, record.subject)
    return list(
        SafetyReport.objects.filter(event_key=event_key(record))
        .select_related("follows")
        .order_by("generated_at")
    )


def record_submission(
    user: User, report: SafetyReport, submitted_to: str, submitted_on: dt.date | None
) -> SafetyReport:
    """Record that a report was submitted: to whom, on which (site) date, by this user."""
    require(user, Can.SIGN, report.subject)
    to = (submitted_to or "").strip()
    if not to:
        raise SafetyInputError("submitted_to", _("Say to whom the report was submitted."))
    if submitted_on is None:
        raise SafetyInputError("submitted_on", _("Give the date the report was submitted."))
    site = report.subject.site
    if submitted_on > site.today():
        raise SafetyInputError("submitted_on", _("The date is in the future at the site."))
    if submitted_on < site.date_of(report.generated_at):
        raise SafetyInputError("submitted_on", _("The report was generated after that date."))
    with transaction.atomic():
        current = SafetyReport.objects.select_for_update().get(pk=report.pk)
        if current.submitted:
            raise SafetyInputError(
                "submitted_on",
                _("Its submission is already recorded (%(on)s).")
                % {"on": current.submitted_on.isoformat() if current.submitted_on else ""},
            )
        current.submitted_to = to
        current.submitted_on = submitted_on
        current.submitted_by = user
        current.save(update_fields=["submitted_to", "submitted_on", "submitted_by"])
        record(
            user,
            Action.UPDATE,
            subject=report.subject,
            form=FORM,
            field=f"{report.number}.submission",
            new={"to": to, "on": submitted_on.isoformat()},
        )
    return current


def with_submissions(events: list[SafetyEvent]) -> list[SafetyEvent]:
    """The events with the rules whose first report has been submitted marked as reported."""
    submitted: dict[str, set[str]] = {}
    for key, rule in SafetyReport.objects.filter(
        follows__isnull=True, submitted_on__isnull=False, event_key__in=[e.id for e in events]
    ).values_list("event_key", "rule"):
        submitted.setdefault(key, set()).add(rule)
    return [
        event.model_copy(
            update={
                "submitted": tuple(sorted(set(event.submitted) | submitted.get(event.id, set())))
            }
        )
        for event in events
    ]


def open_reports(events: list[SafetyEvent]) -> list[OpenClock]:
    """Expedited reports still to submit for these events, soonest deadline first."""
    return open_clocks(with_submissions(events), DEFAULT_PROTOCOL.safety)


def report_summary(report: SafetyReport) -> dict[str, Any]:
    """What a page lists of a report."""
    return {
        "number": report.number,
        "rule": report.rule,
        "kind": report.document["report"]["kind"],
        "due": report.document["report"]["due"],
        "submitted_to": report.submitted_to,
        "submitted_on": report.submitted_on,
    }


def visible_reports(user: User) -> list[SafetyReport]:
    """The reports of the subjects the user may see, soonest deadline first, unsubmitted first."""
    subjects = visible_subjects(user)
    reports = list(
        SafetyReport.objects.filter(subject__in=subjects)
        .select_related("subject__site", "generated_by", "submitted_by", "follows")
        .order_by("generated_at")
    )
    return sorted(reports, key=lambda r: (r.submitted, r.document["report"]["due"] or "9999"))


def days_left(report: SafetyReport) -> int | None:
    """Calendar days from today at the subject's site to the report's deadline (None: periodic)."""
    due = report.document["report"]["due"]
    if due is None:
        return None
    return (dt.date.fromisoformat(due) - report.subject.site.today()).days


def awaiting_submission(user: User) -> list[dict[str, Any]]:
    """The dashboard's items: reports generated and not yet submitted, with days left."""
    return [due_item(report) for report in visible_reports(user) if not report.submitted]


def due_item(report: SafetyReport) -> dict[str, Any]:
    """A report with its days left and, once overdue, by how many days."""
    left = days_left(report)
    return {
        "report": report,
        "days_left": left,
        "overdue_by": -left if left is not None and left < 0 else 0,
    }


def record_download(user: User, report: SafetyReport, what: str) -> None:
    """A report downloaded (JSON or PDF): who took which, in the trail."""
    require(user, Can.VIEW_SUBJECTS, report.subject)
    record(user, Action.EXPORT, subject=report.subject, form=FORM, field=f"{report.number}.{what}")


JOB_ACTOR = "scheduler"


def send_notifications(now: dt.datetime) -> dict[str, int]:
    """Send the notifications due at ``now``; a run that sent any is in the audit trail."""
    from lupustrial.edc.safety.jobs import send_notifications as send

    sent = send(now)
    if any(sent.values()):
        record(JOB_ACTOR, Action.JOB, form="jobs", field="safety-notifications", new=sent)
    return sent


def notifications_job() -> str | None:
    """The scheduler's safety job (`lupustrial jobs run`): what was sent, None if nothing."""
    sent = send_notifications(timezone.now())
    if not any(sent.values()):
        return None
    return "sent " + ", ".join(f"{kind} {count}" for kind, count in sent.items() if count)
