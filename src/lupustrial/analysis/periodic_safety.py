"""The periodic report's safety summary: adverse events and their course, serious events and
the reports made (Enforcement Regulations Art. 59: 疾病等の発生状況及びその後の経過).

Kept apart and small on purpose: it reads the snapshot's `adverse_events` and `safety_reports`
tables as they are today, and the safety work (adverse events as their own records, safety
reporting) adjusts this one function, `safety_summary`, when those tables grow.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.dataset.snapshot import Snapshot
from lupustrial.protocol.periodic import ReportingPeriod


class EventLine(StrictModel):
    """One adverse event in the period: begun in it, or begun before and not ended by its start."""

    subject_id: str
    term: str
    onset_date: dt.date
    end_date: dt.date | None
    ctcae_grade: int
    serious: bool
    related: bool | None
    outcome: str
    new_in_period: bool


class ReportLine(StrictModel):
    """One safety report made (or due) for an event of the period."""

    subject_id: str
    number: str
    event: str
    rule: str
    recipient: str
    kind: str
    due: dt.date | None
    submitted_on: dt.date | None


class SafetySummary(StrictModel):
    """Counts and listings of the period's adverse events and safety reports."""

    events: list[EventLine]
    new_events: int
    serious_events: int
    related_events: int = Field(description="Related to anifrolumab (the investigator's view).")
    deaths: int
    by_grade: dict[int, int]
    reports: list[ReportLine]
    reports_late: int = Field(
        description="Due by the period's end, submitted after the due day or not at all."
    )


_ENDED = frozenset({"recovered", "recovered_with_sequelae", "fatal"})
"""Outcomes that end an event: one of these without an end date is not carried forward."""


def _in_period(row: dict[str, Any], period: ReportingPeriod) -> bool:
    """Begun in the period, or begun before and still going at its start."""
    onset: dt.date = row["onset_date"]
    end: dt.date | None = row["end_date"]
    if onset > period.end:
        return False
    if period.contains(onset):
        return True
    return end >= period.start if end is not None else row["outcome"] not in _ENDED


def safety_summary(snapshot: Snapshot, period: ReportingPeriod) -> SafetySummary:
    """The period's adverse events (new or continuing) and the safety reports for them or made
    in the period; a report due by the period's end and submitted after its due day (or not
    yet) is late."""
    events = [
        EventLine(
            **{k: row[k] for k in EventLine.model_fields if k != "new_in_period"},
            new_in_period=period.contains(row["onset_date"]),
        )
        for row in snapshot.table("adverse_events")
        if _in_period(row, period)
    ]
    reports = []
    late = 0
    for row in snapshot.table("safety_reports"):
        made_in = row["submitted_on"] is not None and period.contains(row["submitted_on"])
        due_in = row["due"] is not None and row["due"] <= period.end
        if not (made_in or due_in or period.contains(row["generated_on"])):
            continue
        reports.append(ReportLine(**{k: row[k] for k in ReportLine.model_fields}))
        if due_in and (row["submitted_on"] is None or row["submitted_on"] > row["due"]):
            late += 1
    return SafetySummary(
        events=events,
        new_events=sum(e.new_in_period for e in events),
        serious_events=sum(e.serious for e in events),
        related_events=sum(e.related is True for e in events),
        deaths=sum(e.outcome == "fatal" for e in events),
        by_grade=dict(sorted(Counter(e.ctcae_grade for e in events).items())),
        reports=reports,
        reports_late=late,
    )
