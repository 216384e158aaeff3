"""The visit schedule and its windows, at the edges."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.schedule import SCHEDULE, planned_dates, visit_definition

FIRST = dt.date(2026, 1, 5)


def test_planned_dates_are_four_weekly_from_the_first_infusion() -> None:
    assert planned_dates(FIRST) == {
        "W0": FIRST,
        "W4": dt.date(2026, 2, 2),
        "W8": dt.date(2026, 3, 2),
        "W12": dt.date(2026, 3, 30),
    }
    assert [visit.week for visit in SCHEDULE] == [0, 4, 8, 12]


@pytest.mark.parametrize(
    ("offset", "inside"), [(-8, False), (-7, True), (0, True), (7, True), (8, False)]
)
def test_window_edges_are_included(offset: int, inside: bool) -> None:
    week12 = visit_definition("W12")
    day = week12.planned_date(FIRST) + dt.timedelta(days=offset)
    assert week12.in_window(FIRST, day) is inside
    assert week12.days_from_planned(FIRST, day) == offset


def test_unknown_visit_is_named() -> None:
    with pytest.raises(ValueError, match="W16"):
        visit_definition("W16")


def test_the_visit_window_is_declared_once_in_the_protocol() -> None:
    from lupustrial.protocol.config import DEFAULT_PROTOCOL
    from lupustrial.protocol.schedule import SCHEDULE, VISIT_WINDOW_DAYS

    assert DEFAULT_PROTOCOL.visit_window_days == VISIT_WINDOW_DAYS == 7
    assert {visit.window_days for visit in SCHEDULE} == {DEFAULT_PROTOCOL.visit_window_days}
