"""Investigational product accountability as plain values (ICH E6(R2) 4.6.3): counts, what a
movement may not do, expiry at its boundary (the expiry date itself is in date), and the
reconciliation of vials dispensed with the infusions recorded."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.protocol.accountability import (
    AccountabilityError,
    Infused,
    Movement,
    MovementKind,
    ProductRules,
    balance,
    check_movement,
    expiry_warnings,
    in_date,
    reconcile,
    vials_for,
)

D = dt.date
RULES = ProductRules()
EXPIRY = D(2025, 6, 30)
RECEIVED = Movement(kind=MovementKind.RECEIVED, vials=5, on=D(2025, 1, 10))


def _m(kind: str, vials: int, on: dt.date) -> Movement:
    return Movement(kind=MovementKind(kind), vials=vials, on=on)


def test_on_hand_is_received_less_dispensed_returned_and_destroyed() -> None:
    counts = balance(
        [RECEIVED, _m("dispensed", 2, D(2025, 2, 1)), _m("returned", 1, D(2025, 3, 1)),
         _m("destroyed", 1, D(2025, 3, 2))]
    )  # fmt: skip
    assert (counts.received, counts.dispensed, counts.returned, counts.destroyed) == (5, 2, 1, 1)
    assert counts.on_hand == 1


@pytest.mark.parametrize(
    ("day", "allowed"), [(D(2025, 6, 29), True), (D(2025, 6, 30), True), (D(2025, 7, 1), False)]
)
def test_a_lot_is_dispensed_up_to_and_including_its_expiry_date(
    day: dt.date, allowed: bool
) -> None:
    assert in_date(EXPIRY, day, RULES) is allowed
    new = _m("dispensed", 1, day)
    if allowed:
        assert check_movement(new, [RECEIVED], EXPIRY, RULES).on_hand == 4
    else:
        with pytest.raises(AccountabilityError, match="expired on 2025-06-30"):
            check_movement(new, [RECEIVED], EXPIRY, RULES)
    strict = ProductRules(usable_on_expiry_date=False)
    assert in_date(EXPIRY, D(2025, 6, 30), strict) is False


def test_an_expired_lot_may_still_be_returned_or_destroyed() -> None:
    assert check_movement(_m("destroyed", 5, D(2025, 7, 2)), [RECEIVED], EXPIRY, RULES).on_hand == 0


@pytest.mark.parametrize(
    ("new", "before", "field", "message"),
    [
        (_m("dispensed", 6, D(2025, 2, 1)), [RECEIVED], "vials", "only 5 vials on hand"),
        (_m("dispensed", 1, D(2025, 1, 9)), [RECEIVED], "on", "not yet received"),
        (_m("destroyed", 1, D(2025, 2, 1)), [], "on", "not yet received"),
        # a back-dated movement that would leave a later one short
        (_m("dispensed", 5, D(2025, 1, 20)), [RECEIVED, _m("dispensed", 1, D(2025, 2, 1))],
         "vials", "only 0 vials on hand on 2025-02-01"),
    ],
)  # fmt: skip
def test_stock_never_goes_below_zero_nor_leaves_before_it_came(
    new: Movement, before: list[Movement], field: str, message: str
) -> None:
    with pytest.raises(AccountabilityError, match=message) as refused:
        check_movement(new, before, EXPIRY, RULES)
    assert refused.value.field == field


def test_vials_per_infusion() -> None:
    assert (vials_for(300, RULES), vials_for(150, RULES), vials_for(300.4, RULES)) == (1, 1, 2)
    assert vials_for(600, RULES) == 2


def _infused(lot: str | None, on: dt.date, subject: str = "TKY-001") -> Infused:
    return Infused(subject=subject, visit="W4", on=on, dose_mg=300, lot_number=lot)


def test_reconciliation_names_what_does_not_add_up() -> None:
    lots = {"A1": (EXPIRY, balance([RECEIVED, _m("dispensed", 2, D(2025, 2, 1))]))}
    matched = [_infused("A1", D(2025, 2, 1)), _infused("A1", D(2025, 6, 30), "TKY-002")]
    assert reconcile(lots, matched, RULES) == []
    found = reconcile(
        lots,
        [
            _infused("A1", D(2025, 7, 1)),
            _infused(None, D(2025, 3, 1)),
            _infused("ZZ", D(2025, 3, 1)),
        ],
        RULES,
    )
    assert [d.what.split(": ", 1)[-1] for d in found] == [
        "infused after the lot's expiry (2025-06-30)",
        "no lot number recorded",
        "lot not known at the site",
        "2 vials dispensed, 1 used by the infusions recorded",
    ]


@pytest.mark.parametrize(
    ("today", "warned"),
    [
        (D(2025, 5, 30), False),
        (D(2025, 5, 31), True),
        (D(2025, 6, 30), True),
        (D(2025, 7, 1), True),
    ],
)
def test_expiry_warns_thirty_days_ahead_and_after(today: dt.date, warned: bool) -> None:
    lots = {"A1": (EXPIRY, balance([RECEIVED])), "EMPTY": (EXPIRY, balance([]))}
    found = expiry_warnings(lots, today, RULES)
    assert [d.lot_number for d in found] == (["A1"] if warned else [])
    if today > EXPIRY:
        assert "return or destroy" in found[0].what


def test_vials_received_in_the_morning_may_be_dispensed_the_same_day() -> None:
    same_day = _m("dispensed", 5, RECEIVED.on)
    assert check_movement(same_day, [RECEIVED], EXPIRY, RULES).on_hand == 0
