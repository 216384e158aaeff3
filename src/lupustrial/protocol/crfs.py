"""The study's eCRFs as typed models, one record of a visit, and how a visit is scored.

Each CRF model is its own edit check: ranges, units and date order are the clinical models'
validators and the `Limits` declared in `clinical.limits`, so the web form, the API and the
study dataset read one definition. `VisitForms` is one visit's saved CRFs, field by field as
entered; the web application's stored forms map to it in one place
(`lupustrial.edc.study.records`), and the dataset's visit record is a `VisitForms` too.
`clinical_assessment` turns a visit's forms into the clinical layer's `Assessment`, which
scores SLEDAI-2K, LLDAS, DORIS and the prednisolone equivalent; `previous_assessment` is the
one rule for which earlier visit LLDAS's "no new activity" compares against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any, Literal, Self, TypeVar, get_args

from pydantic import Field, ValidationInfo, field_validator, model_validator

from lupustrial.clinical import limits
from lupustrial.clinical.assessment import (
    Assessment,
    AssessmentResult,
    PreviousAssessment,
    score_assessment,
)
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
from lupustrial.coding import ctcae
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig
from lupustrial.protocol.safety.expectedness import check_meddra_code
from lupustrial.protocol.safety.seriousness import Seriousness


class Labs(Sledai2kLabs):
    """Laboratory results of the visit, each with its unit and the lab's reference limits.

    The SLEDAI-2K laboratory descriptors are derived from these (Gladman 2002), so the
    SLEDAI-2K form shows them pre-filled. Body temperature is a vital sign: it is entered
    once, in `Vitals`.
    """

    haemoglobin: Annotated[ProteinConcentration | None, limits.HAEMOGLOBIN] = Field(
        default=None, description="Haemoglobin."
    )
    lymphocytes: Annotated[CellCount | None, limits.LYMPHOCYTES] = Field(
        default=None, description="Lymphocyte count."
    )
    creatinine: Annotated[Creatinine | None, limits.SERUM_CREATININE] = Field(
        default=None, description="Serum creatinine."
    )
    ast: Annotated[EnzymeActivity | None, limits.AMINOTRANSFERASE] = Field(
        default=None, description="AST."
    )
    alt: Annotated[EnzymeActivity | None, limits.AMINOTRANSFERASE] = Field(
        default=None, description="ALT."
    )

    @model_validator(mode="after")
    def _temperature_in_vitals(self) -> Self:
        if self.temperature is not None:
            raise ValueError("enter the body temperature in the vital signs form, not in labs")
        return self


class Vitals(StrictModel):
    """Vital signs and weight; the weight gives the prednisolone dose per kilogram."""

    temperature: Annotated[Temperature | None, limits.BODY_TEMPERATURE] = Field(
        default=None, description="Body temperature."
    )
    body_weight: Annotated[BodyWeight | None, limits.BODY_WEIGHT] = Field(
        default=None, description="Body weight."
    )
    systolic_mmhg: Annotated[int | None, limits.SYSTOLIC_BP] = Field(
        default=None, description="Systolic blood pressure (mmHg)."
    )
    diastolic_mmhg: Annotated[int | None, limits.DIASTOLIC_BP] = Field(
        default=None, description="Diastolic blood pressure (mmHg)."
    )


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


class Route(StrEnum):
    """How a medication is given (CDISC SDTM controlled terminology ROUTE, a subset)."""

    ORAL = "oral"
    INTRAVENOUS = "intravenous"
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"
    TOPICAL = "topical"
    INHALED = "inhaled"
    INTRA_ARTICULAR = "intra-articular"
    OTHER = "other"


class DoseUnit(StrEnum):
    """A dose's unit: the mass units convert to mg (`clinical.units`), the others stay as they
    are (a count of tablets or vaccine doses has no mass)."""

    MG = "mg"
    G = "g"
    UG = "µg"
    ML = "mL"
    IU = "IU"
    UNITS = "units"
    TABLETS = "tablets"
    DOSES = "doses"
    PUFFS = "puffs"
    DROPS = "drops"
    APPLICATIONS = "applications"


class ConcomitantMedication(StrictModel):
    """Any medication or vaccine taken during the study, not only immunosuppressants and
    antimalarials: the CDISC SDTMIG v3.4 (2021) CM domain's variables (CMTRT, CMDOSE and
    CMDOSU, CMDOSTOT, CMROUTE, CMDOSFRQ, CMSTDTC, CMENDTC, CMINDC)."""

    drug: str = Field(min_length=1, description="e.g. hydroxychloroquine, amlodipine, MMR.")
    dose: Annotated[float | None, Field(ge=0)] = Field(
        default=None, description="One dose, in the dose unit."
    )
    dose_unit: DoseUnit | None = None
    daily_dose: DoseMass | None = Field(default=None, description="Total daily dose (mass).")
    route: Route | None = None
    frequency: str | None = Field(
        default=None, description="e.g. once daily, twice daily, weekly, as needed, once."
    )
    start_date: PastDate | None = None
    end_date: PastDate | None = None
    indication: str | None = Field(default=None, description="What it is taken for.")
    vaccine: bool | None = Field(
        default=None, description="A vaccine (E12 and the safety review read these)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        if (self.dose is None) != (self.dose_unit is None):
            raise ValueError("a dose needs its dose_unit, and a dose_unit its dose")
        return self

    def dose_mg(self) -> float | None:
        """One dose in mg when its unit is a mass (the one conversion, `clinical.units`)."""
        if self.dose is None or self.dose_unit is None:
            return None
        if self.dose_unit.value not in DoseMass.KIND.factors:
            return None
        return DoseMass(value=self.dose, unit=self.dose_unit.value).to("mg")


OtherMedication = ConcomitantMedication
"""The former name (immunosuppressants and antimalarials only); stored forms still validate."""


class Medications(StrictModel):
    """Every concomitant medication and vaccine taken since the previous visit."""

    medications: list[ConcomitantMedication] | None = Field(
        default=None, description="Tick 'recorded' with no rows for none."
    )


class Infusion(StrictModel):
    """The anifrolumab infusion of the visit (300 mg every 4 weeks): the lot it came from, when
    it ran, any interruption, the dose given, and why it was not given."""

    given: bool = Field(description="Was anifrolumab infused at this visit?")
    date: PastDate | None = None
    dose: Annotated[DoseMass | None, limits.INFUSION_DOSE] = None
    lot_number: str | None = Field(
        default=None, description="Lot (batch) number on the vial (drug accountability)."
    )
    start_time: dt.time | None = Field(default=None, description="Infusion start (HH:MM).")
    end_time: dt.time | None = Field(default=None, description="Infusion end (HH:MM).")
    interrupted: bool | None = None
    interruption_reason: str | None = None
    not_given_reason: str | None = Field(default=None, description="Why anifrolumab was not given.")
    infusion_reaction: bool | None = None
    reaction_details: str | None = None

    @model_validator(mode="after")
    def _dated_and_dosed_when_given(self) -> Self:
        if self.given and (self.date is None or self.dose is None):
            raise ValueError("an infusion given needs its date and dose")
        if not self.given and not self.not_given_reason:
            raise ValueError("not_given_reason: say why the infusion was not given")
        if not self.given and (self.lot_number or self.start_time or self.dose):
            raise ValueError("an infusion not given has no lot_number, start_time or dose")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValueError("end_time is not after start_time")
        if self.interrupted and not self.interruption_reason:
            raise ValueError("interruption_reason: say why the infusion was interrupted")
        if self.infusion_reaction and not self.reaction_details:
            raise ValueError("describe the infusion reaction")
        return self


ActionTaken = Literal[
    "dose not changed", "drug interrupted", "drug withdrawn", "not applicable", "unknown"
]
"""What was done with anifrolumab because of the event (CDISC SDTM AEACN, codelist C66767)."""
ACTION_TAKEN: tuple[str, ...] = get_args(ActionTaken)


class AdverseEvent(StrictModel):
    """One version of an adverse event: term, onset and end, CTCAE grade (v5.0, 2017),
    seriousness, relatedness, outcome and the action taken with the study drug.

    An adverse event is its own record with a stable identity (``AE-001`` of a subject),
    recorded at a visit or between visits; each save is a new version of it, and every
    version is kept. It is not a form of a visit.
    """

    term: str = Field(min_length=1, description="MedDRA preferred term or a plain description.")
    ctcae_code: int | None = Field(
        default=None,
        description="The CTCAE v5.0 term picked, by its MedDRA code; blank: free text, not coded.",
    )
    specified_code: int | None = Field(
        default=None,
        validate_default=True,  # an "Other, specify" term without it is refused
        description="For a CTCAE 'Other, specify' term: the MedDRA code of the event specified.",
    )
    onset: PastDate
    aware_date: PastDate | None = Field(
        default=None,
        description="Date the investigator became aware of these facts (the site's date): "
        "day 0 of a safety report's deadline.",
    )
    grade: int = Field(ge=1, le=5, description="CTCAE grade 1-5.")
    serious: bool
    related: Literal["not related", "unlikely", "possible", "probable", "definite"]
    outcome: Literal["recovered", "recovering", "not recovered", "with sequelae", "fatal"]
    action_taken: ActionTaken | None = Field(
        default=None, description="What was done with anifrolumab because of the event."
    )
    infection: bool = Field(default=False, description="An infection (counted apart).")
    herpes_zoster: bool = Field(default=False, description="Herpes zoster (counted apart).")
    end_date: PastDate | None = None
    seriousness_criteria: list[Seriousness] = Field(
        default_factory=list,
        description="The seriousness criteria the event meets (Clinical Trials Act "
        "Regulations Art. 54); a serious event meets at least one.",
    )
    course: str = Field(
        default="", description="The course of the event, in the investigator's words."
    )

    @field_validator("ctcae_code")
    @classmethod
    def _a_ctcae_term(cls, code: int | None) -> int | None:
        if code is not None and ctcae.load().by_code(code) is None:
            raise ValueError(f"{code} is not a CTCAE v5.0 term")
        return code

    @field_validator("specified_code")
    @classmethod
    def _specified_for_other_specify(cls, code: int | None, info: ValidationInfo) -> int | None:
        if "ctcae_code" not in info.data:
            return code  # the term's own error says why
        term = _ctcae_term(info.data["ctcae_code"])
        if code is not None:
            check_meddra_code(code)
            if term is None:
                raise ValueError("a specified MedDRA code needs an 'Other, specify' CTCAE term")
            if not term.other_specify:
                raise ValueError(f"'{term.term}' is not an 'Other, specify' term")
        elif term is not None and term.other_specify:
            raise ValueError(f"'{term.term}' needs the MedDRA code specified")
        return code

    @field_validator("aware_date")
    @classmethod
    def _aware_after_onset(cls, aware: dt.date | None, info: ValidationInfo) -> dt.date | None:
        onset = info.data.get("onset")
        if aware is not None and onset is not None and aware < onset:
            raise ValueError("the investigator cannot have become aware before the onset")
        return aware

    @field_validator("grade")
    @classmethod
    def _grade_the_term_defines(cls, grade: int, info: ValidationInfo) -> int:
        """CTCAE v5.0 (NCI 2017) defines some grades only for some terms (no grade 1 or 2
        anaphylaxis, no grade 3 alopecia)."""
        term = _ctcae_term(info.data.get("ctcae_code"))
        if term is not None and not term.allows(grade):
            allowed = ", ".join(str(g) for g in range(1, 6) if term.allows(g))
            raise ValueError(
                f"CTCAE v5.0 '{term.term}' has no grade {grade} (its grades: {allowed})"
            )
        return grade

    @field_validator("seriousness_criteria")
    @classmethod
    def _criteria_agree(
        cls, criteria: list[Seriousness], info: ValidationInfo
    ) -> list[Seriousness]:
        if not criteria:
            return criteria  # not serious, or recorded before the criteria were asked
        if info.data.get("serious") is False:
            raise ValueError("a non-serious event meets no seriousness criterion")
        fatal = info.data.get("outcome") == "fatal"
        if Seriousness.DEATH in criteria and not fatal:
            raise ValueError("'death' needs the outcome 'fatal'")
        if fatal and Seriousness.DEATH not in criteria:
            raise ValueError("a fatal event meets the criterion 'death'")
        return criteria

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.end_date and self.end_date < self.onset:
            raise ValueError("end_date is before onset")
        if self.herpes_zoster and not self.infection:
            raise ValueError("herpes zoster is an infection: tick infection too")
        if (self.grade == 5) != (self.outcome == "fatal"):
            raise ValueError("grade 5 and a fatal outcome go together")
        return self

    @property
    def coded_term(self) -> ctcae.CodedTerm:
        """The term as coded: a CTCAE term, 'Other, specify' with its code, or free text."""
        return ctcae.CodedTerm(
            verbatim=self.term, ctcae_code=self.ctcae_code, specified_code=self.specified_code
        )


def _ctcae_term(code: int | None) -> ctcae.CtcaeTerm | None:
    return None if code is None else ctcae.load().by_code(code)


def reporting_gaps(event: AdverseEvent) -> list[tuple[str, str]]:
    """What a new version of a serious event still lacks for its reporting clock, by field.

    Records stored before these fields were asked still read (both are optional in the
    model); a new version of a serious event is refused without them (Art. 54: day 0 is the
    day the investigator knew, and the deadline depends on the criteria met).
    """
    if not event.serious:
        return []
    gaps = []
    if event.aware_date is None:
        gaps.append(
            ("aware_date", "a serious event needs the date the investigator became aware (day 0)")
        )
    if not event.seriousness_criteria:
        gaps.append(
            ("seriousness_criteria", "a serious event needs the seriousness criteria it meets")
        )
    return gaps


class PregnancyTest(StrictModel):
    """A pregnancy test of a woman of childbearing potential."""

    done: bool
    result: Literal["negative", "positive"] | None = None

    @model_validator(mode="after")
    def _result_when_done(self) -> Self:
        if self.done and self.result is None:
            raise ValueError("a test done needs its result")
        return self


class Sledai2kForm(Sledai2kInput):
    """The SLEDAI-2K form: the descriptors only. Its date is the visit's and its laboratory
    results are the labs form's, entered once and attached when the visit is scored.

    A descriptor left unanswered is "not assessed"; the form is complete only when every
    descriptor is answered or ``not_assessed_reason`` says why some were not
    (`protocol.completeness`).
    """

    not_assessed_reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why the descriptors left unanswered were not assessed.",
    )

    @model_validator(mode="after")
    def _descriptors_only(self) -> Self:
        if self.date is not None or self.labs is not None:
            raise ValueError(
                "the SLEDAI-2K form holds the descriptors only: its date is the visit's, its "
                "laboratory results go in the labs form"
            )
        return self


class VisitForms(StrictModel):
    """One visit's eCRFs as entered, each typed by its model; None: the form was not saved.

    Field names are the CRF codes. The SLEDAI-2K form holds the descriptors only: its
    laboratory results are the `labs` form and its temperature the `vitals` form, attached
    when the visit is scored (`sledai_input`). Adverse events are not a visit's form: each is
    its own record (`AdverseEvent`), recorded at a visit or between visits.
    """

    labs: Labs | None = None
    vitals: Vitals | None = None
    sledai2k: Sledai2kForm | None = None
    disease_activity: DiseaseActivity | None = None
    glucocorticoids: Glucocorticoids | None = None
    medications: Medications | None = None
    infusion: Infusion | None = None
    pregnancy_test: PregnancyTest | None = None

    @field_validator("sledai2k", mode="before")
    @classmethod
    def _checked_as_the_form(cls, value: Any) -> Any:
        """A clinical-layer SLEDAI-2K input is checked as the form would check it."""
        if isinstance(value, Sledai2kInput) and not isinstance(value, Sledai2kForm):
            return value.model_dump()
        return value


CRF_MODELS: dict[str, type[StrictModel]] = {
    name: get_args(field.annotation)[0]  # each field is `Model | None`
    for name, field in VisitForms.model_fields.items()
}
"""Each CRF's model by its code, in the order of `VisitForms`."""


