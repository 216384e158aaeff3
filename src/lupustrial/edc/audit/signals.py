"""Logins, failed logins and logouts go into the audit trail like every other event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record


def _client(request: HttpRequest | None) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record(user, Action.LOGIN, new={"client": _client(request)})


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, Action.LOGOUT, new={"client": _client(request)})


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the user name tried: credentials arrive with the password already scrubbed.
    record(
        str(credentials.get("username", ""))[:150] or "anonymous",
        Action.LOGIN_FAILED,
        new={"client": _client(request)},
    )
