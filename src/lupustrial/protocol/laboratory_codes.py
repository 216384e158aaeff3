"""The standard code of each laboratory result and vital sign the visit forms hold.

LOINC (Regenstrief Institute, LOINC 2.77, 2024) names what was measured; the FHIR export
(`lupustrial.interop.fhir`) writes it on each Observation, and the FHIR laboratory import reads
it. JLAC10 (Japan Society of Clinical Chemistry / JAMI, the code used by Japanese hospital
laboratories and SS-MIX2) is declared where this project has confirmed it; none is yet, so
each is None rather than a guess, and a site adds its own.
"""

from __future__ import annotations

from pydantic import Field

from lupustrial.clinical.model import StrictModel

LOINC_SOURCE = "LOINC 2.77 (Regenstrief Institute, 2024), loinc.org"


class LaboratoryCode(StrictModel):
    """One measured item of a visit form and its codes."""

    item: str = Field(description="form.field of the visit form, e.g. labs.platelets.")
    loinc: str = Field(pattern=r"^\d{1,7}-\d$")
    display: str = Field(min_length=1, description="The LOINC long common name.")
    jlac10: str | None = Field(default=None, description="JLAC10 code where confirmed.")
    category: str = Field(
        default="laboratory", description="FHIR observation category: laboratory or vital-signs."
    )
    source: str = LOINC_SOURCE


def _lab(item: str, loinc: str, display: str) -> LaboratoryCode:
    return LaboratoryCode(item=f"labs.{item}", loinc=loinc, display=display)


def _vital(item: str, loinc: str, display: str) -> LaboratoryCode:
    return LaboratoryCode(
        item=f"vitals.{item}", loinc=loinc, display=display, category="vital-signs"
    )


LABORATORY_CODES: tuple[LaboratoryCode, ...] = (
    _lab("platelets", "777-3", "Platelets [#/volume] in Blood by Automated count"),
    _lab("leukocytes", "6690-2", "Leukocytes [#/volume] in Blood by Automated count"),
    _lab("lymphocytes", "731-0", "Lymphocytes [#/volume] in Blood by Automated count"),
    _lab("haemoglobin", "718-7", "Hemoglobin [Mass/volume] in Blood"),
    _lab("creatinine", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
    _lab(
        "ast", "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma"
    ),
    _lab(
        "alt", "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"
    ),
    _lab("c3", "4485-9", "Complement C3 [Mass/volume] in Serum or Plasma"),
    _lab("c4", "4498-2", "Complement C4 [Mass/volume] in Serum or Plasma"),
    _lab("anti_dsdna", "5130-0", "DNA double strand Ab [Units/volume] in Serum"),
    _lab("urine_protein_24h", "2889-4", "Protein [Mass/time] in 24 hour Urine"),
    _lab("urine_protein_creatinine_ratio", "2890-2", "Protein/Creatinine [Mass Ratio] in Urine"),
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
