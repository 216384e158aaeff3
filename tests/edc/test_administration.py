"""The administrator manages users, roles and sites, and every such change is audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lupustrial.edc.accounts.models import StaffProfile
from lupustrial.edc.audit.models import AuditEntry
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")


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


def test_a_role_change_is_in_the_audit_trail_with_old_and_new_value() -> None:
    profile = StaffProfile.objects.get(user__username="monitor")
    profile.role = "data_manager"
    profile.save()
    entry = AuditEntry.objects.filter(action="role_change", field="monitor.role").last()
    assert entry is not None
    assert (entry.old_value, entry.new_value) == ('"monitor"', '"data_manager"')


def test_a_new_account_is_in_the_audit_trail() -> None:
    get_user_model().objects.create_user("newcomer", password="a-long-passphrase-1")
    assert AuditEntry.objects.filter(action="user", field="newcomer").exists()


def test_the_first_administrator_is_created_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lupustrial.cli import main

    monkeypatch.setattr("typer.prompt", lambda *args, **kwargs: "a-long-passphrase-1")
    with pytest.raises(SystemExit) as exit_:
        main(["web", "add-user", "chief", "--role", "administrator", "--full-name", "Ken Mori"])
    assert exit_.value.code == 0
    assert StaffProfile.objects.get(user__username="chief").role == "administrator"
    assert login("chief").get(reverse("study_admin:index")).status_code == 200


def test_an_unknown_role_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from lupustrial.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["web", "add-user", "someone", "--role", "boss"])
    assert exit_.value.code == 2
    assert "unknown role 'boss'" in capsys.readouterr().err
