"""Base classes shared by every instrument's input and result models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class StrictModel(BaseModel):
    """An input or result: unknown fields are rejected, values are immutable once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


LATEST_UTC_OFFSET = dt.timedelta(hours=14)
"""The first time zone to reach a new day, UTC+14 (Pacific/Kiritimati; IANA tz database 2024)."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def latest_today() -> dt.date:
    """The latest calendar date anywhere on Earth now (UTC+14): no site can record a later one.

    The clinical layer does not know where a record was made, and the server's own day (UTC)
    is a day behind a site in Japan every morning before 09:00; the services layer, which
    knows the site, compares with the site's own date (`protocol.dates.site_today`).
    """
    return (_utc_now() + LATEST_UTC_OFFSET).date()


def _not_in_future(value: dt.date) -> dt.date:
    if value > latest_today():
        raise ValueError(f"date {value.isoformat()} is in the future")
    return value


PastDate = Annotated[dt.date, AfterValidator(_not_in_future)]
"""A calendar date not after today anywhere on Earth (UTC+14; the site's own check is stricter):
clinical observations cannot come from the future."""
