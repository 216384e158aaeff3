"""The signed-in user's own password change, through the account services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lupustrial.edc.accounts import services


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "edc/password_change.html"

    def form_valid(self, form: Any) -> HttpResponse:
        services.change_own_password(self.request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, _("Your password was changed."))
        return redirect("home")
