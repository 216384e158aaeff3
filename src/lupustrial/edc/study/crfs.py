"""The eCRFs of a visit, each a pydantic model built from the clinical layer's own models.

A CRF's model is its edit check: ranges, units and date order are the clinical models'
validators, so the web form, the API and the scoring read one definition. `visit_assessment`
turns a visit's saved CRFs into the clinical layer's `Assessment`, which scores SLEDAI-2K,
LLDAS, DORIS and the prednisolone equivalent for the visit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, Field, model_validator

from lupustrial.clinical.assessment import Assessment, PreviousAssessment
from lupustrial.clinical.glucocorticoids import GlucocorticoidDose
from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.pga import PgaValue
from lupustrial.clinical.sledai2k import Sledai2kInput, Sledai2kLabs
from lupustrial.clinical.units import (
    BodyWeight,
    CellCount,
    Creatinine,
    DoseMass,
    EnzymeActivity,
    ProteinConcentration,
    Temperature,
)


class Labs(Sledai2kLabs):
    """Laboratory results of the visit, each with its unit and the lab's reference limits.

    The SLEDAI-2K laboratory descriptors are derived from these (Gladman 2002), so the
    SLEDAI-2K form shows them pre-filled.
    """

    haemoglobin: ProteinConcentration | None = Field(default=None, description="Haemoglobin.")
    lymphocytes: CellCount | None = Field(default=None, description="Lymphocyte count.")
    creatinine: Creatinine | None = Field(default=None, description="Serum creatinine.")
    ast: EnzymeActivity | None = Field(default=None, description="AST.")
    alt: EnzymeActivity | None = Field(default=None, description="ALT.")


class Vitals(StrictModel):
    """Vital signs and weight; the weight gives the prednisolone dose per kilogram."""

    temperature: Temperature | None = Field(default=None, description="Body temperature.")
    body_weight: BodyWeight | None = Field(default=None, description="Body weight.")
    systolic_mmhg: int | None = Field(default=None, ge=50, le=300, description="Systolic BP.")
    diastolic_mmhg: int | None = Field(default=None, ge=20, le=200, description="Diastolic BP.")


class DiseaseActivity(StrictModel):
    """The physician's global assessment and the LLDAS/DORIS items that are not SLEDAI-2K."""

    pga: PgaValue | None = None
    haemolytic_anaemia: bool | None = Field(
        default=None, description="Haemolytic anaemia from lupus (LLDAS, Franklyn 2016)."
    )
    gastrointestinal_activity: bool | None = Field(
        default=None, description="Gastrointestinal lupus activity (LLDAS, Franklyn 2016)."
    )
    maintenance_therapy_standard_and_tolerated: bool | None = Field(
        default=None,
        description="Immunosuppressives and approved biologics (anifrolumab included) at "
        "well-tolerated standard maintenance doses; yes also when none (LLDAS).",
    )
    maintenance_therapy_stable: bool | None = Field(
        default=None,
        description="Antimalarials, immunosuppressives and biologics at stable doses; yes also "
        "when none (DORIS remission, van Vollenhoven 2021).",
    )


class Glucocorticoids(StrictModel):
    """Systemic glucocorticoids taken now; the prednisolone equivalent is derived (BNF)."""

    doses: list[GlucocorticoidDose] | None = Field(
        default=None, description="Current regimens; tick 'recorded' with no rows for none."
    )


class OtherMedication(StrictModel):
    """An immunosuppressant, antimalarial or biologic other than anifrolumab."""

    drug: str = Field(min_length=1, description="e.g. hydroxychloroquine, mycophenolate.")
    daily_dose: DoseMass | None = None
    start_date: PastDate | None = None
    end_date: PastDate | None = None


class Medications(StrictModel):
    """Immunosuppressants and antimalarials taken since the previous visit."""

    medications: list[OtherMedication] | None = Field(
        default=None, description="Tick 'recorded' with no rows for none."
    )


class Infusion(StrictModel):
    """The anifrolumab infusion of the visit (300 mg every 4 weeks)."""

    given: bool = Field(description="Was anifrolumab infused at this visit?")
    date: PastDate | None = None
    dose: DoseMass | None = None
    infusion_reaction: bool | None = None
    reaction_details: str | None = None

    @model_validator(mode="after")
    def _dated_and_dosed_when_given(self) -> Infusion:
        if self.given and (self.date is None or self.dose is None):
            raise ValueError("an infusion given needs its date and dose")
        if self.infusion_reaction and not self.reaction_details:
            raise ValueError("describe the infusion reaction")
        return self


