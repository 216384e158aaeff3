"""`lupustrial safety`: open reporting clocks (疾病等報告) and the reporting table in force."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lupustrial.cli.app import FormatOption, InputArgument, OutputFormat, app, print_json
from lupustrial.cli.input import (
    STUDY_DATABASE,
    InputError,
    read_records,
    validate_all,
    web_app_errors,
)

if TYPE_CHECKING:
    from lupustrial.safety.events import OpenClock, SafetyEvent

safety_app = typer.Typer(
    help="Safety reporting under Japan's Clinical Trials Act: open clocks and the rules.",
    no_args_is_help=True,
)
app.add_typer(safety_app, name="safety")

TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="The date to count days left from (YYYY-MM-DD); default: today at the site.",
        show_default=False,
    ),
]
ZoneOption = Annotated[
    str,
    typer.Option("--time-zone", help="The site's IANA time zone, for today's date."),
]
PeriodicOption = Annotated[
    bool,
    typer.Option("--periodic", help="Also list events that go to the periodic report."),
]


def _today(given: str | None, zone: str) -> dt.date:
    from lupustrial.protocol.dates import TimeZoneError, site_today

    if given is not None:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            raise InputError(f"--today: {given!r} is not a date (YYYY-MM-DD)") from None
    try:
        return site_today(zone)
    except TimeZoneError as error:
        raise InputError(f"--time-zone: {error}") from None


OptionalInput = Annotated[
    str | None,
    typer.Argument(
        metavar="[FILE]",
        help="A JSON file of events (one record, an array, or JSON Lines; '-' reads standard "
        "input); leave out with --source database.",
        show_default=False,
    ),
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="'database': the adverse events recorded in the web application's database "
        "(DATABASE_URL, else the SQLite file in ./var) instead of FILE.",
        show_default=False,
    ),
]


def _database_events() -> list[SafetyEvent]:
    """Every adverse event recorded in the web application's database, every version."""
    with web_app_errors(STUDY_DATABASE):
        from lupustrial.edc.safety.recorded import recorded_events
        from lupustrial.edc.study.models import Subject

        return [r.event for r in recorded_events(Subject.objects.all())]


@safety_app.command("due")
def due(
    path: OptionalInput = None,
    output: FormatOption = OutputFormat.TEXT,
    today: TodayOption = None,
    zone: ZoneOption = "Asia/Tokyo",
    periodic: PeriodicOption = False,
    source: SourceOption = None,
) -> None:
    """List the reports still to submit, with their deadlines and days left.

    FILE holds adverse events (JSON, an array or JSON Lines): each with its versions (aware
    date, coded term, seriousness criteria, causality) and the rules already reported; or
    --source database reads the events recorded in the web application, every version, with
    the reports already submitted. Day 0 is the date the investigator became aware; the
    deadline is day 0 + N calendar days and is on time on the day itself. Every event is
    validated first: one bad event means nothing is listed.
    """
    from lupustrial.protocol.config import DEFAULT_PROTOCOL
    from lupustrial.safety.events import SafetyEvent, check_causality, open_clocks

    day = _today(today, zone)
    if source is not None and source != "database":
        raise InputError(f"--source: {source!r} is not a source (the one source is 'database')")
    if source == "database":
        if path is not None:
            raise InputError("give FILE or --source database, not both")
        events = _database_events()
    elif path is None:
        raise InputError("say where the events are: FILE, or --source database")
    else:
        events = validate_all(SafetyEvent, read_records(path))
    safety = DEFAULT_PROTOCOL.safety
    problems = [f"{event.id}: {p}" for event in events for p in check_causality(event, safety)]
    if problems:
        raise InputError("invalid input, nothing was computed:\n  " + "\n  ".join(problems))
    clocks = open_clocks(events, safety, periodic=periodic)
    if output is OutputFormat.JSON:
        print_json({"today": day.isoformat(), "open": [_as_json(o, day) for o in clocks]})
    else:
        typer.echo(render_due(clocks, day))


def _as_json(item: OpenClock, today: dt.date) -> dict[str, Any]:
    clock = item.clock
    return {
        "event_id": item.event_id,
        "subject_id": item.subject_id,
        "term": item.term,
        "tier": item.tier.value,
        "expectedness": item.expectedness.value,
        "rule": clock.rule.id,
        "recipient": clock.rule.recipient.value,
        "day_zero": clock.day_zero.isoformat(),
        "due": clock.due.isoformat() if clock.due else None,
        "days_left": clock.days_left(today),
        "overdue": clock.overdue(today),
        "assumed_unexpected": clock.assumed_unexpected,
        "assumed": [a.value for a in item.assumed],
        "source": clock.rule.source,
    }


ASSUMED_TEXT = {
    "aware_date": "aware date not recorded: the onset is day 0 (the stricter deadline)",
    "seriousness_criteria": "seriousness criteria not recorded: the tier its CTCAE grade implies",
}


def render_due(clocks: list[OpenClock], today: dt.date) -> str:
    """One line per open report, soonest first; overdue ones say so."""
    title = f"Open safety reports on {today.isoformat()}: {len(clocks)}"
    lines = [title, "=" * len(title)]
    for item in clocks:
        clock = item.clock
        left = clock.days_left(today)
        if clock.due is None:
            when = "periodic report"
        elif left is not None and left < 0:
            when = f"{clock.due.isoformat()}  OVERDUE by {-left} day(s)"
        else:
            when = f"{clock.due.isoformat()}  {left} day(s) left"
        lines.append(
            f"{when}  {clock.rule.id} to the {clock.rule.recipient.label}: "
            f"{item.event_id} ({item.subject_id}) {item.term}, {item.tier.value}, "
            f"{item.expectedness.value}, day 0 {clock.day_zero.isoformat()}"
        )
        if clock.assumed_unexpected:
            lines.append("    term not coded: treated as unexpected (the stricter deadline)")
        lines += [f"    {ASSUMED_TEXT[a]}" for a in item.assumed]
    if not clocks:
        lines.append("No report is due.")
    return "\n".join(lines)


