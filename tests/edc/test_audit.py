"""The audit trail: every change with old value, new value and reason; tampering detected."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from lupustrial.cli import main
from lupustrial.edc.audit.models import AppendOnlyError, AuditEntry
from lupustrial.edc.audit.trail import verify_chain
from lupustrial.edc.study.models import FormData, Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _w12_vitals() -> FormData:
    subject = Subject.objects.get(screening_number="S-001")
    return FormData.objects.get(visit__subject=subject, visit__code="W12", crf="vitals")


def _post_vitals(client: Client, form: FormData, weight: str, reason: str) -> Any:
    return client.post(
        reverse("crf", args=[form.visit_id, "vitals"]),
        {
            "temperature.value": "36.6",
            "temperature.unit": "°C",
            "body_weight.value": weight,
            "body_weight.unit": "kg",
            "version": form.version,
            "reason": reason,
        },
    )


def test_a_change_to_saved_data_needs_a_reason() -> None:
    form = _w12_vitals()
    response = _post_vitals(login("coordinator"), form, "58", reason="")
    assert "A reason is required" in response.content.decode()
    form.refresh_from_db()
    assert form.data["body_weight"]["value"] == 60


def test_every_changed_field_is_recorded_with_old_new_and_reason() -> None:
    form = _w12_vitals()
    response = _post_vitals(login("coordinator"), form, "58", reason="scale recalibrated")
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="update", form="vitals").get()
    assert (entry.subject, entry.visit, entry.field) == ("TKY-001", "W12", "body_weight.value")
    assert (entry.old_value, entry.new_value) == ("60.0", "58.0")
    assert (entry.reason, entry.actor, entry.role) == (
        "scale recalibrated",
        "coordinator",
        "coordinator",
    )
    page = login("monitor").get(reverse("audit_trail", args=[form.visit.subject_id])).content
    assert "scale recalibrated" in page.decode()


def test_the_demo_trail_is_intact_and_the_command_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert verify_chain().intact
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    assert exit_.value.code == 0
    assert "audit trail intact" in capsys.readouterr().out


def test_the_application_refuses_to_change_or_delete_an_entry() -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.reason = "edited"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="edited")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def _behind_the_applications_back(sql: str, params: list[Any]) -> None:
    """Run SQL as another database client would; on PostgreSQL the trigger must be lifted."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_itself_refuses_update_and_delete() -> None:
    for sql in ("UPDATE audit_auditentry SET reason = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)


def test_an_altered_entry_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    first = AuditEntry.objects.filter(form="vitals").first()
    assert first is not None
    seq = first.seq
    _behind_the_applications_back(
        "UPDATE audit_auditentry SET new_value = %s WHERE seq = %s", ['"61"', seq]
    )
    report = verify_chain()
    assert [(b.seq, b.kind) for b in report.breaks] == [(seq, "altered")]
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    assert exit_.value.code == 1
    assert f"entry {seq}: altered" in capsys.readouterr().out


def test_a_removed_entry_is_reported() -> None:
    _behind_the_applications_back("DELETE FROM audit_auditentry WHERE seq = %s", [10])
    assert [(b.seq, b.kind) for b in verify_chain().breaks] == [(11, "removed")]


def test_a_removed_tail_is_reported() -> None:
    last = AuditEntry.objects.values_list("seq", flat=True).order_by("-seq")[0]
    _behind_the_applications_back("DELETE FROM audit_auditentry WHERE seq = %s", [last])
    assert [b.kind for b in verify_chain().breaks] == ["removed"]


def test_an_inserted_entry_is_reported() -> None:
    # Make room at 20 by moving later entries up, as a forger would, then insert a new 20.
    _behind_the_applications_back(
        "UPDATE audit_auditentry SET seq = seq + 1000000 WHERE seq >= %s", [20]
    )
    _behind_the_applications_back(
        "UPDATE audit_auditentry SET seq = seq - 1000000 + 1 WHERE seq >= %s", [1000000]
    )
    entry = AuditEntry.objects.get(seq=19)
    _behind_the_applications_back(
        "INSERT INTO audit_auditentry (seq, at, actor, role, action, subject, visit, form, field,"
        " old_value, new_value, reason, prev_hash, hash) VALUES (%s, %s, 'forger', '', 'update',"
        " '', '', '', '', '', '', '', %s, %s)",
        [20, entry.at, entry.hash, "f" * 64],
    )
    kinds = {b.kind for b in verify_chain().breaks}
    assert "altered" in kinds or "inserted" in kinds
    assert not verify_chain().intact


def test_logins_and_failed_logins_are_recorded_and_five_failures_lock_the_account() -> None:
    client = login("coordinator").__class__()
    for _ in range(5):
        client.post(reverse("login"), {"username": "monitor", "password": "wrong-password"})
    assert AuditEntry.objects.filter(action="login_failed", actor="monitor").count() == 5
    response = client.post(reverse("login"), {"username": "monitor", "password": "lupus-demo-2026"})
    assert "Account locked" in response.content.decode()
    fresh = login("coordinator").__class__()
    response = fresh.post(
        reverse("login"), {"username": "investigator", "password": "lupus-demo-2026"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="login", actor="investigator").exists()


def test_exports_of_the_trail_are_recorded() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    response = login("datamanager").get(
        reverse("audit_trail", args=[subject.pk]), {"format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert b"prev_hash" in response.content
    assert AuditEntry.objects.filter(action="export", actor="datamanager").exists()
