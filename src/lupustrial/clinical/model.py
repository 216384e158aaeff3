"""Base classes shared by every instrument's input and result models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class StrictModel(BaseModel):
    """An input or result: unknown fields are rejected, values are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _not_in_future(value: dt.date) -> dt.date:
    if value > dt.date.today():
        raise ValueError(f"date {value.isoformat()} is in the future")
    return value


PastDate = Annotated[dt.date, AfterValidator(_not_in_future)]
"""A calendar date on or before today: clinical observations cannot come from the future."""
