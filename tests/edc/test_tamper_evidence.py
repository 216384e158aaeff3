"""Issue 14, finding 1: whoever writes to the database cannot rewrite the trail unseen.

The attacker holds database credentials but neither the audit key nor the checkpoint file
(they live on the application host). Each way of tampering has its own test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from lupustrial.cli import main
from lupustrial.edc.audit import keys
from lupustrial.edc.audit.checkpoints import checkpoint_file, latest_checkpoint, read_checkpoints
from lupustrial.edc.audit.models import AuditEntry, AuditHead
from lupustrial.edc.audit.trail import _HASHED_FIELDS, entry_digest
from lupustrial.edc.audit.verification import verify
from lupustrial.edc.jobs.services import run_due

pytestmark = pytest.mark.usefixtures("demo")


def _sql(sql: str, params: list[Any] | None = None) -> None:
    """SQL as another database client runs it; on PostgreSQL the owner lifts the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def _set_head(seq: int, head_hash: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_audithead DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_audithead SET seq = %s, hash = %s", [seq, head_hash])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_audithead ENABLE TRIGGER USER")


def _rows(from_seq: int = 0) -> list[dict[str, Any]]:
    fields = (*_HASHED_FIELDS, "subject_ref", "key_id", "hash")
    return list(AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq").values(*fields))


def _verify_cli(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    return int(exit_.value.code or 0), capsys.readouterr().out


def test_an_intact_trail_verifies_and_is_checkpointed(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify_cli(capsys)
    assert code == 0
    assert "audit trail intact" in out
    head = AuditEntry.objects.order_by("-seq").first()
    assert head is not None
    checkpoint = latest_checkpoint()
    assert checkpoint is not None
    assert (checkpoint.seq, checkpoint.hash) == (head.seq, head.hash)
    assert all(e.key_id for e in AuditEntry.objects.all())


def test_a_truncated_trail_with_its_head_reset_is_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert verify().intact
    _sql("DELETE FROM audit_auditentry")  # what TRUNCATE does, on every database
    _set_head(0, "0" * 64)
    code, out = _verify_cli(capsys)
    assert code == 1
    assert "audit trail BROKEN" in out
    assert "the trail ends at entry 0" in out


def test_entries_removed_at_the_end_with_the_head_moved_back_are_reported() -> None:
    assert verify().intact
    last = AuditEntry.objects.order_by("-seq")[2]
    _sql("DELETE FROM audit_auditentry WHERE seq > %s", [last.seq])
    _set_head(last.seq, last.hash)
    report = verify(reconcile=False)  # the chain and the checkpoints alone
    assert [b.kind for b in report.breaks] == ["checkpoint"]
    assert f"the trail ends at entry {last.seq}" in report.breaks[0].detail


@pytest.mark.parametrize("keep_key_id", [True, False])
def test_a_rewritten_entry_with_recomputed_hashes_is_reported(keep_key_id: bool) -> None:
    target = AuditEntry.objects.filter(form="vitals").first()
    assert target is not None
    rows = _rows(target.seq)
    previous: str = rows[0]["prev_hash"]
    for row in rows:
        if row["seq"] == target.seq:
            row["actor"] = "investigator"  # blame someone else
        row["prev_hash"] = previous
        row["key_id"] = row["key_id"] if keep_key_id else ""
        row["hash"] = entry_digest(row)  # the forger has no key: plain SHA-256
        previous = row["hash"]
        _sql(
            "UPDATE audit_auditentry SET actor = %s, prev_hash = %s, key_id = %s, hash = %s"
            " WHERE seq = %s",
            [row["actor"], row["prev_hash"], row["key_id"], row["hash"], row["seq"]],
        )
    _set_head(rows[-1]["seq"], previous)
    report = verify()
    assert not report.intact
    assert report.breaks[0].seq == target.seq
    assert report.breaks[0].kind == "altered"


def test_a_forged_inserted_signature_is_reported() -> None:
    head = AuditEntry.objects.order_by("-seq").first()
    assert head is not None
    forged = {
        "seq": head.seq + 1, "at": head.at, "actor": "investigator", "role": "investigator",
        "action": "sign", "subject": "TKY-001", "visit": "", "form": "enrolment", "field": "",
        "old_value": "", "new_value": '"I confirm"', "reason": "", "prev_hash": head.hash,
        "subject_ref": head.subject_ref, "key_id": head.key_id,
    }  # fmt: skip
    forged["hash"] = entry_digest(forged)
    columns = ", ".join(forged)
    _sql(
        f"INSERT INTO audit_auditentry ({columns}) VALUES ({', '.join(['%s'] * len(forged))})",
        list(forged.values()),
    )
    _set_head(head.seq + 1, str(forged["hash"]))
    report = verify()
    assert [(b.seq, b.kind) for b in report.breaks] == [(head.seq + 1, "altered")]


def test_a_database_restored_older_than_the_last_checkpoint_is_reported() -> None:
    older = _rows()  # the "backup"
    head = AuditHead.objects.get()
    older_head = (head.seq, head.hash)
    from lupustrial.edc.study import services
    from lupustrial.edc.study.models import Subject

    subject = Subject.objects.get(subject_id="TKY-001")
    services.record_export(subject.signatures.all()[0].signer, "audit_trail", subject)
    assert verify().intact  # checkpointed after the export
    _sql("DELETE FROM audit_auditentry WHERE seq > %s", [older[-1]["seq"]])
    _set_head(*older_head)
    report = verify()
    assert not report.intact
    assert "restored from an older state" in report.breaks[0].detail


def test_a_rewritten_checkpoint_line_is_reported(data_dir_file: Path) -> None:
    assert verify().intact
    lines = data_dir_file.read_text().splitlines()
    line = json.loads(lines[-1])
    line["seq"] -= 5
    data_dir_file.write_text("\n".join([*lines[:-1], json.dumps(line)]) + "\n")
    _, problems = read_checkpoints()
    assert problems == [f"checkpoint line {len(lines)} does not carry a valid seal"]
    assert not verify().intact


@pytest.fixture
def data_dir_file() -> Path:
    return checkpoint_file()


def test_jobs_run_checkpoints_once_and_is_audited(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["jobs", "run"])
    assert exit_.value.code in (0, None)
    assert "audit-checkpoint: written at entry" in capsys.readouterr().out
    job = AuditEntry.objects.filter(action="job", field="audit-checkpoint").get()
    assert job.actor == "scheduler"
    latest = latest_checkpoint()
    assert latest is not None
    assert (latest.seq, latest.by) == (job.seq, "jobs run")
    assert run_due() == []  # nothing moved: nothing to do, nothing written
    assert AuditEntry.objects.filter(action="job", field="audit-checkpoint").count() == 1


def test_the_latest_checkpoint_is_printed_for_a_witness(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "checkpoint", "--print"])
    assert exit_.value.code == 2
    assert "no checkpoint" in capsys.readouterr().err
    assert verify().intact
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "checkpoint", "--print"])
    assert exit_.value.code in (0, None)
    printed = json.loads(capsys.readouterr().out)
    assert printed["seq"] == AuditEntry.objects.order_by("-seq")[0].seq
    assert len(printed["mac"]) == 64


