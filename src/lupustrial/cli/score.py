"""`lupustrial score`: every instrument an assessment allows, as JSON or a readable summary."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from lupustrial.cli.app import FormatOption, InputArgument, OutputFormat, app
from lupustrial.cli.input import read_valid
from lupustrial.cli.schema import register_schema

if TYPE_CHECKING:
    from lupustrial.clinical.assessment import AssessmentResult

register_schema("assessment", "lupustrial.clinical.assessment:Assessment")
register_schema("sledai2k", "lupustrial.clinical.sledai2k:Sledai2kInput")


@app.command()
def score(path: InputArgument, output: FormatOption = OutputFormat.JSON) -> None:
    """Score one assessment, or JSON Lines of many, with every instrument the data allow.

    Every record is validated first: one bad record means nothing is scored.
    """
    from lupustrial.cli.score_json import assessment_line  # pydantic: not for `--help`
    from lupustrial.clinical.assessment import Assessment, score_assessment

    assessments = read_valid(Assessment, path)
    if output is OutputFormat.JSON:
        # One JSON document per line, as `print_json` writes it, to the stream directly: one
        # write per line and one flush at the end, not an echo and a flush per line (issue 19).
        write = sys.stdout.write
        for assessment in assessments:
            write(assessment_line(score_assessment(assessment)) + "\n")
        sys.stdout.flush()
        return
    for number, assessment in enumerate(assessments, start=1):
        if number > 1:
            typer.echo()
        typer.echo(render_text(score_assessment(assessment)))


def render_text(result: AssessmentResult) -> str:
    """A summary a clinician can check by eye: one line per instrument, then the details."""
    title = f"Assessment {result.id or '(no id)'}"
    if result.date:
        title += f" — {result.date.isoformat()}"
    lines = [title, "=" * len(title)]
    lines.extend(result.summary_lines())
    if result.sledai2k is not None:
        derived = [f for f in result.sledai2k.findings if f.derived_from]
        if derived:
            lines.append("SLEDAI-2K laboratory descriptors:")
            lines.extend(f"  {f.name}: {f.status.label} from {f.derived_from}" for f in derived)
        lines.extend(f"  ! {d}" for d in result.sledai2k.discrepancies)
    for composite in (result.lldas, result.doris):
        if composite is not None:
            lines.append(f"{composite.instrument} components:")
            lines.extend(
                f"  {c.number} {c.name}: {c.status.label} — {c.evidence}"
                for c in composite.components
            )
    if result.eular_acr_2019 is not None:
        lines.append("2019 EULAR/ACR points per domain:")
        lines.extend(
            f"  {d.name}: {d.points}" + (f" ({d.counted_item})" if d.counted_item else "")
            for d in result.eular_acr_2019.domains
            if d.points
        )
        lines.extend(f"  {reason}" for reason in result.eular_acr_2019.reasons)
    for classification in (result.acr_1997, result.slicc_2012):
        if classification is not None:
            lines.append(f"{classification.instrument}:")
            lines.extend(f"  {reason}" for reason in classification.reasons)
    return "\n".join(lines)
