"""Back up and restore the whole database, with the evidence that lets a restore be trusted.

`backup` takes one consistent view of the database (SQLite's online backup API inside one
immediate transaction; on PostgreSQL pg_dump on a snapshot exported from a repeatable-read
transaction), refuses when the audit trail does not verify in that view (chain, checkpoints,
reconciliation), anchors that view's head in the checkpoint file, and writes a tar file with
the database, the checkpoint file and a manifest sealed under the audit key (`archive.py`).

`restore` checks, before it touches the target database: the seal (the key lives on the host,
never in the backup), each member's SHA-256, the chain of the backup's trail under the host's
keys, and every checkpoint (the host's file, else the backup's) against that trail. A backup
whose trail ends before the host's last checkpoint would lose entries: refused unless asked
for knowingly (``accept_older``), and then recorded. It refuses a target that holds data
unless ``force``; after loading, the whole record is verified again and the restore recorded.
Issue 14, finding 5; 21 CFR 11.10(c) (records protected for their retention period), 1997.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

import lupustrial
from lupustrial.edc.audit.checkpoints import (
    Checkpoint,
    checkpoint_file,
    contradictions,
    read_checkpoints,
    write_checkpoint,
)
from lupustrial.edc.audit.keys import ENV_KEY, AuditKey, current_key, key_file, keyring
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record, verify_chain
from lupustrial.edc.audit.verification import verify
from lupustrial.edc.backups.archive import (
    CHECKPOINTS,
    DATABASE,
    FORMAT,
    BackupError,
    Opened,
    check_files,
    check_seal,
    open_archive,
    postgresql_trail,
    seal,
    sha256_of,
    sqlite_trail,
    write_archive,
)

FORM = "database"
# Tables the migrations themselves fill: a database holding only these holds no study yet.
_SCHEMA_TABLES = {"django_migrations", "django_content_type", "auth_permission"}


@dataclass(frozen=True)
class Backup:
    path: Path
    sha256: str
    manifest: dict[str, Any]


@dataclass(frozen=True)
class Restored:
    backup: Path
    manifest: dict[str, Any]
    lost: str  # the entries the restore gave up knowingly ("" when none)
    checkpoint: Checkpoint | None


def _vendor() -> str:
    vendor = str(connection.vendor)
    if vendor not in DATABASE:
        raise BackupError(f"backups cover SQLite and PostgreSQL, not {vendor}")
    return vendor


def _postgresql_command(program: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """A PostgreSQL client command on the configured database (password in its environment)."""
    db = connection.settings_dict
    command = [program, "--no-password", f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        command.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        command.append(f"--port={db['PORT']}")
    if db.get("USER"):
        command.append(f"--username={db['USER']}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return [*command, *args], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL's client tools)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


@contextmanager
def _one_view(vendor: str) -> Iterator[Callable[[Path], None]]:
    """One unchanging view of the database for the check, the counts and the copy.

    PostgreSQL: a repeatable-read transaction whose snapshot pg_dump shares. SQLite: a second
    connection holding a read transaction (a shared lock), so that no writer commits until
    the copy is taken (writers wait, settings.py); the copy is the online backup API's.
    """
    if vendor == "postgresql":
        connection.ensure_connection()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])

            def dump(path: Path) -> None:
                command, env = _postgresql_command(
                    "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={path}"
                )
                _run(command, env)

            yield dump
        return
    reader = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=20)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # takes the shared lock

        def copy(path: Path) -> None:
            target = sqlite3.connect(path)
            try:
                reader.backup(target)
            finally:
                target.close()

        yield copy
    finally:
        reader.rollback()
        reader.close()


def _name(directory: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"lupustrial-backup-{stamp}.tar"
    number = 1
    while path.exists() or path.with_name(path.name + ".partial").exists():
        number += 1
        path = directory / f"lupustrial-backup-{stamp}-{number}.tar"
    return path


def backup(actor: str, directory: Path) -> Backup:
    """Write one backup file into ``directory``; refused when the trail does not verify."""
    vendor = _vendor()
    directory.mkdir(parents=True, exist_ok=True)
    target = _name(directory)
    key = current_key()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = Path(work) / DATABASE[vendor]
        with _one_view(vendor) as take_copy:
            report = verify(checkpoint_by=None)
            if not report.intact:
                raise BackupError(
                    "the audit trail does not verify, so no backup was written "
                    "(keep a forensic copy with sqlite3 or pg_dump):\n" + "\n".join(report.lines())
                )
            rows = _row_counts()
            checkpoint = write_checkpoint(report.head_seq, report.head_hash, "backup")
            take_copy(dump)
        shutil.copyfile(checkpoint_file(), Path(work) / CHECKPOINTS)
        members = {DATABASE[vendor]: dump, CHECKPOINTS: Path(work) / CHECKPOINTS}
        manifest = seal(
            {
                "format": FORMAT,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "software": f"lupustrial {lupustrial.__version__}",
                "database": vendor,
                "files": {
                    name: {"sha256": sha256_of(path), "bytes": path.stat().st_size}
                    for name, path in members.items()
                },
                "trail": {
                    "entries": report.entries,
                    "head_seq": report.head_seq,
                    "head_hash": report.head_hash,
                },
                "checkpoint": checkpoint.line(),
                "rows": rows,
            },
            key,
        )
        write_archive(target, members, manifest)
    digest = sha256_of(target)
    with transaction.atomic():
        record(
            actor,
            Action.BACKUP,
            form=FORM,
            field=target.name,
            new={"sha256": digest, "head_seq": report.head_seq, "database": vendor},
        )
    return Backup(target, digest, manifest)


# -- restore ----------------------------------------------------------------------------------


def _host_keys(manifest: dict[str, Any]) -> dict[str, AuditKey]:
    """The host's audit keys; never a new one (a restore must not seal with a key it invented)."""
    if not os.environ.get(ENV_KEY) and not key_file().exists():
        raise BackupError(
            f"there is no audit key on this host ({key_file()}): put the key that sealed the "
            f"backup (key id {manifest.get('key_id')}) there, or set {ENV_KEY}; keep it apart "
            "from the backups"
        )
    return keyring()