def sledai_input(forms: VisitForms, date: dt.date | None) -> Sledai2kInput | None:
    """The visit's SLEDAI-2K: the descriptors entered, with the labs and temperature saved."""
    if forms.sledai2k is None:
        return None
    labs = forms.labs.model_dump(include=set(Sledai2kLabs.model_fields)) if forms.labs else {}
    labs = {k: v for k, v in labs.items() if v is not None}
    if forms.vitals is not None and forms.vitals.temperature is not None:
        labs["temperature"] = forms.vitals.temperature.model_dump()
    descriptors = forms.sledai2k.model_dump(exclude={"date", "labs", "not_assessed_reason"})
    return Sledai2kInput.model_validate({**descriptors, "date": date, "labs": labs or None})


def clinical_assessment(
    forms: VisitForms,
    date: dt.date | None,
    previous: VisitForms | None = None,
    previous_date: dt.date | None = None,
) -> Assessment:
    """The clinical layer's assessment of one visit, the previous assessment included."""
    activity = forms.disease_activity or DiseaseActivity()
    previous_sledai = sledai_input(previous, previous_date) if previous is not None else None
    before = (previous.disease_activity if previous else None) or DiseaseActivity()
    return Assessment(
        date=date,
        sledai2k=sledai_input(forms, date),
        pga=activity.pga,
        glucocorticoids=forms.glucocorticoids.doses if forms.glucocorticoids else None,
        body_weight=forms.vitals.body_weight if forms.vitals else None,
        haemolytic_anaemia=activity.haemolytic_anaemia,
        gastrointestinal_activity=activity.gastrointestinal_activity,
        maintenance_therapy_standard_and_tolerated=(
            activity.maintenance_therapy_standard_and_tolerated
        ),
        maintenance_therapy_stable=activity.maintenance_therapy_stable,
        previous=(
            PreviousAssessment(
                sledai2k=previous_sledai,
                haemolytic_anaemia=before.haemolytic_anaemia,
                gastrointestinal_activity=before.gastrointestinal_activity,
            )
            if previous_sledai is not None
            else None
        ),
    )


