"""`lupustrial import odm`: a study's ODM 1.3.2 file replayed into an empty instance."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError, run_in_web_app

import_app = typer.Typer(
    help="Import a study from a standard file into an empty instance: CDISC ODM 1.3.2.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

_DATABASE = (
    "cannot use the database ({error}); DATABASE_URL (or LUPUSTRIAL_DATA_DIR for SQLite) "
    "says which, and on PostgreSQL it must exist"
)


def _progress(message: str) -> None:
    typer.echo(message, err=True)


@import_app.command("odm")
def odm(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="STUDY_XML",
            help="An ODM 1.3.2 file written by 'lupustrial export odm'.",
            dir_okay=False,
        ),
    ],
) -> None:
    """Replay a study's ODM 1.3.2 file into an empty instance, change by change.

    Each change goes through the services as its original user, with its original time and
    reason; every audit entry also names who imported it and the import id. The file's users
    become inactive accounts without passwords (their changes keep their names); the
    enrolment signature is kept as an imported signature, not signed again. A file that is
    not ODM 1.3.2 or breaks its schema, or a database that holds data, is refused with
    nothing changed. The import ends with a full `audit verify` and a checkpoint. The
    database is the one DATABASE_URL or LUPUSTRIAL_DATA_DIR names, as for `lupustrial web`.
    """
    if not source.is_file():
        raise InputError(f"{source}: no such file")

    def act() -> str:
        from django.core.management import call_command

        from lupustrial.edc.odm_import import ImportRefusedError, check_file, import_odm

        _progress(f"checking {source.name} against the ODM 1.3.2 XML Schema")
        try:
            check_file(source.read_bytes())
        except ImportRefusedError as error:
            raise InputError(f"{source}: {error}") from None
        _progress("preparing the database")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            done = import_odm(source, f"console:{getpass.getuser()}", _progress, checked=True)
        except ImportRefusedError as error:
            raise InputError(f"{source}: {error}") from None
        left = "".join(f"\n  not replayed: {n} {why}" for why, n in done.not_replayed.items())
        return (
            f"imported {source.name} as import {done.import_id}: {done.subjects} subjects, "
            f"{done.changes} changes, {done.entries} audit trail entries; "
            f"{len(done.accounts)} inactive accounts for the original users "
            f"({', '.join(done.accounts)}); audit trail verified{left}"
        )

    typer.echo(run_in_web_app(act, _DATABASE))
