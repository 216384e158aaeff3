"""The header's links are rendered once per key and kept (`accounts.templatetags.navigation`).

Every page showed the same dozen links for a role, resolved again on each request (issue
19). The kept links must be what a fresh rendering gives, and each part of the key must
show: what the signed-in user may do (a change of role on the next page), whether anyone is
signed in, the language and the URL prefix.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_script_prefix
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.accounts import services
from lupustrial.edc.accounts.models import StaffProfile
from lupustrial.edc.accounts.roles import PERMISSIONS, Can
from lupustrial.edc.accounts.templatetags import navigation
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")

ROLES = ("investigator", "coordinator", "datamanager", "monitor", "statistician", "admin")


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    navigation.NAVIGATIONS.clear()


def _header(page: Any) -> str:
    html: str = page.content.decode()
    return html[html.index('<header class="bar">') : html.index("</header>")]


def _links(page: Any) -> str:
    """The kept part: from the brand to the end of the menu."""
    header = _header(page)
    return header[header.index('<a class="brand"') : header.index('<div class="who">')]


def _page(client: Client, url: str = "/login/", **extra: Any) -> str:
    """The whole page, its CSRF tokens (new on every request) masked."""
    html = client.get(url, **extra).content.decode()
    html = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1-", html)
    return re.sub(r'("X-CSRFToken": ")[^"]+', r"\1-", html)


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_role_gets_the_page_a_fresh_rendering_gives(language: str) -> None:
    StaffProfile.objects.update(language=language)
    for role in ROLES:
        client = login(role)
        for url in ("/login/", reverse("password_change")):
            navigation.NAVIGATIONS.clear()
            fresh = _page(client, url)
            assert _page(client, url) == fresh  # kept
            assert _page(Client(), "/login/") == _page(Client(), "/login/")
    assert len(navigation.NAVIGATIONS) == 2  # the last role's, and nobody signed in


def test_what_the_role_may_do_is_in_the_key() -> None:
    coordinator = _links(login("coordinator").get("/login/"))
    assert reverse("register") in coordinator
    assert reverse("audit_export") not in coordinator
    datamanager = _links(login("datamanager").get("/login/"))
    assert reverse("register") not in datamanager
    assert reverse("audit_export") in datamanager


def test_a_change_of_role_shows_in_the_links_of_the_next_page() -> None:
    client = login("coordinator")
    assert reverse("register") in _links(client.get("/login/"))
    services.change_account(_user("admin"), _user("coordinator"), "moved", role="monitor")
    links = _links(client.get("/login/"))
    assert reverse("register") not in links
    assert reverse("monitoring") in links


def test_whether_anyone_is_signed_in_is_in_the_key() -> None:
    """Nobody signed in and a signed-in account without a study profile may do the same
    (nothing); only the second sees the menu."""
    anonymous = _header(Client().get("/login/"))
    assert "<nav>" not in anonymous
    plain = get_user_model().objects.create_user("plain", password="no study profile")
    client = Client()
    client.force_login(plain)
    assert "<nav>" in _links(client.get("/login/"))
    assert "<nav>" not in _header(Client().get("/login/"))


def test_the_language_is_in_the_key() -> None:
    english = _links(login("coordinator").get("/login/"))
    StaffProfile.objects.filter(user__username="coordinator").update(language="ja")
    japanese = _links(login("coordinator").get("/login/"))
    assert ">Subjects<" in english
    assert ">Subjects<" not in japanese
    assert japanese.count("<a href=") == english.count("<a href=")


def test_the_url_prefix_is_in_the_key() -> None:
    client = login("coordinator")
    assert 'href="/subjects/new/"' in _links(client.get("/login/"))
    with override_script_prefix("/edc/"):
        links = _links(client.get("/login/"))
    assert 'href="/edc/subjects/new/"' in links
    assert 'href="/subjects/new/"' not in links
    assert 'href="/subjects/new/"' in _links(client.get("/login/"))


def test_the_kept_links_are_bounded() -> None:
    for number in range(navigation.LIMIT + 5):
        with override_script_prefix(f"/prefix-{number}/"):
            login("coordinator").get("/login/")
    assert 0 < len(navigation.NAVIGATIONS) <= navigation.LIMIT


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_role_name_and_capabilities_are_this_requests_profiles(language: str) -> None:
    """Looked up per role (`accounts.context`), as `get_role_display` and the permission
    table give them, in the reader's language."""
    StaffProfile.objects.update(language=language)
    for role in ROLES:
        page = login(role).get("/login/")
        profile = page.context["profile"]
        granted = PERMISSIONS[profile.role]
        assert dict(page.context["can"]) == {c.value: c in granted for c in Can}
        with translation.override(language):
            assert str(page.context["role_label"]) == profile.get_role_display()
        with translation.override(language):
            assert f" · {profile.get_role_display()}\n" in page.content.decode()
    anonymous = Client().get("/login/").context
    assert anonymous["profile"] is None
    assert not any(anonymous["can"].values())
