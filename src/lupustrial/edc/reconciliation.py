"""The whole record compared with the replayed trail: every app's tables, in one pass.

`lupustrial audit verify` runs it (issue 14, finding 2). Each app compares its own tables
(`<app>/reconcile.py`, which lists the models it covers in ``COVERS``); the models left out
say why in ``NOT_RECONCILED``. A test enumerates every model of the project's apps (every
installed app under `lupustrial.edc`, `project_apps`) and fails when one is in neither, so
that a new table of study data, or a new app, cannot be forgotten here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.apps import apps as django_apps
from django.db.models import Model

from lupustrial.edc.accounts import reconcile as accounts
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.replay import Difference, Event
from lupustrial.edc.audit.trail import decode_value
from lupustrial.edc.deviations import reconcile as deviations
from lupustrial.edc.monitoring import reconcile as monitoring
from lupustrial.edc.pharmacy import reconcile as pharmacy
from lupustrial.edc.safety import reconcile as safety
from lupustrial.edc.study import reconcile as study
from lupustrial.edc.study.models import Subject

Check = Callable[[Sequence[Event], Mapping[int, str]], list[Difference]]

CHECKS: tuple[Check, ...] = (
    accounts.reconcile,
    study.reconcile,
    deviations.reconcile,
    safety.reconcile,
    pharmacy.reconcile,
    monitoring.reconcile,
)
COVERED: tuple[type[Model], ...] = (
    *accounts.COVERS,
    *study.COVERS,
    *deviations.COVERS,
    *safety.COVERS,
    *pharmacy.COVERS,
    *monitoring.COVERS,
)
PROJECT_PACKAGE = "lupustrial.edc."


def project_apps() -> set[str]:
    """The labels of the apps whose models must each be covered or listed below: every
    installed app of the EDC, read from the installed apps so that a new one is never missed."""
    return {
        config.label
        for config in django_apps.get_app_configs()
        if config.name.startswith(PROJECT_PACKAGE)
    }


NOT_RECONCILED: dict[str, str] = {
    "audit.AuditEntry": "the trail itself: its keyed chain and the checkpoints guard it",
    "audit.AuditHead": "the trail's head: the chain and the checkpoints guard it",
    "accounts.Credential": "when a password was last changed: sign-in security, not the study's "
    "record (a password set by someone else is in the trail as account.password)",
    "safety.Notification": "which e-mail reminders were sent, so each goes once: a delivery log "
    "of derived reminders, not the study's record",
}


def events() -> list[Event]:
    """The trail in order, each entry's subject resolved to its key."""
    subjects = Subject.objects.values_list("pk", "screening_number", "subject_id")
    by_label: dict[str, int] = {}
    for pk, screening_number, subject_id in subjects:
        by_label[screening_number] = pk
        if subject_id:
            by_label[subject_id] = pk
    rows = AuditEntry.objects.order_by("seq").values_list(
        "seq", "action", "actor", "subject", "subject_ref", "visit", "form", "field",
        "new_value", "reason",
    )  # fmt: skip
    return [
        Event(
            seq=seq,
            action=action,
            actor=actor,
            ref=ref if ref is not None else by_label.get(label),
            visit=visit,
            form=form,
            field=field,
            new=decode_value(new_value),
            reason=reason,
        )
        for seq, action, actor, label, ref, visit, form, field, new_value, reason in rows.iterator()
    ]


def reconcile() -> list[Difference]:
    """Replay the trail and list every difference from the record, by subject, form, field."""
    replayed = events()
    labels = {
        pk: subject_id or screening_number
        for pk, screening_number, subject_id in Subject.objects.values_list(
            "pk", "screening_number", "subject_id"
        )
    }
    found: list[Difference] = []
    for check in CHECKS:
        found.extend(check(replayed, labels))
    return found
