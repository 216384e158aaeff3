"""The study flow through the pages: screen, consent, enrol with a signature, visits, LLDAS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from lupustrial.edc.accounts.models import STUDY_TIME_ZONE, Site
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.demo import DEMO_PASSWORD, _screening, _visit_forms
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.models import FormData, Subject, SubjectStatus, Visit, VisitStatus
from lupustrial.edc.study.schema_forms import FormPlan, row_counts
from lupustrial.protocol.dates import site_today
from lupustrial.protocol.screening import ScreeningRecord
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("people")


def _today() -> dt.date:
    """The Tokyo site's date, read at each use: the server judges dates by the site's own, and
    a date read at import is yesterday's after the site's midnight (test_dates_at_use)."""
    return site_today(STUDY_TIME_ZONE)


def _first_dose() -> dt.date:
    return _today() - dt.timedelta(weeks=12, days=1)


def _enrolled() -> dt.date:
    return _first_dose() - dt.timedelta(days=1)


def _post_data(plan: FormPlan, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """What a browser posts for a generated form filled with ``data``."""
    posted = {key: value for key, value in plan.initial(data).items() if value is not False}
    return {**{k: str(v) for k, v in posted.items()}, **extra}


def _screening_post(data: dict[str, Any], version: int, reason: str = "") -> dict[str, Any]:
    plan = FormPlan(
        ScreeningRecord, exclude=("screening_id", "consent"), rows=row_counts(ScreeningRecord, data)
    )
    return _post_data(plan, data, version=version, reason=reason)


def _crf_post(code: str, data: dict[str, Any], version: int, reason: str = "") -> dict[str, Any]:
    crf = CRF_BY_CODE[code]
    plan = FormPlan(crf.model, exclude=crf.exclude, rows=row_counts(crf.model, data))
    return _post_data(plan, data, version=version, reason=reason)


def _register(client: Client, number: str = "S-900") -> Subject:
    response = client.post(
        reverse("register"),
        {
            "site": Site.objects.get(code="TKY").pk,
            "screening_number": number,
            "name": "Test Patient",
            "medical_record_number": "M1",
        },
    )
    assert response.status_code == 302, response.content.decode()
    return Subject.objects.get(screening_number=number)


def _screened_and_consented(coordinator: Client) -> Subject:
    subject = _register(coordinator)
    data = _screening("screening-eligible.json", _first_dose())
    response = coordinator.post(reverse("screening", args=[subject.pk]), _screening_post(data, 0))
    assert response.status_code == 302, response.content.decode()[-3000:]
    consent_at = dt.datetime.combine(_first_dose() - dt.timedelta(days=11), dt.time(9, 0))
    response = coordinator.post(
        reverse("consent", args=[subject.pk]),
        {
            "form_version": "1.0",
            "obtained_at": consent_at.strftime("%Y-%m-%dT%H:%M"),
            "obtained_by": get_user_model().objects.get(username="investigator").pk,
        },
    )
    assert response.status_code == 302
    return Subject.objects.get(pk=subject.pk)


def _enrol(subject: Subject) -> Subject:
    investigator = login("investigator")
    response = investigator.post(
        reverse("enrol", args=[subject.pk]),
        {
            "first_infusion_date": _first_dose().isoformat(),
            "enrolment_date": _enrolled().isoformat(),
            "password": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    return Subject.objects.get(pk=subject.pk)


def test_the_screening_page_decides_and_shows_what_is_missing() -> None:
    coordinator = login("coordinator")
    subject = _register(coordinator)
    data = _screening("screening-eligible.json", _first_dose())
    coordinator.post(reverse("screening", args=[subject.pk]), _screening_post(data, 0))
    page = coordinator.get(reverse("screening", args=[subject.pk])).content.decode()
    # Consent is recorded in the application, so until then I5 is unknown.
    assert "incomplete" in page
    assert "missing: Consent" in page  # inputs by their labels (edc/study/eligibility_text.py)


def test_the_screening_form_round_trips_every_field() -> None:
    coordinator = login("coordinator")
    subject = _register(coordinator)
    data = _screening("screening-eligible.json", _first_dose())
    coordinator.post(reverse("screening", args=[subject.pk]), _screening_post(data, 0))
    saved = Subject.objects.get(pk=subject.pk).screening
    expected = ScreeningRecord.model_validate({**data, "screening_id": "S-900"}).model_dump(
        mode="json", exclude_none=True
    )
    assert saved == expected


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved() -> None:
    coordinator = login("coordinator")
    subject = _register(coordinator)
    data = _screening("screening-eligible.json", _first_dose())
    posted = _screening_post(data, 0)
    posted["body_weight.value"] = "-60"
    response = coordinator.post(reverse("screening", args=[subject.pk]), posted)
    assert response.status_code == 200
    assert "A negative value cannot be entered (got -60)." in response.content.decode()
    assert Subject.objects.get(pk=subject.pk).screening is None


def test_consent_then_signed_enrolment_assigns_an_id_and_plans_the_visits() -> None:
    subject = _enrol(_screened_and_consented(login("coordinator")))
    assert subject.status == SubjectStatus.ENROLLED
    assert subject.subject_id == "TKY-001"
    visits = list(subject.visits.all())
    assert [v.code for v in visits] == ["W0", "W4", "W8", "W12"]
    w12 = visits[-1]
    assert w12.planned_date == _first_dose() + dt.timedelta(weeks=12)
    assert (w12.window_start, w12.window_end) == (
        w12.planned_date - dt.timedelta(days=7),
        w12.planned_date + dt.timedelta(days=7),
    )
    signature = subject.signatures.get()
    assert signature.signer_name == "Dr Aiko Sato"
    assert "eligibility" in signature.meaning
    assert AuditEntry.objects.filter(action="sign", subject__in=["S-900", "TKY-001"]).exists()
    home = login("investigator").get(reverse("home")).content.decode()
    assert '<span id="enrolled">1</span> / 10' in home


def test_no_enrolment_without_consent() -> None:
    coordinator = login("coordinator")
    subject = _register(coordinator)
    data = _screening("screening-eligible.json", _first_dose())
    coordinator.post(reverse("screening", args=[subject.pk]), _screening_post(data, 0))
    response = login("investigator").post(
        reverse("enrol", args=[subject.pk]),
        {
            "first_infusion_date": _first_dose().isoformat(),
            "enrolment_date": _enrolled().isoformat(),
            "password": DEMO_PASSWORD,
        },
    )
    assert "No enrolment without a recorded written consent" in response.content.decode()
    assert Subject.objects.get(pk=subject.pk).status == SubjectStatus.SCREENING


def test_a_wrong_password_applies_no_signature() -> None:
    subject = _screened_and_consented(login("coordinator"))
    response = login("investigator").post(
        reverse("enrol", args=[subject.pk]),
        {
            "first_infusion_date": _first_dose().isoformat(),
            "enrolment_date": _enrolled().isoformat(),
            "password": "not-my-password",
        },
    )
    assert "password did not match" in response.content.decode()
    assert not subject.signatures.exists()
    refused = AuditEntry.objects.filter(action="sign", actor="investigator").get()
    assert refused.new_value == '"refused"'
    assert Subject.objects.get(pk=subject.pk).subject_id is None


def test_the_coordinator_cannot_sign() -> None:
    subject = _screened_and_consented(login("coordinator"))
    response = login("coordinator").post(
        reverse("enrol", args=[subject.pk]),
        {
            "first_infusion_date": _first_dose().isoformat(),
            "enrolment_date": _enrolled().isoformat(),
            "password": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 403


def test_a_correction_after_signing_voids_the_signature_until_signed_again() -> None:
    coordinator = login("coordinator")
    subject = _enrol(_screened_and_consented(coordinator))
    data = _screening("screening-eligible.json", _first_dose())
    data["body_weight"] = {"value": 61, "unit": "kg"}
    response = coordinator.post(
        reverse("screening", args=[subject.pk]),
        _screening_post(data, subject.screening_version, reason="weight transcribed wrongly"),
    )
    assert response.status_code == 302
    signature = subject.signatures.get()
    assert signature.voided_at is not None
    assert AuditEntry.objects.filter(action="signature_void").exists()
    page = login("investigator").get(reverse("subject", args=[subject.pk])).content.decode()
    assert "Sign the eligibility again" in page
    login("investigator").post(
        reverse("sign_again", args=[subject.pk]), {"password": DEMO_PASSWORD}
    )
    assert subject.signatures.filter(voided_at__isnull=True).count() == 1


def test_a_screen_failure_keeps_the_failing_criteria() -> None:
    coordinator = login("coordinator")
    subject = _register(coordinator)
    data = _screening("screening-ineligible.json", _today() + dt.timedelta(days=7))
    coordinator.post(reverse("screening", args=[subject.pk]), _screening_post(data, 0))
    coordinator.post(reverse("screen_failure", args=[subject.pk]), {"note": "steroid pulse"})
    subject = Subject.objects.get(pk=subject.pk)
    assert subject.status == SubjectStatus.SCREEN_FAILED
    assert subject.screen_failure_reasons == ["I2", "E1", "E5"]


def _enter_visit(client: Client, visit: Visit, forms: dict[str, dict[str, Any]]) -> None:
    assert visit.planned_date is not None
    response = client.post(
        reverse("visit", args=[visit.pk]),
        {"date": visit.planned_date.isoformat(), "version": visit.version},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    forms["infusion"]["date"] = visit.planned_date.isoformat()
    for code, data in forms.items():
        response = client.post(reverse("crf", args=[visit.pk, code]), _crf_post(code, data, 0))
        assert response.status_code == 302, (code, response.content.decode()[-3000:])


def test_week_12_visit_shows_lldas_computed_from_the_forms() -> None:
    coordinator = login("coordinator")
    subject = _enrol(_screened_and_consented(coordinator))
    taper = {"W0": (30, True), "W4": (20, True), "W8": (10, False), "W12": (5, False)}
    for visit in subject.visits.all():
        mg, active = taper[visit.code]
        _enter_visit(coordinator, visit, _visit_forms(int(visit.code[1:]), mg, active))
    w12 = subject.visits.get(code="W12")
    assert FormData.objects.filter(visit=w12).count() == 6  # adverse events: own records
    page = coordinator.get(reverse("visit", args=[w12.pk])).content.decode()
    assert "LLDAS: met" in page
    assert "SLEDAI-2K 0" in page
    w0 = subject.visits.get(code="W0")
    assert "LLDAS: not met" in coordinator.get(reverse("visit", args=[w0.pk])).content.decode()


def test_missed_and_unscheduled_visits_and_withdrawal() -> None:
    coordinator = login("coordinator")
    subject = _enrol(_screened_and_consented(coordinator))
    w4 = subject.visits.get(code="W4")
    coordinator.post(reverse("visit_missed", args=[w4.pk]), {"reason": "patient travelling"})
    w4.refresh_from_db()
    assert (w4.status, w4.missed_reason) == (VisitStatus.MISSED, "patient travelling")
    coordinator.post(
        reverse("unscheduled_visit", args=[subject.pk]), {"date": _today().isoformat()}
    )
    assert subject.visits.get(code="U1").date == _today()
    coordinator.post(
        reverse("end_of_study", args=[subject.pk, "withdraw"]),
        {"on": _today().isoformat(), "reason": "moved away"},
    )
    subject.refresh_from_db()
    assert (subject.status, subject.withdrawal_reason) == (SubjectStatus.WITHDRAWN, "moved away")


def test_overdue_visits_are_on_the_dashboard() -> None:
    subject = _enrol(_screened_and_consented(login("coordinator")))
    assert subject.visits.filter(window_end__lt=_today()).count() == 3
    home = login("coordinator").get(reverse("home")).content.decode()
    assert "Overdue visits" in home
    assert "TKY-001 W0" in home


def test_a_new_sledai_form_starts_with_the_descriptors_the_labs_define() -> None:
    coordinator = login("coordinator")
    subject = _enrol(_screened_and_consented(coordinator))
    w0 = subject.visits.get(code="W0")
    forms = _visit_forms(0, 30, True)
    coordinator.post(
        reverse("visit", args=[w0.pk]), {"date": _first_dose().isoformat(), "version": 0}
    )
    coordinator.post(reverse("crf", args=[w0.pk, "labs"]), _crf_post("labs", forms["labs"], 0))
    form = coordinator.get(reverse("crf", args=[w0.pk, "sledai2k"])).context["form"]
    # C3 0.7 g/L under its lower limit 0.86: low complement; 210 platelets: no thrombocytopenia.
    assert form.initial["low_complement"] == "true"
    assert form.initial["thrombocytopenia"] == "false"
    assert "arthritis" not in form.initial  # clinical descriptors are the investigator's


def test_a_medical_record_number_already_at_the_site_is_refused_with_a_link(
    people: dict[str, Any],
) -> None:
    """Issue 18: one patient, one record per site; the existing record is linked."""
    coordinator = login("coordinator")
    first = _register(coordinator, "S-901")
    tky = Site.objects.get(code="TKY")
    response = coordinator.post(
        reverse("register"),
        {
            "site": tky.pk,
            "screening_number": "S-902",
            "name": "Same Patient",
            "medical_record_number": " M1 ",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "already registered" in page
    assert reverse("screening", args=[first.pk]) in page
    assert not Subject.objects.filter(screening_number="S-902").exists()
    assert AuditEntry.objects.filter(form="registration").count() == 1
