"""A form's values as entered, one per field, typed; and the category of a medication.

`entered_values` walks a validated CRF model and yields every value that was entered, with
its dotted field path ("labs.c3.value", "glucocorticoids.doses.0.dose"). Nothing becomes
text: numbers, booleans, dates and text keep their own columns, a quantity keeps its value
and unit as entered with its canonical unit beside, and an empty list is kept as "recorded:
none". A field left empty (None) was not entered and yields nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import Enum
from typing import Any

from pydantic import BaseModel

from lupustrial.clinical.units import Quantity
from lupustrial.dataset.records import MedicationCategory

_EMPTY = {
    "value_text": None,
    "value_number": None,
    "value_bool": None,
    "value_date": None,
    "unit": None,
    "canonical_value": None,
    "canonical_unit": None,
}


def entered_values(model: BaseModel, prefix: str = "") -> list[dict[str, Any]]:
    """One row per value entered in ``model`` (see the module docstring)."""
    return list(_walk(model, prefix))


def _walk(model: BaseModel, prefix: str) -> Iterator[dict[str, Any]]:
    for name in type(model).model_fields:
        yield from _value(getattr(model, name), f"{prefix}{name}")


def _value(value: Any, path: str) -> Iterator[dict[str, Any]]:
    if value is None:
        return
    if isinstance(value, Quantity):
        yield _row(
            path, "quantity", value_number=value.value, unit=value.unit,
            canonical_value=value.canonical, canonical_unit=value.KIND.canonical,
        )  # fmt: skip
    elif isinstance(value, BaseModel):
        yield from _walk(value, f"{path}.")
    elif isinstance(value, list):
        if not value:
            yield _row(path, "none_recorded")
        for index, item in enumerate(value):
            yield from _value(item, f"{path}.{index}")
    elif isinstance(value, bool):
        yield _row(path, "boolean", value_bool=value)
    elif isinstance(value, int | float):
        yield _row(path, "integer" if isinstance(value, int) else "number", value_number=value)
    elif isinstance(value, dt.date):
        yield _row(path, "date", value_date=value)
    elif isinstance(value, Enum):
        yield _row(path, "text", value_text=str(value.value))
    else:
        yield _row(path, "text", value_text=str(value))


def not_done_value(path: str, reason: str) -> dict[str, Any]:
    """The one row of a form declared not done: its reason, kind "not_done"."""
    return _row(path, "not_done", value_text=reason)


def _row(path: str, kind: str, **values: Any) -> dict[str, Any]:
    return {"field": path, "value_kind": kind, **_EMPTY, **values}


_ANTIMALARIALS = ("hydroxychloroquine", "chloroquine")
_BIOLOGICS = ("belimumab", "rituximab", "obinutuzumab")


def medication_category(name: str) -> MedicationCategory:
    """Antimalarial or biologic by the drug's name; any other is an immunosuppressant."""
    folded = name.strip().lower()
    if folded.startswith(_ANTIMALARIALS):
        return MedicationCategory.ANTIMALARIAL
    if folded.startswith(_BIOLOGICS):
        return MedicationCategory.BIOLOGIC
    return MedicationCategory.IMMUNOSUPPRESSANT
