"""Sign-ins, failed sign-ins and sign-outs reach the trail through the account services.

Django announces them as signals; the receivers only hand them on, so that the services
layer stays the trail's one writer. Account, role and site changes are not caught here from
model signals (which cannot know who acted): the admin site and the command line call
`accounts.services`, and `audit verify` reconciles the trail with the accounts as they are.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from lupustrial.edc.accounts import services
from lupustrial.edc.accounts.lockout import client_address


def _client(request: HttpRequest | None) -> str:
    """The client's address as the lockout reads it: behind the proxy, the one it appended."""
    return client_address(request) if request is not None else ""


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    services.record_login(user, _client(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.record_logout(user, _client(request))


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if getattr(request, "login_refused_unchecked", False):
        return  # a locked client (accounts/lockout.py): refused unchecked, counted by django-axes
    services.record_failed_login(str(credentials.get("username", "")), _client(request))
