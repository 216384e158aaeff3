"""Issue 14, finding 5: `lupustrial backup` and `lupustrial restore`, run as a user runs them.

Every command runs as a subprocess in a fresh shell. The study is created through the services
(the demo, then queries, verification, deviations and safety reports), backed up, restored
into a fresh database on another host that holds the audit key, and compared table by table:
every row and the audit chain up to the backup are identical, and `audit verify` passes. A
tampered backup is refused with a message, never a traceback, and the target is left as it was.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

from lupustrial.edc.audit.keys import AuditKey, key_id_of
from lupustrial.edc.backups.archive import MANIFEST, seal, sha256_of
from tests.edc.postgresql import SQLITE_IN_SUBPROCESSES

ROOT = Path(__file__).resolve().parents[2]
LUPUSTRIAL = shutil.which("lupustrial", path=str(Path(sys.executable).parent)) or "lupustrial"
WHOLE_RECORD = (
    "from lupustrial.edc import setup; setup(); "
    "from tests.edc.test_reconciliation_coverage import _whole_record; _whole_record()"
)
APP_ROLE = "lupustrial_backup_test_app"


def _shell(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "LUPUSTRIAL_AUDIT_KEY")
    }
    env["LUPUSTRIAL_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run([LUPUSTRIAL, *args], env)


def _create_study(env: dict[str, str]) -> Path:
    """The demo and the rest of the record through the services; then one backup."""
    assert _cli(env, "web", "demo", "--no-serve").returncode == 0
    done = _run([sys.executable, "-c", WHOLE_RECORD], env)
    assert done.returncode == 0, done.stderr
    made = _cli(env, "backup")
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.split("backup written: ", 1)[1].splitlines()[0])
    assert path.parent == Path(env["LUPUSTRIAL_DATA_DIR"]) / "backups"
    return path


def _new_host(tmp_path: Path, source: Path, name: str) -> Path:
    """A data directory on another host, with only the audit key copied from the source."""
    host = tmp_path / name
    host.mkdir()
    shutil.copyfile(source / "audit_key", host / "audit_key")
    return host


def _manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(MANIFEST)
        assert member is not None
        return dict(json.load(member))


def _key(data_dir: Path) -> AuditKey:
    secret = (data_dir / "audit_key").read_text().strip().encode()
    return AuditKey(key_id_of(secret), secret)


def _rebuild(archive: Path, out: Path, change: Any, reseal_with: AuditKey | None = None) -> Path:
    """A copy of the backup with its database file changed by ``change(path)``; its manifest
    kept, re-hashed, or (with the key: an insider) re-hashed and sealed again."""
    work = out.parent / (out.name + ".d")
    work.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    manifest = json.loads((work / MANIFEST).read_text())
    database = next(p for p in work.iterdir() if p.name.startswith("database."))
    change(database)
    if reseal_with is not None or change is not _flip:
        manifest["files"][database.name] = {
            "sha256": sha256_of(database),
            "bytes": database.stat().st_size,
        }
    if reseal_with is not None:
        manifest = seal(manifest, reseal_with)
    with tarfile.open(out, "w") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        for path in sorted(work.iterdir()):
            if path.name != MANIFEST:
                tar.add(path, arcname=path.name)
    return out


def _flip(database: Path) -> None:
    """One byte changed in the middle of the file, as bit rot or a crude edit would."""
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))


def _rewrite_sqlite_entry(database: Path) -> None:
    """An audit entry's actor rewritten in the backup's database."""
    with sqlite3.connect(database) as db:
        db.execute("UPDATE audit_auditentry SET actor = 'someone else' WHERE seq = 20")


# -- SQLite -----------------------------------------------------------------------------------


def _sqlite_rows(path: Path, head_seq: int) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        rows = {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
        rows["audit_auditentry"] = db.execute(
            "SELECT * FROM audit_auditentry WHERE seq <= ? ORDER BY seq", [head_seq]
        ).fetchall()
    return rows


@pytest.fixture(scope="module")
def sqlite_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    source = tmp_path_factory.mktemp("source")
    return source, _create_study(_shell(source))


@SQLITE_IN_SUBPROCESSES
def test_a_sqlite_backup_restores_every_row_and_the_chain_on_a_new_host(
    sqlite_study: tuple[Path, Path], tmp_path: Path
) -> None:
    source, archive = sqlite_study
    manifest = _manifest(archive)
    head = manifest["trail"]["head_seq"]
    assert manifest["database"] == "sqlite"
    assert manifest["rows"]["deviations_deviation"] == 1
    assert manifest["rows"]["safety_safetyreport"] == 2
    host = _new_host(tmp_path, source, "host")
    env = _shell(host)
    done = _cli(env, "restore", str(archive), "--reason", "server replaced")
    assert done.returncode == 0, done.stderr
    assert f"up to entry {head} verified" in done.stdout
    restored = _sqlite_rows(host / "lupustrial.sqlite3", head)
    original = _sqlite_rows(source / "lupustrial.sqlite3", head)
    assert restored.keys() == original.keys()
    for table in original.keys() - {"audit_audithead"}:
        assert restored[table] == original[table], table
    assert len(restored["audit_auditentry"]) == head
    # The backup and the restore are each in their database's trail, after the backed-up head.
    with sqlite3.connect(host / "lupustrial.sqlite3") as db:
        after = db.execute(
            "SELECT action, actor, reason FROM audit_auditentry WHERE seq > ?", [head]
        )
        assert [(a, r) for a, _, r in after] == [("restore", "server replaced")]
    with sqlite3.connect(source / "lupustrial.sqlite3") as db:
        (action,) = db.execute("SELECT action FROM audit_auditentry WHERE seq = ?", [head + 1])
        assert action == ("backup",)
    # The checkpoint file came with the backup (the new host had none).
    assert (host / "audit_checkpoints.log").exists()
    verified = _cli(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout
    assert "audit trail intact" in verified.stdout


@SQLITE_IN_SUBPROCESSES
def test_restore_refuses_a_database_with_data_and_an_older_backup_unless_told(
    sqlite_study: tuple[Path, Path], tmp_path: Path
) -> None:
    source, archive = sqlite_study
    head = _manifest(archive)["trail"]["head_seq"]
    host = _new_host(tmp_path, source, "host")
    env = _shell(host)
    assert _cli(env, "restore", str(archive), "--reason", "first").returncode == 0
    again = _cli(env, "restore", str(archive), "--reason", "again", "--force")
    # The restore itself moved the trail on past the backup: giving that up must be explicit.
    assert again.returncode == 2
    assert f"ends at entry {head}" in again.stderr
    assert "--accept-older" in again.stderr
    refused = _cli(env, "restore", str(archive), "--reason", "again", "--accept-older")
    assert refused.returncode == 2
    assert "holds data already" in refused.stderr
    assert "--force" in refused.stderr
    forced = _cli(
        env, "restore", str(archive), "--reason", "roll back", "--force", "--accept-older"
    )
    assert forced.returncode == 0, forced.stderr
    assert f"WARNING: the backup is older than the last audit checkpoint: entry {head + 1}" in (
        forced.stdout
    )
    assert list(host.glob("audit_checkpoints.before-restore-*.log"))  # kept as evidence
    with sqlite3.connect(host / "lupustrial.sqlite3") as db:
        (lost,) = db.execute(
            "SELECT new_value FROM audit_auditentry WHERE action = 'restore' ORDER BY seq DESC"
        ).fetchone()
    assert json.loads(lost)["lost"] == f"entry {head + 1}"
    assert _cli(env, "audit", "verify").returncode == 0
    missing = _cli(env, "restore", "--reason", "x", str(tmp_path / "nothing.tar"))
    assert missing.returncode == 2
    assert "no such file" in missing.stderr


@SQLITE_IN_SUBPROCESSES
@pytest.mark.parametrize(
    ("change", "reseal", "message"),
    [
        (_flip, False, "database.sqlite3 does not match its SHA-256 in the manifest"),
        (_rewrite_sqlite_entry, False, "does not carry a valid seal"),
        (_rewrite_sqlite_entry, True, "entry 20: altered"),
    ],
    ids=["bytes-changed", "rehashed-without-the-key", "resealed-by-an-insider"],
)
def test_a_tampered_sqlite_backup_is_refused_and_nothing_is_restored(
    sqlite_study: tuple[Path, Path], tmp_path: Path, change: Any, reseal: bool, message: str
) -> None:
    source, archive = sqlite_study
    tampered = _rebuild(
        archive, tmp_path / "tampered.tar", change, _key(source) if reseal else None
    )
    host = _new_host(tmp_path, source, "host")
    done = _cli(_shell(host), "restore", str(tampered), "--reason", "test")
    assert done.returncode == 2
    assert message in done.stderr
    assert not (host / "lupustrial.sqlite3").exists()


@SQLITE_IN_SUBPROCESSES
def test_restore_without_the_key_or_of_something_else_says_what_to_do(
    sqlite_study: tuple[Path, Path], tmp_path: Path
) -> None:
    _source, archive = sqlite_study
    host = tmp_path / "keyless"
    host.mkdir()
    done = _cli(_shell(host), "restore", str(archive), "--reason", "test")
    assert done.returncode == 2
    assert "there is no audit key on this host" in done.stderr
    assert not (host / "audit_key").exists()  # no key invented
    other = tmp_path / "other.tar"
    other.write_bytes(b"not a tar file")
    done = _cli(_shell(host), "restore", str(other), "--reason", "test")
    assert done.returncode == 2
    assert "is not a lupustrial backup" in done.stderr
    helped = _cli(_shell(host), "restore", "--help")
    assert helped.returncode == 0
    assert "--accept-older" in helped.stdout


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def postgresql_databases(db: Any) -> Iterator[tuple[str, str]]:
    """Two empty databases beside the test database: a source and a restore target."""
    from django.db import connection

    from tests.edc.postgresql import require_postgresql

    require_postgresql()
    import psycopg

    settings = connection.settings_dict
    host, port = settings["HOST"] or "localhost", settings["PORT"] or 5432
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
    base = f"postgresql://{settings['USER']}{password}@{host}:{port}"
    names = (f"{settings['NAME']}_src", f"{settings['NAME']}_dst")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgresql_rows(url: str, head_seq: int) -> dict[str, list[tuple[Any, ...]]]:
    import psycopg

    with psycopg.connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        rows = {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
        rows["audit_auditentry"] = db.execute(
            "SELECT * FROM audit_auditentry WHERE seq <= %s ORDER BY seq", [head_seq]
        ).fetchall()
    return rows


def test_a_postgresql_backup_restores_every_row_and_the_chain(
    postgresql_databases: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = postgresql_databases
    source = tmp_path / "source"
    source.mkdir()
    _create_study(_shell(source, source_url))
    # Backups run as the application role (the scheduler's): it reads everything, owns nothing.
    import psycopg

    with psycopg.connect(source_url, autocommit=True) as db:
        db.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}')"
            f" THEN CREATE ROLE {APP_ROLE} LOGIN; END IF; END $$"
        )
    granted = _cli(_shell(source, source_url), "db", "grants", "--app-role", APP_ROLE, "--apply")
    assert granted.returncode == 0, granted.stderr
    parts = urlsplit(source_url)
    app_url = urlunsplit(parts._replace(netloc=f"{APP_ROLE}@{parts.netloc.rsplit('@', 1)[-1]}"))
    as_app = _cli(_shell(source, app_url), "backup")
    assert as_app.returncode == 0, as_app.stderr
    archive = Path(as_app.stdout.split("backup written: ", 1)[1].splitlines()[0])
    manifest = _manifest(archive)
    head = manifest["trail"]["head_seq"]
    assert manifest["database"] == "postgresql"
    host = _new_host(tmp_path, source, "host")
    env = _shell(host, target_url)

    tampered = _rebuild(archive, tmp_path / "tampered.tar", _flip)
    refused = _cli(env, "restore", str(tampered), "--reason", "test")
    assert refused.returncode == 2
    assert "database.pgdump does not match its SHA-256" in refused.stderr

    done = _cli(env, "restore", str(archive), "--reason", "server replaced")
    assert done.returncode == 0, done.stderr
    assert "db grants" in done.stdout
    restored, original = _postgresql_rows(target_url, head), _postgresql_rows(source_url, head)
    assert restored.keys() == original.keys()
    for table in original.keys() - {"audit_audithead"}:
        assert restored[table] == original[table], table
    assert len(restored["audit_auditentry"]) == head
    verified = _cli(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout
    # The database's own guards came back with it.
    import psycopg

    with psycopg.connect(target_url) as db:
        triggers = {t for (t,) in db.execute("SELECT tgname FROM pg_trigger")}
    assert {"audit_entry_no_truncate", "audit_head_follows_trail"} <= triggers

    with_data = _cli(env, "restore", str(archive), "--reason", "again", "--accept-older")
    assert with_data.returncode == 2
    assert "holds data already" in with_data.stderr


def test_a_postgresql_backup_resealed_by_an_insider_is_refused_by_its_chain(
    postgresql_databases: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = postgresql_databases
    source = tmp_path / "source"
    source.mkdir()
    archive = _create_study(_shell(source, source_url))

    def rewrite(database: Path) -> None:
        """The source's trail rewritten behind the application, dumped in place of the backup's."""
        import psycopg

        with psycopg.connect(source_url, autocommit=True) as db:
            db.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
            db.execute("UPDATE audit_auditentry SET actor = 'someone else' WHERE seq = 20")
        subprocess.run(["pg_dump", "--format=custom", f"--file={database}", source_url], check=True)

    tampered = _rebuild(archive, tmp_path / "tampered.tar", rewrite, _key(source))
    host = _new_host(tmp_path, source, "host")
    done = _cli(_shell(host, target_url), "restore", str(tampered), "--reason", "test")
    assert done.returncode == 2
    assert "entry 20: altered" in done.stderr
    import psycopg

    with psycopg.connect(target_url) as db:
        row = db.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert row is not None
    (tables,) = row
    assert tables == 0  # nothing was restored


@SQLITE_IN_SUBPROCESSES
def test_the_scheduler_backs_up_when_due_and_once(
    sqlite_study: tuple[Path, Path], tmp_path: Path
) -> None:
    source, _archive = sqlite_study
    copy = tmp_path / "copy"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("backups"))
    env = _shell(copy) | {"LUPUSTRIAL_BACKUP_DIR": str(tmp_path / "nightly")}
    # The copied database's last backup was just now: not due until 24 hours have passed.
    assert "database-backup" not in _cli(env, "jobs", "run").stdout
    env["LUPUSTRIAL_BACKUP_HOURS"] = "0"
    first = _cli(env, "jobs", "run")
    assert first.returncode == 0, first.stderr
    assert "database-backup: written: " in first.stdout
    (made,) = (tmp_path / "nightly").glob("lupustrial-backup-*.tar")
    assert _manifest(made)["database"] == "sqlite"
    env["LUPUSTRIAL_BACKUP_HOURS"] = "24"
    assert "database-backup" not in _cli(env, "jobs", "run").stdout
    env["LUPUSTRIAL_BACKUP_HOURS"] = "daily"
    assert "LUPUSTRIAL_BACKUP_HOURS must be a number" in _cli(env, "jobs", "run").stdout


def test_the_trail_is_read_from_postgresql_copy_text_exactly() -> None:
    """pg_restore's COPY text: backslash escapes, \\N for NULL, and no other line breaks."""
    from lupustrial.edc.backups.archive import _copy_rows

    text = (
        "SET x = 1;\n"
        "COPY public.audit_auditentry (id, reason, subject_ref) FROM stdin;\n"
        "1\tline one\\nline two\\ttab \\\\ backslash \u2028 kept\t\\N\n"
        "2\t\t7\n"
        "\\.\n"
    )
    rows = _copy_rows(iter(text.split("\n")))["audit_auditentry"]
    assert rows == [
        {
            "id": "1",
            "reason": "line one\nline two\ttab \\ backslash \u2028 kept",
            "subject_ref": None,
        },
        {"id": "2", "reason": "", "subject_ref": "7"},
    ]
