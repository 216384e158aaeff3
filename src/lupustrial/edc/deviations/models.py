"""The deviation log and the decisions taken on suggested deviations.

A deviation's category is one the protocol declares (`ProtocolConfig.deviations`); its dates
are the site's own. Every row users edit carries a ``version``: a save over a newer version is
refused (see `services.py`), like the study's forms.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Deviation(models.Model):
    """One non-conformity with the protocol (Enforcement Regulations Art. 15)."""

    subject = models.ForeignKey(
        "study.Subject", on_delete=models.PROTECT, related_name="deviations"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=40)
    occurred_on = models.DateField(_("date it happened"))
    description = models.TextField(_("what happened"))
    serious = models.BooleanField(_("serious"))
    corrective_action = models.TextField(_("corrective action"), blank=True)
    preventive_action = models.TextField(_("preventive action"), blank=True)
    reported_to_board_on = models.DateField(
        _("reported to the review board on"), null=True, blank=True
    )
    suggestion_key = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at (UTC)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at (UTC)"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_on", "number"]

    def __str__(self) -> str:
        return self.number

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class SuggestionStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    DISMISSED = "dismissed", _("dismissed")


class SuggestionDecision(models.Model):
    """A person's decision on a suggested deviation: confirmed (a deviation) or dismissed."""

    key = models.CharField(max_length=200, unique=True)
    subject = models.ForeignKey("study.Subject", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("decision"), max_length=10, choices=SuggestionStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    description = models.TextField(_("what the rule found"))
    # The finding's code and plain values (`protocol.deviations.Suggestion`), as JSON holds them
    # (dates as ISO text): the pages word the finding from them in the reader's language
    # (`finding_text.decided`). Blank on a decision taken before they were stored.
    code = models.CharField(max_length=60, blank=True)
    params = models.JSONField(default=dict, blank=True)
    deviation = models.ForeignKey(
        Deviation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at (UTC)"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
