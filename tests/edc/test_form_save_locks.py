"""The save's one locked read, written in SQL (issue 19), locks what the ORM's two reads locked.

PostgreSQL only (SQLite locks the whole database for a writer): a second connection, as
another worker's, finds the visit's, subject's and form's rows locked and the site's free;
and a save that waited for the visit while another save created the form finds that form
(its row came after the read's snapshot was taken), so it is refused as the second of two
rather than failing on the one-form-per-CRF constraint.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection, connections, transaction

from lupustrial.edc.demo import load_demo
from lupustrial.edc.study import services
from lupustrial.edc.study.models import FormData, Visit
from tests.edc.postgresql import require_postgresql


@pytest.fixture
def other(transactional_db: None) -> Iterator[psycopg.Connection[Any]]:
    """The demo, committed, and a second connection to its database (another worker's)."""
    if connection.vendor != "postgresql":
        require_postgresql()  # skips, or fails under CI (it would also put back the
        # TRUNCATE guards, which this committed test's flush needs lifted: conftest.py)
    load_demo()
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as second:
        yield second


def _locked(other: psycopg.Connection[Any], table: str, pk: int) -> bool:
    try:
        other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [pk])
    except psycopg.errors.LockNotAvailable:
        return True
    return False


def test_the_read_locks_the_visit_subject_and_form_not_the_site(
    other: psycopg.Connection[Any],
) -> None:
    visit = Visit.objects.select_related("subject").get(
        subject__screening_number="S-001", code="W12"
    )
    form = FormData.objects.get(visit=visit, crf="vitals")
    with transaction.atomic():
        locked_visit, locked_form = services.lock_for_save(visit.pk, "vitals")
        assert (locked_visit.pk, locked_form.pk if locked_form else None) == (visit.pk, form.pk)
        assert _locked(other, "study_visit", visit.pk)
        assert _locked(other, "study_subject", visit.subject_id)
        assert _locked(other, "study_formdata", form.pk)
        assert not _locked(other, "accounts_site", visit.subject.site_id)
    assert not _locked(other, "study_visit", visit.pk)


def test_a_form_created_while_the_read_waited_is_found(other: psycopg.Connection[Any]) -> None:
    visit = Visit.objects.get(subject__screening_number="S-101", code="W4")
    template = FormData.objects.filter(visit__subject=visit.subject).first()
    assert template is not None
    assert not FormData.objects.filter(visit=visit, crf="vitals").exists()
    found: dict[str, Any] = {}

    def save_waiting_for_the_visit() -> None:
        try:
            with transaction.atomic():
                found["form"] = services.lock_for_save(visit.pk, "vitals").form
        except BaseException as error:  # shown by the test's assertion
            found["error"] = error
            raise
        finally:
            connections.close_all()

    with other.transaction():
        other.execute("SELECT 1 FROM study_visit WHERE id = %s FOR UPDATE", [visit.pk])
        waiting = threading.Thread(target=save_waiting_for_the_visit)
        waiting.start()
        for _ in range(200):  # until the read waits for the visit's lock
            row = other.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
            if row and row[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the save never waited for the visit's lock: {found}")
        other.execute(
            "INSERT INTO study_formdata (visit_id, crf, data, not_done_reason, version, "
            "updated_at, updated_by_id, locked) VALUES (%s, 'vitals', '{}', '', 1, now(), %s, "
            "false)",
            [visit.pk, template.updated_by_id],
        )
    waiting.join(timeout=30)
    form = found.get("form")
    assert form is not None, "the form another save created was not read"
    assert (form.crf, form.version) == ("vitals", 1)
