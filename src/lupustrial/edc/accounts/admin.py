"""Users, roles and sites, managed by the administrator role in Django's admin.

The administrator manages accounts and never sees clinical data: the admin site registers
only users, staff profiles and sites. Access is by study role, not by Django's staff flag,
so that one table (`roles.PERMISSIONS`) decides who may do what. Every change asks for a
reason and is checked and recorded by `accounts.services` with the administrator's name.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupustrial.edc.accounts import services
from lupustrial.edc.accounts.models import Site, StaffProfile
from lupustrial.edc.accounts.roles import Can


def _is_administrator(request: HttpRequest) -> bool:
    profile = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    return profile is not None and profile.can(Can.MANAGE_USERS)


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Reason for this change"),
        max_length=500,
        help_text=gettext_lazy("Recorded in the audit trail with your name."),
    )


class StudyAdminSite(admin.AdminSite):
    site_header = gettext_lazy("lupustrial — users, roles and sites")
    site_title = gettext_lazy("lupustrial administration")
    index_title = gettext_lazy("Users, roles and sites")

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


# Generic in django-stubs only, as are the admin classes and forms below (see PasswordSetForm).
class StaffProfileInline(AdministratorOnly, admin.StackedInline):  # type: ignore[type-arg]
    model = StaffProfile
    can_delete = False
    filter_horizontal = ("sites",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        own = obj is not None and obj.pk == request.user.pk

        # `formset` is a class made at run time (Any to the checker): not a valid base to it.
        class OwnRoleUnchanged(formset):  # type: ignore[misc,valid-type]
            """The message on the page; `services.check_account_change` is the wall behind it."""

            def clean(self) -> None:
                super().clean()
                if own and any(form.has_changed() for form in self.forms):
                    raise ValidationError(
                        _("Nobody changes their own role or sites: ask another administrator.")
                    )

        return OwnRoleUnchanged


class AccountChangeForm(UserChangeForm):  # type: ignore[type-arg]  # generic in the stubs only
    reason = _reason_field()


class AccountCreationForm(AdminUserCreationForm):
    reason = _reason_field()


# Generic in django-stubs only: a subscript here would fail at run time (no django_stubs_ext).
class PasswordSetForm(AdminPasswordChangeForm):  # type: ignore[type-arg]
    """The administrator's password form: with a reason, through the account services."""

    actor: Any = None
    reason = _reason_field()

    def save(self, commit: bool = True) -> Any:
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        services.set_password(self.actor, self.user, password, self.cleaned_data["reason"])
        return self.user


class StudyUserAdmin(AdministratorOnly, UserAdmin):  # type: ignore[type-arg]  # as above
    inlines = (StaffProfileInline,)
    form = AccountChangeForm
    add_form = AccountCreationForm
    change_user_password_template = "edc/admin_password.html"
    list_display = ("username", "first_name", "last_name", "is_active", "role")
    list_filter = ("is_active", "staff__role")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (gettext_lazy("Name"), {"fields": ("first_name", "last_name", "email")}),
        (gettext_lazy("Account"), {"fields": ("is_active",)}),
        (gettext_lazy("Reason for this change"), {"fields": ("reason",)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "reason"),
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A user name is given once (`services.check_account_change`): the trail names the
        # person by it. Shown, not editable; the person's name is theirs to change.
        fixed = ("username",) if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed)

    @admin.display(description=gettext_lazy("role"))
    def role(self, user: Any) -> str:
        profile = getattr(user, "staff", None)
        return profile.get_role_display() if profile else "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The account as it was, before this request saves anything (profile and sites follow
        # in save_related): the services compare it with the result and record the change.
        form.account_before = services.account_state(obj.pk) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        password_set = not change and form.instance.has_usable_password()
        try:
            services.record_account_change(
                request.user,
                form.instance,
                getattr(form, "account_before", None),
                form.cleaned_data.get("reason", ""),
                password_set=password_set,
            )
        except services.AdministrationError as refused:
            raise PermissionDenied(str(refused)) from refused  # the admin's transaction rolls back

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # A copy of this admin with a form that knows who acts: nothing shared between requests.
        acting = copy.copy(self)
        acting.change_password_form = type(
            "PasswordSetFormFor", (PasswordSetForm,), {"actor": request.user}
        )
        return UserAdmin.user_change_password(acting, request, id, form_url)


class SiteForm(forms.ModelForm):  # type: ignore[type-arg]  # generic in the stubs only
    reason = _reason_field()

    class Meta:
        model = Site
        fields = ("code", "name", "time_zone")

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        try:
            services.check_site_code(code)
        except services.AdministrationError as refused:
            raise ValidationError(str(refused)) from refused
        return code


class SiteAdmin(AdministratorOnly, admin.ModelAdmin):  # type: ignore[type-arg]  # as above
    form = SiteForm
    list_display = ("code", "name", "time_zone")
    fields = ("code", "name", "time_zone", "reason")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = (
            Site.objects.filter(pk=obj.pk).values("code", "name", "time_zone").first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        try:
            services.record_site_change(request.user, obj, before, form.cleaned_data["reason"])
        except services.AdministrationError as refused:
            raise PermissionDenied(str(refused)) from refused


study_admin = StudyAdminSite(name="study_admin")
study_admin.register(get_user_model(), StudyUserAdmin)
study_admin.register(Site, SiteAdmin)
