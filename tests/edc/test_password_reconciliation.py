"""A password changed behind the application shows in `audit verify` (rule 2).

The trail keeps a keyed fingerprint of the stored password (never the hash itself) wherever
the application sets one; `audit verify` compares it with the stored password. Django's own
`changepassword`, a shell's ``set_password`` and an SQL UPDATE write the hash past the
services: the account is named. A sign-in whose hasher upgrade rewrites the stored hash is
recorded as such and is not named.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher
from django.db import connection
from django.test import Client
from django.urls import reverse

from lupustrial.cli import main
from lupustrial.edc.accounts import services
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.demo import DEMO_PASSWORD
from lupustrial.edc.reconciliation import reconcile
from tests.edc.clients import login
from tests.edc.test_flows import _enrolled, _first_dose, _screened_and_consented

pytestmark = pytest.mark.usefixtures("demo")

NAMED = (
    "account investigator.password: the record holds 'a password not set through the "
    "application', the trail says 'the password the application last set'"
)


def _lines() -> list[str]:
    return [d.line() for d in reconcile()]


def _sign_in(username: str, password: str) -> bool:
    """The sign-in page, as a person uses it: True when it lets them in."""
    client = Client()
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def test_a_password_set_in_a_shell_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    """What `manage.py changepassword` does: set_password and save, no service, no entry."""
    user = _user("investigator")
    user.set_password("set-in-a-shell-2026")
    user.save()
    assert _lines() == [NAMED]
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if "investigator.password" in line] == [
        line for line in out.splitlines() if "account investigator" in line
    ]
    assert "account investigator.password" in out


def test_a_password_written_in_sql_is_named() -> None:
    stored = _user("coordinator").password  # another account's hash, copied across
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE auth_user SET password = %s WHERE username = 'investigator'", [stored]
        )
    assert _lines() == [NAMED]


def test_passwords_set_through_the_services_are_not_named() -> None:
    admin, user = _user("admin"), _user("investigator")
    services.set_password(admin, user, "Set-by-the-admin-2026", "forgot it")
    assert _lines() == []
    services.change_own_password(_user("investigator"), "Chosen-by-the-owner-2026")
    assert _lines() == []
    services.set_password(admin, _user("investigator"), None, "left the study")
    assert _lines() == []


def test_the_trail_never_holds_the_stored_hash() -> None:
    user = _user("investigator")
    services.change_own_password(user, "Chosen-by-the-owner-2026")
    stored = _user("investigator").password
    values = AuditEntry.objects.values_list("old_value", "new_value", "reason")
    assert not any(stored in text or stored.split("$")[-1] in text for v in values for text in v)


def test_a_hash_renewed_at_sign_in_is_recorded_and_not_named(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Django upgrade raises the hasher's iterations: the next sign-in rewrites the stored
    hash. The trail says the credential was renewed at sign-in; nothing is named."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    monkeypatch.setattr(PBKDF2PasswordHasher, "iterations", 2)  # the old installation's cost
    services.change_own_password(_user("investigator"), "Chosen-by-the-owner-2026")
    old = _user("investigator").password
    assert old.startswith("pbkdf2_sha256$2$")
    assert _lines() == []
    monkeypatch.setattr(PBKDF2PasswordHasher, "iterations", 3)  # the upgrade
    assert _sign_in("investigator", "Chosen-by-the-owner-2026")
    assert _user("investigator").password.startswith("pbkdf2_sha256$3$")
    assert _lines() == []
    entry = AuditEntry.objects.filter(field="investigator.password").latest("seq")
    assert entry.actor == "investigator"
    assert "renewed at sign-in" in entry.new_value


def test_a_hash_renewed_under_another_listed_hasher_is_not_named(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first listed hasher changed: a hash under a later one is rewritten at sign-in."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    monkeypatch.setattr(PBKDF2SHA1PasswordHasher, "iterations", 2)
    assert _user("coordinator").password.startswith("md5$")
    assert _sign_in("coordinator", DEMO_PASSWORD)
    assert _user("coordinator").password.startswith("pbkdf2_sha1$")
    assert _lines() == []


def test_an_inactive_account_renewed_at_a_refused_sign_in_is_not_named(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django checks the password before the status: an inactive account's hash is renewed
    even though the sign-in is refused."""
    services.change_account(_user("admin"), _user("osaka"), "left", active=False)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    monkeypatch.setattr(PBKDF2SHA1PasswordHasher, "iterations", 2)
    assert not _sign_in("osaka", DEMO_PASSWORD)
    assert _user("osaka").password.startswith("pbkdf2_sha1$")
    assert _lines() == []


def test_a_hash_renewed_at_signing_is_recorded_and_not_named(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The enrolment signature re-enters the password: Django renews an outdated hash there
    too, and it is recorded as at sign-in."""
    coordinator, investigator = login("coordinator"), login("investigator")
    subject = _screened_and_consented(coordinator)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    monkeypatch.setattr(PBKDF2SHA1PasswordHasher, "iterations", 2)
    response = investigator.post(
        reverse("enrol", args=[subject.pk]),
        {
            "first_infusion_date": _first_dose().isoformat(),
            "enrolment_date": _enrolled().isoformat(),
            "password": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _user("investigator").password.startswith("pbkdf2_sha1$")
    assert _lines() == []
    entry = AuditEntry.objects.filter(field="investigator.password").latest("seq")
    assert "renewed at sign-in" in entry.new_value
