"""`lupustrial eligibility` and `lupustrial protocol show`: the screening decision and checklist."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Annotated

import typer

from lupustrial.cli.app import FormatOption, InputArgument, OutputFormat, app, print_json
from lupustrial.cli.input import read_records, validate_all
from lupustrial.cli.schema import register_schema

if TYPE_CHECKING:
    from lupustrial.protocol.eligibility import ScreeningDecision

# The protocol's models are imported by the commands that use them, not for `--help`.
register_schema("screening", "lupustrial.protocol.screening:ScreeningRecord")

protocol_app = typer.Typer(
    help="The study protocol as declared: configuration and every eligibility criterion.",
    no_args_is_help=True,
)
app.add_typer(protocol_app, name="protocol")

MARKS = {"fails": "✗", "unknown": "?", "passes": "✓"}


@app.command()
def eligibility(path: InputArgument, output: FormatOption = OutputFormat.JSON) -> None:
    """Decide eligibility for one screening record, or JSON Lines of many.

    Every criterion of the registration (I1-I5, E1-E13) is judged met, not met or unknown,
    with its evidence; the decision is eligible, ineligible (every failing criterion listed)
    or incomplete (with what to collect next). Every record is validated first: one bad
    record means nothing is decided.
    """
    from lupustrial.protocol.eligibility import decide_eligibility
    from lupustrial.protocol.screening import ScreeningRecord

    records = validate_all(ScreeningRecord, read_records(path))
    for number, record in enumerate(records, start=1):
        decision = decide_eligibility(record)
        if output is OutputFormat.JSON:
            print_json(decision.model_dump(mode="json"))
        else:
            if number > 1:
                typer.echo()
            typer.echo(render_checklist(decision))


def render_checklist(decision: ScreeningDecision) -> str:
    """The decision as a checklist a coordinator reads: each criterion, its status, evidence."""
    from lupustrial.clinical.status import Status

    title = f"Screening {decision.screening_id}: {decision.outcome.value.upper()}"
    lines = [title, "=" * len(title)]
    dates = [
        f"consent {decision.consent_date or 'not recorded'}",
        f"planned first dose {decision.planned_first_dose_date or 'not recorded'}",
    ]
    lines.append(" · ".join(dates))
    for result in decision.criteria:
        if result.fails:
            mark = MARKS["fails"]
        elif result.status is Status.UNKNOWN:
            mark = MARKS["unknown"]
        else:
            mark = MARKS["passes"]
        lines.append(f"[{mark}] {result.id:<3} {result.status.label:<8} {result.wording}")
        lines.extend(f"          {line}" for line in result.evidence)
        lines.extend(f"          missing: {item}" for item in result.missing)
    if decision.failed:
        lines.append(f"Fails: {', '.join(decision.failed)}")
    if decision.to_collect:
        lines.append("To collect next:")
        lines.extend(f"  - {item}" for item in decision.to_collect)
    return "\n".join(lines)


@protocol_app.command("show")
def protocol_show(
    output: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: a printable screening checklist; json: configuration and criteria.",
            case_sensitive=False,
        ),
    ] = OutputFormat.TEXT,
) -> None:
    """Print the protocol's configuration and every criterion: id, wording, meaning, data."""
    from lupustrial.protocol.config import DEFAULT_PROTOCOL, Term
    from lupustrial.protocol.criteria import CRITERIA

    criteria = [
        {
            "id": c.id,
            "kind": c.kind.value,
            "wording": c.wording,
            "meaning": c.meaning,
            "needs": list(c.needs),
            "rule": (c.rule.__doc__ or "").strip().splitlines()[0],
        }
        for c in CRITERIA
    ]
    if output is OutputFormat.JSON:
        print_json(
            {"configuration": DEFAULT_PROTOCOL.model_dump(mode="json"), "criteria": criteria}
        )
        return
    config = DEFAULT_PROTOCOL
    lines = [config.study_title, "", f"Target recruitment: {config.target_recruitment}", ""]
    lines.append("Eligibility checklist")
    for criterion in criteria:
        lines.append(f"[ ] {criterion['id']:<3} {criterion['wording']}")
        lines.extend(
            textwrap.wrap(str(criterion["meaning"]), 92, initial_indent="        ",
                          subsequent_indent="        ")
        )  # fmt: skip
        lines.append(f"        data: {', '.join(criterion['needs'])}")
    lines.append("")
    lines.append("Configuration")
    for name, value in config:
        if isinstance(value, tuple) and value and isinstance(value[0], Term):
            shown = ", ".join(term.name for term in value)
        elif name == "safety":
            shown = (
                "seriousness, causality, expectedness, reporting table: `lupustrial safety rules`"
            )
        else:
            shown = str(value.value if hasattr(value, "value") else value)
        lines.extend(textwrap.wrap(f"{name}: {shown}", 96, subsequent_indent="    "))
    typer.echo("\n".join(lines))
