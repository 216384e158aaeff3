"""`lupustrial export`: the study in the standard exchange and archive formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError

export_app = typer.Typer(
    help="Export the study database in a standard format (CDISC ODM 1.3.2).",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")


def _progress(message: str) -> None:
    typer.echo(message, err=True)


@export_app.command("odm")
def odm(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The ODM XML file to write (e.g. study.xml).")
    ],
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate",
            help="Check the file against the ODM 1.3.2 XML Schema shipped with odmlib.",
        ),
    ] = True,
) -> None:
    """Write the whole study as one CDISC ODM 1.3.2 file (Transactional, Archival).

    Metadata (visits, forms, items with data types, units and code lists, English and
    Japanese titles), users and sites, and every change the audit trail recorded, in its
    order, each with who, where, when (UTC), why and the trail entry's number and hash. The
    database is the one DATABASE_URL or LUPUSTRIAL_DATA_DIR names, as for `lupustrial web`.
    """
    from lupustrial.dataset.sources import SourceError
    from lupustrial.edc import ready

    try:
        where = ready()
    except SourceError as error:
        raise InputError(str(error)) from None
    from django.db import DatabaseError

    from lupustrial.edc.odm import odm_document
    from lupustrial.interop.odm.items import OdmError
    from lupustrial.interop.odm.schema import schema_errors

    _progress(f"exporting the study database {where} as ODM 1.3.2")
    try:
        text = odm_document(_progress)
    except DatabaseError as error:
        raise InputError(f"cannot read the study database {where}: {error}") from None
    except OdmError as error:
        raise InputError(f"the record cannot be written as ODM: {error}") from None
    if validate:
        _progress("validating against the ODM 1.3.2 XML Schema")
        errors = schema_errors(text)
        if errors:
            raise InputError(
                "the ODM file does not validate (nothing written):\n  " + "\n  ".join(errors)
            )
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError(f"{out}: cannot be written ({error.strerror})") from None
    typer.echo(f"ODM 1.3.2 written to {out} ({len(text.encode('utf-8'))} bytes)")
