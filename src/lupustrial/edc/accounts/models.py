"""Sites and study staff: each user has one role, the sites they work at, and a language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lupustrial.edc.accounts.roles import ALL_SITES_ROLES, PERMISSIONS, Can, Role


class Site(models.Model):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StaffProfile(models.Model):
    """A user's place in the study. A user without one may log in but do nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    sites = models.ManyToManyField(Site, blank=True, verbose_name=_("sites"))
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"

    def can(self, capability: Can) -> bool:
        return capability in PERMISSIONS.get(self.role, frozenset())

    @property
    def all_sites(self) -> bool:
        return self.role in ALL_SITES_ROLES

    def visible_sites(self) -> models.QuerySet[Site]:
        return Site.objects.all() if self.all_sites else self.sites.all()
