"""One patient assessment scored with every instrument its data allow.

The composite is what `lupustrial score` reads: each section is optional, and each
instrument runs only when the data it needs are there; the result says which were not
computed and why, so that nothing is silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self, TypeVar

from pydantic import Field, model_validator

from lupustrial.clinical.acr_1997 import Acr1997Input, Acr1997Result, score_acr_1997
from lupustrial.clinical.doris import (
    DORIS_PUBLISHED,
    DorisInput,
    DorisResult,
    DorisThresholds,
    assess_doris_remission,
)
from lupustrial.clinical.eular_acr_2019 import (
    EularAcr2019Input,
    EularAcr2019Result,
    score_eular_acr_2019,
)
from lupustrial.clinical.glucocorticoids import (
    UNDATED_ASSESSMENT,
    GlucocorticoidDose,
    PrednisoloneEquivalent,
    prednisolone_equivalent_on,
)
from lupustrial.clinical.lldas import (
    LLDAS_PUBLISHED,
    LldasInput,
    LldasResult,
    LldasThresholds,
    assess_lldas,
)
from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.pga import PgaValue
from lupustrial.clinical.sledai2k import Sledai2kInput, Sledai2kResult, score_sledai2k
from lupustrial.clinical.slicc_2012 import Slicc2012Input, Slicc2012Result, score_slicc_2012
from lupustrial.clinical.units import BodyWeight

NO_SLEDAI2K = "no sledai2k section"
NO_GLUCOCORTICOIDS = "no glucocorticoids section ([] for none)"
NEEDS_SLEDAI2K = "needs the SLEDAI-2K"
NO_SECTION = "no section for it"
"""Why an instrument was not computed (`AssessmentResult.not_computed`), with
`glucocorticoids.UNDATED_ASSESSMENT`: fixed texts a reader's language can look up."""


class PreviousAssessment(StrictModel):
    """The assessment before this one, which LLDAS's "no new activity" compares against."""

    sledai2k: Sledai2kInput = Field(description="The previous SLEDAI-2K (Gladman 2002).")
    haemolytic_anaemia: bool | None = Field(default=None, description="Then present?")
    gastrointestinal_activity: bool | None = Field(default=None, description="Then present?")


class Assessment(StrictModel):
    """A lupus assessment: SLEDAI-2K, PGA, glucocorticoids, classification data; all optional."""

    id: str | None = Field(default=None, description="Your identifier for this assessment.")
    date: PastDate | None = Field(default=None, description="Date of the assessment.")
    sledai2k: Sledai2kInput | None = Field(
        default=None, description="SLEDAI-2K descriptors and laboratory results (Gladman 2002)."
    )
    pga: PgaValue | None = Field(
        default=None, description="Physician global assessment, 0-3 (SELENA, Petri 2005)."
    )
    glucocorticoids: list[GlucocorticoidDose] | None = Field(
        default=None,
        description="Systemic glucocorticoid regimens; those taken on the assessment date "
        "are the current dose (all when none is dated); [] = none.",
    )
    body_weight: BodyWeight | None = Field(default=None, description="For mg/kg/day.")
    haemolytic_anaemia: bool | None = Field(
        default=None, description="Haemolytic anaemia from lupus (LLDAS; not a SLEDAI-2K item)."
    )
    gastrointestinal_activity: bool | None = Field(
        default=None, description="Gastrointestinal lupus activity (LLDAS; not SLEDAI-2K)."
    )
    maintenance_therapy_standard_and_tolerated: bool | None = Field(
        default=None,
        description="LLDAS 5: immunosuppressives and approved biologics (anifrolumab included) "
        "at well-tolerated standard maintenance doses; true also when none is taken.",
    )
    maintenance_therapy_stable: bool | None = Field(
        default=None,
        description="DORIS: antimalarials, immunosuppressives and biologics, if any, at stable "
        "maintenance doses; true also when none is taken.",
    )
    previous: PreviousAssessment | None = Field(
        default=None, description="The previous assessment, for LLDAS's 'no new activity'."
    )
    eular_acr_2019: EularAcr2019Input | None = Field(
        default=None, description="2019 EULAR/ACR classification items (Aringer 2019)."
    )
    acr_1997: Acr1997Input | None = Field(
        default=None, description="1997 ACR classification criteria (Hochberg 1997)."
    )
    slicc_2012: Slicc2012Input | None = Field(
        default=None, description="SLICC 2012 classification criteria (Petri 2012)."
    )

    @model_validator(mode="after")
    def _sledai_dated_as_the_assessment(self) -> Self:
        own = self.sledai2k.date if self.sledai2k else None
        if own and self.date and own != self.date:
            raise ValueError(
                f"sledai2k.date {own.isoformat()} differs from the assessment date "
                f"{self.date.isoformat()}"
            )
        return self

    @model_validator(mode="after")
    def _previous_comes_first(self) -> Self:
        # LLDAS checks the same on its own input (`LldasInput`), but only while scoring: checked
        # here, a bad record is refused with the others before anything is scored.
        own = self.date or (self.sledai2k.date if self.sledai2k else None)
        before = self.previous.sledai2k.date if self.previous else None
        if own and before and before > own:
            raise ValueError(
                f"previous.sledai2k.date {before.isoformat()} is after the assessment "
                f"({own.isoformat()})"
            )
        return self


