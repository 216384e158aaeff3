"""Investigational product accountability: anifrolumab lots, their movements, expiry and the
reconciliation of counts, as plain values (no database).

ICH E6(R2) (2016), 4.6.3: the site keeps records of the product's delivery, inventory, use by
each subject and return or disposal, with dates, quantities, batch (lot) numbers and expiry
dates, and these reconcile with the product received. Clinical Trials Act Enforcement
Regulations (MHLW Ordinance No. 17 of 2018), Art. 25 asks the same of specified clinical
research that uses unapproved or off-label products (records of the product's management).

Counting, in vials: on hand = received - dispensed - returned - destroyed, where *returned*
means sent back to the supplier and *destroyed* disposed of at the site. Every vial dispensed
goes to one infusion; an infusion of 300 mg takes one 300 mg/2 mL vial (Saphnelo prescribing
information, 2021). A lot may be used up to and including its expiry date ("use by" the date,
EU GMP Annex 13 (2010) 26 and the label's EXP), so an infusion on the expiry date is in date
and one the day after is not.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import Field

from lupustrial.clinical.model import StrictModel

ICH_E6_463 = "ICH E6(R2) (2016), 4.6.3 (investigational product accountability)"
ART_25 = (
    "Clinical Trials Act Enforcement Regulations (MHLW Ordinance No. 17 of 2018), Art. 25 "
    "(quality of the products used, and records of their lots and handling; the article's "
    "reach over an approved product used off-label is for the principal investigator to "
    "confirm)"
)
EXPIRY_RULE = (
    "usable up to and including the expiry date (EU GMP Annex 13 (2010) 26; 'EXP' on the "
    "label): a protocol choice for the principal investigator to confirm"
)


class MovementKind(StrEnum):
    RECEIVED = "received"  # into the site's stock from the supplier
    DISPENSED = "dispensed"  # out of stock, for one subject's infusion
    RETURNED = "returned"  # sent back to the supplier
    DESTROYED = "destroyed"  # disposed of at the site


_OUT = frozenset({MovementKind.DISPENSED, MovementKind.RETURNED, MovementKind.DESTROYED})


class ProductRules(StrictModel):
    """What the study declares about its product: the vial and how far ahead expiry warns."""

    vial_mg: float = Field(
        default=300.0, gt=0, description="Anifrolumab per vial (300 mg/2 mL, Saphnelo PI 2021)."
    )
    expiry_warning_days: int = Field(
        default=30,
        ge=0,
        description="A lot with stock that expires within this many days is listed (a protocol "
        "choice).",
    )
    usable_on_expiry_date: bool = Field(default=True, description=EXPIRY_RULE)
    source: str = f"{ICH_E6_463}; {ART_25}"


class Movement(StrictModel):
    """One movement of one lot: what, how many vials, on which (site) date."""

    kind: MovementKind
    vials: int = Field(gt=0)
    on: dt.date


class Balance(StrictModel):
    """A lot's counts in vials."""

    received: int = 0
    dispensed: int = 0
    returned: int = 0
    destroyed: int = 0

    @property
    def on_hand(self) -> int:
        return self.received - self.dispensed - self.returned - self.destroyed


def balance(movements: Iterable[Movement]) -> Balance:
    """The lot's counts from its movements."""
    counts = {kind.value: 0 for kind in MovementKind}
    for movement in movements:
        counts[movement.kind.value] += movement.vials
    return Balance(**counts)


