"""The safety notifications as one scheduled job: what to send now, each at most once."""

from __future__ import annotations

import datetime as dt

from lupustrial.edc.safety import notifications
from lupustrial.edc.safety.models import SafetyReport


def _reports_due() -> list[notifications.DueReport]:
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


def send_notifications(now: dt.datetime) -> dict[str, int]:
    """Send what is due at ``now``; return how many of each kind were sent.

    Safe to run as often as wished: every notification has a key and is sent once.
    """
    due_soon = sum(notifications.notify_due_soon(report, now) for report in _reports_due())
    return {
        "report_due_soon": due_soon,
        "overdue_visits": notifications.send_overdue_digest(now),
    }
