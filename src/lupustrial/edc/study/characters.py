"""Characters that no text or form value of the study may hold, found before anything is saved.

NUL cannot be stored at all (PostgreSQL refuses it in text and in jsonb), and the other C0
control characters (tab, line feed and carriage return apart), DEL, lone surrogates and the
non-characters U+FFFE/U+FFFF cannot be written to the XML exports (XML 1.0, 5th ed. 2008,
section 2.2) and are never typed on purpose. A value holding one is refused with the name of
its field, rather than failing at the database with a server error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def invalid_character(text: str) -> str | None:
    """The first character ``text`` may not hold, as U+XXXX, or None."""
    found = _INVALID.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def first_invalid(value: Any, path: str = "") -> tuple[str, str] | None:
    """(field path, U+XXXX) of the first invalid character in a value, its keys included.

    Paths are dotted as the forms name their fields ("labs.c3.value", "events.0.term").
    """
    if isinstance(value, str):
        character = invalid_character(value)
        return (path, character) if character else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            character = invalid_character(str(key))
            if character:
                return name, character
            found = first_invalid(item, name)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = first_invalid(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None
