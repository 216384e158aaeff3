"""Calendar arithmetic the protocol's windows are stated in: completed years, calendar months."""

from __future__ import annotations

import calendar
import datetime as dt


def age_in_completed_years(born: dt.date, on: dt.date) -> int:
    """Age in completed years on a day, as consent forms count it.

    Someone born on 29 February completes a year on 1 March in a common year: until the end
    of 28 February the anniversary has not been reached.
    """
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - before_birthday


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, clamped to the month's last day.

    "Within six months of 31 August" therefore ends on 28 (or 29) February.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def add_years(start: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` later (29 February falls on 28 February in a common year)."""
    return add_months(start, 12 * years)
