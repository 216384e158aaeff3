"""A demo study to explore the application: two sites, one user per role, a few subjects.

Everything is entered through the services, as a user would, so the demo's audit trail,
signatures and derived scores are real. Dates are relative to today, so the demo always has
a subject at week 12, one with an overdue visit, a screen failure and a candidate still in
screening.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from django.db import transaction

from lupustrial.clinical.sledai2k import DESCRIPTORS, LAB_THRESHOLDS
from lupustrial.edc.accounts import services as account_services
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.accounts.roles import Role
from lupustrial.edc.pharmacy.models import DrugLot
from lupustrial.edc.pharmacy.services import receive_lot, record_movement
from lupustrial.edc.study import services
from lupustrial.edc.study.models import Subject, Visit

DEMO_PASSWORD = "lupus-demo-2026"
"""Every demo user's password; the demo is for exploring, never for real data."""

DEMO_USERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("investigator", "Dr Aiko Sato", Role.INVESTIGATOR, ("TKY",)),
    ("coordinator", "Kenji Ito", Role.COORDINATOR, ("TKY",)),
    ("osaka", "Dr Yui Tanaka", Role.INVESTIGATOR, ("OSK",)),
    ("datamanager", "Mei Suzuki", Role.DATA_MANAGER, ()),
    ("monitor", "Hiro Kato", Role.MONITOR, ("TKY", "OSK")),
    ("statistician", "Ren Yamada", Role.STATISTICIAN, ()),
    ("admin", "Study Administrator", Role.ADMINISTRATOR, ()),
)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EXAMPLE_FIRST_DOSE = dt.date(2026, 10, 1)  # planned first dose in examples/screening-*.json


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
"""The documented example screening records the demo candidates start from (package data:
``src/lupustrial/examples`` links to the repository's ``examples/``)."""


def _example(name: str) -> dict[str, Any]:
    text = (EXAMPLES / name).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _shift(data: Any, days: int) -> Any:
    """Move every date in an example by ``days``, keeping the intervals between them."""
    if isinstance(data, dict):
        return {key: _shift(value, days) for key, value in data.items()}
    if isinstance(data, list):
        return [_shift(value, days) for value in data]
    if isinstance(data, str) and _ISO_DATE.match(data):
        return (dt.date.fromisoformat(data) + dt.timedelta(days=days)).isoformat()
    return data


def _screening(name: str, first_dose: dt.date) -> dict[str, Any]:
    data = _shift(_example(name), (first_dose - _EXAMPLE_FIRST_DOSE).days)
    data.pop("consent", None)  # recorded in the application, with who and when
    return dict(data)


DEMO_LOADER = "demo loader"
"""The actor the trail names for the demo's accounts: the command that created them."""


def create_users() -> dict[str, Any]:
    sites = {
        code: account_services.create_site(DEMO_LOADER, code, name, "demo study", "Asia/Tokyo")
        for code, name in (("TKY", "Tokyo University Hospital"), ("OSK", "Osaka General Hospital"))
    }
    users = {}
    for username, full_name, role, site_codes in DEMO_USERS:
        users[username] = account_services.create_account(
            DEMO_LOADER,
            username,
            DEMO_PASSWORD,
            role,
            site_codes,
            "demo study",
            full_name=full_name,
            email=f"{username}@example.org",
            own_password=True,  # printed for everyone to try: no change forced on a demo
        )
    return {"sites": sites, "users": users}


def _enrolled(who: Any, site: Site, number: str, name: str, first_dose: dt.date) -> Subject:
    subject = services.register_candidate(who, site, number, name, f"MRN-{number}")
    services.save_screening(who, subject, _screening("screening-eligible.json", first_dose), 0)
    consent_at = dt.datetime.combine(
        first_dose - dt.timedelta(days=11), dt.time(10, 30), tzinfo=site.zone
    )
    services.record_consent(who, subject, "1.0", consent_at)
    enrolled_on = first_dose - dt.timedelta(days=2)
    return services.enrol(who, subject, DEMO_PASSWORD, first_dose, enrolled_on)


