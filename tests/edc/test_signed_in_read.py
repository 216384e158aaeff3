"""The signed-in user, their staff profile, credential and sites read in one statement (issue 19).

Every signed-in request reads its session and its user. The user with profile and credential
(the ORM's `select_related`) and then the user's sites were two statements the ORM built
afresh on every request; `accounts.signed_in` reads them in one, built once. What it gives
must be what the ORM gives, field for field, and a change of role, sites, language, status or
password must show on the very next request (nothing is kept between requests).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupustrial.edc.accounts import services
from lupustrial.edc.accounts.backends import StudyBackend
from lupustrial.edc.accounts.models import Credential, StaffProfile
from lupustrial.edc.accounts.signed_in import read_user
from tests.edc.clients import login
from tests.edc.query_budgets import QUERY_BUDGETS

pytestmark = pytest.mark.usefixtures("people")

ALL_USERS = ("investigator", "coordinator", "osaka", "datamanager", "monitor", "statistician")


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _fields(instance: Any) -> dict[str, Any]:
    values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    return {**values, "_db": instance._state.db, "_adding": instance._state.adding}


def _by_the_orm(pk: int) -> Any:
    users = get_user_model()._default_manager.select_related("staff", "credential")
    return users.get(pk=pk)


@pytest.mark.parametrize("username", [*ALL_USERS, "admin"])
def test_the_one_read_gives_what_the_orm_gives(
    username: str, django_assert_num_queries: Any
) -> None:
    pk = _user(username).pk
    expected = _by_the_orm(pk)
    expected_sites = [_fields(site) for site in expected.staff.site_list]
    with django_assert_num_queries(1):
        user = read_user(pk)
        assert user is not None
        profile = user.staff
        sites = [_fields(site) for site in profile.site_list]
        assert profile.user is user
        assert user.credential.user is user
    assert type(user) is type(expected)
    assert _fields(user) == _fields(expected)
    assert _fields(profile) == _fields(expected.staff)
    assert _fields(user.credential) == _fields(expected.credential)
    assert sites == expected_sites
    assert [s["code"] for s in sites] == sorted(s["code"] for s in sites)


def test_a_user_without_profile_or_credential_has_neither(
    django_assert_num_queries: Any,
) -> None:
    plain = get_user_model().objects.create_user("plain", password="not a study account")
    with django_assert_num_queries(1):
        user = read_user(plain.pk)
        assert user is not None
        assert getattr(user, "staff", None) is None
        assert getattr(user, "credential", None) is None
    assert _fields(user) == _fields(_by_the_orm(plain.pk))


def test_an_unknown_or_malformed_user_id_reads_nobody() -> None:
    assert read_user(10**9) is None
    assert read_user("not a number") is None
    assert StudyBackend().get_user(10**9) is None


def test_a_deactivated_account_is_signed_out_on_its_next_request() -> None:
    client = login("coordinator")
    assert client.get(reverse("home")).status_code == 200
    services.change_account(_user("admin"), _user("coordinator"), "left", active=False)
    assert StudyBackend().get_user(_user("coordinator").pk) is None
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_change_of_role_sites_and_language_shows_on_the_next_request() -> None:
    client = login("coordinator")
    page = client.get(reverse("home"))
    assert page.context["profile"].role == "coordinator"
    assert [s.code for s in page.context["profile"].site_list] == ["TKY"]
    services.change_account(
        _user("admin"), _user("coordinator"), "moved", role="monitor", sites=["OSK", "TKY"]
    )
    StaffProfile.objects.filter(user__username="coordinator").update(language="ja")
    page = client.get(reverse("home"))
    assert page.context["profile"].role == "monitor"
    assert [s.code for s in page.context["profile"].site_list] == ["OSK", "TKY"]
    assert page["Content-Language"] == "ja"


def test_a_password_set_by_someone_else_is_asked_for_on_the_next_request() -> None:
    client = login("coordinator")
    assert client.get(reverse("home")).status_code == 200
    Credential.objects.filter(user__username="coordinator").update(must_change=True)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")


def _statements(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_a_signed_in_page_reads_its_session_then_its_user_and_no_more() -> None:
    """The login page does nothing of its own: what it reads is every signed-in request's floor."""
    client = login("coordinator")
    client.get(reverse("login"))
    statements = _statements(client, reverse("login"))
    assert len(statements) == QUERY_BUDGETS["login, signed in"] == 2, statements
    assert "django_session" in statements[0]
    assert "accounts_site" in statements[1]
