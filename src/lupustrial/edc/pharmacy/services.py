"""Every change to drug accountability, checked by `protocol.accountability` and written to the
audit trail in one place; and each site's counts, reconciliation and expiry warnings.

Investigators and coordinators record lots and movements (`Can.MANAGE_PRODUCT`) at their own
sites; anyone who sees the site's subjects sees its accountability (the monitor checks it).
Bad input raises `ProductInputError` naming the field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupustrial.clinical.units import DoseMass
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record
from lupustrial.edc.pharmacy.models import DrugLot, LotMovement, MovementKind
from lupustrial.edc.study.characters import invalid_character
from lupustrial.edc.study.models import FormData, Subject
from lupustrial.edc.study.services import (
    NotAllowedError,
    User,
    account,
    profile_of,
    visible_sites,
)
from lupustrial.protocol import accountability as rules
from lupustrial.protocol.accountability import AccountabilityError, Balance, Discrepancy

FORM = "drug_accountability"
PRODUCT = rules.ProductRules()
"""The study's product rules (300 mg vials, expiry warning days, use on the expiry date)."""


class ProductInputError(ValueError):
    """Input accountability refuses; ``field`` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _may_manage(user: User, site: Site) -> None:
    profile = profile_of(user)
    if not profile.can(Can.MANAGE_PRODUCT):
        raise NotAllowedError(
            _("Your role may not do this (%(what)s).") % {"what": Can.MANAGE_PRODUCT.value}
        )
    if not profile.all_sites and not profile.works_at(site.pk):
        raise NotAllowedError(_("This site is not one you work at."))


def _text(field: str, value: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    character = invalid_character(text)
    if character:
        raise ProductInputError(
            field,
            _("This field holds a character that cannot be stored (%(character)s): remove it.")
            % {"character": character},
        )
    if required and not text:
        raise ProductInputError(field, _("This field is required."))
    return text


def _movements(lot: DrugLot) -> list[rules.Movement]:
    return [
        rules.Movement(kind=rules.MovementKind(m.kind), vials=m.vials, on=m.on)
        for m in lot.movements.all()
    ]


def _audit(user: User, lot: DrugLot, movement: LotMovement, reason: str) -> None:
    record(
        user,
        Action.CREATE,
        subject=movement.subject if movement.subject is not None else "",
        form=FORM,
        field=f"{lot.site.code}:{lot.lot_number}",
        # The movement's key, so that `pharmacy.reconcile` pairs each row with its entry.
        new={
            "movement": movement.pk,
            "lot_number": lot.lot_number,
            "expiry_date": lot.expiry_date.isoformat(),
            "kind": movement.kind,
            "vials": movement.vials,
            "on": movement.on.isoformat(),
            "note": movement.note,
        },
        reason=reason,
    )


@transaction.atomic
def receive_lot(
    user: User,
    site: Site,
    lot_number: str,
    expiry_date: dt.date | None,
    vials: int | None,
    on: dt.date | None,
    note: str = "",
) -> DrugLot:
    """A lot received at the site (new, or more vials of a lot already held)."""
    _may_manage(user, site)
    number = _text("lot_number", lot_number, required=True)
    note = _text("note", note)
    if expiry_date is None:
        raise ProductInputError("expiry_date", _("Give the expiry date on the label."))
    lot = DrugLot.objects.select_for_update().filter(site=site, lot_number=number).first()
    if lot is not None and lot.expiry_date != expiry_date:
        raise ProductInputError(
            "expiry_date",
            _("Lot %(lot)s is recorded with expiry %(expiry)s; check the label.")
            % {"lot": number, "expiry": lot.expiry_date.isoformat()},
        )
    if lot is None:
        try:
            with transaction.atomic():
                lot = DrugLot.objects.create(
                    site=site, lot_number=number, expiry_date=expiry_date, recorded_by=account(user)
                )
        except IntegrityError:  # a concurrent receipt of the same lot: read it again
            lot = DrugLot.objects.select_for_update().get(site=site, lot_number=number)
    _move(user, lot, MovementKind.RECEIVED, vials, on, None, note)
    return lot


@transaction.atomic
def record_movement(
    user: User,
    lot: DrugLot,
    kind: str,
    vials: int | None,
    on: dt.date | None,
    subject: Subject | None = None,
    note: str = "",
) -> LotMovement:
    """Vials of a lot dispensed (for a subject of the site), returned or destroyed."""
    _may_manage(user, lot.site)
    lot = DrugLot.objects.select_for_update().select_related("site").get(pk=lot.pk)
    if kind not in MovementKind.values or kind == MovementKind.RECEIVED:
        raise ProductInputError("kind", _("Choose dispensed, returned or destroyed."))
    return _move(user, lot, MovementKind(kind), vials, on, subject, _text("note", note))


def _move(
    user: User,
    lot: DrugLot,
    kind: MovementKind,
    vials: int | None,
    on: dt.date | None,
    subject: Subject | None,
    note: str,
) -> LotMovement:
    if not isinstance(vials, int) or vials < 1:
        raise ProductInputError("vials", _("Give the number of vials, 1 or more."))
    if on is None:
        raise ProductInputError("on", _("Give the date."))
    if on > lot.site.today():
        raise ProductInputError("on", _("The date is in the future at the site."))
    if kind == MovementKind.DISPENSED:
        if subject is None:
            raise ProductInputError("subject", _("Say which subject the vials are for."))
        if subject.site_id != lot.site_id or subject.subject_id is None:
            raise ProductInputError("subject", _("Choose an enrolled subject of this site."))
    elif subject is not None:
        raise ProductInputError("subject", _("Only dispensed vials name a subject."))
    if kind in (MovementKind.RETURNED, MovementKind.DESTROYED) and not note:
        raise ProductInputError("note", _("Say why (for example: expired, damaged)."))
    try:
        rules.check_movement(
            rules.Movement(kind=rules.MovementKind(kind), vials=vials, on=on),
            _movements(lot),
            lot.expiry_date,
            PRODUCT,
        )
    except AccountabilityError as error:
        raise ProductInputError(error.field, _refusal(error)) from None
    movement = LotMovement.objects.create(
        lot=lot,
        kind=kind,
        vials=vials,
        on=on,
        subject=subject,
        note=note,
        recorded_by=account(user),
    )
    _audit(user, lot, movement, note)
    return movement


def _refusal(error: AccountabilityError) -> str:
    """The rule's refusal in the user's language."""
    text = str(error).split(": ", 1)[1]
    if text.startswith("the lot was not yet received"):
        return _("The lot was not yet received on that day.")
    if text.startswith("the lot expired on"):
        return _("The lot expired on %(day)s: it cannot be dispensed.") % {
            "day": text.removeprefix("the lot expired on ").split(":")[0]
        }
    return _("Fewer vials on hand than that (%(detail)s).") % {"detail": text}


def lot_for_infusion(site: Site, lot_number: str, day: dt.date) -> str | None:
    """Why an infusion on ``day`` may not name this lot, or None when it may."""
    lot = DrugLot.objects.filter(site=site, lot_number=lot_number.strip()).first()
    if lot is None:
        return _("Lot %(lot)s is not recorded at this site (Drug accountability).") % {
            "lot": lot_number
        }
    if not rules.in_date(lot.expiry_date, day, PRODUCT):
        return _("Lot %(lot)s expired on %(day)s, before this infusion.") % {
            "lot": lot_number,
            "day": lot.expiry_date.isoformat(),
        }
    return None


_SAID = {
    "no_lot": gettext_lazy("%(subject)s %(visit)s on %(on)s: no lot number recorded"),
    "unknown_lot": gettext_lazy("%(subject)s %(visit)s on %(on)s: lot not known at the site"),
    "after_expiry": gettext_lazy(
        "%(subject)s %(visit)s on %(on)s: infused after the lot's expiry (%(expiry)s)"
    ),
    "count_mismatch": gettext_lazy(
        "%(dispensed)s vials dispensed, %(used)s used by the infusions recorded"
    ),
    "expired_stock": gettext_lazy(
        "expired on %(expiry)s with %(on_hand)s vials on hand: return or destroy them"
    ),
    "expiring_stock": gettext_lazy("expires on %(expiry)s with %(on_hand)s vials on hand"),
}


def describe(discrepancy: Discrepancy) -> str:
    """A discrepancy in the page's language."""
    return str(_SAID[discrepancy.kind]) % discrepancy.values