def _check_trail(opened: Opened, accept_older: bool) -> tuple[int, int, str]:
    """The backup's trail checked against the host's evidence: (head seq, last anchored, lost)."""
    manifest = opened.manifest
    trail = (
        sqlite_trail(opened.database)
        if manifest["database"] == "sqlite"
        else postgresql_trail(opened.database)
    )
    report = verify_chain(trail.entries, trail.head)
    if not report.intact:
        raise BackupError(
            "the backup's audit trail does not verify under this host's key; it was altered:\n"
            + "\n".join(report.lines()[1:])
        )
    said = manifest.get("trail", {})
    if (said.get("head_seq"), said.get("head_hash"), said.get("entries")) != (
        report.head_seq,
        report.head_hash,
        report.entries,
    ):
        raise BackupError("the backup's manifest does not describe the trail it holds")
    host, problems = read_checkpoints()
    if problems:
        raise BackupError("this host's checkpoint file: " + "; ".join(problems))
    carried: list[Checkpoint] = []
    if opened.checkpoints is not None:
        carried, problems = read_checkpoints(opened.checkpoints)
        if problems:
            raise BackupError("the backup's checkpoint file: " + "; ".join(problems))
    hashes = {entry["seq"]: entry["hash"] for entry in trail.entries}
    found = contradictions(host + carried, report.head_seq, hashes)
    rewritten = [f"entry {seq}: {what}" for seq, what in found if seq <= report.head_seq]
    if rewritten:
        raise BackupError(
            "the backup's audit trail contradicts the checkpoints outside the database:\n"
            + "\n".join(rewritten)
        )
    furthest = max((c.seq for c in host), default=0)
    lost = ""
    if furthest > report.head_seq:
        first = report.head_seq + 1
        lost = f"entry {first}" if first == furthest else f"entries {first}-{furthest}"
        if not accept_older:
            raise BackupError(
                f"the backup's trail ends at entry {report.head_seq}, but this host's checkpoint "
                f"file anchored entry {furthest}: restoring it loses {lost}. If this is the "
                "latest backup there is, restore it with --accept-older (the loss is recorded)"
            )
    return report.head_seq, furthest, lost


