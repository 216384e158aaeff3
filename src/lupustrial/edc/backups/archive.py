"""A backup file: the whole database, the checkpoint file and a sealed manifest, in one tar.

Members:
- ``database.sqlite3`` (SQLite's online backup API) or ``database.pgdump`` (pg_dump's custom
  format), taken in one consistent view of the database;
- ``audit_checkpoints.log``: the host's checkpoint file as it was, ending with the checkpoint
  of the backed-up trail's head;
- ``manifest.json``: when, from which database, the SHA-256 and size of each member, the
  trail's head and entry count, each table's row count, and an HMAC-SHA256 seal under the
  audit key. The key is not in the backup: whoever alters the backup cannot seal it again.

Reading the trail out of a database file before it is restored is here too, so that restore
can check the chain against the evidence outside the database before it touches the target.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lupustrial.edc.audit.keys import AuditKey

FORMAT = "lupustrial-backup/1"
MANIFEST = "manifest.json"
CHECKPOINTS = "audit_checkpoints.log"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(RuntimeError):
    """A backup that cannot be written or read, or that restore refuses; the message says why."""


def sha256_of(path: Path) -> str:
    """The file's SHA-256 in hex, read in blocks (the standard library's file_digest)."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _payload(manifest: Mapping[str, Any]) -> bytes:
    unsealed = {k: v for k, v in manifest.items() if k != "seal"}
    return json.dumps(unsealed, sort_keys=True, separators=(",", ":")).encode("utf-8")


def seal(manifest: dict[str, Any], key: AuditKey) -> dict[str, Any]:
    """The manifest with ``key_id`` and its HMAC ``seal`` under the audit key."""
    manifest = {**manifest, "key_id": key.key_id}
    return {**manifest, "seal": key.mac(_payload(manifest))}


def check_seal(manifest: Mapping[str, Any], keys: Mapping[str, AuditKey]) -> None:
    if not manifest.get("key_id") or not manifest.get("seal"):
        raise BackupError("the backup's manifest is not sealed: it was not written by a backup")
    key = keys.get(str(manifest["key_id"]))
    if key is None:
        raise BackupError(
            f"the backup was sealed with audit key {manifest.get('key_id')!r}, which this host "
            "does not hold: put that key in place (LUPUSTRIAL_DATA_DIR/audit_key, audit_keys/, "
            "or LUPUSTRIAL_AUDIT_KEY / LUPUSTRIAL_AUDIT_OLD_KEYS) and restore again"
        )
    if key.mac(_payload(manifest)) != manifest.get("seal"):
        raise BackupError(
            "the backup's manifest does not carry a valid seal: it was altered after the backup"
        )


def write_archive(target: Path, members: Mapping[str, Path], manifest: Mapping[str, Any]) -> None:
    """The tar file: the manifest first, then each member; written aside, then renamed."""
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w") as archive:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(data), 0o600
        info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
        archive.addfile(info, io.BytesIO(data))
        for name, path in members.items():
            archive.add(path, arcname=name, recursive=False)
    partial.chmod(0o600)
    partial.rename(target)


@dataclass(frozen=True)
class Opened:
    manifest: dict[str, Any]
    database: Path
    checkpoints: Path | None


def open_archive(path: Path, into: Path) -> Opened:
    """Extract the backup's members into ``into`` after checking names and sizes; nothing is
    trusted yet (the caller checks the seal and the hashes)."""
    known = {MANIFEST, CHECKPOINTS, *DATABASE.values()}
    try:
        with tarfile.open(path, "r:") as archive:
            members = archive.getmembers()
            names = [m.name for m in members]
            if MANIFEST not in names or any(m.name not in known or not m.isfile() for m in members):
                raise BackupError(
                    f"{path} is not a lupustrial backup (members: {', '.join(names)})"
                )
            archive.extractall(into, filter="data")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} is not a lupustrial backup ({error})") from None
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"the backup's manifest cannot be read ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} backup")
    database = into / DATABASE.get(str(manifest.get("database")), "missing")
    if not database.exists():
        raise BackupError("the backup holds no database file")
    checkpoints = into / CHECKPOINTS
    return Opened(manifest, database, checkpoints if checkpoints.exists() else None)


