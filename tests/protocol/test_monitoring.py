"""The monitoring plan's computations (Enforcement Regulations Art. 17; ICH E6(R2) 5.18):
SDV progress of the CRFs the plan verifies, query ageing bands at their edges, the next visit."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.monitoring import (
    ART_17,
    MonitoringPlan,
    SdvProgress,
    age_band,
    bands,
    next_visit_due,
    sdv_progress,
)

PLAN = DEFAULT_PROTOCOL.monitoring


def test_sdv_progress_counts_the_forms_the_plan_verifies() -> None:
    forms = [("labs", True), ("vitals", False), ("sledai2k", True), ("not_a_crf", True)]
    progress = sdv_progress(forms, PLAN)
    assert (progress.saved, progress.verified, progress.percent) == (3, 2, 66.7)
    assert SdvProgress().percent is None  # nothing saved: no percentage, not 0 %
    narrow = MonitoringPlan(sdv_crfs=("sledai2k",))
    assert sdv_progress(forms, narrow).percent == 100.0


@pytest.mark.parametrize(
    ("days", "band"),
    [(0, "0-7"), (7, "0-7"), (8, "8-30"), (30, "8-30"), (31, ">30")],
)
def test_query_ageing_bands_at_their_edges(days: int, band: str) -> None:
    assert age_band(days, PLAN) == band
    assert bands(PLAN) == ["0-7", "8-30", ">30"]


def test_the_next_visit_is_due_an_interval_after_the_last_or_the_first_enrolment() -> None:
    day = dt.date(2025, 1, 10)
    assert next_visit_due(None, None, PLAN) is None
    assert next_visit_due(None, day, PLAN) == dt.date(2025, 4, 10)
    assert next_visit_due(dt.date(2025, 3, 1), day, PLAN) == dt.date(2025, 5, 30)
    assert ART_17 in PLAN.source
