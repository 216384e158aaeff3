"""The web application's database as study records: the `database` source of the dataset.

Django must be configured before this module is imported (it imports the models): the
source's entry point is `lupustrial.edc.database_records`, which does that first.
`lupustrial dataset export --source database` reads the study through this adapter, so the
analysis runs on a frozen snapshot and never on the application's tables. The records are
pseudonymised: subject IDs only, no names or medical record numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from lupustrial.clinical.sledai2k import Sledai2kLabs
from lupustrial.clinical.units import BodyWeight, DoseMass
from lupustrial.dataset import records as ds
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.deviations.models import Deviation
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study import services
from lupustrial.edc.study.models import Subject, SubjectStatus, Visit, VisitStatus
from lupustrial.protocol.eligibility import Outcome

_STATUS = {
    SubjectStatus.SCREENING: ds.SubjectStatus.SCREENED,
    SubjectStatus.SCREEN_FAILED: ds.SubjectStatus.SCREEN_FAILED,
    SubjectStatus.ENROLLED: ds.SubjectStatus.ENROLLED,
    SubjectStatus.WITHDRAWN: ds.SubjectStatus.WITHDRAWN,
    SubjectStatus.COMPLETED: ds.SubjectStatus.COMPLETED,
}
_RELATED = {
    "not related": False,
    "unlikely": False,
    "possible": True,
    "probable": True,
    "definite": True,
}
_OUTCOME = {
    "recovered": ds.AeOutcome.RECOVERED,
    "recovering": ds.AeOutcome.RECOVERING,
    "not recovered": ds.AeOutcome.NOT_RECOVERED,
    "with sequelae": ds.AeOutcome.RECOVERED_WITH_SEQUELAE,
    "fatal": ds.AeOutcome.FATAL,
}
_ANTIMALARIALS = ("hydroxychloroquine", "chloroquine")
_BIOLOGICS = ("belimumab", "rituximab", "obinutuzumab")


def database_records(sites: Collection[str] | None = None) -> ds.StudyRecords:
    """Every consented subject, decided screening, visit, form, infusion, adverse event and
    deviation.

    ``sites`` limits the records to those sites' subjects (None: every site).
    """
    out: dict[str, list[Any]] = {
        "sites": [],
        "subjects": [],
        "screenings": [],
        "visits": [],
        "assessments": [],
        "medications": [],
        "infusions": [],
        "adverse_events": [],
        "deviations": [],
        "safety_reports": [],
    }
    subjects = Subject.objects.select_related("site").prefetch_related(
        "visits__forms", "deviations", "safety_reports__follows"
    )
    chosen = Site.objects.all()
    if sites is not None:
        subjects = subjects.filter(site__code__in=sites)
        chosen = chosen.filter(code__in=sites)
    out["sites"] = [
        ds.StudySite(code=site.code, name=site.name, time_zone=site.time_zone) for site in chosen
    ]
    for subject in subjects:
        decision = services.eligibility(subject)
        if decision is not None and decision.outcome is not Outcome.INCOMPLETE:
            out["screenings"].append(
                ds.ScreeningDecision(
                    screening_number=subject.screening_number,
                    site=subject.site.code,
                    screening_date=subject.site.date_of(subject.created_at),
                    decision=ds.Decision(decision.outcome.value),
                    failing_criteria=decision.failed,
                )
            )
        consent = getattr(subject, "consent", None)
        if consent is None and subject.subject_id is None:
            continue  # never consented: counted in screening only
        out["subjects"].append(_subject(subject, consent, decision is not None))
        _visits(subject, out)
        out["deviations"].extend(_deviation(subject, d) for d in subject.deviations.all())
        out["safety_reports"].extend(
            _safety_report(subject, r) for r in subject.safety_reports.all()
        )
    return ds.StudyRecords.model_validate(out)


def _deviation(subject: Subject, deviation: Deviation) -> ds.Deviation:
    return ds.Deviation(
        subject_id=subject.label,
        number=deviation.number,
        category=deviation.category,
        occurred_on=deviation.occurred_on,
        description=deviation.description,
        serious=deviation.serious,
        corrective_action=deviation.corrective_action or None,
        preventive_action=deviation.preventive_action or None,
        reported_to_board_on=deviation.reported_to_board_on,
        closed_on=subject.site.date_of(deviation.closed_at) if deviation.closed_at else None,
    )


def _safety_report(subject: Subject, report: SafetyReport) -> ds.SafetyReport:
    head = report.document["report"]
    return ds.SafetyReport(
        subject_id=subject.label,
        number=report.number,
        event=report.event_key,
        rule=report.rule,
        recipient=head["recipient"],
        kind=head["kind"],
        follows=report.follows.number if report.follows else None,
        day_zero=head["day_zero"],
        due=head["due"],
        generated_on=subject.site.date_of(report.generated_at),
        submitted_to=report.submitted_to or None,
        submitted_on=report.submitted_on,
    )


def _subject(subject: Subject, consent: Any, decided: bool) -> ds.Subject:
    screening = subject.screening or {}
    born = screening.get("date_of_birth")
    return ds.Subject(
        subject_id=subject.label,
        site=subject.site.code,
        screening_number=subject.screening_number if decided else None,
        sex=screening.get("sex"),
        birth_year=int(born[:4]) if born else None,
        consent_date=subject.site.date_of(consent.obtained_at) if consent else None,
        enrolment_date=subject.enrolment_date,
        first_infusion_date=subject.first_infusion_date,
        status=_STATUS[SubjectStatus(subject.status)],
        withdrawal_date=subject.withdrawn_on,
        withdrawal_reason=subject.withdrawal_reason or None,
    )


def _visits(subject: Subject, out: dict[str, list[Any]]) -> None:
    seen_events: set[tuple[str, str]] = set()
    for visit in subject.visits.all():
        if visit.status == VisitStatus.PLANNED or not visit.scheduled:
            continue  # unscheduled visits carry no protocol time point
        code = ds.VisitCode(visit.code)
        missed = visit.status == VisitStatus.MISSED
        out["visits"].append(
            ds.Visit(
                subject_id=subject.label,
                visit=code,
                date=None if missed else visit.date,
                missed=missed,
                missed_reason=visit.missed_reason or None,
            )
        )
        if missed or visit.date is None:
            continue
        forms = {form.crf: form.data for form in visit.forms.all()}
        out["assessments"].append(_assessment(subject.label, code, visit, forms))
        infusion = forms.get("infusion") or {}
        if infusion.get("given"):
            out["infusions"].append(
                ds.Infusion(
                    subject_id=subject.label,
                    date=dt.date.fromisoformat(infusion["date"]),
                    dose_mg=_mg(infusion["dose"]),
                    infusion_reaction=infusion.get("infusion_reaction"),
                )
            )
        for medication in (forms.get("medications") or {}).get("medications") or []:
            out["medications"].append(_medication(subject.label, medication))
        for event in (forms.get("adverse_events") or {}).get("events") or []:
            key = (event["term"], event["onset"])
            if key not in seen_events:  # an event carried over to later visits counts once
                seen_events.add(key)
                out["adverse_events"].append(_adverse_event(subject.label, event))


def _assessment(
    subject_id: str, code: ds.VisitCode, visit: Visit, forms: dict[str, Any]
) -> ds.Assessment:
    activity = forms.get("disease_activity") or {}
    vitals = forms.get("vitals") or {}
    labs = {k: v for k, v in (forms.get("labs") or {}).items() if k in Sledai2kLabs.model_fields}
    if vitals.get("temperature"):
        labs["temperature"] = vitals["temperature"]
    weight = vitals.get("body_weight")
    assert visit.date is not None
    return ds.Assessment(
        subject_id=subject_id,
        visit=code,
        date=visit.date,
        sledai2k=forms.get("sledai2k"),
        labs=Sledai2kLabs.model_validate(labs) if labs else None,
        pga=activity.get("pga"),
        glucocorticoids=(forms.get("glucocorticoids") or {}).get("doses"),
        body_weight_kg=BodyWeight.model_validate(weight).to("kg") if weight else None,
        haemolytic_anaemia=activity.get("haemolytic_anaemia"),
        gastrointestinal_activity=activity.get("gastrointestinal_activity"),
        maintenance_therapy_standard_and_tolerated=activity.get(
            "maintenance_therapy_standard_and_tolerated"
        ),
        maintenance_therapy_stable=activity.get("maintenance_therapy_stable"),
    )


def _mg(dose: dict[str, Any]) -> float:
    return DoseMass.model_validate(dose).to("mg")


def _medication(subject_id: str, medication: dict[str, Any]) -> ds.Medication:
    name = medication["drug"]
    folded = name.lower()
    if folded.startswith(_ANTIMALARIALS):
        category = ds.MedicationCategory.ANTIMALARIAL
    elif folded.startswith(_BIOLOGICS):
        category = ds.MedicationCategory.BIOLOGIC
    else:
        category = ds.MedicationCategory.IMMUNOSUPPRESSANT
    dose = medication.get("daily_dose")
    return ds.Medication(
        subject_id=subject_id,
        name=name,
        category=category,
        dose=f"{dose['value']:g} {dose['unit']}/day" if dose else None,
        start_date=medication.get("start_date"),
        end_date=medication.get("end_date"),
    )


def _adverse_event(subject_id: str, event: dict[str, Any]) -> ds.AdverseEvent:
    return ds.AdverseEvent(
        subject_id=subject_id,
        term=event["term"],
        onset_date=event["onset"],
        end_date=event.get("end_date"),
        ctcae_grade=event["grade"],
        serious=event["serious"],
        related=_RELATED[event["related"]],
        outcome=_OUTCOME[event["outcome"]],
        infection=event.get("infection", False),
        herpes_zoster=event.get("herpes_zoster", False),
    )
