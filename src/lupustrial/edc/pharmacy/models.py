"""Anifrolumab lots held at a site and every movement of their vials (ICH E6(R2) 4.6.3).

A lot's counts are never stored: they are summed from its movements
(`protocol.accountability.balance`), so a count cannot drift from its record. Dates are the
site's own. Rows are added through `services.py` only, each with an audit-trail entry; a
movement is never changed or deleted (a mistake is corrected by a movement the other way,
with its reason in the note).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit import imports


class DrugLot(models.Model):
    """One lot (batch) of anifrolumab at one site, with its expiry date."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, verbose_name=_("site"))
    lot_number = models.CharField(_("lot number"), max_length=40)
    expiry_date = models.DateField(_("expiry date"))
    recorded_at = models.DateTimeField(default=imports.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["site", "expiry_date", "lot_number"]
        constraints = [
            models.UniqueConstraint(fields=["site", "lot_number"], name="one_lot_number_per_site")
        ]

    def __str__(self) -> str:
        return self.lot_number


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("received")
    DISPENSED = "dispensed", _("dispensed")
    RETURNED = "returned", _("returned to the supplier")
    DESTROYED = "destroyed", _("destroyed")


class LotMovement(models.Model):
    """Vials of one lot received, dispensed (for one subject), returned or destroyed."""

    lot = models.ForeignKey(DrugLot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("movement"), max_length=10, choices=MovementKind.choices)
    vials = models.PositiveIntegerField(_("vials"))
    on = models.DateField(_("date"))
    subject = models.ForeignKey(
        "study.Subject",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject"),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(default=imports.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]
