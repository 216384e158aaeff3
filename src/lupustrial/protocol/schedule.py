"""The visit schedule: weeks 0, 4, 8 and 12 from the first anifrolumab infusion.

The registration's primary outcome is LLDAS 12 weeks after anifrolumab starts, and
anifrolumab is infused every 4 weeks (Morand 2020, TULIP-2), so the visits fall on the
infusion weeks. The window around each planned day is a protocol choice (the registration
states none): ±7 days by default, the usual tolerance for a 4-weekly visit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from lupustrial.protocol.config import DEFAULT_PROTOCOL

VISIT_WINDOW_DAYS = DEFAULT_PROTOCOL.visit_window_days
"""Tolerance either side of a planned visit day (a protocol choice, declared once in
`ProtocolConfig.visit_window_days`)."""


@dataclass(frozen=True)
class VisitDefinition:
    """One scheduled visit: its code, its week from the first infusion, its window."""

    code: str
    week: int
    window_days: int = VISIT_WINDOW_DAYS

    def planned_date(self, first_infusion: dt.date) -> dt.date:
        """The planned day: ``week`` weeks after the first infusion (week 0 is that day)."""
        return first_infusion + dt.timedelta(weeks=self.week)

    def window(self, first_infusion: dt.date) -> tuple[dt.date, dt.date]:
        """The first and last day on which the visit is in window, both included."""
        planned = self.planned_date(first_infusion)
        margin = dt.timedelta(days=self.window_days)
        return planned - margin, planned + margin

    def in_window(self, first_infusion: dt.date, visit_date: dt.date) -> bool:
        """Whether a visit on ``visit_date`` falls inside the window (edges included)."""
        earliest, latest = self.window(first_infusion)
        return earliest <= visit_date <= latest

    def days_from_planned(self, first_infusion: dt.date, visit_date: dt.date) -> int:
        """Signed deviation from the planned day: negative early, positive late."""
        return (visit_date - self.planned_date(first_infusion)).days


SCHEDULE: tuple[VisitDefinition, ...] = (
    VisitDefinition("W0", 0),
    VisitDefinition("W4", 4),
    VisitDefinition("W8", 8),
    VisitDefinition("W12", 12),
)
"""The scheduled visits in order; W12 is the primary endpoint (LLDAS at 12 weeks)."""

PRIMARY_ENDPOINT_VISIT = "W12"

VISIT_BY_CODE: dict[str, VisitDefinition] = {visit.code: visit for visit in SCHEDULE}


def planned_dates(first_infusion: dt.date) -> dict[str, dt.date]:
    """Every scheduled visit's planned day, by visit code."""
    return {visit.code: visit.planned_date(first_infusion) for visit in SCHEDULE}


def visit_definition(code: str) -> VisitDefinition:
    """The scheduled visit with this code; an unknown code is an error naming the known ones."""
    try:
        return VISIT_BY_CODE[code]
    except KeyError:
        known = ", ".join(VISIT_BY_CODE)
        raise ValueError(f"unknown visit {code!r} (scheduled: {known})") from None


EXPECTED_FORMS: tuple[str, ...] = (
    "labs",
    "vitals",
    "sledai2k",
    "disease_activity",
    "glucocorticoids",
    "infusion",
)
"""The eCRFs (codes of `protocol.crfs.CRF_MODELS`) every scheduled visit needs: what LLDAS
(Franklyn 2016) and DORIS (van Vollenhoven 2021) read (SLEDAI-2K with its labs and
temperature, PGA, glucocorticoids) and the 4-weekly infusion (Morand 2020, TULIP-2). The
immunosuppressant list and the pregnancy test are entered when they apply, so a visit without
them is not incomplete; adverse events are their own records, entered when they happen."""


# -- where a visit stands today (the worklists) -------------------------------------------------

DUE_SOON_DAYS = 7
"""A planned visit is listed as due from this many days before its window opens (issue 18's
worklist: "window open now or opening within 7 days"), so the site can book the patient."""


class VisitTiming(StrEnum):
    """Where a visit stands on a site's today, read from its window and whether it happened."""

    DONE = "done"  # it has a visit date (or was recorded as missed)
    UNSCHEDULED = "unscheduled"  # no window to be due in
    NOT_YET = "not_yet"  # the window opens more than DUE_SOON_DAYS from today
    OPENING = "opening"  # the window opens within DUE_SOON_DAYS days
    OPEN = "open"  # today is inside the window, both edges included
    OVERDUE = "overdue"  # the window closed before today and the visit has no date

    @property
    def due(self) -> bool:
        """Listed as due: the window is open, or opens within DUE_SOON_DAYS days."""
        return self in (VisitTiming.OPENING, VisitTiming.OPEN)


def visit_timing(
    window_start: dt.date | None,
    window_end: dt.date | None,
    today: dt.date,
    *,
    done: bool,
    due_soon_days: int = DUE_SOON_DAYS,
) -> VisitTiming:
    """Where a visit with this window stands on ``today`` (the site's own date).

    The window's edges are inside it, as in `VisitDefinition.in_window`: a visit is open on
    the day its window opens and on the day it closes, overdue from the day after.
    """
    if done:
        return VisitTiming.DONE
    if window_start is None or window_end is None:
        return VisitTiming.UNSCHEDULED
    if window_end < window_start:
        raise ValueError(f"a window that closes ({window_end}) before it opens ({window_start})")
    if today > window_end:
        return VisitTiming.OVERDUE
    if today >= window_start:
        return VisitTiming.OPEN
    if (window_start - today).days <= due_soon_days:
        return VisitTiming.OPENING
    return VisitTiming.NOT_YET
