"""Systemic glucocorticoid doses as prednisolone equivalents (BNF; Liu 2013).

Every conversion uses one table of equivalent anti-inflammatory doses: the mg of each drug
that equals 5 mg of prednisolone, as the British National Formulary gives it. The published
tables disagree only on betamethasone (0.75 mg in the BNF, 0.6 mg in Liu 2013), so that
single figure is a choice, defaulting to the BNF.

The sum of the doses passed in is the daily exposure: callers pass the doses that run
concurrently on the day of interest. An empty list means no glucocorticoid (0 mg/day), not
an unknown exposure.

Which regimens run on a day is one rule, used for the current dose (LLDAS, DORIS) and for
the heaviest day (eligibility E1): a regimen is taken from its start date to its end date,
both included; without a start date, every day up to its end date; without an end date, it
is still running. When no regimen carries a date, all of them are current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, model_validator

from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.sources import (
    BNF_CORTICOSTEROIDS,
    CDISC_SDTMIG_34_CMDOSTOT,
    LIU_2013,
    WHO_DDD_2024,
)
from lupustrial.clinical.status import CodeEnum
from lupustrial.clinical.units import BodyWeight, DoseMass

INTERMITTENT_DOSING_SOURCE = WHO_DDD_2024
"""A regimen given every n days counts as the dose over the interval (its average per day)."""
TOTAL_DAILY_DOSE_SOURCE = CDISC_SDTMIG_34_CMDOSTOT
"""A dose entered per day is the day's total, counted as entered (no frequency on top)."""

PREDNISOLONE_REFERENCE_MG = 5.0
"""The tables state each drug's dose equivalent to this much prednisolone."""

_DECIMALS = 6
"""Results are rounded here so float noise never crosses a threshold: 36 mg at 60 kg must be
0.6 mg/kg/day exactly, and 6 mg methylprednisolone 7.5 mg prednisolone exactly."""


class Glucocorticoid(CodeEnum):
    """A systemic glucocorticoid with a published prednisolone equivalent."""

    PREDNISOLONE = "prednisolone"
    PREDNISONE = "prednisone"
    METHYLPREDNISOLONE = "methylprednisolone"
    HYDROCORTISONE = "hydrocortisone"
    CORTISONE = "cortisone"
    DEXAMETHASONE = "dexamethasone"
    BETAMETHASONE = "betamethasone"
    TRIAMCINOLONE = "triamcinolone"
    DEFLAZACORT = "deflazacort"


SYNONYMS: dict[str, Glucocorticoid] = {
    # The BNF lists cortisone as its acetate; the equivalent dose is of the acetate.
    "cortisone acetate": Glucocorticoid.CORTISONE,
    # Cortisol is the same molecule as hydrocortisone.
    "cortisol": Glucocorticoid.HYDROCORTISONE,
    "methyl prednisolone": Glucocorticoid.METHYLPREDNISOLONE,
}
"""Only names that cannot mean another dose. Salts (e.g. dexamethasone sodium phosphate) are
left out on purpose: labels disagree on whether the strength is of the salt or the base."""


class BetamethasoneSource(CodeEnum):
    """Which published figure converts betamethasone: the tables disagree."""

    BNF = "bnf"  # 0.75 mg = 5 mg prednisolone
    LIU_2013 = "liu_2013"  # 0.6 mg = 5 mg prednisone (= prednisolone)


@dataclass(frozen=True)
class Equivalence:
    """The dose of one drug equivalent in anti-inflammatory effect to 5 mg of prednisolone."""

    drug: Glucocorticoid
    mg_per_5mg_prednisolone: float
    source: str

    @property
    def factor(self) -> float:
        """mg of prednisolone per mg of this drug."""
        return round(PREDNISOLONE_REFERENCE_MG / self.mg_per_5mg_prednisolone, _DECIMALS)