def _visit_forms(week: int, prednisolone_mg: float, active: bool) -> dict[str, dict[str, Any]]:
    # The laboratory descriptors are left to be derived from the labs (Gladman 2002).
    descriptors = dict.fromkeys(_CLINICAL_DESCRIPTORS, False)
    if active:
        descriptors.update(arthritis=True, rash=True)
    return {
        "labs": {
            "platelets": {"value": 210, "unit": "10^9/L"},
            "leukocytes": {"value": 5.2, "unit": "10^9/L"},
            "c3": _complement(0.7 if week < 8 else 0.95, 0.86),
            "c4": _complement(0.08 if week < 8 else 0.16, 0.1),
            "anti_dsdna": {
                "value": 60 if week < 8 else 10,
                "upper_limit_of_normal": 12,
                "unit": "IU/mL",
            },
            "urine_protein_creatinine_ratio": {"value": 0.1, "unit": "g/g"},
            "urine_rbc_per_hpf": {"value": 1, "unit": "/hpf"},
            "urine_wbc_per_hpf": {"value": 2, "unit": "/hpf"},
            "creatinine": {"value": 0.7, "unit": "mg/dL"},
            "ast": {"value": 24, "unit": "U/L"},
            "alt": {"value": 19, "unit": "U/L"},
        },
        "vitals": {
            "temperature": {"value": 36.6, "unit": "°C"},
            "body_weight": {"value": 60, "unit": "kg"},
        },
        "sledai2k": descriptors,
        "disease_activity": {
            "pga": 1.5 if active else 0.5,
            "haemolytic_anaemia": False,
            "gastrointestinal_activity": False,
            "maintenance_therapy_standard_and_tolerated": True,
            "maintenance_therapy_stable": True,
        },
        "glucocorticoids": {
            "doses": [{"drug": "prednisolone", "dose": {"value": prednisolone_mg, "unit": "mg"}}]
        },
        "infusion": {"given": True, "dose": {"value": 300, "unit": "mg"}},
    }


def _complement(value: float, lower_limit: float) -> dict[str, Any]:
    return {
        "value": {"value": value, "unit": "g/L"},
        "lower_limit_of_normal": {"value": lower_limit, "unit": "g/L"},
    }


_CLINICAL_DESCRIPTORS = tuple(
    d.code
    for d in DESCRIPTORS
    if d.code not in {t.code for t in LAB_THRESHOLDS}
    and d.code not in {"low_complement", "increased_dna_binding"}
)


def _complete_visit(
    who: Any, visit: Visit, forms: dict[str, dict[str, Any]], lot: DrugLot | None = None
) -> None:
    """The visit on its planned day with its forms; the infusion's vial is dispensed from
    ``lot`` and the form names it, so the demo's drug accountability reconciles."""
    assert visit.planned_date is not None
    services.set_visit_date(who, visit, visit.planned_date, visit.version)
    forms["infusion"]["date"] = visit.planned_date.isoformat()
    if lot is not None:
        record_movement(who, lot, "dispensed", 1, visit.planned_date, visit.subject)
        forms["infusion"]["lot_number"] = lot.lot_number
    for code, data in forms.items():
        services.save_form(who, visit, code, data, version=0)


def _lot(who: Any, site: Site, number: str, received: dt.date) -> DrugLot:
    """A lot of six vials received on ``received``, in date for two years after it."""
    return receive_lot(who, site, number, received + dt.timedelta(days=730), 6, received)


@transaction.atomic
def load_demo() -> None:
    """Create the demo study; refuses to run on a database that already holds a study."""
    if Site.objects.exists():
        raise RuntimeError(
            "the database already holds a study: the demo loads only into an empty one"
        )
    people = create_users()
    sites, users = people["sites"], people["users"]
    today = sites["TKY"].today()  # both demo sites are in Asia/Tokyo
    coordinator, investigator = users["coordinator"], users["investigator"]

    # Week 12 reached yesterday: a taper from 30 to 5 mg and LLDAS at week 12.
    first = today - dt.timedelta(weeks=12, days=1)
    subject = _enrolled(investigator, sites["TKY"], "S-001", "Hanako Yamamoto", first)
    tokyo_lot = _lot(coordinator, sites["TKY"], "AF-TKY-0001", first)
    taper = {"W0": (30, True), "W4": (20, True), "W8": (10, False), "W12": (5, False)}
    for visit in subject.visits.all():
        mg, active = taper[visit.code]
        forms = _visit_forms(int(visit.code[1:]), mg, active)
        _complete_visit(coordinator, visit, forms, tokyo_lot)

    # Enrolled six weeks ago: week 4 not entered, so its window has closed (overdue).
    recent = _enrolled(
        users["osaka"], sites["OSK"], "S-101", "Sakura Nakamura", today - dt.timedelta(weeks=6)
    )
    osaka_lot = _lot(users["osaka"], sites["OSK"], "AF-OSK-0001", today - dt.timedelta(weeks=6))
    _complete_visit(
        users["osaka"], recent.visits.get(code="W0"), _visit_forms(0, 30, True), osaka_lot
    )

    failure = services.register_candidate(
        coordinator, sites["TKY"], "S-002", "Yoko Kobayashi", "MRN-S-002"
    )
    services.save_screening(
        coordinator,
        failure,
        _screening("screening-ineligible.json", today + dt.timedelta(days=7)),
        0,
    )
    services.record_screen_failure(coordinator, failure)

    pending = services.register_candidate(
        coordinator, sites["TKY"], "S-003", "Emi Watanabe", "MRN-S-003"
    )
    services.save_screening(
        coordinator,
        pending,
        _screening("screening-incomplete.json", today + dt.timedelta(days=10)),
        0,
    )
