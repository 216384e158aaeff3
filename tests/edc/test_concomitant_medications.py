"""Every concomitant medication and the medical history (issue 17): entered through the
services with the audit trail, kept whole in the snapshot, vaccines read by the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.dataset.snapshot import Snapshot, read_snapshot, write_snapshot
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.deviations import services as deviations
from lupustrial.edc.export import database_records
from lupustrial.edc.study import services
from lupustrial.edc.study.models import Subject, Visit
from lupustrial.edc.study.services import RuleError

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _tokyo() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _snapshot(tmp_path: Path) -> Snapshot:
    # The cut is taken now, not when the module was imported: a run that crossed midnight at
    # the Tokyo sites (15:00 UTC) held records of the sites' new day after an earlier cut.
    cut = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    write_snapshot(database_records(), tmp_path / "snap", cut, source="database")
    return read_snapshot(tmp_path / "snap")


def _w8() -> Visit:
    visit = _tokyo().visits.get(code="W8")
    assert visit.date is not None
    return visit


def _medications(visit: Visit) -> dict[str, Any]:
    assert visit.date is not None
    return {
        "medications": [
            {
                "drug": "amlodipine",
                "dose": 5,
                "dose_unit": "mg",
                "route": "oral",
                "frequency": "once daily",
                "start_date": "2023-01-10",
                "indication": "hypertension",
            },
            {
                "drug": "inactivated influenza",
                "dose": 0.5,
                "dose_unit": "mL",
                "route": "intramuscular",
                "frequency": "once",
                "start_date": visit.date.isoformat(),
                "end_date": visit.date.isoformat(),
                "indication": "seasonal prophylaxis",
                "vaccine": True,
            },
            {"drug": "hydroxychloroquine", "daily_dose": {"value": 0.2, "unit": "g"}},
        ]
    }


def test_every_concomitant_medication_reaches_the_snapshot_as_entered(tmp_path: Path) -> None:
    visit = _w8()
    services.save_form(_user("coordinator"), visit, "medications", _medications(visit), 0)
    snap = _snapshot(tmp_path)
    rows = {r["name"]: r for r in snap.rows("medications", subject_id="TKY-001", visit_id="W8")}
    amlodipine = rows["amlodipine"]
    assert (amlodipine["dose_value"], amlodipine["dose_unit"], amlodipine["dose_mg"]) == (
        5, "mg", 5,
    )  # fmt: skip
    assert (amlodipine["route"], amlodipine["frequency"]) == ("oral", "once daily")
    assert amlodipine["start_date"] == dt.date(2023, 1, 10)
    assert amlodipine["indication"] == "hypertension"
    assert amlodipine["vaccine"] is None
    flu = rows["inactivated influenza"]
    assert (flu["dose_value"], flu["dose_unit"], flu["dose_mg"]) == (0.5, "mL", None)
    assert (flu["vaccine"], flu["live_vaccine"]) == (True, False)
    assert flu["end_date"] == visit.date
    assert rows["hydroxychloroquine"]["daily_dose_mg"] == 200
    assert rows["hydroxychloroquine"]["category"] == "antimalarial"
    audited = AuditEntry.objects.filter(form="medications", visit="W8")
    assert audited.filter(new_value__contains="amlodipine").exists()
    assert audited.filter(new_value__contains="hypertension").exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"drug": "amlodipine", "dose": 5}, "dose_unit"),
        ({"drug": "amlodipine", "dose_unit": "mg"}, "dose_unit"),
        ({"drug": "amlodipine", "route": "by mouth"}, "route"),
        (
            {"drug": "amlodipine", "start_date": "2024-03-02", "end_date": "2024-03-01"},
            "end_date is before start_date",
        ),
    ],
)
def test_bad_medication_rows_are_refused_naming_the_field(
    row: dict[str, Any], message: str
) -> None:
    visit = _w8()
    with pytest.raises(RuleError, match=message):
        services.save_form(_user("coordinator"), visit, "medications", {"medications": [row]}, 0)
    assert not visit.forms.filter(crf="medications").exists()  # nothing half-saved


def test_medical_history_is_taken_at_screening_and_reaches_the_snapshot(tmp_path: Path) -> None:
    subject = _tokyo()
    screening = dict(subject.screening or {})
    screening["medical_history"] = [
        {"condition": "hypertension", "start_date": "2019-04-01", "ongoing": True},
        {"condition": "appendicectomy", "start_date": "2001-07-15", "end_date": "2001-07-15"},
    ]
    services.save_screening(
        _user("investigator"), subject, screening, subject.screening_version, reason="history"
    )
    audited = AuditEntry.objects.filter(form="screening", new_value__contains="appendicectomy")
    assert audited.exists()
    snap = _snapshot(tmp_path)
    rows = list(snap.rows("medical_history", screening_number="S-001"))
    assert [(r["line"], r["condition"], r["ongoing"]) for r in rows] == [
        (1, "hypertension", True),
        (2, "appendicectomy", None),
    ]
    assert rows[1]["end_date"] == dt.date(2001, 7, 15)


def test_an_ongoing_condition_with_an_end_date_is_refused() -> None:
    subject = _tokyo()
    screening = dict(subject.screening or {})
    screening["medical_history"] = [
        {"condition": "asthma", "ongoing": True, "end_date": "2020-01-01"}
    ]
    with pytest.raises(RuleError, match="an ongoing condition has no end_date"):
        services.save_screening(
            _user("investigator"), subject, screening, subject.screening_version, reason="x"
        )


@pytest.mark.parametrize(
    ("days_before", "category"),
    [(31, None), (30, "eligibility"), (1, "eligibility"), (0, "prohibited_medication")],
)
def test_a_live_vaccine_among_the_medications_is_suggested(
    days_before: int, category: str | None
) -> None:
    """E12's window: 30 days or fewer before the first infusion; on study, prohibited."""
    subject = _tokyo()
    assert subject.first_infusion_date is not None
    given = subject.first_infusion_date - dt.timedelta(days=days_before)
    row = {"drug": "MMR", "start_date": given.isoformat(), "vaccine": True}
    services.save_form(_user("coordinator"), _w8(), "medications", {"medications": [row]}, 0)
    found = [
        s for s in deviations.pending(_user("investigator"))
        if s.subject == subject.label and s.key.startswith("live_vaccine:")
    ]  # fmt: skip
    assert [s.category.value for s in found] == ([category] if category else [])
    if category:
        assert found[0].occurred_on == given


def test_the_asked_box_of_a_list_is_on_the_page_and_records_none() -> None:
    """'Asked, none' must be enterable from the page: the box once rendered as nothing."""
    from django.urls import reverse

    from tests.edc.clients import login

    visit = _w8()
    client = login("coordinator")
    page = client.get(reverse("crf", args=[visit.pk, "medications"])).content.decode()
    assert 'type="checkbox" name="medications.recorded"' in page
