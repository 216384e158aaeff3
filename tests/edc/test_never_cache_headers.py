"""No-store on every answer, written without Django's header parsing when it need not merge.

`SecurityHeadersMiddleware` wrote the never-cache headers through `add_never_cache_headers`
on every request, which parses and rebuilds Cache-Control twice (issue 19). An answer without
either header gets Django's exact pair directly; one a `never_cache` view already marked is
left; anything else is merged by Django as before. The headers must be Django's in each case.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from lupustrial.edc import security
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")

NOW = 1_796_000_000.0


def _django(make: Any) -> dict[str, str]:
    """What the middleware wrote before: the policy, then Django's never-cache headers."""
    response = make()
    response.headers.setdefault("Content-Security-Policy", security.CONTENT_SECURITY_POLICY)
    add_never_cache_headers(response)
    return dict(response.headers)


def _ours(make: Any) -> dict[str, str]:
    middleware = security.SecurityHeadersMiddleware(lambda request: make())
    return dict(middleware(HttpRequest()).headers)


def _with(**headers: str) -> Any:
    def make() -> HttpResponse:
        response = HttpResponse("page")
        for name, value in headers.items():
            response.headers[name.replace("_", "-")] = value
        return response

    return make


def _never_cached() -> HttpResponse:
    response = HttpResponse("page")
    add_never_cache_headers(response)
    return response


@pytest.mark.parametrize(
    "make",
    [
        _with(),
        _never_cached,
        _with(Cache_Control="public, max-age=60"),
        _with(Cache_Control="no-cache"),
        _with(Expires="Thu, 01 Jan 2026 00:00:00 GMT"),
        _with(Cache_Control="max-age=0, no-cache, no-store, must-revalidate, private"),
        _with(Content_Security_Policy="default-src 'none'"),
    ],
)
def test_the_headers_are_djangos(make: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: NOW)
    assert _ours(make) == _django(make)
    assert list(_ours(make)) == list(_django(make))  # in the same order


def test_pages_get_them_without_djangos_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    merged: list[bool] = []
    monkeypatch.setattr(security, "add_never_cache_headers", lambda r: merged.append(True))
    for client, url in ((login("coordinator"), reverse("home")), (Client(), reverse("login"))):
        response = client.get(url)
        assert response["Cache-Control"] == security.NEVER_CACHE
        assert response.has_header("Expires")
    assert merged == []
