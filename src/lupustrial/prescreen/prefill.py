"""A chosen candidate's records as the start of a screening record (protocol.ScreeningRecord).

Only what the records state outright is carried over — sex, date of birth, the first SLE
diagnosis and the latest serum creatinine the pre-screen judged E5 by. Everything else stays
unknown for the screening visit: the absence of a record (no tuberculosis recorded, no drug
dispensed) is not a finding, so it is never turned into "no".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

FEMALE, MALE = 8532, 8507
"""OMOP gender concepts (the OMOP CDM v5.4 Gender vocabulary)."""


class PrefillError(Exception):
    """The records cannot start a screening record (e.g. no full date of birth)."""


def screening_prefill(
    person: Mapping[str, Any], criteria: list[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """The screening data the records state, and where each value came from."""
    sex = {FEMALE: "female", MALE: "male"}.get(person.get("gender_concept_id") or 0)
    if sex is None:
        raise PrefillError(f"person {person['person_id']}: sex not recorded as female or male")
    year, month, day = (person.get(k) for k in ("year_of_birth", "month_of_birth", "day_of_birth"))
    if not (year and month and day):
        raise PrefillError(
            f"person {person['person_id']}: the records hold no full date of birth; "
            "register the candidate by hand"
        )
    data: dict[str, Any] = {"sex": sex, "date_of_birth": dt.date(year, month, day).isoformat()}
    sources = [f"sex and date of birth: person {person['person_id']}"]
    by_criterion = {row["criterion"]: row for row in criteria}
    diagnosis = by_criterion.get("I1")
    if diagnosis and diagnosis.get("status") == "met" and diagnosis.get("record_date"):
        data["sle_diagnosis_date"] = str(diagnosis["record_date"])
        sources.append(f"SLE diagnosis: {diagnosis['evidence']}")
    creatinine = by_criterion.get("E5")
    if (
        creatinine
        and creatinine.get("detail") == "creatinine"
        and creatinine.get("value") is not None
    ):
        data["creatinine"] = {"value": float(creatinine["value"]), "unit": "mg/dL"}
        sources.append(f"creatinine: {creatinine['evidence']}")
    return data, sources
