"""`lupustrial prescreen`: candidates from an OMOP CDM database, concept sets, synthetic data."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path
from typing import Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError, setup_web_app
from lupustrial.prescreen.engines import ENGINE_NAMES

prescreen_app = typer.Typer(
    help="Pre-screen an OMOP CDM v5.4 database for study candidates (DuckDB, Spark, PostgreSQL).",
    no_args_is_help=True,
)
app.add_typer(prescreen_app, name="prescreen")


def _progress(message: str) -> None:
    print(f"prescreen: {message}", file=sys.stderr, flush=True)


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise InputError(f"--as-of {value!r}: not a date (use YYYY-MM-DD)") from error


_OMOP = typer.Option(
    "--omop",
    help="The OMOP CDM: a directory of Parquet files (one per table), a DuckDB file, "
    "with --engine postgres a postgresql:// URL, or with --engine spark a database "
    "of the Spark catalogue.",
    show_default=False,
)


def _engine(name: str) -> str:
    """The engine as `ENGINE_NAMES` spells it (the one list of engines), any case."""
    if name.lower() not in ENGINE_NAMES:
        raise typer.BadParameter(f"{name!r} is not one of {', '.join(ENGINE_NAMES)}")
    return name.lower()


EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help=f"Where the queries run: {', '.join(ENGINE_NAMES)}.",
        callback=_engine,
        autocompletion=lambda: list(ENGINE_NAMES),
    ),
]
_DEFAULT_ENGINE = ENGINE_NAMES[0]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The day candidates are judged for (the consent/first-dose proxy), "
        "YYYY-MM-DD; default today. Records after it are ignored.",
        show_default=False,
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Directory for criteria.csv/.parquet, candidates.csv, funnel.csv.",
        show_default=False,
    ),
]
SchemaOption = Annotated[
    str | None,
    typer.Option("--schema", help="PostgreSQL schema of the CDM tables (default: public)."),
]
TopOption = Annotated[int, typer.Option("--top", help="Candidates printed (all are written).")]
_TOP = 20
_SCOPES = ("all", "circe-seven")
"""`criteria_ids.SCOPES`'s names, spelled here so that `--help` imports no query library."""


def _scope(name: str) -> str:
    if name not in _SCOPES:
        raise typer.BadParameter(f"{name!r} is not one of {', '.join(_SCOPES)}")
    return name


_LANGUAGES = ("en", "ja")


def _language(name: str) -> str:
    if name.lower() not in _LANGUAGES:
        raise typer.BadParameter(f"{name!r} is not one of {', '.join(_LANGUAGES)}")
    return name.lower()


LanguageOption = Annotated[
    str,
    typer.Option(
        "--language",
        "-l",
        help="Language of the printed summary: en or ja (the files and the progress lines "
        "are in English).",
        callback=_language,
        autocompletion=lambda: list(_LANGUAGES),
    ),
]
CriteriaOption = Annotated[
    str,
    typer.Option(
        "--criteria",
        help="Which criteria to judge: 'all', or 'circe-seven' (like for like with OHDSI "
        "Circe: the cohort and the seven rules Circe can express, with their reasons; the "
        "other criteria are reported as not judged, and no laboratory result is read).",
        callback=_scope,
        autocompletion=lambda: list(_SCOPES),
    ),
]


@prescreen_app.callback(invoke_without_command=True)
def prescreen(
    ctx: typer.Context,
    omop: Annotated[str | None, _OMOP] = None,
    engine: EngineOption = _DEFAULT_ENGINE,
    as_of: AsOfOption = None,
    out: OutOption = None,
    schema: SchemaOption = None,
    top: TopOption = _TOP,
    criteria: CriteriaOption = "all",
    language: LanguageOption = "en",
) -> None:
    """Pre-screen an OMOP CDM v5.4 database for study candidates (DuckDB, Spark, PostgreSQL).

    `lupustrial prescreen --omop PATH [...]` is `lupustrial prescreen run --omop PATH [...]`.
    """
    if ctx.invoked_subcommand is None:
        if omop is None:
            raise InputError("give --omop PATH (or a command: see lupustrial prescreen --help)")
        run(omop, engine, as_of, out, schema, top, criteria, language)
    elif (omop, as_of, out, schema, engine, top, criteria, language) != (
        None,
        None,
        None,
        None,
        _DEFAULT_ENGINE,
        _TOP,
        "all",
        "en",
    ):
        raise InputError(
            f"options of a pre-screening run go after the command or without one: "
            f"lupustrial prescreen {ctx.invoked_subcommand} [OPTIONS], "
            "or lupustrial prescreen --omop PATH [OPTIONS]"
        )