def holds_data() -> bool:
    """Whether the configured database holds anything beyond what its migrations put there."""
    if connection.vendor == "sqlite" and not Path(str(connection.settings_dict["NAME"])).exists():
        return False
    counts = _row_counts()
    return any(n for table, n in counts.items() if table not in _SCHEMA_TABLES)


def _load(vendor: str, database: Path) -> None:
    connection.close()
    if vendor == "sqlite":
        target = Path(str(connection.settings_dict["NAME"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        source, copy = sqlite3.connect(database), sqlite3.connect(target)
        try:
            source.backup(copy)  # replaces the whole target database, in one step
        finally:
            source.close()
            copy.close()
        return
    command, env = _postgresql_command(
        "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl",
        "--single-transaction", "--exit-on-error", str(database),
    )  # fmt: skip
    _run(command, env)


def _anchor(opened: Opened, head_seq: int, lost: str) -> None:
    """The checkpoint file after the restore: the host's; set aside when entries were given up
    (kept as evidence), or absent on a new host, the backup's lines up to its head."""
    path = checkpoint_file()
    if lost and path.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        path.rename(path.with_name(f"audit_checkpoints.before-restore-{stamp}.log"))
    if path.exists() or opened.checkpoints is None:
        return
    carried, _ = read_checkpoints(opened.checkpoints)
    lines = [c.line() for c in carried if c.seq <= head_seq]
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("".join(line + "\n" for line in lines))


def restore(
    actor: str, archive: Path, reason: str, *, force: bool = False, accept_older: bool = False
) -> Restored:
    """Restore ``archive`` into the configured database after checking it (module docstring)."""
    reason = reason.strip()
    if not reason:
        raise BackupError("say why the database is restored (--reason): the trail records it")
    vendor = _vendor()
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    digest = sha256_of(archive)
    work_root = Path(settings.DATA_DIR)
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_root, prefix=".restore-") as work:
        opened = open_archive(archive, Path(work))
        check_seal(opened.manifest, _host_keys(opened.manifest))
        check_files(opened)
        if opened.manifest["database"] != vendor:
            raise BackupError(
                f"this is a backup of a {opened.manifest['database']} database; the configured "
                f"database is {vendor} (DATABASE_URL says which)"
            )
        head_seq, _furthest, lost = _check_trail(opened, accept_older)
        if holds_data() and not force:
            raise BackupError(
                "the database holds data already: restore replaces all of it only with --force "
                "(back it up first)"
            )
        _load(vendor, opened.database)
        _anchor(opened, head_seq, lost)
    counts = _row_counts()
    differing = sorted(t for t, n in opened.manifest["rows"].items() if counts.get(t) != n)
    if differing:
        raise BackupError(f"restored, but these tables differ from the backup: {differing}")
    report = verify(checkpoint_by=None)
    if not report.intact:
        raise BackupError("restored, but the record does not verify:\n" + "\n".join(report.lines()))
    with transaction.atomic():
        record(
            actor,
            Action.RESTORE,
            form=FORM,
            field=archive.name,
            new={
                "sha256": digest,
                "taken_at": opened.manifest["created_at"],
                "head_seq": head_seq,
                "database": vendor,
                "lost": lost or None,
            },
            reason=reason,
        )
    after = verify(checkpoint_by="restore")
    return Restored(archive, opened.manifest, lost, after.checkpoint)
