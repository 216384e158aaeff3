"""Laboratory results from a FHIR Bundle: reviewed first, saved on confirmation through the
services, each value's source kept in the audit trail (issue 20)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.study.models import FormData, Subject, Visit
from tests.edc.clients import login
from tests.interop.test_fhir_labs import bundle, observation

pytestmark = pytest.mark.usefixtures("demo")


def _visit() -> Visit:
    subject = Subject.objects.get(screening_number="S-001")
    return subject.visits.get(code="W4")


def _upload(client: Client, visit: Visit, content: str) -> str:
    response = client.post(
        reverse("lab_import", args=[visit.pk]),
        {"bundle": SimpleUploadedFile("labs.json", content.encode(), "application/fhir+json")},
    )
    assert response.status_code == 200
    return str(response.content.decode())


def test_review_then_confirm_saves_with_the_sources_in_the_trail() -> None:
    visit = _visit()
    client = login("coordinator")
    before = FormData.objects.get(visit=visit, crf="labs")
    content = bundle(
        observation("plt-1", "777-3", 21.0, "万/µL", "10*4/uL"),
        observation("crp-1", "1988-5", 0.3, "mg/dL", "mg/dL"),
    )
    page = _upload(client, visit, content)
    assert "Observation/plt-1" in page
    assert "1988-5" in page  # shown as not imported
    assert FormData.objects.get(pk=before.pk).version == before.version  # nothing saved yet
    payload = json.loads(
        page.split('name="payload" value="', 1)[1].split('"', 1)[0].replace("&quot;", '"')
    )
    response = client.post(
        reverse("lab_import", args=[visit.pk]),
        {
            "confirm": "1",
            "payload": json.dumps(payload),
            "bundle": "hosp-42",
            "version": before.version,
        },
    )
    assert response.status_code == 302
    after = FormData.objects.get(pk=before.pk)
    assert after.version == before.version + 1
    assert after.data["platelets"] == {"value": 21.0, "unit": "10^4/µL"}
    assert after.data["c3"] == before.data["c3"]  # values the bundle did not bring are kept
    entry = AuditEntry.objects.filter(form="labs", field="platelets.value").order_by("-seq").first()
    assert entry is not None
    assert entry.actor == "coordinator"
    assert "Bundle/hosp-42" in entry.reason
    assert "platelets ← Observation/plt-1" in entry.reason


def test_a_stale_review_is_refused_not_overwritten() -> None:
    visit = _visit()
    client = login("coordinator")
    before = FormData.objects.get(visit=visit, crf="labs")
    values = [
        {
            "item": "platelets",
            "value": {"value": 20, "unit": "10^9/L"},
            "source": "Bundle/x Observation/y",
        }
    ]
    response = client.post(
        reverse("lab_import", args=[visit.pk]),
        {
            "confirm": "1",
            "payload": json.dumps(values),
            "bundle": "x",
            "version": before.version - 1,
        },
        follow=True,
    )
    assert FormData.objects.get(pk=before.pk).version == before.version
    assert "nothing was overwritten" in response.content.decode()


def test_the_monitor_cannot_import() -> None:
    response = login("monitor").get(reverse("lab_import", args=[_visit().pk]))
    assert response.status_code == 403


def test_the_page_speaks_japanese() -> None:
    client = login("coordinator")
    client.post(reverse("set_language"), {"language": "ja"})
    page = client.get(reverse("lab_import", args=[_visit().pk])).content.decode()
    assert "検査結果の取り込み" in page
