"""What the safety workflow stores: the e-mail notifications sent (each once, by its key)."""

from __future__ import annotations

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
