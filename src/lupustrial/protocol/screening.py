"""The screening record: everything the eligibility criteria read about one candidate.

A field left out means "not yet known", never "absent": a list left out (medications,
vaccinations, malignancies, other diseases) means the history was not taken, while an empty
list means it was taken and holds nothing. Each criterion says which fields it still needs.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self, get_args

from pydantic import Field, model_validator

from lupustrial.clinical.acr_1997 import Acr1997Input
from lupustrial.clinical.eular_acr_2019 import EularAcr2019Input
from lupustrial.clinical.glucocorticoids import GlucocorticoidDose
from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.sledai2k import Sledai2kInput
from lupustrial.clinical.units import BodyWeight, Creatinine, EnzymeActivity

SystemicRoute = Literal["oral", "intravenous", "subcutaneous", "intramuscular"]
Route = SystemicRoute | Literal["topical", "intra-articular", "inhaled"]
SYSTEMIC_ROUTES: frozenset[str] = frozenset(get_args(SystemicRoute))


class Consent(StrictModel):
    """A written informed consent: when, on which form version, obtained by whom."""

    date: PastDate = Field(description="The day the patient signed the consent form.")
    form_version: str = Field(min_length=1, description="Version of the consent form signed.")
    obtained_by: str = Field(min_length=1, description="The investigator who obtained it.")


class PriorMedication(StrictModel):
    """A drug the patient received before screening."""

    drug: str = Field(min_length=1, description="Generic or brand name, e.g. hydroxychloroquine.")
    route: Route = Field(description="How it was given; only systemic routes count for I2.")
    start_date: PastDate | None = Field(default=None, description="When it was first given.")
    for_sle: bool | None = Field(
        default=None, description="Whether it was given for SLE (omitted: not yet confirmed)."
    )


class Classification(StrictModel):
    """The classification criteria data, either or both sets (I1 needs one of them met)."""

    eular_acr_2019: EularAcr2019Input | None = Field(
        default=None, description="2019 EULAR/ACR items (Aringer 2019)."
    )
    acr_1997: Acr1997Input | None = Field(
        default=None, description="1997 ACR criteria (Hochberg 1997)."
    )


class Hepatitis(StrictModel):
    """Hepatitis B and C markers at screening: true = positive/detectable, false = negative."""

    hbs_ag: bool | None = Field(default=None, description="HBs antigen.")
    anti_hbc: bool | None = Field(default=None, description="Anti-HBc antibody.")
    anti_hbs: bool | None = Field(default=None, description="Anti-HBs antibody.")
    anti_hbs_from_vaccination_only: bool | None = Field(
        default=None,
        description="A positive anti-HBs explained by hepatitis B vaccination alone "
        "(with a negative anti-HBc), which is not a history of infection.",
    )
    hbv_dna_detectable: bool | None = Field(default=None, description="HBV DNA (nucleic acid).")
    anti_hcv: bool | None = Field(default=None, description="Anti-HCV antibody.")
    hcv_rna_detectable: bool | None = Field(default=None, description="HCV RNA (nucleic acid).")


class Malignancy(StrictModel):
    """A current or past malignant tumour."""

    site: str = Field(min_length=1, description="Organ or type, e.g. breast, cervix.")
    diagnosis_date: PastDate | None = None
    current: bool = Field(description="Still present or under treatment.")
    last_evidence_date: PastDate | None = Field(
        default=None,
        description="The last day the tumour or a recurrence was present (end of treatment "
        "when it never recurred): the recurrence-free time runs from here.",
    )
    in_situ: bool | None = Field(default=None, description="Carcinoma in situ.")
    local_therapy_only: bool | None = Field(
        default=None, description="Treated with local therapy only (e.g. conisation)."
    )
    metastasis: bool | None = Field(default=None, description="Ever metastasised.")

    @model_validator(mode="after")
    def _dated_if_past(self) -> Self:
        first, last = self.diagnosis_date, self.last_evidence_date
        if first and last and last < first:
            raise ValueError("last_evidence_date is before diagnosis_date")
        return self


class Vaccination(StrictModel):
    """A vaccine given before the first dose."""

    vaccine: str = Field(min_length=1, description="Vaccine name, e.g. MMR, Shingrix.")
    date: PastDate


class MedicalCondition(StrictModel):
    """One condition of the candidate's medical history, past or ongoing, taken at screening
    (CDISC SDTMIG v3.4 (2021) MH domain: MHTERM, MHSTDTC, MHENRF, MHENDTC)."""

    condition: str = Field(min_length=1, description="e.g. hypertension, appendicectomy.")
    start_date: PastDate | None = None
    ongoing: bool | None = Field(default=None, description="Still present at screening.")
    end_date: PastDate | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if self.ongoing and self.end_date is not None:
            raise ValueError("an ongoing condition has no end_date")
        return self


class Reproduction(StrictModel):
    """Pregnancy and lactation, asked of female candidates (E9, E10)."""

    childbearing_potential: bool | None = Field(
        default=None, description="False after menopause or sterilisation."
    )
    pregnant: bool | None = Field(default=None, description="Known or suspected pregnancy.")
    pregnancy_test: Literal["negative", "positive"] | None = None
    pregnancy_test_date: PastDate | None = None
    lactating: bool | None = None

    @model_validator(mode="after")
    def _test_is_dated(self) -> Self:
        if (self.pregnancy_test is None) != (self.pregnancy_test_date is None):
            raise ValueError("pregnancy_test and pregnancy_test_date go together")
        return self


class InvestigatorJudgement(StrictModel):
    """E13: whether the investigator judges participation unsuitable, and why."""

    unsuitable: bool
    reason: str | None = Field(default=None, description="Required when unsuitable.")
    investigator: str = Field(min_length=1)
    date: PastDate

    @model_validator(mode="after")
    def _reason_when_unsuitable(self) -> Self:
        if self.unsuitable and not (self.reason and self.reason.strip()):
            raise ValueError("a reason is required when the candidate is judged unsuitable")
        return self


class ScreeningRecord(StrictModel):
    """One candidate's screening data, as the eligibility criteria I1-I5 and E1-E13 read it."""

    screening_id: str = Field(min_length=1, description="The site's screening number.")
    sex: Literal["female", "male"]
    date_of_birth: PastDate
    planned_first_dose_date: dt.date | None = Field(
        default=None, description="Planned first anifrolumab infusion (may be in the future)."
    )
    consent: Consent | None = Field(default=None, description="I5: the written consent.")
    sle_diagnosis_date: PastDate | None = Field(default=None, description="I2: diagnosis day.")
    classification: Classification | None = None
    prior_medications: list[PriorMedication] | None = Field(
        default=None,
        description="I2: every systemic drug before screening; [] = history taken, none.",
    )
    screening_sledai2k: Sledai2kInput | None = Field(
        default=None, description="I3: the screening SLEDAI-2K, with its date."
    )
    initial_glucocorticoids: list[GlucocorticoidDose] | None = Field(
        default=None,
        description="E1: the initial glucocorticoid regimen, pulses included; [] = none.",
    )
    body_weight: BodyWeight | None = Field(default=None, description="E1: weight at screening.")
    hepatitis: Hepatitis | None = None
    ast: EnzymeActivity | None = Field(default=None, description="E4: AST.")
    alt: EnzymeActivity | None = Field(default=None, description="E4: ALT.")
    creatinine: Creatinine | None = Field(default=None, description="E5: serum creatinine.")
    active_tuberculosis: bool | None = Field(default=None, description="E6.")
    malignancies: list[Malignancy] | None = Field(
        default=None, description="E7: current or past malignant tumours; [] = none."
    )
    suspected_active_infection: bool | None = Field(default=None, description="E8.")
    reproduction: Reproduction | None = Field(default=None, description="E9, E10 (women).")
    other_collagen_diseases: list[str] | None = Field(
        default=None, description="E11: coexisting collagen diseases by name; [] = none."
    )
    vaccinations: list[Vaccination] | None = Field(
        default=None, description="E12: vaccines in the months before the first dose; [] = none."
    )
    investigator_judgement: InvestigatorJudgement | None = Field(default=None, description="E13.")
    medical_history: list[MedicalCondition] | None = Field(
        default=None,
        description="Every other condition, past or ongoing (not a criterion); [] = none.",
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        born = self.date_of_birth
        for name, day in (
            ("sle_diagnosis_date", self.sle_diagnosis_date),
            ("consent.date", self.consent.date if self.consent else None),
            ("planned_first_dose_date", self.planned_first_dose_date),
        ):
            if day is not None and day < born:
                raise ValueError(f"{name} {day.isoformat()} is before date_of_birth")
        if self.reproduction is not None and self.sex == "male":
            raise ValueError("reproduction is recorded for female candidates only")
        return self


SCREENING_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("demographics", ("sex", "date_of_birth", "planned_first_dose_date", "body_weight",
                      "reproduction")),
    ("classification", ("sle_diagnosis_date", "classification")),
    ("history", ("medical_history", "prior_medications", "initial_glucocorticoids",
                 "screening_sledai2k", "malignancies", "other_collagen_diseases",
                 "vaccinations")),
    ("labs", ("hepatitis", "ast", "alt", "creatinine")),
    ("exclusions", ()),
)  # fmt: skip
"""The screening record's five sections, by its top-level fields; a field not named goes to the
last one. The web form's sections and the REDCap export's screening instruments both read it."""


def screening_section(field: str) -> str:
    """The section a top-level field of the screening record belongs to."""
    for key, fields in SCREENING_SECTIONS:
        if field in fields:
            return key
    return SCREENING_SECTIONS[-1][0]
