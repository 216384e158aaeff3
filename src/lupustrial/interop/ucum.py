"""The UCUM code of each unit the clinical layer accepts (The Unified Code for Units of
Measure, version 2.1, Regenstrief Institute 2017), for FHIR Quantities.

The accepted spellings are `clinical.units`' (each quantity kind's `factors`); a test checks
that every one has its code here. A unit with no code (an anti-dsDNA unit a laboratory wrote
in its own way) is written as text only, never guessed.
"""

from __future__ import annotations

UCUM_SYSTEM = "http://unitsofmeasure.org"

UCUM: dict[str, str] = {
    # cell counts
    "10^9/L": "10*9/L",
    "x10^9/L": "10*9/L",
    "G/L": "10*9/L",
    "10^3/µL": "10*3/uL",
    "x10^3/µL": "10*3/uL",
    "/mm³": "/mm3",
    "cells/mm³": "{cells}/mm3",
    "/µL": "/uL",
    "cells/µL": "{cells}/uL",
    "10^4/µL": "10*4/uL",
    "x10^4/µL": "10*4/uL",
    "万/µL": "10*4/uL",
    # concentrations
    "mg/dL": "mg/dL",
    "µmol/L": "umol/L",
    "mmol/L": "mmol/L",
    "mg/L": "mg/L",
    "g/L": "g/L",
    "g/dL": "g/dL",
    # enzyme activity
    "U/L": "U/L",
    "IU/L": "[IU]/L",
    "µkat/L": "ukat/L",
    # mass
    "kg": "kg",
    "g": "g",
    "lb": "[lb_av]",
    "mg": "mg",
    "µg": "ug",
    "mcg": "ug",
    # temperature
    "°C": "Cel",
    "C": "Cel",
    "℃": "Cel",
    "°F": "[degF]",
    "F": "[degF]",
    "℉": "[degF]",
    # urine
    "/hpf": "/[HPF]",
    "cells/hpf": "{cells}/[HPF]",
    "g/24h": "g/(24.h)",
    "g/day": "g/d",
    "mg/24h": "mg/(24.h)",
    "mg/day": "mg/d",
    "g/g": "g/g",
    "mg/mg": "mg/mg",
    "mg/g": "mg/g",
    "g/gCr": "g/g{creat}",
    "g/gCre": "g/g{creat}",
    "mg/gCr": "mg/g{creat}",
    "mg/gCre": "mg/g{creat}",
    "mg/mmol": "mg/mmol",
    "g/mmol": "g/mmol",
    # anti-dsDNA, as laboratories commonly write it
    "IU/mL": "[IU]/mL",
    "U/mL": "U/mL",
    # vital signs without a unit field in the form
    "mm[Hg]": "mm[Hg]",
}


def ucum(unit: str) -> str | None:
    """The UCUM code of ``unit`` as the clinical layer spells it, or None when unknown."""
    return UCUM.get(unit)
