"""The administrator manages users, roles and sites; every change is accountable.

Issue 15, finding 1: each administrative change names the real actor and a reason; nobody
changes their own role; a password set by someone else is changed at the next sign-in.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lupustrial.edc.accounts import services
from lupustrial.edc.accounts.models import Site, StaffProfile
from lupustrial.edc.audit.keys import current_key
from lupustrial.edc.audit.models import AuditEntry
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _change_account(client: Client, username: str, /, **changes: Any) -> Any:
    """POST the admin's change form for a user, as the page would send it."""
    user = _user(username)
    profile = user.staff
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "reason": "",
        "staff-TOTAL_FORMS": "1",
        "staff-INITIAL_FORMS": "1",
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1",
        "staff-0-id": str(profile.pk),
        "staff-0-user": str(user.pk),
        "staff-0-role": profile.role,
        "staff-0-sites": [str(pk) for pk in profile.sites.values_list("pk", flat=True)],
        "staff-0-language": profile.language,
    }
    data.update(changes)
    return client.post(reverse("study_admin:auth_user_change", args=[user.pk]), data)


def test_only_the_administrator_opens_the_user_administration() -> None:
    assert login("admin").get(reverse("study_admin:index")).status_code == 200
    for role in ("investigator", "coordinator", "datamanager", "monitor", "statistician"):
        response = login(role).get(reverse("study_admin:index"))
        assert response.status_code == 302, role  # sent to the admin login, never in


def test_the_administrator_sees_no_clinical_data() -> None:
    page = login("admin").get(reverse("study_admin:index")).content.decode()
    assert "Users" in page
    assert "Subject" not in page
    assert login("admin").get(reverse("home")).status_code == 200
    assert login("admin").get("/api/subjects").status_code == 403


