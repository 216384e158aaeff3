"""Finding 3: the administrator ("users, roles and sites; no clinical data") gets no clinical
values: no audit export, no subject's audit page, as the README says; dates of birth are
seen as the role table (`accounts/roles.py`) decides."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from lupustrial.edc.accounts.roles import PERMISSIONS, Can, Role
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")

README = Path(__file__).resolve().parents[3] / "README.md"


def _subject() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _date_of_birth() -> str:
    screening = _subject().screening
    assert screening is not None
    born = screening["date_of_birth"]
    assert isinstance(born, str)
    return born


def test_the_administrator_may_export_no_audit_trail() -> None:
    admin = login("admin")
    assert admin.get(reverse("audit_export")).status_code == 403
    subject_audit = reverse("audit_trail", args=[_subject().pk])
    assert admin.get(subject_audit).status_code == 403
    assert admin.get(subject_audit + "?format=csv").status_code == 403
    assert reverse("audit_export") not in admin.get(reverse("home")).content.decode()


def test_the_administrator_role_holds_nothing_but_user_management() -> None:
    assert PERMISSIONS[Role.ADMINISTRATOR] == frozenset({Can.MANAGE_USERS})


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("investigator", True),
        ("coordinator", True),
        ("monitor", True),
        ("datamanager", True),
        ("statistician", False),
        ("admin", False),
    ],
)
def test_dates_of_birth_are_shown_as_the_role_table_says(username: str, sees: bool) -> None:
    client = login(username)
    pages = [
        client.get(reverse("screening", args=[_subject().pk])),
        client.get(reverse("audit_trail", args=[_subject().pk])),
        client.get(reverse("audit_export")),
    ]
    shown = any(
        _date_of_birth() in page.content.decode() for page in pages if page.status_code == 200
    )
    assert shown is sees


def test_the_statistician_gets_the_year_of_birth_only(tmp_path: Path) -> None:
    from lupustrial.edc.export import database_records

    records = database_records(None)
    dumped = records.model_dump_json()
    assert _date_of_birth() not in dumped
    assert "birth_year" in dumped
    assert dt.date.fromisoformat(_date_of_birth()).year in {
        s.birth_year for s in records.subjects if s.birth_year is not None
    }


def test_the_readme_says_what_the_role_table_says() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "administrator (users, roles and sites in `/admin/`; no clinical data" in text
    assert "Viewable per subject by the investigator, coordinator, monitor and data manager" in text
    assert "exportable as CSV by the data manager" in text
    assert "Dates of birth" in text