class AdverseEvent(StrictModel):
    """An adverse event: CTCAE grade, seriousness, relatedness, outcome."""

    term: str = Field(min_length=1, description="MedDRA preferred term or a plain description.")
    onset: PastDate
    grade: int = Field(ge=1, le=5, description="CTCAE grade 1-5.")
    serious: bool
    related: Literal["not related", "unlikely", "possible", "probable", "definite"]
    outcome: Literal["recovered", "recovering", "not recovered", "with sequelae", "fatal"]
    infection: bool = Field(default=False, description="An infection (counted apart).")
    herpes_zoster: bool = Field(default=False, description="Herpes zoster (counted apart).")
    end_date: PastDate | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AdverseEvent:
        if self.end_date and self.end_date < self.onset:
            raise ValueError("end_date is before onset")
        if self.herpes_zoster and not self.infection:
            raise ValueError("herpes zoster is an infection: tick infection too")
        if (self.grade == 5) != (self.outcome == "fatal"):
            raise ValueError("grade 5 and a fatal outcome go together")
        return self


class AdverseEvents(StrictModel):
    """Adverse events that began or changed since the previous visit."""

    events: list[AdverseEvent] | None = Field(
        default=None, description="Tick 'recorded' with no rows when there were none."
    )


class PregnancyTest(StrictModel):
    """A pregnancy test of a woman of childbearing potential."""

    done: bool
    result: Literal["negative", "positive"] | None = None

    @model_validator(mode="after")
    def _result_when_done(self) -> PregnancyTest:
        if self.done and self.result is None:
            raise ValueError("a test done needs its result")
        return self


@dataclass(frozen=True)
class Crf:
    """One eCRF: its code, title, model and the fields the page leaves out."""

    code: str
    title: str | Promise
    model: type[BaseModel]
    exclude: tuple[str, ...] = field(default=())


CRFS: tuple[Crf, ...] = (
    Crf("labs", _("Laboratory results"), Labs, exclude=("temperature",)),
    Crf("vitals", _("Vital signs and weight"), Vitals),
    Crf("sledai2k", _("SLEDAI-2K"), Sledai2kInput, exclude=("date", "labs")),
    Crf("disease_activity", _("Physician global assessment and LLDAS items"), DiseaseActivity),
    Crf("glucocorticoids", _("Glucocorticoids"), Glucocorticoids),
    Crf("medications", _("Immunosuppressants and antimalarials"), Medications),
    Crf("infusion", _("Anifrolumab infusion"), Infusion),
    Crf("adverse_events", _("Adverse events"), AdverseEvents),
    Crf("pregnancy_test", _("Pregnancy test"), PregnancyTest),
)
CRF_BY_CODE: dict[str, Crf] = {crf.code: crf for crf in CRFS}


def sledai_input(
    forms: Mapping[str, Mapping[str, Any]], visit_date: dt.date | None
) -> Sledai2kInput | None:
    """The visit's SLEDAI-2K: the descriptors entered, with the labs and temperature saved."""
    descriptors = forms.get("sledai2k")
    if descriptors is None:
        return None
    labs = {k: v for k, v in (forms.get("labs") or {}).items() if k in Sledai2kLabs.model_fields}
    temperature = (forms.get("vitals") or {}).get("temperature")
    if temperature is not None:
        labs["temperature"] = temperature
    return Sledai2kInput.model_validate({**descriptors, "date": visit_date, "labs": labs or None})


def visit_assessment(
    forms: Mapping[str, Mapping[str, Any]],
    visit_date: dt.date | None,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    previous_date: dt.date | None = None,
) -> Assessment:
    """The clinical layer's assessment of one visit, the previous visit included for LLDAS."""
    activity = forms.get("disease_activity") or {}
    glucocorticoids = (forms.get("glucocorticoids") or {}).get("doses")
    previous_sledai = sledai_input(previous, previous_date) if previous else None
    previous_activity = (previous or {}).get("disease_activity") or {}
    return Assessment.model_validate(
        {
            "date": visit_date,
            "sledai2k": sledai_input(forms, visit_date),
            "pga": activity.get("pga"),
            "glucocorticoids": glucocorticoids,
            "body_weight": (forms.get("vitals") or {}).get("body_weight"),
            "haemolytic_anaemia": activity.get("haemolytic_anaemia"),
            "gastrointestinal_activity": activity.get("gastrointestinal_activity"),
            "maintenance_therapy_standard_and_tolerated": activity.get(
                "maintenance_therapy_standard_and_tolerated"
            ),
            "maintenance_therapy_stable": activity.get("maintenance_therapy_stable"),
            "previous": (
                PreviousAssessment(
                    sledai2k=previous_sledai,
                    haemolytic_anaemia=previous_activity.get("haemolytic_anaemia"),
                    gastrointestinal_activity=previous_activity.get("gastrointestinal_activity"),
                )
                if previous_sledai is not None
                else None
            ),
        }
    )