@safety_app.command("rules")
def rules(output: FormatOption = OutputFormat.TEXT) -> None:
    """Print the reporting table in force, each rule with its source, and the seriousness list."""
    from lupustrial.protocol.config import DEFAULT_PROTOCOL
    from lupustrial.protocol.safety.seriousness import SERIOUSNESS_CRITERIA

    safety = DEFAULT_PROTOCOL.safety
    if output is OutputFormat.JSON:
        print_json(safety.model_dump(mode="json"))
        return
    lines = ["Reporting rules (疾病等報告)", "============================"]
    for rule in safety.reporting_rules:
        if rule.product_status is not safety.product_status:
            continue
        when = f"{rule.days} days" if rule.days else "periodic report"
        expected = rule.expectedness.value if rule.expectedness else "expected or not"
        mark = "" if rule.confirmed else "  [NOT CONFIRMED]"
        lines.append(
            f"{rule.id}: {rule.tier.value}, {expected} -> {rule.recipient.label}, {when}{mark}"
        )
        lines.append(f"    source: {rule.source}")
        if rule.note:
            lines.append(f"    note: {rule.note}")
    lines += ["", "Seriousness criteria"]
    lines += [
        f"  {c.code.value}: {c.label} ({c.label_ja}), tier {c.tier.value}"
        for c in SERIOUSNESS_CRITERIA
    ]
    scale = safety.causality
    lines += [
        "",
        f"Causality ({scale.name}): suspected = "
        + ", ".join(g for g in scale.grades if g in scale.suspected),
    ]
    rsi = safety.reference_safety_information
    confirmed = "confirmed" if rsi.confirmed_by_principal_investigator else "NOT YET CONFIRMED"
    lines += [
        "",
        f"Reference safety information: {rsi.document}, version {rsi.version}, "
        f"{rsi.date.isoformat()} ({confirmed} by the principal investigator)",
    ]
    lines += [f"  {r.term}: MedDRA {', '.join(map(str, r.meddra_codes))}" for r in rsi.reactions]
    typer.echo("\n".join(lines))


@safety_app.command("notify")
def notify() -> None:
    """Send the e-mail notifications due now, each at most once (`lupustrial jobs run` does
    it on schedule): reports due within 48 hours and the weekly digest of overdue visits,
    through the web application's e-mail settings. A run that sent any is audited."""

    import datetime as dt

    with web_app_errors(STUDY_DATABASE):
        from lupustrial.edc.safety.services import send_notifications

        try:
            sent = send_notifications(dt.datetime.now(dt.UTC))
        except OSError as error:
            raise InputError(f"the mail server refused ({error}); nothing was recorded") from error
    for kind, count in sent.items():
        typer.echo(f"{kind}: {count} sent")


@safety_app.command("report")
def report(
    path: InputArgument,
    event_id: Annotated[str, typer.Option("--event", help="The event's id in FILE.")],
    rule_id: Annotated[str, typer.Option("--rule", help="The reporting rule, e.g. CRB-7.")],
    number: Annotated[str, typer.Option("--number", help="The report's number.")],
    out: Annotated[str, typer.Option("--out", help="The folder to write the report into.")],
    follows: Annotated[
        str | None,
        typer.Option("--follows", help="For a follow-up: the number of the report it follows."),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also print it to PDF.")] = True,
    language: Annotated[
        str,
        typer.Option(
            "--language",
            "-l",
            help="The page's language: en (default: English and Japanese labels) or ja "
            "(Japanese alone). report.json is the same.",
        ),
    ] = "en",
) -> None:
    """Write the safety report (疾病等報告) of one event: report.json, report.html, report.pdf.

    The report states the event and its coding, seriousness with the criteria met,
    expectedness against the reference safety information, causality, the course and the
    action taken with anifrolumab, and the rule and deadline it answers. A follow-up report
    names the report it follows (--follows).
    """
    import datetime as dt
    from pathlib import Path

    from lupustrial.protocol.config import DEFAULT_PROTOCOL
    from lupustrial.safety.events import SafetyEvent
    from lupustrial.safety.report import (
        ReportError,
        ReportRef,
        ReportRequest,
        build_report,
        write_report,
    )

    if language not in ("en", "ja"):
        raise InputError(f"--language {language!r}: choose en or ja")
    events = {e.id: e for e in validate_all(SafetyEvent, read_records(path))}
    if event_id not in events:
        raise InputError(f"--event: no event {event_id!r} in {path} (there: {', '.join(events)})")
    request = ReportRequest(
        event_id=event_id,
        rule_id=rule_id,
        number=number,
        follows=ReportRef(number=follows) if follows else None,
    )
    try:
        document = build_report(
            events[event_id],
            request,
            DEFAULT_PROTOCOL.safety,
            study_title=DEFAULT_PROTOCOL.study_title,
            registration="jRCTs031230358",
            generated_at=dt.datetime.now(dt.UTC),
        )
    except ReportError as error:
        raise InputError(f"--{error}") from None
    try:
        written = write_report(document, Path(out), pdf=pdf, language=language)
    except RuntimeError as error:  # the PDF engine is missing: the JSON and HTML are written
        typer.echo(f"lupustrial: no PDF ({error}); report.json and report.html written", err=True)
        written = [Path(out) / "report.json", Path(out) / "report.html"]
    for item in written:
        typer.echo(f"wrote {item}")
