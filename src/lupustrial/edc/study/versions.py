"""Every version of a study record, whole: the one version mechanism of the application.

A versioned record (an eCRF, `FormData`; an adverse event, `AdverseEvent`) keeps its latest
content on its own row and every version, the first included, as a `RecordVersion`. The
services layer writes a version with `store_version` (or sends `version_written` with the trail's
entries) in the same transaction as the trail's entries for that change, and nothing else writes
one; `versions_of` reads them back.

Why a version table rather than a replay of the audit trail: the trail records field-level
changes for people and for `audit verify`, and `reconcile.py` replays it to *check* the
record. Deriving the versions from that same replay would make the check compare the trail
with itself; a version table is a second, independent account of each change that the
reconciliation can compare the trail against, that the safety workflow, the snapshot and an
archive read in one query per subject, and whose rows name the trail entry written with them
(``audit_seq``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.statements import Statement, insert
from lupustrial.edc.study.models import (
    AdverseEvent,
    FormData,
    RecordKind,
    RecordVersion,
    Subject,
    Visit,
)

Versioned = FormData | AdverseEvent
"""The records that keep every version."""


@dataclass(frozen=True)
class Version:
    """One version of a record: its number (1 first), content, when, by whom, why.

    ``visit`` is the code of the visit the version was entered at ("" between visits);
    ``audit_seq`` the first trail entry of the change (None when the save changed no value,
    or for a version carried over from before versions were stored, ``migrated``).
    """

    number: int
    data: dict[str, Any]
    saved_at: dt.datetime
    saved_by: str
    reason: str
    visit: str
    audit_seq: int | None
    migrated: bool


def kind_of(record: Versioned) -> RecordKind:
    if isinstance(record, FormData):
        return RecordKind.FORM
    if isinstance(record, AdverseEvent):
        return RecordKind.ADVERSE_EVENT
    raise TypeError(f"{type(record).__name__} keeps no versions")


def _subject_id(record: Versioned, visit: Visit | None) -> int:
    if isinstance(record, AdverseEvent):
        return int(record.subject_id)
    return int((visit if visit is not None else record.visit).subject_id)


def new_version(
    record: Versioned,
    data: Mapping[str, Any],
    user: AbstractBaseUser | AnonymousUser,
    reason: str,
    audit: Iterable[AuditEntry],
    visit: Visit | None = None,
) -> RecordVersion:
    """The record's current version (``record.version``) whole, as a row not yet stored."""
    entries = list(audit)
    return RecordVersion(
        kind=kind_of(record),
        record_id=record.pk,
        subject_id=_subject_id(record, visit),
        number=record.version,
        data=dict(data),
        visit=visit,
        # The time of its change in the trail, so that the file an export writes from the
        # trail gives every version's time back (`lupustrial import odm`).
        saved_at=entries[0].at if entries else imports.now(),
        saved_by=user if isinstance(user, User) else None,
        reason=reason,
        audit_seq=min((e.seq for e in entries), default=None),
    )


def store_version(
    record: Versioned,
    data: Mapping[str, Any],
    user: AbstractBaseUser | AnonymousUser,
    reason: str,
    audit: Iterable[AuditEntry],
    visit: Visit | None = None,
) -> RecordVersion:
    """Keep the record's current version (``record.version``) whole: called by the services,
    inside the transaction that saved the record and wrote ``audit``, its trail entries."""
    version = new_version(record, data, user, reason, audit, visit)
    version.save(force_insert=True)
    return version


def version_written(
    record: Versioned,
    data: Mapping[str, Any],
    user: AbstractBaseUser | AnonymousUser,
    reason: str,
    audit: Iterable[AuditEntry],
    visit: Visit | None = None,
) -> Statement:
    """`store_version` as a statement, for a service that sends it with the change's trail
    entries in one round trip (`audit.trail.record_changes`, ``along``): the same row."""
    return insert([new_version(record, data, user, reason, audit, visit)])


def _version(row: RecordVersion) -> Version:
    return Version(
        number=row.number,
        data=row.data,
        saved_at=row.saved_at,
        saved_by=row.saved_by.get_username() if row.saved_by else "",
        reason=row.reason,
        visit=row.visit.code if row.visit else "",
        audit_seq=row.audit_seq,
        migrated=row.migrated,
    )


def versions_of(record: Versioned) -> list[Version]:
    """Every stored version of the record, oldest first."""
    rows = RecordVersion.objects.filter(kind=kind_of(record), record_id=record.pk)
    return [_version(row) for row in rows.select_related("saved_by", "visit").order_by("number")]


def versions_by_record(subject: Subject, kind: RecordKind) -> dict[int, list[Version]]:
    """Every version of the subject's records of one kind, by record id, oldest first: one
    query for a whole subject (the export, the history page)."""
    rows = (
        RecordVersion.objects.filter(subject=subject, kind=kind)
        .select_related("saved_by", "visit")
        .order_by("record_id", "number")
    )
    found: dict[int, list[Version]] = {}
    for row in rows:
        found.setdefault(row.record_id, []).append(_version(row))
    return found
