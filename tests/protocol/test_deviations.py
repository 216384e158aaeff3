"""The deviation rules (Enforcement Regulations Art. 15) at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.deviations import (
    DeviationCategory,
    consent_after_procedure,
    enrolled_not_eligible,
    prohibited_medication,
    signature_voided,
    visit_window_finding,
)
from lupustrial.protocol.schedule import visit_definition

FIRST = dt.date(2026, 1, 5)
W4 = visit_definition("W4").window(FIRST)  # 2026-01-26 .. 2026-02-09


def test_every_declared_category_of_the_issue_with_its_source() -> None:
    rules = DEFAULT_PROTOCOL.deviations
    assert [c.code.value for c in rules.categories] == [
        "eligibility", "consent", "visit_window", "dosing", "prohibited_medication",
        "procedure_not_done", "other",
    ]  # fmt: skip
    assert all("Art. 15" in c.source or "0331" in c.source for c in rules.categories)
    assert all(c.label_ja for c in rules.categories)
    with pytest.raises(ValueError, match=r"unknown deviation category 'late'.*eligibility"):
        rules.category("late")


def test_a_visit_on_the_last_day_of_its_window_is_no_deviation_the_day_after_is() -> None:
    start, end = W4
    assert (start, end) == (dt.date(2026, 1, 26), dt.date(2026, 2, 9))
    assert visit_window_finding("TKY-001", "W4", W4, end, False, end) is None
    assert visit_window_finding("TKY-001", "W4", W4, start, False, end) is None
    late = visit_window_finding("TKY-001", "W4", W4, end + dt.timedelta(days=1), False, end)
    early = visit_window_finding("TKY-001", "W4", W4, start - dt.timedelta(days=1), False, end)
    assert late is not None
    assert early is not None
    assert late.category is DeviationCategory.VISIT_WINDOW
    assert late.occurred_on == dt.date(2026, 2, 10)
    assert "outside its window 2026-01-26 to 2026-02-09" in late.description


def test_an_undone_visit_is_suggested_from_the_day_after_its_window_closes() -> None:
    _start, end = W4
    assert visit_window_finding("TKY-001", "W4", W4, None, False, end) is None
    overdue = visit_window_finding("TKY-001", "W4", W4, None, False, end + dt.timedelta(days=1))
    assert overdue is not None
    assert "not done" in overdue.description
    assert overdue.occurred_on == end
    missed = visit_window_finding("TKY-001", "W4", W4, None, True, end)
    assert missed is not None
    assert "missed" in missed.description
    assert missed.key == overdue.key == "visit_window:TKY-001:W4"


def test_consent_on_the_day_of_a_procedure_is_fine_the_day_after_is_not() -> None:
    day = dt.date(2026, 1, 3)
    assert consent_after_procedure("S-1", day, {"screening SLEDAI-2K": day}) is None
    assert consent_after_procedure("S-1", None, {"screening SLEDAI-2K": day}) is None
    later = consent_after_procedure(
        "S-1", day + dt.timedelta(days=1), {"screening SLEDAI-2K": day, "pregnancy test": day}
    )
    assert later is not None
    assert later.category is DeviationCategory.CONSENT
    assert later.occurred_on == day
    assert "after pregnancy test 2026-01-03, screening SLEDAI-2K 2026-01-03" in later.description


def test_an_enrolled_subject_no_longer_eligible_and_a_voided_signature() -> None:
    today = dt.date(2026, 3, 1)
    assert enrolled_not_eligible("TKY-001", "eligible", [], today) is None
    finding = enrolled_not_eligible("TKY-001", "ineligible", ["E4"], today)
    assert finding is not None
    assert finding.category is DeviationCategory.ELIGIBILITY
    assert "now ineligible (E4)" in finding.description
    incomplete = enrolled_not_eligible("TKY-001", "incomplete", [], today)
    assert incomplete is not None
    voided = signature_voided("TKY-001", "7", today)
    assert voided.key == "signature_voided:TKY-001:7"
    assert voided.category is DeviationCategory.ELIGIBILITY


def test_a_prohibited_medication_by_name_or_brand_and_an_allowed_one() -> None:
    rules = DEFAULT_PROTOCOL.deviations
    day = dt.date(2026, 2, 1)
    assert prohibited_medication("TKY-001", "W4", "hydroxychloroquine", day, rules) is None
    found = prohibited_medication("TKY-001", "W4", "Benlysta", day, rules)
    assert found is not None
    assert found.category is DeviationCategory.PROHIBITED_MEDICATION
    assert found.key == "prohibited_medication:TKY-001:W4:belimumab"
    assert not rules.prohibited_medications_confirmed  # a protocol choice, said so


def test_an_infusion_28_plus_or_minus_7_days_after_the_last_at_300_mg_is_in_protocol() -> None:
    from lupustrial.protocol.deviations import infusion_finding

    rules = DEFAULT_PROTOCOL.deviations
    last = dt.date(2026, 1, 5)
    for days in (21, 28, 35):
        day = last + dt.timedelta(days=days)
        assert infusion_finding("TKY-001", "W4", day, 300, last, rules) is None
    for days in (20, 36):
        late = infusion_finding("TKY-001", "W4", last + dt.timedelta(days=days), 300, last, rules)
        assert late is not None
        assert late.category is DeviationCategory.DOSING
        assert f"{days} days after the previous infusion (21 to 35 in protocol)" in late.description
    assert infusion_finding("TKY-001", "W0", last, 300, None, rules) is None
    low = infusion_finding("TKY-001", "W0", last, 150, None, rules)
    assert low is not None
    assert "150 mg instead of 300 mg" in low.description
