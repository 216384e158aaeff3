"""`lupustrial schema NAME`: the JSON Schema of every input the command reads."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import BaseModel

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError

SCHEMAS: dict[str, type[BaseModel]] = {}
"""Input models by the name users type; each command module registers its own."""


def register_schema(name: str, model: type[BaseModel]) -> None:
    SCHEMAS[name] = model


@app.command()
def schema(
    name: Annotated[
        str,
        typer.Argument(help="The input to describe; `lupustrial schema list` names them all."),
    ],
) -> None:
    """Print the JSON Schema of an input (e.g. assessment, sledai2k, screening)."""
    if name == "list":
        for known, model in sorted(SCHEMAS.items()):
            doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
            typer.echo(f"{known:<18} {doc}")
        return
    if name not in SCHEMAS:
        raise InputError(f"no schema named {name!r}; known: {', '.join(sorted(SCHEMAS))}")
    typer.echo(json.dumps(SCHEMAS[name].model_json_schema(), indent=2, ensure_ascii=False))