class AssessmentResult(StrictModel):
    """Every instrument the assessment allowed, and why the others were not computed."""

    id: str | None = None
    date: PastDate | None = None
    sledai2k: Sledai2kResult | None = None
    pga: float | None = None
    prednisolone: PrednisoloneEquivalent | None = None
    lldas: LldasResult | None = None
    doris: DorisResult | None = None
    eular_acr_2019: EularAcr2019Result | None = None
    acr_1997: Acr1997Result | None = None
    slicc_2012: Slicc2012Result | None = None
    not_computed: dict[str, str] = Field(
        default_factory=dict, description="Instrument → the data it still needs."
    )

    def summary_lines(self) -> list[str]:
        lines = [
            result.summary_line()
            for result in (
                self.sledai2k,
                self.prednisolone,
                self.lldas,
                self.doris,
                self.eular_acr_2019,
                self.acr_1997,
                self.slicc_2012,
            )
            if result is not None
        ]
        if self.pga is not None:
            lines.insert(1 if self.sledai2k else 0, f"PGA {self.pga:g} (0-3)")
        lines.extend(f"{name}: not computed — {why}" for name, why in self.not_computed.items())
        return lines


def score_assessment(
    assessment: Assessment,
    *,
    lldas_limits: LldasThresholds = LLDAS_PUBLISHED,
    doris_limits: DorisThresholds = DORIS_PUBLISHED,
) -> AssessmentResult:
    """Score every instrument the assessment's data allow (each cites its own source).

    LLDAS and DORIS use the published limits unless a protocol passes its own.
    """
    not_computed: dict[str, str] = {}
    # One day for the whole assessment: its own date, else its SLEDAI-2K's (they must agree).
    day = assessment.date or (assessment.sledai2k.date if assessment.sledai2k else None)
    sledai = None
    if assessment.sledai2k is not None:
        entered = assessment.sledai2k
        # Dated as the assessment; copied only when it was not (the copy costs ~3%, issue 19).
        sledai = score_sledai2k(
            entered if entered.date == day else entered.model_copy(update={"date": day})
        )
    else:
        not_computed["SLEDAI-2K"] = NO_SLEDAI2K
    prednisolone = None
    if assessment.glucocorticoids is not None:
        prednisolone = prednisolone_equivalent_on(
            assessment.glucocorticoids, day, body_weight=assessment.body_weight
        )
        if prednisolone is None:
            not_computed["Prednisolone equivalent"] = UNDATED_ASSESSMENT
    else:
        not_computed["Prednisolone equivalent"] = NO_GLUCOCORTICOIDS
    lldas = doris = None
    if sledai is not None:
        # The dose converted once for all three (issue 19): the SLEDAI-2K is dated as the
        # assessment, so LLDAS's and DORIS's day is ``day``; the body weight adds only mg/kg.
        lldas = assess_lldas(
            _lldas_input(assessment, sledai), lldas_limits, prednisolone=prednisolone
        )
        doris = assess_doris_remission(
            DorisInput.trusted(
                sledai2k=sledai,
                pga=assessment.pga,
                glucocorticoids=assessment.glucocorticoids,
                maintenance_therapy_stable=assessment.maintenance_therapy_stable,
            ),
            doris_limits,
            prednisolone=prednisolone,
        )
    else:
        not_computed["LLDAS"] = not_computed["DORIS remission"] = NEEDS_SLEDAI2K
    return AssessmentResult.trusted(
        id=assessment.id,
        date=assessment.date,
        sledai2k=sledai,
        pga=assessment.pga,
        prednisolone=prednisolone,
        lldas=lldas,
        doris=doris,
        eular_acr_2019=_classify(
            "2019 EULAR/ACR", score_eular_acr_2019, assessment.eular_acr_2019, not_computed
        ),
        acr_1997=_classify("1997 ACR", score_acr_1997, assessment.acr_1997, not_computed),
        slicc_2012=_classify("SLICC 2012", score_slicc_2012, assessment.slicc_2012, not_computed),
        not_computed=not_computed,
    )


def _lldas_input(assessment: Assessment, sledai: Sledai2kResult) -> LldasInput:
    # LLDAS's and DORIS's inputs are built from the assessment's validated values without
    # validating them again (`trusted`, issue 19): their one cross-field rule, the previous
    # assessment first, is `Assessment._previous_comes_first`; no precomputed dose is given.
    previous = assessment.previous
    return LldasInput.trusted(
        sledai2k=sledai,
        previous_sledai2k=score_sledai2k(previous.sledai2k) if previous else None,
        haemolytic_anaemia=assessment.haemolytic_anaemia,
        gastrointestinal_activity=assessment.gastrointestinal_activity,
        previous_haemolytic_anaemia=previous.haemolytic_anaemia if previous else None,
        previous_gastrointestinal_activity=(
            previous.gastrointestinal_activity if previous else None
        ),
        pga=assessment.pga,
        glucocorticoids=assessment.glucocorticoids,
        maintenance_therapy_standard_and_tolerated=(
            assessment.maintenance_therapy_standard_and_tolerated
        ),
    )


Input = TypeVar("Input")
Result = TypeVar("Result")


def _classify(
    name: str,
    score: Callable[[Input], Result],
    data: Input | None,
    not_computed: dict[str, str],
) -> Result | None:
    """Score a classification set when its section is present; say so when it is not."""
    if data is None:
        not_computed[name] = NO_SECTION
        return None
    return score(data)
