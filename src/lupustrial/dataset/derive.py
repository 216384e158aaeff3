"""Derived variables per visit and per subject, computed only by the clinical and protocol layers.

Per visit: SLEDAI-2K and clinical SLEDAI-2K (Gladman 2002), LLDAS against the subject's
previous assessment (Franklyn 2016), DORIS 2021 remission (van Vollenhoven 2021), the
prednisolone equivalent in mg/day and mg/kg/day (BNF), and whether the visit fell inside its
protocol window (`lupustrial.protocol.schedule`). Nothing is re-implemented here: this module
only assembles the clinical inputs from the records and flattens the results.

Per subject: age, number of infusions, and the analysis sets:

- full analysis set (FAS): enrolled and given at least one anifrolumab infusion;
- per-protocol set (PP): in the FAS, given every infusion planned before week 12 (W0, W4,
  W8: at least three infusions dated before the W12 visit) and seen at W12 inside its window.
  The registration defines no per-protocol set; this is the protocol's choice, stated here.

Missing stays missing: a SLEDAI-2K with unassessed descriptors has no single total
(``sledai2k`` is None, ``sledai2k_low``/``sledai2k_high`` bound it), and LLDAS or DORIS that
cannot be judged are ``unknown`` with the inputs that would decide them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from lupustrial.clinical.assessment import NEEDS_SLEDAI2K
from lupustrial.clinical.components import CompositeResult
from lupustrial.clinical.doris import DorisResult
from lupustrial.clinical.glucocorticoids import PrednisoloneEquivalent
from lupustrial.clinical.lldas import LldasResult
from lupustrial.clinical.model import StrictModel
from lupustrial.clinical.sledai2k import Sledai2kResult
from lupustrial.clinical.status import Status
from lupustrial.dataset.records import (
    ENROLLED_STATUSES,
    Assessment,
    StudyRecords,
    Subject,
    VisitCode,
)
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.crfs import previous_assessment, score_visit
from lupustrial.protocol.schedule import PRIMARY_ENDPOINT_VISIT, VISIT_BY_CODE

PLANNED_INFUSIONS_BEFORE_PRIMARY = 3
"""Infusions at W0, W4 and W8 precede the W12 assessment (every 4 weeks, Morand 2020)."""


class VisitScores(StrictModel):
    """Every instrument scored for one assessment, unflattened (for tables and reports)."""

    assessment: Assessment
    sledai2k: Sledai2kResult | None
    prednisolone: PrednisoloneEquivalent | None
    lldas: LldasResult | None
    doris: DorisResult | None
    not_computed: dict[str, str]


class DerivedVisit(StrictModel):
    """One assessment's derived variables, flat: one row of the `assessments` table."""

    subject_id: str
    visit: str
    visit_id: str | None
    date: dt.date
    study_day: int | None
    planned_date: dt.date | None
    days_from_planned: int | None
    in_window: bool | None
    sledai2k: int | None
    sledai2k_low: int | None
    sledai2k_high: int | None
    clinical_sledai2k: int | None
    clinical_sledai2k_low: int | None
    clinical_sledai2k_high: int | None
    sledai2k_missing: str | None
    pga: float | None
    prednisolone_mg_per_day: float | None
    prednisolone_mg_per_kg_per_day: float | None
    glucocorticoid_summary: str | None
    body_weight_kg: float | None
    lldas: str
    lldas_summary: str
    lldas_missing: str | None
    doris: str
    doris_summary: str
    doris_missing: str | None
    c3_g_per_l: float | None
    c3_lower_limit_g_per_l: float | None
    c4_g_per_l: float | None
    c4_lower_limit_g_per_l: float | None
    anti_dsdna: float | None
    anti_dsdna_upper_limit: float | None
    anti_dsdna_unit: str | None


class DerivedSubject(StrictModel):
    """One subject's derived variables: one row of the `subjects` table (with the raw ones)."""

    subject_id: str
    age: int | None
    enrolled: bool
    infusions: int
    full_analysis_set: bool
    per_protocol_set: bool
    primary_visit_date: dt.date | None
    primary_visit_in_window: bool | None


def score_visits(records: StudyRecords) -> list[VisitScores]:
    """Score every assessment (`protocol.crfs.score_visit`), each against the previous
    assessment the protocol's one rule chooses (`protocol.crfs.previous_assessment`)."""
    by_subject: dict[str, list[Assessment]] = defaultdict(list)
    for assessment in records.assessments:
        by_subject[assessment.subject_id].append(assessment)
    scored: list[VisitScores] = []
    for subject_id in sorted(by_subject):
        visits = sorted(by_subject[subject_id], key=lambda a: (a.date, a.visit_id or ""))
        for assessment in visits:
            previous = previous_assessment(visits, assessment, lambda a: a.date, lambda a: a)
            result = score_visit(
                assessment,
                assessment.date,
                previous,
                previous.date if previous else None,
                protocol=DEFAULT_PROTOCOL,
            )
            scored.append(
                VisitScores(
                    assessment=assessment,
                    sledai2k=result.sledai2k,
                    prednisolone=result.prednisolone,
                    lldas=result.lldas,
                    doris=result.doris,
                    not_computed=result.not_computed,
                )
            )
    return scored


def _composite(
    result: CompositeResult | None, instrument: str, not_computed: dict[str, str]
) -> tuple[str, str, str | None]:
    """Status, summary and missing inputs; without a SLEDAI-2K it is unknown, and the summary
    is the line the visit page shows (`AssessmentResult.summary_lines`)."""
    if result is None:
        why = not_computed.get(instrument, NEEDS_SLEDAI2K)
        return Status.UNKNOWN.value, f"{instrument}: not computed — {why}", "sledai2k"
    return result.status.value, result.summary_line(), "; ".join(result.missing) or None


