"""The application's URLs plus one view that fails, to see a server error as a user sees it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lupustrial.edc.urls import handler500, urlpatterns

__all__ = ["handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault no one foresaw")


urlpatterns = [path("boom/", boom), *urlpatterns]
