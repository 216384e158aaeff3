"""The login page, and the signed-in user's own password change through the account services."""

from __future__ import annotations

import threading
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lupustrial.edc.accounts import services


class LoginView(auth_views.LoginView):
    """Django's login view; its empty form rendered once per language and kept (issue 19).

    Every `GET /login/` showed the same two fields, rendered through Django's form templates
    each time (a quarter of the page's CPU). The empty form's HTML depends on nothing but the
    form class and the language; a form with errors (or what was typed), which only a POST
    has, is rendered as usual.
    """

    template_name = "edc/login.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The empty form's kept HTML; the form object itself (a GET's is never bound) is
        built only if something asks for it (`context["form"]`), not on every page."""
        context = self.get_context_data(form=SimpleLazyObject(self.get_form))
        context["empty_form"] = _empty_form(self.get_form_class(), get_language())
        return self.render_to_response(context)


def _empty_form(form_class: type[Any], language: str) -> SafeString:
    key = (form_class, language)
    found = LOGIN_FORMS.get(key)
    if found is None:  # two threads may both render it: the same HTML, no harm
        found = form_class().as_p()
        with _LOGIN_FORMS_LOCK:
            LOGIN_FORMS[key] = found
    return found


LOGIN_FORMS: dict[tuple[type[Any], str], SafeString] = {}
"""The login form's empty HTML per form class and language (a few entries per process)."""
_LOGIN_FORMS_LOCK = threading.Lock()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "edc/password_change.html"

    def form_valid(self, form: Any) -> HttpResponse:
        services.change_own_password(self.request.user, form.cleaned_data["new_password1"])
        # PasswordChangeView lets only a signed-in user in: never the anonymous one here.
        update_session_auth_hash(self.request, cast(User, self.request.user))
        messages.success(self.request, _("Your password was changed."))
        return redirect("home")