class AccountabilityError(ValueError):
    """A movement the rules refuse; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def in_date(expiry: dt.date, day: dt.date, rules: ProductRules) -> bool:
    """Whether a lot may be used on ``day`` (the expiry date itself is in date by default)."""
    return day <= expiry if rules.usable_on_expiry_date else day < expiry


def check_movement(
    new: Movement, before: Sequence[Movement], expiry: dt.date, rules: ProductRules
) -> Balance:
    """The balance after ``new``, or an `AccountabilityError`: nothing leaves stock before the
    lot was received or beyond what is on hand on that day, and nothing is dispensed once the
    lot has expired."""
    if new.kind is not MovementKind.RECEIVED:
        received = [m.on for m in before if m.kind is MovementKind.RECEIVED]
        if not received or new.on < min(received):
            raise AccountabilityError("on", "the lot was not yet received on that day")
    if new.kind is MovementKind.DISPENSED and not in_date(expiry, new.on, rules):
        raise AccountabilityError(
            "on", f"the lot expired on {expiry.isoformat()}: it cannot be dispensed"
        )
    # Stock may never go below zero on any day, counting movements in date order.
    ordered = sorted([*before, new], key=lambda m: (m.on, m.kind in _OUT))  # receipts first
    stock = 0
    for movement in ordered:
        stock += -movement.vials if movement.kind in _OUT else movement.vials
        if stock < 0:
            raise AccountabilityError(
                "vials",
                f"only {stock + movement.vials} vials on hand on {movement.on.isoformat()}",
            )
    return balance([*before, new])


def vials_for(dose_mg: float, rules: ProductRules) -> int:
    """Vials one infusion takes: its dose in whole vials (300 mg: one)."""
    return max(1, math.ceil(dose_mg / rules.vial_mg - 1e-9))


class Infused(StrictModel):
    """One infusion given, as the infusion form recorded it."""

    subject: str
    visit: str
    on: dt.date
    dose_mg: float
    lot_number: str | None


class Discrepancy(StrictModel):
    """Something the counts do not reconcile, for a person to explain: ``kind`` and ``values``
    let a page say it in its own language; ``what`` says it in English."""

    lot_number: str | None
    kind: str = Field(
        description="no_lot, unknown_lot, after_expiry, count_mismatch, expired_stock or "
        "expiring_stock."
    )
    values: dict[str, str | int] = Field(default_factory=dict)
    what: str


def reconcile(
    lots: dict[str, tuple[dt.date, Balance]],
    infusions: Iterable[Infused],
    rules: ProductRules,
) -> list[Discrepancy]:
    """Each lot's vials dispensed against the infusions recorded from it (ICH E6 4.6.3), and
    each infusion against its lot: named, known at the site and in date on the day."""
    used: dict[str, int] = dict.fromkeys(lots, 0)
    found: list[Discrepancy] = []
    for infusion in infusions:
        where = f"{infusion.subject} {infusion.visit} on {infusion.on.isoformat()}"
        said: dict[str, str | int] = {
            "subject": infusion.subject, "visit": infusion.visit, "on": infusion.on.isoformat(),
        }  # fmt: skip
        if not infusion.lot_number:
            found.append(
                Discrepancy(
                    lot_number=None,
                    kind="no_lot",
                    values=said,
                    what=f"{where}: no lot number recorded",
                )
            )
            continue
        if infusion.lot_number not in lots:
            found.append(
                Discrepancy(
                    lot_number=infusion.lot_number,
                    kind="unknown_lot",
                    values=said,
                    what=f"{where}: lot not known at the site",
                )
            )
            continue
        expiry, _ = lots[infusion.lot_number]
        if not in_date(expiry, infusion.on, rules):
            found.append(
                Discrepancy(
                    lot_number=infusion.lot_number,
                    kind="after_expiry",
                    values={**said, "expiry": expiry.isoformat()},
                    what=f"{where}: infused after the lot's expiry ({expiry.isoformat()})",
                )
            )
        used[infusion.lot_number] += vials_for(infusion.dose_mg, rules)
    for number, (_, counts) in sorted(lots.items()):
        if counts.dispensed != used[number]:
            found.append(
                Discrepancy(
                    lot_number=number,
                    kind="count_mismatch",
                    values={"dispensed": counts.dispensed, "used": used[number]},
                    what=f"{counts.dispensed} vials dispensed, {used[number]} used by the "
                    "infusions recorded",
                )
            )
    return found


def expiry_warnings(
    lots: dict[str, tuple[dt.date, Balance]], today: dt.date, rules: ProductRules
) -> list[Discrepancy]:
    """Lots with vials on hand that have expired (to return or destroy) or expire soon."""
    found = []
    for number, (expiry, counts) in sorted(lots.items()):
        if counts.on_hand <= 0:
            continue
        if not in_date(expiry, today, rules):
            found.append(
                Discrepancy(
                    lot_number=number,
                    kind="expired_stock",
                    values={"expiry": expiry.isoformat(), "on_hand": counts.on_hand},
                    what=f"expired on {expiry.isoformat()} with {counts.on_hand} vials on hand: "
                    "return or destroy them",
                )
            )
        elif (expiry - today).days <= rules.expiry_warning_days:
            found.append(
                Discrepancy(
                    lot_number=number,
                    kind="expiring_stock",
                    values={"expiry": expiry.isoformat(), "on_hand": counts.on_hand},
                    what=f"expires on {expiry.isoformat()} with {counts.on_hand} vials on hand",
                )
            )
    return found