EQUIVALENT_DOSES: tuple[Equivalence, ...] = (
    Equivalence(Glucocorticoid.PREDNISOLONE, 5.0, BNF_CORTICOSTEROIDS),
    # Prednisone is the prodrug of prednisolone (hepatic conversion) and is not marketed in
    # the UK, so the BNF table omits it; tables that list both give them 1:1 (Liu 2013).
    Equivalence(Glucocorticoid.PREDNISONE, 5.0, LIU_2013),
    Equivalence(Glucocorticoid.METHYLPREDNISOLONE, 4.0, BNF_CORTICOSTEROIDS),
    Equivalence(Glucocorticoid.HYDROCORTISONE, 20.0, BNF_CORTICOSTEROIDS),
    Equivalence(Glucocorticoid.CORTISONE, 25.0, BNF_CORTICOSTEROIDS),
    Equivalence(Glucocorticoid.DEXAMETHASONE, 0.75, BNF_CORTICOSTEROIDS),
    Equivalence(Glucocorticoid.BETAMETHASONE, 0.75, BNF_CORTICOSTEROIDS),
    Equivalence(Glucocorticoid.TRIAMCINOLONE, 4.0, BNF_CORTICOSTEROIDS),
    Equivalence(Glucocorticoid.DEFLAZACORT, 6.0, BNF_CORTICOSTEROIDS),
)
"""The default table: the BNF's, with prednisone added from Liu 2013."""

BETAMETHASONE_LIU_2013 = Equivalence(Glucocorticoid.BETAMETHASONE, 0.6, LIU_2013)
"""The one figure where Liu 2013 differs from the BNF; chosen with BetamethasoneSource."""

EQUIVALENCE_BY_DRUG: dict[Glucocorticoid, Equivalence] = {e.drug: e for e in EQUIVALENT_DOSES}


def _fold(name: str) -> str:
    return " ".join(name.strip().lower().replace("-", " ").replace("_", " ").split())


def parse_glucocorticoid(name: str | Glucocorticoid) -> Glucocorticoid:
    """The drug a name denotes, case-insensitively; an unknown name is an error, not a guess."""
    if isinstance(name, Glucocorticoid):
        return name
    key = _fold(name)
    for drug in Glucocorticoid:
        if drug.value == key:
            return drug
    for synonym, drug in SYNONYMS.items():
        if synonym == key:
            return drug
    known = ", ".join([*(d.value for d in Glucocorticoid), *SYNONYMS])
    raise ValueError(f"unknown glucocorticoid {name!r} (known: {known})")


def _parse_drug(value: object) -> object:
    # Non-strings fall through so pydantic reports its own type error.
    return parse_glucocorticoid(value) if isinstance(value, str) else value


Route = Literal["oral", "intravenous", "intramuscular"]
"""Systemic routes only: topical, inhaled and intra-articular doses are not converted."""

GlucocorticoidName = Annotated[Glucocorticoid, BeforeValidator(_parse_drug)]
"""A drug field that accepts the enum's values and the synonyms, in any case."""


def equivalence(
    drug: Glucocorticoid | str, *, betamethasone: BetamethasoneSource = BetamethasoneSource.BNF
) -> Equivalence:
    """The table row that converts ``drug`` (BNF; betamethasone as chosen)."""
    drug = parse_glucocorticoid(drug)
    if drug is Glucocorticoid.BETAMETHASONE and betamethasone is BetamethasoneSource.LIU_2013:
        return BETAMETHASONE_LIU_2013
    return EQUIVALENCE_BY_DRUG[drug]


def prednisolone_equivalent_mg(
    drug: Glucocorticoid | str,
    daily_dose_mg: float,
    *,
    betamethasone: BetamethasoneSource = BetamethasoneSource.BNF,
) -> float:
    """mg/day of prednisolone equivalent to ``daily_dose_mg`` of ``drug`` (BNF)."""
    if daily_dose_mg < 0:
        raise ValueError(f"a dose cannot be negative (got {daily_dose_mg:g} mg)")
    row = equivalence(drug, betamethasone=betamethasone)
    # Multiplying before dividing keeps table-exact cases exact (0.75 mg dexamethasone = 5 mg).
    return round(daily_dose_mg * PREDNISOLONE_REFERENCE_MG / row.mg_per_5mg_prednisolone, _DECIMALS)


DosePer = Literal["administration", "day"]
"""What a regimen's dose is: one administration's (given ``times_per_day`` times a day, every
``every_n_days`` days) or the day's total (CDISC SDTMIG v3.4 CMDOSTOT, total daily dose)."""


