"""The periodic report (定期報告) the Clinical Trials Act asks for each year: its periods and
deadlines, declared as data with their source, and computed by Japan's Civil Code.

Clinical Trials Act (Act No. 16 of 2017), Art. 17(1): the principal investigator reports the
state of the specified clinical research periodically to the certified review board, and
Art. 18(1) to the Minister of Health, Labour and Welfare. Enforcement Regulations (MHLW
Ordinance No. 17 of 2018), Art. 59: the report is made for each year counted from the day the
implementation plan was submitted to the Minister, within two months after each year ends,
and gives the number of subjects, the diseases etc. (adverse events) and their course, the
non-conformities (deviations) and what was done about them, and the assessment of safety and
scientific validity. MHLW's notice on the Regulations (医政経発0228第1号, 2018-02-28) counts the
year from the day the plan was published on jRCT; this is the anchor the study declares.

How the days are counted: Civil Code (民法, Act No. 89 of 1896), Art. 143: a period in months or
years ends on the day before the day corresponding to its first day in the last month, or, when
that month has no such day, on the month's last day. "Counted from" (起算して) the publication
date makes that day the first day of the first year; the two months start the day after the
year ends (a period beginning at 00:00, so that day counts, Art. 140 proviso).
"""

from __future__ import annotations

import calendar
import datetime as dt

from pydantic import Field, model_validator

from lupustrial.clinical.model import StrictModel

ACT_ART_17 = "Clinical Trials Act (臨床研究法, Act No. 16 of 2017), Art. 17(1)"
ACT_ART_18 = "Clinical Trials Act (臨床研究法, Act No. 16 of 2017), Art. 18(1)"
ART_59 = (
    "Enforcement Regulations of the Clinical Trials Act (臨床研究法施行規則, MHLW Ordinance "
    "No. 17 of 2018), Art. 59"
)
NOTICE_ANCHOR = (
    "MHLW notice 医政経発0228第1号 (2018-02-28) on Art. 59: the year is counted from the day "
    "the implementation plan was published on jRCT"
)
CIVIL_CODE_143 = "Civil Code (民法), Art. 143 (periods in months and years), with Art. 140"


class PeriodicReportRule(StrictModel):
    """When the periodic report is due: every ``period_months`` from the anchor, within
    ``deadline_months`` after each period (Art. 59), counted by the Civil Code (Art. 143)."""

    period_months: int = Field(default=12, ge=1, description="A year (Art. 59).")
    deadline_months: int = Field(default=2, ge=1, description="Two months after (Art. 59).")
    anchor: str = Field(
        default="the jRCT publication date of the implementation plan",
        description="What the periods are counted from.",
    )
    recipients: tuple[str, ...] = (
        "certified review board",
        "Minister of Health, Labour and Welfare",
    )
    source: str = f"{ACT_ART_17}; {ACT_ART_18}; {ART_59}; {NOTICE_ANCHOR}; {CIVIL_CODE_143}"


class Registration(StrictModel):
    """The study's registration on jRCT: its number and the day it was published."""

    jrct_id: str = Field(default="jRCTs031230358", min_length=1)
    publication_date: dt.date | None = Field(
        default=None,
        description="The day jRCT published the implementation plan: the periodic report's "
        "anchor (Art. 59). Not in the registration text this project holds: the principal "
        "investigator declares it (or `report periodic --anchor`).",
    )


def add_months(day: dt.date, months: int) -> dt.date | None:
    """The day corresponding to ``day`` ``months`` later, or None when that month has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if day.day > calendar.monthrange(year, month + 1)[1]:
        return None
    return dt.date(year, month + 1, day.day)


def period_end(first_day: dt.date, months: int) -> dt.date:
    """The last day of a period of ``months`` whose first day is ``first_day`` (Civil Code
    Art. 143(2)): the day before the corresponding day, else the last day of that month."""
    corresponding = add_months(first_day, months)
    if corresponding is not None:
        return corresponding - dt.timedelta(days=1)
    index = first_day.year * 12 + first_day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, calendar.monthrange(year, month + 1)[1])


class ReportingPeriod(StrictModel):
    """One period of the periodic report: its number, first and last day, and the last day the
    report may be made."""

    number: int | None = Field(
        default=None, ge=1, description="Its place on the Art. 59 calendar; None off it."
    )
    start: dt.date
    end: dt.date
    deadline: dt.date | None = Field(
        default=None, description="None for a period chosen off the Art. 59 calendar."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ReportingPeriod:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def days_left(self, today: dt.date) -> int | None:
        """Days until the deadline (0 on the deadline itself, negative once overdue)."""
        return None if self.deadline is None else (self.deadline - today).days


def reporting_period(
    anchor: dt.date, number: int, rule: PeriodicReportRule | None = None
) -> ReportingPeriod:
    """The ``number``-th period counted from ``anchor`` (the first starts on the anchor)."""
    rule = rule or PeriodicReportRule()
    if number < 1:
        raise ValueError("periods are numbered from 1")
    start = (
        anchor
        if number == 1
        else period_end(anchor, rule.period_months * (number - 1)) + dt.timedelta(days=1)
    )
    end = period_end(anchor, rule.period_months * number)
    deadline = period_end(end + dt.timedelta(days=1), rule.deadline_months)
    return ReportingPeriod(number=number, start=start, end=end, deadline=deadline)


def period_containing(
    anchor: dt.date, day: dt.date, rule: PeriodicReportRule | None = None
) -> ReportingPeriod:
    """The period ``day`` falls in; a day before the anchor has none."""
    if day < anchor:
        raise ValueError(f"{day.isoformat()} is before the anchor {anchor.isoformat()}")
    number = max(1, (day.year - anchor.year) * 12 // (rule or PeriodicReportRule()).period_months)
    while reporting_period(anchor, number, rule).start > day:
        number -= 1
    while reporting_period(anchor, number, rule).end < day:
        number += 1
    return reporting_period(anchor, number, rule)


def last_ended_period(
    anchor: dt.date, day: dt.date, rule: PeriodicReportRule | None = None
) -> ReportingPeriod | None:
    """The latest period that ended before ``day``: the one whose report is due (or done)."""
    if day < anchor:
        return None
    number = period_containing(anchor, day, rule).number
    assert number is not None  # a period on the calendar
    return None if number == 1 else reporting_period(anchor, number - 1, rule)


def chosen_period(
    start: dt.date, end: dt.date, anchor: dt.date | None, rule: PeriodicReportRule | None = None
) -> ReportingPeriod:
    """A period given by its days: the Art. 59 period with its deadline when it is one,
    else a period without a deadline (an interim look, for example)."""
    if anchor is not None and start >= anchor:
        candidate = period_containing(anchor, start, rule)
        if (candidate.start, candidate.end) == (start, end):
            return candidate
    return ReportingPeriod(start=start, end=end)
