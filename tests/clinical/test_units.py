"""Units: every conversion in one place, exact at the thresholds the protocol uses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lupustrial.clinical.units import (
    CELL_COUNT,
    CREATININE,
    BodyWeight,
    CellCount,
    Creatinine,
    EnzymeActivity,
    ProteinConcentration,
    Temperature,
    UnitError,
    UrineProteinCreatinineRatio,
    creatinine_mg_per_dl,
)


@pytest.mark.parametrize(
    ("value", "unit", "mg_per_dl"),
    [(2.0, "mg/dL", 2.0), (176.84, "µmol/L", 2.0), (176.84, "umol/L", 2.0), (20, "mg/L", 2.0)],
)
def test_creatinine_to_mg_per_dl(value: float, unit: str, mg_per_dl: float) -> None:
    assert Creatinine(value=value, unit=unit).to("mg/dL") == mg_per_dl
    assert creatinine_mg_per_dl(value, unit) == mg_per_dl


def test_creatinine_round_trip() -> None:
    assert CREATININE.convert(1.0, "mg/dL", "µmol/L") == 88.42
    assert CREATININE.convert(0.17684, "mmol/L", "mg/dL") == 2.0


@pytest.mark.parametrize(
    ("value", "unit", "canonical"),
    [(3000, "/mm³", 3.0), (3000, "/mm3", 3.0), (3.0, "x10^9/L", 3.0), (150, "10^3/uL", 150)],
)
def test_cell_counts(value: float, unit: str, canonical: float) -> None:
    assert CellCount(value=value, unit=unit).canonical == canonical


def test_temperature_fahrenheit_is_exact_at_38() -> None:
    assert Temperature(value=100.4, unit="°F").canonical == 38.0
    assert Temperature(value=38.0, unit="°C").to("°F") == 100.4


def test_protein_concentration() -> None:
    assert ProteinConcentration(value=90, unit="mg/dL").canonical == 0.9
    assert ProteinConcentration(value=0.9, unit="g/L").to("mg/dL") == 90


def test_upcr_per_mmol_creatinine() -> None:
    # 0.5 g/g = 500 mg per 1000 mg creatinine = 500 mg per 8.84 mmol = 56.56 mg/mmol.
    assert UrineProteinCreatinineRatio(value=56.56, unit="mg/mmol").canonical == 0.5


def test_enzyme_activity_in_microkatal() -> None:
    assert EnzymeActivity(value=1.0, unit="µkat/L").canonical == 60


def test_body_weight_in_pounds() -> None:
    assert BodyWeight(value=132.277357, unit="lb").canonical == pytest.approx(60.0, abs=1e-6)


def test_unknown_unit_is_an_error_never_a_guess() -> None:
    with pytest.raises(UnitError, match="unknown unit 'g/dl/s' for cell count"):
        CELL_COUNT.normalise_unit("g/dl/s")
    with pytest.raises(ValidationError, match="unit"):
        Creatinine(value=1.0, unit="mg")


@pytest.mark.parametrize(
    ("model", "value", "unit", "message"),
    [
        (CellCount, -1, "10^9/L", "cannot be negative"),
        (Temperature, 50, "°C", "survivable"),
        (BodyWeight, 0, "kg", "0-400 kg"),
        (Creatinine, float("nan"), "mg/dL", "finite"),
    ],
)
def test_impossible_values(model: type[CellCount], value: float, unit: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        model(value=value, unit=unit)


# Units as Japanese laboratories report them (issue 18).


@pytest.mark.parametrize("unit", ["x10^4/µL", "×10⁴/µL", "10^4/uL", "10^4/µL", "万/µL", "x10^4/μL"])
def test_platelets_in_ten_thousands_per_microlitre(unit: str) -> None:
    # 10 ×10⁴/µL = 10 × 10⁴ × 10⁶ /L = 100 ×10⁹/L: exactly SLEDAI-2K's thrombocytopenia limit.
    assert CellCount(value=10, unit=unit).canonical == 100.0
    assert CellCount(value=15.2, unit=unit).to("10^9/L") == 152.0


@pytest.mark.parametrize(
    ("value", "unit", "g_per_g"),
    [(0.5, "g/gCr", 0.5), (500, "mg/gCr", 0.5), (0.51, "g/gCre", 0.51), (1500, "mg/g Cr", 1.5)],
)
def test_urine_protein_per_gram_creatinine(value: float, unit: str, g_per_g: float) -> None:
    assert UrineProteinCreatinineRatio(value=value, unit=unit).canonical == g_per_g


@pytest.mark.parametrize(("value", "unit"), [(38.0, "℃"), (100.4, "℉")])
def test_temperature_written_with_the_degree_sign_character(value: float, unit: str) -> None:
    assert Temperature(value=value, unit=unit).canonical == 38.0
