"""Every request gets an id; a server error is logged with it, and the user is shown it.

The id (12 hex digits) is in the ``X-Request-ID`` header of every answer and on the error
page, so that what a user reports can be found in the server's log. Django logs each 500 on
the ``django.request`` logger; `RequestIdFilter` adds the id to that record, and the settings
send it to the console (gunicorn's error log) whatever DEBUG is.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils import translation

REQUEST_ID_HEADER = "X-Request-ID"


def request_id(request: HttpRequest | None) -> str:
    return str(getattr(request, "request_id", "-")) if request is not None else "-"


class RequestIdMiddleware:
    """First in the chain: the id exists for everything after it, the error page included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # An attribute this middleware adds: HttpRequest, as the stubs type it, has none.
        request.request_id = secrets.token_hex(6)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]  # set above
        return response


class RequestIdFilter(logging.Filter):
    """Puts the request's id on a log record (``%(request_id)s``), "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id(getattr(record, "request", None))
        return True


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: what happened and the id to quote, rendered without the database.

    No context processors and no base template: the database or the session may be what
    failed.
    """
    context = {"request_id": request_id(request), "LANGUAGE_CODE": translation.get_language()}
    page = loader.get_template("500.html").render(context)
    return HttpResponseServerError(page)
