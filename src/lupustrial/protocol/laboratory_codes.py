"""The standard code of each laboratory result and vital sign the visit forms hold.

LOINC (Regenstrief Institute, LOINC 2.77, 2024) names what was measured; the FHIR export
(`lupustrial.interop.fhir`) writes it on each Observation, and the FHIR laboratory import reads
it. JLAC10 (Japanese Society of Laboratory Medicine's 17-character laboratory code: analyte 5,
identification 4, material 3, method 3, result 2; the code Japanese hospital laboratories,
SS-MIX2 and JP Core use) is declared only where a public source confirms it: the JP-CLINS
core laboratory set's value sets (`JLAC10_SOURCE`). Items the set leaves out (lymphocytes, C3,
C4, anti-dsDNA, 24-hour urine protein, urine sediment) stay unconfirmed (None) rather than
guessed; a site adds its laboratory's own code.

A JLAC10 code names the method as well as the analyte, and the forms do not record the method,
so each confirmed item declares every code of its analyte in the matching material that the
source lists (`accepted`, all read by the FHIR import) and the one the export writes (`code`):
the source's code for the usual method (the automated blood cell counter for the blood count,
ultraviolet absorption, the JSCC standard principle, for AST and ALT, the enzymatic visible
absorption method for creatinine, the quantitative ratio for urine protein/creatinine).
"""

from __future__ import annotations

import re
from typing import Self

from pydantic import Field, model_validator

from lupustrial.clinical.model import StrictModel

LOINC_SOURCE = "LOINC 2.77 (Regenstrief Institute, 2024), loinc.org"
JLAC10_SYSTEM = "urn:oid:1.2.392.200119.4.504"
"""JLAC10's code system URI in JP Core and JP-CLINS (MEDIS 臨床検査マスター 17桁コード表): the
JP-CLINS laboratory result profile fixes code.coding[jlac10LaboCode].system to it, and JP Core's
terminology table lists it for the JLAC10 17-digit code."""
JLAC10_SOURCE = (
    "JP-CLINS core laboratory set (基本検査項目セット), ValueSet JP_CLINS_ValueSet_CoreLabo "
    "1.1.0a, JAMI, dated 2023-10-15: https://github.com/jami-fhir-jp-wg/clinical-core/blob/"
    "2e29c0ae42478405682948cdb4bd1fc08fa6b31b/input/fsh/Valuesets/JP_CLINS_ValueSet_CoreLabo.fsh"
    " (read 2026-12-06)"
)


class Jlac10(StrictModel):
    """An item's confirmed JLAC10 codes, with their source."""

    code: str = Field(pattern=r"^\d[A-Z]\d{15}$", description="The code the export writes.")
    display: str = Field(min_length=1, description="The source's short name (AST, PLT, ...).")
    accepted: tuple[str, ...] = Field(
        min_length=1, description="Every code of the item the source lists (methods differ)."
    )
    source: str = JLAC10_SOURCE

    @model_validator(mode="after")
    def _one_analyte(self) -> Self:
        pattern = re.compile(r"^\d[A-Z]\d{15}$")
        bad = [c for c in self.accepted if not pattern.match(c)]
        if bad:
            raise ValueError(f"not 17-character JLAC10 codes: {', '.join(bad)}")
        if self.code not in self.accepted:
            raise ValueError(f"{self.code} is not among the accepted codes")
        return self


class LaboratoryCode(StrictModel):
    """One measured item of a visit form and its codes."""

    item: str = Field(description="form.field of the visit form, e.g. labs.platelets.")
    loinc: str = Field(pattern=r"^\d{1,7}-\d$")
    display: str = Field(min_length=1, description="The LOINC long common name.")
    jlac10: Jlac10 | None = Field(default=None, description="JLAC10 codes where confirmed.")
    category: str = Field(
        default="laboratory", description="FHIR observation category: laboratory or vital-signs."
    )
    source: str = LOINC_SOURCE


