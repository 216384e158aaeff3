"""`lupustrial export`: the study in the standard exchange and archive formats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError, web_app_errors

if TYPE_CHECKING:
    from lupustrial.dataset.records import StudyRecords

export_app = typer.Typer(
    help="Export the study in a standard format: CDISC ODM 1.3.2, FHIR R4, REDCap.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")


_STUDY_DATABASE = "cannot read the study database {where}: {error}"


def _progress(message: str) -> None:
    typer.echo(message, err=True)


def _check_writable(out: Path) -> None:
    """Refuse a file that cannot be written before the work (an ODM export takes a while)."""
    if not out.parent.is_dir():
        raise InputError(f"{out}: its folder {out.parent} does not exist")
    if out.is_dir():
        raise InputError(f"{out}: is a folder; give the file to write")


SourceOption = Annotated[
    str,
    typer.Option(
        "--source",
        help="Where the records come from: database (the web application's) or demo.",
    ),
]


def _study_records(source: str) -> StudyRecords:
    """The study's records from the named source, or one clear error."""
    from lupustrial.dataset.sources import SourceError, get_source

    try:
        chosen = get_source(source)
    except ValueError as error:
        raise InputError(str(error)) from None
    _progress(f"reading the study records from {source}")
    try:
        return chosen.load()
    except SourceError as error:
        raise InputError(f"source {source}: {error}") from None


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
    _check_writable(out)
    with web_app_errors(_STUDY_DATABASE, migrated=True) as where:
        from lupustrial.edc.odm import odm_document
        from lupustrial.interop.odm.items import OdmError
        from lupustrial.interop.odm.schema import schema_errors

        _progress(f"exporting the study database {where} as ODM 1.3.2")
        try:
            text = odm_document(_progress)
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


@export_app.command("fhir")
def fhir(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The FHIR Bundle to write (e.g. bundle.json).")
    ],
    source: SourceOption = "database",
) -> None:
    """Write the study as a FHIR R4 Bundle (JSON), checked by fhir.resources' R4B models.

    ResearchStudy (JPRN-jRCTs031230358), a pseudonymous Patient, ResearchSubject and Consent
    per subject; laboratory results and vital signs as Observations with LOINC codes and UCUM
    units; the SLEDAI-2K total derived from its descriptors and the PGA; anifrolumab infusions
    (MedicationAdministration) and glucocorticoids (MedicationStatement).
    """
    import datetime as dt
    import json

    from pydantic import ValidationError

    from lupustrial.cli.input import describe_validation_error

    _check_writable(out)
    records = _study_records(source)
    from lupustrial.interop.fhir import FhirError, bundle

    _progress(
        f"building the FHIR Bundle: {len(records.subjects)} subjects, "
        f"{len(records.assessments)} visits' forms"
    )
    try:
        document = bundle(records, dt.datetime.now(dt.UTC))
    except FhirError as error:
        raise InputError(f"the records cannot be written as FHIR R4: {error}") from None
    except ValidationError as error:
        raise InputError(
            "the FHIR models refused a resource:\n  "
            + "\n  ".join(describe_validation_error(error))
        ) from None
    text = json.dumps(document, ensure_ascii=False, indent=1)
    try:
        out.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise InputError(f"{out}: cannot be written ({error.strerror})") from None
    typer.echo(f"FHIR R4 Bundle written to {out}: {len(document['entry'])} resources")


@export_app.command("redcap")
def redcap(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Directory for the REDCap project's CSV files.")
    ],
    source: SourceOption = "database",
) -> None:
    """Write the study as a REDCap project: data dictionary, events, instrument-event mapping,
    and the data import CSV (plus field_map.csv naming each variable's form and field).

    Every screening record (the screening event), visit form, adverse event and version of
    each. Upload the data dictionary, create the events (make 'unscheduled' a repeating
    event, the log's instruments and the screening event's lists repeating), upload the
    mapping, then import records.csv.
    """
    records = _study_records(source)
    from lupustrial.interop.redcap import RedcapError, write_project

    _progress(f"writing the REDCap project: {len(records.subjects)} subjects")
    try:
        counts = write_project(records, out)
    except RedcapError as error:
        raise InputError(f"the records cannot be written for REDCap: {error}") from None
    except OSError as error:
        raise InputError(f"{out}: cannot be written ({error.strerror})") from None
    typer.echo(
        f"REDCap project written to {out}: {counts['fields']} fields, {counts['events']} "
        f"events, {counts['records']} import rows"
    )


archive_app = typer.Typer(
    help="The close-out package: make it at the end of the study (--out DIR), check it (verify).",
    invoke_without_command=True,
)
app.add_typer(archive_app, name="archive")


@archive_app.callback()
def archive(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="New (or empty) directory for the close-out package."),
    ] = None,
) -> None:
    """Write the close-out package: ODM file, dataset snapshot, study report, audit trail CSV
    with its checkpoint file, each site's subject identification log, and a manifest with the
    SHA-256 of every file and the software version.

    The audit trail is verified first; a trail that does not verify stops the package.
    """
    if ctx.invoked_subcommand is not None:
        return
    if out is None:
        raise InputError("say where to write the package: lupustrial archive --out DIR")
    with web_app_errors(_STUDY_DATABASE, migrated=True) as where:
        from lupustrial.edc.closeout import CloseOutError, write_closeout

        _progress(f"closing the study database {where} into {out}")
        try:
            manifest = write_closeout(out, _progress)
        except CloseOutError as error:
            raise InputError(str(error)) from None
        except OSError as error:
            raise InputError(f"{out}: cannot be written ({error.strerror})") from None
    typer.echo(
        f"close-out package written to {out}: {len(manifest['files'])} files, audit trail "
        f"head {manifest['audit']['head_seq']}; check it with: lupustrial archive verify {out}"
    )


@archive_app.command("verify")
def archive_verify(
    path: Annotated[
        Path, typer.Argument(metavar="DIR", help="A package written by lupustrial archive.")
    ],
) -> None:
    """Check a close-out package against its manifest (exit 1 if anything differs).

    Every file listed is there with its SHA-256, none was added, the ODM file validates
    against the ODM 1.3.2 schema and the snapshot against its own manifest.
    """
    from lupustrial.interop.closeout import verify

    if not path.is_dir():
        raise InputError(f"{path}: no such directory")
    manifest, problems = verify(path)
    if problems:
        typer.echo(f"close-out package {path} does NOT verify:")
        typer.echo("\n".join(f"  {problem}" for problem in problems))
        raise typer.Exit(1)
    assert manifest is not None
    typer.echo(
        f"close-out package {path} intact: {len(manifest['files'])} files, closed "
        f"{manifest['closed_at']}, lupustrial {manifest['software']['version']}"
    )