@prescreen_app.command("run")
def run(
    omop: Annotated[str, _OMOP],
    engine: EngineOption = _DEFAULT_ENGINE,
    as_of: AsOfOption = None,
    out: OutOption = None,
    schema: SchemaOption = None,
    top: TopOption = _TOP,
    criteria: CriteriaOption = "all",
    language: LanguageOption = "en",
) -> None:
    """Judge every criterion records can answer, for every person with an SLE record.

    Prints the attrition funnel and the ranked candidates with what to check at the
    screening visit; with --out also writes every person's criteria (met / not met /
    unknown, with the deciding record). Progress goes to standard error.
    """
    from lupustrial.prescreen.engine import run_prescreen_on
    from lupustrial.prescreen.engines import EngineLostError, engine_named
    from lupustrial.prescreen.omop import OmopInputError, open_database
    from lupustrial.prescreen.report import render, write_outputs

    day = _as_of(as_of)
    try:
        # Opened again, and run again once, if the engine is lost mid-run (Spark's JVM).
        result = run_prescreen_on(
            engine_named(engine),
            lambda: open_database(omop, engine, schema=schema),
            day,
            progress=_progress,
            scope=criteria,
        )
    except (OmopInputError, EngineLostError) as error:
        raise InputError(str(error)) from error
    typer.echo(render(result, top=top, language="ja" if language == "ja" else "en"))
    if out is not None:
        try:
            written = write_outputs(result, out)
        except OSError as error:
            raise InputError(f"{out}: cannot write ({error})") from error
        for path in written:
            _progress(f"wrote {path}")


@prescreen_app.command("concepts")
def concepts(
    omop: Annotated[
        str | None,
        typer.Option(
            "--omop",
            help="Also resolve each item in this database's vocabulary (Parquet directory or "
            "DuckDB file) and show what it finds.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print the default concept sets: items, how each is found, descendants included."""
    from lupustrial.prescreen.concepts import DEFAULT_CONCEPT_SETS
    from lupustrial.prescreen.omop import OmopInputError, open_database
    from lupustrial.prescreen.resolve import resolve

    found = None
    if omop is not None:
        try:
            found = resolve(open_database(omop))
        except OmopInputError as error:
            raise InputError(str(error)) from error
    lines = []
    for concept_set in DEFAULT_CONCEPT_SETS:
        lines.append(f"{concept_set.key}: {concept_set.title} [{concept_set.domain.value}]")
        lines.extend(
            textwrap.wrap(
                concept_set.source, 96, initial_indent="    source: ", subsequent_indent="        "
            )
        )
        for item in concept_set.items:
            flags = []
            if item.include_descendants:
                flags.append("+descendants")
            if item.excluded:
                flags.append("EXCLUDED")
            if not item.verified:
                flags.append("id/code unverified")
            line = f"    - {item.name}: {item.reference} {' '.join(flags)}".rstrip()
            if found is not None:
                match = next(
                    r for r in found.items if r.set_key == concept_set.key and r.item == item
                )
                line += (
                    f" -> {', '.join(map(str, match.concept_ids))} "
                    f"(+{match.descendants} descendants)"
                    if match.found
                    else " -> NOT FOUND in this vocabulary"
                )
            lines.append(line)
        if found is not None:
            lines.append(f"    resolved: {len(found.members[concept_set.key])} concepts")
    typer.echo("\n".join(lines))


@prescreen_app.command("synthetic")
def synthetic(
    persons: Annotated[int, typer.Option("--persons", min=0, help="Persons to write.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Directory to write the Parquet files to.")
    ] = Path("omop-synthetic"),
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day the edge cases are built around (YYYY-MM-DD; default today): run "
            "the pre-screen with the same --as-of.",
            show_default=False,
        ),
    ] = None,
    thin_vocabulary: Annotated[
        bool,
        typer.Option(
            "--thin-vocabulary",
            help="Leave the UCUM unit rows and the chronic hepatitis codes out of the "
            "vocabulary, as some external databases do.",
        ),
    ] = False,
) -> None:
    """Write a seeded synthetic OMOP population (edge cases first) as Parquet, in chunks."""
    from lupustrial.prescreen.synthetic import write_synthetic

    day = _as_of(as_of)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory")
    try:
        summary = write_synthetic(
            out, persons, seed, day, progress=_progress, thin_vocabulary=thin_vocabulary
        )
    except OSError as error:
        raise InputError(f"{out}: cannot write ({error})") from error
    typer.echo(
        f"wrote {summary.persons:,} persons ({summary.edge_cases} edge cases) to "
        f"{summary.directory}, as of {summary.as_of.isoformat()}, seed {summary.seed}"
    )
    for table, rows in summary.rows.items():
        typer.echo(f"  {table}: {rows:,} rows")


def _run_engine(results: Path) -> tuple[str, dict[str, str]]:
    """The engine and options the run in ``results`` read its OMOP data with (run.json)."""
    import json

    path = results / "run.json"
    if not path.is_file():
        return _DEFAULT_ENGINE, {}  # results written before run.json: DuckDB was the only way
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
        engine, options = str(run["engine"]), dict(run.get("options") or {})
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path}: not a pre-screening run record ({error})") from error
    if engine not in ENGINE_NAMES:
        raise InputError(f"{path}: unknown engine {engine!r} ({', '.join(ENGINE_NAMES)})")
    return engine, options


