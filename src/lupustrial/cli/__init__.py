"""The `lupustrial` command line."""

from __future__ import annotations

import sys
from typing import Any, cast

import typer
from typer.core import TyperGroup

import lupustrial.cli.exchange  # registers `export`
import lupustrial.cli.importing  # registers `import`
import lupustrial.cli.periodic  # noqa: F401  (registers `report periodic` on `report`)
from lupustrial.cli import (  # noqa: F401  (each module registers its commands)
    audit,
    backup,
    casebook,
    eligibility,
    prescreen,
    safety,
    schema,
    score,
    study,
    web,
)
from lupustrial.cli.app import app
from lupustrial.cli.input import InputError

# The order `lupustrial --help` lists the commands in: the order a study meets them (the
# README's), not the order the modules happen to be imported in. Unlisted ones come last.
COMMAND_ORDER = (
    "score",
    "schema",
    "eligibility",
    "protocol",
    "prescreen",
    "web",
    "casebook",
    "safety",
    "dataset",
    "endpoints",
    "report",
    "plan",
    "export",
    "import",
    "archive",
    "backup",
    "restore",
    "audit",
    "jobs",
    "db",
)


def _reflow(text: str | None) -> str | None:
    """Join a paragraph's source-code line breaks (Typer prints them as they are)."""
    if not text:
        return text
    paragraphs = text.strip().split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _tidy(command: Any) -> None:
    command.help = _reflow(command.help)
    command.short_help = _reflow(command.short_help)
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return
    for sub in subcommands.values():
        _tidy(sub)


def command() -> Any:
    """The click command `lupustrial` runs: the Typer app with its help tidied for the terminal."""
    # An app of several commands is a TyperGroup; get_command is typed to return a Command.
    root = cast(TyperGroup, typer.main.get_command(app))
    _tidy(root)
    commands = root.commands
    rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
    ordered = sorted(commands, key=lambda name: rank.get(name, len(rank)))
    root.commands = {name: commands[name] for name in ordered}
    return root


def _one_line(message: str) -> str:
    """The driver's multi-line messages (psycopg's "\n\tIs the server running…") on one line."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def _is_database_error(error: Exception) -> bool:
    # Django is imported only by the commands that use the database (startup time), so its
    # error class is looked up rather than imported here.
    django_db = sys.modules.get("django.db")
    return django_db is not None and isinstance(error, django_db.DatabaseError)


def main(argv: list[str] | None = None) -> None:
    """Run the command; bad input becomes a message and exit status 2, never a traceback."""
    try:
        command()(args=argv, prog_name="lupustrial")
    except InputError as error:
        # A list of problems stays one per line; a driver's message quoted in it is joined.
        print(f"lupustrial: {str(error).replace(chr(10) + chr(9), ' ')}", file=sys.stderr)
        sys.exit(2)
    except Exception as error:
        if not _is_database_error(error):
            raise
        # A database that does not answer (DATABASE_URL naming a server that is not running,
        # a database not created yet) in a command without its own message for it.
        print(
            f"lupustrial: cannot use the study database ({_one_line(str(error))}); check "
            "DATABASE_URL (or LUPUSTRIAL_DATA_DIR for SQLite) and that the database server runs",
            file=sys.stderr,
        )
        sys.exit(2)
