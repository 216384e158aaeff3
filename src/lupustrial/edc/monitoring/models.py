"""The log of monitoring visits and what each found (Enforcement Regulations Art. 17).

A finding is a note, or it becomes a data query on a form or a deviation in the log: the
finding keeps the link, so the visit report shows what was done about it. Rows are added
through `services.py` only, each with an audit-trail entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit import imports


class VisitKind(models.TextChoices):
    ON_SITE = "on_site", _("on-site")
    REMOTE = "remote", _("remote")
    CENTRAL = "central", _("centralised review")


class MonitoringVisit(models.Model):
    """One monitoring visit to a site: when, how, by whom, whom it reviewed, what it concluded."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, verbose_name=_("site"))
    visited_on = models.DateField(_("date of the visit"))
    kind = models.CharField(_("kind of visit"), max_length=10, choices=VisitKind.choices)
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    subjects = models.ManyToManyField(
        "study.Subject", blank=True, related_name="+", verbose_name=_("subjects reviewed")
    )
    summary = models.TextField(_("summary"))
    follow_up = models.TextField(_("follow-up agreed"), blank=True)
    recorded_at = models.DateTimeField(default=imports.now)

    class Meta:
        ordering = ["-visited_on", "-id"]


class FindingAction(models.TextChoices):
    NOTE = "note", _("note only")
    QUERY = "query", _("data query")
    DEVIATION = "deviation", _("protocol deviation")


class MonitoringFinding(models.Model):
    """One finding of a visit, and the query or deviation it became."""

    visit = models.ForeignKey(MonitoringVisit, on_delete=models.PROTECT, related_name="findings")
    subject = models.ForeignKey(
        "study.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("finding"))
    action = models.CharField(_("action"), max_length=10, choices=FindingAction.choices)
    query = models.ForeignKey(
        "study.Query", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deviation = models.ForeignKey(
        "deviations.Deviation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=imports.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
