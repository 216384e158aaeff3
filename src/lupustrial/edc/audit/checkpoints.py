"""The trail's head anchored outside the database: an append-only, keyed checkpoint file.

Each line of ``LUPUSTRIAL_DATA_DIR/audit_checkpoints.log`` records a moment's last entry
(sequence number and hash) with an HMAC under the audit key. A trail later found shorter than
a checkpoint, or with another hash at a checkpointed entry, was truncated, cut at the end,
rewritten or restored from an older state; `lupustrial audit verify` says which checkpoint it
contradicts. The latest line (`lupustrial audit checkpoint --print`) can be handed to an
external witness (an e-mail, a ticket, a notebook), which no one on the host can take back.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from lupustrial.edc.audit.keys import current_key, data_dir, keyring
from lupustrial.edc.audit.models import AuditEntry

FILE_NAME = "audit_checkpoints.log"


@dataclass(frozen=True)
class Checkpoint:
    at: str
    seq: int
    hash: str
    by: str
    key_id: str
    mac: str = ""

    def payload(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "mac"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def checkpoint_file() -> Path:
    return data_dir() / FILE_NAME


def write_checkpoint(seq: int, head_hash: str, by: str) -> Checkpoint:
    """Append one keyed line for the head (seq, hash); flushed to disk before returning."""
    key = current_key()
    unsigned = Checkpoint(
        at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seq=seq,
        hash=head_hash,
        by=by,
        key_id=key.key_id,
    )
    checkpoint = Checkpoint(**{**asdict(unsigned), "mac": key.mac(unsigned.payload())})
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as file:
        file.write(checkpoint.line() + "\n")
        file.flush()
        os.fsync(file.fileno())
    return checkpoint


def read_checkpoints(path: Path | None = None) -> tuple[list[Checkpoint], list[str]]:
    """The file's checkpoints whose HMAC holds, and a problem for each line that does not."""
    path = path or checkpoint_file()
    if not path.exists():
        return [], []
    keys = keyring()
    good: list[Checkpoint] = []
    problems: list[str] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            checkpoint = Checkpoint(**json.loads(text))
        except (ValueError, TypeError):
            problems.append(f"checkpoint line {number} cannot be read")
            continue
        key = keys.get(checkpoint.key_id)
        if key is None or key.mac(checkpoint.payload()) != checkpoint.mac:
            problems.append(f"checkpoint line {number} does not carry a valid seal")
            continue
        good.append(checkpoint)
    return good, problems


def latest_checkpoint() -> Checkpoint | None:
    good, _ = read_checkpoints()
    return good[-1] if good else None


def contradictions(
    checkpoints: list[Checkpoint], last_seq: int, hashes: Mapping[int, str] | None = None
) -> list[tuple[int, str]]:
    """Where the trail disagrees with a checkpoint: (seq, what happened).

    ``hashes`` are the trail's entry hashes by sequence number: the database's unless given.
    """
    if hashes is None:
        hashes = dict(
            AuditEntry.objects.filter(seq__in={c.seq for c in checkpoints}).values_list(
                "seq", "hash"
            )
        )
    found: list[tuple[int, str]] = []
    furthest = max(checkpoints, key=lambda c: c.seq, default=None)
    if furthest is not None and furthest.seq > last_seq:
        found.append(
            (
                last_seq + 1,
                f"the trail ends at entry {last_seq}, but the checkpoint of {furthest.at} "
                f"anchored entry {furthest.seq}: entries were removed, or the database was "
                "restored from an older state",
            )
        )
    for checkpoint in checkpoints:
        held = hashes.get(checkpoint.seq)
        if checkpoint.seq and held is not None and held != checkpoint.hash:
            found.append(
                (
                    checkpoint.seq,
                    f"its hash differs from the checkpoint of {checkpoint.at}: the trail was "
                    "rewritten up to here",
                )
            )
    return found
