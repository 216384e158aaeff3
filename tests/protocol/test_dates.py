"""Calendar arithmetic at the edges the protocol's windows fall on."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.dates import add_months, add_years, age_in_completed_years

D = dt.date


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (D(2008, 9, 20), D(2026, 9, 20), 18),  # the 18th birthday itself
        (D(2008, 9, 20), D(2026, 9, 19), 17),
        (D(1946, 9, 20), D(2026, 9, 20), 80),
        (D(1946, 9, 20), D(2026, 9, 19), 79),
        (D(2004, 2, 29), D(2022, 2, 28), 17),  # a leap-day birthday completes on 1 March
        (D(2004, 2, 29), D(2022, 3, 1), 18),
        (D(2004, 2, 29), D(2024, 2, 29), 20),
    ],
)
def test_age_in_completed_years(born: dt.date, on: dt.date, age: int) -> None:
    assert age_in_completed_years(born, on) == age


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2026, 4, 1), 6, D(2026, 10, 1)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),  # clamped to the month's last day
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 11, 15), 2, D(2027, 1, 15)),  # across the year end
    ],
)
def test_add_months(start: dt.date, months: int, end: dt.date) -> None:
    assert add_months(start, months) == end


def test_add_years_from_a_leap_day() -> None:
    assert add_years(D(2020, 2, 29), 5) == D(2025, 2, 28)
    assert add_years(D(2020, 2, 29), 4) == D(2024, 2, 29)