def _lab(item: str, loinc: str, display: str, jlac10: Jlac10 | None = None) -> LaboratoryCode:
    return LaboratoryCode(item=f"labs.{item}", loinc=loinc, display=display, jlac10=jlac10)


def _jlac10(display: str, code: str, *others: str) -> Jlac10:
    return Jlac10(code=code, display=display, accepted=(code, *others))


# From JLAC10_SOURCE, each analyte's codes in the material LOINC names (serum for chemistry,
# whole blood with anticoagulant for the blood count, urine); the source's whole-blood codes of
# point-of-care chemistry and its class (semi-quantitative) urine codes are left out.
_PLATELETS = _jlac10("PLT", "2A050000001930101", "2A050000001930901", "2A050000001999901",
                     "2A990000001930955")  # fmt: skip
_LEUKOCYTES = _jlac10("WBC", "2A010000001930101", "2A010000001999901", "2A990000001930952")
_HAEMOGLOBIN = _jlac10("Hb", "2A030000001930101", "2A030000001999901", "2A990000001930953")
_CREATININE = _jlac10("Cre", "3C015000002327101", "3C015000002329101", "3C015000002399901")
_AST = _jlac10("AST", "3B035000002327201", "3B035000002327701", "3B035000002327801",
               "3B035000002329101", "3B035000002399901")  # fmt: skip
_ALT = _jlac10("ALT", "3B045000002327201", "3B045000002327701", "3B045000002327801",
               "3B045000002329101", "3B045000002399901")  # fmt: skip
_UPCR = _jlac10("U-P/C", "1A015000000127128")


def _vital(item: str, loinc: str, display: str) -> LaboratoryCode:
    return LaboratoryCode(
        item=f"vitals.{item}", loinc=loinc, display=display, category="vital-signs"
    )


LABORATORY_CODES: tuple[LaboratoryCode, ...] = (
    _lab("platelets", "777-3", "Platelets [#/volume] in Blood by Automated count", _PLATELETS),
    _lab("leukocytes", "6690-2", "Leukocytes [#/volume] in Blood by Automated count", _LEUKOCYTES),
    _lab("lymphocytes", "731-0", "Lymphocytes [#/volume] in Blood by Automated count"),
    _lab("haemoglobin", "718-7", "Hemoglobin [Mass/volume] in Blood", _HAEMOGLOBIN),
    _lab("creatinine", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", _CREATININE),
    _lab(
        "ast",
        "1920-8",
        "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        _AST,
    ),
    _lab(
        "alt",
        "1742-6",
        "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        _ALT,
    ),
    _lab("c3", "4485-9", "Complement C3 [Mass/volume] in Serum or Plasma"),
    _lab("c4", "4498-2", "Complement C4 [Mass/volume] in Serum or Plasma"),
    _lab("anti_dsdna", "5130-0", "DNA double strand Ab [Units/volume] in Serum"),
    _lab("urine_protein_24h", "2889-4", "Protein [Mass/time] in 24 hour Urine"),
    _lab(
        "urine_protein_creatinine_ratio",
        "2890-2",
        "Protein/Creatinine [Mass Ratio] in Urine",
        _UPCR,
    ),
    _lab(
        "urine_rbc_per_hpf",
        "13945-1",
        "Erythrocytes [#/area] in Urine sediment by Microscopy high power field",
    ),
    _lab(
        "urine_wbc_per_hpf",
        "5821-4",
        "Leukocytes [#/area] in Urine sediment by Microscopy high power field",
    ),
    _vital("temperature", "8310-5", "Body temperature"),
    _vital("body_weight", "29463-7", "Body weight"),
    _vital("systolic_mmhg", "8480-6", "Systolic blood pressure"),
    _vital("diastolic_mmhg", "8462-4", "Diastolic blood pressure"),
)
"""Every measured item of the labs and vitals forms (a test checks none is left out)."""
