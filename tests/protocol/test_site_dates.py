"""The one rule for the day a moment falls on at a site: its local date (finding 9)."""

from __future__ import annotations

import datetime as dt

import pytest

from lupustrial.clinical import model
from lupustrial.protocol import dates
from lupustrial.protocol.dates import TimeZoneError, site_date, site_today, site_zone

UTC = dt.UTC
TOKYO = "Asia/Tokyo"


def test_late_evening_in_tokyo_is_the_same_day_in_utc() -> None:
    moment = dt.datetime(2026, 12, 6, 14, 30, tzinfo=UTC)  # 23:30 JST
    assert site_date(moment, TOKYO) == dt.date(2026, 12, 6)
    assert site_date(moment, "UTC") == dt.date(2026, 12, 6)


def test_morning_in_tokyo_is_the_previous_day_in_utc() -> None:
    moment = dt.datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # 08:00 JST on 7 December
    assert site_date(moment, TOKYO) == dt.date(2026, 12, 7)
    assert site_date(moment, "UTC") == dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("utc_hour_minute", "tokyo_day"),
    [((14, 59), 6), ((15, 0), 7)],  # midnight in Tokyo is 15:00 UTC
)
def test_the_tokyo_day_changes_at_15_utc(utc_hour_minute: tuple[int, int], tokyo_day: int) -> None:
    moment = dt.datetime(2026, 12, 6, *utc_hour_minute, tzinfo=UTC)
    assert site_date(moment, TOKYO) == dt.date(2026, 12, tokyo_day)


def test_site_today_reads_the_one_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "utc_now", lambda: dt.datetime(2026, 12, 6, 23, 0, tzinfo=UTC))
    assert site_today(TOKYO) == dt.date(2026, 12, 7)
    assert site_today("UTC") == dt.date(2026, 12, 6)


def test_a_naive_moment_has_no_day() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        site_date(dt.datetime(2026, 12, 6, 8, 0), TOKYO)


@pytest.mark.parametrize("name", ["Asia/Tokio", "", "../etc/passwd", "JST+9"])
def test_an_unknown_zone_is_named(name: str) -> None:
    with pytest.raises(TimeZoneError, match="unknown time zone"):
        site_zone(name)


@pytest.mark.parametrize(
    ("now", "latest"),
    [
        (dt.datetime(2026, 12, 6, 9, 59, tzinfo=UTC), dt.date(2026, 12, 6)),
        (dt.datetime(2026, 12, 6, 10, 0, tzinfo=UTC), dt.date(2026, 12, 7)),
        (dt.datetime(2026, 12, 6, 23, 0, tzinfo=UTC), dt.date(2026, 12, 7)),
    ],
)
def test_the_clinical_layer_refuses_only_dates_after_today_everywhere(
    monkeypatch: pytest.MonkeyPatch, now: dt.datetime, latest: dt.date
) -> None:
    """08:00 in Tokyo is 23:00 UTC the day before: the Tokyo date is not in the future."""
    monkeypatch.setattr(model, "_utc_now", lambda: now)
    assert model.latest_today() == latest
    assert model._not_in_future(latest) == latest
    with pytest.raises(ValueError, match="in the future"):
        model._not_in_future(latest + dt.timedelta(days=1))
