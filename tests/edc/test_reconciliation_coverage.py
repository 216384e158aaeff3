"""Issue 14, finding 2, for every table: each model of study data is reconciled with the trail.

The first test enumerates every model of the project's apps and fails when one is neither
compared with the trail (`edc.reconciliation.COVERED`) nor listed with a reason in
``NOT_RECONCILED``, so a new table cannot be forgotten. Each covered model then has a change
made behind the application (SQL, as a database client would) that `audit verify` must name;
the second test fails when a covered model has no such case here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record
from lupustrial.edc.audit.verification import verify
from lupustrial.edc.deviations import services as deviations
from lupustrial.edc.deviations.models import Deviation, SuggestionDecision
from lupustrial.edc.monitoring import services as monitoring
from lupustrial.edc.monitoring.models import MonitoringFinding, MonitoringVisit
from lupustrial.edc.pharmacy import services as pharmacy
from lupustrial.edc.pharmacy.models import DrugLot, LotMovement
from lupustrial.edc.reconciliation import COVERED, NOT_RECONCILED, project_apps, reconcile
from lupustrial.edc.safety import services as safety
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study import adverse_events
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import (
    AdverseEvent,
    FormData,
    Query,
    RecordVersion,
    Signature,
    Subject,
    Visit,
)
from lupustrial.safety.events import SafetyEvent

pytestmark = pytest.mark.usefixtures("demo")

RULE = "CRB-15-unexpected-serious"


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _lines() -> list[str]:
    return [d.line() for d in reconcile()]


def _vitals() -> FormData:
    return FormData.objects.get(
        visit__subject__subject_id="TKY-001", visit__code="W12", crf="vitals"
    )


def _whole_record() -> None:
    """Queries, verification, deviations, a decision and safety reports, through the services."""
    form = _vitals()
    query = study.raise_query(_user("monitor"), form, "body_weight.value", "Please confirm.")
    study.answer_query(_user("coordinator"), query, "Confirmed on the scale record.")
    study.close_query(_user("monitor"), query)
    study.raise_query(_user("monitor"), form, "body_weight.value", "And the height?")
    form = study.verify_form(_user("monitor"), form, form.version)
    # Saved again unchanged: the new version is not the one verified.
    form = study.save_form(
        _user("coordinator"), form.visit, "vitals", form.data, form.version, reason="re-saved"
    )
    other = FormData.objects.filter(visit__subject__subject_id="TKY-001").exclude(pk=form.pk)[0]
    study.verify_form(_user("monitor"), other, other.version)

    tokyo = Subject.objects.get(subject_id="TKY-001")
    deviation = deviations.record_deviation(
        _user("coordinator"),
        tokyo,
        category="visit_window",
        occurred_on=tokyo.site.today() - dt.timedelta(days=3),
        description="W8 two days out of window",
        serious=False,
    )
    deviation = deviations.update_deviation(
        _user("coordinator"),
        deviation,
        deviation.version,
        # A backslash, a tab and a line break: the trail must survive every dump format.
        "wording: see C:\\scans\\w8.pdf\tpage 2\nsecond line",
        corrective_action="Reminder calls two days ahead",
    )
    deviations.close_deviation(_user("investigator"), deviation, deviation.version)
    osaka = Subject.objects.get(screening_number="S-101")
    deviations.dismiss_suggestion(
        _user("osaka"), f"visit_window:{osaka.label}:W4", "the visit was held; date not entered"
    )

    zoster = {
        "term": "Herpes zoster",
        "onset": (tokyo.site.today() - dt.timedelta(days=5)).isoformat(),
        "grade": 2,
        "serious": False,
        "related": "possible",
        "outcome": "not recovered",
        "infection": True,
        "herpes_zoster": True,
    }
    adverse = adverse_events.record_adverse_event(_user("coordinator"), tokyo, zoster)
    adverse = adverse_events.update_adverse_event(
        _user("coordinator"), adverse, {**zoster, "grade": 3}, adverse.version, "worse"
    )
    # Verified, then a new version (which clears it), then verified again.
    adverse = adverse_events.verify_adverse_event(_user("monitor"), adverse, adverse.version)
    adverse = adverse_events.update_adverse_event(
        _user("coordinator"),
        adverse,
        {**zoster, "grade": 3, "outcome": "recovered", "end_date": tokyo.site.today().isoformat()},
        adverse.version,
        "resolved",
    )
    adverse_events.verify_adverse_event(_user("monitor"), adverse, adverse.version)

    event = SafetyEvent.model_validate(
        {
            "id": f"AE-{tokyo.label}-1",
            "subject_id": tokyo.label,
            "versions": [
                {
                    "aware_date": (tokyo.site.today() - dt.timedelta(days=2)).isoformat(),
                    "term": {"verbatim": "pneumonia", "ctcae_code": 10021881,
                             "specified_code": 10035664},
                    "seriousness": ["hospitalisation"],
                    "causality": "possible",
                    "action_taken": "drug interrupted",
                }
            ],
        }
    )  # fmt: skip
    report = safety.generate_report(_user("investigator"), tokyo, event, RULE)
    safety.record_submission(_user("investigator"), report, "the review board", tokyo.site.today())
    safety.generate_report(_user("investigator"), tokyo, event, RULE, follows=report)

    # Drug accountability: the demo received and dispensed; a vial returned, a second lot.
    lot = DrugLot.objects.get(site=tokyo.site, lot_number="AF-TKY-0001")
    pharmacy.record_movement(
        _user("coordinator"), lot, "returned", 1, tokyo.site.today(), note="damaged vial"
    )
    pharmacy.receive_lot(
        _user("coordinator"), tokyo.site, "AF-TKY-0002",
        tokyo.site.today() + dt.timedelta(days=400), 4, tokyo.site.today(),
    )  # fmt: skip

    # Monitoring: two visits on the same day (the trail must tell them apart), findings.
    today = tokyo.site.today()
    visit = monitoring.log_visit(
        _user("monitor"), tokyo.site, visited_on=today, kind="on_site",
        summary="Consent forms checked.", follow_up="Re-sign the W8 form", subjects=[tokyo],
    )  # fmt: skip
    monitoring.log_visit(
        _user("monitor"), tokyo.site, visited_on=today, kind="remote", summary="Remote SDV."
    )
    monitoring.add_finding(
        _user("monitor"), visit, text="Consent copy not filed.", action="note", subject=tokyo
    )
    monitoring.add_finding(
        _user("monitor"), visit, text="Weight differs from the source.", action="query",
        subject=tokyo, form=_vitals(),
    )  # fmt: skip

    # Medical history, taken at screening (the candidate still in screening).
    pending = Subject.objects.get(screening_number="S-003")
    taken = study.screening_record(pending)
    assert taken is not None
    screening = {
        **taken.model_dump(mode="json", exclude_none=True),
        "medical_history": [
            {"condition": "hypertension", "start_date": "2019-04-01", "ongoing": True},
            {"condition": "appendicectomy", "start_date": "2003-07-15", "ongoing": False},
        ],
    }
    study.save_screening(
        _user("coordinator"), pending, screening, pending.screening_version,
        reason="medical history taken",
    )  # fmt: skip


def test_the_apps_checked_are_every_app_of_the_edc() -> None:
    # Derived from the installed apps, so that an app added later cannot be forgotten (the list
    # written by hand named "api", a label no app has: the API's is "edc_api").
    assert {"accounts", "audit", "study", "safety", "deviations", "pharmacy", "monitoring",
            "edc_api"} <= project_apps()  # fmt: skip
    assert "auth" not in project_apps()


def test_every_model_of_the_project_is_reconciled_or_says_why_not() -> None:
    models = {m._meta.label for m in apps.get_models() if m._meta.app_label in project_apps()}
    covered = {m._meta.label for m in COVERED}
    assert models - covered - set(NOT_RECONCILED) == set(), "add it to a reconcile.COVERS"
    assert covered & set(NOT_RECONCILED) == set()
    assert set(NOT_RECONCILED) <= models  # no stale exemption
    assert all(reason.strip() for reason in NOT_RECONCILED.values())


def _tamper_site() -> str:
    site = Site.objects.get(code="TKY")
    _sql("UPDATE accounts_site SET time_zone = %s WHERE id = %s", ["UTC", site.pk])
    return f"site {site.pk} time_zone: the record holds 'UTC', the trail says 'Asia/Tokyo'"


def _tamper_staff_profile() -> str:
    monitor = _user("monitor")
    tokyo = Site.objects.get(code="TKY")
    _sql(
        "DELETE FROM accounts_staffprofile_sites WHERE staffprofile_id ="
        " (SELECT id FROM accounts_staffprofile WHERE user_id = %s) AND site_id = %s",
        [monitor.pk, tokyo.pk],
    )
    return "account monitor.sites: the record holds ['OSK'], the trail says ['OSK', 'TKY']"


def _tamper_subject() -> str:
    subject = Subject.objects.get(subject_id="TKY-001")
    _sql(
        "UPDATE study_subject SET status = %s, completed_on = %s WHERE id = %s",
        ["completed", subject.site.today(), subject.pk],
    )
    return "TKY-001 subject status: the record holds 'completed', the trail says 'enrolled'"


def _tamper_identity() -> str:
    subject = Subject.objects.get(subject_id="TKY-001")
    _sql(
        "UPDATE study_identity SET medical_record_number = %s WHERE subject_id = %s",
        ["MRN-999", subject.pk],
    )
    return "TKY-001 identity name or medical record number: the record holds 'not what was"


def _tamper_consent() -> str:
    subject = Subject.objects.get(subject_id="OSK-001")
    _sql("UPDATE study_consent SET language = %s WHERE subject_id = %s", ["en", subject.pk])
    return "OSK-001 consent: the record holds"


def _tamper_signature() -> str:
    signature = Signature.objects.get(subject__subject_id="TKY-001")
    _sql(
        "UPDATE study_signature SET voided_at = %s WHERE id = %s",
        [signature.signed_at, signature.pk],
    )
    return "TKY-001 enrolment active signatures: the record holds 0, the trail says 1"


def _tamper_visit() -> str:
    visit = Visit.objects.get(subject__subject_id="TKY-001", code="W8")
    assert visit.planned_date is not None
    later = visit.planned_date + dt.timedelta(days=7)
    _sql("UPDATE study_visit SET planned_date = %s WHERE id = %s", [later, visit.pk])
    return f"TKY-001 W8 visit planned_date: the record holds '{later.isoformat()}'"


def _tamper_form_data() -> str:
    form = _vitals()
    assert form.verified_at is None  # saved again after verification
    _sql(
        "UPDATE study_formdata SET verified_at = %s, verified_by_id = %s WHERE id = %s",
        [form.updated_at, _user("monitor").pk, form.pk],
    )
    return "TKY-001 W12 vitals verification verified_by: the record holds 'monitor', the trail"


def _tamper_query() -> str:
    query = Query.objects.get(text="And the height?")
    _sql("UPDATE study_query SET status = %s WHERE id = %s", ["closed", query.pk])
    return f"TKY-001 W12 vitals query {query.pk} status: the record holds 'closed', the trail"


def _tamper_deviation() -> str:
    deviation = Deviation.objects.get()
    earlier = deviation.occurred_on - dt.timedelta(days=30)
    _sql("UPDATE deviations_deviation SET occurred_on = %s WHERE id = %s", [earlier, deviation.pk])
    return f"TKY-001 deviation {deviation.number} occurred_on: the record holds '{earlier}'"


def _tamper_suggestion_decision() -> str:
    decision = SuggestionDecision.objects.get()
    _sql(
        "UPDATE deviations_suggestiondecision SET reason = %s WHERE id = %s",
        ["never mind", decision.pk],
    )
    return f"OSK-001 suggested deviation {decision.key} reason: the record holds 'never mind'"


def _tamper_safety_report() -> str:
    report = SafetyReport.objects.get(follows__isnull=True)
    document = {**report.document, "narrative": "rewritten"}
    _sql(
        "UPDATE safety_safetyreport SET document = %s WHERE id = %s",
        [json.dumps(document), report.pk],
    )
    return f"TKY-001 safety report {report.number} document_sha256: the record holds"


def _tamper_adverse_event() -> str:
    event = AdverseEvent.objects.get(subject__subject_id="TKY-001")
    _sql(
        "UPDATE study_adverseevent SET data = %s WHERE id = %s",
        [json.dumps({**event.data, "grade": 1}), event.pk],
    )
    return "TKY-001 AE-001 grade: the record holds 1, the trail says 3"


def _tamper_record_version() -> str:
    # An earlier version, rewritten: the latest still matches the record.
    event = AdverseEvent.objects.get(subject__subject_id="TKY-001")
    second = RecordVersion.objects.get(kind="adverse_event", record_id=event.pk, number=2)
    _sql(
        "UPDATE study_recordversion SET data = %s WHERE id = %s",
        [json.dumps({**second.data, "grade": 2}), second.pk],
    )
    return "TKY-001 AE-001 version 2 grade: the record holds 2, the trail says 3"


def _tamper_drug_lot() -> str:
    lot = DrugLot.objects.get(lot_number="AF-TKY-0002")
    later = lot.expiry_date + dt.timedelta(days=365)
    _sql("UPDATE pharmacy_druglot SET expiry_date = %s WHERE id = %s", [later, lot.pk])
    return f"drug lot TKY:AF-TKY-0002 expiry_date: the record holds '{later.isoformat()}'"


def _tamper_lot_movement() -> str:
    movement = LotMovement.objects.get(kind="returned")
    _sql("UPDATE pharmacy_lotmovement SET vials = %s WHERE id = %s", [0, movement.pk])
    return f"drug lot TKY:AF-TKY-0001 movement {movement.pk} vials: the record holds 0, the trail"


def _tamper_monitoring_visit() -> str:
    visit = MonitoringVisit.objects.get(kind="on_site")
    _sql(
        "UPDATE monitoring_monitoringvisit SET summary = %s WHERE id = %s",
        ["All well.", visit.pk],
    )
    return f"monitoring visit {visit.pk} summary: the record holds 'All well.', the trail says"


def _tamper_monitoring_finding() -> str:
    finding = MonitoringFinding.objects.get(action="note")
    _sql(
        "UPDATE monitoring_monitoringfinding SET text = %s WHERE id = %s",
        ["Nothing found.", finding.pk],
    )
    return f"TKY-001 monitoring finding {finding.pk} text: the record holds 'Nothing found.'"


TAMPER: dict[str, Callable[[], str]] = {
    "study.AdverseEvent": _tamper_adverse_event,
    "study.RecordVersion": _tamper_record_version,
    "accounts.Site": _tamper_site,
    "accounts.StaffProfile": _tamper_staff_profile,
    "study.Subject": _tamper_subject,
    "study.Identity": _tamper_identity,
    "study.Consent": _tamper_consent,
    "study.Signature": _tamper_signature,
    "study.Visit": _tamper_visit,
    "study.FormData": _tamper_form_data,
    "study.Query": _tamper_query,
    "deviations.Deviation": _tamper_deviation,
    "deviations.SuggestionDecision": _tamper_suggestion_decision,
    "safety.SafetyReport": _tamper_safety_report,
    "pharmacy.DrugLot": _tamper_drug_lot,
    "pharmacy.LotMovement": _tamper_lot_movement,
    "monitoring.MonitoringVisit": _tamper_monitoring_visit,
    "monitoring.MonitoringFinding": _tamper_monitoring_finding,
}


def test_every_covered_model_has_a_change_behind_the_application_below() -> None:
    assert {m._meta.label for m in COVERED} == set(TAMPER)


def test_the_whole_record_entered_through_the_services_matches_its_trail() -> None:
    _whole_record()
    assert _lines() == []
    assert verify().intact


@pytest.mark.parametrize("model", sorted(TAMPER))
def test_a_change_behind_the_application_is_named(model: str) -> None:
    _whole_record()
    expected = TAMPER[model]()
    lines = _lines()
    assert any(line.startswith(expected) for line in lines), lines
    assert not verify().intact


@pytest.mark.parametrize(
    ("table", "model", "named"),
    [
        ("study_query", Query, "query"),
        ("deviations_deviation", Deviation, "deviation"),
    ],
)
def test_a_row_deleted_behind_the_application_is_named(table: str, model: Any, named: str) -> None:
    _whole_record()
    row = model.objects.order_by("-pk").first()
    if model is Deviation:
        _sql("DELETE FROM deviations_suggestiondecision WHERE deviation_id = %s", [row.pk])
    if model is Query:  # the monitoring finding it was raised from goes with it
        _sql("DELETE FROM monitoring_monitoringfinding WHERE query_id = %s", [row.pk])
    _sql(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    assert any(f" {named} " in f" {line}" and "the record holds None" in line for line in _lines())


@pytest.mark.parametrize(
    ("table", "model", "named"),
    [
        ("pharmacy_lotmovement", LotMovement, "movement"),
        ("monitoring_monitoringfinding", MonitoringFinding, "monitoring finding"),
    ],
)
def test_a_row_deleted_behind_the_application_is_named_new_apps(
    table: str, model: Any, named: str
) -> None:
    _whole_record()
    row = model.objects.order_by("-pk").first()
    _sql(f"DELETE FROM {table} WHERE id = %s", [row.pk])
    assert any(
        f"{named} {row.pk} " in line and "the record holds None" in line for line in _lines()
    ), _lines()


def test_a_monitoring_visit_deleted_behind_the_application_is_named() -> None:
    _whole_record()
    remote = MonitoringVisit.objects.get(kind="remote")
    _sql("DELETE FROM monitoring_monitoringvisit WHERE id = %s", [remote.pk])
    assert any(line.startswith(f"monitoring visit {remote.pk} summary: the record holds None")
               for line in _lines())  # fmt: skip


def test_a_subject_taken_off_a_monitoring_visit_behind_the_application_is_named() -> None:
    _whole_record()
    visit = MonitoringVisit.objects.get(kind="on_site")
    _sql(
        "DELETE FROM monitoring_monitoringvisit_subjects WHERE monitoringvisit_id = %s", [visit.pk]
    )
    assert (
        f"monitoring visit {visit.pk} subjects: the record holds None, the trail says "
        "['TKY-001']" in _lines()
    )


def _insert_movement(lot: DrugLot, kind: str, subject: Subject | None) -> None:
    _sql(
        "INSERT INTO pharmacy_lotmovement (lot_id, kind, vials, \"on\", subject_id, note,"
        " recorded_at, recorded_by_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [lot.pk, kind, 2, lot.site.today(), subject.pk if subject else None, "",
         dt.datetime.now(dt.UTC), _user("coordinator").pk],
    )  # fmt: skip


def test_vials_dispensed_behind_the_application_are_named() -> None:
    _whole_record()
    lot = DrugLot.objects.get(lot_number="AF-TKY-0001")
    tokyo = Subject.objects.get(subject_id="TKY-001")
    _insert_movement(lot, "dispensed", tokyo)
    added = LotMovement.objects.order_by("-pk").first()
    assert added is not None
    assert (
        f"TKY-001 drug lot TKY:AF-TKY-0001 movement {added.pk} kind: the record holds "
        "'dispensed', the trail says None" in _lines()
    )
    assert not verify().intact


def test_a_lot_added_behind_the_application_is_named() -> None:
    _whole_record()
    site = Site.objects.get(code="TKY")
    _sql(
        "INSERT INTO pharmacy_druglot (site_id, lot_number, expiry_date, recorded_at,"
        " recorded_by_id) VALUES (%s, %s, %s, %s, %s)",
        [site.pk, "AF-TKY-9999", site.today(), dt.datetime.now(dt.UTC), _user("coordinator").pk],
    )
    assert any(line.startswith("drug lot TKY:AF-TKY-9999 expiry_date: the record holds")
               for line in _lines())  # fmt: skip


def test_a_finding_added_behind_the_application_is_named() -> None:
    _whole_record()
    visit = MonitoringVisit.objects.get(kind="remote")
    _sql(
        "INSERT INTO monitoring_monitoringfinding (visit_id, subject_id, text, action, query_id,"
        " deviation_id, recorded_at, recorded_by_id) VALUES (%s, NULL, %s, %s, NULL, NULL, %s, %s)",
        [visit.pk, "Invented.", "note", dt.datetime.now(dt.UTC), _user("monitor").pk],
    )
    added = MonitoringFinding.objects.order_by("-pk").first()
    assert added is not None
    assert (
        f"monitoring finding {added.pk} text: the record holds 'Invented.', the trail says "
        "None" in _lines()
    )


def test_medical_history_changed_behind_the_application_is_named() -> None:
    _whole_record()
    pending = Subject.objects.get(screening_number="S-003")
    screening = dict(pending.screening or {})
    assert len(screening["medical_history"]) == 2
    screening["medical_history"] = screening["medical_history"][:1]  # appendicectomy removed
    _sql(
        "UPDATE study_subject SET screening = %s WHERE id = %s", [json.dumps(screening), pending.pk]
    )
    lines = _lines()
    assert any(line.startswith("S-003 screening medical_history") for line in lines), lines
    assert not verify().intact


def test_entries_from_before_they_named_their_row_are_paired_in_order() -> None:
    # Movements, visits and findings logged before their entries carried the row's key (the
    # trail is append-only, so such entries stay): paired with the rows of their lot, or of
    # their site and day, in order. Written as the services then wrote them.
    monitor, coordinator = _user("monitor"), _user("coordinator")
    site = Site.objects.get(code="TKY")
    day = site.today()
    lot = DrugLot.objects.get(site=site, lot_number="AF-TKY-0001")
    for note in ("damaged vial", "cracked vial"):
        LotMovement.objects.create(
            lot=lot, kind="destroyed", vials=1, on=day, note=note, recorded_by=coordinator
        )
        new = {"lot_number": lot.lot_number, "expiry_date": lot.expiry_date.isoformat(),
               "kind": "destroyed", "vials": 1, "on": day.isoformat(), "note": note}  # fmt: skip
        record(coordinator, Action.CREATE, form=pharmacy.FORM, field="TKY:AF-TKY-0001", new=new,
               reason=note)  # fmt: skip
    for summary in ("First visit.", "Second visit."):
        visit = MonitoringVisit.objects.create(
            site=site, visited_on=day, kind="remote", monitor=monitor, summary=summary
        )
        new = {"kind": "remote", "summary": summary, "follow_up": "", "subjects": []}
        record(monitor, Action.CREATE, form=monitoring.VISIT_FORM, field=f"TKY:{day}", new=new)
        MonitoringFinding.objects.create(
            visit=visit, text=summary, action="note", recorded_by=monitor
        )
        new = {"text": summary, "action": "note", "query": None, "deviation": None}
        record(monitor, Action.CREATE, form=monitoring.FINDING_FORM, field=f"TKY:{day}", new=new)
    assert _lines() == []

    second = MonitoringVisit.objects.get(summary="Second visit.")
    _sql("UPDATE monitoring_monitoringvisit SET summary = %s WHERE id = %s", ["x", second.pk])
    cracked = LotMovement.objects.get(note="cracked vial")
    _sql("UPDATE pharmacy_lotmovement SET vials = %s WHERE id = %s", [3, cracked.pk])
    first = MonitoringFinding.objects.get(text="First visit.")
    _sql("DELETE FROM monitoring_monitoringfinding WHERE id = %s", [first.pk])
    lines = _lines()
    assert f"monitoring visit {second.pk} summary: the record holds 'x', the trail says " \
        "'Second visit.'" in lines  # fmt: skip
    assert f"drug lot TKY:AF-TKY-0001 movement {cracked.pk} vials: the record holds 3, the " \
        "trail says 1" in lines  # fmt: skip
    # The second finding is now paired with the first's entry, and the second's is left over.
    assert any(line.startswith("monitoring finding text: the record holds None") for line in lines)