@dataclass(frozen=True)
class LotLine:
    lot: DrugLot
    balance: Balance


@dataclass(frozen=True)
class SiteAccountability:
    site: Site
    lots: list[LotLine]
    discrepancies: list[Discrepancy]
    warnings: list[Discrepancy]

    def said(self, found: list[Discrepancy]) -> list[tuple[Discrepancy, str]]:
        return [(d, describe(d)) for d in found]

    @property
    def discrepancies_said(self) -> list[tuple[Discrepancy, str]]:
        """Each discrepancy with its sentence in the page's language."""
        return self.said(self.discrepancies)

    @property
    def warnings_said(self) -> list[tuple[Discrepancy, str]]:
        return self.said(self.warnings)


def _infusions(site: Site) -> list[rules.Infused]:
    """Every infusion given at the site, as its infusion form recorded it."""
    forms = FormData.objects.filter(crf="infusion", visit__subject__site=site).select_related(
        "visit__subject"
    )
    found = []
    for form in forms:
        data: dict[str, Any] = form.data
        if not data.get("given") or not data.get("date") or not data.get("dose"):
            continue
        found.append(
            rules.Infused(
                subject=form.visit.subject.label,
                visit=form.visit.code,
                on=dt.date.fromisoformat(data["date"]),
                dose_mg=DoseMass.model_validate(data["dose"]).to("mg"),
                lot_number=data.get("lot_number"),
            )
        )
    return sorted(found, key=lambda i: (i.on, i.subject))


def accountability(user: User) -> list[SiteAccountability]:
    """Each site the user sees: its lots with their counts, what does not reconcile, and the
    lots expired or expiring with vials on hand."""
    out = []
    sites: QuerySet[Site] = visible_sites(user)
    for site in sites:
        lots = list(DrugLot.objects.filter(site=site).prefetch_related("movements"))
        lines = [LotLine(lot, rules.balance(_movements(lot))) for lot in lots]
        by_number = {line.lot.lot_number: (line.lot.expiry_date, line.balance) for line in lines}
        out.append(
            SiteAccountability(
                site=site,
                lots=lines,
                discrepancies=rules.reconcile(by_number, _infusions(site), PRODUCT),
                warnings=rules.expiry_warnings(by_number, site.today(), PRODUCT),
            )
        )
    return out
