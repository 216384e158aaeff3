"""The as-of date moves every window: the same records answer differently on another day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from lupustrial.prescreen.engine import run_prescreen
from lupustrial.prescreen.omop import open_database
from lupustrial.prescreen.synthetic import EDGE_PERSON_ID
from lupustrial.prescreen.windows import earliest_start
from lupustrial.protocol.dates import add_months, add_years

from .conftest import AS_OF, by_person


def test_later_as_of_moves_windows_and_ignores_nothing_new(omop_dir: Path) -> None:
    later = AS_OF + dt.timedelta(days=1)
    rows = by_person(run_prescreen(open_database(str(omop_dir)), later))
    # The last day of the six-month window is now one day behind.
    assert rows[EDGE_PERSON_ID["dx_on_6_month_boundary"]]["I2.recent"]["status"] == "not_met"
    # Day 30 becomes day 31; the 18th birthday is yesterday's; the 80th too.
    # (no longer met; unknown since the observation period ended the day before)
    assert rows[EDGE_PERSON_ID["live_vaccine_day_30"]]["E12"]["status"] == "unknown"
    assert rows[EDGE_PERSON_ID["turns_18_tomorrow"]]["I4"]["status"] == "met"
    assert rows[EDGE_PERSON_ID["turns_80_tomorrow"]]["I4"]["status"] == "not_met"
    assert rows[EDGE_PERSON_ID["malignancy_5_years_to_the_day"]]["E7"]["status"] != "met"
    assert rows[EDGE_PERSON_ID["baseline"]]["E11"]["status"] == "unknown"
    # The drug dated 5 days after AS_OF is still in the future.
    assert rows[EDGE_PERSON_ID["drug_after_as_of"]]["I2.untreated"]["status"] != "not_met"


def test_earlier_as_of_ignores_later_records(omop_dir: Path) -> None:
    earlier = AS_OF - dt.timedelta(days=100)
    rows = by_person(run_prescreen(open_database(str(omop_dir)), earlier))
    # Diagnosed 60 days before AS_OF: not yet diagnosed 100 days before, so not in the cohort.
    assert EDGE_PERSON_ID["baseline"] not in rows


def test_earliest_start_matches_the_protocol_calendar() -> None:
    for as_of in (dt.date(2024, 2, 29), dt.date(2023, 3, 31), dt.date(2025, 1, 15)):
        steps: tuple[Callable[[dt.date], dt.date], ...] = (
            lambda d: add_months(d, 6),
            lambda d: add_years(d, 5),
        )
        for step in steps:
            cut = earliest_start(as_of, step)
            assert step(cut) >= as_of
            assert step(cut - dt.timedelta(days=1)) < as_of
