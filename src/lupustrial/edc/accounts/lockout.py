"""Failed logins throttled per user name at an address, and per address whatever the name.

django-axes locks a user name at the address it was tried from after
``AXES_FAILURE_LIMIT`` failures (default 5): a stranger elsewhere who knows a user's name locks
only their own address out, never the user at theirs. `AddressLimitHandler` adds a limit per
address, across every user name (``LOCKOUT_ADDRESS_FAILURES``, default 20), so that one client
cannot try names without end nor grow the audit trail without bound: attempts from a locked
address are refused without being checked, and without an entry in the trail (django-axes
counts them). The cost, documented in the README: colleagues behind one address (a ward's
NAT) share its limit.

Behind the documented HTTPS reverse proxy every request comes from the proxy's address, so
the client's address is read from the last entry of X-Forwarded-For, the one the proxy
itself appended (entries before it are the client's own claims); directly served, from the
connection.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: the proxy's last X-Forwarded-For entry behind it, else the peer."""
    if settings.SECURE_PROXY_SSL_HEADER is not None:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return str(request.META.get("REMOTE_ADDR", ""))


# django-axes ships no type hints: its handler is Any to the checker, and subclassing Any is misc.
class AddressLimitHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """django-axes' database handler, with a lock per address beside the lock per user name."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        locked = super().is_locked(request, credentials) or address_failures(request) >= int(
            settings.LOCKOUT_ADDRESS_FAILURES
        )
        if locked:
            # Read by the audit trail's failed-login receiver: refused unchecked, not recorded.
            # (an attribute of ours on the request, unknown to HttpRequest's stubs)
            request.login_refused_unchecked = True  # type: ignore[attr-defined]
        return locked


def address_failures(request: HttpRequest) -> int:
    """Failed logins from the request's address within the cool-off, whatever the user name."""
    attempts = AccessAttempt.objects.filter(
        # Set on the request by django-axes' middleware, untyped: HttpRequest's stubs lack it.
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)