_CLASSIFICATION_SETS = frozenset({"2019 EULAR/ACR", "1997 ACR", "SLICC 2012"})
"""Classification belongs to screening, not to a visit: their absence at a visit is no gap."""


def score_visit(
    forms: VisitForms,
    date: dt.date | None,
    previous: VisitForms | None = None,
    previous_date: dt.date | None = None,
    protocol: ProtocolConfig = DEFAULT_PROTOCOL,
) -> AssessmentResult:
    """The one derivation of a visit: SLEDAI-2K, clinical SLEDAI-2K, PGA, prednisolone mg/day
    and mg/kg/day, LLDAS and DORIS, for the web pages, the API, the dataset and the report.

    ``previous`` is the visit `previous_assessment` chose; LLDAS and DORIS use the protocol's
    limits (`ProtocolConfig.lldas`, `.doris`).
    """
    result = score_assessment(
        clinical_assessment(forms, date, previous, previous_date),
        lldas_limits=protocol.lldas,
        doris_limits=protocol.doris,
    )
    gaps = {k: v for k, v in result.not_computed.items() if k not in _CLASSIFICATION_SETS}
    return result.model_copy(update={"not_computed": gaps})


V = TypeVar("V")


def previous_assessment(
    visits: Sequence[V],
    current: V,
    date_of: Callable[[V], dt.date | None],
    forms_of: Callable[[V], VisitForms | None],
) -> V | None:
    """The assessment LLDAS's "no new lupus activity" compares against (Franklyn 2016).

    The subject's latest visit dated strictly before ``current`` at which a SLEDAI-2K was
    recorded, scheduled or unscheduled alike: Franklyn 2016 compares with "the previous
    assessment", and an unscheduled visit that assessed disease activity is one. A visit
    without a SLEDAI-2K (an infusion or a safety visit only) assessed nothing to compare
    with and is passed over. Ties on one date: the one listed last in ``visits``.
    """
    today = date_of(current)
    if today is None:
        return None
    chosen: V | None = None
    chosen_date: dt.date | None = None
    for visit in visits:
        day = date_of(visit)
        forms = forms_of(visit)
        if visit is current or day is None or day >= today:
            continue
        if forms is None or forms.sledai2k is None:
            continue
        if chosen_date is None or day >= chosen_date:
            chosen, chosen_date = visit, day
    return chosen
