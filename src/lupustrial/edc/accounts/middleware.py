"""Per signed-in user: their language, their sites' time zone, and a forced password change."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lupustrial.protocol.dates import site_zone


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        profile = getattr(request.user, "staff", None) if request.user.is_authenticated else None
        if profile is None:
            return self.get_response(request)
        request.LANGUAGE_CODE = profile.language
        # Overridden for this request only: a worker thread's next request (or a job run in the
        # same thread) must not inherit the previous user's language.
        with translation.override(profile.language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", profile.language)
        return response


class SiteTimeZoneMiddleware:
    """Date-times shown and read in the time zone of the user's sites; UTC when they differ.

    A page about one subject switches to that subject's site (`study.views._at_site`); the
    activation ends with the request, so no request inherits another's zone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        profile = getattr(request.user, "staff", None) if request.user.is_authenticated else None
        if profile is not None:
            zones = {site.time_zone for site in profile.site_list}
            if len(zones) == 1:
                timezone.activate(site_zone(zones.pop()))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class PasswordChangeRequiredMiddleware:
    """Whoever signs in with a password someone else set chooses their own before anything else.

    Pages send them to the password change page; the API answers 403 with the same message.
    """

    ALLOWED = ("password_change", "logout", "set_language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from lupustrial.edc.accounts.services import must_change_password

        if must_change_password(request.user) and not self._allowed(request.path_info):
            message = _("Your password was set by someone else: choose your own first.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": str(message)}, status=403)
            return redirect("password_change")
        return self.get_response(request)

    def _allowed(self, path: str) -> bool:
        allowed = {reverse(name) for name in self.ALLOWED}
        return path in allowed or path.startswith(settings.STATIC_URL or "/static/")
