"""The audit entry and the head of its hash chain.

Each entry is sealed with an HMAC under a key kept outside the database (keys.py).
Append-only in the application: an entry can be created, never saved again nor deleted, and
queryset updates and deletes are refused. On PostgreSQL a trigger refuses UPDATE and DELETE
as well (migration 0002), so the database guards the trail against other clients too.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an audit entry."""


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logged out")
    EXPORT = "export", _("exported")
    SIGN = "sign", _("signed")
    SIGNATURE_VOID = "signature_void", _("signature voided")
    LOCK = "lock", _("locked")
    UNLOCK = "unlock", _("unlocked")
    VERIFY = "verify", _("source data verified")
    UNVERIFY = "unverify", _("verification withdrawn")
    QUERY = "query", _("query")
    ROLE_CHANGE = "role_change", _("role changed")
    USER = "user", _("user account")
    JOB = "job", _("scheduled job")
    BACKUP = "backup", _("backed up")
    RESTORE = "restore", _("restored")
    IMPORT = "import", _("imported")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the audit trail is append-only: update refused")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the audit trail is append-only: delete refused")


class AuditEntry(models.Model):
    """One event: who, when (UTC), what, old and new value, why; chained to the one before."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField(_("when (UTC)"))
    actor = models.CharField(_("who"), max_length=150)
    role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    subject = models.CharField(_("subject"), max_length=40, blank=True, db_index=True)
    # The subject's primary key: what pages filter on, since a label can repeat across sites
    # (indexed with the sequence number: `Meta.indexes`).
    subject_ref = models.PositiveBigIntegerField(null=True, blank=True)
    visit = models.CharField(_("visit"), max_length=20, blank=True)
    form = models.CharField(_("form"), max_length=40, blank=True)
    field = models.CharField(_("field"), max_length=200, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    # The key that sealed the entry (keys.py); blank for entries from before the trail was keyed.
    key_id = models.CharField(max_length=16, blank=True, default="", db_default="")
    # Written by an import (`imports.py`): its id and who ran it; the actor and time are the
    # original change's. Blank for every entry made in this application.
    import_id = models.CharField(max_length=40, blank=True, default="", db_default="")
    imported_by = models.CharField(max_length=150, blank=True, default="", db_default="")
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        # A subject's, or one kind of set-up's, latest entry is one index lookup: what a kept
        # subject page is checked against on every view (`study.by_trail.subject_head`).
        indexes = [
            models.Index(fields=["subject_ref", "seq"], name="audit_subject_seq"),
            models.Index(fields=["form", "seq"], name="audit_form_seq"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("the audit trail is append-only: an entry cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the audit trail is append-only: an entry cannot be deleted")


class AuditHead(models.Model):
    """The last entry's sequence number and hash: a removed tail shows as a mismatch here.

    One row; appending locks it, so that concurrent writers chain one after the other.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
