"""The `lupustrial` command: the Typer application every sub-command registers on."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:  # pydantic is imported by the commands that validate, not for `--help`
    from pydantic import BaseModel

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


def json_line(model: BaseModel) -> str:
    """``json.dumps(model.model_dump(mode="json"), ensure_ascii=False)``, the same text, written
    by pydantic's own serialiser in one pass (a third of the time, issue 19).

    Its indented form with an indent of 0 has `json`'s separators ": " and ", " once each
    newline after a comma becomes a space and the others go: a newline inside a string is
    always escaped, so every raw one is layout. The two spell floats alike except below 1e-4
    (`json` 1e-05, pydantic 0.00001 or 1e-7): a line where either form could be is written
    by `json` itself. Non-finite numbers cannot occur (every input number is refused unless
    finite, and bounded).
    """
    text = json_text(type(model).__pydantic_serializer__.to_json(model, indent=0))
    if text is None:
        return json.dumps(model.model_dump(mode="json"), ensure_ascii=False)
    return text


def json_text(indented: bytes) -> str | None:
    """pydantic's text with an indent of 0 in `json.dumps`'s layout (`json_line`), or None when
    it may hold a float the two spell differently. A part of a document converts alone: a
    newline is layout wherever it is."""
    if b"e-" in indented or b"0.0000" in indented:
        return None
    return indented.replace(b",\n", b", ").replace(b"\n", b"").decode()
