"""`lupustrial dataset export`, `lupustrial endpoints`, `lupustrial plan precision`, `report`.

The study dataset is exported from a source into a verified snapshot; the endpoints and the
report read only such a snapshot, so they give the same answer on a live database's export
and on an archived one.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from lupustrial.cli.app import FormatOption, OutputFormat, app, print_json
from lupustrial.cli.input import InputError, describe_validation_error
from lupustrial.cli.schema import register_schema
from lupustrial.dataset.sources import SOURCES, SourceError, get_source

if TYPE_CHECKING:
    from lupustrial.analysis.intervals import Method

# scipy, pyarrow and the dataset's models are imported by the commands that use them, so
# that `lupustrial --help` stays fast (issue 19).
register_schema("study-records", "lupustrial.dataset.records:StudyRecords")

dataset_app = typer.Typer(
    help="The study dataset: export records from a source into a verified snapshot.",
    no_args_is_help=True,
)
app.add_typer(dataset_app, name="dataset")

plan_app = typer.Typer(help="Plan the study: what a given size can show.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")


class _StudyReportByDefault(TyperGroup):
    """`lupustrial report SNAPSHOT_DIR ...` still writes the study report: a first argument
    that names no sub-command is the `study` sub-command's snapshot."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["study", *args]
        return super().parse_args(ctx, args)


