"""A seeded demo study: ten enrolled patients and the situations an analysis must handle.

Fourteen screenings, four of them failed (two of those after consent); ten patients enrolled
and dosed. Scripted on purpose, with seeded variation in the values:

- S04 withdraws after W4 (no W8 or W12 visit);
- S07's W12 visit is 10 days late, outside its ±7-day window;
- S09 has no physician global assessment at W12, so LLDAS there is unknown;
- S03 takes methylprednisolone throughout, converted to prednisolone (BNF: 4 mg = 5 mg);
- S06 is still on 10 mg prednisolone at W12 (not in LLDAS);
- S01 and S05 reach LLDAS at W8 already and have normal serology at W12;
- S10 has arthritis again at W12;
- S05 has herpes zoster and an unscheduled visit; S02 an infusion reaction.

Nothing here is real patient data. The same seed always gives the same records.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from lupustrial.clinical.glucocorticoids import GlucocorticoidDose
from lupustrial.clinical.sledai2k import DESCRIPTORS, AntiDsDna, ComplementLevel, Sledai2kInput
from lupustrial.clinical.units import BodyWeight, DoseMass, ProteinConcentration
from lupustrial.dataset.records import (
    AdverseEvent,
    AeOutcome,
    Assessment,
    Decision,
    ScreeningDecision,
    Sex,
    StudyRecords,
    StudySite,
    Subject,
    SubjectStatus,
    Visit,
    VisitCode,
)
from lupustrial.protocol.crfs import (
    DiseaseActivity,
    Glucocorticoids,
    Infusion,
    Labs,
    Medications,
    OtherMedication,
    Vitals,
)
from lupustrial.protocol.schedule import SCHEDULE

DEMO_SEED = 20240506
FIRST_INFUSION = dt.date(2024, 5, 6)
ANIFROLUMAB_MG = 300.0
SERUM_DESCRIPTORS = ("low_complement", "increased_dna_binding")  # derived from the labs


@dataclass(frozen=True)
class VisitPlan:
    """What a scripted patient shows at one visit."""

    active: tuple[str, ...]  # clinical SLEDAI-2K descriptors present
    serology_active: bool
    pga: float | None
    steroid_mg: float  # mg/day of the patient's glucocorticoid
    late_days: int = 0


@dataclass(frozen=True)
class PatientPlan:
    subject_id: str
    sex: Sex
    visits: dict[str, VisitPlan]
    drug: str = "prednisolone"
    withdrawn_after: str | None = None


def _trajectory(final_active: tuple[str, ...], final_pga: float | None, final_mg: float,
                *, late: int = 0, drug_factor: float = 1.0,
                early: bool = False) -> dict[str, VisitPlan]:  # fmt: skip
    """W0 active disease tapering to the W12 state given (reached at W8 when ``early``)."""
    w8 = VisitPlan((), True, 0.8, 7.5) if early else VisitPlan(("rash",), True, 1.0, 10.0)
    return {
        "W0": VisitPlan(("arthritis", "rash", "alopecia"), True, 2.0, 30 / drug_factor),
        "W4": VisitPlan(("arthritis", "rash"), True, 1.5, 20 / drug_factor),
        "W8": VisitPlan(w8.active, True, w8.pga, w8.steroid_mg / drug_factor),
        "W12": VisitPlan(final_active, not early, final_pga, final_mg / drug_factor, late),
    }


METHYLPREDNISOLONE_FACTOR = 1.25  # BNF: 4 mg methylprednisolone = 5 mg prednisolone

PLANS: tuple[PatientPlan, ...] = (
    PatientPlan("S01", Sex.FEMALE, _trajectory((), 0.3, 5.0, early=True)),
    PatientPlan("S02", Sex.FEMALE, _trajectory((), 0.8, 7.5)),
    PatientPlan("S03", Sex.FEMALE,
                _trajectory((), 0.5, 7.5, drug_factor=METHYLPREDNISOLONE_FACTOR),
                drug="methylprednisolone"),
    PatientPlan("S04", Sex.FEMALE, _trajectory((), 0.5, 5.0), withdrawn_after="W4"),
    PatientPlan("S05", Sex.MALE, _trajectory((), 0.4, 5.0, early=True)),
    PatientPlan("S06", Sex.FEMALE, _trajectory((), 1.0, 10.0)),
    PatientPlan("S07", Sex.FEMALE, _trajectory((), 0.5, 5.0, late=10)),
    PatientPlan("S08", Sex.FEMALE, _trajectory((), 1.0, 7.5)),
    PatientPlan("S09", Sex.FEMALE, _trajectory((), None, 5.0)),
    PatientPlan("S10", Sex.MALE, _trajectory(("arthritis",), 1.5, 7.5)),
)  # fmt: skip
"""Ages and weights are drawn from the seed; the clinical course is scripted."""

SCREEN_FAILURES: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("SCR-003", ("I3",), True),  # SLEDAI-2K below 4; consented
    ("SCR-007", ("E5",), False),  # serum creatinine ≥ 2 mg/dL
    ("SCR-011", ("E1", "E9"), True),  # high initial steroid and lactating; consented
    ("SCR-013", ("I2",), False),  # prior immunosuppressant
)


def _sledai(active: tuple[str, ...]) -> Sledai2kInput:
    """Every clinical descriptor judged (present if active); serology derived from labs."""
    values: dict[str, bool] = {
        d.code: d.code in active for d in DESCRIPTORS if d.code not in SERUM_DESCRIPTORS
    }
    return Sledai2kInput.model_validate(values)


def _labs(rng: random.Random, serology_active: bool) -> Labs:
    low = serology_active
    c3 = rng.uniform(0.45, 0.68) if low else rng.uniform(0.80, 1.20)
    c4 = rng.uniform(0.04, 0.09) if low else rng.uniform(0.12, 0.30)
    dna = rng.uniform(40, 200) if low else rng.uniform(2, 10)
    return Labs(
        c3=ComplementLevel(
            value=ProteinConcentration(value=round(c3, 2), unit="g/L"),
            lower_limit_of_normal=ProteinConcentration(value=0.73, unit="g/L"),
        ),
        c4=ComplementLevel(
            value=ProteinConcentration(value=round(c4, 3), unit="g/L"),
            lower_limit_of_normal=ProteinConcentration(value=0.11, unit="g/L"),
        ),
        anti_dsdna=AntiDsDna(value=round(dna, 1), upper_limit_of_normal=12.0, unit="IU/mL"),
    )


def _screening_number(index: int) -> str:
    return f"SCR-{index:03d}"


def demo_records(seed: int = DEMO_SEED) -> StudyRecords:
    """The demo study's raw records; the same seed gives the same records."""
    rng = random.Random(seed)
    failures = {number: (criteria, consented) for number, criteria, consented in SCREEN_FAILURES}
    screenings: list[ScreeningDecision] = []
    subjects: list[Subject] = []
    visits: list[Visit] = []
    assessments: list[Assessment] = []
    plans = iter(PLANS)
    start = FIRST_INFUSION
    for index in range(1, 15):
        number = _screening_number(index)
        screening_date = start - dt.timedelta(days=14)
        if number in failures:
            criteria, consented = failures[number]
            screenings.append(
                ScreeningDecision(
                    screening_number=number,
                    site="TKY" if index % 2 else "OSK",
                    screening_date=screening_date,
                    decision=Decision.INELIGIBLE,
                    failing_criteria=list(criteria),
                )
            )
            if consented:
                subjects.append(
                    Subject(
                        subject_id=f"X{index:02d}",
                        site="TKY" if index % 2 else "OSK",
                        screening_number=number,
                        sex=Sex.FEMALE,
                        age_at_consent=rng.randint(20, 75),
                        consent_date=screening_date,
                        status=SubjectStatus.SCREEN_FAILED,
                    )
                )
            continue
        plan = next(plans)
        site = "TKY" if index % 2 else "OSK"
        screenings.append(
            ScreeningDecision(
                screening_number=number,
                site=site,
                screening_date=screening_date,
                decision=Decision.ELIGIBLE,
            )
        )
        weight = round(rng.uniform(45, 78), 1)
        age = rng.randint(19, 72)
        withdrawal = None
        if plan.withdrawn_after is not None:
            withdrawal = start + dt.timedelta(weeks=6)
        status = SubjectStatus.WITHDRAWN if withdrawal else SubjectStatus.COMPLETED
        subjects.append(
            Subject(
                subject_id=plan.subject_id,
                site=site,
                screening_number=number,
                sex=plan.sex,
                birth_year=screening_date.year - age - rng.randint(0, 1),
                age_at_consent=age,
                consent_date=screening_date,
                enrolment_date=start - dt.timedelta(days=rng.randint(1, 7)),
                first_infusion_date=start,
                status=status,
                withdrawal_date=withdrawal,
                withdrawal_reason="patient decision (moved away)" if withdrawal else None,
            )
        )
        hydroxychloroquine = Medications(
            medications=[
                OtherMedication(
                    drug="hydroxychloroquine",
                    daily_dose=DoseMass(value=200, unit="mg"),
                    start_date=start,
                )
            ]
        )
        for definition in SCHEDULE:
            visit_plan = plan.visits[definition.code]
            day = definition.planned_date(start) + dt.timedelta(
                days=visit_plan.late_days or rng.randint(-3, 3)
            )
            if withdrawal is not None and day > withdrawal:
                break
            code = VisitCode(definition.code)
            visits.append(
                Visit(subject_id=plan.subject_id, visit=code, visit_id=code.value, date=day)
            )
            dose_mg = round(visit_plan.steroid_mg, 3)
            reaction = plan.subject_id == "S02" and code is VisitCode.W4
            assessments.append(
                Assessment(
                    subject_id=plan.subject_id,
                    visit=code,
                    visit_id=code.value,
                    date=day,
                    sledai2k=_sledai(visit_plan.active),
                    labs=_labs(rng, visit_plan.serology_active),
                    vitals=Vitals(body_weight=BodyWeight(value=weight, unit="kg")),
                    disease_activity=DiseaseActivity(
                        pga=visit_plan.pga,
                        haemolytic_anaemia=False,
                        gastrointestinal_activity=False,
                        maintenance_therapy_standard_and_tolerated=True,
                        maintenance_therapy_stable=True,
                    ),
                    glucocorticoids=Glucocorticoids(
                        doses=[
                            GlucocorticoidDose(
                                drug=plan.drug, dose=DoseMass(value=dose_mg, unit="mg")
                            )
                        ]
                    ),
                    medications=hydroxychloroquine,
                    infusion=Infusion(
                        given=True,
                        date=day,
                        dose=DoseMass(value=ANIFROLUMAB_MG, unit="mg"),
                        infusion_reaction=reaction,
                        reaction_details="flushing and chills during the infusion"
                        if reaction
                        else None,
                    ),
                )
            )
        start += dt.timedelta(days=21)
    s05_start = next(s.first_infusion_date for s in subjects if s.subject_id == "S05")
    assert s05_start is not None
    zoster_day = s05_start + dt.timedelta(days=45)
    visits.append(
        Visit(subject_id="S05", visit=VisitCode.UNSCHEDULED, visit_id="U1", date=zoster_day)
    )
    s02_w4 = next(
        a.date
        for a in assessments
        if a.subject_id == "S02" and a.infusion is not None and a.infusion.infusion_reaction
    )
    adverse_events = [
        AdverseEvent(
            subject_id="S05", event_id="AE-001", term="Herpes zoster", onset_date=zoster_day,
            end_date=zoster_day + dt.timedelta(days=16), ctcae_grade=2, serious=False,
            related=True, outcome=AeOutcome.RECOVERED, infection=True, herpes_zoster=True,
        ),
        AdverseEvent(
            subject_id="S02", event_id="AE-001", term="Infusion related reaction",
            onset_date=s02_w4, end_date=s02_w4, ctcae_grade=1, serious=False, related=True,
            outcome=AeOutcome.RECOVERED,
        ),
        AdverseEvent(
            subject_id="S01", event_id="AE-001", term="Upper respiratory infection",
            onset_date=FIRST_INFUSION + dt.timedelta(days=30),
            end_date=FIRST_INFUSION + dt.timedelta(days=37), ctcae_grade=1, serious=False,
            related=False, outcome=AeOutcome.RECOVERED, infection=True,
        ),
        AdverseEvent(
            subject_id="S08", event_id="AE-001", term="Headache",
            onset_date=FIRST_INFUSION + dt.timedelta(days=21 * 8 + 10), ctcae_grade=1,
            serious=False, related=False, outcome=AeOutcome.RECOVERED,
        ),
        AdverseEvent(
            subject_id="S10", event_id="AE-001", term="Pneumonia",
            onset_date=FIRST_INFUSION + dt.timedelta(days=21 * 9 + 40),
            end_date=FIRST_INFUSION + dt.timedelta(days=21 * 9 + 52), ctcae_grade=3,
            serious=True, related=False, outcome=AeOutcome.RECOVERED, infection=True,
        ),
    ]  # fmt: skip
    return StudyRecords(
        sites=[
            StudySite(code="TKY", name="Tokyo University Hospital", time_zone="Asia/Tokyo"),
            StudySite(code="OSK", name="Osaka General Hospital", time_zone="Asia/Tokyo"),
        ],
        subjects=subjects,
        screenings=screenings,
        visits=visits,
        assessments=assessments,
        adverse_events=adverse_events,
    )
