"""The one scheduler: every periodic job, run by `lupustrial jobs run`.

A cron entry or a systemd timer calls the command (README, Production); each job decides
whether it is due, so running the command twice in a row does the work once. A job that
did something is recorded in the audit trail under the actor ``scheduler``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from lupustrial.edc.audit.checkpoints import latest_checkpoint, write_checkpoint
from lupustrial.edc.audit.models import Action, AuditEntry
from lupustrial.edc.audit.trail import record, verify_chain

ACTOR = "scheduler"


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: Callable[[], str | None]  # what it did, or None when nothing was due


def _checkpoint() -> str | None:
    """Anchor the trail's head outside the database, when it moved since the last anchor."""
    last = latest_checkpoint()
    moved = AuditEntry.objects.exclude(action=Action.JOB).order_by("-seq").first()
    if moved is None or (last is not None and last.seq >= moved.seq):
        return None
    report = verify_chain()
    if not report.intact:
        return f"not written: the trail does not verify ({report.breaks[0].detail})"
    with transaction.atomic():
        entry = record(ACTOR, Action.JOB, form="jobs", field="audit-checkpoint", new="written")
    checkpoint = write_checkpoint(entry.seq, entry.hash, "jobs run")
    return f"written at entry {checkpoint.seq}"


def _safety_notifications() -> str | None:
    """E-mail what is due: reports due within 48 hours, the weekly overdue-visits digest."""
    from lupustrial.edc.safety.services import notifications_job

    return notifications_job()


BACKUP_DIR = "LUPUSTRIAL_BACKUP_DIR"
BACKUP_HOURS = "LUPUSTRIAL_BACKUP_HOURS"


def _backup() -> str | None:
    """A backup of the whole database into LUPUSTRIAL_BACKUP_DIR, when the last one recorded in
    the trail is older than LUPUSTRIAL_BACKUP_HOURS (24 by default); off when no directory."""
    import os
    from pathlib import Path

    from django.utils import timezone

    directory = os.environ.get(BACKUP_DIR, "").strip()
    if not directory:
        return None
    try:
        hours = float(os.environ.get(BACKUP_HOURS, "24"))
    except ValueError:
        return f"not run: {BACKUP_HOURS} must be a number of hours"
    last = AuditEntry.objects.filter(action=Action.BACKUP).order_by("-seq").first()
    if last is not None and timezone.now() - last.at < dt.timedelta(hours=hours):
        return None
    from lupustrial.edc.backups.archive import BackupError
    from lupustrial.edc.backups.services import backup

    try:
        made = backup(ACTOR, Path(directory))
    except BackupError as error:
        return f"not written: {error}"
    return f"written: {made.path}"


JOBS: tuple[Job, ...] = (
    Job(
        "safety-notifications",
        "e-mail reports due within 48 hours and the weekly digest of overdue visits",
        _safety_notifications,
    ),
    Job("audit-checkpoint", "anchor the audit trail's head in the checkpoint file", _checkpoint),
    Job("database-backup", "back up the whole database when the last backup is due again", _backup),
)


def run_due() -> list[tuple[str, str]]:
    """Run every job; (name, what it did) for each that had something to do."""
    done = []
    for job in JOBS:
        outcome = job.run()
        if outcome is not None:
            done.append((job.name, outcome))
    return done
