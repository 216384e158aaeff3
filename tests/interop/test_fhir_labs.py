"""A patient's FHIR Bundle proposes laboratory values; unknown codes and units are shown,
never guessed (issue 20)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lupustrial.interop.fhir_labs import LabBundleError, read_lab_bundle
from lupustrial.protocol.crfs import Labs

UCUM = "http://unitsofmeasure.org"
LOW = {"value": 73, "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}
HIGH = {"high": {"value": 12}}


def observation(
    oid: str, loinc: str, value: float, unit: str, code: str | None = None, **extra: Any
) -> dict[str, Any]:
    quantity = {"value": value, "unit": unit, **({"system": UCUM, "code": code} if code else {})}
    return {
        "resource": {
            "resourceType": "Observation",
            "id": oid,
            "status": extra.pop("status", "final"),
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
            "effectiveDateTime": "2026-11-30",
            "valueQuantity": quantity,
            **extra,
        }
    }


def bundle(*entries: dict[str, Any]) -> str:
    return json.dumps(
        {"resourceType": "Bundle", "id": "hosp-42", "type": "collection", "entry": list(entries)}
    )


def test_known_codes_and_units_are_proposed_with_their_source() -> None:
    found = read_lab_bundle(
        bundle(
            observation("plt", "777-3", 21.0, "万/µL", "10*4/uL"),
            observation("cr", "2160-0", 0.62, "mg/dL", "mg/dL"),
            observation("c3", "4485-9", 62, "mg/dL", "mg/dL", referenceRange=[{"low": LOW}]),
            observation("ds", "5130-0", 35, "IU/mL", "[IU]/mL", referenceRange=[HIGH]),
        )
    )
    assert found.problems == []
    document = found.document()
    assert document["platelets"] == {"value": 21.0, "unit": "10^4/µL"}
    assert document["c3"]["lower_limit_of_normal"] == {"value": 73.0, "unit": "mg/dL"}
    assert document["anti_dsdna"] == {"value": 35.0, "upper_limit_of_normal": 12.0, "unit": "IU/mL"}
    Labs.model_validate(document)  # the labs form's own checks accept what is proposed
    assert {v.source for v in found.values} >= {"Bundle/hosp-42 Observation/plt"}


def test_an_unknown_code_or_unit_is_shown_not_guessed() -> None:
    found = read_lab_bundle(
        bundle(
            observation("crp", "1988-5", 0.3, "mg/dL", "mg/dL"),
            observation("hb", "718-7", 12.1, "g/100mL"),
            observation("c4", "4498-2", 11, "mg/dL", "mg/dL"),
            observation("prelim", "731-0", 1.2, "10^9/L", "10*9/L", status="preliminary"),
        )
    )
    assert found.values == []
    text = "\n".join(found.problems)
    assert "1988-5" in text
    assert "g/100mL" in text
    assert "lower limit" in text
    assert "preliminary" in text


def test_two_results_for_one_field_are_left_to_the_coordinator() -> None:
    found = read_lab_bundle(
        bundle(observation("a", "777-3", 21, "10^9/L"), observation("b", "777-3", 25, "10^9/L"))
    )
    assert found.values == []
    assert "2 results" in found.problems[0]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"resourceType": "Patient"}),
        json.dumps({"resourceType": "Bundle", "type": "nonsense"}),
    ],
)
def test_a_file_that_is_not_a_bundle_is_refused_clearly(content: str) -> None:
    with pytest.raises(LabBundleError):
        read_lab_bundle(content)


def _jlac10(oid: str, system: str, code: str, value: float, unit: str, ucum: str) -> dict[str, Any]:
    entry = observation(oid, "0-0", value, unit, ucum)
    entry["resource"]["code"] = {"coding": [{"system": system, "code": code}]}
    return entry


def test_a_result_coded_with_jlac10_alone_is_proposed() -> None:
    jp_core = "urn:oid:1.2.392.200119.4.504"
    medis = "http://medis.or.jp/CodeSystem/master-JLAC10-17digits"  # JP Core's older URI
    found = read_lab_bundle(
        bundle(
            _jlac10("plt", jp_core, "2A050000001930101", 21.0, "万/µL", "10*4/uL"),
            # AST by "another method": a code of the same analyte the source lists
            _jlac10("ast", jp_core, "3B035000002399901", 31, "U/L", "U/L"),
            _jlac10("alt", medis, "3B045000002327201", 25, "U/L", "U/L"),
        )
    )
    assert found.problems == []
    document = found.document()
    assert document["platelets"] == {"value": 21.0, "unit": "10^4/µL"}
    assert document["ast"] == {"value": 31.0, "unit": "U/L"}
    assert document["alt"] == {"value": 25.0, "unit": "U/L"}


def test_an_unconfirmed_jlac10_code_or_codes_that_disagree_are_shown_not_guessed() -> None:
    jp_core = "urn:oid:1.2.392.200119.4.504"
    disagree = observation("x", "777-3", 21.0, "10^9/L", "10*9/L")  # LOINC platelets ...
    disagree["resource"]["code"]["coding"].append(
        {"system": jp_core, "code": "2A010000001930101"}  # ... and JLAC10 leukocytes
    )
    found = read_lab_bundle(
        bundle(
            # C3: no JLAC10 code is confirmed for it, so its code is not taken
            _jlac10("c3", jp_core, "5A050000002306101", 62, "mg/dL", "mg/dL"),
            disagree,
        )
    )
    assert found.values == []
    text = "\n".join(found.problems)
    assert "5A050000002306101" in text
    assert "Observation/x: its codes name different items (leukocytes, platelets)" in text
