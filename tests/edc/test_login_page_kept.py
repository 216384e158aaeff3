"""The login page's empty form is rendered once per language and kept (issue 19): every
`GET /login/` showed the same two fields, rendered through Django's form templates each time.
The kept form must be the one a fresh rendering gives, in the reader's language, and a form
with errors is never the kept one."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.test import Client
from django.utils import translation

from lupustrial.edc.accounts import views

pytestmark = pytest.mark.usefixtures("people")


def _form(page: Any) -> str:
    html: str = page.content.decode()
    start = html.index('<form method="post" class="narrow">')
    return html[start : html.index("</form>", start)]


def _fresh(language: str) -> str:
    with translation.override(language):
        return str(AuthenticationForm().as_p())


@pytest.mark.parametrize("first", ["en", "ja"])
def test_the_kept_form_is_the_fresh_one_in_each_language(first: str) -> None:
    views.LOGIN_FORMS.clear()
    client = Client()
    for language in (first, "ja" if first == "en" else "en"):
        for _ in range(2):  # rendered, then kept
            form = _form(client.get("/login/", HTTP_ACCEPT_LANGUAGE=language))
            assert _fresh(language) in form
    assert len(views.LOGIN_FORMS) == 2
    assert _fresh("en") != _fresh("ja")  # the labels differ, so the language is shown


def test_a_refused_login_shows_its_error_and_what_was_typed() -> None:
    client = Client()
    client.get("/login/")
    page = client.post("/login/", {"username": "coordinator", "password": "wrong password"})
    assert page.status_code == 200
    form = _form(page)
    assert 'value="coordinator"' in form
    assert "errorlist" in form


def test_an_empty_login_page_builds_no_form(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its HTML is the kept one: the form object is built only if something asks for it."""
    built: list[bool] = []
    original = AuthenticationForm.__init__

    def counted(self: AuthenticationForm, *args: Any, **kwargs: Any) -> None:
        built.append(True)
        original(self, *args, **kwargs)

    client = Client()
    client.get("/login/")  # the kept HTML rendered once
    fresh = _fresh("en")
    monkeypatch.setattr(AuthenticationForm, "__init__", counted)
    page = client.get("/login/")
    assert page.status_code == 200
    assert built == []
    assert fresh in _form(page)
    assert not page.context["form"].is_bound  # built when asked for, unbound
    assert built == [True]
