"""`lupustrial report periodic`: the Clinical Trials Act's periodic report (定期報告) for a period.

The period is given (`--from`/`--to`) or computed from the jRCT publication date (the
protocol's `registration.publication_date`, or `--anchor`): by default the last year that ended
before the snapshot's data cut, whose report is the one due (Enforcement Regulations Art. 59).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from lupustrial.cli.input import InputError
from lupustrial.cli.study import SnapshotArgument, _load, report_app


class ReportLanguage(StrEnum):
    EN = "en"
    JA = "ja"


def _day(option: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not an ISO date (e.g. 2025-03-31)") from None


@report_app.command("periodic")
def periodic(
    path: SnapshotArgument,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Directory for periodic-report.html/.pdf/.txt and the CSVs."
        ),
    ],
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="First day of the period (ISO date); with --to.", show_default=False
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", help="Last day of the period (ISO date); with --from.", show_default=False
        ),
    ] = None,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="jRCT publication date the years are counted from; default: the protocol's "
            "registration.publication_date.",
            show_default=False,
        ),
    ] = None,
    number: Annotated[
        int | None,
        typer.Option(
            "--period",
            min=1,
            help="Which year from the anchor (1 = the first); default: the last one ended "
            "before the data cut.",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        ReportLanguage,
        typer.Option("--language", "-l", help="Language of the report.", case_sensitive=False),
    ] = ReportLanguage.EN,
    assessment: Annotated[
        Path | None,
        typer.Option(
            "--assessment",
            help="UTF-8 text file: the investigator's assessment of safety and scientific "
            "validity. Without it the report is marked as a draft.",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The day the days left to the deadline are counted on; default: today.",
            show_default=False,
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also print periodic-report.pdf (WeasyPrint).")
    ] = True,
) -> None:
    """Write the periodic report (Clinical Trials Act Art. 17; Enforcement Regulations Art. 59)
    for one period from a snapshot: subjects enrolled and their status, adverse events and
    their course, serious events and the reports made, deviations and their handling, and the
    investigator's assessment; HTML, PDF, text and CSV listings, in English or Japanese.

    The report is due within two months after each year counted from the jRCT publication
    date; the deadline is printed (Civil Code Art. 143 counts the days).
    """
    from lupustrial.analysis.periodic_report import (
        PeriodError,
        build_periodic_report,
        cut_date,
        footer,
        write_periodic_report,
    )
    from lupustrial.pdf import PdfUnavailableError, write_pdf
    from lupustrial.protocol.config import DEFAULT_PROTOCOL
    from lupustrial.protocol.periodic import chosen_period, last_ended_period, reporting_period

    first, last = _day("--from", start), _day("--to", end)
    today = _day("--as-of", as_of) or dt.date.today()
    anchored = _day("--anchor", anchor) or DEFAULT_PROTOCOL.registration.publication_date
    rule = DEFAULT_PROTOCOL.periodic_report
    snapshot = _load(path)
    if (first is None) != (last is None):
        raise InputError("give --from and --to together (or neither, with an anchor)")
    if first is not None and number is not None:
        raise InputError("give either --from/--to or --period, not both")
    try:
        if first is not None and last is not None:
            period = chosen_period(first, last, anchored, rule)
        elif anchored is None:
            raise InputError(
                "the jRCT publication date is not declared (protocol registration."
                "publication_date): give --anchor DATE, or --from and --to"
            )
        elif number is not None:
            period = reporting_period(anchored, number, rule)
        else:
            due = last_ended_period(anchored, cut_date(snapshot), rule)
            if due is None:
                raise InputError(
                    f"no year from the anchor {anchored.isoformat()} has ended by the data cut "
                    f"({cut_date(snapshot).isoformat()}): nothing is due yet"
                )
            period = due
    except ValueError as error:
        raise InputError(str(error)) from None
    text = None
    if assessment is not None:
        try:
            text = assessment.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"--assessment {assessment}: cannot be read ({error})") from None
    try:
        report = build_periodic_report(snapshot, period, language=language.value, assessment=text)
    except PeriodError as error:
        raise InputError(str(error)) from None
    try:
        written = write_periodic_report(report, out)
    except OSError as error:
        raise InputError(f"{out}: cannot be written ({error.strerror})") from None
    typer.echo(
        f"periodic report {period.start.isoformat()} to {period.end.isoformat()} written to "
        f"{written}"
    )
    if period.deadline is not None:
        left = period.days_left(today)
        assert left is not None
        when = (
            f"{left} days left"
            if left > 0
            else "today is the last day"
            if left == 0
            else f"{-left} days overdue"
        )
        typer.echo(f"due by {period.deadline.isoformat()} ({when})")
    else:
        typer.echo("a chosen period, not an Art. 59 year: no deadline")
    if report.assessment is None:
        typer.echo("warning: no --assessment given: the report is marked as a draft", err=True)
    if not pdf:
        return
    try:
        printed = write_pdf(written, written.with_suffix(".pdf"), footer_label=footer(report))
    except PdfUnavailableError as error:
        typer.echo(f"warning: PDF not written: {error} (use --no-pdf to skip it)", err=True)
        return
    typer.echo(f"PDF written to {printed}")
