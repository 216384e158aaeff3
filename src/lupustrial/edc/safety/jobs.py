"""The safety notifications as one scheduled job: what to send now, each at most once.

The recorded adverse events (every version) feed two of them: a new serious event (once per
event and tier) and the 48-hour reminder of every open clock, whether or not its report has
been generated yet; generated reports not yet submitted are reminded of too.
"""

from __future__ import annotations

import datetime as dt

from lupustrial.edc.safety import notifications
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.safety.recorded import RecordedEvent, recorded_events
from lupustrial.edc.study.models import Subject
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.safety.seriousness import Tier
from lupustrial.safety.events import open_clocks


def _recorded() -> list[RecordedEvent]:
    return recorded_events(Subject.objects.filter(adverse_events__isnull=False).distinct())


def _generated_reports_due() -> list[notifications.DueReport]:
    """Generated reports not yet submitted, with a deadline (the periodic ones have none)."""
    return [
        notifications.DueReport(
            event_id=report.event_key,
            subject_label=report.subject.label,
            site=report.subject.site,
            term=report.document["event"]["term"],
            rule_id=report.rule,
            recipient=report.document["report"]["recipient"],
            due=dt.date.fromisoformat(report.document["report"]["due"]),
        )
        for report in SafetyReport.objects.filter(submitted_on__isnull=True)
        .select_related("subject__site")
        .order_by("generated_at")
        if report.document["report"]["due"]
    ]


def _open_clocks_due(recorded: list[RecordedEvent]) -> list[notifications.DueReport]:
    """Every open expedited clock of the recorded events (report generated or not)."""
    by_key = {r.event.id: r for r in recorded}
    return [
        notifications.DueReport(
            event_id=item.event_id,
            subject_label=item.subject_id,
            site=by_key[item.event_id].subject.site,
            term=item.term,
            rule_id=item.clock.rule.id,
            recipient=item.clock.rule.recipient.label,
            due=item.clock.due,
        )
        for item in open_clocks([r.event for r in recorded], DEFAULT_PROTOCOL.safety)
        if item.clock.due is not None
    ]


def serious_events(recorded: list[RecordedEvent]) -> list[notifications.SeriousEvent]:
    """The events whose latest version is serious, with the day that tier was first known."""
    found = []
    for owner in recorded:
        versions = owner.event.versions
        tier = versions[-1].tier
        if tier is Tier.NON_SERIOUS:
            continue
        aware = versions[-1].aware_date
        for earlier in reversed(versions):  # the run of versions of this tier
            if earlier.tier is not tier:
                break
            aware = min(aware, earlier.aware_date)
        found.append(
            notifications.SeriousEvent(
                event_id=owner.event.id,
                subject_label=owner.subject.label,
                site=owner.subject.site,
                term=versions[-1].term.display,
                tier=tier.value,
                aware_date=aware,
            )
        )
    return found


def send_notifications(now: dt.datetime) -> dict[str, int]:
    """Send what is due at ``now``; return how many of each kind were sent.

    Safe to run as often as wished: every notification has a key and is sent once (a report
    and its open clock share the key, so one reminder goes out).
    """
    recorded = _recorded()
    new_serious = sum(
        notifications.notify_new_serious(event, now) for event in serious_events(recorded)
    )
    due = [*_generated_reports_due(), *_open_clocks_due(recorded)]
    hours = DEFAULT_PROTOCOL.safety.due_soon_hours
    due_soon = sum(notifications.notify_due_soon(report, now, hours) for report in due)
    return {
        "new_serious": new_serious,
        "report_due_soon": due_soon,
        "overdue_visits": notifications.send_overdue_digest(now),
    }
