"""`lupustrial casebook`: a subject's casebook PDF, the site's copy for archiving (issue 18)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import STUDY_DATABASE, InputError, web_app_errors


@app.command()
def casebook(
    subject: Annotated[
        str,
        typer.Argument(
            metavar="SUBJECT",
            help="The subject ID (TKY-001) or screening number (S-001).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The PDF file to write (default: casebook-SUBJECT-DATE.pdf here).",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str, typer.Option("--language", "-l", help="The casebook's language: en or ja.")
    ] = "en",
) -> None:
    """Write a subject's casebook as a PDF/A: every form of every visit, signatures, query
    history and an audit summary.

    Reads the web application's database (DATABASE_URL, or the SQLite default) and prints
    with WeasyPrint; the export is recorded in the audit trail as `console:<user>` with the
    PDF's SHA-256. No name or medical record number is printed.
    """
    if language not in ("en", "ja"):
        raise InputError(f"--language {language!r}: choose en or ja")

    import getpass

    with web_app_errors(STUDY_DATABASE):
        from django.db.models import Q
        from django.utils import timezone, translation

        from lupustrial.edc.study.casebook import export_casebook, file_name
        from lupustrial.edc.study.models import Subject
        from lupustrial.edc.study.services import CONSOLE_PREFIX
        from lupustrial.pdf import PdfUnavailableError

        actor = f"{CONSOLE_PREFIX}{getpass.getuser()}"
        found = Subject.objects.select_related("site").filter(
            Q(subject_id=subject) | Q(screening_number=subject)
        )
        chosen = found.first()
        if chosen is None:
            raise InputError(f"no subject {subject!r} (give a subject ID or screening number)")
        target = out or Path(file_name(chosen))
        # Before the export: it is recorded in the audit trail, which must not name a file
        # that was never written.
        if not target.absolute().parent.is_dir():
            raise InputError(f"{target}: its folder {target.parent} does not exist")
        typer.echo(f"printing the casebook of {chosen.label}…", err=True)
        try:
            with translation.override(language):
                timezone.activate(chosen.site.zone)
                data = export_casebook(actor, chosen, exported_by=actor)
        except PdfUnavailableError as error:
            raise InputError(str(error)) from None
    try:
        target.write_bytes(data)
    except OSError as error:
        raise InputError(f"{target}: cannot be written ({error.strerror})") from None
    typer.echo(f"casebook of {chosen.label} written to {target} ({len(data)} bytes)")