def _window(
    subject: Subject, visit: VisitCode, date: dt.date
) -> tuple[int | None, dt.date | None, int | None, bool | None]:
    """Study day, planned date, deviation and in-window flag (protocol.schedule)."""
    start = subject.first_infusion_date
    if start is None:
        return None, None, None, None
    study_day = (date - start).days
    definition = VISIT_BY_CODE.get(visit.value)
    if definition is None:  # unscheduled: no window to be in
        return study_day, None, None, None
    return (
        study_day,
        definition.planned_date(start),
        definition.days_from_planned(start, date),
        definition.in_window(start, date),
    )


def derive_visit(scores: VisitScores, subject: Subject) -> DerivedVisit:
    """Flatten one scored assessment into a row."""
    a = scores.assessment
    study_day, planned, deviation, in_window = _window(subject, a.visit, a.date)
    sledai = scores.sledai2k
    lldas = _composite(scores.lldas, "LLDAS", scores.not_computed)
    doris = _composite(scores.doris, "DORIS remission", scores.not_computed)
    labs = a.labs
    weight = a.vitals.body_weight if a.vitals else None
    c3 = labs.c3 if labs else None
    c4 = labs.c4 if labs else None
    dna = labs.anti_dsdna if labs else None
    pred = scores.prednisolone
    return DerivedVisit(
        subject_id=a.subject_id,
        visit=a.visit.value,
        visit_id=a.visit_id,
        date=a.date,
        study_day=study_day,
        planned_date=planned,
        days_from_planned=deviation,
        in_window=in_window,
        sledai2k=sledai.total if sledai and sledai.complete else None,
        sledai2k_low=sledai.total if sledai else None,
        sledai2k_high=sledai.maximum_possible if sledai else None,
        clinical_sledai2k=(
            sledai.clinical_total
            if sledai and sledai.clinical_total == sledai.clinical_maximum_possible
            else None
        ),
        clinical_sledai2k_low=sledai.clinical_total if sledai else None,
        clinical_sledai2k_high=sledai.clinical_maximum_possible if sledai else None,
        sledai2k_missing=("; ".join(sledai.missing) or None) if sledai else "sledai2k",
        pga=a.disease_activity.pga if a.disease_activity else None,
        prednisolone_mg_per_day=pred.mg_per_day if pred else None,
        prednisolone_mg_per_kg_per_day=pred.mg_per_kg_per_day if pred else None,
        glucocorticoid_summary=pred.summary_line() if pred else None,
        body_weight_kg=weight.to("kg") if weight else None,
        lldas=lldas[0],
        lldas_summary=lldas[1],
        lldas_missing=lldas[2],
        doris=doris[0],
        doris_summary=doris[1],
        doris_missing=doris[2],
        c3_g_per_l=c3.value.to("g/L") if c3 else None,
        c3_lower_limit_g_per_l=c3.lower_limit_of_normal.to("g/L") if c3 else None,
        c4_g_per_l=c4.value.to("g/L") if c4 else None,
        c4_lower_limit_g_per_l=c4.lower_limit_of_normal.to("g/L") if c4 else None,
        anti_dsdna=dna.value if dna else None,
        anti_dsdna_upper_limit=dna.upper_limit_of_normal if dna else None,
        anti_dsdna_unit=dna.unit if dna else None,
    )


def derive_visits(records: StudyRecords) -> list[DerivedVisit]:
    """Every assessment's derived row, ordered by subject and date."""
    subjects = {s.subject_id: s for s in records.subjects}
    return [derive_visit(s, subjects[s.assessment.subject_id]) for s in score_visits(records)]


def derive_subject(
    subject: Subject, records: StudyRecords, visits: Sequence[DerivedVisit]
) -> DerivedSubject:
    """Age, infusions and analysis-set membership of one subject (see the module docstring)."""
    enrolled = subject.status in ENROLLED_STATUSES
    infusions = sorted(
        a.infusion.date
        for a in records.assessments
        if a.subject_id == subject.subject_id
        and a.infusion is not None
        and a.infusion.given
        and a.infusion.date is not None
    )
    primary = [
        v
        for v in records.visits
        if v.subject_id == subject.subject_id
        and v.visit.value == PRIMARY_ENDPOINT_VISIT
        and v.date is not None
    ]
    primary_date = primary[0].date if primary else None
    in_window = None
    if primary_date is not None and subject.first_infusion_date is not None:
        definition = VISIT_BY_CODE[PRIMARY_ENDPOINT_VISIT]
        in_window = definition.in_window(subject.first_infusion_date, primary_date)
    fas = enrolled and bool(infusions)
    before_primary = [d for d in infusions if primary_date is not None and d < primary_date]
    pp = (
        fas
        and in_window is True
        and len(before_primary) >= PLANNED_INFUSIONS_BEFORE_PRIMARY
        and any(
            v.subject_id == subject.subject_id and v.visit == PRIMARY_ENDPOINT_VISIT for v in visits
        )
    )
    return DerivedSubject(
        subject_id=subject.subject_id,
        age=subject.age(),
        enrolled=enrolled,
        infusions=len(infusions),
        full_analysis_set=fas,
        per_protocol_set=pp,
        primary_visit_date=primary_date,
        primary_visit_in_window=in_window,
    )


def derive_subjects(
    records: StudyRecords, visits: Sequence[DerivedVisit] | None = None
) -> list[DerivedSubject]:
    """Every subject's derived row, ordered by subject id."""
    if visits is None:
        visits = derive_visits(records)
    return [
        derive_subject(s, records, visits)
        for s in sorted(records.subjects, key=lambda s: s.subject_id)
    ]
