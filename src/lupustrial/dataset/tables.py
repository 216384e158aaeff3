"""The tidy tables of a study snapshot: their columns, types and rows.

One row per observation, one column per variable, one table per kind of observation. Each
table declares its columns once (`TABLES`); `build_tables` fills them from `StudyRecords`,
raw values next to the variables derived by `dataset.derive`, with rows in a fixed order so
that the same records always give the same tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lupustrial.dataset.derive import (
    DerivedSubject,
    DerivedVisit,
    VisitScores,
    derive_subjects,
    derive_visit,
    score_visits,
)
from lupustrial.dataset.records import Assessment, StudyRecords
from lupustrial.dataset.values import entered_values, medication_category, not_done_value
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.crfs import VisitForms
from lupustrial.protocol.schedule import VISIT_BY_CODE
from lupustrial.protocol.terms import find_term

ColumnType = type
"""A column's Python type: str, int, float, bool or datetime.date (every column nullable)."""

Row = dict[str, Any]


@dataclass(frozen=True)
class TableSpec:
    """A table's name, what one row is, and its columns in order."""

    name: str
    row: str
    columns: tuple[tuple[str, ColumnType], ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]


def _columns_of(model: Any) -> tuple[tuple[str, ColumnType], ...]:
    """Columns from a flat pydantic model's fields (str, int, float, bool, date, or None)."""
    columns = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        args = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
        columns.append((name, args[0]))
    return tuple(columns)


S, N, F, B, D = str, int, float, bool, dt.date  # string, integer, float, boolean, date

