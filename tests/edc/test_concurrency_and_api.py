"""Two users saving the same form: the second is told, nothing is overwritten; the JSON API."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.study.models import FormData, Subject
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _vitals() -> FormData:
    subject = Subject.objects.get(screening_number="S-001")
    return FormData.objects.get(visit__subject=subject, visit__code="W12", crf="vitals")


def _save(client: Client, form: FormData, version: int, weight: str) -> str:
    response = client.post(
        reverse("crf", args=[form.visit_id, "vitals"]),
        {
            "body_weight.value": weight,
            "body_weight.unit": "kg",
            "version": version,
            "reason": f"weight {weight}",
        },
    )
    return response.content.decode() if response.status_code == 200 else ""


def test_the_second_of_two_concurrent_saves_is_refused_and_told_who_saved() -> None:
    form = _vitals()
    opened = form.version  # both users opened the form at this version
    assert _save(login("coordinator"), form, opened, "58") == ""
    page = _save(login("investigator"), form, opened, "59")
    assert "coordinator saved this form since you opened it" in page
    form.refresh_from_db()
    assert form.data["body_weight"]["value"] == 58
    assert form.version == opened + 1
    assert not AuditEntry.objects.filter(reason="weight 59").exists()


def test_the_api_reads_and_saves_a_form_with_the_same_audit() -> None:
    client = login("coordinator")
    form = _vitals()
    body = client.get(f"/api/visits/{form.visit_id}/forms/vitals").json()
    assert body["version"] == form.version
    data = {**body["data"], "body_weight": {"value": 57, "unit": "kg"}}
    response = client.put(
        f"/api/visits/{form.visit_id}/forms/vitals",
        data={"data": data, "version": body["version"], "reason": "api correction"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == body["version"] + 1
    assert AuditEntry.objects.filter(reason="api correction", field="body_weight.value").exists()
    stale = client.put(
        f"/api/visits/{form.visit_id}/forms/vitals",
        data={"data": data, "version": body["version"], "reason": "again"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert "saved this form since you opened it" in stale.json()["detail"]


def test_the_api_rejects_an_impossible_value_naming_the_field() -> None:
    client = login("coordinator")
    form = _vitals()
    response = client.put(
        f"/api/visits/{form.visit_id}/forms/vitals",
        data={
            "data": {"body_weight": {"value": -3, "unit": "kg"}},
            "version": form.version,
            "reason": "typo",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "body_weight" in response.json()["detail"]


def test_the_api_needs_the_csrf_token_for_writes() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="coordinator"))
    form = _vitals()
    response = client.put(
        f"/api/visits/{form.visit_id}/forms/vitals",
        data={"data": form.data, "version": form.version, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_openapi_document_lists_the_endpoints() -> None:
    schema = login("monitor").get("/api/openapi.json").json()
    assert "/api/visits/{pk}/forms/{code}" in schema["paths"]
    assert "put" in schema["paths"]["/api/visits/{pk}/forms/{code}"]
