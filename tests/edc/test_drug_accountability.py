"""Drug accountability at a site (issue 17; ICH E6(R2) 4.6.3): lots received, dispensed,
returned and destroyed through the services with the audit trail; infusions naming a lot, in
date up to its expiry day; the reconciliation on the page; the lot in the snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.export import database_records
from lupustrial.edc.pharmacy import services
from lupustrial.edc.pharmacy.models import DrugLot
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import Subject, Visit
from lupustrial.edc.study.services import NotAllowedError, RuleError
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _tokyo() -> Subject:
    return Subject.objects.get(screening_number="S-001")


def _w8() -> Visit:
    visit = _tokyo().visits.get(code="W8")
    assert visit.date is not None
    return visit


def _lot(expiry: dt.date, vials: int = 4, number: str = "AF1234") -> DrugLot:
    site = _tokyo().site
    seen = _w8().date
    assert seen is not None
    received = seen - dt.timedelta(days=30)
    return services.receive_lot(_user("coordinator"), site, number, expiry, vials, received)


def _infusion(visit: Visit, lot: str) -> dict[str, Any]:
    assert visit.date is not None
    return {
        "given": True, "date": visit.date.isoformat(), "dose": {"value": 300, "unit": "mg"},
        "lot_number": lot, "start_time": "10:05", "end_time": "10:40",
        "interrupted": True, "interruption_reason": "pump alarm, restarted after 5 minutes",
    }  # fmt: skip


def test_a_lot_received_and_dispensed_is_counted_and_audited() -> None:
    lot = _lot(dt.date(2030, 1, 31))
    visit = _w8()
    services.record_movement(_user("coordinator"), lot, "dispensed", 1, visit.date, _tokyo())
    [site] = [s for s in services.accountability(_user("coordinator")) if s.site.code == "TKY"]
    [line] = [line for line in site.lots if line.lot.lot_number == "AF1234"]
    assert (line.balance.received, line.balance.dispensed, line.balance.on_hand) == (4, 1, 3)
    entries = AuditEntry.objects.filter(form=services.FORM, field="TKY:AF1234").order_by("seq")
    assert [e.field for e in entries] == ["TKY:AF1234", "TKY:AF1234"]
    assert '"kind": "dispensed"' in entries[1].new_value
    assert entries[1].subject == _tokyo().label


@pytest.mark.parametrize(
    ("call", "field"),
    [
        ({"kind": "dispensed", "vials": 5}, "vials"),
        ({"kind": "dispensed", "vials": 1, "subject": None}, "subject"),
        ({"kind": "destroyed", "vials": 1, "subject": None, "note": ""}, "note"),
        ({"kind": "received", "vials": 1}, "kind"),
        ({"kind": "dispensed", "vials": 0}, "vials"),
    ],
)
def test_bad_movements_are_refused_naming_the_field_and_nothing_is_saved(
    call: dict[str, Any], field: str
) -> None:
    lot = _lot(dt.date(2030, 1, 31))
    values = {"on": _w8().date, "subject": _tokyo(), "note": "", **call}
    with pytest.raises(services.ProductInputError) as refused:
        services.record_movement(_user("coordinator"), lot, **values)
    assert refused.value.field == field
    assert lot.movements.count() == 1


def test_the_monitor_sees_accountability_but_records_nothing() -> None:
    _lot(dt.date(2030, 1, 31))
    with pytest.raises(NotAllowedError):
        services.receive_lot(
            _user("monitor"), _tokyo().site, "X", dt.date(2030, 1, 1), 1, _w8().date
        )
    page = login("monitor").get(reverse("pharmacy")).content.decode()
    assert "AF1234" in page


@pytest.mark.parametrize(("days_after_expiry", "accepted"), [(-1, True), (0, True), (1, False)])
def test_an_infusion_on_the_lots_expiry_date_is_accepted_and_the_day_after_refused(
    days_after_expiry: int, accepted: bool
) -> None:
    visit = _w8()
    assert visit.date is not None
    expiry = visit.date - dt.timedelta(days=days_after_expiry)
    _lot(expiry)
    form = visit.forms.get(crf="infusion")
    before = dict(form.data)
    if accepted:
        study.save_form(_user("coordinator"), visit, "infusion", _infusion(visit, "AF1234"),
                        form.version, reason="lot and times")  # fmt: skip
        form.refresh_from_db()
        assert form.data["lot_number"] == "AF1234"
    else:
        with pytest.raises(RuleError, match="lot_number: Lot AF1234 expired on"):
            study.save_form(_user("coordinator"), visit, "infusion", _infusion(visit, "AF1234"),
                            form.version, reason="lot and times")  # fmt: skip
        form.refresh_from_db()
        assert form.data == before  # nothing half-saved


def test_the_demo_study_reconciles() -> None:
    """The demo dispenses a vial from each site's lot for each infusion and names the lot."""
    for site in services.accountability(_user("datamanager")):
        assert site.discrepancies == [], site.site.code
        assert site.lots
    [tokyo] = [s for s in services.accountability(_user("coordinator")) if s.site.code == "TKY"]
    [line] = tokyo.lots
    assert (line.balance.received, line.balance.dispensed, line.balance.on_hand) == (6, 4, 2)


