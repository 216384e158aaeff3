"""Issue 14, finding 2: clinical data changed in the database behind the application show.

`audit verify` replays the trail and compares it with the record; each change below is made
with SQL, as a database client would, and must be reported by subject, form and field.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from lupustrial.cli import main
from lupustrial.edc.accounts import services
from lupustrial.edc.accounts.models import StaffProfile
from lupustrial.edc.audit.verification import verify
from lupustrial.edc.reconciliation import reconcile
from lupustrial.edc.study.models import Consent, FormData, Signature, Subject

pytestmark = pytest.mark.usefixtures("demo")


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _lines() -> list[str]:
    return [d.line() for d in reconcile()]


def test_the_demo_record_matches_its_trail() -> None:
    assert reconcile() == []
    assert verify().intact


def test_a_form_value_changed_in_the_database_is_reported_by_subject_form_and_field() -> None:
    form = FormData.objects.get(
        visit__subject__subject_id="TKY-001", visit__code="W12", crf="vitals"
    )
    data = {**form.data, "body_weight": {**form.data["body_weight"], "value": 52.0}}
    _sql("UPDATE study_formdata SET data = %s WHERE id = %s", [json.dumps(data), form.pk])
    assert _lines() == [
        "TKY-001 W12 vitals body_weight.value: the record holds 52.0, the trail says 60.0",
        # and the form no longer is its stored version (`versions.py`)
        "TKY-001 W12 vitals stored version body_weight.value: the record holds 52.0, the trail "
        "says 60.0",
    ]
    report = verify()
    assert not report.intact
    assert any("W12 vitals body_weight.value" in line for line in report.lines())


def test_an_unvoided_signature_is_reported_and_its_digest_rechecked() -> None:
    subject = Subject.objects.get(subject_id="TKY-001")
    signature = Signature.objects.get(subject=subject)
    # The data change, the signature is voided, then someone "restores" it in the database.
    assert subject.screening is not None
    screening = {**subject.screening, "weight_kg": 59}
    _sql(
        "UPDATE study_subject SET screening = %s WHERE id = %s", [json.dumps(screening), subject.pk]
    )
    _sql("UPDATE study_signature SET voided_at = NULL WHERE id = %s", [signature.pk])
    lines = _lines()
    assert any("TKY-001 screening weight_kg" in line for line in lines)
    assert any("does not cover the data as they are now" in line for line in lines)


def test_a_voided_signature_made_active_again_is_reported() -> None:
    subject = Subject.objects.get(subject_id="TKY-001")
    signature = Signature.objects.get(subject=subject)
    _sql(
        "INSERT INTO study_signature (subject_id, signer_id, signer_name, meaning, signed_at,"
        " signed_digest, voided_at, void_reason) VALUES (%s, %s, %s, %s, %s, %s, NULL, '')",
        [subject.pk, signature.signer_id, "x", signature.meaning, signature.signed_at,
         signature.signed_digest],
    )  # fmt: skip
    assert "TKY-001 enrolment active signatures: the record holds 2, the trail says 1" in _lines()


def test_a_back_dated_consent_is_reported() -> None:
    consent = Consent.objects.get(subject__subject_id="OSK-001")
    earlier = consent.obtained_at.replace(year=consent.obtained_at.year - 1)
    _sql("UPDATE study_consent SET obtained_at = %s WHERE id = %s", [earlier, consent.pk])
    lines = _lines()
    assert lines[0].startswith("OSK-001 consent: the record holds")
    # The enrolment signature covers the consent: its digest no longer holds either.
    assert lines[1].startswith("OSK-001 enrolment signature of")
    assert len(lines) == 2


def test_a_lock_lifted_in_the_database_is_reported() -> None:
    form = FormData.objects.filter(visit__subject__subject_id="TKY-001").first()
    assert form is not None
    _sql("UPDATE study_formdata SET locked = %s WHERE id = %s", [True, form.pk])
    assert _lines() == [
        f"TKY-001 {form.visit.code} {form.crf} locked: the record holds True, the trail says False"
    ]


def test_a_role_changed_in_the_database_is_reported() -> None:
    _sql(
        "UPDATE accounts_staffprofile SET role = 'investigator' WHERE user_id ="
        " (SELECT id FROM auth_user WHERE username = 'admin')",
        [],
    )
    assert _lines() == [
        "account admin.role: the record holds 'investigator', the trail says 'administrator'"
    ]


def test_a_user_name_changed_in_the_database_is_reported() -> None:
    """The trail names people by user name; one renamed behind the application is named, old
    and new (the application never renames: `accounts.services.check_account_change`)."""
    _sql("UPDATE auth_user SET username = 'monitor2' WHERE username = 'monitor'", [])
    assert _lines() == [
        "account monitor2.username: the record holds 'monitor2', the trail says None",
        "account monitor.username: the record holds None, the trail says 'monitor'",
    ]


def test_a_user_inserted_in_the_database_without_a_role_is_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An account made behind the application (SQL, a shell, Django's own commands) may sign
    in whether or not it has a staff profile: `audit verify` names it, profile or none."""
    _sql(
        "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, email,"
        " is_staff, is_active, date_joined) VALUES ('ghost', '', %s, '', '', '', %s, %s, %s)",
        [True, True, True, "2026-01-01 00:00:00"],
    )
    get_user_model().objects.create_user("shade", password="made-in-a-shell-2026")
    assert _lines() == [
        "account ghost.username: the record holds 'ghost', the trail says None",
        "account shade.username: the record holds 'shade', the trail says None",
    ]
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "account ghost.username" in out
    assert "account shade.username" in out


