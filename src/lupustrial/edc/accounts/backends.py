"""Password sign-in, with the signed-in user read together with their study profile.

Every signed-in request reads its user; reading the staff profile and the password
credential in the same query saves two queries per request (issue 19).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StudyBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        users = get_user_model()._default_manager.select_related("staff", "credential")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
