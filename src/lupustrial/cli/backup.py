"""`lupustrial backup` and `lupustrial restore`: the whole database with its audit evidence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import run_in_web_app

T = TypeVar("T")


_DATABASE = (
    "cannot use the database ({error}); DATABASE_URL (or LUPUSTRIAL_DATA_DIR for SQLite) "
    "says which, and on PostgreSQL it must exist"
)


def _run(function: Callable[[], T]) -> T:
    """Django set up; a database, key or backup problem becomes a message, never a traceback."""
    from lupustrial.edc.backups.archive import BackupError

    return run_in_web_app(function, _DATABASE, BackupError)


def _console() -> str:
    import getpass

    return f"console:{getpass.getuser()}"


@app.command("backup")
def backup_command(
    to: Annotated[
        Path | None,
        typer.Option(
            "--to",
            help="Directory to write the backup file into (default: LUPUSTRIAL_DATA_DIR/backups).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Back up the whole database (study data and audit trail) into one file.

    The file holds the database (SQLite's backup API, or pg_dump on PostgreSQL), the audit
    checkpoint file and a manifest with each part's SHA-256, the trail's head and a seal under
    the audit key. Refused when the audit trail does not verify. The audit key is NOT in the
    file: keep it apart (README, Production). Recorded in the audit trail.
    """

    def act() -> str:
        from django.conf import settings

        from lupustrial.edc.backups.services import backup

        directory = to if to is not None else Path(settings.DATA_DIR) / "backups"
        made = backup(_console(), directory.resolve())
        trail = made.manifest["trail"]
        return (
            f"backup written: {made.path}\n"
            f"  {made.manifest['database']}, audit trail of {trail['entries']} entries up to "
            f"entry {trail['head_seq']}, sha256 {made.sha256}"
        )

    typer.echo(_run(act))


@app.command("restore")
def restore_command(
    archive: Annotated[
        Path,
        typer.Argument(
            metavar="BACKUP", help="A file written by 'lupustrial backup'.", dir_okay=False
        ),
    ],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the database is restored (recorded in the trail).")
    ],
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a database that already holds data (all of it)."),
    ] = False,
    accept_older: Annotated[
        bool,
        typer.Option(
            "--accept-older",
            help="Restore a backup older than this host's last audit checkpoint, losing the "
            "entries after it (recorded in the trail).",
        ),
    ] = False,
) -> None:
    """Restore a backup into the configured database, once it is proven untampered.

    Before touching the database: the manifest's seal under this host's audit key, every
    part's SHA-256, the backup's audit chain, and the checkpoints outside the database. A
    tampered backup is refused and nothing is changed. A database that holds data is replaced
    only with --force. After loading, the whole record is verified and the restore recorded.
    On PostgreSQL run 'lupustrial db grants --app-role ROLE --apply' afterwards.
    """

    def act() -> str:
        from django.db import connection

        from lupustrial.edc.backups.services import restore

        done = restore(
            _console(), archive.resolve(), reason, force=force, accept_older=accept_older
        )
        trail = done.manifest["trail"]
        lines = [
            f"restored {archive.name} (taken {done.manifest['created_at']}): audit trail of "
            f"{trail['entries']} entries up to entry {trail['head_seq']} verified",
        ]
        if done.lost:
            lines.append(
                f"WARNING: the backup is older than the last audit checkpoint: {done.lost} "
                "are lost; the restore and the loss are recorded in the trail, and the earlier "
                "checkpoint file is kept beside the new one"
            )
        if done.checkpoint is not None:
            lines.append(f"checkpoint written: {done.checkpoint.line()}")
        if connection.vendor == "postgresql":
            lines.append(
                "now give the application role its grants: lupustrial db grants --app-role "
                "ROLE --apply"
            )
        return "\n".join(lines)

    typer.echo(_run(act))
