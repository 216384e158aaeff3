"""The raw record models reject inconsistent records with a message naming the problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from lupustrial.clinical.sledai2k import Sledai2kInput, Sledai2kLabs
from lupustrial.dataset.records import (
    AdverseEvent,
    AdverseEventVersion,
    Assessment,
    ScreeningDecision,
    StudyRecords,
    StudySite,
    Subject,
    Visit,
    VisitCode,
)
from lupustrial.protocol.schedule import SCHEDULE

DAY = dt.date(2024, 3, 1)


def subject(**changes: Any) -> dict[str, Any]:
    return {
        "subject_id": "S1",
        "site": "A",
        "status": "completed",
        "enrolment_date": DAY,
        **changes,
    }


def test_visit_codes_follow_the_protocol_schedule() -> None:
    assert [v.value for v in VisitCode][:-1] == [v.code for v in SCHEDULE]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "withdrawn"}, "withdrawal_date and withdrawal_reason"),
        ({"withdrawal_reason": "moved"}, "status is completed"),
        ({"enrolment_date": None}, "needs an enrolment_date"),
        ({"consent_date": DAY + dt.timedelta(days=1)}, "enrolment_date .* is before consent_date"),
        ({"first_infusion_date": DAY - dt.timedelta(days=1)}, "first_infusion_date"),
        ({"status": "on_study"}, "status"),
    ],
)
def test_subject_consistency(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Subject.model_validate(subject(**changes))


def test_age_from_birth_year_when_not_recorded() -> None:
    s = Subject.model_validate(subject(birth_year=1980, consent_date=DAY))
    assert s.age() == 44
    assert Subject.model_validate(subject()).age() is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "ineligible"}, "must list its failing_criteria"),
        ({"decision": "eligible", "failing_criteria": ["I3"]}, "cannot have failing_criteria"),
        ({"decision": "ineligible", "failing_criteria": ["I9"]}, "unknown criterion id"),
    ],
)
def test_screening_decision(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ScreeningDecision.model_validate({"screening_number": "1", "site": "A", **data})


def test_missed_visit_needs_reason_and_no_date() -> None:
    with pytest.raises(ValidationError, match="missed_reason"):
        Visit(subject_id="S1", visit=VisitCode.W4, missed=True)
    with pytest.raises(ValidationError, match="needs its date"):
        Visit(subject_id="S1", visit=VisitCode.W4)


def test_labs_live_in_one_place() -> None:
    with pytest.raises(ValidationError, match="laboratory results go in the labs form"):
        Assessment(
            subject_id="S1",
            visit=VisitCode.W0,
            date=DAY,
            sledai2k=Sledai2kInput(labs=Sledai2kLabs()),
        )


def test_adverse_event_consistency() -> None:
    base: dict[str, Any] = {
        "subject_id": "S1", "event_id": "AE-001", "term": "Zoster", "onset_date": DAY,
        "ctcae_grade": 2, "serious": False,
    }  # fmt: skip
    with pytest.raises(ValidationError, match="herpes_zoster is an infection"):
        AdverseEvent.model_validate({**base, "herpes_zoster": True})
    with pytest.raises(ValidationError, match="grade 5"):
        AdverseEvent.model_validate({**base, "ctcae_grade": 5})
    with pytest.raises(ValidationError, match="ctcae_grade"):
        AdverseEvent.model_validate({**base, "ctcae_grade": 6})


def test_links_are_checked() -> None:
    s = Subject.model_validate(subject())
    with pytest.raises(ValidationError, match="duplicate subject_id S1"):
        StudyRecords(subjects=[s, s])
    with pytest.raises(ValidationError, match=r"visits\[0\]: unknown subject_id S2"):
        StudyRecords(subjects=[s], visits=[Visit(subject_id="S2", visit=VisitCode.W0, date=DAY)])
    with pytest.raises(ValidationError, match="no visit W0 on 2024-03-01 for subject S1"):
        StudyRecords(
            subjects=[s], assessments=[Assessment(subject_id="S1", visit=VisitCode.W0, date=DAY)]
        )
    with pytest.raises(ValidationError, match="visit W0 recorded 2 times"):
        StudyRecords(
            subjects=[s],
            visits=[
                Visit(subject_id="S1", visit=VisitCode.W0, date=DAY),
                Visit(subject_id="S1", visit=VisitCode.W0, date=DAY + dt.timedelta(days=1)),
            ],
        )
    with pytest.raises(ValidationError, match="screening_number X has no screening decision"):
        StudyRecords(subjects=[Subject.model_validate(subject(screening_number="X"))])


def test_an_adverse_event_keeps_every_version_and_is_named_once() -> None:
    s = Subject.model_validate(subject())
    site = [StudySite(code="A", time_zone="Asia/Tokyo")]
    state: dict[str, Any] = {
        "subject_id": "S1", "event_id": "AE-001", "term": "Zoster", "onset_date": DAY,
        "ctcae_grade": 2, "serious": False,
    }  # fmt: skip
    first = AdverseEventVersion(**state, version=1, recorded_on=DAY)
    second = AdverseEventVersion(**{**state, "ctcae_grade": 3}, version=2, recorded_on=DAY)
    event = AdverseEvent(**{**state, "ctcae_grade": 3}, version=2)
    StudyRecords(
        sites=site, subjects=[s], adverse_events=[event], adverse_event_versions=[first, second]
    )
    StudyRecords(
        sites=site, subjects=[s], adverse_events=[event]
    )  # a source that keeps no versions
    with pytest.raises(ValidationError, match=r"at version 2 but versions \[1\] are given"):
        StudyRecords(
            sites=site, subjects=[s], adverse_events=[event], adverse_event_versions=[first]
        )
    with pytest.raises(ValidationError, match="AE-001 differs from its last version"):
        StudyRecords(
            sites=site,
            subjects=[s],
            adverse_events=[event],
            adverse_event_versions=[first, second.model_copy(update={"ctcae_grade": 4})],
        )
    with pytest.raises(ValidationError, match="adverse event AE-001 recorded 2 times"):
        StudyRecords(sites=site, subjects=[s], adverse_events=[event, event])
    with pytest.raises(ValidationError, match="S1 AE-002 is not an event"):
        StudyRecords(
            sites=site,
            subjects=[s],
            adverse_events=[event],
            adverse_event_versions=[first, second, first.model_copy(update={"event_id": "AE-002"})],
        )


def test_json_round_trip() -> None:
    from lupustrial.dataset.demo import demo_records

    records = demo_records()
    assert StudyRecords.model_validate_json(records.model_dump_json()) == records
