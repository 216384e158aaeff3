"""The `lupustrial` command line."""

from __future__ import annotations

import sys

import lupustrial.cli.exchange  # registers `export`
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


def main(argv: list[str] | None = None) -> None:
    """Run the command; bad input becomes a message and exit status 2, never a traceback."""
    try:
        app(args=argv, prog_name="lupustrial")
    except InputError as error:
        print(f"lupustrial: {error}", file=sys.stderr)
        sys.exit(2)
