"""The idle timeout holds to within a minute without writing the session on every request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _expiry(client: Any) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_session_is_written_only_when_its_last_refresh_is_a_minute_old(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    _at(monkeypatch, START)
    client = login("coordinator")
    assert client.get(reverse("home")).status_code == 200
    assert _expiry(client) == START + age
    _at(monkeypatch, START + dt.timedelta(seconds=59))
    assert client.get(reverse("home")).status_code == 200
    assert _expiry(client) == START + age  # not written again
    later = START + dt.timedelta(seconds=60)
    _at(monkeypatch, later)
    assert client.get(reverse("home")).status_code == 200
    assert _expiry(client) == later + age


def test_an_idle_session_ends_within_a_minute_of_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    age = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    minute = dt.timedelta(minutes=1)
    _at(monkeypatch, START)
    client = login("coordinator")
    assert client.get(reverse("home")).status_code == 200
    last = START + dt.timedelta(seconds=59)  # the last request: the session is not written
    _at(monkeypatch, last)
    assert client.get(reverse("home")).status_code == 200
    ends = _expiry(client)
    assert last + age - minute <= ends <= last + age
    _at(monkeypatch, ends - dt.timedelta(seconds=1))
    assert Session.objects.filter(expire_date__gt=timezone.now()).exists()
    _at(monkeypatch, ends)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_anonymous_visit_creates_no_session() -> None:
    before = Session.objects.count()
    client = login("coordinator")
    client.logout()
    assert client.get(reverse("login")).status_code == 200
    assert Session.objects.count() == before
