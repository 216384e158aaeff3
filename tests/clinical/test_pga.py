"""Physician Global Assessment on the SELENA 0–3 scale (Petri 2005)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from lupustrial.clinical.model import StrictModel
from lupustrial.clinical.pga import PgaValue, PhysicianGlobalAssessment


@pytest.mark.parametrize("value", [0, 0.5, 1.0, 2.99, 3])
def test_the_whole_scale_is_accepted(value: float) -> None:
    assert PhysicianGlobalAssessment(value=value).value == value


@pytest.mark.parametrize("value", [-0.1, 3.01, 4, float("nan"), float("inf")])
def test_values_off_the_scale_are_rejected_naming_the_field(value: float) -> None:
    with pytest.raises(ValidationError, match="value"):
        PhysicianGlobalAssessment(value=value)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": 1, "date": "2999-01-01"}, "date"),
        ({"value": 1, "scale": "0-10"}, "scale"),
        ({"value": "mild"}, "value"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        PhysicianGlobalAssessment.model_validate(data)


def test_cites_petri_2005() -> None:
    assert "Petri" in PhysicianGlobalAssessment.source
    assert "Petri 2005" in (PhysicianGlobalAssessment.__doc__ or "")
    assert PhysicianGlobalAssessment(value=1.5).summary_line() == "PGA 1.5 (0–3)"


def test_pga_value_embeds_as_a_plain_number() -> None:
    class Visit(StrictModel):
        pga: PgaValue | None = None

    assert Visit(pga=1.0).pga == 1.0
    assert Visit().pga is None
    with pytest.raises(ValidationError, match="pga"):
        Visit(pga=3.5)
    assert TypeAdapter(PgaValue).validate_python(0) == 0
