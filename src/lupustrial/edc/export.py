"""The web application's database as study records: the `database` source of the dataset.

Django must be configured before this module is imported (it imports the models): the
source's entry point is `lupustrial.edc.database_records`, which does that first.
`lupustrial dataset export --source database` reads the study through this adapter, so the
analysis runs on a frozen snapshot and never on the application's tables. The records are
pseudonymised: subject IDs only, no names or medical record numbers.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from lupustrial.dataset import records as ds
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.deviations.models import Deviation
from lupustrial.edc.monitoring.models import MonitoringVisit
from lupustrial.edc.pharmacy.models import LotMovement
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study import services
from lupustrial.edc.study.models import (
    AdverseEvent,
    Consent,
    RecordKind,
    Subject,
    SubjectStatus,
    VisitStatus,
)
from lupustrial.edc.study.records import done_visits, visit_code, visit_record
from lupustrial.edc.study.versions import Version, versions_by_record
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


def database_records(sites: Collection[str] | None = None) -> ds.StudyRecords:
    """Every consented subject, decided screening, visit (scheduled or not), form, adverse
    event, consent and deviation.

    ``sites`` limits the records to those sites' subjects (None: every site).
    """
    out: dict[str, list[Any]] = {
        "sites": [],
        "subjects": [],
        "screenings": [],
        "screening_records": [],
        "visits": [],
        "assessments": [],
        "adverse_events": [],
        "adverse_event_versions": [],
        "consents": [],
        "deviations": [],
        "safety_reports": [],
        "medical_history": [],
        "drug_movements": [],
        "monitoring_visits": [],
        "monitoring_findings": [],
    }
    subjects = Subject.objects.select_related("site").prefetch_related(
        "visits__forms",
        "deviations",
        "consents",
        "safety_reports__follows",
        "adverse_events__visit",
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
            out["medical_history"].extend(_medical_history(subject))
        consent = services.first_consent(subject)
        if consent is None and subject.subject_id is None:
            continue  # never consented: counted in screening only
        out["subjects"].append(_subject(subject, consent, decision is not None))
        record = services.screening_record(subject)
        if record is not None:
            out["screening_records"].append(
                ds.ScreeningForm.of(subject.label, subject.screening_number, record)
            )
        _visits(subject, out)
        _adverse_events(subject, out)
        out["consents"].extend(_consent(subject, c) for c in subject.consents.all())
        out["deviations"].extend(_deviation(subject, d) for d in subject.deviations.all())
        out["safety_reports"].extend(
            _safety_report(subject, r) for r in subject.safety_reports.all()
        )
    _site_records(chosen, out)
    return ds.StudyRecords.model_validate(out)


def _site_records(sites: Any, out: dict[str, list[Any]]) -> None:
    """Each site's drug accountability and monitoring log, as entered."""
    movements = LotMovement.objects.filter(lot__site__in=sites).select_related(
        "lot__site", "subject"
    )
    for m in movements.order_by("lot__site__code", "lot__lot_number", "on", "id"):
        out["drug_movements"].append(
            ds.DrugMovement(
                site=m.lot.site.code,
                lot_number=m.lot.lot_number,
                expiry_date=m.lot.expiry_date,
                kind=m.kind,
                vials=m.vials,
                on=m.on,
                subject_id=m.subject.label if m.subject else None,
                note=m.note or None,
            )
        )
    visits = MonitoringVisit.objects.filter(site__in=sites).select_related("site", "monitor")
    for visit in visits.prefetch_related("subjects", "findings__subject", "findings__deviation"):
        reviewed = sorted(s.label for s in visit.subjects.all())
        out["monitoring_visits"].append(
            ds.MonitoringVisitRecord(
                site=visit.site.code,
                visited_on=visit.visited_on,
                kind=visit.kind,
                monitor=visit.monitor.get_username(),
                subjects_reviewed=";".join(reviewed) or None,
                summary=visit.summary,
                follow_up=visit.follow_up or None,
            )
        )
        for line, finding in enumerate(visit.findings.all(), start=1):
            out["monitoring_findings"].append(
                ds.MonitoringFindingRecord(
                    site=visit.site.code,
                    visited_on=visit.visited_on,
                    line=line,
                    subject_id=finding.subject.label if finding.subject else None,
                    finding=finding.text,
                    action=finding.action,
                    deviation_number=finding.deviation.number if finding.deviation else None,
                )
            )


