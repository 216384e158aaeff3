"""`lupustrial schema NAME`: the JSON Schema of every input the command reads."""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Annotated

import typer

from lupustrial.cli.app import app
from lupustrial.cli.input import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel

SCHEMAS: dict[str, str] = {}
"""Input models by the name users type, as ``"module:Model"``; each command module registers
its own. Named, not imported, so that `lupustrial --help` does not build every model."""


def register_schema(name: str, target: str) -> None:
    """Register the model ``"package.module:Model"`` under ``name``."""
    SCHEMAS[name] = target


def load_model(name: str) -> type[BaseModel]:
    """The model registered under ``name``, imported now."""
    module, _, attribute = SCHEMAS[name].partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module), attribute)
    return model


@app.command()
def schema(
    name: Annotated[
        str,
        typer.Argument(help="The input to describe; `lupustrial schema list` names them all."),
    ],
) -> None:
    """Print the JSON Schema of an input (e.g. assessment, sledai2k, screening)."""
    if name == "list":
        for known in sorted(SCHEMAS):
            model = load_model(known)
            doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
            typer.echo(f"{known:<18} {doc}")
        return
    if name not in SCHEMAS:
        raise InputError(f"no schema named {name!r}; known: {', '.join(sorted(SCHEMAS))}")
    schema = load_model(name).model_json_schema()
    typer.echo(json.dumps(schema, indent=2, ensure_ascii=False))
