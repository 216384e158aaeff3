"""Response headers that keep patient data out of caches and scripts out of the pages.

- Content-Security-Policy: scripts, styles, fonts and fetches from this origin only, no inline
  script or style (the templates have none), images also as ``data:`` (Swagger UI's icons,
  the report's figures), no plug-ins, no framing, forms posted only here.
- Cache-Control: no-store on every page and API answer: each may hold patient data, and a
  shared browser or a proxy must not keep a copy (OWASP ASVS 4.0.3 V8.2.1, 2021).

Static files never reach this middleware: WhiteNoise, before it, answers them (cacheable).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
"""What Django's `add_never_cache_headers` writes into a response without Cache-Control."""


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        # Most answers carry neither header, or already Django's never-cache pair (a view
        # decorated `never_cache`): written directly, or left, instead of parsed and rebuilt
        # by `patch_cache_control` twice on every request (issue 19). Anything else is merged
        # by Django as before.
        if "Cache-Control" not in headers and "Expires" not in headers:
            headers["Expires"] = http_date(time.time())
            headers["Cache-Control"] = NEVER_CACHE
        elif headers.get("Cache-Control") != NEVER_CACHE or "Expires" not in headers:
            add_never_cache_headers(response)
        return response