SITES = TableSpec(
    "sites",
    "one study site and the time zone its dates are counted in",
    (("code", S), ("name", S), ("time_zone", S)),
    ("code",),
)
SUBJECTS = TableSpec(
    "subjects",
    "one consented subject, with derived age and analysis sets",
    (
        ("subject_id", S), ("site", S), ("screening_number", S), ("sex", S),
        ("birth_year", N), ("age_at_consent", N), ("consent_date", D), ("enrolment_date", D),
        ("first_infusion_date", D), ("status", S), ("withdrawal_date", D),
        ("withdrawal_reason", S), ("age", N), ("enrolled", B), ("infusions", N),
        ("full_analysis_set", B), ("per_protocol_set", B), ("primary_visit_date", D),
        ("primary_visit_in_window", B),
    ),
    ("subject_id",),
)  # fmt: skip
SCREENINGS = TableSpec(
    "screenings",
    "one screening decision",
    (
        ("screening_number", S), ("site", S), ("screening_date", D), ("decision", S),
        ("failing_criteria", S),
    ),
    ("screening_number",),
)  # fmt: skip
SCREENING_FAILURES = TableSpec(
    "screening_failures",
    "one failing criterion of one ineligible screening",
    (("screening_number", S), ("criterion", S)),
    ("screening_number", "criterion"),
)
VISITS = TableSpec(
    "visits",
    "one visit, done or missed, with its window",
    (
        ("subject_id", S), ("visit", S), ("visit_id", S), ("date", D), ("missed", B),
        ("missed_reason", S), ("planned_date", D), ("days_from_planned", N), ("in_window", B),
    ),
    ("subject_id", "date", "visit", "visit_id"),
)  # fmt: skip
ASSESSMENTS = TableSpec(
    "assessments",
    "one assessment with its derived scores (SLEDAI-2K, LLDAS, DORIS, prednisolone)",
    _columns_of(DerivedVisit),
    ("subject_id", "date", "visit", "visit_id"),
)
SLEDAI2K_FINDINGS = TableSpec(
    "sledai2k_findings",
    "one SLEDAI-2K descriptor of one assessment",
    (
        ("subject_id", S), ("visit", S), ("visit_id", S), ("date", D), ("code", S),
        ("name", S), ("weight", N), ("organ_system", S), ("status", S), ("basis", S),
        ("derived_from", S), ("discrepancy", S),
    ),
    ("subject_id", "date", "visit", "visit_id", "code"),
)  # fmt: skip
COMPONENTS = TableSpec(
    "components",
    "one component of LLDAS or DORIS remission at one assessment",
    (
        ("subject_id", S), ("visit", S), ("visit_id", S), ("date", D), ("instrument", S),
        ("number", N), ("name", S), ("status", S), ("evidence", S), ("missing", S),
    ),
    ("subject_id", "date", "visit", "visit_id", "instrument", "number"),
)  # fmt: skip
GLUCOCORTICOIDS = TableSpec(
    "glucocorticoids",
    "one glucocorticoid regimen entered at one assessment; `current` when taken on the visit "
    "date (then counted, as prednisolone)",
    (
        ("subject_id", S), ("visit", S), ("visit_id", S), ("date", D), ("line", N),
        ("drug", S), ("route", S), ("dose_value", F), ("dose_unit", S), ("dose_mg", F),
        ("times_per_day", N), ("every_n_days", N), ("daily_dose_mg", F), ("factor", F),
        ("prednisolone_mg_per_day", F), ("start_date", D), ("end_date", D), ("current", B),
    ),
    ("subject_id", "date", "visit", "visit_id", "line"),
)  # fmt: skip
MEDICATIONS = TableSpec(
    "medications",
    "one concomitant medication or vaccine as entered at one visit (CDISC CM's variables); "
    "`live_vaccine` when the protocol's live-vaccine list names it (E12)",
    (
        ("subject_id", S), ("visit", S), ("visit_id", S), ("date", D), ("line", N),
        ("name", S), ("category", S), ("dose_value", F), ("dose_unit", S), ("dose_mg", F),
        ("daily_dose_value", F), ("daily_dose_unit", S), ("daily_dose_mg", F), ("route", S),
        ("frequency", S), ("start_date", D), ("end_date", D), ("indication", S),
        ("vaccine", B), ("live_vaccine", B),
    ),
    ("subject_id", "date", "visit", "visit_id", "line"),
)  # fmt: skip
INFUSIONS = TableSpec(
    "infusions",
    "one anifrolumab infusion given, from the infusion form of a visit: dose, lot, start and "
    "end (site clock), interruption, reaction",
    (
        ("subject_id", S),
        ("visit", S),
        ("visit_id", S),
        ("visit_date", D),
        ("date", D),
        ("dose_value", F),
        ("dose_unit", S),
        ("dose_mg", F),
        ("lot_number", S),
        ("start_time", S),
        ("end_time", S),
        ("interrupted", B),
        ("interruption_reason", S),
        ("infusion_reaction", B),
        ("reaction_details", S),
    ),
    ("subject_id", "date", "visit", "visit_id"),
)
_AE_STATE = (
    ("term", S), ("ctcae_code", N), ("specified_code", N), ("onset_date", D),
    ("aware_date", D), ("end_date", D), ("ctcae_grade", N), ("serious", B),
    ("seriousness_criteria", S), ("related", B), ("relatedness", S), ("outcome", S),
    ("action_taken", S), ("infection", B), ("herpes_zoster", B), ("course", S),
)  # fmt: skip
ADVERSE_EVENTS = TableSpec(
    "adverse_events",
    "one adverse event (its identity, AE-NNN within the subject) in its latest version",
    (
        ("subject_id", S), ("event_id", S), *_AE_STATE, ("version", N), ("recorded_on", D),
        ("visit_id", S),
    ),
    ("subject_id", "event_id"),
)  # fmt: skip
ADVERSE_EVENT_VERSIONS = TableSpec(
    "adverse_event_versions",
    "one version of one adverse event, as saved (every version, the first included)",
    (
        ("subject_id", S), ("event_id", S), ("version", N), *_AE_STATE, ("recorded_on", D),
        ("visit_id", S), ("reason", S),
    ),
    ("subject_id", "event_id", "version"),
)  # fmt: skip
FORM_VALUES = TableSpec(
    "form_values",
    "one value entered in one eCRF field at one visit, as entered (quantities with their "
    "unit, and in the canonical unit beside); an empty list is 'recorded: none'; a form "
    "declared not done is one row, field 'not_done_reason', kind 'not_done', the reason as text",
    (
        ("subject_id", S), ("visit", S), ("visit_id", S), ("date", D), ("crf", S),
        ("field", S), ("value_kind", S), ("value_text", S), ("value_number", F),
        ("value_bool", B), ("value_date", D), ("unit", S), ("canonical_value", F),
        ("canonical_unit", S),
    ),
    ("subject_id", "date", "visit", "visit_id", "crf", "field"),
)  # fmt: skip