def _medical_history(subject: Subject) -> list[ds.MedicalHistory]:
    """The medical history taken at screening, row by row, as entered."""
    rows = (subject.screening or {}).get("medical_history") or []
    return [
        ds.MedicalHistory(screening_number=subject.screening_number, line=line, **row)
        for line, row in enumerate(rows, start=1)
    ]


def _consent(subject: Subject, consent: Consent) -> ds.ConsentRecord:
    return ds.ConsentRecord(
        subject_id=subject.label,
        form_version=consent.form_version,
        language=consent.language or None,
        consent_date=subject.site.date_of(consent.obtained_at),
        withdrawn_on=consent.withdrawn_on,
        withdrawal_scope=consent.withdrawal_scope or None,
    )


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
    """Every visit, scheduled and unscheduled, and every form of those that took place."""
    for visit in subject.visits.all():
        if visit.status == VisitStatus.PLANNED:
            continue  # not yet due or not yet entered: nothing happened
        missed = visit.status == VisitStatus.MISSED
        out["visits"].append(
            ds.Visit(
                subject_id=subject.label,
                visit=visit_code(visit),
                visit_id=visit.code,
                date=None if missed else visit.date,
                missed=missed,
                missed_reason=visit.missed_reason or None,
            )
        )
    for visit, forms in done_visits(subject):
        out["assessments"].append(visit_record(subject, visit, forms))


def _adverse_events(subject: Subject, out: dict[str, list[Any]]) -> None:
    """Every adverse event in its latest version, and every version of each (no event is
    merged with another: two with the same term and onset are two records)."""
    versions = versions_by_record(subject, RecordKind.ADVERSE_EVENT)
    for event in subject.adverse_events.all():
        out["adverse_events"].append(
            ds.AdverseEvent(
                **_ae_state(subject.label, event.label, event.data),
                version=event.version,
                recorded_on=subject.site.date_of(event.recorded_at),
                visit_id=event.visit.code if event.visit else None,
            )
        )
        out["adverse_event_versions"].extend(
            _ae_version(subject, event, version) for version in versions.get(event.pk, [])
        )


def _ae_version(subject: Subject, event: AdverseEvent, version: Version) -> ds.AdverseEventVersion:
    return ds.AdverseEventVersion(
        **_ae_state(subject.label, event.label, version.data),
        version=version.number,
        recorded_on=subject.site.date_of(version.saved_at),
        visit_id=version.visit or None,
        reason=version.reason or None,
    )


def _ae_state(subject_id: str, event_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """One version's content in the dataset's terms; relatedness also as entered."""
    return {
        "subject_id": subject_id,
        "event_id": event_id,
        "term": data["term"],
        "ctcae_code": data.get("ctcae_code"),
        "specified_code": data.get("specified_code"),
        "onset_date": data["onset"],
        "aware_date": data.get("aware_date"),
        "end_date": data.get("end_date"),
        "ctcae_grade": data["grade"],
        "serious": data["serious"],
        "seriousness_criteria": ";".join(data.get("seriousness_criteria") or []) or None,
        "related": _RELATED[data["related"]],
        "relatedness": data["related"],
        "outcome": _OUTCOME[data["outcome"]],
        "action_taken": data.get("action_taken"),
        "infection": data.get("infection", False),
        "herpes_zoster": data.get("herpes_zoster", False),
        "course": data.get("course") or None,
    }
