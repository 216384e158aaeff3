"""Safety clocks from adverse events as recorded (every version): when the investigator learned
of it, upgrades that start clocks, the due list from the database, reports and submissions that
close clocks, the dashboard, and the scheduler's e-mails."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.safety import services
from lupustrial.edc.safety.jobs import send_notifications
from lupustrial.edc.safety.models import Notification
from lupustrial.edc.safety.recorded import event_key, recorded_events
from lupustrial.edc.study import adverse_events as ae
from lupustrial.edc.study.models import AdverseEvent, Subject
from lupustrial.edc.study.services import RuleError
from tests.commands import run

pytestmark = pytest.mark.usefixtures("demo")

RULE = "CRB-15-unexpected-serious"


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _tky() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _days_ago(days: int) -> dt.date:
    return _tky().site.today() - dt.timedelta(days=days)


def _pneumonia(**changes: Any) -> dict[str, Any]:
    """Pneumonia coded through CTCAE 'Other, specify': unexpected for anifrolumab."""
    return {
        "term": "pneumonia",
        "ctcae_code": 10021881,
        "specified_code": 10035664,
        "onset": _days_ago(20).isoformat(),
        "aware_date": _days_ago(19).isoformat(),
        "grade": 2,
        "serious": False,
        "related": "possible",
        "outcome": "not recovered",
        "infection": True,
        **changes,
    }


def _made_serious(aware_days_ago: int = 2) -> AdverseEvent:
    """Recorded non-serious 19 days ago; a second version: admitted, known ``aware_days_ago``."""
    coordinator = _user("coordinator")
    event = ae.record_adverse_event(coordinator, _tky(), _pneumonia())
    return ae.update_adverse_event(
        coordinator,
        event,
        _pneumonia(
            grade=3,
            serious=True,
            seriousness_criteria=["hospitalisation"],
            aware_date=_days_ago(aware_days_ago).isoformat(),
        ),
        version=1,
        reason="admitted to hospital",
    )


def _clocks(user: str = "investigator") -> list[tuple[str, str, dt.date, int | None]]:
    return [
        (c.open.event_id, c.open.clock.rule.id, c.open.clock.day_zero, c.days_left)
        for c in services.open_clocks_for(_user(user))
    ]


def test_a_non_serious_event_starts_no_expedited_clock() -> None:
    ae.record_adverse_event(_user("coordinator"), _tky(), _pneumonia())
    assert _clocks() == []


def test_the_version_that_makes_it_serious_starts_the_clocks_on_its_aware_date() -> None:
    event = _made_serious(aware_days_ago=2)
    key = event_key(event)
    assert key == "TKY-001-AE-001"
    assert _clocks() == [
        (key, RULE, _days_ago(2), 13),
        (key, "PMDA-15", _days_ago(2), 13),
    ]


def test_a_later_correction_keeps_the_deadline_and_death_starts_the_7_day_clock() -> None:
    coordinator = _user("coordinator")
    event = _made_serious(aware_days_ago=4)
    event = ae.update_adverse_event(
        coordinator,
        event,
        _pneumonia(
            grade=3,
            serious=True,
            seriousness_criteria=["hospitalisation"],
            aware_date=_days_ago(1).isoformat(),
            course="Antibiotics changed.",
        ),
        version=2,
        reason="course",
    )
    assert [c[2] for c in _clocks()] == [_days_ago(4), _days_ago(4)]  # same run: same day 0
    ae.update_adverse_event(
        coordinator,
        event,
        _pneumonia(
            grade=5,
            serious=True,
            seriousness_criteria=["death"],
            outcome="fatal",
            end_date=_days_ago(0).isoformat(),
            aware_date=_days_ago(0).isoformat(),
        ),
        version=3,
        reason="died",
    )
    assert [(rule, day0, left) for _key, rule, day0, left in _clocks()] == [
        ("CRB-7", _days_ago(0), 7),
        ("PMDA-7", _days_ago(0), 7),
    ]


def test_a_new_serious_version_needs_its_aware_date_and_criteria() -> None:
    coordinator = _user("coordinator")
    with pytest.raises(RuleError, match="aware_date"):
        ae.record_adverse_event(
            coordinator, _tky(), _pneumonia(serious=True, seriousness_criteria=["hospitalisation"],
                                            aware_date=None)
        )  # fmt: skip
    with pytest.raises(RuleError, match="seriousness_criteria"):
        ae.record_adverse_event(coordinator, _tky(), _pneumonia(serious=True))
    assert not AdverseEvent.objects.exists()


def test_the_monitor_sees_the_clocks_of_the_sites_they_see_only() -> None:
    _made_serious()
    assert _clocks("monitor")
    assert _clocks("osaka") == []


def test_report_generated_then_submitted_closes_the_clock_and_is_in_the_trail() -> None:
    event = _made_serious()
    investigator = _user("investigator")
    report = services.generate_event_report(investigator, event, RULE)
    assert report.number == f"TKY-001-AE-001/{RULE}/1"
    assert report.document["event"]["versions"] == 2
    assert report.document["report"]["day_zero"] == _days_ago(2).isoformat()
    [item] = [c for c in services.open_clocks_for(investigator) if c.open.clock.rule.id == RULE]
    assert item.report == report  # generated, awaiting submission: still open
    services.record_submission(investigator, report, "CRB of the University", _days_ago(0))
    assert [c[1] for c in _clocks()] == ["PMDA-15"]
    trail = [
        (e.form, e.action, e.field.split(".")[0])
        for e in AuditEntry.objects.filter(subject="TKY-001").order_by("seq")
        if e.form in ("adverse_event", "safety_report")
    ]
    assert ("safety_report", "create", report.number) in trail
    assert ("safety_report", "update", report.number) in trail
    assert trail[0][0] == "adverse_event"


def test_safety_due_reads_the_database(capsys: pytest.CaptureFixture[str]) -> None:
    _made_serious()
    today = _days_ago(0).isoformat()
    code, out, err = run(
        capsys, "safety", "due", "--source", "database", "--today", today, "-f", "json"
    )
    assert code == 0, err
    rows = [(r["event_id"], r["rule"], r["days_left"]) for r in json.loads(out)["open"]]
    assert rows == [("TKY-001-AE-001", RULE, 13), ("TKY-001-AE-001", "PMDA-15", 13)]
    code, _, err = run(capsys, "safety", "due", "x.json", "--source", "database")
    assert code == 2
    assert "not both" in err
    code, _, err = run(capsys, "safety", "due")
    assert code == 2
    assert "--source database" in err


def test_recorded_events_read_every_version_in_two_queries(
    django_assert_max_num_queries: Any,
) -> None:
    _made_serious()
    ae.record_adverse_event(_user("coordinator"), _tky(), _pneumonia(term="cough"))
    with django_assert_max_num_queries(3):  # events, versions, submitted reports
        found = recorded_events(Subject.objects.all())
    assert [(r.event.id, len(r.event.versions)) for r in found] == [
        ("TKY-001-AE-001", 2),
        ("TKY-001-AE-002", 1),
    ]


# -- the scheduler's e-mails ---------------------------------------------------------------


def _emails() -> None:
    for user in get_user_model().objects.all():
        user.email = f"{user.username}@example.org"
        user.save()


def test_a_new_serious_event_is_mailed_once_and_again_when_fatal() -> None:
    _emails()
    coordinator = _user("coordinator")
    event = ae.record_adverse_event(coordinator, _tky(), _pneumonia())
    now = dt.datetime.now(dt.UTC)
    assert send_notifications(now)["new_serious"] == 0  # not serious: no mail
    event = ae.update_adverse_event(
        coordinator,
        event,
        _pneumonia(serious=True, seriousness_criteria=["hospitalisation"], grade=3),
        version=1,
        reason="admitted",
    )
    assert send_notifications(now)["new_serious"] == 1
    serious = [m for m in mail.outbox if "Serious adverse event" in m.subject]
    assert sorted(m.to[0] for m in serious) == [
        "datamanager@example.org",
        "investigator@example.org",
    ]
    assert "TKY-001-AE-001" in serious[0].subject
    assert send_notifications(now)["new_serious"] == 0  # once
    ae.update_adverse_event(
        coordinator,
        event,
        _pneumonia(grade=5, serious=True, seriousness_criteria=["death"], outcome="fatal",
                   end_date=_days_ago(0).isoformat(), aware_date=_days_ago(0).isoformat()),
        version=2,
        reason="died",
    )  # fmt: skip
    assert send_notifications(now)["new_serious"] == 1
    assert Notification.objects.filter(key="new-serious:TKY-001-AE-001:death").exists()


def test_an_open_clock_due_within_48_hours_is_reminded_of_before_any_report() -> None:
    _emails()
    _made_serious(aware_days_ago=14)  # 15-day rules: due tomorrow at the site
    sent = send_notifications(dt.datetime.now(dt.UTC))
    assert sent["report_due_soon"] == 2  # the board's report and PMDA's
    reminders = [m for m in mail.outbox if m.subject.startswith("Safety report due")]
    assert {m.to[0] for m in reminders} == {"datamanager@example.org", "investigator@example.org"}
    assert send_notifications(dt.datetime.now(dt.UTC))["report_due_soon"] == 0


def test_the_snapshot_keeps_the_coding_and_reporting_facts_of_every_version(
    tmp_path: Any,
) -> None:
    from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
    from lupustrial.edc.export import database_records

    _made_serious(aware_days_ago=2)
    out = tmp_path / "snap"
    write_snapshot(database_records(), out, dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1))
    snapshot = read_snapshot(out)
    [latest] = list(snapshot.rows("adverse_events", subject_id="TKY-001"))
    assert (latest["ctcae_code"], latest["specified_code"]) == (10021881, 10035664)
    assert latest["aware_date"] == _days_ago(2)
    assert latest["seriousness_criteria"] == "hospitalisation"
    versions = sorted(
        snapshot.rows("adverse_event_versions", subject_id="TKY-001"), key=lambda r: r["version"]
    )
    assert [(v["aware_date"], v["seriousness_criteria"]) for v in versions] == [
        (_days_ago(19), None),
        (_days_ago(2), "hospitalisation"),
    ]
