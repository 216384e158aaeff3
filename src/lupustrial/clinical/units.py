"""Units and conversions: the one place where a value changes unit.

A value in a unit this module does not know is an error, never a guess. Each quantity
kind declares its canonical unit and the exact factor from every accepted unit to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Self

from pydantic import field_validator, model_validator

from lupustrial.clinical.model import StrictModel

CREATININE_MOLAR_MASS_G_PER_MOL = 113.12
"""Creatinine C4H7N3O, used for protein/creatinine ratios given per mmol of creatinine."""

CREATININE_UMOL_PER_L_IN_MG_PER_DL = 88.42
"""The conventional serum creatinine factor (1 mg/dL = 88.42 µmol/L), as laboratories report it."""

_DECIMALS = 9
"""Conversions are rounded here so that float noise never moves a value across a threshold
(100.4 °F is 38 °C, not 38.000000000000014 °C)."""


class UnitError(ValueError):
    """A unit that is unknown for the kind of quantity it was given with."""


@dataclass(frozen=True)
class QuantityKind:
    """A kind of quantity: its canonical unit and the factor from each accepted unit to it."""

    name: str
    canonical: str
    factors: dict[str, float]
    offsets: dict[str, float] | None = None  # only temperature needs an affine conversion
    _spellings: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Unit as written → its accepted spelling, filled as units are met (a cache)."""

    def normalise_unit(self, unit: str) -> str:
        """Return the accepted spelling of ``unit``, or raise UnitError naming the known ones."""
        cache = self._spellings
        if unit in cache:  # scoring meets the same few spellings again and again
            return cache[unit]
        key = _fold(unit)
        for known in self.factors:
            if _fold(known) == key:
                cache[unit] = known
                return known
        raise UnitError(
            f"unknown unit {unit!r} for {self.name} (accepted: {', '.join(self.factors)})"
        )

    def to_canonical(self, value: float, unit: str) -> float:
        unit = self.normalise_unit(unit)
        offset = (self.offsets or {}).get(unit, 0.0)
        return round((value + offset) * self.factors[unit], _DECIMALS)

    def from_canonical(self, value: float, unit: str) -> float:
        unit = self.normalise_unit(unit)
        offset = (self.offsets or {}).get(unit, 0.0)
        return round(value / self.factors[unit] - offset, _DECIMALS)

    def convert(self, value: float, from_unit: str, to_unit: str) -> float:
        return self.from_canonical(self.to_canonical(value, from_unit), to_unit)


_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _fold(unit: str) -> str:
    """Spelling variants of one unit compare equal: µ/μ/u, ×/x, ^, superscripts, spaces, case."""
    folded = unit.strip().lower().replace(" ", "").translate(_SUPERSCRIPT_DIGITS)
    for old, new in (("μ", "µ"), ("u", "µ"), ("×", "x"), ("^", ""), ("**", "")):
        folded = folded.replace(old, new)
    return folded