class GlucocorticoidDose(StrictModel):
    """One systemic glucocorticoid regimen: a dose per administration, given n times a day,
    or the total daily dose entered directly (``dose_per`` "day", as mg/day)."""

    drug: GlucocorticoidName = Field(
        description="The drug, e.g. prednisolone, methylprednisolone, cortisone acetate."
    )
    dose: DoseMass = Field(
        description='Dose per administration, e.g. {"value": 500, "unit": "mg"}.'
    )
    dose_per: DosePer = Field(
        default="administration",
        description="administration: the dose of one administration; day: the total daily "
        "dose (mg/day), with no frequency of its own.",
    )
    times_per_day: int = Field(default=1, ge=1, description="Administrations per day.")
    every_n_days: int = Field(
        default=1,
        ge=1,
        le=7,
        description="Given every n days: 1 daily, 2 alternate-day; counted as the average "
        "daily dose (WHO DDD methodology).",
    )
    route: Route = Field(
        default="oral",
        description="Systemic routes only: topical, inhaled and intra-articular doses are not "
        "converted by these tables.",
    )
    start_date: PastDate | None = Field(default=None, description="First day of this regimen.")
    end_date: PastDate | None = Field(default=None, description="Last day of this regimen.")

    @model_validator(mode="after")
    def _daily_total_alone(self) -> Self:
        """A total daily dose is the day's dose already: a frequency on top would count it
        again (CMDOSTOT is the total over the day; SDTMIG v3.4, 2021)."""
        if self.dose_per == "day" and (self.times_per_day != 1 or self.every_n_days != 1):
            raise ValueError(
                "a total daily dose (dose per day) has no frequency: times_per_day and "
                "every_n_days must be 1; enter a dose per administration to give them"
            )
        return self

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(
                f"end_date {self.end_date.isoformat()} is before start_date "
                f"{self.start_date.isoformat()}"
            )
        return self

    @property
    def daily_dose_mg(self) -> float:
        """The drug's own mg per day (not yet converted to prednisolone).

        A regimen given every n days counts as its average daily dose, the dose over the
        dosing interval (WHO DDD methodology): 10 mg every other day is 5 mg/day. Whether an
        alternate-day regimen is "≤ 7.5 mg/day" for LLDAS is thus read on its average. A total
        daily dose (``dose_per`` "day"; SDTMIG v3.4 CMDOSTOT) is the day's mg as entered.
        """
        if self.dose_per == "day":
            return round(self.dose.to("mg"), _DECIMALS)
        per_day = self.dose.to("mg") * self.times_per_day / self.every_n_days
        return round(per_day, _DECIMALS)

    @property
    def dated(self) -> bool:
        return self.start_date is not None or self.end_date is not None

    def taken_on(self, day: dt.date) -> bool:
        """Whether the regimen runs on ``day``: start to end, both included; open ends run on."""
        started = self.start_date is None or self.start_date <= day
        return started and (self.end_date is None or day <= self.end_date)


class DoseContribution(StrictModel):
    """How one regimen adds to the prednisolone equivalent: dose, factor, result, source."""

    drug: Glucocorticoid
    route: Route
    daily_dose_mg: float
    mg_per_5mg_prednisolone: float
    factor: float = Field(description="mg of prednisolone per mg of the drug.")
    prednisolone_mg_per_day: float
    source: str


class PrednisoloneEquivalent(StrictModel):
    """Concurrent glucocorticoids as one prednisolone dose per day, explained drug by drug."""

    mg_per_day: float = Field(description="Sum of the concurrent doses, as prednisolone mg/day.")
    date: dt.date | None = Field(
        default=None, description="The day whose dose this is, when the regimens are dated."
    )
    not_current: int = Field(
        default=0, ge=0, description="Regimens recorded but not taken on that day."
    )
    mg_per_kg_per_day: float | None = Field(
        default=None, description="mg/day over body weight; None when no weight was given."
    )
    body_weight_kg: float | None = None
    betamethasone: BetamethasoneSource = BetamethasoneSource.BNF
    contributions: list[DoseContribution]
    source: str = BNF_CORTICOSTEROIDS

    def summary_line(self) -> str:
        line = f"Prednisolone equivalent {self.mg_per_day:g} mg/day"
        if self.date is not None:
            line += f" on {self.date.isoformat()}"
        if self.mg_per_kg_per_day is not None:
            line += f" ({self.mg_per_kg_per_day:g} mg/kg/day at {self.body_weight_kg:g} kg)"
        parts = [
            f"{c.drug.value} {c.daily_dose_mg:g} mg/day {c.route} = "
            f"{c.prednisolone_mg_per_day:g} mg"
            for c in self.contributions
        ]
        line = f"{line}: {'; '.join(parts) or 'no glucocorticoid'}"
        if self.not_current:
            plural = "regimen" if self.not_current == 1 else "regimens"
            line += f" ({self.not_current} {plural} recorded but not taken that day)"
        return line


