"""What the safety workflow stores: the e-mail notifications sent (each once, by its key)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    NEW_SERIOUS = "new_serious", _("new serious adverse event")
    REPORT_DUE_SOON = "report_due_soon", _("safety report due within 48 hours")
    OVERDUE_VISITS = "overdue_visits", _("weekly digest of overdue visits")


class Notification(models.Model):
    """One notification sent; its key makes the scheduler send it once, however often it runs."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=300)
    sent_at = models.DateTimeField(_("sent at (UTC)"))

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class SafetyReport(models.Model):
    """A report (疾病等報告) of one adverse event under one reporting rule, as generated.

    The document is frozen when generated (what was sent is what is kept); a follow-up report
    links to the first report of the same event and rule. Submission (to whom, when, by whom)
    is recorded once, through the services layer.
    """

    subject = models.ForeignKey(
        "study.Subject", on_delete=models.PROTECT, related_name="safety_reports"
    )
    event_key = models.CharField(_("adverse event"), max_length=60, db_index=True)
    rule = models.CharField(_("reporting rule"), max_length=60)
    number = models.CharField(_("report number"), max_length=140, unique=True)
    follows = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follows"),
    )
    document = models.JSONField(_("report"))
    generated_at = models.DateTimeField(_("generated at (UTC)"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_to = models.CharField(_("submitted to"), max_length=200, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["event_key", "rule", "generated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "rule"],
                condition=models.Q(follows__isnull=True),
                name="one_first_report_per_event_and_rule",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def submitted(self) -> bool:
        return self.submitted_on is not None
