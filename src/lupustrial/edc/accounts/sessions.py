"""The idle timeout without a session write on every request (issue 19).

Django's ``SESSION_SAVE_EVERY_REQUEST`` rewrites the session row on each request so that its
expiry counts idle time. Here a signed-in session is rewritten (its expiry pushed to now plus
``SESSION_COOKIE_AGE``) only when it was last written ``SESSION_REFRESH_SECONDS`` ago or more:
a session then ends between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and
``SESSION_COOKIE_AGE`` after the last request, the idle timeout to within a minute.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESHED = "_lupustrial_refreshed"
"""Session key: when (POSIX seconds) the session's expiry was last pushed forward."""


class SessionRefreshMiddleware:
    """Placed after Django's SessionMiddleware, so the session it marks is saved on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        # Only an existing session with data: an anonymous visitor gets no session row.
        if session.session_key is not None and session.keys():
            now = int(timezone.now().timestamp())
            if now - int(session.get(REFRESHED, 0)) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED] = now
        return response
