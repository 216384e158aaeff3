"""Template context: the signed-in user's profile and capabilities, for menus only.

Menus hide what a role cannot do; the server still checks every request. What a role may do
and its name are the same for every request (`roles.PERMISSIONS`, `Role`'s labels): they are
looked up per role, not rebuilt from the table on each page (issue 19); the role itself is
this request's profile's, so a change of role shows on the next page.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest

from lupustrial.edc.accounts.roles import PERMISSIONS, Can, Role


def _capabilities(granted: frozenset[Can]) -> Mapping[str, bool]:
    return MappingProxyType({c.value: c in granted for c in Can})


_NOTHING = _capabilities(frozenset())
_CAN = {role: _capabilities(granted) for role, granted in PERMISSIONS.items()}
"""Role -> {capability: whether it is granted}, read-only (shared by every request)."""
_ROLE_LABELS: dict[str, Any] = dict(Role.choices)
"""Role -> its name (translated when rendered), as `StaffProfile.get_role_display` gives it."""


def staff(request: HttpRequest) -> dict[str, Any]:
    profile = getattr(request.user, "staff", None) if request.user.is_authenticated else None
    if profile is None:
        return {"profile": None, "can": _NOTHING, "role_label": ""}
    return {
        "profile": profile,
        "can": _CAN.get(profile.role, _NOTHING),
        "role_label": _ROLE_LABELS.get(profile.role, profile.role),
    }
