"""Template context: the signed-in user's profile and capabilities, for menus only.

Menus hide what a role cannot do; the server still checks every request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from lupustrial.edc.accounts.roles import PERMISSIONS, Can


def staff(request: HttpRequest) -> dict[str, Any]:
    profile = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    granted = PERMISSIONS.get(profile.role, frozenset()) if profile else frozenset()
    return {"profile": profile, "can": {c.value: c in granted for c in Can}}
