"""Calendar windows as fixed dates: the protocol's arithmetic done once, before any query.

Every window of the criteria ("within six months of diagnosis", "more than 5 years",
"30 days or fewer") is turned into a cut-off date with the protocol layer's own calendar
functions (`lupustrial.protocol.dates`), so each engine only compares dates with a constant
and no engine's interval arithmetic (month-end clamping differs) can change an answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from lupustrial.prescreen.config import PrescreenConfig
from lupustrial.protocol.dates import add_months, add_years


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


@dataclass(frozen=True)
class Windows:
    """Every window of the criteria as the first day inside it, for one as-of date."""

    as_of: dt.date
    diagnosis: dt.date  # I2: first diagnosis on or after this is within the months
    sledai: dt.date  # I3: results on or after this count
    liver_result: dt.date  # E4: an AST/ALT result older than this decides nothing
    kidney_result: dt.date  # E5: a creatinine result older than this decides nothing
    active_condition: dt.date  # E6
    malignancy: dt.date  # E7: last evidence on or after this excludes
    cervical_in_situ: dt.date  # E7 exception
    pregnancy: dt.date  # E9: a pregnancy record or positive test this recent
    pregnancy_test: dt.date  # E9: a negative test this recent
    lactation: dt.date  # E10
    live_vaccine: dt.date  # E12: a live vaccine on or after this day excludes

    @classmethod
    def of(cls, as_of: dt.date, config: PrescreenConfig) -> Windows:
        protocol = config.protocol
        return cls(
            as_of=as_of,
            diagnosis=earliest_start(
                as_of, lambda d: add_months(d, protocol.months_since_diagnosis)
            ),
            sledai=days_before(as_of, config.sledai_lookback_days),
            liver_result=days_before(as_of, config.liver_result_max_age_days),
            kidney_result=days_before(as_of, config.kidney_result_max_age_days),
            active_condition=days_before(as_of, config.active_condition_days),
            malignancy=earliest_start(
                as_of, lambda d: add_years(d, protocol.malignancy_recurrence_free_years)
            ),
            cervical_in_situ=earliest_start(
                as_of, lambda d: add_years(d, protocol.cervical_in_situ_recurrence_free_years)
            ),
            pregnancy=days_before(as_of, config.pregnancy_lookback_days),
            pregnancy_test=days_before(as_of, protocol.pregnancy_test_window_days),
            lactation=days_before(as_of, config.lactation_lookback_days),
            live_vaccine=days_before(as_of, protocol.live_vaccine_window_days),
        )
