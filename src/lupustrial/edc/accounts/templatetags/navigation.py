"""The page header's links, rendered once per capabilities, language and URL prefix (issue 19).

Every page (`edc/base.html`) showed the same dozen links for a role, each a `{% url %}` and a
`{% translate %}` resolved again on every request: about a millisecond of the login page's
CPU. The links (`edc/_navigation.html`) depend on nothing else than:

- whether someone is signed in, and what their role may do (the menu hides what it cannot;
  the server still checks every request). The capabilities are the ones the context
  processor read from this request's profile, so a change of role shows on the next page;
- the language the page is rendered in (the links' words);
- the URL prefix the application is served under (`SCRIPT_NAME`: every href).

Kept per worker process, bounded (`LIMIT`; a handful of roles times two languages in
practice), written under a lock. `tests/edc/test_navigation_kept.py` removes each key part
and fails.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

Key = tuple[bool, frozenset[str], str | None, str]

NAVIGATIONS: dict[Key, SafeString] = {}
"""The header's links per (signed in, capabilities, language, URL prefix)."""
LIMIT = 64
_LOCK = threading.Lock()


def navigation_key(authenticated: bool, can: Mapping[str, bool]) -> Key:
    granted = frozenset(name for name, allowed in can.items() if allowed)
    return (authenticated, granted, get_language(), get_script_prefix())


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> SafeString:
    user: Any = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    can: Mapping[str, bool] = context.get("can") or {}
    key = navigation_key(authenticated, can)
    found = NAVIGATIONS.get(key)
    if found is None:
        found = mark_safe(
            render_to_string(
                "edc/_navigation.html", {"authenticated": authenticated, "can": dict(can)}
            )
        )
        with _LOCK:
            if len(NAVIGATIONS) >= LIMIT:
                NAVIGATIONS.clear()
            NAVIGATIONS[key] = found
    return found