report_app = typer.Typer(
    cls=_StudyReportByDefault,
    help="Reports from a snapshot: the study report (`report SNAPSHOT_DIR` or `report study`) "
    "and the Clinical Trials Act's periodic report (`report periodic`).",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")

SnapshotArgument = Annotated[
    Path,
    typer.Argument(
        metavar="SNAPSHOT_DIR",
        help="A snapshot directory written by `lupustrial dataset export`.",
        show_default=False,
    ),
]


def _parse_data_cut(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--data-cut {text!r} is not an ISO date or date-time (e.g. 2025-03-31T23:59+00:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


@dataset_app.command("export")
def export(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="New (or empty) directory for the snapshot.")
    ],
    demo: Annotated[
        bool, typer.Option("--demo", help="Export the seeded demo study (same as --source demo).")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help=f"Where the records come from: {', '.join(SOURCES)}.",
            show_default=False,
        ),
    ] = None,
    data_cut: Annotated[
        str | None,
        typer.Option(
            "--data-cut",
            help="ISO date-time of the data cut (UTC if no offset); default: now.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Export the study records into a snapshot: tidy tables (Parquet + CSV) and a manifest.

    The manifest holds the data cut, row counts, the SHA-256 of every file and the software
    version; the same records always give byte-identical tables.
    """
    from pydantic import ValidationError

    from lupustrial.dataset.snapshot import SnapshotError, write_snapshot

    if demo and source not in (None, "demo"):
        raise InputError(f"give --demo or --source {source}, not both")
    name = "demo" if demo else source
    if name is None:
        raise InputError(
            f"say where the records come from: --demo or --source ({', '.join(SOURCES)})"
        )
    try:
        chosen = get_source(name)
    except ValueError as error:
        raise InputError(str(error)) from None
    cut = _parse_data_cut(data_cut)
    try:
        records = chosen.load()
    except SourceError as error:
        raise InputError(f"source {name}: {error}") from None
    except ValidationError as error:
        raise InputError(
            f"source {name} gave invalid records:\n  "
            + "\n  ".join(describe_validation_error(error))
        ) from None
    try:
        manifest = write_snapshot(records, out, cut, source=name)
    except SnapshotError as error:
        raise InputError(str(error)) from None
    rows = ", ".join(f"{t} {e['rows']}" for t, e in manifest["tables"].items())
    typer.echo(f"snapshot written to {out} (data cut {manifest['data_cut']}): {rows}")


def _load(path: Path) -> Any:
    from lupustrial.dataset.snapshot import SnapshotError, read_snapshot

    try:
        return read_snapshot(path)
    except SnapshotError as error:
        raise InputError(str(error)) from None


@app.command()
def endpoints(path: SnapshotArgument, output: FormatOption = OutputFormat.JSON) -> None:
    """The study's answer from a snapshot: primary endpoint (LLDAS at W12), secondary, safety.

    The snapshot's files are checked against their SHA-256 first. Primary: proportion of the
    full analysis set in LLDAS at W12 with a Clopper–Pearson 95% CI; a missing or
    out-of-window W12, or LLDAS unknown, counts as non-responder.
    """
    from lupustrial.analysis.endpoints import compute_endpoints
    from lupustrial.analysis.report_text import render_text

    snapshot = _load(path)
    try:
        result = compute_endpoints(snapshot)
    except ValueError as error:
        raise InputError(f"{path}: {error}") from None
    if output is OutputFormat.JSON:
        print_json(result.model_dump(mode="json"))
    else:
        typer.echo(render_text(result))


def expected_width(n: int, rate: float, method: Method, confidence: float) -> float:
    """The interval's width averaged over Binomial(n, rate) outcomes."""
    from scipy.stats import binom

    from lupustrial.analysis.intervals import interval

    total = 0.0
    for x in range(n + 1):
        result = interval(x, n, method, confidence)
        total += float(binom.pmf(x, n, rate)) * (result.upper - result.lower)
    return total


@plan_app.command("precision")
def precision(
    n: Annotated[int, typer.Option("--n", help="Number of patients analysed.")] = 10,
    rate: Annotated[
        float, typer.Option("--rate", help="Expected proportion of responders (0-1).")
    ] = 0.3,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Confidence level (0-1).")
    ] = 0.95,
    output: FormatOption = OutputFormat.TEXT,
) -> None:
    """The intervals a study of N patients would report if RATE of them respond.

    Shows the Clopper–Pearson exact interval (the primary analysis) and the Wilson and
    Jeffreys intervals for round(N × RATE) responders, and each method's width averaged over
    all outcomes a true RATE could give.
    """
    from lupustrial.analysis.intervals import IntervalError, Method, interval

    if n < 1:
        raise InputError(f"--n must be at least 1 (got {n})")
    if not 0 <= rate <= 1:
        raise InputError(f"--rate must be between 0 and 1 (got {rate}); e.g. 0.3 for 30%")
    if not 0 < confidence < 1:
        raise InputError(f"--confidence must be between 0 and 1 exclusive (got {confidence})")
    successes = math.floor(n * rate + 0.5)
    try:
        results = [interval(successes, n, method, confidence) for method in Method]
    except IntervalError as error:
        raise InputError(str(error)) from None
    widths = {m.value: expected_width(n, rate, m, confidence) for m in Method}
    if output is OutputFormat.JSON:
        print_json(
            {
                "n": n,
                "rate": rate,
                "confidence": confidence,
                "responders": successes,
                "intervals": [r.as_dict() for r in results],
                "expected_width": widths,
            }
        )
        return
    typer.echo(f"{n} patients, {rate:.0%} expected to respond → {successes} responders:")
    for result in results:
        typer.echo(f"  {result.text()}  width {result.upper - result.lower:.1%}")
    typer.echo(f"Expected width over Binomial({n}, {rate:g}) outcomes:")
    for method, width in widths.items():
        typer.echo(f"  {method}: {width:.1%}")


@report_app.command("study")
def report(
    path: SnapshotArgument,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Directory for report.html and report.pdf.")
    ],
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf/--no-pdf",
            help="Also print the page to report.pdf (A4, PDF/A) with WeasyPrint.",
        ),
    ] = True,
    language: Annotated[
        str,
        typer.Option(
            "--language",
            "-l",
            help="The report's language: en (default) or ja. In Japanese each patient's reason "
            "is worded from the dataset's values; the snapshot's files stay English.",
        ),
    ] = "en",
) -> None:
    """Write the study report from a snapshot: report.html and, by default, report.pdf.

    Flow diagram, baseline, primary endpoint with intervals and published rates as context,
    secondary endpoints, figures (inline SVG), adverse events and the manifest; no external
    asset. The PDF is the same page printed by WeasyPrint (A4, PDF/A, page numbers). Without
    WeasyPrint or Pango the HTML is still written and a warning says why the PDF is missing
    (exit 0).
    """
    from lupustrial.analysis.report import footer_label, write_report
    from lupustrial.pdf import PdfUnavailableError, write_pdf

    if language not in ("en", "ja"):
        raise InputError(f"--language {language!r}: choose en or ja")
    snapshot = _load(path)
    try:
        written = write_report(snapshot, out, language=language)
    except ValueError as error:
        raise InputError(f"{path}: {error}") from None
    except OSError as error:
        raise InputError(f"{out}: cannot be written ({error.strerror})") from None
    typer.echo(f"report written to {written}")
    if not pdf:
        return
    try:
        printed = write_pdf(
            written, written.with_suffix(".pdf"), footer_label=footer_label(snapshot)
        )
    except PdfUnavailableError as error:
        typer.echo(f"warning: report.pdf not written: {error} (use --no-pdf to skip it)", err=True)
        return
    typer.echo(f"PDF written to {printed}")