MEDICAL_HISTORY = TableSpec(
    "medical_history",
    "one condition of a candidate's medical history, taken at screening",
    (
        ("screening_number", S), ("line", N), ("condition", S), ("start_date", D),
        ("ongoing", B), ("end_date", D), ("notes", S),
    ),
    ("screening_number", "line"),
)  # fmt: skip

DRUG_MOVEMENTS = TableSpec(
    "drug_movements",
    "vials of one anifrolumab lot received, dispensed (for a subject), returned or destroyed at a "
    "site (ICH E6(R2) 4.6.3)",
    (
        ("site", S), ("lot_number", S), ("expiry_date", D), ("kind", S), ("vials", N),
        ("on", D), ("subject_id", S), ("note", S),
    ),
    ("site", "lot_number", "on", "kind", "subject_id", "vials"),
)  # fmt: skip
MONITORING_VISITS = TableSpec(
    "monitoring_visits",
    "one monitoring visit to a site (Enforcement Regulations Art. 17)",
    (
        ("site", S), ("visited_on", D), ("kind", S), ("monitor", S), ("subjects_reviewed", S),
        ("summary", S), ("follow_up", S),
    ),
    ("site", "visited_on", "kind", "monitor", "summary"),
)  # fmt: skip
MONITORING_FINDINGS = TableSpec(
    "monitoring_findings",
    "one finding of a monitoring visit: a note, a data query or a deviation",
    (
        ("site", S), ("visited_on", D), ("line", N), ("subject_id", S), ("finding", S),
        ("action", S), ("deviation_number", S),
    ),
    ("site", "visited_on", "line"),
)  # fmt: skip

CONSENTS = TableSpec(
    "consents",
    "one written consent on one form version, with its withdrawal",
    (
        ("subject_id", S), ("form_version", S), ("language", S), ("consent_date", D),
        ("withdrawn_on", D), ("withdrawal_scope", S),
    ),
    ("subject_id", "consent_date", "form_version"),
)  # fmt: skip
DEVIATIONS = TableSpec(
    "deviations",
    "one protocol deviation (Enforcement Regulations Art. 15) and its handling",
    (
        ("subject_id", S), ("number", S), ("category", S), ("occurred_on", D),
        ("description", S), ("serious", B), ("corrective_action", S), ("preventive_action", S),
        ("reported_to_board_on", D), ("closed_on", D),
    ),
    ("subject_id", "occurred_on", "number"),
)  # fmt: skip

SAFETY_REPORTS = TableSpec(
    "safety_reports",
    "one safety report (Enforcement Regulations Art. 54) and its submission",
    (
        ("subject_id", S), ("number", S), ("event", S), ("rule", S), ("recipient", S),
        ("kind", S), ("follows", S), ("day_zero", D), ("due", D), ("generated_on", D),
        ("submitted_to", S), ("submitted_on", D),
    ),
    ("subject_id", "event", "number"),
)  # fmt: skip

TABLES: tuple[TableSpec, ...] = (
    SITES,
    SUBJECTS,
    SCREENINGS,
    SCREENING_FAILURES,
    VISITS,
    ASSESSMENTS,
    SLEDAI2K_FINDINGS,
    COMPONENTS,
    GLUCOCORTICOIDS,
    MEDICATIONS,
    MEDICAL_HISTORY,
    INFUSIONS,
    ADVERSE_EVENTS,
    ADVERSE_EVENT_VERSIONS,
    CONSENTS,
    DEVIATIONS,
    SAFETY_REPORTS,
    DRUG_MOVEMENTS,
    MONITORING_VISITS,
    MONITORING_FINDINGS,
    FORM_VALUES,
)
TABLE_BY_NAME: dict[str, TableSpec] = {t.name: t for t in TABLES}


def _sort_key(spec: TableSpec) -> Callable[[Row], tuple[Any, ...]]:
    # None sorts first; values of one column share a type, so comparisons are safe.
    return lambda row: tuple((row[k] is not None, row[k]) for k in spec.key)


def _ordered(spec: TableSpec, rows: Iterable[Row]) -> list[Row]:
    names = spec.column_names
    shaped = []
    for row in rows:
        extra = set(row) - set(names)
        if extra:
            raise ValueError(f"table {spec.name}: unexpected column(s) {sorted(extra)}")
        shaped.append({name: row.get(name) for name in names})
    return sorted(shaped, key=_sort_key(spec))


