"""Where a visit stands on a site's today: the worklists' due and overdue, at the edges."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.schedule import DUE_SOON_DAYS, VisitTiming, visit_timing

OPENS = dt.date(2026, 3, 23)
CLOSES = dt.date(2026, 4, 6)


def _on(today: dt.date, *, done: bool = False) -> VisitTiming:
    return visit_timing(OPENS, CLOSES, today, done=done)


@pytest.mark.parametrize(
    ("today", "timing"),
    [
        (OPENS - dt.timedelta(days=DUE_SOON_DAYS + 1), VisitTiming.NOT_YET),
        (OPENS - dt.timedelta(days=DUE_SOON_DAYS), VisitTiming.OPENING),  # exactly 7 days
        (OPENS - dt.timedelta(days=1), VisitTiming.OPENING),
        (OPENS, VisitTiming.OPEN),  # the day the window opens
        (CLOSES, VisitTiming.OPEN),  # the day it closes: still in window
        (CLOSES + dt.timedelta(days=1), VisitTiming.OVERDUE),
    ],
)
def test_a_planned_visit_is_due_from_seven_days_before_its_window_until_it_closes(
    today: dt.date, timing: VisitTiming
) -> None:
    assert DUE_SOON_DAYS == 7
    assert _on(today) is timing
    assert timing.due is (timing in (VisitTiming.OPENING, VisitTiming.OPEN))


def test_a_visit_with_a_date_is_neither_due_nor_overdue() -> None:
    assert _on(CLOSES + dt.timedelta(days=30), done=True) is VisitTiming.DONE
    assert _on(OPENS, done=True) is VisitTiming.DONE


def test_an_unscheduled_visit_has_no_window_and_no_timing() -> None:
    assert visit_timing(None, None, OPENS, done=False) is VisitTiming.UNSCHEDULED


def test_a_window_that_closes_before_it_opens_is_an_error() -> None:
    with pytest.raises(ValueError, match="closes"):
        visit_timing(CLOSES, OPENS, OPENS, done=False)


def test_the_expected_forms_are_crfs_of_the_visit_record() -> None:
    from lupustrial.protocol.crfs import CRF_MODELS
    from lupustrial.protocol.schedule import EXPECTED_FORMS

    assert set(EXPECTED_FORMS) <= set(CRF_MODELS)
    assert {"sledai2k", "disease_activity", "glucocorticoids"} <= set(EXPECTED_FORMS)
