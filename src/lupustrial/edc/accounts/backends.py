"""Password sign-in, with the signed-in user read together with their study profile.

Every signed-in request reads its user; the staff profile, the password credential and the
user's sites are read in the same statement (`accounts.signed_in`, issue 19). The password is
checked through `accounts.services.check_password`, so that a stored hash Django rewrites at
sign-in (a hasher upgrade) is recorded with its fingerprint, not reported by `audit verify`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from lupustrial.edc.accounts.services import check_password
from lupustrial.edc.accounts.signed_in import read_user


class StudyBackend(ModelBackend):
    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """`ModelBackend.authenticate`, the password checked by the services. Django checks
        it before the account's status, so an inactive account's hash is renewed too."""
        users = get_user_model()
        if username is None:
            username = kwargs.get(users.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = users._default_manager.get_by_natural_key(username)
        except users.DoesNotExist:
            users().set_password(password)  # the hasher's time either way (Django #20760)
            return None
        if check_password(user, password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> Any:
        user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