def test_a_role_removed_in_the_database_is_reported() -> None:
    """The profile deleted: the user stays, with no role and no sites, which the trail never
    recorded."""
    _sql(
        "DELETE FROM accounts_staffprofile_sites WHERE staffprofile_id IN (SELECT id FROM"
        " accounts_staffprofile WHERE user_id = (SELECT id FROM auth_user WHERE username ="
        " 'monitor'))",
        [],
    )
    _sql(
        "DELETE FROM accounts_staffprofile WHERE user_id ="
        " (SELECT id FROM auth_user WHERE username = 'monitor')",
        [],
    )
    assert _lines() == [
        "account monitor.role: the record holds '', the trail says 'monitor'",
        "account monitor.sites: the record holds [], the trail says ['OSK', 'TKY']",
    ]


def test_an_account_without_a_role_is_compared_like_any_other() -> None:
    """An account the application made without a role (the admin's add page, no profile):
    reactivated or deactivated behind the application, it is reported as any account."""
    user = services.create_account("operator", "nobody", "Temporary-pass-2026", "monitor", [], "x")
    StaffProfile.objects.filter(user=user).delete()
    services.record_account_change(
        "operator", user, services.AccountState(True, "monitor", (), "", "nobody"), "role removed"
    )
    assert _lines() == []
    _sql("UPDATE auth_user SET is_active = %s WHERE username = 'nobody'", [False])
    assert _lines() == ["account nobody.active: the record holds False, the trail says True"]


def test_an_address_changed_in_the_database_is_reported() -> None:
    """Safety e-mails go to the account's address: one redirected in SQL shows."""
    _sql("UPDATE auth_user SET email = 'elsewhere@example.net' WHERE username = 'investigator'", [])
    assert _lines() == [
        "account investigator.email: the record holds 'elsewhere@example.net', "
        "the trail says 'investigator@example.org'"
    ]


def test_an_account_made_by_djangos_createsuperuser_is_named() -> None:
    """Django's own commands run at the host write the database directly, not through the
    services: the account they make has no entry, and `audit verify` names it."""
    call_command("createsuperuser", username="root", email="", interactive=False, verbosity=0)
    assert _lines() == ["account root.username: the record holds 'root', the trail says None"]
