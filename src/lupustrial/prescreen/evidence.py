"""Sentences for the coordinator: what decided each criterion, formatted once for all engines.

The engines return structured columns (status, record, value, a detail code); this module
turns them into text in Python, so that the wording never depends on how an engine prints
a number or a date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lupustrial.prescreen.config import PrescreenConfig
from lupustrial.prescreen.criteria import Windows
from lupustrial.protocol.dates import add_months

Row = dict[str, Any]


def _record(row: Row) -> str:
    if row["record_domain"] is None:
        return ""
    when = row["record_date"].isoformat() if row["record_date"] else "date not recorded"
    ident = f" {row['record_id']}" if row["record_id"] is not None else ""
    return f"{row['record_domain']}{ident} on {when}"


def _num(value: float | None) -> str:
    return "?" if value is None else f"{value:g}"


def evidence(row: Row, windows: Windows, config: PrescreenConfig) -> str:
    """One sentence for one criterion of one person."""
    protocol = config.protocol
    cid, status, detail, value = row["criterion"], row["status"], row["detail"], row["value"]
    record = _record(row)
    if cid == "alive":
        return f"death recorded: {record}" if status == "not_met" else "no death recorded"
    if cid == "I1":
        return f"first SLE diagnosis in the observation period: {record}"
    if cid == "I2.recent":
        first: dt.date = row["record_date"]
        ends = add_months(first, protocol.months_since_diagnosis)
        inside = "inside" if status == "met" else "outside"
        return (
            f"first SLE diagnosis {first.isoformat()}; the {protocol.months_since_diagnosis}-month"
            f" window ends {ends.isoformat()}, as-of {windows.as_of.isoformat()} is {inside}"
        )
    if cid == "I2.untreated":
        if status == "not_met":
            return f"immunosuppressant/immunomodulator exposure: {record}"
        if status == "met":
            return "no exposure recorded since the first diagnosis (observed throughout)"
        return "no exposure recorded, but not observed from the diagnosis to the as-of date"
    if cid == "I3":
        items = (detail or "").split()
        shown = ", ".join(items) if items else "no lab descriptor"
        verdict = (
            f"reaches {protocol.minimum_sledai2k}"
            if status == "met"
            else f"below {protocol.minimum_sledai2k}: the clinical descriptors decide"
        )
        return (
            f"lab SLEDAI-2K ≥ {_num(value)} ({shown}; results since "
            f"{windows.sledai.isoformat()}), {verdict}"
        )
    if cid == "I4":
        limits = f"{protocol.minimum_age_years}-{protocol.age_limit_years - 1}"
        if detail == "range":
            return (
                f"age {_num(value)} or {_num((value or 0) + 1)} (birth date incomplete), "
                f"allowed {limits}"
            )
        return f"age {_num(value)} on {windows.as_of.isoformat()}, allowed {limits}"
    if cid in ("E2", "E3"):
        words = {
            "viral_hepatitis": "chronic viral hepatitis diagnosed",
            "hbs_ag": "HBsAg positive",
            "hbv_dna": "HBV DNA detected",
            "hcv_rna": "HCV RNA detected",
            "anti_hcv": "anti-HCV positive, HCV RNA not tested",
            "hbs_ag_missing": "HBsAg not tested",
            "anti_hcv_missing": "anti-HCV not tested",
            "markers_negative": "markers negative",
            "hbv_dna_needed": "HBV antibody positive, HBV DNA not tested",
            "hcv_rna_needed": "anti-HCV positive, HCV RNA not tested",
            "hbv": "past HBV infection",
            "hcv": "past HCV infection",
            "markers_missing": "markers not tested",
        }
        text = words.get(detail or "", detail or "")
        return f"{text}: {record}" if record else text
    if cid in ("E4", "E5"):
        unit = "U/L" if cid == "E4" else "mg/dL"
        limit = (
            protocol.liver_enzyme_limit_u_per_l
            if cid == "E4"
            else protocol.creatinine_limit_mg_per_dl
        )
        if detail and detail.endswith("missing"):
            return f"{detail.removesuffix('_missing')} not measured in the observation period"
        if detail and detail.endswith("unit_unknown"):
            return f"latest result in a unit that cannot be converted: {record}"
        sign = "≥" if status == "met" else "<"
        name = {"ast": "AST", "alt": "ALT", "creatinine": "creatinine"}.get(detail or "", "AST/ALT")
        return f"{name} {_num(value)} {unit} {sign} {limit:g} {unit}: {record}"
    if cid == "E6":
        words = {
            "active": "tuberculosis recorded, open and recent",
            "ended": "tuberculosis recorded with an end date",
            "old_open": "old tuberculosis record without an end: confirm not active",
        }
        if detail in words:
            return f"{words[detail]}: {record}"
        return _absence(status, "no tuberculosis recorded", windows.active_condition)
    if cid == "E7":
        years = protocol.malignancy_recurrence_free_years
        words = {
            "recent": f"malignancy within {years} years",
            "cervical_in_situ_3_to_5_years": "cervical carcinoma in situ 3-5 years ago: "
            "confirm local therapy only, no metastasis",
            "cervical_in_situ_recent": "cervical carcinoma in situ within "
            f"{protocol.cervical_in_situ_recurrence_free_years} years",
            "past": f"malignancy more than {years} years ago: confirm no recurrence",
        }
        if detail in words:
            return f"{words[detail]}: {record}"
        return _absence(status, "no malignancy recorded", windows.malignancy)
    if cid == "E9":
        words = {
            "male": "male",
            "positive_test": "positive pregnancy test",
            "pregnancy_recorded": "pregnancy recorded",
            "negative_test": "negative pregnancy test",
            "test_needed": "no pregnancy test in the last "
            f"{protocol.pregnancy_test_window_days} days",
        }
        text = words.get(detail or "", detail or "")
        return f"{text}: {record}" if record else text
    if cid == "E10":
        return {"male": "male", "recorded": f"lactation recorded: {record}"}.get(
            detail or "", "lactation not recorded (ask at screening)"
        )
    if cid == "E11":
        if status == "met":
            return f"other collagen disease: {record}"
        return _absence(status, "no other collagen disease recorded", None)
    if cid == "E12":
        days = protocol.live_vaccine_window_days
        if detail == "live":
            return f"live vaccine within {days} days: {record}"
        if detail == "unlisted":
            return f"vaccine on neither protocol list within {days} days: {record}"
        return _absence(status, f"no live vaccine in the last {days} days", windows.live_vaccine)
    return record


def _absence(status: str, text: str, since: dt.date | None) -> str:
    if status == "unknown":
        span = f" from {since.isoformat()}" if since else ""
        return f"{text}, but not observed{span} to the as-of date"
    return text
