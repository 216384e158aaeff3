"""Logged-in test clients for the web application's tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client


def login(username: str) -> Client:
    """A client with the user's session (the login form itself is tested in test_accounts)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client