def total_prednisolone_equivalent(
    doses: Sequence[GlucocorticoidDose],
    *,
    body_weight: BodyWeight | None = None,
    betamethasone: BetamethasoneSource = BetamethasoneSource.BNF,
    on: dt.date | None = None,
    not_current: int = 0,
) -> PrednisoloneEquivalent:
    """The prednisolone-equivalent mg/day (and mg/kg/day) of concurrent doses (BNF).

    ``on`` and ``not_current`` are stated in the result: the day the doses were taken on and
    how many other regimens were recorded but not taken that day.
    """
    contributions = []
    for dose in doses:
        row = equivalence(dose.drug, betamethasone=betamethasone)
        daily = dose.daily_dose_mg
        contributions.append(
            DoseContribution.trusted(
                drug=dose.drug,
                route=dose.route,
                daily_dose_mg=daily,
                mg_per_5mg_prednisolone=row.mg_per_5mg_prednisolone,
                factor=row.factor,
                prednisolone_mg_per_day=prednisolone_equivalent_mg(
                    dose.drug, daily, betamethasone=betamethasone
                ),
                source=row.source,
            )
        )
    total = round(sum(c.prednisolone_mg_per_day for c in contributions), _DECIMALS)
    weight_kg = body_weight.to("kg") if body_weight is not None else None
    return PrednisoloneEquivalent.trusted(
        mg_per_day=total,
        mg_per_kg_per_day=round(total / weight_kg, _DECIMALS) if weight_kg is not None else None,
        body_weight_kg=weight_kg,
        betamethasone=betamethasone,
        contributions=contributions,
        date=on,
        not_current=not_current,
    )


UNDATED_ASSESSMENT = (
    "the glucocorticoid regimens are dated but the assessment is not, so the dose taken on "
    "the day cannot be told"
)
"""Why the current dose is unknown when dated regimens meet an undated assessment."""


def taken_on(doses: Sequence[GlucocorticoidDose], day: dt.date) -> list[GlucocorticoidDose]:
    """The regimens that run on ``day`` (start to end, both included; open ends run on)."""
    return [dose for dose in doses if dose.taken_on(day)]


def prednisolone_equivalent_on(
    doses: Sequence[GlucocorticoidDose],
    day: dt.date | None,
    *,
    body_weight: BodyWeight | None = None,
    betamethasone: BetamethasoneSource = BetamethasoneSource.BNF,
) -> PrednisoloneEquivalent | None:
    """The dose taken on ``day``: the sum of the regimens running then (BNF).

    Undated regimens are all current, whatever the day. Dated regimens on an undated day give
    None: the dose cannot be told (``UNDATED_ASSESSMENT`` says why), never a guessed sum.
    """
    if not any(dose.dated for dose in doses):
        return total_prednisolone_equivalent(
            doses, body_weight=body_weight, betamethasone=betamethasone
        )
    if day is None:
        return None
    current = taken_on(doses, day)
    return total_prednisolone_equivalent(
        current,
        body_weight=body_weight,
        betamethasone=betamethasone,
        on=day,
        not_current=len(doses) - len(current),
    )


def heaviest_day(
    doses: Sequence[GlucocorticoidDose],
    *,
    betamethasone: BetamethasoneSource = BetamethasoneSource.BNF,
) -> tuple[dt.date | None, list[GlucocorticoidDose]]:
    """The day the regimens peak, and the regimens taken then (pulses included).

    The regimens taken together on some day are those whose ranges overlap; their overlap
    begins on the latest of their start dates or, when none of them has a start, ends on the
    earliest of their end dates. So the maximum over every start and end date that occurs is
    the true peak, never lower. Undated regimens are taken together (no day to name).
    """
    days = sorted(
        {day for dose in doses for day in (dose.start_date, dose.end_date) if day is not None}
    )
    if not days:
        return None, list(doses)

    def weight(day: dt.date) -> float:
        return total_prednisolone_equivalent(
            taken_on(doses, day), betamethasone=betamethasone
        ).mg_per_day

    peak = max(days, key=weight)
    return peak, taken_on(doses, peak)
