"""Finding 8: a NUL or another character that cannot be stored is refused with the name of
its field (422 from the API, the form shown again with the error on pages), never a server
error; and every server error is logged with a request id that the user is shown.

Run on PostgreSQL too (DATABASE_URL): it refuses NUL in text and jsonb, where SQLite keeps it.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.study.characters import first_invalid, invalid_character
from lupustrial.edc.study.models import FormData, Query, Subject
from tests.edc.clients import login

BAD = ["\x00", "\x01", "\x1b", "\x7f", "\ufffe"]


def _vitals() -> FormData:
    subject = Subject.objects.get(screening_number="S-001")
    return FormData.objects.get(visit__subject=subject, visit__code="W12", crf="vitals")


@pytest.mark.parametrize("character", BAD)
def test_invalid_characters_are_named(character: str) -> None:
    assert invalid_character(f"ok{character}") == f"U+{ord(character):04X}"
    assert first_invalid({"a": [{"b": f"x{character}"}]}) == ("a.0.b", f"U+{ord(character):04X}")


@pytest.mark.parametrize("allowed", ["tab\there", "two\nlines\r\n", "日本語 µg/L ≥ 3", ""])
def test_ordinary_text_passes(allowed: str) -> None:
    assert invalid_character(allowed) is None


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("character", ["\x00", "\x01"])
def test_the_api_answers_422_naming_the_field(character: str) -> None:
    form = _vitals()
    data = {**form.data, "body_weight": {"value": 60, "unit": f"k{character}g"}}
    coordinator = login("coordinator")
    before = AuditEntry.objects.count()
    response = coordinator.put(
        f"/api/visits/{form.visit_id}/forms/vitals",
        data={"data": data, "version": form.version, "reason": "typo"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "body_weight.unit"
    assert "body_weight.unit" in response.json()["detail"]
    response = coordinator.put(
        f"/api/visits/{form.visit_id}/forms/vitals",
        data={"data": form.data, "version": form.version, "reason": f"ty{character}po"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "reason"
    assert _vitals().version == form.version
    assert AuditEntry.objects.count() == before


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("character", ["\x00", "\x01"])
def test_a_page_shows_the_form_again_with_the_error(character: str) -> None:
    form = _vitals()
    response = login("coordinator").post(
        reverse("crf", args=[form.visit_id, "vitals"]),
        {
            "body_weight.value": "59",
            "body_weight.unit": "kg",
            "version": form.version,
            "reason": f"typo{character}",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"reason holds a character that cannot be stored (U+{ord(character):04X})" in page
    assert 'name="body_weight.value"' in page
    assert _vitals().version == form.version


@pytest.mark.usefixtures("people")
def test_a_field_error_sits_beside_its_field() -> None:
    response = login("coordinator").post(
        reverse("register"),
        {
            "site": Site.objects.get(code="TKY").pk,
            "screening_number": "S-950",
            "name": "Test\x01Patient",
            "medical_record_number": "M1",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["name"]
    assert "U+0001" in errors["name"][0]
    assert not Subject.objects.filter(screening_number="S-950").exists()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("character", ["\x00", "\x01"])
def test_values_read_from_the_request_are_refused_with_a_message(character: str) -> None:
    form = _vitals()
    manager = login("datamanager")
    manager.post(reverse("form_action", args=[form.pk, "lock"]), {"version": form.version})
    response = manager.post(
        reverse("form_action", args=[form.pk, "unlock"]),
        {"version": form.version, "reason": f"query{character}"},
        follow=True,
    )
    assert response.status_code == 200
    assert "reason holds a character that cannot be stored" in response.content.decode()
    assert _vitals().locked
    response = manager.post(
        reverse("form_action", args=[form.pk, "query"]),
        {"field": "body_weight", "text": f"why{character}?"},
        follow=True,
    )
    assert "text holds a character that cannot be stored" in response.content.decode()
    response = manager.post(
        reverse("form_action", args=[form.pk, "query"]),
        {"field": "x" * 201, "text": "which field?"},
        follow=True,
    )
    assert "field is too long: at most 200 characters" in response.content.decode()
    assert not Query.objects.exists()
    subject = Subject.objects.get(screening_number="S-001")
    response = manager.post(
        reverse("casebook_lock", args=[subject.pk]),
        {"locked": "0", "reason": f"x{character}"},
        follow=True,
    )
    assert response.status_code == 200


@pytest.mark.usefixtures("people")
@override_settings(ROOT_URLCONF="tests.edc.hardening.boom_urls", DEBUG=False)
def test_a_server_error_is_logged_with_the_id_the_user_is_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(_user("coordinator"))
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    assert f'<code id="request-id">{request_id}</code>' in response.content.decode()
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert logged.levelno == logging.ERROR
    assert getattr(logged, "request_id", None) == request_id
    assert logged.exc_info is not None
    assert "a fault no one foresaw" in str(logged.exc_info[1])
    # The server's own handler (the console: gunicorn's error log) writes the id with it.
    [handler] = logging.getLogger("django.request").handlers
    assert f"ERROR django.request [request {request_id}] " in handler.format(logged)


@pytest.mark.usefixtures("people")
def test_every_answer_carries_a_request_id() -> None:
    first, second = Client().get(reverse("login")), Client().get(reverse("login"))
    assert first["X-Request-ID"] != second["X-Request-ID"]


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("character", ["\x00", "\x01"])
def test_the_deviation_log_refuses_them_by_field(character: str) -> None:
    from lupustrial.edc.deviations.models import Deviation, SuggestionDecision

    subject = Subject.objects.get(screening_number="S-001")
    client = login("coordinator")
    response = client.post(
        reverse("deviation_new", args=[subject.pk]),
        {
            "category": "dosing",
            "occurred_on": subject.site.today().isoformat(),
            "description": f"300 mg{character} given twice",
            "serious": "no",
        },
    )
    assert response.status_code == 200
    assert not Deviation.objects.exists()
    osaka = Subject.objects.get(screening_number="S-101")
    response = login("osaka").post(
        reverse("deviation_decide"),
        {"key": f"visit_window:{osaka.label}:W4", "decision": "dismiss", "reason": f"n{character}"},
        follow=True,
    )
    assert response.status_code == 200
    assert "reason: This field holds a character that cannot be stored" in response.content.decode()
    assert not SuggestionDecision.objects.exists()


@pytest.mark.usefixtures("demo")
def test_a_version_that_is_no_number_is_no_server_error() -> None:
    from lupustrial.edc.deviations.models import Deviation
    from tests.edc.test_deviations import _record

    deviation = _record(corrective_action="reminder to the team")
    assert isinstance(deviation, Deviation)
    response = login("investigator").post(
        reverse("deviation_close", args=[deviation.pk]), {"version": "two"}
    )
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.closed_at is None
