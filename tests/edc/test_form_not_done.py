"""Issue 18: a form declared "not done" with a reason (CDASH --STAT/--REASND).

Through the service with its trail (who, when, why; undone the same way), on the pages (form
page action, visit page, status grid, worklists), in the dataset and snapshot, the ODM and
REDCap exports, the reconciliation and the casebook.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.trail import decode_value
from lupustrial.edc.demo import _visit_forms
from lupustrial.edc.study import services
from lupustrial.edc.study.models import FormData, Visit
from lupustrial.edc.study.not_done import set_form_not_done
from lupustrial.edc.study.services import ConflictError, RuleError
from lupustrial.edc.study.worklists import FormState, form_state, worklists

pytestmark = pytest.mark.usefixtures("demo")

REASON = "Labs not drawn: the patient left before the blood draw"


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _osaka_w4() -> Visit:
    """S-101's week 4 (Osaka), taken place today with its vitals saved, nothing else."""
    w4 = Visit.objects.get(subject__screening_number="S-101", code="W4")
    assert w4.window_end is not None
    services.set_visit_date(_user("osaka"), w4, w4.window_end, w4.version)
    w4.refresh_from_db()
    services.save_form(_user("osaka"), w4, "vitals", _visit_forms(4, 20, True)["vitals"], 0)
    return w4


def _last_entry() -> AuditEntry:
    return AuditEntry.objects.filter(form="labs", field="not_done_reason").latest("seq")


def _labs_not_done() -> tuple[Visit, FormData]:
    w4 = _osaka_w4()
    return w4, set_form_not_done(_user("osaka"), w4, "labs", REASON, version=0)


def test_a_form_not_entered_is_declared_not_done_with_its_reason_in_the_trail() -> None:
    w4, form = _labs_not_done()
    assert form.not_done_reason == REASON
    assert form.data == {}
    entry = _last_entry()
    assert (entry.actor, decode_value(entry.new_value), entry.reason) == ("osaka", REASON, REASON)
    listed = [(m.visit.code, m.crf.code) for m in worklists(_user("osaka")).incomplete_forms]
    assert ("W4", "labs") not in listed
    assert ("W4", "sledai2k") in listed  # the others are still to enter
    assert form_state(w4, "labs", form, 0) is FormState.NOT_DONE


def test_not_done_needs_a_reason_and_refuses_a_form_with_values() -> None:
    w4 = _osaka_w4()
    with pytest.raises(RuleError):
        set_form_not_done(_user("osaka"), w4, "labs", "  ", version=0)
    vitals = FormData.objects.get(visit=w4, crf="vitals")
    with translation.override("en"), pytest.raises(RuleError, match="holds values"):
        set_form_not_done(_user("osaka"), w4, "vitals", REASON, version=vitals.version)
    with pytest.raises(services.NotAllowedError):
        set_form_not_done(_user("monitor"), w4, "labs", REASON, version=0)


def test_a_form_not_done_refuses_values_until_undone_with_a_reason() -> None:
    w4, form = _labs_not_done()
    labs = _visit_forms(4, 20, True)["labs"]
    with translation.override("en"), pytest.raises(RuleError, match="not done"):
        services.save_form(_user("osaka"), w4, "labs", labs, form.version, reason="drawn")
    with pytest.raises(ConflictError):  # a page opened before the form was created
        set_form_not_done(_user("osaka"), w4, "labs", REASON, version=0)
    with pytest.raises(RuleError):
        set_form_not_done(_user("osaka"), w4, "labs", "", form.version, not_done=False)
    undone = set_form_not_done(
        _user("osaka"), w4, "labs", "Drawn late the same day", form.version, not_done=False
    )
    assert undone.not_done_reason == ""
    entry = _last_entry()
    assert decode_value(entry.old_value) == REASON
    assert (decode_value(entry.new_value), entry.reason) == (None, "Drawn late the same day")
    listed = [(m.visit.code, m.crf.code) for m in worklists(_user("osaka")).incomplete_forms]
    assert ("W4", "labs") in listed  # to enter again
    saved = services.save_form(_user("osaka"), w4, "labs", labs, undone.version, reason="drawn")
    assert saved.data["platelets"]["value"] == 210


def test_audit_verify_reconciles_the_declaration_and_names_a_change_behind_the_app() -> None:
    from django.db import connection

    from lupustrial.edc.reconciliation import reconcile

    _w4, form = _labs_not_done()
    assert [d.line() for d in reconcile()] == []
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE study_formdata SET not_done_reason = %s WHERE id = %s", ["", form.pk]
        )
    [line] = [d.line() for d in reconcile()]
    assert "W4 labs" in line
    assert "not_done_reason" in line
    assert REASON in line