@prescreen_app.command("import")
def import_candidate(
    results: Annotated[
        Path, typer.Argument(help="The --out directory of `lupustrial prescreen run`.")
    ],
    omop: Annotated[str, typer.Option("--omop", help="The same OMOP CDM the run read.")],
    person: Annotated[int, typer.Option("--person", help="The chosen candidate's person_id.")],
    site: Annotated[str, typer.Option("--site", help="The study site code, e.g. TKY.")],
    screening_number: Annotated[
        str, typer.Option("--screening-number", help="The site's new screening number.")
    ],
    name: Annotated[str, typer.Option("--name", help="The patient's name (kept apart).")],
    mrn: Annotated[str, typer.Option("--mrn", help="The medical record number.")],
    user: Annotated[
        str, typer.Option("--as", help="The coordinator or investigator importing (audited).")
    ],
) -> None:
    """Register a chosen candidate in the web application with a pre-filled screening record.

    Sex, date of birth, the SLE diagnosis date and the creatinine come from the records; the
    rest is left for the screening visit (absence of a record is not a finding).
    """
    import pyarrow.csv as pacsv

    from lupustrial.prescreen.omop import OmopInputError, open_database
    from lupustrial.prescreen.prefill import PrefillError, screening_prefill

    path = results / "criteria.csv"
    if not path.is_file():
        raise InputError(f"{path}: not found (run `lupustrial prescreen run --out {results}`)")
    rows = [r for r in pacsv.read_csv(path).to_pylist() if r["person_id"] == person]
    if not rows:
        raise InputError(f"person {person} is not in {path}")
    engine, options = _run_engine(results)
    try:
        people = open_database(omop, engine, **options)["person"]
        found = people.filter(people.person_id == person).to_pyarrow().to_pylist()
    except OmopInputError as error:
        raise InputError(str(error)) from error
    if not found:
        raise InputError(f"person {person} is not in the OMOP person table of {omop}")
    try:
        data, sources = screening_prefill(found[0], rows)
    except PrefillError as error:
        raise InputError(str(error)) from error
    setup_web_app()
    from django.contrib.auth import get_user_model

    from lupustrial.edc.accounts.models import Site
    from lupustrial.edc.study import services

    account = get_user_model().objects.filter(username=user).first()
    study_site = Site.objects.filter(code=site).first()
    if account is None or study_site is None:
        raise InputError(f"unknown {'user ' + user if account is None else 'site ' + site}")
    from django.db import transaction

    try:
        with transaction.atomic():  # registered with its screening data, or not at all
            subject = services.register_candidate(account, study_site, screening_number, name, mrn)
            services.save_screening(account, subject, data, version=0)
    except (services.NotAllowedError, services.RuleError) as error:
        raise InputError(str(error)) from error
    typer.echo(f"registered {screening_number} at {site} from person {person}:")
    for source in sources:
        typer.echo(f"  {source}")
