"""Sites and study staff: each user has one role, the sites they work at, and a language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from lupustrial.edc.accounts.roles import ALL_SITES_ROLES, PERMISSIONS, Can, Role
from lupustrial.protocol.dates import TimeZoneError, site_date, site_today, site_zone

STUDY_TIME_ZONE = "Asia/Tokyo"
"""The time zone of a site created without one: the study runs in Japan (jRCTs031230358)."""


def validate_time_zone(name: str) -> None:
    """A site's time zone must be an IANA name the time zone database knows."""
    try:
        site_zone(name)
    except TimeZoneError:
        raise ValidationError(
            _("%(zone)s is not a known time zone (an IANA name such as Asia/Tokyo)."),
            params={"zone": name},
        ) from None


class Site(models.Model):
    """A study site. Its dates (visits, consent, data cut, ages) are its own local dates."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=STUDY_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("IANA time zone of the site, e.g. Asia/Tokyo: every date is its local date."),
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def zone(self) -> ZoneInfo:
        return site_zone(self.time_zone)

    def today(self) -> dt.date:
        """Today's date at the site (`protocol.dates.site_today`)."""
        return site_today(self.time_zone)

    def date_of(self, moment: dt.datetime) -> dt.date:
        """The site's date of a stored (UTC) moment (`protocol.dates.site_date`)."""
        return site_date(moment, self.time_zone)


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

    @cached_property
    def site_list(self) -> tuple[Site, ...]:
        """The sites the user sees, read once per profile object (so once per request: the
        signed-in user and their profile are read afresh by each request, issue 19)."""
        return tuple(self.visible_sites())

    def works_at(self, site_id: int) -> bool:
        """Whether the user sees the site with this primary key."""
        return any(site.pk == site_id for site in self.site_list)


class Credential(models.Model):
    """Whether the user must choose a new password: one set by someone else must be changed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credential"
    )
    must_change = models.BooleanField(default=False)
    changed_at = models.DateTimeField()
