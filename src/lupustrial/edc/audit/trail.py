"""Writing to the audit trail and verifying its chain: the one audit mechanism of the app.

Each entry's hash is an HMAC-SHA256, under a key kept outside the database (`keys.py`), of
its own fields and the previous entry's hash: an entry altered, inserted or removed behind
the application's back breaks the chain where it happened, and nobody without the key can
recompute the hashes after a change. `verify_chain` walks the chain and names each break;
`checkpoints.py` anchors the head outside the database; `lupustrial audit verify` prints both.
Entries written before the trail was keyed (blank ``key_id``) keep their plain SHA-256 and
may only precede the keyed ones. Entries written by an import (`imports.importing`) carry
the original time and actor and also who imported them under which import id; their hash
covers both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from lupustrial.edc.audit import imports
from lupustrial.edc.audit.keys import AuditKey, current_key, keyring
from lupustrial.edc.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from lupustrial.edc.statements import Along, Statement, insert, run_together

if TYPE_CHECKING:
    from lupustrial.edc.audit.checkpoints import Checkpoint

Actor = AbstractBaseUser | AnonymousUser | str | None


class SubjectLike(Protocol):
    """A study subject as the trail names it (the study app's model; no import upward)."""

    pk: Any

    @property
    def label(self) -> str: ...


_HASHED_FIELDS = (
    "seq", "at", "actor", "role", "action", "subject", "visit", "form", "field",
    "old_value", "new_value", "reason", "prev_hash",
)  # fmt: skip


def encode_value(value: Any) -> str:
    """A value as the trail stores it: canonical JSON, so equal values read equal."""
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def decode_value(text: str) -> Any:
    return json.loads(text) if text else None


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def entry_digest(values: Mapping[str, Any], key: AuditKey | None = None) -> str:
    """One entry's hash over its fields (its own hash excluded) and the previous hash.

    Under ``key`` (the key its ``key_id`` names) an HMAC-SHA256; without one, the plain
    SHA-256 of entries from before the trail was keyed. The subject's primary key is hashed
    when the entry has one, so that older entries keep the digest they were written with.
    """
    parts = [_timestamp(values[name]) if name == "at" else values[name] for name in _HASHED_FIELDS]
    if values.get("subject_ref") is not None:
        parts.append(values["subject_ref"])
    if values.get("import_id"):  # only imported entries: the others keep their digest
        parts.extend([values["import_id"], values.get("imported_by", "")])
    if key is not None:
        parts.append(key.key_id)
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return key.mac(payload) if key is not None else hashlib.sha256(payload).hexdigest()


def _actor_name_and_role(actor: Actor) -> tuple[str, str]:
    if actor is None:
        return "system", ""
    if isinstance(actor, str):
        return actor, ""
    if not actor.is_authenticated:
        return "anonymous", ""
    profile = getattr(actor, "staff", None)
    return actor.get_username(), profile.role if profile else ""


def _values(
    actor: Actor,
    action: str,
    *,
    subject: SubjectLike | str = "",
    visit: str = "",
    form: str = "",
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> dict[str, Any]:
    name, role = _actor_name_and_role(actor)
    # A subject is named by its primary key, and by its label for people to read.
    subject_ref = None if isinstance(subject, str) else subject.pk
    label = subject if isinstance(subject, str) else subject.label
    return {
        "actor": name[:150],
        "role": role,
        "action": action,
        "subject": label,
        "subject_ref": subject_ref,
        "visit": visit,
        "form": form,
        "field": field[:200],
        "old_value": encode_value(old),
        "new_value": encode_value(new),
        "reason": reason,
    }


def _append(
    events: list[dict[str, Any]], at: dt.datetime | None = None, along: Along | None = None
) -> list[AuditEntry]:
    """Chain the events after the head, in one locked step, in the caller's transaction.

    ``at``: the moment the service stamped on the row it changed (`imports.now()`), so the
    row's time and its entry's are one (an imported file gives them back exactly).
    ``along``: the change's own writes, given its entries (the saved row and its version):
    sent with the entries' INSERT and the head's move in one round trip where the database
    allows (`statements.run_together`), else one after the other; run even when the change
    has no entry."""
    if not events:
        run_together(along([]) if along else [])
        return []
    key = current_key()
    # No savepoint inside the caller's transaction: a failure here fails the whole change
    # anyway, and the savepoint cost two queries per audited change (issue 19).
    with transaction.atomic(savepoint=False):
        seq, previous = _locked_head()
        # Inside an import: the original change's time, and who imported it under which id.
        at = (at or imports.now()).astimezone(dt.UTC)
        run = imports.current_run()
        stamp = {"import_id": run.import_id, "imported_by": run.importer[:150]} if run else {}
        entries = []
        for event in events:
            seq += 1
            values = {
                **event,
                **stamp,
                "seq": seq,
                "at": at,
                "prev_hash": previous,
                "key_id": key.key_id,
            }
            entry = AuditEntry(**values, hash=entry_digest(values, key))
            entries.append(entry)
            previous = entry.hash
        _insert(entries, [*(along(entries) if along else []), _head_moved(seq, previous)])
    return entries


def _insert(entries: list[AuditEntry], with_it: list[Statement]) -> None:
    """The entries' INSERT, written here like the head's statements: the ORM's `bulk_create`
    built it for about 1 ms of CPU per save (issue 19). Each column's value is prepared by
    its model field, as `bulk_create` does; the new rows' ids are read back onto the entries.
    ``with_it``: the change's other writes and the head's move, in the same round trip."""
    if not connection.features.can_return_rows_from_bulk_insert:
        AuditEntry.objects.bulk_create(entries)
        run_together(with_it)
        return
    returned = run_together([*with_it, insert(entries, returning_pk=True)])
    # PostgreSQL and SQLite return a multi-row INSERT's rows in the order of its VALUES.
    for entry, (row_id,) in zip(entries, returned, strict=True):
        entry.pk = row_id
        entry._state.adding = False
        entry._state.db = connection.alias


# The head is locked and moved in SQL written here: every audited change does both, and the
# ORM's building of the two statements cost each save about 0.5 ms of CPU (issue 19).
_HEAD = AuditHead._meta.db_table


def _locked_head() -> tuple[int, str]:
    """The head's sequence number and hash, its row locked until the transaction ends (the
    row is created on the trail's first entry)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {_HEAD} WHERE id = 1{lock}")
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]), str(row[1])
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head.seq, head.hash


def _head_moved(seq: int, hash_: str) -> Statement:
    return f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1", [seq, hash_]


def record(
    actor: Actor, action: str, *, at: dt.datetime | None = None, **fields: Any
) -> AuditEntry:
    """Append one entry to the trail, chained to the last one, in the caller's transaction.

    ``fields`` are `_values`' keywords: subject (the model instance), visit, form, field,
    old, new, reason. ``at``: the time the service stored on the row (`_append`).
    """
    return _append([_values(actor, action, **fields)], at)[0]


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested form data as dotted field paths ("labs.c3.value"), so each change is one field."""
    if isinstance(data, Mapping):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(data, list) and data and all(isinstance(i, Mapping) for i in data):
        flat = {}
        for index, item in enumerate(data):
            flat.update(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix: data}


def record_changes(
    actor: Actor,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    subject: SubjectLike | str = "",
    visit: str = "",
    form: str = "",
    reason: str = "",
    at: dt.datetime | None = None,
    along: Along | None = None,
) -> list[AuditEntry]:
    """One entry per field whose value differs between ``before`` and ``after``.

    ``at``: the moment of the whole change, when the service writes more entries for it;
    ``along``: the change's own writes, sent with the entries (`_append`)."""
    old, new = flatten(before or {}), flatten(after or {})
    events = [
        _values(
            actor,
            action,
            subject=subject,
            visit=visit,
            form=form,
            field=name,
            old=old.get(name),
            new=new.get(name),
            reason=reason,
        )
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    ]
    return _append(events, at, along)


@dataclass(frozen=True)
class Break:
    """One place where the chain does not hold."""

    seq: int
    kind: str  # "altered", "removed", "inserted"
    detail: str


@dataclass
class ChainReport:
    entries: int
    head_seq: int
    head_hash: str
    breaks: list[Break] = field(default_factory=list)
    checkpoint: Checkpoint | None = None  # written after a verification that passed

    @property
    def intact(self) -> bool:
        return not self.breaks

    def lines(self) -> list[str]:
        if self.intact:
            lines = [
                f"audit trail intact: {self.entries} entries, head {self.head_seq} {self.head_hash}"
            ]
            if self.checkpoint is not None:
                lines.append(f"checkpoint written: {self.checkpoint.line()}")
            return lines
        lines = [f"audit trail BROKEN: {len(self.breaks)} problem(s) in {self.entries} entries"]
        lines.extend(
            f"  entry {b.seq}: {b.kind} — {b.detail}" if b.seq else f"  {b.kind}: {b.detail}"
            for b in self.breaks
        )
        return lines


def verify_chain(
    entries: Iterable[Mapping[str, Any]] | None = None, head: tuple[int, str] | None = None
) -> ChainReport:
    """Walk the chain in sequence order and report every altered, inserted or removed entry.

    ``entries`` and ``head`` (its sequence number and hash) are the database's unless given,
    as a backup's are before it is restored.
    """
    rows = (
        entries
        if entries is not None
        else AuditEntry.objects.order_by("seq")
        .values(*_HASHED_FIELDS, "subject_ref", "key_id", "import_id", "imported_by", "hash")
        .iterator()
    )
    keys = keyring()
    breaks: list[Break] = []
    previous_hash, previous_seq, count, keyed = GENESIS_HASH, 0, 0, False
    for row in rows:
        count += 1
        seq = row["seq"]
        key_id = row.get("key_id") or ""
        if key_id and key_id not in keys:
            breaks.append(Break(seq, "altered", f"sealed with key {key_id}, which is not known"))
        elif not key_id and keyed:
            breaks.append(Break(seq, "altered", "not sealed with the key, after sealed entries"))
        elif entry_digest(row, keys.get(key_id)) != row["hash"]:
            breaks.append(Break(seq, "altered", "its content no longer matches its hash"))
        keyed = keyed or bool(key_id)
        if row["prev_hash"] != previous_hash:
            if seq > previous_seq + 1:
                missing = f"{previous_seq + 1}" + (
                    f"-{seq - 1}" if seq - 1 > previous_seq + 1 else ""
                )
                breaks.append(Break(seq, "removed", f"entries {missing} are missing before it"))
            else:
                breaks.append(Break(seq, "inserted", f"it does not chain to entry {previous_seq}"))
        elif seq != previous_seq + 1:
            breaks.append(Break(seq, "altered", f"sequence jumps from {previous_seq}"))
        previous_hash, previous_seq = row["hash"], seq
    if head is None:
        row = AuditHead.objects.filter(pk=1).first()
        head = (row.seq, row.hash) if row else (0, GENESIS_HASH)
    head_seq, head_hash = head
    if (head_seq, head_hash) != (previous_seq, previous_hash):
        if head_seq > previous_seq:
            breaks.append(
                Break(previous_seq + 1, "removed", f"the trail ends before entry {head_seq}")
            )
        else:
            breaks.append(
                Break(previous_seq, "inserted", f"entries after {head_seq} were never written")
            )
    return ChainReport(
        entries=count,
        head_seq=previous_seq,
        head_hash=previous_hash,
        breaks=breaks,
    )
