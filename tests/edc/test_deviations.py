"""The deviation log (issue 17): recorded, changed, closed and suggested through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.deviations import services
from lupustrial.edc.deviations.models import Deviation, SuggestionDecision
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import Subject, Visit
from lupustrial.edc.study.services import NotAllowedError
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _tokyo() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _osaka() -> Subject:
    return Subject.objects.get(screening_number="S-101")


def _record(who: str = "coordinator", **changes: Any) -> Deviation:
    subject = _tokyo()
    values: dict[str, Any] = {
        "category": "visit_window",
        "occurred_on": subject.site.today() - dt.timedelta(days=3),
        "description": "W8 done a day late: the patient was away",
        "serious": False,
        **changes,
    }
    return services.record_deviation(_user(who), subject, **values)


def test_site_staff_record_a_deviation_numbered_per_site_and_audited() -> None:
    deviation = _record()
    assert deviation.number == "DEV-TKY-001"
    assert _record().number == "DEV-TKY-002"
    (entry, _second) = AuditEntry.objects.filter(form="deviation").order_by("seq")
    assert entry.actor == "coordinator"
    assert entry.field == "DEV-TKY-001"
    assert entry.subject == _tokyo().label
    assert '"category": "visit_window"' in entry.new_value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "late"}, "category"),
        ({"occurred_on": None}, "occurred_on"),
        ({"description": "  "}, "description"),
        ({"serious": None}, "serious"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(services.DeviationInputError) as refused:
        _record(**changes)
    assert refused.value.field == field
    assert not Deviation.objects.exists()
    assert not AuditEntry.objects.filter(form="deviation").exists()


def test_a_deviation_dated_today_at_the_site_is_accepted_tomorrow_is_not() -> None:
    today = _tokyo().site.today()
    assert _record(occurred_on=today).occurred_on == today
    with pytest.raises(services.DeviationInputError) as refused:
        _record(occurred_on=today + dt.timedelta(days=1))
    assert refused.value.field == "occurred_on"


def test_roles_without_the_right_or_the_site_are_refused() -> None:
    with pytest.raises(NotAllowedError):
        _record("statistician")
    with pytest.raises(NotAllowedError):
        _record("datamanager")
    with pytest.raises(NotAllowedError):
        _record("osaka")  # an investigator of another site
    assert _record("monitor").recorded_by.get_username() == "monitor"
    with pytest.raises(NotAllowedError):  # the review-board report is the investigator's
        _record(reported_to_board_on=_tokyo().site.today())


def test_closing_needs_the_corrective_action_and_a_serious_one_the_board_report() -> None:
    deviation = _record(serious=True, category="eligibility", description="E4 missed")
    with pytest.raises(NotAllowedError):
        services.close_deviation(_user("coordinator"), deviation, deviation.version)
    investigator = _user("investigator")
    with pytest.raises(services.DeviationInputError) as refused:
        services.close_deviation(investigator, deviation, deviation.version)
    assert refused.value.field == "corrective_action"
    deviation = services.update_deviation(
        _user("coordinator"), deviation, deviation.version, "CAPA agreed",
        corrective_action="subject withdrawn", preventive_action="second check of labs",
    )  # fmt: skip
    with pytest.raises(services.DeviationInputError) as refused:
        services.close_deviation(investigator, deviation, deviation.version)
    assert refused.value.field == "reported_to_board_on"
    with pytest.raises(services.DeviationInputError) as refused:  # before it happened
        services.update_deviation(
            investigator, deviation, deviation.version, "reported",
            reported_to_board_on=deviation.occurred_on - dt.timedelta(days=1),
        )  # fmt: skip
    assert refused.value.field == "reported_to_board_on"
    deviation = services.update_deviation(
        investigator, deviation, deviation.version, "reported",
        reported_to_board_on=deviation.occurred_on,
    )  # fmt: skip
    closed = services.close_deviation(investigator, deviation, deviation.version)
    assert closed.closed
    assert closed.closed_by == investigator
    with pytest.raises(services.DeviationInputError) as refused:
        services.update_deviation(
            investigator, closed, closed.version, "late", description="changed"
        )
    assert refused.value.field == "closed"
    changes = AuditEntry.objects.filter(form="deviation", action="update")
    assert {e.field for e in changes} >= {
        f"{closed.number}.corrective_action",
        f"{closed.number}.reported_to_board_on",
        f"{closed.number}.closed",
    }


def test_a_change_needs_a_reason_and_the_current_version() -> None:
    deviation = _record()
    user = _user("coordinator")
    with pytest.raises(services.DeviationInputError) as refused:
        services.update_deviation(user, deviation, deviation.version, " ", serious=True)
    assert refused.value.field == "reason"
    services.update_deviation(user, deviation, deviation.version, "re-assessed", serious=True)
    with pytest.raises(services.DeviationInputError) as refused:
        services.update_deviation(user, deviation, deviation.version, "again", serious=False)
    assert refused.value.field == "version"
    assert Deviation.objects.get().serious is True


# -- suggested deviations --------------------------------------------------------------------


def _keys(who: str) -> set[str]:
    return {s.key for s in services.pending(_user(who))}


def test_the_overdue_visit_is_suggested_at_its_site_only() -> None:
    key = f"visit_window:{_osaka().label}:W4"
    assert key in _keys("osaka")
    assert key not in _keys("investigator")
    assert key in _keys("monitor")


def test_dismissing_needs_a_reason_and_a_decision_is_remembered() -> None:
    key = f"visit_window:{_osaka().label}:W4"
    with pytest.raises(services.DeviationInputError) as refused:
        services.dismiss_suggestion(_user("osaka"), key, "")
    assert refused.value.field == "reason"
    assert not SuggestionDecision.objects.exists()
    services.dismiss_suggestion(_user("osaka"), key, "the visit was held; date not yet entered")
    assert key not in _keys("osaka")
    with pytest.raises(services.DeviationInputError):
        services.dismiss_suggestion(_user("osaka"), key, "twice")
    entry = AuditEntry.objects.get(form="deviation_suggestion")
    assert entry.reason == "the visit was held; date not yet entered"


def test_confirming_a_suggestion_puts_the_finding_in_the_log() -> None:
    key = f"visit_window:{_osaka().label}:W4"
    with pytest.raises(services.DeviationInputError) as refused:
        services.confirm_suggestion(_user("osaka"), key, serious=None)
    assert refused.value.field == "serious"
    assert not Deviation.objects.exists()
    assert not SuggestionDecision.objects.exists()
    deviation = services.confirm_suggestion(_user("osaka"), key, serious=False)
    assert deviation.category == "visit_window"
    assert deviation.suggestion_key == key
    assert "W4 not done" in deviation.description
    assert deviation.occurred_on == Visit.objects.get(subject=_osaka(), code="W4").window_end
    assert key not in _keys("osaka")


def test_a_correction_that_voids_the_enrolment_signature_is_shown_on_the_dashboard() -> None:
    subject = _tokyo()
    data = dict(subject.screening or {})
    data["alt"] = {"value": 150, "unit": "U/L"}  # E4: ALT ≥ 100 U/L excludes
    study.save_screening(
        _user("coordinator"), subject, data, subject.screening_version, reason="transcription"
    )
    keys = _keys("investigator")
    assert f"enrolled_not_eligible:{subject.label}" in keys
    assert any(k.startswith(f"signature_voided:{subject.label}:") for k in keys)
    page = login("investigator").get(reverse("home")).content.decode()
    assert "now ineligible (E4)" in page
    assert "has not been given again" in page


def test_a_prohibited_medication_recorded_at_a_visit_is_suggested() -> None:
    subject = _tokyo()
    visit = subject.visits.get(code="W8")
    assert visit.date is not None
    assert not visit.forms.filter(crf="medications").exists()
    data = {"medications": [{"drug": "Rituximab", "start_date": visit.date.isoformat()}]}
    study.save_form(_user("coordinator"), visit, "medications", data, 0)
    (found,) = [s for s in services.pending(_user("investigator")) if s.subject == subject.label
                and s.category.value == "prohibited_medication"]  # fmt: skip
    assert found.occurred_on == visit.date
    assert "Rituximab recorded at W8" in found.description


def test_consent_dated_after_the_screening_sledai_is_suggested() -> None:
    candidate = Subject.objects.get(screening_number="S-003")
    screening = study.screening_record(candidate)
    assert screening is not None
    assert screening.screening_sledai2k is not None
    sledai_day = screening.screening_sledai2k.date
    assert sledai_day is not None
    # Midnight at the site: the day after is the site's today in the demo, and any later hour
    # of it would be a consent in the future (refused) between midnight and that hour.
    at = dt.datetime.combine(sledai_day + dt.timedelta(days=1), dt.time(0), candidate.site.zone)
    study.record_consent(_user("coordinator"), candidate, "1.0", at)
    found = [s for s in services.pending(_user("coordinator")) if s.subject == candidate.label]
    assert [s.category.value for s in found] == ["consent"]
    assert f"screening SLEDAI-2K {sledai_day.isoformat()}" in found[0].description


# -- pages -------------------------------------------------------------------------------------


def test_record_a_deviation_on_the_page_and_see_it_in_the_log() -> None:
    subject = _tokyo()
    client = login("coordinator")
    url = reverse("deviation_new", args=[subject.pk])
    bad = client.post(url, {"category": "dosing", "occurred_on": "2999-01-01",
                            "description": "300 mg given twice", "serious": "no"})  # fmt: skip
    assert bad.status_code == 200
    assert "The date is in the future at the site." in bad.content.decode()
    assert not Deviation.objects.exists()
    day = subject.site.today().isoformat()
    done = client.post(url, {"category": "dosing", "occurred_on": day,
                             "description": "300 mg given twice", "serious": "no"})  # fmt: skip
    deviation = Deviation.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("deviation", args=[deviation.pk])
    log = client.get(reverse("deviations")).content.decode()
    assert "DEV-TKY-001" in log
    assert "study drug dose or interval" in log


def test_the_pages_in_japanese_and_refused_roles() -> None:
    client = login("investigator", "ja")
    page = client.get(reverse("deviations")).content.decode()
    assert "逸脱" in page or "不適合" in page
    assert "併用禁止薬の使用" in page
    assert login("statistician").get(reverse("deviations")).status_code == 403
    subject = _tokyo()
    assert login("datamanager").get(reverse("deviation_new", args=[subject.pk])).status_code == 403


def test_decide_on_the_page() -> None:
    client = login("osaka")
    key = f"visit_window:{_osaka().label}:W4"
    refused = client.post(reverse("deviation_decide"), {"key": key, "decision": "dismiss"})
    assert refused.status_code == 302
    assert not SuggestionDecision.objects.exists()
    client.post(reverse("deviation_decide"), {"key": key, "decision": "confirm", "serious": "no"})
    assert Deviation.objects.get().suggestion_key == key


def test_deviations_reach_the_dataset_snapshot() -> None:
    from lupustrial.dataset.tables import build_tables
    from lupustrial.edc.export import database_records

    deviation = _record(corrective_action="re-trained", preventive_action="checklist")
    services.close_deviation(_user("investigator"), deviation, deviation.version)
    (row,) = build_tables(database_records())["deviations"]
    assert row == {
        "subject_id": _tokyo().label,
        "number": "DEV-TKY-001",
        "category": "visit_window",
        "occurred_on": deviation.occurred_on,
        "description": "W8 done a day late: the patient was away",
        "serious": False,
        "corrective_action": "re-trained",
        "preventive_action": "checklist",
        "reported_to_board_on": None,
        "closed_on": _tokyo().site.today(),
    }


def test_the_deviation_page_shows_the_times_at_the_site() -> None:
    deviation = _record()
    page = login("investigator").get(reverse("deviation", args=[deviation.pk]))
    assert page.status_code == 200
    local = deviation.recorded_at.astimezone(_tokyo().site.zone).strftime("%Y-%m-%d %H:%M")
    assert local in page.content.decode()


def test_an_infusion_off_the_protocols_dose_is_suggested() -> None:
    subject = _tokyo()
    assert not [s for s in services.pending(_user("investigator")) if s.category.value == "dosing"]
    visit = subject.visits.get(code="W8")
    form = visit.forms.get(crf="infusion")
    data = {**form.data, "dose": {"value": 150, "unit": "mg"}}
    study.save_form(_user("coordinator"), visit, "infusion", data, form.version, "corrected")
    (found,) = [s for s in services.pending(_user("investigator")) if s.category.value == "dosing"]
    assert found.subject == subject.label
    assert "150 mg instead of 300 mg" in found.description
