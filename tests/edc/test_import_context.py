"""Issue 20: the import context inside the one audit writer.

Entries written while an import replays a change carry the original actor (the account the
service was called with) and time, and also who imported them under which import id; the
hash covers both, and outside an import nothing changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.trail import verify_chain
from lupustrial.edc.demo import _screening
from lupustrial.edc.study import services
from lupustrial.edc.study.models import FormData, RecordVersion, Subject
from lupustrial.edc.study.services import ENROLMENT_MEANING

pytestmark = pytest.mark.usefixtures("demo")

THEN = dt.datetime(2026, 10, 10, 1, 2, 3, 456789, tzinfo=dt.UTC)


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _correct_platelets(reason: str = "transcription") -> list[AuditEntry]:
    w4 = Subject.objects.get(screening_number="S-001").visits.get(code="W4")
    form = FormData.objects.get(visit=w4, crf="labs")
    data = {**form.data, "platelets": {"value": 199, "unit": "10^9/L"}}
    before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    services.save_form(_user("coordinator"), w4, "labs", data, form.version, reason=reason)
    return list(AuditEntry.objects.filter(seq__gt=before, form="labs"))


def test_an_imported_change_keeps_its_original_actor_and_time_and_names_the_import() -> None:
    with imports.importing("IMP-1", "console:alice"), imports.original(THEN):
        entries = _correct_platelets()
    assert entries
    for entry in entries:
        assert entry.actor == "coordinator"
        assert entry.at == THEN
        assert (entry.import_id, entry.imported_by) == ("IMP-1", "console:alice")
    version = RecordVersion.objects.order_by("-pk").first()
    assert version is not None
    assert version.saved_at == THEN  # the services' clock, too
    assert FormData.objects.get(pk=version.record_id).updated_at == THEN
    assert verify_chain().intact


def test_outside_an_import_entries_name_no_importer_and_take_the_clock() -> None:
    entries = _correct_platelets()
    assert all(e.import_id == "" and e.imported_by == "" for e in entries)
    assert all(e.at > THEN for e in entries)
    assert imports.current_run() is None


@pytest.mark.parametrize("column", ["import_id", "imported_by"])
def test_the_hash_covers_the_importer_and_the_import_id(column: str) -> None:
    with imports.importing("IMP-1", "console:alice"), imports.original(THEN):
        entry = _correct_platelets()[0]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(
            f"UPDATE audit_auditentry SET {column} = %s WHERE seq = %s", ["forged", entry.seq]
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    report = verify_chain()
    assert [(b.seq, b.kind) for b in report.breaks] == [(entry.seq, "altered")]


def test_an_original_time_needs_an_import_and_a_time_zone() -> None:
    with pytest.raises(RuntimeError), imports.original(THEN):
        pass
    with (
        imports.importing("IMP-1", "console:alice"),
        pytest.raises(ValueError, match="time zone"),
        imports.original(THEN.replace(tzinfo=None)),
    ):
        pass
    with pytest.raises(ValueError, match="an id and an importer"), imports.importing("", "x"):
        pass


def _ready_to_enrol() -> Subject:
    """Eligible and consented at Tokyo, as the demo's enrolled subjects are before `enrol`."""
    coordinator, site = _user("coordinator"), Site.objects.get(code="TKY")
    first_dose = site.today()
    subject = services.register_candidate(coordinator, site, "S-960", "Test Patient", "M-960")
    services.save_screening(
        coordinator, subject, _screening("screening-eligible.json", first_dose), 0
    )
    consent_at = dt.datetime.combine(
        first_dose - dt.timedelta(days=11), dt.time(10, 30), tzinfo=site.zone
    )
    services.record_consent(coordinator, subject, "1.0", consent_at)
    return Subject.objects.get(pk=subject.pk)


def _enrolled_in_import(subject: Subject, user: Any, given: imports.ImportedSignature) -> None:
    """An import replaying the enrolment: the signing step meets the file's signature."""
    first_dose = subject.site.today()
    with (
        transaction.atomic(),
        imports.importing("IMP-2", "console:alice"),
        imports.original(THEN, signature=given),
    ):
        services.enrol(user, subject, "", first_dose, first_dose - dt.timedelta(days=2))


def test_an_imported_enrolment_signature_is_kept_as_imported_not_signed() -> None:
    """The signer is not here to sign: the file's signature (signer, time, meaning) is kept,
    marked as imported, and its trail entry says so; no password is asked."""
    subject = _ready_to_enrol()
    investigator = _user("investigator")
    screening = dict(subject.screening or {})
    given = imports.ImportedSignature("investigator", THEN, ENROLMENT_MEANING, "ODM SG.9 of x")
    _enrolled_in_import(subject, investigator, given)
    subject = Subject.objects.get(pk=subject.pk)
    signature = subject.signatures.get()
    assert signature.imported
    assert signature.imported_from == "ODM SG.9 of x"
    assert (signature.signer, signature.signed_at, signature.meaning) == (
        investigator,
        THEN,
        ENROLMENT_MEANING,
    )
    # Signed before the ID was assigned: the entry names the subject by screening number.
    entry = AuditEntry.objects.filter(subject=subject.screening_number, action="sign").get()
    assert entry.reason.startswith("imported signature, not signed again")
    assert entry.import_id == "IMP-2"
    assert entry.at == THEN
    assert subject.screening == screening


def test_an_imported_signature_of_someone_else_is_refused() -> None:
    subject = _ready_to_enrol()
    given = imports.ImportedSignature("osaka", THEN, ENROLMENT_MEANING, "ODM SG.9 of x")
    with pytest.raises(services.RuleError, match="osaka's, not this change's actor's"):
        _enrolled_in_import(subject, _user("investigator"), given)
    assert not subject.signatures.exists()
    assert Subject.objects.get(pk=subject.pk).subject_id is None
