"""Calendar arithmetic the protocol's windows are stated in: completed years, calendar months,
and the one rule for the day a moment falls on at a site (its IANA time zone)."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def age_in_completed_years(born: dt.date, on: dt.date) -> int:
    """Age in completed years on a day, as consent forms count it.

    Someone born on 29 February completes a year on 1 March in a common year: until the end
    of 28 February the anniversary has not been reached.
    """
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - before_birthday


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later, clamped to the month's last day.

    "Within six months of 31 August" therefore ends on 28 (or 29) February.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def add_years(start: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` later (29 February falls on 28 February in a common year)."""
    return add_months(start, 12 * years)


# -- site-local dates ---------------------------------------------------------------------------
#
# One rule for the whole study: a moment (a consent, a signature, a data cut) is stored as an
# aware UTC date-time; the *day* it happened on is the calendar date at the site, in the site's
# IANA time zone. Visit windows, consent, ages and the data cut compare such site-local dates.


class TimeZoneError(ValueError):
    """A time zone name the IANA database does not know; the message says which."""


def site_zone(name: str) -> ZoneInfo:
    """The IANA time zone (e.g. ``Asia/Tokyo``) a site's dates are counted in (IANA tz 2024)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise TimeZoneError(
            f"unknown time zone {name!r} (an IANA name such as Asia/Tokyo or Europe/London)"
        ) from None


def site_date(moment: dt.datetime, zone: str) -> dt.date:
    """The calendar date of ``moment`` at a site in ``zone`` (ISO 8601-1:2019 local time).

    23:30 in Tokyo (14:30 UTC) is the same day in both; 08:00 in Tokyo (23:00 UTC the day
    before) is the Tokyo day, not the UTC one. A naive date-time has no day: it is refused.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone: its day depends on the site")
    return moment.astimezone(site_zone(zone)).date()


def utc_now() -> dt.datetime:
    """The clock every site's "today" is read from (one place, so tests can set it)."""
    return dt.datetime.now(dt.UTC)


def site_today(zone: str, *, now: dt.datetime | None = None) -> dt.date:
    """Today at a site in ``zone`` (``now`` given for data cuts; default: `utc_now`)."""
    return site_date(now or utc_now(), zone)
