"""Safety declarations: seriousness tiers, causality, expectedness by MedDRA code, clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.safety.causality import DEFAULT_CAUSALITY, CausalityScale
from lupustrial.protocol.safety.expectedness import (
    ANIFROLUMAB_RSI,
    Expectedness,
    ExpectedReaction,
    ReferenceSafetyInformation,
)
from lupustrial.protocol.safety.reporting import (
    REPORTING_RULES,
    Clock,
    Recipient,
    ReportableEvent,
    clocks_for,
    clocks_over_versions,
    deadline,
)
from lupustrial.protocol.safety.seriousness import (
    SERIOUSNESS_CRITERIA,
    Seriousness,
    Tier,
    tier_of,
)

DAY0 = dt.date(2026, 3, 2)


def event(
    tier: Tier,
    expectedness: Expectedness = Expectedness.UNEXPECTED,
    *,
    suspected: bool = True,
    aware: dt.date = DAY0,
) -> ReportableEvent:
    return ReportableEvent(
        tier=tier, suspected=suspected, expectedness=expectedness, aware_date=aware
    )


def due(clocks: list[Clock], recipient: Recipient) -> list[tuple[str, dt.date | None]]:
    return [(c.rule.id, c.due) for c in clocks if c.rule.recipient is recipient]


# -- seriousness ---------------------------------------------------------------------------------


def test_japan_list_has_may_lead_to_disability_and_every_criterion_cites_its_source() -> None:
    codes = {c.code for c in SERIOUSNESS_CRITERIA}
    assert codes == set(Seriousness)
    assert all("Art. 54" in c.source for c in SERIOUSNESS_CRITERIA)
    assert all(c.label and c.label_ja for c in SERIOUSNESS_CRITERIA)


@pytest.mark.parametrize(
    ("ticked", "tier"),
    [
        ([], Tier.NON_SERIOUS),
        (["hospitalisation"], Tier.SERIOUS),
        (["may_lead_to_disability"], Tier.SERIOUS),
        (["medically_important", "congenital_anomaly"], Tier.SERIOUS),
        (["life_threatening"], Tier.DEATH),
        (["hospitalisation", "death"], Tier.DEATH),
    ],
)
def test_tier_is_the_heaviest_criterion_ticked(ticked: list[str], tier: Tier) -> None:
    assert tier_of(ticked) is tier


def test_an_unknown_seriousness_criterion_is_an_error_not_non_serious() -> None:
    with pytest.raises(ValueError, match="unknown seriousness criterion 'hospitalization'"):
        tier_of(["hospitalization"])


# -- causality -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "suspected"),
    [
        ("not related", False),
        ("unlikely", False),
        ("possible", True),
        ("probable", True),
        ("definite", True),
    ],
)
def test_suspected_grades_are_declared(grade: str, suspected: bool) -> None:
    assert DEFAULT_CAUSALITY.is_suspected(grade) is suspected


def test_a_grade_off_the_scale_is_an_error() -> None:
    with pytest.raises(ValueError, match="'likely' is not on the scale"):
        DEFAULT_CAUSALITY.is_suspected("likely")


def test_a_scale_whose_suspected_grades_are_not_on_it_is_refused() -> None:
    with pytest.raises(ValidationError, match="not on the scale"):
        CausalityScale(name="x", grades=("no", "yes"), suspected=frozenset({"maybe"}), source="s")


# -- expectedness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (10040555, Expectedness.EXPECTED),  # CTCAE "Shingles"
        (10019974, Expectedness.EXPECTED),  # PT Herpes zoster ("other, specify" with a code)
        (10046300, Expectedness.EXPECTED),  # CTCAE "Upper respiratory infection"
        (10051792, Expectedness.EXPECTED),  # CTCAE "Infusion related reaction"
        (10001718, Expectedness.EXPECTED),  # CTCAE "Allergic reaction" = hypersensitivity
        (10055078, Expectedness.EXPECTED),  # CTCAE "Bronchial infection"
        (10002218, Expectedness.UNEXPECTED),  # CTCAE "Anaphylaxis": not listed
        (10002272, Expectedness.UNEXPECTED),  # CTCAE "Anemia"
        (None, Expectedness.UNKNOWN),  # free text, not coded
    ],
)
def test_expectedness_is_matched_by_meddra_code(code: int | None, expected: Expectedness) -> None:
    assert ANIFROLUMAB_RSI.expectedness(code) is expected


def test_rsi_carries_version_and_date_and_awaits_the_principal_investigator() -> None:
    rsi = DEFAULT_PROTOCOL.safety.reference_safety_information
    assert rsi.version
    assert rsi.date
    assert rsi.confirmed_by_principal_investigator is False
    terms = {r.term for r in rsi.reactions}
    assert {"herpes zoster", "upper respiratory tract infection", "bronchitis"} <= terms


def test_rsi_refuses_a_code_listed_twice_and_a_code_that_is_not_meddra() -> None:
    with pytest.raises(ValidationError, match="listed twice"):
        ReferenceSafetyInformation(
            document="d",
            version="1",
            date=DAY0,
            reactions=(
                ExpectedReaction(term="a", meddra_codes=(10019974,)),
                ExpectedReaction(term="b", meddra_codes=(10019974,)),
            ),
        )
    with pytest.raises(ValidationError, match="not a MedDRA code"):
        ExpectedReaction(term="a", meddra_codes=(123,))
    with pytest.raises(ValueError, match="not a MedDRA code"):
        ANIFROLUMAB_RSI.expectedness(42)


# -- reporting rules and clocks ------------------------------------------------------------------


def test_every_rule_cites_a_source_and_unconfirmed_ones_say_why() -> None:
    for rule in REPORTING_RULES:
        assert rule.source
        if not rule.confirmed:
            assert "Not confirmed" in rule.note


def test_unexpected_death_is_due_in_7_days_to_the_board_and_to_pmda() -> None:
    clocks = clocks_for(event(Tier.DEATH))
    assert due(clocks, Recipient.REVIEW_BOARD) == [("CRB-7", dt.date(2026, 3, 9))]
    assert due(clocks, Recipient.MINISTER) == [("PMDA-7", dt.date(2026, 3, 9))]


def test_expected_death_is_due_in_15_days_to_the_board_only() -> None:
    clocks = clocks_for(event(Tier.DEATH, Expectedness.EXPECTED))
    assert due(clocks, Recipient.REVIEW_BOARD) == [("CRB-15-expected-death", dt.date(2026, 3, 17))]
    assert due(clocks, Recipient.MINISTER) == []


def test_unexpected_serious_is_due_in_15_days() -> None:
    clocks = clocks_for(event(Tier.SERIOUS))
    assert due(clocks, Recipient.REVIEW_BOARD) == [
        ("CRB-15-unexpected-serious", dt.date(2026, 3, 17))
    ]
    assert due(clocks, Recipient.MINISTER) == [("PMDA-15", dt.date(2026, 3, 17))]


def test_expected_serious_and_non_serious_go_to_the_periodic_report() -> None:
    for tier, expectedness in (
        (Tier.SERIOUS, Expectedness.EXPECTED),
        (Tier.NON_SERIOUS, Expectedness.UNEXPECTED),
        (Tier.NON_SERIOUS, Expectedness.EXPECTED),
    ):
        clocks = clocks_for(event(tier, expectedness))
        assert [c.due for c in clocks] == [None]
        assert clocks[0].rule.recipient is Recipient.REVIEW_BOARD


def test_every_off_label_rule_is_confirmed_at_its_sources() -> None:
    # Art. 54(1)(i)-(ii) as tabled by NCGM, Osaka University Hospital and Kumamoto University
    # Hospital: the 30 days of Art. 54(1)(iv) belong to an approved drug used within its label.
    unconfirmed = [rule.id for rule in REPORTING_RULES if not rule.confirmed]
    assert unconfirmed == []
    (expected_serious,) = [r for r in REPORTING_RULES if r.id == "CRB-periodic-expected-serious"]
    assert expected_serious.days is None
    for source in ("para. 1 items i-ii", "NCGM", "Osaka University Hospital", "Kumamoto"):
        assert source in expected_serious.source
    assert "item iv" in expected_serious.note
    assert "30 days" in expected_serious.note
    assert all(rule.days != 30 for rule in REPORTING_RULES)


@pytest.mark.parametrize(
    ("day", "open_expedited"),
    [(0, False), (14, False), (15, False), (16, False), (29, False), (30, False), (31, False)],
)
def test_expected_serious_non_death_has_no_expedited_clock_on_any_day(
    day: int, open_expedited: bool
) -> None:
    clocks = clocks_for(event(Tier.SERIOUS, Expectedness.EXPECTED))
    today = DAY0 + dt.timedelta(days=day)
    assert [c.rule.id for c in clocks] == ["CRB-periodic-expected-serious"]
    assert any(c.due is not None for c in clocks) is open_expedited
    assert not any(c.overdue(today) for c in clocks)
    assert clocks[0].days_left(today) is None


@pytest.mark.parametrize(
    ("tier", "expectedness", "days"),
    [
        (Tier.DEATH, Expectedness.UNEXPECTED, 7),
        (Tier.DEATH, Expectedness.EXPECTED, 15),
        (Tier.SERIOUS, Expectedness.UNEXPECTED, 15),
    ],
)
def test_each_expedited_rule_is_on_time_on_its_last_day_and_overdue_the_next(
    tier: Tier, expectedness: Expectedness, days: int
) -> None:
    clocks = [c for c in clocks_for(event(tier, expectedness)) if c.due is not None]
    assert clocks
    for clock in clocks:
        assert clock.rule.days == days
        last_day = DAY0 + dt.timedelta(days=days)
        assert clock.due == last_day
        assert not clock.overdue(last_day - dt.timedelta(days=1))
        assert not clock.overdue(last_day)
        assert clock.overdue(last_day + dt.timedelta(days=1))


def test_expected_serious_event_that_becomes_fatal_gets_15_days_from_the_death() -> None:
    serious = event(Tier.SERIOUS, Expectedness.EXPECTED, aware=DAY0)
    fatal = event(Tier.DEATH, Expectedness.EXPECTED, aware=DAY0 + dt.timedelta(days=20))
    clocks = clocks_over_versions([serious, fatal])
    assert due(clocks, Recipient.REVIEW_BOARD) == [("CRB-15-expected-death", dt.date(2026, 4, 6))]


def test_an_event_not_suspected_starts_no_clock() -> None:
    assert clocks_for(event(Tier.DEATH, suspected=False)) == []


def test_uncoded_event_takes_the_stricter_unexpected_deadline_and_says_so() -> None:
    clocks = clocks_for(event(Tier.DEATH, Expectedness.UNKNOWN))
    assert [c.rule.id for c in clocks] == ["CRB-7", "PMDA-7"]
    assert all(c.assumed_unexpected for c in clocks)


def test_deadline_day_is_on_time_and_the_day_after_is_overdue() -> None:
    (clock, _) = clocks_for(event(Tier.DEATH))
    deadline_day = DAY0 + dt.timedelta(days=7)
    assert clock.due == deadline_day
    assert clock.days_left(deadline_day) == 0
    assert not clock.overdue(deadline_day)
    assert clock.days_left(deadline_day + dt.timedelta(days=1)) == -1
    assert clock.overdue(deadline_day + dt.timedelta(days=1))
    assert clock.days_left(DAY0) == 7


def test_deadline_counts_calendar_days_across_month_and_year_ends() -> None:
    assert deadline(dt.date(2026, 12, 28), 7) == dt.date(2027, 1, 4)
    assert deadline(dt.date(2028, 2, 20), 15) == dt.date(2028, 3, 6)  # leap year


def test_a_later_version_that_makes_the_event_serious_starts_the_clock_on_its_aware_date() -> None:
    first = event(Tier.NON_SERIOUS, aware=DAY0)
    serious = event(Tier.SERIOUS, aware=DAY0 + dt.timedelta(days=10))
    clocks = clocks_over_versions([first, serious])
    assert due(clocks, Recipient.REVIEW_BOARD) == [
        ("CRB-15-unexpected-serious", dt.date(2026, 3, 27))
    ]


def test_a_correction_that_keeps_the_tier_keeps_the_deadline() -> None:
    first = event(Tier.SERIOUS, aware=DAY0)
    corrected = event(Tier.SERIOUS, aware=DAY0 + dt.timedelta(days=4))
    clocks = clocks_over_versions([first, corrected])
    assert due(clocks, Recipient.REVIEW_BOARD) == [
        ("CRB-15-unexpected-serious", dt.date(2026, 3, 17))
    ]


def test_a_serious_event_that_becomes_fatal_gets_the_7_day_clock_from_the_death() -> None:
    serious = event(Tier.SERIOUS, aware=DAY0)
    fatal = event(Tier.DEATH, aware=DAY0 + dt.timedelta(days=3))
    clocks = clocks_over_versions([serious, fatal])
    assert due(clocks, Recipient.REVIEW_BOARD) == [("CRB-7", dt.date(2026, 3, 12))]


def test_protocol_config_carries_the_safety_declarations() -> None:
    assert DEFAULT_PROTOCOL.safety.reporting_rules == REPORTING_RULES
    assert DEFAULT_PROTOCOL.safety.causality == DEFAULT_CAUSALITY
