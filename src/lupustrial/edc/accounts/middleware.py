"""Each signed-in user's own language, whatever the browser asks for, and their sites' time zone."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from lupustrial.protocol.dates import site_zone


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        profile = getattr(request.user, "staff", None) if request.user.is_authenticated else None
        if profile is not None:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = profile.language  # type: ignore[attr-defined]
        response = self.get_response(request)
        if profile is not None:
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
            zones = set(profile.visible_sites().values_list("time_zone", flat=True))
            if len(zones) == 1:
                timezone.activate(site_zone(zones.pop()))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
