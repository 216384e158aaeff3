"""Laboratory tests as records hold them: which quantity, which unit, which protocol limit.

Conversions are the clinical layer's (`lupustrial.clinical.units`): this module only says
how OMOP spells a unit (UCUM codes in the `concept` table) in that layer's spelling, and
turns each accepted unit into the linear map ``value × scale + shift`` onto the unit a
threshold is stated in. A unit the clinical layer does not accept for a test maps to
nothing, so the result is unknown, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from lupustrial.clinical.sledai2k import LAB_THRESHOLDS
from lupustrial.clinical.units import (
    CELL_COUNT,
    CELLS_PER_HPF,
    CREATININE,
    ENZYME_ACTIVITY,
    TEMPERATURE,
    URINE_PROTEIN_24H,
    URINE_PROTEIN_CREATININE_RATIO,
    QuantityKind,
    UnitError,
)

UCUM_SPELLINGS: dict[str, str] = {
    "mg/dL": "mg/dL",
    "umol/L": "µmol/L",
    "mmol/L": "mmol/L",
    "mg/L": "mg/L",
    "U/L": "U/L",
    "[IU]/L": "IU/L",
    "ukat/L": "µkat/L",
    "10*9/L": "10^9/L",
    "10*3/uL": "10^3/µL",
    "/uL": "/µL",
    "/mm3": "/mm³",
    "Cel": "°C",
    "[degF]": "°F",
    "g/(24.h)": "g/24h",
    "mg/(24.h)": "mg/24h",
    "g/d": "g/day",
    "mg/d": "mg/day",
    "g/g": "g/g",
    "mg/mg": "mg/mg",
    "mg/g": "mg/g",
    "mg/mmol": "mg/mmol",
    "g/mmol": "g/mmol",
    "/[HPF]": "/hpf",
}
"""UCUM code → the clinical layer's spelling of the same unit (spelling only, no factor)."""

STANDARD_UCUM_IDS: dict[int, str] = {
    8840: "mg/dL",
    8749: "umol/L",
    8753: "mmol/L",
    8751: "mg/L",
    8645: "U/L",
    8848: "10*3/uL",
    9444: "10*9/L",
    8647: "/uL",
    586323: "Cel",
    9289: "[degF]",
}
"""The OMOP standard concept ids of common UCUM units (OHDSI Standardized Vocabularies,
vocabulary UCUM; the ids are stable across releases), read even when a database's
`concept` table lacks their rows. Only units whose id is settled are listed; any other unit
is read from the database's vocabulary, else from ``unit_source_value``."""


@dataclass(frozen=True)
class LabTest:
    """A quantitative test: its concept-set key, quantity kind, and the unit it is judged in."""

    key: str
    kind: QuantityKind
    unit: str

    def linear_map(self, ucum_code: str) -> tuple[float, float] | None:
        """(scale, shift) taking a value in ``ucum_code`` to ``self.unit``, or None if unknown."""
        spelling = UCUM_SPELLINGS.get(ucum_code)
        if spelling is None:
            return None
        return self.spelled_map(spelling)

    def spelled_map(self, spelling: str) -> tuple[float, float] | None:
        """As `linear_map`, for a unit as a person wrote it (``unit_source_value``): a UCUM
        code, or any spelling the clinical layer's units module accepts for the quantity."""
        spelling = UCUM_SPELLINGS.get(spelling.strip(), spelling)
        try:
            source = self.kind.normalise_unit(spelling)
            target = self.kind.normalise_unit(self.unit)
        except UnitError:
            return None
        # The clinical layer's exact factors, unrounded: rounding is done on the result.
        offsets = self.kind.offsets or {}
        scale = self.kind.factors[source] / self.kind.factors[target]
        shift = offsets.get(source, 0.0) * scale - offsets.get(target, 0.0)
        return scale, shift


_KINDS: dict[str, QuantityKind] = {
    "platelets": CELL_COUNT,
    "leukocytes": CELL_COUNT,
    "temperature": TEMPERATURE,
    "urine_protein_24h": URINE_PROTEIN_24H,
    "urine_protein_creatinine_ratio": URINE_PROTEIN_CREATININE_RATIO,
    "urine_rbc_per_hpf": CELLS_PER_HPF,
    "urine_wbc_per_hpf": CELLS_PER_HPF,
}

LIVER_UNIT = "U/L"
"""E4 is judged in U/L, as `lupustrial.protocol.exclusion.severe_liver_disease` does."""
KIDNEY_UNIT = "mg/dL"
"""E5 is judged in mg/dL, as `lupustrial.protocol.exclusion.severe_kidney_disease` does."""

QUANTITATIVE: dict[str, LabTest] = {
    "ast": LabTest("ast", ENZYME_ACTIVITY, LIVER_UNIT),
    "alt": LabTest("alt", ENZYME_ACTIVITY, LIVER_UNIT),
    "creatinine": LabTest("creatinine", CREATININE, KIDNEY_UNIT),
    **{
        rule.measurement: LabTest(rule.measurement, _KINDS[rule.measurement], rule.unit)
        for rule in LAB_THRESHOLDS
    },
}
"""Every quantitative test a criterion reads; the SLEDAI-2K ones in `LAB_THRESHOLDS` units."""

QUALITATIVE: tuple[str, ...] = (
    "hbs_ag",
    "anti_hbc",
    "anti_hbs",
    "anti_hcv",
    "hbv_dna",
    "hcv_rna",
    "pregnancy_test",
)
"""Tests read as positive / negative from `value_as_concept_id`."""
