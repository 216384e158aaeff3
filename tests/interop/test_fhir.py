"""The study as a FHIR R4 Bundle (issue 20): checked by the R4B models, scored by the one
derivation, every laboratory value with its LOINC code and UCUM unit."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from lupustrial.clinical import units
from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.derive import score_visits
from lupustrial.interop.fhir import FhirError, _require, bundle
from lupustrial.interop.ucum import UCUM_SYSTEM, ucum
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.crfs import Labs, Vitals
from tests.commands import run

CREATED = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def exported() -> dict[str, Any]:
    return bundle(demo_records(), CREATED)


def _resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


def test_the_bundle_is_valid_r4b_and_holds_every_kind(exported: dict[str, Any]) -> None:
    Bundle.model_validate(exported)  # parses back through the models
    kinds = {e["resource"]["resourceType"] for e in exported["entry"]}
    assert kinds >= {
        "ResearchStudy", "Patient", "ResearchSubject", "Observation",
        "MedicationAdministration", "MedicationStatement",
    }  # fmt: skip
    (study,) = _resources(exported, "ResearchStudy")
    assert study["identifier"][0]["value"] == "JPRN-jRCTs031230358"
    urls = [e["fullUrl"] for e in exported["entry"]]
    assert len(urls) == len(set(urls))


def test_sledai_totals_are_the_derivation_and_derive_from_their_items(
    exported: dict[str, Any],
) -> None:
    by_url = {e["fullUrl"]: e["resource"] for e in exported["entry"]}
    totals = [
        r
        for r in _resources(exported, "Observation")
        if r["code"]["coding"][0]["code"] == "SLEDAI-2K"
    ]
    expected = sorted(s.sledai2k.total for s in score_visits(demo_records()) if s.sledai2k)
    assert sorted(t["valueInteger"] for t in totals) == expected
    for total in totals:
        items = [by_url[ref["reference"]] for ref in total.get("derivedFrom", [])]
        assert items
        met = [i for i in items if i["valueBoolean"]]
        assert (total["valueInteger"] == 0) == (not met)


def test_every_laboratory_value_has_its_loinc_code_and_ucum_unit(exported: dict[str, Any]) -> None:
    codes = {c.item: c.loinc for c in DEFAULT_PROTOCOL.laboratory_codes}
    observations = _resources(exported, "Observation")
    loinc = [o for o in observations if o["code"]["coding"][0]["system"] == "http://loinc.org"]
    entered = 0
    for assessment in demo_records().assessments:
        for item in codes:
            form, field = item.split(".")
            part = getattr(assessment, form)
            if part is not None and getattr(part, field) is not None:
                entered += 1
    assert len(loinc) == entered > 0
    for observation in loinc:
        assert observation["code"]["coding"][0]["code"] in codes.values()
        quantity = observation["valueQuantity"]
        if ucum(quantity["unit"]) is not None:
            assert quantity["system"] == UCUM_SYSTEM


def test_every_measured_item_of_the_forms_has_a_declared_code() -> None:
    measured = {f"labs.{n}" for n in Labs.model_fields if n != "temperature"}
    measured |= {f"vitals.{n}" for n in Vitals.model_fields}
    declared = {c.item for c in DEFAULT_PROTOCOL.laboratory_codes}
    assert measured == declared
    assert all(c.source for c in DEFAULT_PROTOCOL.laboratory_codes)


def test_every_accepted_unit_has_a_ucum_code() -> None:
    kinds = [k for k in vars(units).values() if isinstance(k, units.QuantityKind)]
    missing = [u for kind in kinds for u in kind.factors if ucum(u) is None]
    assert missing == []


def test_a_unit_without_a_ucum_code_is_written_as_text_not_guessed() -> None:
    records = demo_records()
    first = next(a for a in records.assessments if a.labs and a.labs.anti_dsdna)
    assert first.labs is not None
    assert first.labs.anti_dsdna is not None
    odd = first.labs.anti_dsdna.model_copy(update={"unit": "index"})
    changed = first.model_copy(update={"labs": first.labs.model_copy(update={"anti_dsdna": odd})})
    records = records.model_copy(
        update={"assessments": [changed if a is first else a for a in records.assessments]}
    )
    document = bundle(records, CREATED)
    quantities = [
        o["valueQuantity"]
        for o in _resources(document, "Observation")
        if o["code"]["coding"][0]["code"] == "5130-0" and o["valueQuantity"]["unit"] == "index"
    ]
    assert quantities
    assert all("system" not in q and "code" not in q for q in quantities)


def test_a_status_outside_its_required_value_set_is_refused() -> None:
    assert _require("Observation.status", "final") == "final"
    with pytest.raises(FhirError):
        _require("Observation.status", "done")


def test_export_fhir_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bundle.json"
    code, _, stderr = run(capsys, "export", "fhir", "--source", "demo", "--out", str(out))
    assert code == 0, stderr
    assert "reading the study records from demo" in stderr
    Bundle.model_validate(json.loads(out.read_text(encoding="utf-8")))
    code, _, stderr = run(capsys, "export", "fhir", "--source", "nowhere", "--out", str(out))
    assert code == 2
    assert "unknown source" in stderr


JLAC10 = "urn:oid:1.2.392.200119.4.504"


def test_laboratory_observations_carry_the_confirmed_jlac10_code_beside_loinc() -> None:
    records = demo_records()
    first = records.assessments[0]
    assert first.labs is not None
    labs = Labs.model_validate(  # the demo enters few of the confirmed items: add them
        first.labs.model_dump(mode="json", exclude_none=True)
        | {
            "platelets": {"value": 210, "unit": "10^9/L"},
            "leukocytes": {"value": 5.2, "unit": "10^9/L"},
            "haemoglobin": {"value": 12.8, "unit": "g/dL"},
            "creatinine": {"value": 0.7, "unit": "mg/dL"},
            "ast": {"value": 24, "unit": "U/L"},
            "alt": {"value": 19, "unit": "U/L"},
            "urine_protein_creatinine_ratio": {"value": 0.1, "unit": "g/g"},
        }
    )
    changed = first.model_copy(update={"labs": labs})
    records = records.model_copy(update={"assessments": [changed, *records.assessments[1:]]})
    exported = bundle(records, CREATED)
    Bundle.model_validate(exported)
    jlac10 = {c.loinc: c.jlac10 for c in DEFAULT_PROTOCOL.laboratory_codes}
    seen = set()
    for observation in _resources(exported, "Observation"):
        loinc, *others = observation["code"]["coding"]
        if loinc["system"] != "http://loinc.org":
            continue
        declared = jlac10[loinc["code"]]
        if declared is None:
            assert others == [], loinc["code"]  # unconfirmed: LOINC only, nothing guessed
            continue
        assert others == [{"system": JLAC10, "code": declared.code, "display": declared.display}]
        seen.add(declared.display)
    assert seen == {"PLT", "WBC", "Hb", "Cre", "AST", "ALT", "U-P/C"}
