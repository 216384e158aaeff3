"""Safety reports through the services layer: generated, submitted, followed up, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.safety import services
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.services import NotAllowedError
from lupustrial.safety.events import SafetyEvent

pytestmark = pytest.mark.usefixtures("demo")

RULE = "CRB-15-unexpected-serious"


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _subject() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _event(subject: Subject, aware: dt.date | None = None) -> SafetyEvent:
    aware = aware or subject.site.today() - dt.timedelta(days=2)
    return SafetyEvent.model_validate(
        {
            "id": f"AE-{subject.label}-1",
            "subject_id": subject.label,
            "versions": [
                {
                    "aware_date": aware.isoformat(),
                    "term": {"verbatim": "pneumonia", "ctcae_code": 10021881,
                             "specified_code": 10035664},
                    "seriousness": ["hospitalisation"],
                    "causality": "possible",
                    "action_taken": "drug interrupted",
                }
            ],
        }
    )  # fmt: skip


def _trail(form: str = "safety_report") -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(form=form).order_by("seq"))


def test_investigator_generates_the_first_report_and_it_is_audited() -> None:
    subject = _subject()
    event = _event(subject)
    report = services.generate_report(_user("investigator"), subject, event, RULE)
    assert report.number == f"{event.id}/{RULE}/1"
    assert report.document["report"]["kind"] == "first"
    due = event.versions[0].aware_date + dt.timedelta(days=15)
    assert report.document["report"]["due"] == due.isoformat()
    (entry,) = _trail()
    assert entry.actor == "investigator"
    assert entry.field == report.number
    assert entry.subject == subject.label


def test_a_second_first_report_is_refused_and_a_follow_up_links_to_the_first() -> None:
    subject, user = _subject(), _user("investigator")
    event = _event(subject)
    first = services.generate_report(user, subject, event, RULE)
    with pytest.raises(services.SafetyInputError) as refused:
        services.generate_report(user, subject, event, RULE)
    assert refused.value.field == "follows"
    second = services.generate_report(user, subject, event, RULE, follows=first)
    third = services.generate_report(user, subject, event, RULE, follows=second)
    assert second.document["report"]["kind"] == "follow-up"
    assert third.follows == first  # the chain hangs from the first report
    assert third.number.endswith("/3")
    assert third.document["report"]["follows"]["number"] == first.number


def test_a_rule_that_does_not_apply_is_refused_naming_the_field_and_nothing_is_saved() -> None:
    subject = _subject()
    with pytest.raises(services.SafetyInputError) as refused:
        services.generate_report(_user("investigator"), subject, _event(subject), "CRB-7")
    assert refused.value.field == "rule"
    assert not SafetyReport.objects.exists()
    assert _trail() == []


@pytest.mark.parametrize("username", ["coordinator", "osaka", "datamanager", "monitor"])
def test_only_the_subjects_investigator_may_generate(username: str) -> None:
    subject = _subject()
    with pytest.raises(NotAllowedError):
        services.generate_report(_user(username), subject, _event(subject), RULE)


def test_submission_is_recorded_once_with_to_whom_when_and_by_whom() -> None:
    subject, user = _subject(), _user("investigator")
    report = services.generate_report(user, subject, _event(subject), RULE)
    today = subject.site.today()
    bad = [
        ("", today, "submitted_to"),
        ("certified review board", None, "submitted_on"),
        ("certified review board", today + dt.timedelta(days=1), "submitted_on"),
        ("certified review board", today - dt.timedelta(days=30), "submitted_on"),
    ]
    for to, on, field in bad:
        with pytest.raises(services.SafetyInputError) as refused:
            services.record_submission(user, report, to, on)
        assert refused.value.field == field
    report.refresh_from_db()
    assert not report.submitted
    done = services.record_submission(user, report, " Tokyo certified review board ", today)
    assert (done.submitted_to, done.submitted_on, done.submitted_by) == (
        "Tokyo certified review board",
        today,
        user,
    )
    with pytest.raises(services.SafetyInputError, match="already recorded"):
        services.record_submission(user, done, "again", today)
    assert _trail()[-1].field == f"{report.number}.submission"


def test_a_submitted_first_report_closes_its_clock_and_only_that_one() -> None:
    subject, user = _subject(), _user("investigator")
    event = _event(subject)
    assert [o.clock.rule.id for o in services.open_reports([event])] == [RULE, "PMDA-15"]
    report = services.generate_report(user, subject, event, RULE)
    assert len(services.open_reports([event])) == 2  # generated is not submitted
    services.record_submission(user, report, "certified review board", subject.site.today())
    assert [o.clock.rule.id for o in services.open_reports([event])] == ["PMDA-15"]
