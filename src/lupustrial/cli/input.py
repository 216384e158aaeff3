"""Reading records for the command line: one JSON object, or JSON Lines of many.

Every record is validated before anything is computed, so that nothing is scored or
decided from a half-valid input, and every problem is reported with the field it is in.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pydantic is imported when a record is validated, not for `--help`
    from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound="BaseModel")
T = TypeVar("T")


class InputError(Exception):
    """Input the command cannot use; its message is for the user, without a traceback."""


def setup_web_app() -> None:
    """Configure the web application (Django) for a command; a bad setting in the
    environment (``ImproperlyConfigured``, e.g. ``LUPUSTRIAL_EMAIL=bogus``) is an
    `InputError` naming it, not a traceback."""
    from django.core.exceptions import ImproperlyConfigured

    from lupustrial.edc import setup

    try:
        setup()
    except ImproperlyConfigured as error:
        raise InputError(f"the web application's settings: {error}") from None


STUDY_DATABASE = (
    "cannot read the study database ({error}); has it been created "
    "(lupustrial web demo or lupustrial web serve)?"
)
"""What a command that reads the study says when its database does not answer."""


@contextmanager
def web_app_errors(
    database_message: str, *refused: type[Exception], migrated: bool = False
) -> Iterator[str]:
    """Django set up for a command; a database, audit-key or file problem, or one of the
    command's own `refused` errors, becomes a one-line message, never a traceback.

    ``database_message`` says what the user can do; its ``{error}`` is the database's words
    and its ``{where}`` the database's name. With ``migrated`` the study database must exist
    and be migrated first (`edc.ready`, which says how to create it); the context gives its
    name (else "").
    """
    setup_web_app()
    from django.db import DatabaseError

    from lupustrial.edc.audit.keys import AuditKeyError

    where = ""
    if migrated:
        from lupustrial.dataset.sources import SourceError
        from lupustrial.edc import ready

        try:
            where = ready()
        except SourceError as error:
            raise InputError(str(error)) from None
    try:
        yield where
    except refused as error:
        raise InputError(str(error)) from None
    except DatabaseError as error:
        raise InputError(database_message.format(error=str(error).strip(), where=where)) from None
    except AuditKeyError as error:
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(f"{error.filename}: {error.strerror}") from None


def run_in_web_app(
    function: Callable[[], T], database_message: str, *refused: type[Exception]
) -> T:
    """`function()` inside `web_app_errors`."""
    with web_app_errors(database_message, *refused):
        return function()


@dataclass(frozen=True)
class Record:
    """One raw JSON object and where it came from (for messages)."""

    where: str
    data: Any


def read_records(path: str) -> list[Record]:
    """Read one JSON object (or an array of them) or JSON Lines from a file or '-'."""
    text, name = _read_text(path)
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return _json_lines(text, name)
    return _whole(whole, name)


def read_valid(model: type[Model], path: str) -> list[Model]:
    """``validate_all(model, read_records(path))``, with JSON Lines validated from their text
    by pydantic's own parser instead of parsed by `json` and then validated: about a third of
    the time (issue 19). The first line it refuses sends the whole file the usual way, so a bad
    file is reported exactly as `validate_all` reports it, and nothing is half-read.
    """
    text, name = _read_text(path)
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        valid = _valid_lines(model, text)
        return valid if valid is not None else validate_all(model, _json_lines(text, name))
    return validate_all(model, _whole(whole, name))


def _read_text(path: str) -> tuple[str, str]:
    """The text of a file or of '-' (standard input), and its name for messages."""
    if path == "-":
        text, name = sys.stdin.read(), "<stdin>"
    else:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"{path}: no such file")
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"{path}: cannot be read ({error})") from error
        name = path
    if not text.strip():
        raise InputError(f"{name}: is empty; expected a JSON object or JSON Lines")
    return text, name


def _whole(whole: Any, name: str) -> list[Record]:
    if isinstance(whole, list):
        return [Record(f"{name}[{i}]", item) for i, item in enumerate(whole)]
    return [Record(name, whole)]


def _valid_lines(model: type[Model], text: str) -> list[Model] | None:
    """Every non-blank line validated from its text; None at the first it refuses (the same
    lines as `_json_lines`: `str.splitlines`, blank ones skipped)."""
    from pydantic import ValidationError

    validate = model.model_validate_json
    try:
        return [validate(line) for line in text.splitlines() if line.strip()]
    except ValidationError:
        return None


def _json_lines(text: str, name: str) -> list[Record]:
    records = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(Record(f"{name}:{number}", json.loads(line)))
        except json.JSONDecodeError as error:
            problems.append(f"{name}:{number}: not valid JSON ({error.msg}, column {error.colno})")
    if problems:
        raise InputError("\n".join(problems))
    return records


def describe_validation_error(error: ValidationError) -> list[str]:
    """One line per problem, naming the field by its dotted path."""
    lines = []
    for problem in error.errors(include_url=False):
        field = ".".join(str(part) for part in problem["loc"]) or "(record)"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against `lupustrial schema`)"
        lines.append(f"{field}: {message}")
    return lines


def validate_all(model: type[Model], records: list[Record]) -> list[Model]:
    """Validate every record; raise one InputError listing every problem of every record."""
    from pydantic import ValidationError

    valid: list[Model] = []
    problems: list[str] = []
    for record in records:
        if not isinstance(record.data, dict):
            problems.append(f"{record.where}: expected a JSON object")
            continue
        try:
            valid.append(model.model_validate(record.data))
        except ValidationError as error:
            problems.extend(f"{record.where}: {line}" for line in describe_validation_error(error))
    if problems:
        raise InputError("invalid input, nothing was computed:\n  " + "\n  ".join(problems))
    return valid
