"""A subject's casebook PDF (issue 18): every form of every visit, signatures, queries and an
audit summary, from the subject page and `lupustrial casebook`; read back with pdftotext."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.audit.models import Action, AuditEntry
from lupustrial.edc.study import adverse_events, labels, services
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.models import FormData, Subject
from tests.dataset.test_database_export_shell import _run, _shell
from tests.edc.clients import login
from tests.edc.postgresql import SQLITE_IN_SUBPROCESSES

needs_pdf_tools = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler's pdftotext is not installed (make system-deps installs poppler-utils)",
)


def _text(pdf: bytes, tmp_path: Path) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "casebook.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return done.stdout


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


@needs_pdf_tools
@pytest.mark.usefixtures("demo")
def test_the_casebook_holds_every_form_signature_query_and_correction(tmp_path: Path) -> None:
    subject = Subject.objects.get(screening_number="S-001")
    w12 = subject.visits.get(code="W12")
    vitals = FormData.objects.get(visit=w12, crf="vitals")
    query = services.raise_query(_user("monitor"), vitals, "body_weight", "Weight per source?")
    services.answer_query(_user("coordinator"), query, "Source says 61 kg.")
    corrected = {**vitals.data, "body_weight": {"value": 61, "unit": "kg"}}
    services.save_form(
        _user("coordinator"), w12, "vitals", corrected, vitals.version, "Transcription error"
    )
    assert w12.date is not None
    rash = {
        "term": "Rash maculo-papular",
        "onset": w12.date.isoformat(),
        "grade": 1,
        "serious": False,
        "related": "possible",
        "outcome": "not recovered",
    }
    event = adverse_events.record_adverse_event(_user("coordinator"), subject, rash)
    adverse_events.update_adverse_event(
        _user("coordinator"), event, {**rash, "grade": 2}, 1, "Spread to the trunk"
    )

    response = login("investigator").get(reverse("casebook", args=[subject.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"casebook-{subject.label}-" in response["Content-Disposition"]
    pdf = response.content
    text = _text(pdf, tmp_path)

    assert f"Casebook of {subject.label}" in text
    for code in ("W0", "W4", "W8", "W12"):
        assert f"Visit {code}" in text
    saved = {form.crf for form in FormData.objects.filter(visit__subject=subject)}
    for crf in saved:  # every form entered has its section
        assert str(CRF_BY_CODE[crf].title) in text, crf
    assert text.count("Version 1, saved by coordinator") >= len(saved)
    assert "Version 2, saved by coordinator" in text  # the corrected vitals
    weight = str(labels.label("body_weight"))
    assert re.search(rf"{weight}\s+61(\.0)? kg", text)  # labelled, value with its unit
    signature = subject.signatures.get()
    assert signature.signer_name in text
    assert signature.signed_digest[:20] in text.replace("\n", "")
    flat = " ".join(text.split())  # table cells wrap over lines
    assert "Weight per source?" in flat
    assert "Source says 61 kg." in flat
    assert "Audit trail summary" in text
    assert "Transcription error" in flat  # the correction, with its reason
    assert "AE-001 (between visits)" in flat  # the adverse event, with every version
    assert "Rash maculo-papular" in flat
    assert "Spread to the trunk" in flat
    assert "Hanako Yamamoto" not in text  # pseudonymised
    assert "MRN-S-001" not in text

    export = AuditEntry.objects.filter(action=Action.EXPORT, form="casebook").get()
    assert export.actor == "investigator"
    assert export.subject_ref == subject.pk
    assert json.loads(export.new_value)["sha256"] == hashlib.sha256(pdf).hexdigest()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize(
    ("username", "screening_number", "status"),
    [
        ("statistician", "S-001", 403),  # no trail, no casebook
        ("coordinator", "S-101", 403),  # another site's subject
        ("osaka", "S-001", 403),
    ],
)
def test_only_those_who_see_the_subjects_trail_get_its_casebook(
    username: str, screening_number: str, status: int
) -> None:
    subject = Subject.objects.get(screening_number=screening_number)
    response = login(username).get(reverse("casebook", args=[subject.pk]))
    assert response.status_code == status
    assert not AuditEntry.objects.filter(form="casebook").exists()


@needs_pdf_tools
@pytest.mark.usefixtures("demo")
def test_the_casebook_in_japanese(tmp_path: Path) -> None:
    staff = _user("coordinator").staff
    staff.language = "ja"
    staff.save()
    subject = Subject.objects.get(screening_number="S-001")
    page = login("coordinator").get(reverse("subject", args=[subject.pk])).content.decode()
    assert reverse("casebook", args=[subject.pk]) in page
    assert "症例ファイル(PDF)" in page
    text = _text(login("coordinator").get(reverse("casebook", args=[subject.pk])).content, tmp_path)
    assert f"{subject.label} の症例ファイル" in text
    with translation.override("ja"):
        criterion = str(labels.CRITERIA["I4"])[:12]
        crf = str(CRF_BY_CODE["vitals"].title)
    assert criterion in text.replace("\n", "")  # the criteria in Japanese too
    assert crf in text
    assert "監査証跡の要約" in text
    assert "クエリ履歴" in text


@needs_pdf_tools
@SQLITE_IN_SUBPROCESSES
def test_the_casebook_command_in_a_fresh_shell(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    env = _shell(data)
    assert _run(["web", "demo", "--no-serve"], env, data).returncode == 0
    help_text = _run(["casebook", "--help"], env, tmp_path)
    assert help_text.returncode == 0
    assert "every form of every visit" in help_text.stdout

    done = _run(["casebook", "TKY-001", "--out", "tky-001.pdf"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "casebook of TKY-001 written to tky-001.pdf" in done.stdout
    text = _text((tmp_path / "tky-001.pdf").read_bytes(), tmp_path / "x")
    assert "Casebook of TKY-001" in text
    assert "Visit W12" in text
    assert "console:" in text  # who exported it

    japanese = _run(["casebook", "S-001", "--language", "ja", "-o", "ja.pdf"], env, tmp_path)
    assert japanese.returncode == 0, japanese.stderr
    assert "TKY-001 の症例ファイル" in _text((tmp_path / "ja.pdf").read_bytes(), tmp_path / "y")

    # the console's exports are in the trail, and it still verifies
    verified = _run(["audit", "verify"], env, tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit trail intact" in verified.stdout

    missing = _run(["casebook", "TKY-999"], env, tmp_path)
    assert missing.returncode == 2
    assert "no subject 'TKY-999'" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = _run(["casebook", "TKY-001", "--language", "fr"], env, tmp_path)
    assert bad.returncode == 2
    assert "choose en or ja" in bad.stderr
