"""Adverse events as their own records (issue 13, finding 4): a stable identity, recorded at a
visit or between visits, every version kept (`versions_of`), no (term, onset) de-duplication."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.export import database_records
from lupustrial.edc.study import adverse_events as ae
from lupustrial.edc.study import services
from lupustrial.edc.study.models import AdverseEvent, RecordVersion, Subject
from lupustrial.edc.study.versions import versions_of

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _tky() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _event(**changes: Any) -> dict[str, Any]:
    subject = _tky()
    assert subject.first_infusion_date is not None
    onset = subject.first_infusion_date + dt.timedelta(days=12)
    return {
        "term": "Herpes zoster",
        "onset": onset.isoformat(),
        "grade": 2,
        "serious": False,
        "related": "possible",
        "outcome": "not recovered",
        "infection": True,
        "herpes_zoster": True,
        **changes,
    }


def test_an_event_recorded_between_visits_gets_an_identity_and_a_first_version() -> None:
    event = ae.record_adverse_event(_user("coordinator"), _tky(), _event())
    assert event.label == "AE-001"
    assert event.visit is None  # between visits
    [version] = versions_of(event)
    assert version.number == 1
    assert version.data["term"] == "Herpes zoster"
    assert version.saved_by == "coordinator"
    assert version.audit_seq is not None
    entry = AuditEntry.objects.get(seq=version.audit_seq)
    assert (entry.form, entry.subject, entry.field.split(".")[0]) == (
        "adverse_event",
        "TKY-001",
        "AE-001",
    )


SERIOUS = {"serious": True, "seriousness_criteria": ["hospitalisation"]}


def _aware(days: int = 14) -> str:
    subject = _tky()
    assert subject.first_infusion_date is not None
    return (subject.first_infusion_date + dt.timedelta(days=days)).isoformat()


def test_a_new_serious_version_needs_the_aware_date_and_the_criteria() -> None:
    coordinator = _user("coordinator")
    event = ae.record_adverse_event(coordinator, _tky(), _event())
    with pytest.raises(ae.IncompleteEventError, match="aware_date") as refused:
        ae.update_adverse_event(coordinator, event, _event(serious=True), 1, "worse")
    assert refused.value.field == "aware_date"
    with pytest.raises(ae.IncompleteEventError, match="seriousness_criteria"):
        ae.update_adverse_event(
            coordinator, event, _event(serious=True, aware_date=_aware()), 1, "worse"
        )
    ae.update_adverse_event(coordinator, event, _event(**SERIOUS, aware_date=_aware()), 1, "worse")
    assert [v.data["serious"] for v in versions_of(event)] == [False, True]


def test_every_version_of_an_event_is_kept() -> None:
    coordinator = _user("coordinator")
    event = ae.record_adverse_event(coordinator, _tky(), _event())
    event = ae.update_adverse_event(
        coordinator,
        event,
        _event(grade=3, **SERIOUS, aware_date=_aware()),
        version=1,
        reason="worsened",
    )
    end = dt.date.fromisoformat(_event()["onset"]) + dt.timedelta(days=9)
    event = ae.update_adverse_event(
        coordinator,
        event,
        _event(
            grade=3, **SERIOUS, aware_date=_aware(), outcome="recovered", end_date=end.isoformat()
        ),
        version=2,
        reason="resolved",
    )
    versions = versions_of(event)
    assert [v.number for v in versions] == [1, 2, 3]
    assert [v.data["grade"] for v in versions] == [2, 3, 3]
    assert [v.data["outcome"] for v in versions] == ["not recovered", "not recovered", "recovered"]
    assert [v.reason for v in versions] == ["", "worsened", "resolved"]
    assert versions[-1].data["end_date"] == end.isoformat()
    assert event.version == 3
    assert event.data == versions[-1].data
    # each version names the trail entries written with it, in the same transaction
    assert all(
        v.audit_seq is not None and AuditEntry.objects.filter(seq=v.audit_seq).exists()
        for v in versions
    )


def test_a_save_over_a_newer_version_is_refused_and_a_change_needs_a_reason() -> None:
    coordinator = _user("coordinator")
    event = ae.record_adverse_event(coordinator, _tky(), _event())
    with pytest.raises(services.RuleError):
        ae.update_adverse_event(coordinator, event, _event(grade=3), version=1, reason="")
    ae.update_adverse_event(coordinator, event, _event(grade=3), version=1, reason="worse")
    with pytest.raises(services.ConflictError):
        ae.update_adverse_event(coordinator, event, _event(grade=4), version=1, reason="stale")
    assert [v.data["grade"] for v in versions_of(event)] == [2, 3]


def test_an_invalid_event_is_refused_with_nothing_saved() -> None:
    with pytest.raises(services.RuleError, match="fatal"):
        ae.record_adverse_event(_user("coordinator"), _tky(), _event(grade=5))
    assert not AdverseEvent.objects.exists()
    assert not RecordVersion.objects.filter(kind="adverse_event").exists()


def test_the_statistician_may_not_record_an_event() -> None:
    with pytest.raises(services.NotAllowedError):
        ae.record_adverse_event(_user("statistician"), _tky(), _event())


def test_an_event_at_a_visit_names_the_visit() -> None:
    subject = _tky()
    w4 = subject.visits.get(code="W4")
    event = ae.record_adverse_event(_user("coordinator"), subject, _event(), visit=w4)
    assert event.visit == w4
    assert versions_of(event)[0].visit == "W4"


def test_two_events_with_the_same_term_and_onset_are_two_records_in_the_export() -> None:
    coordinator = _user("coordinator")
    first = ae.record_adverse_event(coordinator, _tky(), _event())
    second = ae.record_adverse_event(coordinator, _tky(), _event(grade=1, herpes_zoster=False))
    assert (first.label, second.label) == ("AE-001", "AE-002")
    rows = [e for e in database_records().adverse_events if e.subject_id == "TKY-001"]
    assert [(e.event_id, e.ctcae_grade) for e in rows] == [("AE-001", 2), ("AE-002", 1)]


def test_the_export_holds_the_latest_state_and_every_version() -> None:
    coordinator = _user("coordinator")
    event = ae.record_adverse_event(coordinator, _tky(), _event())
    ae.update_adverse_event(coordinator, event, _event(grade=3), version=1, reason="worse")
    records = database_records()
    [latest] = [e for e in records.adverse_events if e.subject_id == "TKY-001"]
    assert (latest.event_id, latest.ctcae_grade, latest.version) == ("AE-001", 3, 2)
    history = [v for v in records.adverse_event_versions if v.subject_id == "TKY-001"]
    assert [(v.event_id, v.version, v.ctcae_grade) for v in history] == [
        ("AE-001", 1, 2),
        ("AE-001", 2, 3),
    ]


def test_a_locked_casebook_refuses_a_new_event() -> None:
    subject = _tky()
    services.set_casebook_lock(_user("datamanager"), subject, True)
    with pytest.raises(services.RuleError):
        ae.record_adverse_event(_user("coordinator"), subject, _event())


def test_form_versions_are_kept_by_the_same_mechanism() -> None:
    subject = _tky()
    w4 = subject.visits.get(code="W4")
    form = w4.forms.get(crf="vitals")
    data = dict(form.data)
    data["systolic_mmhg"] = 141
    saved = services.save_form(
        _user("coordinator"), w4, "vitals", data, version=form.version, reason="re-measured"
    )
    versions = versions_of(saved)
    assert versions[-1].number == saved.version
    assert versions[-1].data["systolic_mmhg"] == 141
    assert versions[-1].reason == "re-measured"


def _posted(data: dict[str, Any]) -> dict[str, str]:
    return {
        key: ("true" if value is True else "false" if value is False else str(value))
        for key, value in data.items()
    }


def test_the_pages_record_an_event_between_visits_change_it_and_show_its_history() -> None:
    from django.urls import reverse

    from tests.edc.clients import login

    subject = _tky()
    client = login("coordinator")
    response = client.post(reverse("adverse_event_new", args=[subject.pk]), _posted(_event()))
    event = AdverseEvent.objects.get(subject=subject)
    assert response.status_code == 302
    assert response["Location"] == reverse("adverse_event", args=[event.pk])
    w8 = subject.visits.get(code="W8")
    changed = {
        **_posted(_event(grade=3, serious=True, aware_date=_aware())),
        "seriousness_criteria": "hospitalisation",
    }
    refused = client.post(
        reverse("adverse_event", args=[event.pk]), {**changed, "version": "1", "reason": ""}
    )
    assert "A reason is required" in refused.content.decode()
    client.post(
        reverse("adverse_event", args=[event.pk]) + f"?visit={w8.pk}",
        {**changed, "version": "1", "reason": "worsened", "visit": str(w8.pk)},
    )
    page = client.get(reverse("adverse_event", args=[event.pk])).content.decode()
    assert 'id="event-id">AE-001<' in page
    assert "worsened" in page
    assert [v.visit for v in versions_of(event)] == ["", "W8"]
    listing = client.get(reverse("subject", args=[subject.pk])).content.decode()
    assert reverse("adverse_event", args=[event.pk]) in listing
    assert "AE-001" in listing
    investigator = _user("investigator")
    investigator.staff.language = "ja"  # the user's own language (accounts middleware)
    investigator.staff.save(update_fields=["language"])
    response = login("investigator").get(reverse("adverse_event", args=[event.pk]))
    japanese = response.content.decode()
    assert "有害事象" in japanese
    assert "履歴" in japanese


def test_the_api_records_an_event_changes_it_and_lists_every_version() -> None:
    from tests.edc.clients import login

    subject = _tky()
    client = login("coordinator")
    created = client.post(
        f"/api/subjects/{subject.pk}/adverse-events",
        {"data": _event()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    event = created.json()
    assert (event["event_id"], event["version"], event["visit"]) == ("AE-001", 1, None)
    url = f"/api/adverse-events/{event['id']}"
    w8 = subject.visits.get(code="W8")
    worse = {"data": _event(grade=3), "version": 1, "reason": "worse", "visit": w8.pk}
    assert client.put(url, worse, content_type="application/json").json()["version"] == 2
    stale = client.put(url, {**worse, "reason": "again"}, content_type="application/json")
    assert stale.status_code == 409
    incomplete = client.put(
        url,
        {"data": _event(serious=True), "version": 2, "reason": "serious"},
        content_type="application/json",
    )
    assert incomplete.status_code == 422
    assert incomplete.json()["field"] == "aware_date"
    versions = client.get(f"{url}/versions").json()
    assert [(v["number"], v["data"]["grade"], v["visit"]) for v in versions] == [
        (1, 2, None),
        (2, 3, "W8"),
    ]
    assert versions[1]["reason"] == "worse"
    listed = client.get(f"/api/subjects/{subject.pk}/adverse-events").json()
    assert [e["event_id"] for e in listed] == ["AE-001"]
    assert login("statistician").get(url).status_code == 403
