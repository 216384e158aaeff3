"""Calendar windows as fixed dates: the protocol's arithmetic done once, before any query.

Every window of the criteria ("within six months of diagnosis", "more than 5 years",
"30 days or fewer") is turned into a cut-off date with the protocol layer's own calendar
functions (`lupustrial.protocol.dates`), so each engine only compares dates with a constant
and no engine's interval arithmetic (month-end clamping differs) can change an answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable


def earliest_start(as_of: dt.date, step: Callable[[dt.date], dt.date]) -> dt.date:
    """The earliest day d for which ``step(d) >= as_of`` (``step`` must be non-decreasing).

    With ``step = add_months(·, 6)`` this is the first diagnosis day whose six-month window
    still contains ``as_of``; with ``add_years(·, 5)``, the first last-evidence day that is
    not more than 5 years before ``as_of``.
    """
    low, high = dt.date(max(as_of.year - 200, 1), 1, 1), as_of
    # The answer lies in (low, high]: step(as_of) >= as_of for every forward step.
    while (high - low).days > 1:
        middle = low + (high - low) // 2
        if step(middle) >= as_of:
            high = middle
        else:
            low = middle
    return high


def days_before(as_of: dt.date, days: int) -> dt.date:
    """The day ``days`` calendar days before ``as_of`` (inclusive windows start here)."""
    return as_of - dt.timedelta(days=days)
