"""Validation against the CDISC ODM 1.3.2 XML Schema, shipped inside odmlib (no download).

The schema files are odmlib's copy of CDISC's ODM 1.3.2 schema (`odmlib/schemas/odm/1.3.2/
ODM1-3-2.xsd` with its foundation, xml, xlink and xmldsig schemas); xmlschema validates.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


def schema_path() -> Path:
    """The ODM 1.3.2 schema's entry file as odmlib installs it."""
    return Path(str(resources.files("odmlib") / "schemas" / "odm" / "1.3.2" / "ODM1-3-2.xsd"))


@cache
def _schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(schema_path()))


def schema_errors(document: str | bytes | Path, limit: int = 20) -> list[str]:
    """Where ``document`` breaks the ODM 1.3.2 schema (at most ``limit``); [] when valid."""
    source = str(document) if isinstance(document, Path) else document
    if isinstance(source, bytes):
        source = source.decode("utf-8")
    errors = []
    for error in _schema().iter_errors(source):
        errors.append(f"{error.path}: {error.reason}")
        if len(errors) >= limit:
            break
    return errors
