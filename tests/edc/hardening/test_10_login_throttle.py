"""Finding 10: failed logins are throttled per user name at an address and per address, so a
stranger cannot lock a named user out from elsewhere, nor grow the audit trail without end."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from lupustrial.edc.accounts.lockout import client_address
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.demo import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("people")

STRANGER, WARD = "198.51.100.7", "192.0.2.10"


def _login(username: str, password: str, address: str) -> int:
    response = Client(REMOTE_ADDR=address).post(
        reverse("login"), {"username": username, "password": password}
    )
    return int(response.status_code)


def _failed_logins() -> int:
    return AuditEntry.objects.filter(action="login_failed").count()


def test_a_stranger_cannot_lock_out_a_user_at_their_own_address(settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _login("investigator", "wrong-password", STRANGER)
    assert _login("investigator", DEMO_PASSWORD, STRANGER) == 429  # locked there
    assert _login("investigator", DEMO_PASSWORD, WARD) == 302  # signed in at the ward


def test_one_address_trying_many_names_is_locked_and_stops_growing_the_trail(
    settings: Any,
) -> None:
    limit = settings.LOCKOUT_ADDRESS_FAILURES
    assert limit == 20
    for number in range(limit):
        assert _login(f"name-{number}", "wrong-password", STRANGER) == 200
    assert _failed_logins() == limit
    for number in range(100):
        assert _login(f"more-{number}", "wrong-password", STRANGER) == 429
    assert _login("coordinator", DEMO_PASSWORD, STRANGER) == 429
    assert _failed_logins() == limit  # the trail stopped at the limit: 20 rows, not 120
    assert _login("coordinator", DEMO_PASSWORD, WARD) == 302


def test_failures_below_the_limit_are_each_in_the_trail() -> None:
    for _ in range(4):
        _login("monitor", "wrong-password", WARD)
    assert _failed_logins() == 4
    assert _login("monitor", DEMO_PASSWORD, WARD) == 302


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended() -> None:
    request = Client().get(reverse("login")).wsgi_request
    request.META.update(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, " + STRANGER)
    assert client_address(request) == STRANGER
    request.META.pop("HTTP_X_FORWARDED_FOR")
    assert client_address(request) == "127.0.0.1"


def test_served_directly_the_address_is_the_connection_s() -> None:
    request = Client().get(reverse("login")).wsgi_request
    request.META.update(REMOTE_ADDR=WARD, HTTP_X_FORWARDED_FOR=STRANGER)
    assert client_address(request) == WARD


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_the_trail_records_the_client_behind_the_proxy_not_the_proxy() -> None:
    """Sign-in, failed sign-in and sign-out entries name the address the proxy appended."""
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, " + STRANGER)
    proxied.post(reverse("login"), {"username": "monitor", "password": "wrong-password"})
    signed_in = proxied.post(reverse("login"), {"username": "monitor", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    proxied.post(reverse("logout"))
    entries = AuditEntry.objects.filter(action__in=["login", "login_failed", "logout"])
    assert sorted(entry.action for entry in entries) == ["login", "login_failed", "logout"]
    for entry in entries:
        assert STRANGER in entry.new_value, (entry.action, entry.new_value)
        assert "127.0.0.1" not in entry.new_value