def test_a_role_change_names_the_administrator_and_the_reason() -> None:
    response = _change_account(
        login("admin"), "monitor", **{"staff-0-role": "data_manager", "reason": "new position"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert StaffProfile.objects.get(user__username="monitor").role == "data_manager"
    entry = AuditEntry.objects.filter(action="role_change", field="monitor.role").last()
    assert entry is not None
    assert (entry.actor, entry.role, entry.reason) == ("admin", "administrator", "new position")
    assert (entry.old_value, entry.new_value) == ('"monitor"', '"data_manager"')


def test_an_administrative_change_without_a_reason_is_refused() -> None:
    response = _change_account(login("admin"), "monitor", **{"staff-0-role": "data_manager"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert StaffProfile.objects.get(user__username="monitor").role == "monitor"
    with pytest.raises(services.AdministrationError, match="reason"):
        services.record_account_change(_user("admin"), _user("monitor"), None, " ")


def test_nobody_changes_their_own_role_or_sites() -> None:
    tky = Site.objects.get(code="TKY")
    for change in ({"staff-0-role": "investigator"}, {"staff-0-sites": [str(tky.pk)]}):
        response = _change_account(login("admin"), "admin", reason="self-service", **change)
        assert response.status_code == 200
        assert "Nobody changes their own role or sites" in response.content.decode()
    profile = StaffProfile.objects.get(user__username="admin")
    assert (profile.role, list(profile.sites.all())) == ("administrator", [])
    # The service is the wall behind the page: a change saved another way is refused there too.
    admin = _user("admin")
    before = services.account_state(admin.pk)
    profile.role = "investigator"
    profile.save()
    with pytest.raises(services.AdministrationError, match="own role"):
        services.record_account_change(admin, admin, before, "self-service")


def test_a_user_name_never_changes() -> None:
    """The trail names each person by their user name (who acted, whose account changed): a
    name changed or handed to someone else would attribute their entries to another person
    (21 CFR 11.100(a), 1997: an identification is never reassigned). Their name can change."""
    page = login("admin").get(reverse("study_admin:auth_user_change", args=[_user("monitor").pk]))
    assert 'name="username"' not in page.content.decode()  # shown, not editable
    response = _change_account(
        login("admin"), "monitor", username="monitor2", last_name="Kimura", reason="married"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_user_model().objects.filter(username="monitor2").exists() is False
    assert _user("monitor").last_name == "Kimura"
    entry = AuditEntry.objects.filter(field="monitor.name").last()
    assert entry is not None
    assert (entry.actor, entry.reason) == ("admin", "married")
    # The service is the wall behind the page: a rename saved another way is refused there.
    monitor = _user("monitor")
    before = services.account_state(monitor.pk)
    monitor.username = "monitor2"
    monitor.save()
    with pytest.raises(services.AdministrationError, match="user name"):
        services.record_account_change(_user("admin"), monitor, before, "typo")


def test_a_password_set_by_an_administrator_must_be_changed_at_the_next_sign_in() -> None:
    user = _user("coordinator")
    response = login("admin").post(
        reverse("study_admin:auth_user_password_change", args=[user.pk]),
        {
            "password1": "Temporary-pass-2026",
            "password2": "Temporary-pass-2026",
            "usable_password": "true",
            "set-password": "1",
            "reason": "forgotten password, identity checked by phone",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(field="coordinator.password").last()
    assert entry is not None
    assert (entry.actor, entry.reason) == ("admin", "forgotten password, identity checked by phone")
    assert "Temporary" not in entry.new_value

    client = Client()
    signed_in = client.post(
        reverse("login"), {"username": "coordinator", "password": "Temporary-pass-2026"}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    assert client.get("/api/subjects").status_code == 403
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Temporary-pass-2026",
            "new_password1": "My-own-choice-2026",
            "new_password2": "My-own-choice-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    owner = AuditEntry.objects.filter(field="coordinator.password").last()
    assert owner is not None
    assert owner.actor == "coordinator"


def test_the_password_form_asks_for_a_reason() -> None:
    user = _user("coordinator")
    url = reverse("study_admin:auth_user_password_change", args=[user.pk])
    assert "Reason for this change" in login("admin").get(url).content.decode()
    response = login("admin").post(
        url,
        {"password1": "Temporary-pass-2026", "password2": "Temporary-pass-2026",
         "usable_password": "true", "set-password": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert _user("coordinator").check_password("lupus-demo-2026")


def test_an_account_created_in_the_admin_must_change_its_password() -> None:
    response = login("admin").post(
        reverse("study_admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "Temporary-pass-2026",
            "password2": "Temporary-pass-2026",
            "reason": "new coordinator at TKY",
            "staff-TOTAL_FORMS": "1",
            "staff-INITIAL_FORMS": "0",
            "staff-MIN_NUM_FORMS": "0",
            "staff-MAX_NUM_FORMS": "1",
            "staff-0-role": "coordinator",
            "staff-0-sites": [str(Site.objects.get(code="TKY").pk)],
            "staff-0-language": "ja",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entries = AuditEntry.objects.filter(field__startswith="newcomer.")
    assert {e.actor for e in entries} == {"admin"}
    assert {e.field for e in entries} >= {"newcomer.role", "newcomer.sites", "newcomer.password"}
    assert services.must_change_password(_user("newcomer"))


def test_a_new_site_names_its_creator_and_reason() -> None:
    response = login("admin").post(
        reverse("study_admin:accounts_site_add"),
        {"code": "NGY", "name": "Nagoya", "time_zone": "Asia/Tokyo", "reason": "third site opened"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(form="site", new_value='"NGY"').get()
    assert (entry.actor, entry.reason) == ("admin", "third site opened")


def test_the_first_administrator_is_created_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lupustrial.cli import main

    monkeypatch.setattr("typer.prompt", lambda *args, **kwargs: "a-long-passphrase-1")
    monkeypatch.setattr("getpass.getuser", lambda: "operator")
    with pytest.raises(SystemExit) as exit_:
        main(
            ["web", "add-user", "chief", "--role", "administrator", "--full-name", "Ken Mori",
             "--reason", "first administrator", "--own-password"]
        )  # fmt: skip
    assert exit_.value.code == 0
    assert StaffProfile.objects.get(user__username="chief").role == "administrator"
    assert login("chief").get(reverse("study_admin:index")).status_code == 200
    entry = AuditEntry.objects.filter(field="chief.role").last()
    assert entry is not None
    assert (entry.actor, entry.reason) == ("console:operator", "first administrator")


def test_a_user_created_from_the_command_line_changes_the_password_at_first_sign_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lupustrial.cli import main

    monkeypatch.setattr("typer.prompt", lambda *args, **kwargs: "a-long-passphrase-1")
    with pytest.raises(SystemExit) as exit_:
        main(["web", "add-user", "nurse", "--role", "coordinator", "--site", "TKY",
              "--reason", "new coordinator"])  # fmt: skip
    assert exit_.value.code == 0
    assert services.must_change_password(_user("nurse"))


def test_an_unknown_role_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from lupustrial.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["web", "add-user", "someone", "--role", "boss", "--reason", "x"])
    assert exit_.value.code == 2
    assert "unknown role 'boss'" in capsys.readouterr().err


def test_an_imported_account_stays_inactive_whatever_the_file_says() -> None:
    """Inside an import the account's status entries are the original system's (recorded as
    the file gives them) while the account stays inactive and without a password; the
    import's end records it as it is here (`lupustrial import odm`, issue 20)."""
    from lupustrial.edc.audit import imports

    with pytest.raises(RuntimeError):  # only an import makes such accounts
        services.create_inactive_account("loader", "ann", "investigator", ["TKY"], "why")
    with imports.importing("odm-test", "console:test"):
        ann = services.create_inactive_account(
            "loader", "ann", "investigator", ["TKY"], "joined", full_name="Ann Abe", active=True
        )
        services.replay_password_entry("loader", ann, "set", "")
        services.change_account(_user("admin"), ann, "moved", role="monitor", sites=[])
        services.change_account(_user("admin"), ann, "left", active=False)
        services.change_account(_user("admin"), ann, "back", active=True)
        ann.refresh_from_db()
        assert (ann.is_active, ann.has_usable_password()) == (False, False)
        assert services.account_state(ann.pk) == services.AccountState(
            True, "monitor", (), "Ann Abe"
        )
        services.close_imported_account("console:test", ann, "import done")
        assert services.account_state(ann.pk) == services.AccountState(
            False, "monitor", (), "Ann Abe"
        )
    # Closing the account fingerprints its stored (unusable) password here, keyed.
    *trail, closed = list(AuditEntry.objects.filter(field__startswith="ann.").order_by("seq"))
    assert (closed.actor, closed.field) == ("console:test", "ann.credential")
    assert closed.new_value.startswith('"' + current_key().key_id + ":")
    assert [(e.actor, e.field, e.new_value) for e in trail] == [
        ("loader", "ann.active", "true"),
        ("loader", "ann.email", '""'),
        ("loader", "ann.name", '"Ann Abe"'),
        ("loader", "ann.role", '"investigator"'),
        ("loader", "ann.sites", '["TKY"]'),
        ("loader", "ann.password", '"set"'),
        ("admin", "ann.role", '"monitor"'),
        ("admin", "ann.sites", "[]"),
        ("admin", "ann.active", "false"),
        ("admin", "ann.active", "true"),
        ("console:test", "ann.active", "false"),
        ("console:test", "ann.password", '"password sign-in disabled"'),
    ]
    assert {e.role for e in trail if e.actor == "admin"} == {"administrator"}


def test_an_account_change_outside_an_import_is_checked_and_applied() -> None:
    user = _user("coordinator")
    with pytest.raises(services.AdministrationError, match="Only an administrator"):
        services.change_account(_user("monitor"), user, "why", active=False)
    with pytest.raises(services.AdministrationError, match="own role"):
        services.change_account(_user("admin"), _user("admin"), "why", role="monitor")
    services.change_account(_user("admin"), user, "left the study", active=False)
    assert not _user("coordinator").is_active
    with pytest.raises(RuntimeError):
        services.replay_password_entry(_user("admin"), user, "set", "why")


def test_a_site_change_is_applied_and_recorded_at_one_moment() -> None:
    tky = Site.objects.get(code="TKY")
    with pytest.raises(services.AdministrationError, match="not a known time zone"):
        services.change_site(_user("admin"), tky, "why", time_zone="Mars/Olympus")
    services.change_site(_user("admin"), tky, "moved", name="Tokyo East", time_zone="Asia/Seoul")
    tky.refresh_from_db()
    assert (tky.name, tky.time_zone) == ("Tokyo East", "Asia/Seoul")
    entries = AuditEntry.objects.filter(form="site", field__startswith=f"{tky.pk}.", reason="moved")
    assert {e.field.partition(".")[2] for e in entries} == {"name", "time_zone"}
    assert len({e.at for e in entries}) == 1


def test_an_address_changed_in_the_admin_names_the_administrator_and_the_reason() -> None:
    """Safety e-mails go to the address on the account (`safety.notifications`): changed in
    the admin, it is in the trail with who changed it and why, like every other field."""
    response = _change_account(
        login("admin"), "investigator", email="sato@hospital.example", reason="new address"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(field="investigator.email").last()
    assert entry is not None
    assert (entry.actor, entry.reason, entry.new_value) == (
        "admin",
        "new address",
        '"sato@hospital.example"',
    )
    assert entry.old_value == '"investigator@example.org"'


def test_accounts_and_sites_are_never_deleted_in_the_admin() -> None:
    """The trail names accounts and sites: the admin offers no delete, by page or by action."""
    admin_client = login("admin")
    monitor, site = _user("monitor"), Site.objects.get(code="TKY")
    for url in (
        reverse("study_admin:auth_user_delete", args=[monitor.pk]),
        reverse("study_admin:accounts_site_delete", args=[site.pk]),
    ):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403, url
    for url, pk in (
        (reverse("study_admin:auth_user_changelist"), monitor.pk),
        (reverse("study_admin:accounts_site_changelist"), site.pk),
    ):
        admin_client.post(
            url, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
        )
    assert get_user_model().objects.filter(pk=monitor.pk).exists()
    assert Site.objects.filter(pk=site.pk).exists()
