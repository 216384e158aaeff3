"""Users, roles and sites, managed by the administrator role in Django's admin.

The administrator manages accounts and never sees clinical data: the admin site registers
only users, staff profiles and sites. Access is by study role, not by Django's staff flag,
so that one table (`roles.PERMISSIONS`) decides who may do what.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lupustrial.edc.accounts.models import Site, StaffProfile
from lupustrial.edc.accounts.roles import Can


def _is_administrator(request: HttpRequest) -> bool:
    profile = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    return profile is not None and profile.can(Can.MANAGE_USERS)


class StudyAdminSite(admin.AdminSite):
    site_header = _("lupustrial — users, roles and sites")
    site_title = _("lupustrial administration")
    index_title = _("Users, roles and sites")

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and _is_administrator(request)


class AdministratorOnly:
    """Every action on these models is the administrator role's, whatever Django's flags."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated, never deleted: the trail names them


class StaffProfileInline(AdministratorOnly, admin.StackedInline):  # type: ignore[type-arg]
    model = StaffProfile
    can_delete = False
    filter_horizontal = ("sites",)


class StudyUserAdmin(AdministratorOnly, UserAdmin):  # type: ignore[type-arg]
    inlines = (StaffProfileInline,)
    list_display = ("username", "first_name", "last_name", "is_active", "role")
    list_filter = ("is_active", "staff__role")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Name"), {"fields": ("first_name", "last_name", "email")}),
        (_("Account"), {"fields": ("is_active",)}),
    )

    @admin.display(description=_("role"))
    def role(self, user: Any) -> str:
        profile = getattr(user, "staff", None)
        return profile.get_role_display() if profile else "—"


class SiteAdmin(AdministratorOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "time_zone")


study_admin = StudyAdminSite(name="study_admin")
study_admin.register(get_user_model(), StudyUserAdmin)
study_admin.register(Site, SiteAdmin)
