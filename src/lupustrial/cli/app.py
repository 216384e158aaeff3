"""The `lupustrial` command: the Typer application every sub-command registers on."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="lupustrial",
    help=(
        "Run the early-anifrolumab SLE study: score lupus instruments, check eligibility,"
        " pre-screen records, serve the web application (EDC), report safety, analyse and"
        " report the endpoints, export and archive the study. `lupustrial COMMAND --help`"
        " describes each command."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="json: one JSON object per record (JSON Lines for many); text: a readable summary.",
        case_sensitive=False,
    ),
]

InputArgument = Annotated[
    str,
    typer.Argument(
        metavar="FILE",
        help="A JSON file with one record, a JSON array, or JSON Lines; '-' reads standard input.",
        show_default=False,
    ),
]


def print_json(document: Any) -> None:
    """Print one JSON document on one line (so that many form JSON Lines)."""
    typer.echo(json.dumps(document, ensure_ascii=False))
