"""E-mail notifications through Django's backend (locmem in tests): who, when, once, language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from lupustrial.edc.safety import notifications
from lupustrial.edc.safety.models import Notification

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 7, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _emails(people: dict[str, Any]) -> None:
    for username, user in people["users"].items():
        user.email = f"{username}@example.org"
        user.save()


def _serious(people: dict[str, Any], tier: str = "serious") -> notifications.SeriousEvent:
    return notifications.SeriousEvent(
        event_id="AE-TKY-001-1",
        subject_label="TKY-001",
        site=people["sites"]["TKY"],
        term="Pneumonia",
        tier=tier,
        aware_date=dt.date(2026, 3, 6),
    )


def test_new_serious_event_goes_to_the_site_investigator_and_data_manager_once(
    people: dict[str, Any],
) -> None:
    _emails(people)
    assert notifications.notify_new_serious(_serious(people), NOW)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "datamanager@example.org",
        "investigator@example.org",
    ]  # not the Osaka investigator, not the coordinator or monitor
    assert "Pneumonia" in mail.outbox[0].body
    assert not notifications.notify_new_serious(_serious(people), NOW)
    assert len(mail.outbox) == 2
    # the same event later fatal is news again
    assert notifications.notify_new_serious(_serious(people, "death"), NOW)
    assert len(mail.outbox) == 4


def test_each_person_reads_it_in_their_language(people: dict[str, Any]) -> None:
    _emails(people)
    profile = people["users"]["datamanager"].staff
    profile.language = "ja"
    profile.save()
    notifications.notify_new_serious(_serious(people), NOW)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["investigator@example.org"].subject.startswith("Serious adverse event")
    assert "重篤な有害事象" in by_address["datamanager@example.org"].subject


def _due(people: dict[str, Any], due: dt.date) -> notifications.DueReport:
    return notifications.DueReport(
        event_id="AE-TKY-001-1",
        subject_label="TKY-001",
        site=people["sites"]["TKY"],
        term="Pneumonia",
        rule_id="CRB-15-unexpected-serious",
        recipient="certified review board",
        due=due,
    )


def test_due_within_48_hours_is_counted_to_the_end_of_the_deadline_day_at_the_site(
    people: dict[str, Any],
) -> None:
    # due 9 March in Tokyo ends at 10 March 00:00 JST = 9 March 15:00 UTC
    report = _due(people, dt.date(2026, 3, 9))
    exactly_48h_before = dt.datetime(2026, 3, 7, 15, 0, tzinfo=dt.UTC)
    assert notifications.due_within(report, exactly_48h_before, 48)
    assert not notifications.due_within(report, exactly_48h_before - dt.timedelta(minutes=1), 48)
    end = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)
    assert notifications.due_within(report, end - dt.timedelta(minutes=1), 48)
    assert not notifications.due_within(report, end, 48)  # overdue: no longer "due soon"


def test_due_soon_is_sent_once_per_report_and_deadline(people: dict[str, Any]) -> None:
    _emails(people)
    report = _due(people, dt.date(2026, 3, 9))
    assert not notifications.notify_due_soon(report, NOW - dt.timedelta(days=1))
    assert mail.outbox == []
    assert notifications.notify_due_soon(report, NOW)
    assert len(mail.outbox) == 2
    assert "2026-03-09" in mail.outbox[0].subject
    assert not notifications.notify_due_soon(report, NOW + dt.timedelta(hours=1))
    assert len(mail.outbox) == 2


def test_a_refused_mail_records_nothing_so_the_next_run_retries(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _emails(people)

    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError("connection refused")

    monkeypatch.setattr(notifications, "send_mail", refuse)
    with pytest.raises(OSError, match="refused"):
        notifications.notify_new_serious(_serious(people), NOW)
    assert not Notification.objects.exists()
    monkeypatch.undo()
    assert notifications.notify_new_serious(_serious(people), NOW)


def test_weekly_digest_of_overdue_visits(demo: None) -> None:
    now = dt.datetime.now(dt.UTC)
    sent = notifications.send_overdue_digest(now)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert sent == len(recipients) >= 2
    assert "datamanager@example.org" in recipients
    digest = next(m for m in mail.outbox if m.to == ["datamanager@example.org"])
    assert "W4" in digest.body
    assert digest.subject.startswith("Overdue visits:")
    assert notifications.send_overdue_digest(now + dt.timedelta(minutes=5)) == 0
    assert notifications.send_overdue_digest(now + dt.timedelta(days=7)) == sent


def test_safety_notify_command_sends_through_the_configured_backend(
    demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.commands import run

    code, out, err = run(capsys, "safety", "notify")
    assert code == 0, err
    assert f"overdue_visits: {len(mail.outbox)} sent" in out
    assert len(mail.outbox) >= 2
    code, out, _ = run(capsys, "safety", "notify")
    assert "overdue_visits: 0 sent" in out


def test_a_generated_report_not_yet_submitted_is_reminded_48_hours_before_its_deadline(
    demo: None,
) -> None:
    from lupustrial.edc.safety.jobs import send_notifications
    from tests.edc.test_safety_reports_page import _generated

    report = _generated(days_ago=14)  # 15-day rule: the deadline is tomorrow at the site
    now = dt.datetime.now(dt.UTC)
    sent = send_notifications(now)
    assert sent["report_due_soon"] == 1
    reminders = [m for m in mail.outbox if m.subject.startswith("Safety report due")]
    assert sorted(m.to[0] for m in reminders) == [
        "datamanager@example.org",
        "investigator@example.org",
    ]
    assert report.number.split("/")[0] in reminders[0].subject
    assert send_notifications(now)["report_due_soon"] == 0


def test_a_submitted_report_is_not_reminded(demo: None) -> None:
    from django.contrib.auth import get_user_model

    from lupustrial.edc.safety import services
    from lupustrial.edc.safety.jobs import send_notifications
    from tests.edc.test_safety_reports_page import _generated

    report = _generated(days_ago=14)
    investigator = get_user_model().objects.get(username="investigator")
    services.record_submission(investigator, report, "CRB", report.subject.site.today())
    assert send_notifications(dt.datetime.now(dt.UTC))["report_due_soon"] == 0


def test_jobs_run_sends_the_safety_notifications_once_and_audits_the_run(
    demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from lupustrial.edc.audit.models import AuditEntry
    from tests.commands import run

    code, out, err = run(capsys, "jobs", "run")
    assert code == 0, err
    assert "safety-notifications: sent overdue_visits" in out
    assert len(mail.outbox) >= 2
    (entry,) = AuditEntry.objects.filter(action="job", field="safety-notifications")
    assert entry.actor == "scheduler"
    code, out, _ = run(capsys, "jobs", "run")
    assert "safety-notifications" not in out  # nothing new to send
    assert AuditEntry.objects.filter(action="job", field="safety-notifications").count() == 1


def test_an_unknown_email_backend_is_a_clear_error_naming_the_setting(tmp_path: Any) -> None:
    import os
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    command = shutil.which("lupustrial", path=str(Path(sys.executable).parent)) or "lupustrial"
    env = {**os.environ, "LUPUSTRIAL_EMAIL": "bogus", "LUPUSTRIAL_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [command, "safety", "notify"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "LUPUSTRIAL_EMAIL='bogus': one of console, file, smtp" in done.stderr
    assert "Traceback" not in done.stderr
