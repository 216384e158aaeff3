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