def test_an_infusion_naming_an_unknown_lot_is_refused() -> None:
    visit = _w8()
    form = visit.forms.get(crf="infusion")
    with pytest.raises(RuleError, match="lot_number: Lot NOPE is not recorded at this site"):
        study.save_form(_user("coordinator"), visit, "infusion", _infusion(visit, "NOPE"),
                        form.version, reason="lot")  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"given": False}, "not_given_reason"),
        ({"end_time": "10:05"}, "end_time is not after start_time"),
        ({"interruption_reason": None}, "interruption_reason"),
    ],
)
def test_infusion_details_are_checked(change: dict[str, Any], message: str) -> None:
    visit = _w8()
    _lot(dt.date(2030, 1, 31))
    form = visit.forms.get(crf="infusion")
    data = {k: v for k, v in {**_infusion(visit, "AF1234"), **change}.items() if v is not None}
    with pytest.raises(RuleError, match=message):
        study.save_form(_user("coordinator"), visit, "infusion", data, form.version, reason="x")


def test_the_page_reconciles_dispensed_vials_with_infusions(tmp_path: Path) -> None:
    lot = _lot(dt.date(2030, 1, 31))
    visit = _w8()
    form = visit.forms.get(crf="infusion")
    study.save_form(_user("coordinator"), visit, "infusion", _infusion(visit, "AF1234"),
                    form.version, reason="lot")  # fmt: skip
    page = login("coordinator").get(reverse("pharmacy")).content.decode()
    assert "0 vials dispensed, 1 used by the infusions recorded" in page
    services.record_movement(_user("coordinator"), lot, "dispensed", 1, visit.date, _tokyo())
    page = login("coordinator").get(reverse("pharmacy")).content.decode()
    assert "0 vials dispensed" not in page
    write_snapshot(database_records(), tmp_path / "s", dt.datetime.now(dt.UTC) + dt.timedelta(1))
    [row] = read_snapshot(tmp_path / "s").rows("infusions", subject_id="TKY-001", visit_id="W8")
    assert (row["lot_number"], row["start_time"], row["end_time"]) == ("AF1234", "10:05", "10:40")
    assert row["interrupted"] is True
    assert row["interruption_reason"].startswith("pump alarm")


def test_receiving_and_dispensing_through_the_pages() -> None:
    client = login("coordinator")
    site = _tokyo().site
    day = _w8().date
    assert day is not None
    answer = client.post(
        reverse("pharmacy_receive"),
        {"site": site.pk, "lot_number": "B77", "expiry_date": "2031-12-31", "vials": 3,
         "on": day.isoformat(), "note": ""},
    )  # fmt: skip
    assert answer.status_code == 302
    lot = DrugLot.objects.get(lot_number="B77")
    answer = client.post(
        reverse("pharmacy_lot", args=[lot.pk]),
        {"kind": "dispensed", "vials": 4, "on": day.isoformat(), "subject": _tokyo().pk},
    )
    assert "Fewer vials on hand than that" in answer.content.decode()
    assert lot.movements.count() == 1
    client.post(
        reverse("pharmacy_lot", args=[lot.pk]),
        {"kind": "dispensed", "vials": 1, "on": day.isoformat(), "subject": _tokyo().pk},
    )
    assert (
        login("coordinator")
        .get(reverse("pharmacy_lot", args=[lot.pk]))
        .content.decode()
        .count("<td>dispensed</td>")
        == 1
    )


def test_the_reconciliation_is_said_in_japanese() -> None:
    from django.utils import translation

    lot = _lot(dt.date(2030, 1, 31), number="JP1")
    services.record_movement(_user("coordinator"), lot, "dispensed", 2, _w8().date, _tokyo())
    [tokyo] = [s for s in services.accountability(_user("coordinator")) if s.site.code == "TKY"]
    with translation.override("ja"):
        said = [text for d, text in tokyo.discrepancies_said if d.lot_number == "JP1"]
    assert said == ["払出 2 バイアル、記録された投与での使用 0 バイアル"]
    english = [text for d, text in tokyo.discrepancies_said if d.lot_number == "JP1"]
    assert english == ["2 vials dispensed, 0 used by the infusions recorded"]
