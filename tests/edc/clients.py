"""Logged-in test clients for the web application's tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse


def login(username: str, language: str | None = None) -> Client:
    """A client with the user's session (the login form itself is tested in test_accounts),
    reading in ``language`` when given (chosen as a user does, through `set_language`)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    if language is not None:
        client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client