def test_a_rotated_key_keeps_older_entries_verifiable(capsys: pytest.CaptureFixture[str]) -> None:
    old = keys.current_key()
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "rotate-key"])
    assert exit_.value.code in (0, None)
    assert f"audit key {old.key_id} retired" in capsys.readouterr().out
    from lupustrial.edc.accounts.services import record_failed_login

    record_failed_login("someone", "127.0.0.1")
    assert AuditEntry.objects.order_by("-seq")[0].key_id != old.key_id
    assert verify().intact
    (keys.retired_dir() / old.key_id).unlink()  # the retired key lost: its entries cannot verify
    assert not verify(checkpoint_by=None).intact


def test_a_short_key_from_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LUPUSTRIAL_AUDIT_KEY", "short")
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "verify"])
    assert exit_.value.code == 2
    assert "too short an audit key" in capsys.readouterr().err


def _reseal(rows: list[dict[str, Any]], keyed_from: int) -> str:
    """Chain ``rows`` again: plain SHA-256 before ``keyed_from``, the audit key from it on."""
    key = keys.current_key()
    previous: str = rows[0]["prev_hash"]
    for row in rows:
        row["prev_hash"] = previous
        row["key_id"] = key.key_id if row["seq"] >= keyed_from else ""
        row["hash"] = entry_digest(row, key if row["seq"] >= keyed_from else None)
        previous = row["hash"]
        _sql(
            "UPDATE audit_auditentry SET actor = %s, prev_hash = %s, key_id = %s, hash = %s"
            " WHERE seq = %s",
            [row["actor"], row["prev_hash"], row["key_id"], row["hash"], row["seq"]],
        )
    _set_head(rows[-1]["seq"], previous)
    return previous


def test_entries_from_before_the_key_are_guarded_by_the_first_keyed_entry_and_checkpoints() -> None:
    # A trail begun before the key existed: entries 1-10 plain SHA-256, the rest keyed.
    rows = _rows()
    _reseal(rows, keyed_from=11)
    assert verify().intact  # which also checkpoints the head
    # Rewriting an unkeyed entry and recomputing the unkeyed start is caught where the keyed
    # part begins: entry 11's seal covers entry 10's hash.
    forged = _rows()
    forged[1]["actor"] = "investigator"
    _reseal(forged[:10], keyed_from=11)
    report = verify(checkpoint_by=None)
    assert not report.intact
    assert report.breaks[0].seq == 11
    # Stripping every seal and recomputing the whole trail unkeyed contradicts the checkpoint.
    _reseal(_rows(), keyed_from=10**9)
    report = verify(checkpoint_by=None)
    assert not report.intact
    assert any("differs from the checkpoint" in b.detail for b in report.breaks)
