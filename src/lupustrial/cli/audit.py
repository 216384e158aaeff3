"""`lupustrial audit` and `lupustrial jobs`: check the trail, anchor it, run scheduled work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError, run_in_web_app

audit = typer.Typer(
    help="Check the audit trail, anchor it outside the database, rotate its key.",
    no_args_is_help=True,
)
jobs = typer.Typer(
    help="Scheduled work (checkpoints, backups, safety e-mails): run by cron or a systemd timer.",
    no_args_is_help=True,
)
app.add_typer(audit, name="audit")
app.add_typer(jobs, name="jobs")

T = TypeVar("T")


_DATABASE = (
    "cannot read the audit trail ({error}); has the database been "
    "created (lupustrial web demo or lupustrial web serve)?"
)


def _run(function: Callable[[], T]) -> T:
    """Django set up; a database or key problem becomes a message, never a traceback."""
    return run_in_web_app(function, _DATABASE)


@audit.command()
def verify() -> None:
    """Check the keyed hash chain and the checkpoints outside the database (exit 1 if broken).

    Names every entry altered, inserted or removed, and every checkpoint the trail
    contradicts (a truncated trail, a cut tail, a database restored from an older state).
    A trail that passes is anchored by a new line in the checkpoint file.
    """

    def check() -> list[str]:
        from lupustrial.edc.audit.verification import verify as verify_trail

        report = verify_trail()
        if not report.intact:
            typer.echo("\n".join(report.lines()))
            raise typer.Exit(1)
        return report.lines()

    typer.echo("\n".join(_run(check)))


@audit.command()
def checkpoint(
    show: Annotated[
        bool,
        typer.Option(
            "--print",
            help="Print the latest checkpoint line (for an external witness) instead of writing.",
        ),
    ] = False,
) -> None:
    """Write a checkpoint of the trail's head, or print the latest one with --print."""

    def act() -> str:
        from lupustrial.edc.audit.checkpoints import checkpoint_file, latest_checkpoint
        from lupustrial.edc.audit.verification import verify as verify_trail

        if show:
            latest = latest_checkpoint()
            if latest is None:
                raise InputError(
                    f"no checkpoint in {checkpoint_file()} yet: run it without --print"
                )
            return latest.line()
        report = verify_trail(checkpoint_by="checkpoint")
        if not report.intact:
            typer.echo("\n".join(report.lines()))
            raise typer.Exit(1)
        # verify(checkpoint_by=...) writes a checkpoint for every intact trail.
        assert report.checkpoint is not None
        return report.checkpoint.line()

    typer.echo(_run(act))


@audit.command("rotate-key")
def rotate_key() -> None:
    """Retire the audit key file and create a new one; older entries still verify.

    The retired key moves to LUPUSTRIAL_DATA_DIR/audit_keys/<key id>; keep that directory
    with the key file (and in backups). A key given in LUPUSTRIAL_AUDIT_KEY is rotated in the
    environment instead: move the old value to LUPUSTRIAL_AUDIT_OLD_KEYS.
    """

    def act() -> str:
        from lupustrial.edc.audit.keys import rotate
        from lupustrial.edc.audit.verification import verify as verify_trail

        before = verify_trail(checkpoint_by=None)
        if not before.intact:
            typer.echo("\n".join(before.lines()))
            raise InputError("the trail does not verify: the key was not rotated")
        old, new = rotate()
        verify_trail(checkpoint_by="rotate-key")
        return f"audit key {old.key_id} retired; new entries are sealed with {new.key_id}"

    typer.echo(_run(act))


@jobs.command("run")
def run_jobs() -> None:
    """Run every scheduled job that is due (idempotent: a second run does nothing new).

    The jobs: safety e-mails, the audit checkpoint, and a backup of the whole database into
    LUPUSTRIAL_BACKUP_DIR every LUPUSTRIAL_BACKUP_HOURS (24 by default; off without the
    directory). Call it from cron or a systemd timer (README, Production); each job that does
    something is recorded in the audit trail as the scheduler's.
    """

    def act() -> list[tuple[str, str]]:
        from lupustrial.edc.jobs.services import run_due

        return run_due()

    done = _run(act)
    for name, outcome in done:
        typer.echo(f"{name}: {outcome}")
    if not done:
        typer.echo("nothing due")


db = typer.Typer(help="The database: least-privilege grants on PostgreSQL.", no_args_is_help=True)
app.add_typer(db, name="db")


@db.command("grants")
def grants(
    app_role: Annotated[
        str, typer.Option("--app-role", help="The role the application connects as (no owner).")
    ],
    apply: Annotated[
        bool,
        typer.Option(
            "--apply", help="Run the statements as the owner (DATABASE_URL) instead of printing."
        ),
    ] = False,
) -> None:
    """Print (or --apply) the grants of the application's role: it only appends to the trail.

    Run migrations as the owner role, then this as the owner, then serve with the application
    role. The application role may not UPDATE, DELETE or TRUNCATE the audit trail, and owns
    nothing, so it cannot disable its triggers.
    """
    from lupustrial.edc.grants import grant_statements

    try:
        statements = grant_statements(app_role)
    except ValueError as error:
        raise InputError(str(error)) from None
    if not apply:
        typer.echo(";\n".join(statements) + ";")
        return

    def act() -> None:
        from django.db import connection

        if connection.vendor != "postgresql":
            raise InputError("--apply needs PostgreSQL (DATABASE_URL); SQLite has no roles")
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    _run(act)
    typer.echo(f"grants applied for {app_role}")