def check_files(opened: Opened) -> None:
    """Each member's SHA-256 and size as the sealed manifest names them; nothing else."""
    files = opened.manifest.get("files", {})
    present = {opened.database.name: opened.database}
    if opened.checkpoints is not None:
        present[CHECKPOINTS] = opened.checkpoints
    if set(files) != set(present):
        raise BackupError(
            f"the backup holds {sorted(present)} but its manifest names {sorted(files)}"
        )
    for name, path in present.items():
        if sha256_of(path) != files[name]["sha256"] or path.stat().st_size != files[name]["bytes"]:
            raise BackupError(
                f"{name} does not match its SHA-256 in the manifest: the backup was altered"
            )


# -- the trail read out of a database file --------------------------------------------------------

_ENTRY_COLUMNS = (
    "seq", "at", "actor", "role", "action", "subject", "visit", "form", "field",
    "old_value", "new_value", "reason", "prev_hash", "subject_ref", "key_id", "hash",
)  # fmt: skip


def _instant(text: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


_IMPORT_COLUMNS = ("import_id", "imported_by")
"""Audit 0007's columns: blank in a backup taken before them (no entry was imported then)."""


def _entry(row: Mapping[str, Any]) -> dict[str, Any]:
    entry = {name: row[name] for name in _ENTRY_COLUMNS}
    present = set(row.keys())
    entry.update({name: (row[name] or "") if name in present else "" for name in _IMPORT_COLUMNS})
    entry["seq"] = int(entry["seq"])
    entry["at"] = _instant(str(entry["at"]))
    entry["subject_ref"] = int(entry["subject_ref"]) if entry["subject_ref"] is not None else None
    entry["key_id"] = entry["key_id"] or ""
    return entry


@dataclass
class Trail:
    entries: list[dict[str, Any]]
    head: tuple[int, str]
    rows: dict[str, int]


def sqlite_trail(path: Path) -> Trail:
    """The trail, its head and every table's row count, read from a SQLite file (read-only)."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        # Every column: a backup from before audit 0007 has no import columns (`_entry`).
        entries = [
            _entry(row) for row in connection.execute("SELECT * FROM audit_auditentry ORDER BY seq")
        ]
        head_row = connection.execute(
            "SELECT seq, hash FROM audit_audithead WHERE id = 1"
        ).fetchone()
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = {
            name: connection.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            for name in tables
        }
    except sqlite3.Error as error:
        raise BackupError(f"the backup's database cannot be read ({error})") from None
    finally:
        connection.close()
    head = (int(head_row["seq"]), str(head_row["hash"])) if head_row else (0, "0" * 64)
    return Trail(entries, head, rows)


_COPY = re.compile(r"^COPY (?:\w+\.)?(\w+) \(([^)]*)\) FROM stdin;$")
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_value(text: str) -> str | None:
    """One field of PostgreSQL's COPY text format, unescaped (\\N is NULL).

    COPY TO writes only the backslash sequences of ``_ESCAPES``, never octal or hex bytes
    (PostgreSQL documentation, COPY, "Text Format").
    """
    if text == "\\N":
        return None
    if "\\" not in text:
        return text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def _copy_rows(lines: Iterator[str]) -> dict[str, list[dict[str, str | None]]]:
    tables: dict[str, list[dict[str, str | None]]] = {}
    for line in lines:
        match = _COPY.match(line.rstrip("\n"))
        if not match:
            continue
        table, columns = match.group(1), [c.strip().strip('"') for c in match.group(2).split(",")]
        rows = tables.setdefault(table, [])
        for data in lines:
            data = data.rstrip("\n")
            if data == "\\.":
                break
            rows.append(dict(zip(columns, map(_copy_value, data.split("\t")), strict=True)))
    return tables


def postgresql_trail(path: Path) -> Trail:
    """The trail and its head, read from a pg_dump file with pg_restore (nothing restored)."""
    try:
        done = subprocess.run(
            ["pg_restore", "--data-only", "--table=audit_auditentry", "--table=audit_audithead",
             "--file=-", str(path)],
            capture_output=True, text=True, check=False, timeout=3600,
        )  # fmt: skip
    except FileNotFoundError:
        raise BackupError("pg_restore is not installed (PostgreSQL's client tools)") from None
    if done.returncode != 0:
        raise BackupError(f"the backup's database cannot be read: {done.stderr.strip()}")
    tables = _copy_rows(iter(done.stdout.split("\n")))
    entries = sorted(
        (_entry(row) for row in tables.get("audit_auditentry", [])), key=lambda e: e["seq"]
    )
    heads = [row for row in tables.get("audit_audithead", []) if row.get("id") == "1"]
    head = (int(heads[0]["seq"] or 0), str(heads[0]["hash"])) if heads else (0, "0" * 64)
    return Trail(entries, head, {})