def _plain(value: Any) -> Any:
    """Enums become their values; everything else stays."""
    return getattr(value, "value", value)


def _subject_rows(records: StudyRecords, derived: list[DerivedSubject]) -> list[Row]:
    by_id = {d.subject_id: d for d in derived}
    rows = []
    for subject in records.subjects:
        row = {k: _plain(v) for k, v in subject.model_dump().items()}
        row.update(by_id[subject.subject_id].model_dump())
        rows.append(row)
    return rows


def _visit_rows(records: StudyRecords) -> list[Row]:
    subjects = {s.subject_id: s for s in records.subjects}
    rows = []
    for visit in records.visits:
        start = subjects[visit.subject_id].first_infusion_date
        definition = VISIT_BY_CODE.get(visit.visit.value)
        planned = deviation = in_window = None
        if start is not None and definition is not None:
            planned = definition.planned_date(start)
            if visit.date is not None:
                deviation = definition.days_from_planned(start, visit.date)
                in_window = definition.in_window(start, visit.date)
        rows.append(
            {
                **{k: _plain(v) for k, v in visit.model_dump().items()},
                "planned_date": planned,
                "days_from_planned": deviation,
                "in_window": in_window,
            }
        )
    return rows


def _visit_key(a: Assessment) -> Row:
    return {
        "subject_id": a.subject_id,
        "visit": a.visit.value,
        "visit_id": a.visit_id,
        "date": a.date,
    }


def _medication_rows(records: StudyRecords) -> list[Row]:
    rows = []
    for a in records.assessments:
        entered = (a.medications.medications if a.medications else None) or []
        for line, medication in enumerate(entered, start=1):
            daily = medication.daily_dose
            rows.append(
                {
                    **_visit_key(a),
                    "line": line,
                    "name": medication.drug,
                    "category": medication_category(medication.drug).value,
                    "dose_value": medication.dose,
                    "dose_unit": _plain(medication.dose_unit),
                    "dose_mg": medication.dose_mg(),
                    "daily_dose_value": daily.value if daily else None,
                    "daily_dose_unit": daily.unit if daily else None,
                    "daily_dose_mg": daily.to("mg") if daily else None,
                    "route": _plain(medication.route),
                    "frequency": medication.frequency,
                    "start_date": medication.start_date,
                    "end_date": medication.end_date,
                    "indication": medication.indication,
                    "vaccine": medication.vaccine,
                    "live_vaccine": find_term(DEFAULT_PROTOCOL.live_vaccines, medication.drug)
                    is not None,
                }
            )
    return rows


def _clock(moment: dt.time | None) -> str | None:
    """A time of day as the site's clock showed it, HH:MM (HH:MM:SS when seconds were given)."""
    if moment is None:
        return None
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


def _infusion_rows(records: StudyRecords) -> list[Row]:
    rows = []
    for a in records.assessments:
        infusion = a.infusion
        if infusion is None or not infusion.given:
            continue  # an infusion not given is in form_values, as entered
        dose = infusion.dose
        rows.append(
            {
                **_visit_key(a),
                "visit_date": a.date,
                "date": infusion.date,
                "dose_value": dose.value if dose else None,
                "dose_unit": dose.unit if dose else None,
                "dose_mg": dose.to("mg") if dose else None,
                "lot_number": infusion.lot_number,
                "start_time": _clock(infusion.start_time),
                "end_time": _clock(infusion.end_time),
                "interrupted": infusion.interrupted,
                "interruption_reason": infusion.interruption_reason,
                "infusion_reaction": infusion.infusion_reaction,
                "reaction_details": infusion.reaction_details,
            }
        )
    return rows


NOT_DONE_FIELD = "not_done_reason"
"""The `form_values` field of a form declared not done (its value_kind is "not_done")."""


def _form_value_rows(records: StudyRecords) -> list[Row]:
    rows = []
    for a in records.assessments:
        for crf in VisitForms.model_fields:
            form = getattr(a, crf)
            if form is not None:
                rows += [{**_visit_key(a), "crf": crf, **v} for v in entered_values(form)]
        for crf, reason in a.forms_not_done.items():
            rows.append({**_visit_key(a), "crf": crf, **not_done_value(NOT_DONE_FIELD, reason)})
    return rows


