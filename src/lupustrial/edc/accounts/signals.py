"""Role, site and account changes go into the audit trail, with the old and new value."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from lupustrial.edc.accounts.models import StaffProfile
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record


@receiver(pre_save, sender=StaffProfile)
def _remember_role(sender: Any, instance: StaffProfile, **kwargs: Any) -> None:
    before = StaffProfile.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    instance._role_before = before  # type: ignore[attr-defined]


@receiver(post_save, sender=StaffProfile)
def _role_changed(sender: Any, instance: StaffProfile, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_role_before", None)
    if created or before != instance.role:
        record(
            None,
            Action.ROLE_CHANGE,
            form="staff",
            field=f"{instance.user.get_username()}.role",
            old=before,
            new=instance.role,
        )


@receiver(m2m_changed, sender=StaffProfile.sites.through)
def _sites_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, StaffProfile):
        record(
            None,
            Action.ROLE_CHANGE,
            form="staff",
            field=f"{instance.user.get_username()}.sites",
            new=sorted(instance.sites.values_list("code", flat=True)),
        )


@receiver(post_save, sender=get_user_model())
def _account_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login is recorded as a login, not as an account change
    record(
        None,
        Action.USER,
        form="account",
        field=instance.get_username(),
        new={"created": created, "active": instance.is_active},
    )
