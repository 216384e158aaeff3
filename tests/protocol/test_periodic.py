"""The periodic report's periods and deadlines (Enforcement Regulations Art. 59; Civil Code
Art. 143), tested at their edges: the first and last day of a year, the day the two months
close and the day after, month ends and 29 February."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.periodic import (
    ART_59,
    PeriodicReportRule,
    chosen_period,
    last_ended_period,
    period_containing,
    period_end,
    reporting_period,
)

D = dt.date


@pytest.mark.parametrize(
    ("first_day", "months", "last_day"),
    [
        (D(2024, 4, 1), 12, D(2025, 3, 31)),  # the day before the corresponding day
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # no 29 February: the month's last day
        (D(2025, 4, 1), 2, D(2025, 5, 31)),
        (D(2025, 1, 1), 2, D(2025, 2, 28)),
        (D(2024, 12, 31), 2, D(2025, 2, 28)),  # no 31 February: the month's last day
        (D(2024, 12, 30), 2, D(2025, 2, 28)),  # likewise no 30 February
        (D(2023, 12, 30), 2, D(2024, 2, 29)),  # leap year: 29 February is the day before
        (D(2025, 3, 31), 2, D(2025, 5, 30)),
        (D(2025, 7, 31), 2, D(2025, 9, 30)),  # no 31 September
    ],
)
def test_a_period_ends_by_the_civil_code(
    first_day: dt.date, months: int, last_day: dt.date
) -> None:
    assert period_end(first_day, months) == last_day


def test_the_first_year_starts_on_the_publication_day_and_the_report_is_due_two_months_after() -> (
    None
):
    first = reporting_period(D(2023, 11, 15), 1)
    assert (first.start, first.end, first.deadline) == (
        D(2023, 11, 15), D(2024, 11, 14), D(2025, 1, 14),
    )  # fmt: skip
    second = reporting_period(D(2023, 11, 15), 2)
    assert (second.start, second.end, second.deadline) == (
        D(2024, 11, 15), D(2025, 11, 14), D(2026, 1, 14),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("today", "days_left"),
    [(D(2025, 1, 13), 1), (D(2025, 1, 14), 0), (D(2025, 1, 15), -1)],
)
def test_the_deadline_day_is_still_in_time_and_the_day_after_is_late(
    today: dt.date, days_left: int
) -> None:
    assert reporting_period(D(2023, 11, 15), 1).days_left(today) == days_left


def test_a_year_from_29_february_and_a_march_year_end() -> None:
    leap = reporting_period(D(2024, 2, 29), 1)
    assert (leap.end, leap.deadline) == (D(2025, 2, 28), D(2025, 4, 30))
    assert reporting_period(D(2024, 2, 29), 2).start == D(2025, 3, 1)
    year_end = reporting_period(D(2024, 4, 1), 1)
    assert (year_end.end, year_end.deadline) == (D(2025, 3, 31), D(2025, 5, 31))


@pytest.mark.parametrize(
    ("day", "number"),
    [
        (D(2023, 11, 15), 1),
        (D(2024, 11, 14), 1),
        (D(2024, 11, 15), 2),
        (D(2026, 11, 14), 3),
        (D(2026, 11, 15), 4),
    ],
)
def test_each_day_falls_in_one_period(day: dt.date, number: int) -> None:
    assert period_containing(D(2023, 11, 15), day).number == number


def test_the_report_due_is_the_last_period_ended() -> None:
    anchor = D(2023, 11, 15)
    assert last_ended_period(anchor, D(2024, 11, 14)) is None  # the first year is running
    due = last_ended_period(anchor, D(2024, 11, 15))
    assert due is not None
    assert due.number == 1
    with pytest.raises(ValueError, match="before the anchor"):
        period_containing(anchor, D(2023, 11, 14))


def test_a_chosen_period_is_on_the_calendar_or_has_no_deadline() -> None:
    anchor = D(2023, 11, 15)
    on = chosen_period(D(2024, 11, 15), D(2025, 11, 14), anchor)
    assert (on.number, on.deadline) == (2, D(2026, 1, 14))
    off = chosen_period(D(2024, 1, 1), D(2024, 6, 30), anchor)
    assert (off.number, off.deadline) == (None, None)
    with pytest.raises(ValueError, match="ends"):
        chosen_period(D(2024, 6, 30), D(2024, 1, 1), anchor)


def test_the_rule_is_declared_with_its_source() -> None:
    rule = DEFAULT_PROTOCOL.periodic_report
    assert (rule.period_months, rule.deadline_months) == (12, 2)
    assert ART_59 in rule.source
    assert "Art. 17" in rule.source
    assert "Art. 143" in rule.source
    assert DEFAULT_PROTOCOL.registration.jrct_id == "jRCTs031230358"
    half_yearly = PeriodicReportRule(period_months=6)
    assert reporting_period(D(2024, 1, 1), 2, half_yearly).start == D(2024, 7, 1)