def _per_assessment_rows(scored: list[VisitScores]) -> tuple[list[Row], list[Row], list[Row]]:
    findings, components, glucocorticoids = [], [], []
    for scores in scored:
        a = scores.assessment
        key = _visit_key(a)
        if scores.sledai2k is not None:
            for f in scores.sledai2k.findings:
                findings.append(
                    {
                        **key,
                        "code": f.code,
                        "name": f.name,
                        "weight": f.weight,
                        "organ_system": f.organ_system.value,
                        "status": f.status.value,
                        "basis": f.basis,
                        "derived_from": f.derived_from,
                        "discrepancy": f.discrepancy,
                    }
                )
        for result in (scores.lldas, scores.doris):
            if result is None:
                continue
            for c in result.components:
                components.append(
                    {
                        **key,
                        "instrument": result.instrument,
                        "number": c.number,
                        "name": c.name,
                        "status": c.status.value,
                        "evidence": c.evidence,
                        "missing": "; ".join(c.missing) or None,
                    }
                )
        doses = (a.glucocorticoids.doses if a.glucocorticoids else None) or []
        pred = scores.prednisolone
        parts = iter(pred.contributions if pred is not None else [])
        for line, dose in enumerate(doses, start=1):
            # Every regimen as entered; only those taken on the visit date add to its dose.
            current = pred is not None and (pred.date is None or dose.taken_on(pred.date))
            part = next(parts) if current else None
            glucocorticoids.append(
                {
                    **key,
                    "line": line,
                    "drug": dose.drug.value,
                    "route": dose.route,
                    "dose_value": dose.dose.value,
                    "dose_unit": dose.dose.unit,
                    "dose_mg": dose.dose.to("mg"),
                    "times_per_day": dose.times_per_day,
                    "every_n_days": dose.every_n_days,
                    "daily_dose_mg": dose.daily_dose_mg,
                    "factor": part.factor if part else None,
                    "prednisolone_mg_per_day": part.prednisolone_mg_per_day if part else None,
                    "start_date": dose.start_date,
                    "end_date": dose.end_date,
                    "current": current,
                }
            )
    return findings, components, glucocorticoids


def _dump_all(items: Iterable[Any]) -> list[Row]:
    return [{k: _plain(v) for k, v in item.model_dump().items()} for item in items]


def build_tables(records: StudyRecords) -> dict[str, list[Row]]:
    """Every table of the snapshot, rows in key order, columns in declared order."""
    subjects = {s.subject_id: s for s in records.subjects}
    scored = score_visits(records)
    visits = [derive_visit(s, subjects[s.assessment.subject_id]) for s in scored]
    derived_subjects = derive_subjects(records, visits)
    findings, components, glucocorticoids = _per_assessment_rows(scored)
    screenings = [
        {
            **{k: _plain(v) for k, v in s.model_dump().items()},
            "failing_criteria": ";".join(s.failing_criteria) or None,
        }
        for s in records.screenings
    ]
    failures = [
        {"screening_number": s.screening_number, "criterion": c}
        for s in records.screenings
        for c in s.failing_criteria
    ]
    raw: dict[str, list[Row]] = {
        "sites": _dump_all(records.sites),
        "subjects": _subject_rows(records, derived_subjects),
        "screenings": screenings,
        "screening_failures": failures,
        "visits": _visit_rows(records),
        "assessments": [v.model_dump() for v in visits],
        "sledai2k_findings": findings,
        "components": components,
        "glucocorticoids": glucocorticoids,
        "medications": _medication_rows(records),
        "medical_history": _dump_all(records.medical_history),
        "infusions": _infusion_rows(records),
        "adverse_events": _dump_all(records.adverse_events),
        "adverse_event_versions": _dump_all(records.adverse_event_versions),
        "consents": _dump_all(records.consents),
        "deviations": _dump_all(records.deviations),
        "safety_reports": _dump_all(records.safety_reports),
        "drug_movements": _dump_all(records.drug_movements),
        "monitoring_visits": _dump_all(records.monitoring_visits),
        "monitoring_findings": _dump_all(records.monitoring_findings),
        "form_values": _form_value_rows(records),
    }
    return {spec.name: _ordered(spec, raw[spec.name]) for spec in TABLES}
