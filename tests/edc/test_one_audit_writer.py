"""Issue 14, finding 4: the trail is written by the services layer only, with the real actor."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login

SOURCES = Path(__file__).resolve().parents[2] / "src" / "lupustrial"
WRITERS = {"record", "record_changes", "_append"}
SERVICES = {
    SOURCES / "edc" / "study" / "services.py",
    SOURCES / "edc" / "study" / "adverse_events.py",
    SOURCES / "edc" / "study" / "not_done.py",  # a service: permission, rule, trail, version
    SOURCES / "edc" / "accounts" / "services.py",
    SOURCES / "edc" / "safety" / "services.py",
    SOURCES / "edc" / "deviations" / "services.py",
    SOURCES / "edc" / "pharmacy" / "services.py",
    SOURCES / "edc" / "monitoring" / "services.py",
    SOURCES / "edc" / "jobs" / "services.py",
    SOURCES / "edc" / "backups" / "services.py",
}


def _modules_importing_the_writers() -> set[Path]:
    found = set()
    for path in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "lupustrial.edc.audit.trail"
                and WRITERS & {alias.name for alias in node.names}
            ):
                found.add(path)
    return found


def test_only_the_services_import_the_trail_writers() -> None:
    assert _modules_importing_the_writers() == SERVICES


@pytest.mark.usefixtures("demo")
def test_exports_name_the_person_who_downloaded() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    login("datamanager").get(reverse("audit_trail", args=[subject.pk]), {"format": "csv"})
    login("datamanager").get(reverse("audit_export"))
    login("statistician").get(reverse("study_report"))
    exports = AuditEntry.objects.filter(action="export").values_list("actor", "form")
    assert set(exports) >= {("datamanager", "audit_trail"), ("statistician", "report")}


@pytest.mark.usefixtures("demo")
def test_no_entry_of_the_demo_is_written_by_system() -> None:
    assert not AuditEntry.objects.filter(actor="system").exists()
    assert AuditEntry.objects.filter(form="account", actor="demo loader").exists()
