"""Adverse events as recorded (issue 13's record, every version kept), read for the safety
workflow: the clocks, the reports, the dashboards, the notifications and `safety due`.

The versions are mapped by the one mapper (`lupustrial.safety.from_record`); this module only
reads them, two queries for any number of subjects, and marks the rules whose first report
has been submitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study.models import AdverseEvent, RecordKind, RecordVersion, Subject
from lupustrial.safety.events import SafetyEvent
from lupustrial.safety.from_record import safety_event


@dataclass(frozen=True)
class RecordedEvent:
    """An adverse event of the database (its row), what the safety clocks read of it, and its
    first reports by rule (generated; submitted or not)."""

    record: AdverseEvent
    event: SafetyEvent
    first_reports: dict[str, SafetyReport] = field(default_factory=dict)

    @property
    def subject(self) -> Subject:
        return self.record.subject


def event_key(record: AdverseEvent) -> str:
    """The event as reports and notifications name it: subject and event, e.g. TKY-001-AE-001."""
    return f"{record.subject.label}-{record.label}"


def recorded_events(subjects: Iterable[Subject]) -> list[RecordedEvent]:
    """Every adverse event of these subjects with all its versions (in the order recorded)
    and its first reports: one query when there is none, three otherwise (a query set of
    subjects is read inside the first, not before)."""
    chosen = subjects if isinstance(subjects, QuerySet) else [s.pk for s in subjects]
    records = list(
        AdverseEvent.objects.filter(subject__in=chosen)
        .select_related("subject__site")
        .order_by("subject__site__code", "subject_id", "number")
    )
    if not records:
        return []
    versions: dict[int, list[dict[str, object]]] = {}
    rows = (
        RecordVersion.objects.filter(
            kind=RecordKind.ADVERSE_EVENT, record_id__in=[r.pk for r in records]
        )
        .order_by("record_id", "number")
        .values_list("record_id", "data")
    )
    for record_id, data in rows:
        versions.setdefault(record_id, []).append(data)
    keys = {event_key(r): r for r in records}
    firsts: dict[str, dict[str, SafetyReport]] = {}
    for report in SafetyReport.objects.filter(follows__isnull=True, event_key__in=list(keys)):
        firsts.setdefault(report.event_key, {})[report.rule] = report
    found = []
    for key, record in keys.items():
        if record.pk not in versions:  # the services keep every version, the first included
            raise LookupError(f"adverse event {key} has no stored version")
        reports = firsts.get(key, {})
        submitted = sorted(rule for rule, report in reports.items() if report.submitted)
        event = safety_event(key, record.subject.label, versions[record.pk], submitted=submitted)
        found.append(RecordedEvent(record, event, reports))
    return found


def recorded_event(record: AdverseEvent) -> RecordedEvent:
    """One adverse event with all its versions."""
    (found,) = [r for r in recorded_events([record.subject]) if r.record.pk == record.pk]
    return found
