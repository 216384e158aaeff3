"""Deviations the protocol's rules suspect in the recorded data (`protocol.deviations`).

Read-only: each subject's visits, consent, eligibility, signatures and medications are turned
into plain values (dates the site's own, `protocol.dates`) and handed to the rules. What a
person has already confirmed or dismissed is not suggested again (`services.pending`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lupustrial.clinical.units import DoseMass
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import Subject, SubjectStatus, VisitStatus
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.deviations import (
    Suggestion,
    consent_after_procedure,
    enrolled_not_eligible,
    infusion_finding,
    live_vaccine,
    prohibited_medication,
    signature_voided,
    visit_window_finding,
)


def _last_day(subject: Subject) -> dt.date:
    """The last day a visit is still owed: today at the site, or the end of participation."""
    today = subject.site.today()
    ended = subject.withdrawn_on or subject.completed_on
    return min(today, ended) if ended else today


def _visit_findings(subject: Subject) -> Iterable[Suggestion]:
    last_day = _last_day(subject)
    rules = DEFAULT_PROTOCOL.deviations
    for visit in subject.visits.all():
        if visit.window_start is None or visit.window_end is None:
            continue  # unscheduled: no window
        finding = visit_window_finding(
            subject.label,
            visit.code,
            (visit.window_start, visit.window_end),
            visit.date,
            visit.status == VisitStatus.MISSED,
            last_day,
        )
        if finding is not None:
            yield finding
    for visit in subject.visits.all():
        for form in visit.forms.all():
            if form.crf != "medications":
                continue
            for medication in form.data.get("medications") or []:
                started = medication.get("start_date")
                finding = prohibited_medication(
                    subject.label,
                    visit.code,
                    medication["drug"],
                    dt.date.fromisoformat(started) if started else visit.date,
                    rules,
                )
                if finding is not None:
                    yield finding
                finding = live_vaccine(
                    subject.label,
                    visit.code,
                    medication["drug"],
                    dt.date.fromisoformat(started) if started else None,
                    subject.first_infusion_date,
                    DEFAULT_PROTOCOL.live_vaccines,
                    DEFAULT_PROTOCOL.live_vaccine_window_days,
                )
                if finding is not None:
                    yield finding


def _infusion_findings(subject: Subject) -> Iterable[Suggestion]:
    """Each infusion given, against the protocol's dose and the interval since the last one."""
    given: list[tuple[dt.date, str, float]] = []
    for visit in subject.visits.all():
        for form in visit.forms.all():
            data = form.data if form.crf == "infusion" else {}
            if data.get("given") and data.get("date") and data.get("dose"):
                dose_mg = DoseMass.model_validate(data["dose"]).to("mg")
                given.append((dt.date.fromisoformat(data["date"]), visit.code, dose_mg))
    given.sort()
    previous: dt.date | None = None
    for day, code, dose_mg in given:
        finding = infusion_finding(
            subject.label, code, day, dose_mg, previous, DEFAULT_PROTOCOL.deviations
        )
        if finding is not None:
            yield finding
        previous = day


def _screening_procedures(subject: Subject) -> dict[str, dt.date]:
    """The screening procedures done for the study, with their dates."""
    screening = study.screening_record(subject)
    if screening is None:
        return {}
    procedures: dict[str, dt.date] = {}
    if screening.screening_sledai2k is not None and screening.screening_sledai2k.date:
        procedures["screening SLEDAI-2K"] = screening.screening_sledai2k.date
    reproduction = screening.reproduction
    if reproduction is not None and reproduction.pregnancy_test_date is not None:
        procedures["pregnancy test"] = reproduction.pregnancy_test_date
    return procedures


def _enrolment_findings(subject: Subject) -> Iterable[Suggestion]:
    decision = study.eligibility(subject)
    if decision is not None:
        finding = enrolled_not_eligible(
            subject.label, decision.outcome.value, decision.failed, subject.site.today()
        )
        if finding is not None:
            yield finding
    if study.active_signature(subject) is None:
        voided = study.last_voided_signature(subject)
        if voided is not None and voided.voided_at is not None:
            yield signature_voided(
                subject.label, str(voided.pk), subject.site.date_of(voided.voided_at)
            )


def suggestions_for(subject: Subject) -> list[Suggestion]:
    """Every deviation the rules suspect for one subject, decided or not."""
    found: list[Suggestion] = []
    consent = study.first_consent(subject)
    if consent is not None:
        finding = consent_after_procedure(
            subject.label,
            subject.site.date_of(consent.obtained_at),
            _screening_procedures(subject),
        )
        if finding is not None:
            found.append(finding)
    if subject.subject_id is not None and subject.status != SubjectStatus.SCREEN_FAILED:
        found.extend(_enrolment_findings(subject))
        found.extend(_visit_findings(subject))
        found.extend(_infusion_findings(subject))
    return found
