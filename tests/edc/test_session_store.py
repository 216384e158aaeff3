"""The session row read by a statement written once (`accounts.session_store`, issue 19).

Django's database store reads the row through the ORM, which builds the same SELECT on every
request. The store here must read what Django's reads: the row of that key whose expiry is
still ahead (to the microsecond), nothing for an unknown, expired or tampered session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse
from django.utils import timezone

from lupustrial.edc.accounts.session_store import SessionStore
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")

START = dt.datetime(2026, 12, 1, 9, 0, 0, 500_000, tzinfo=dt.UTC)


def _at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def _saved(data: dict[str, Any]) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    assert store.session_key is not None
    return store.session_key


def _both(key: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    ours, django = SessionStore(key), DjangoStore(key)
    found = (dict(ours.items()), dict(django.items()))
    assert ours.session_key == django.session_key
    return found


def test_the_settings_use_this_store() -> None:
    assert settings.SESSION_ENGINE == "lupustrial.edc.accounts.session_store"


def test_a_session_reads_as_django_reads_it_until_the_microsecond_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _at(monkeypatch, START)
    key = _saved({"answer": 42, "words": "日本語"})
    expires = Session.objects.get(session_key=key).expire_date
    assert expires == START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    _at(monkeypatch, expires - dt.timedelta(microseconds=1))
    assert _both(key) == ({"answer": 42, "words": "日本語"},) * 2
    _at(monkeypatch, expires)
    assert _both(key) == ({}, {})
    assert SessionStore(key).load() == {}


def test_an_unknown_or_tampered_session_reads_as_nothing() -> None:
    assert _both("x" * 32) == ({}, {})
    key = _saved({"answer": 42})
    Session.objects.filter(session_key=key).update(session_data="not signed")
    assert _both(key) == ({}, {})
    unknown = SessionStore("y" * 32)
    unknown.load()
    assert unknown.session_key is None  # a new key on save, never the one the client sent


def test_reading_the_session_builds_no_statement_through_the_orm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = _saved({"answer": 42})

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the session was read through the ORM")

    monkeypatch.setattr(SQLCompiler, "as_sql", refused)
    assert SessionStore(key).load() == {"answer": 42}


def test_a_signed_in_client_stays_signed_in_through_this_store() -> None:
    client = login("coordinator")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).context["user"].get_username() == "coordinator"
