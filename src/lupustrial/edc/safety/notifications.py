"""E-mail notifications the scheduler sends: each once (by its key), to each person in their
own language, through Django's e-mail backend (console, file or SMTP: settings).

- a new serious adverse event: to the site's investigators and the data managers;
- a safety report due within 48 hours: to the same people;
- a weekly digest of overdue visits: to each investigator and data manager who has any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.accounts.roles import Role
from lupustrial.edc.safety.models import Notification, NotificationKind
from lupustrial.edc.study import services
from lupustrial.edc.study.models import Visit

Compose = Callable[[], tuple[str, str]]
"""Builds (subject, body) in the language active when it is called."""


def safety_recipients(site: Site | None) -> list[User]:
    """The investigators of a site and every data manager, active and with an address."""
    people = Q(staff__role=Role.DATA_MANAGER)
    if site is not None:
        people |= Q(staff__role=Role.INVESTIGATOR, staff__sites=site)
    return list(
        User.objects.filter(people, is_active=True)
        .exclude(email="")
        .select_related("staff")
        .distinct()
        .order_by("username")
    )


def _language(user: User) -> str:
    profile = getattr(user, "staff", None)
    return profile.language if profile else settings.LANGUAGE_CODE


def send_once(
    key: str, kind: str, users: Iterable[User], compose: Compose, now: dt.datetime
) -> bool:
    """Send to each user in their language, once for this key; False when already sent.

    The record and the sending share one transaction: if the mail server refuses, nothing is
    recorded and the next run tries again.
    """
    people = list(users)
    if not people:
        return False
    with transaction.atomic():
        if Notification.objects.select_for_update().filter(key=key).exists():
            return False
        subjects = []
        for user in people:
            with translation.override(_language(user)):
                subject, body = compose()
            send_mail(subject, body, None, [user.email], fail_silently=False)
            subjects.append(subject)
        Notification.objects.create(
            key=key,
            kind=kind,
            recipients=", ".join(user.email for user in people),
            subject=subjects[0][:300],
            sent_at=now,
        )
    return True


TIER_LABELS = {
    "death": gettext_noop("death or may lead to death"),
    "serious": gettext_noop("other serious"),
}
"""A seriousness tier as the mail words it, translated for each reader."""


@dataclass(frozen=True)
class SeriousEvent:
    """A serious adverse event as the notification states it."""

    event_id: str
    subject_label: str
    site: Site
    term: str
    tier: str
    aware_date: dt.date


def notify_new_serious(event: SeriousEvent, now: dt.datetime) -> bool:
    """Tell the site's investigators and data managers of a new serious event, once per tier."""

    def compose() -> tuple[str, str]:
        subject = _("Serious adverse event %(event)s (%(subject)s)") % {
            "event": event.event_id,
            "subject": event.subject_label,
        }
        body = _(
            "A serious adverse event was recorded.\n\nSubject: %(subject)s\nSite: %(site)s\n"
            "Event: %(term)s\nSeriousness: %(tier)s\nInvestigator aware on: %(aware)s\n\n"
            "Check whether it is suspected to be caused by anifrolumab and report it in time "
            "(lupustrial safety due)."
        ) % {
            "subject": event.subject_label,
            "site": event.site.code,
            "term": event.term,
            "tier": _(TIER_LABELS.get(event.tier, event.tier)),
            "aware": event.aware_date.isoformat(),
        }
        return subject, body

    return send_once(
        f"new-serious:{event.event_id}:{event.tier}",
        NotificationKind.NEW_SERIOUS,
        safety_recipients(event.site),
        compose,
        now,
    )


@dataclass(frozen=True)
class DueReport:
    """A report still to submit, with where its deadline is counted."""

    event_id: str
    subject_label: str
    site: Site
    term: str
    rule_id: str
    recipient: str
    due: dt.date


def deadline_end(report: DueReport) -> dt.datetime:
    """The moment a report becomes overdue: the end of its deadline day at the site."""
    return dt.datetime.combine(report.due + dt.timedelta(days=1), dt.time(0), report.site.zone)


def due_within(report: DueReport, now: dt.datetime, hours: int) -> bool:
    """Whether the deadline ends within ``hours`` from now (and has not passed)."""
    end = deadline_end(report)
    return now < end <= now + dt.timedelta(hours=hours)


def notify_due_soon(report: DueReport, now: dt.datetime, hours: int = 48) -> bool:
    """Remind the site's investigators and the data managers of a report due within 48 hours."""
    if not due_within(report, now, hours):
        return False

    def compose() -> tuple[str, str]:
        subject = _("Safety report due %(due)s: %(event)s (%(subject)s)") % {
            "due": report.due.isoformat(),
            "event": report.event_id,
            "subject": report.subject_label,
        }
        body = _(
            "A safety report is due within %(hours)s hours.\n\nSubject: %(subject)s\n"
            "Event: %(term)s\nReport: %(rule)s, to the %(recipient)s\n"
            "Deadline: %(due)s (site date, %(site)s)\n"
        ) % {
            "hours": hours,
            "subject": report.subject_label,
            "term": report.term,
            "rule": report.rule_id,
            "recipient": report.recipient,
            "due": report.due.isoformat(),
            "site": report.site.code,
        }
        return subject, body

    return send_once(
        f"due-soon:{report.event_id}:{report.rule_id}:{report.due.isoformat()}",
        NotificationKind.REPORT_DUE_SOON,
        safety_recipients(report.site),
        compose,
        now,
    )


def send_overdue_digest(now: dt.datetime) -> int:
    """Each investigator and data manager with overdue visits gets one digest per ISO week."""
    sent = 0
    people = (
        User.objects.filter(is_active=True, staff__role__in=[Role.INVESTIGATOR, Role.DATA_MANAGER])
        .exclude(email="")
        .select_related("staff")
        .order_by("username")
    )
    for user in people:
        visits = sorted(
            services.overdue_visits(user),
            key=lambda v: (v.subject.subject_id or "", v.window_end or dt.date.min),
        )
        if not visits:
            continue
        year, week, _day = now.astimezone(dt.UTC).isocalendar()

        def compose(visits: list[Visit] = visits) -> tuple[str, str]:
            subject = _("Overdue visits: %(count)s") % {"count": len(visits)}
            lines = [_("Visits whose window has closed without data:"), ""]
            lines += [
                _("%(subject)s %(visit)s, window ended %(end)s")
                % {
                    "subject": visit.subject.label,
                    "visit": visit.code,
                    "end": visit.window_end.isoformat() if visit.window_end else "",
                }
                for visit in visits
            ]
            return subject, "\n".join(lines)

        if send_once(
            f"overdue-visits:{user.pk}:{year}-W{week:02d}",
            NotificationKind.OVERDUE_VISITS,
            [user],
            compose,
            now,
        ):
            sent += 1
    return sent