def test_the_odm_export_carries_the_declaration_and_its_undo_and_stays_valid() -> None:
    from lupustrial.edc.odm import odm_document
    from lupustrial.interop.odm.reader import read
    from lupustrial.interop.odm.schema import schema_errors

    w4, form = _labs_not_done()
    key = (w4.subject.screening_number, "W4", "", "labs")
    exported = odm_document()
    assert schema_errors(exported) == []
    replay = read(exported)
    assert replay.document(key) == {"not_done_reason": REASON}
    [change] = [c for c in replay.changes if c.form == key]
    assert (change.kind, change.user, change.reason) == ("Insert", "USR.osaka", REASON)
    set_form_not_done(_user("osaka"), w4, "labs", "drawn after all", form.version, not_done=False)
    replay = read(odm_document())
    assert not replay.document(key)
    assert [c.kind for c in replay.changes if c.form == key] == ["Insert", "Remove"]


def test_the_dataset_and_the_snapshot_carry_the_form_not_done(tmp_path: Path) -> None:
    from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
    from lupustrial.edc.export import database_records

    w4, _form = _labs_not_done()
    records = database_records()
    [assessment] = [
        a for a in records.assessments if a.subject_id == w4.subject.label and a.visit_id == "W4"
    ]
    assert assessment.labs is None
    assert assessment.forms_not_done == {"labs": REASON}
    cut = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    write_snapshot(records, tmp_path / "snap", cut, source="database")
    rows = [
        (r["crf"], r["field"], r["value_kind"], r["value_text"])
        for r in read_snapshot(tmp_path / "snap").rows(
            "form_values", subject_id=w4.subject.label, visit_id="W4"
        )
        if r["crf"] == "labs"
    ]
    assert rows == [("labs", "not_done_reason", "not_done", REASON)]


def test_the_form_page_declares_and_undoes_not_done_with_a_confirmation_en_and_ja() -> None:
    from django.urls import reverse

    from tests.edc.clients import login

    w4 = _osaka_w4()
    client = login("osaka")
    page = reverse("crf", args=[w4.pk, "labs"])
    action = reverse("crf_not_done", args=[w4.pk, "labs"])
    assert 'id="not-done"' in client.get(page).content.decode()
    refused = client.post(action, {"version": 0, "reason": " "}, follow=True)
    assert "A reason is required" in refused.content.decode()
    done = client.post(action, {"version": 0, "reason": REASON}, follow=True)
    text = done.content.decode()
    assert "Form declared not done." in text
    assert f"not done: {REASON}" in text
    assert 'id="undo-not-done"' in text
    assert "Save and next" not in text  # no entry while it is not done
    visit_page = client.get(reverse("visit", args=[w4.pk])).content.decode()
    assert "state-not_done" in visit_page
    assert REASON in visit_page
    grid = client.get(reverse("status_grid", args=["OSK"])).content.decode()
    assert "state-not_done" in grid
    assert FormState.NOT_DONE.symbol in grid
    form = FormData.objects.get(visit=w4, crf="labs")
    staff = _user("osaka").staff
    staff.language = "ja"
    staff.save()
    undone = (
        login("osaka")
        .post(action, {"version": form.version, "reason": "同日に採血", "undo": "1"}, follow=True)
        .content.decode()
    )
    assert "実施せず" in undone  # the confirmation in Japanese
    assert FormData.objects.get(pk=form.pk).not_done_reason == ""


def test_the_casebook_shows_the_form_not_done_and_its_reason() -> None:
    from lupustrial.edc.study.casebook import render_casebook

    w4, _form = _labs_not_done()
    with translation.override("en"):
        page = render_casebook(w4.subject, exported_by="osaka")
    assert f"not done: {REASON}" in page


def test_the_visit_pages_read_the_other_forms_whatever_is_declared_not_done() -> None:
    """A form not done holds no values: a page that reads the visit's forms together (the
    SLEDAI-2K's descriptors from the labs, its preview) skips it instead of failing on it."""
    from django.urls import reverse

    from tests.edc.clients import login

    w4 = _osaka_w4()
    for code in ("pregnancy_test", "infusion", "glucocorticoids"):
        set_form_not_done(_user("osaka"), w4, code, "not done at this visit", version=0)
    client = login("osaka")
    assert client.get(reverse("crf", args=[w4.pk, "sledai2k"])).status_code == 200
    preview = client.post(reverse("crf_preview", args=[w4.pk, "sledai2k"]), {"seizure": "false"})
    assert preview.status_code == 200
    assert client.get(reverse("visit", args=[w4.pk])).status_code == 200


def test_the_api_gives_a_form_not_done_with_its_reason() -> None:
    from tests.edc.clients import login

    w4, _form = _labs_not_done()
    body = login("osaka").get(f"/api/visits/{w4.pk}/forms/labs").json()
    assert body["not_done_reason"] == REASON
    assert body["data"] == {}
    other = login("osaka").get(f"/api/visits/{w4.pk}/forms/vitals").json()
    assert other["not_done_reason"] is None