CELL_COUNT = QuantityKind(
    "cell count",
    canonical="10^9/L",
    factors={
        "10^9/L": 1.0,
        "x10^9/L": 1.0,
        "G/L": 1.0,
        "10^3/µL": 1.0,
        "x10^3/µL": 1.0,
        "/mm³": 1e-3,
        "cells/mm³": 1e-3,
        "/µL": 1e-3,
        "cells/µL": 1e-3,
        # Japanese laboratories report platelets in 10^4/µL (万/µL): 10^4/µL = 10 × 10^9/L.
        "10^4/µL": 10.0,
        "x10^4/µL": 10.0,
        "万/µL": 10.0,
    },
)
CREATININE = QuantityKind(
    "serum creatinine",
    canonical="mg/dL",
    factors={
        "mg/dL": 1.0,
        "µmol/L": 1 / CREATININE_UMOL_PER_L_IN_MG_PER_DL,
        "mmol/L": 1000 / CREATININE_UMOL_PER_L_IN_MG_PER_DL,
        "mg/L": 0.1,
    },
)
PROTEIN_CONCENTRATION = QuantityKind(
    "protein concentration",
    canonical="g/L",
    factors={"g/L": 1.0, "mg/dL": 0.01, "g/dL": 10.0, "mg/L": 0.001},
)
TEMPERATURE = QuantityKind(
    "body temperature",
    canonical="°C",
    # ℃ and ℉ are the single-character signs Japanese text uses (U+2103, U+2109).
    factors={"°C": 1.0, "C": 1.0, "℃": 1.0, "°F": 5 / 9, "F": 5 / 9, "℉": 5 / 9},
    offsets={"°F": -32.0, "F": -32.0, "℉": -32.0},
)
URINE_PROTEIN_24H = QuantityKind(
    "24-hour urine protein",
    canonical="g/24h",
    factors={"g/24h": 1.0, "g/day": 1.0, "mg/24h": 1e-3, "mg/day": 1e-3},
)
URINE_PROTEIN_CREATININE_RATIO = QuantityKind(
    "urine protein/creatinine ratio",
    canonical="g/g",
    factors={
        "g/g": 1.0,
        "mg/mg": 1.0,
        "mg/g": 1e-3,
        # Japanese reports name the creatinine in the unit: g/gCr (g/gCre) and mg/gCr.
        "g/gCr": 1.0,
        "g/gCre": 1.0,
        "mg/gCr": 1e-3,
        "mg/gCre": 1e-3,
        # 1 mmol creatinine weighs 113.12 mg, so 1 mg/mmol = 1/113.12 mg/mg.
        "mg/mmol": 1 / CREATININE_MOLAR_MASS_G_PER_MOL,
        "g/mmol": 1000 / CREATININE_MOLAR_MASS_G_PER_MOL,
    },
)
ENZYME_ACTIVITY = QuantityKind(
    "enzyme activity",
    canonical="U/L",
    factors={"U/L": 1.0, "IU/L": 1.0, "µkat/L": 60.0},
)
BODY_WEIGHT = QuantityKind(
    "body weight",
    canonical="kg",
    factors={"kg": 1.0, "g": 1e-3, "lb": 0.45359237},
)
DOSE_MASS = QuantityKind(
    "dose",
    canonical="mg",
    factors={"mg": 1.0, "g": 1000.0, "µg": 1e-3, "mcg": 1e-3},
)
CELLS_PER_HPF = QuantityKind(
    "urine sediment count",
    canonical="/hpf",
    factors={"/hpf": 1.0, "cells/hpf": 1.0},
)


class Quantity(StrictModel):
    """A measured value with its unit, checked against the quantity kind of the subclass."""

    KIND: ClassVar[QuantityKind]

    value: float
    unit: str

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return cls.KIND.normalise_unit(unit)

    @model_validator(mode="after")
    def _finite_and_physical(self) -> Self:
        if self.value != self.value or self.value in (float("inf"), float("-inf")):
            raise ValueError("value must be a finite number")
        if self.KIND is not TEMPERATURE and self.value < 0:
            raise ValueError(f"a {self.KIND.name} cannot be negative (got {self.value:g})")
        return self

    def to(self, unit: str) -> float:
        """This value expressed in ``unit`` (which must belong to the same kind)."""
        return self.KIND.convert(self.value, self.unit, unit)

    @property
    def canonical(self) -> float:
        """This value in its kind's canonical unit."""
        return self.KIND.to_canonical(self.value, self.unit)

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


class CellCount(Quantity):
    KIND = CELL_COUNT


class Creatinine(Quantity):
    KIND = CREATININE


class ProteinConcentration(Quantity):
    KIND = PROTEIN_CONCENTRATION


class Temperature(Quantity):
    KIND = TEMPERATURE

    @model_validator(mode="after")
    def _survivable(self) -> Self:
        celsius = self.canonical
        if not 25.0 <= celsius <= 45.0:
            raise ValueError(f"body temperature {self} is outside the survivable 25-45 °C")
        return self


class UrineProtein24h(Quantity):
    KIND = URINE_PROTEIN_24H


class UrineProteinCreatinineRatio(Quantity):
    KIND = URINE_PROTEIN_CREATININE_RATIO


class EnzymeActivity(Quantity):
    KIND = ENZYME_ACTIVITY


class BodyWeight(Quantity):
    KIND = BODY_WEIGHT

    @model_validator(mode="after")
    def _plausible(self) -> Self:
        if not 0 < self.canonical <= 400:
            raise ValueError(f"body weight {self} is outside 0-400 kg")
        return self


class DoseMass(Quantity):
    KIND = DOSE_MASS


class CellsPerHighPowerField(Quantity):
    KIND = CELLS_PER_HPF


def creatinine_mg_per_dl(value: float, unit: str) -> float:
    """Serum creatinine in mg/dL from any accepted unit (1 mg/dL = 88.42 µmol/L)."""
    return CREATININE.to_canonical(value, unit)
