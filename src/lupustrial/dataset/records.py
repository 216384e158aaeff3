"""The raw study records a source provides: subjects, screenings, visits, assessments, safety.

Every source (the demo study, the web application's database) fills one `StudyRecords`;
nothing here is derived, so that derivation happens in one place (`dataset.derive`) by the
clinical layer. The models are flat on purpose: one record per row of a case report form,
linked by ``subject_id`` (and ``visit`` + ``date`` for assessments).

Missing is never false: every judgement that may be unrecorded is ``bool | None`` and
``None`` means "not recorded". A list of glucocorticoids that is ``[]`` means "none taken";
``None`` means "not recorded".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import StrEnum
from itertools import pairwise
from typing import Any, Self

from pydantic import Field, model_validator

from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.protocol.crfs import VisitForms
from lupustrial.protocol.criteria import CRITERION_BY_ID
from lupustrial.protocol.dates import site_zone
from lupustrial.protocol.screening import ScreeningRecord

Identifier = str
"""A source's own identifier (subject id, screening number): kept as given."""


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class SubjectStatus(StrEnum):
    """Where a subject stands in the study flow."""

    SCREENED = "screened"  # consented, screening not yet decided
    SCREEN_FAILED = "screen_failed"
    ENROLLED = "enrolled"  # on study
    WITHDRAWN = "withdrawn"  # left before completing W12
    COMPLETED = "completed"  # completed the W12 visit


ENROLLED_STATUSES = frozenset(
    {SubjectStatus.ENROLLED, SubjectStatus.WITHDRAWN, SubjectStatus.COMPLETED}
)
"""Statuses of subjects who were enrolled at some point."""


class StudySite(StrictModel):
    """A study site and the IANA time zone its dates are counted in (`protocol.dates`).

    Every date of the site's records is its local date; the data cut, a moment, falls on the
    site's own date (`site_date`), so a snapshot and the week-12 answer compare like with like.
    """

    code: str = Field(min_length=1, description="Study site code.")
    name: str | None = None
    time_zone: str = Field(min_length=1, description="IANA time zone, e.g. Asia/Tokyo.")

    @model_validator(mode="after")
    def _known_zone(self) -> Self:
        site_zone(self.time_zone)  # a TimeZoneError (a ValueError) names the unknown zone
        return self


class Subject(StrictModel):
    """One consented person: demographics, key dates and study status."""

    subject_id: Identifier = Field(min_length=1)
    site: str = Field(min_length=1, description="Study site code.")
    screening_number: Identifier | None = Field(
        default=None, description="The screening this subject came from (ScreeningDecision)."
    )
    sex: Sex | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    age_at_consent: int | None = Field(default=None, ge=0, le=120, description="Years.")
    consent_date: PastDate | None = None
    enrolment_date: PastDate | None = None
    first_infusion_date: PastDate | None = Field(
        default=None, description="First anifrolumab infusion: day 0 of the visit schedule."
    )
    status: SubjectStatus
    withdrawal_date: PastDate | None = None
    withdrawal_reason: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.status in ENROLLED_STATUSES and self.enrolment_date is None:
            raise ValueError(f"status {self.status.value} needs an enrolment_date")
        if self.status is SubjectStatus.WITHDRAWN:
            if self.withdrawal_date is None or not self.withdrawal_reason:
                raise ValueError("status withdrawn needs a withdrawal_date and withdrawal_reason")
        elif self.withdrawal_date is not None or self.withdrawal_reason:
            raise ValueError(
                f"withdrawal_date/withdrawal_reason given but status is {self.status.value}"
            )
        order = [
            ("consent_date", self.consent_date),
            ("enrolment_date", self.enrolment_date),
            ("first_infusion_date", self.first_infusion_date),
        ]
        known = [(name, day) for name, day in order if day is not None]
        for (first, a), (second, b) in pairwise(known):
            if b < a:
                raise ValueError(f"{second} {b.isoformat()} is before {first} {a.isoformat()}")
        return self

    def age(self) -> int | None:
        """Age at consent: as recorded, else consent year minus birth year (±1 year)."""
        if self.age_at_consent is not None:
            return self.age_at_consent
        if self.birth_year is not None and self.consent_date is not None:
            return self.consent_date.year - self.birth_year
        return None


class Decision(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"


class ScreeningDecision(StrictModel):
    """The decided outcome of one screening (the eligibility checklist's verdict)."""

    screening_number: Identifier = Field(min_length=1)
    site: str = Field(min_length=1)
    screening_date: PastDate | None = None
    decision: Decision
    failing_criteria: list[str] = Field(
        default_factory=list, description="Criterion ids (I1-I5, E1-E13) that were not met."
    )

    @model_validator(mode="after")
    def _criteria_known_and_consistent(self) -> Self:
        unknown = [c for c in self.failing_criteria if c not in CRITERION_BY_ID]
        if unknown:
            raise ValueError(f"unknown criterion id(s): {', '.join(unknown)}")
        if self.decision is Decision.INELIGIBLE and not self.failing_criteria:
            raise ValueError("an ineligible decision must list its failing_criteria")
        if self.decision is Decision.ELIGIBLE and self.failing_criteria:
            raise ValueError("an eligible decision cannot have failing_criteria")
        return self


class ScreeningForm(StrictModel):
    """One consented subject's screening record as entered: every value of the screening
    form (demographics, classification items, history, laboratory results, exclusions) but
    the date of birth, which these pseudonymised records keep as the year of birth only (as
    `Subject.birth_year` does).

    Not a snapshot table (the analysis reads the decision, `ScreeningDecision`, and the
    medical history); the exports that carry the whole record read it (REDCap). The ODM
    file holds it with its history."""

    subject_id: Identifier
    screening_number: Identifier = Field(min_length=1)
    birth_year: int = Field(ge=1900, le=2100)
    record: dict[str, Any] = Field(
        description="The screening record (protocol.screening.ScreeningRecord) as JSON, "
        "without date_of_birth."
    )

    @model_validator(mode="after")
    def _a_screening_record(self) -> Self:
        if "date_of_birth" in self.record:
            raise ValueError("the date of birth stays out of the records (birth_year holds it)")
        # 1 January of the year of birth is the earliest day the person can have been born,
        # so the record's "not before the birth" checks hold whatever the real day.
        ScreeningRecord.model_validate(
            {**self.record, "date_of_birth": dt.date(self.birth_year, 1, 1)}
        )
        return self

    @classmethod
    def of(cls, subject_id: str, screening_number: str, record: ScreeningRecord) -> ScreeningForm:
        document = record.model_dump(mode="json", exclude_none=True, exclude={"date_of_birth"})
        return cls(
            subject_id=subject_id,
            screening_number=screening_number,
            birth_year=record.date_of_birth.year,
            record=document,
        )


class VisitCode(StrEnum):
    """Scheduled visits (protocol.schedule.SCHEDULE) and unscheduled ones."""

    W0 = "W0"
    W4 = "W4"
    W8 = "W8"
    W12 = "W12"
    UNSCHEDULED = "unscheduled"


class Visit(StrictModel):
    """One visit, done or missed."""

    subject_id: Identifier
    visit: VisitCode
    visit_id: str | None = Field(
        default=None,
        description="The source's own name for the visit (W0…W12, U1, U2… for unscheduled "
        "ones); tells apart unscheduled visits on one day.",
    )
    date: PastDate | None = Field(default=None, description="Day the visit took place.")
    missed: bool = False
    missed_reason: str | None = None

    @model_validator(mode="after")
    def _done_or_missed(self) -> Self:
        if self.missed:
            if not self.missed_reason:
                raise ValueError("a missed visit needs a missed_reason")
            if self.date is not None:
                raise ValueError("a missed visit has no date")
        elif self.date is None:
            raise ValueError("a visit that took place needs its date")
        return self


class Assessment(VisitForms):
    """One visit's eCRFs as entered, scheduled or unscheduled: every field, typed.

    The forms are the protocol's CRF models (`protocol.crfs.VisitForms`), so the dataset
    checks exactly the hard limits and edit checks the eCRF and the API check. Medications
    and the anifrolumab infusion of the visit are its `medications` and `infusion` forms.
    """

    subject_id: Identifier
    visit: VisitCode
    visit_id: str | None = Field(default=None, description="As in `Visit.visit_id`.")
    date: PastDate = Field(description="Date of the visit the assessment belongs to.")
    forms_not_done: dict[str, str] = Field(
        default_factory=dict,
        description="The forms declared not done at the visit, by CRF code, with the reason "
        "(CDASH --STAT 'NOT DONE' and --REASND); such a form is None here.",
    )

    @model_validator(mode="after")
    def _not_done_forms(self) -> Self:
        for code, reason in self.forms_not_done.items():
            if code not in VisitForms.model_fields:
                raise ValueError(f"forms_not_done: unknown form {code!r}")
            if not reason.strip():
                raise ValueError(f"forms_not_done: form {code} needs its reason")
            if getattr(self, code) is not None:
                raise ValueError(f"forms_not_done: form {code} is not done but holds values")
        return self

    def key(self) -> tuple[str, str, str | None, dt.date]:
        """What tells one visit's assessment from another's."""
        return (self.subject_id, self.visit.value, self.visit_id, self.date)


class MedicationCategory(StrEnum):
    ANTIMALARIAL = "antimalarial"
    IMMUNOSUPPRESSANT = "immunosuppressant"
    BIOLOGIC = "biologic"
    OTHER = "other"


class AeOutcome(StrEnum):
    RECOVERED = "recovered"
    RECOVERING = "recovering"
    NOT_RECOVERED = "not_recovered"
    RECOVERED_WITH_SEQUELAE = "recovered_with_sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class AdverseEventState(StrictModel):
    """What one version of an adverse event says, graded by CTCAE (1-5)."""

    subject_id: Identifier
    event_id: Identifier = Field(
        min_length=1, description="The event's identity within its subject (AE-001)."
    )
    term: str = Field(min_length=1, description="Reported term (MedDRA preferred term if coded).")
    ctcae_code: int | None = Field(
        default=None, description="The CTCAE v5.0 term's MedDRA code, when coded."
    )
    specified_code: int | None = Field(
        default=None, description="For a CTCAE 'Other, specify' term: the MedDRA code specified."
    )
    onset_date: PastDate
    aware_date: PastDate | None = Field(
        default=None, description="The site's date the investigator became aware (day 0)."
    )
    end_date: PastDate | None = None
    ctcae_grade: int = Field(ge=1, le=5)
    serious: bool
    seriousness_criteria: str | None = Field(
        default=None, description="Seriousness criteria met (Art. 54), ';'-separated."
    )
    related: bool | None = Field(default=None, description="Related to the study drug.")
    relatedness: str | None = Field(
        default=None, description="Relatedness as entered (not related ... definite)."
    )
    outcome: AeOutcome = AeOutcome.UNKNOWN
    action_taken: str | None = Field(
        default=None, description="Action taken with the study drug (CDISC AEACN)."
    )
    infection: bool = False
    herpes_zoster: bool = False
    course: str | None = Field(default=None, description="The course, in the investigator's words.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.herpes_zoster and not self.infection:
            raise ValueError("herpes_zoster is an infection: set infection too")
        if (self.ctcae_grade == 5) != (self.outcome is AeOutcome.FATAL):
            raise ValueError("CTCAE grade 5 (death) and outcome fatal go together")
        if self.end_date and self.end_date < self.onset_date:
            raise ValueError("end_date is before onset_date")
        return self

    def state(self) -> dict[str, object]:
        """The event's content, without the fields that say which version or when."""
        return self.model_dump(include=set(AdverseEventState.model_fields))


class AdverseEvent(AdverseEventState):
    """One adverse event as it stands: its latest version, and where it was first recorded."""

    version: int = Field(default=1, ge=1, description="Its latest version's number.")
    recorded_on: PastDate | None = Field(
        default=None, description="The site's date the event was first recorded."
    )
    visit_id: str | None = Field(
        default=None, description="The visit it was first recorded at; None: between visits."
    )


class AdverseEventVersion(AdverseEventState):
    """One version of an adverse event, as saved: every version, the first included."""

    version: int = Field(ge=1)
    recorded_on: PastDate = Field(description="The site's date this version was saved.")
    visit_id: str | None = Field(
        default=None, description="The visit it was entered at; None: between visits."
    )
    reason: str | None = Field(default=None, description="Why it was changed.")


class ConsentRecord(StrictModel):
    """One written consent on one form version (the first, then each re-consent)."""

    subject_id: Identifier
    form_version: str = Field(min_length=1)
    language: str | None = None
    consent_date: PastDate = Field(description="The site's date of the consent.")
    withdrawn_on: PastDate | None = None
    withdrawal_scope: str | None = Field(
        default=None, description="full, or no_further_data (safety follow-up allowed)."
    )

    @model_validator(mode="after")
    def _withdrawn_after(self) -> Self:
        if (self.withdrawn_on is None) != (self.withdrawal_scope is None):
            raise ValueError("withdrawn_on and withdrawal_scope go together")
        if self.withdrawn_on is not None and self.withdrawn_on < self.consent_date:
            raise ValueError("withdrawn_on is before consent_date")
        return self


class MedicalHistory(StrictModel):
    """One condition of a candidate's medical history, as taken at screening."""

    screening_number: Identifier = Field(min_length=1)
    line: int = Field(ge=1, description="Its row on the screening form.")
    condition: str = Field(min_length=1)
    start_date: PastDate | None = None
    ongoing: bool | None = None
    end_date: PastDate | None = None
    notes: str | None = None


class DrugMovement(StrictModel):
    """Vials of one anifrolumab lot received, dispensed, returned or destroyed at a site."""

    site: str = Field(min_length=1)
    lot_number: str = Field(min_length=1)
    expiry_date: dt.date
    kind: str = Field(pattern="^(received|dispensed|returned|destroyed)$")
    vials: int = Field(gt=0)
    on: PastDate = Field(description="The site's date.")
    subject_id: Identifier | None = Field(default=None, description="Dispensed: for whom.")
    note: str | None = None


class MonitoringVisitRecord(StrictModel):
    """One monitoring visit to a site (Enforcement Regulations Art. 17)."""

    site: str = Field(min_length=1)
    visited_on: PastDate
    kind: str = Field(min_length=1)
    monitor: str = Field(min_length=1)
    subjects_reviewed: str | None = Field(default=None, description="Subject ids, ';'.")
    summary: str = Field(min_length=1)
    follow_up: str | None = None


class MonitoringFindingRecord(StrictModel):
    """One finding of a monitoring visit, and what it became."""

    site: str = Field(min_length=1)
    visited_on: PastDate
    line: int = Field(ge=1)
    subject_id: Identifier | None = None
    finding: str = Field(min_length=1)
    action: str = Field(pattern="^(note|query|deviation)$")
    deviation_number: str | None = None


class Deviation(StrictModel):
    """One protocol deviation (不適合, Enforcement Regulations Art. 15) and its handling."""

    subject_id: Identifier
    number: str = Field(min_length=1)
    category: str = Field(min_length=1, description="A category the protocol declares.")
    occurred_on: PastDate
    description: str = Field(min_length=1)
    serious: bool
    corrective_action: str | None = None
    preventive_action: str | None = None
    reported_to_board_on: PastDate | None = None
    closed_on: PastDate | None = Field(default=None, description="None = still open.")

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        for name in ("reported_to_board_on", "closed_on"):
            day = getattr(self, name)
            if day is not None and day < self.occurred_on:
                raise ValueError(f"{name} is before occurred_on")
        return self


class SafetyReport(StrictModel):
    """One safety report (疾病等報告, Enforcement Regulations Art. 54) and its submission."""

    subject_id: Identifier
    number: str = Field(min_length=1)
    event: str = Field(min_length=1, description="The adverse event's identity.")
    rule: str = Field(min_length=1, description="The reporting rule it answers, e.g. CRB-7.")
    recipient: str = Field(min_length=1)
    kind: str = Field(pattern="^(first|follow-up)$")
    follows: str | None = Field(default=None, description="The first report it follows.")
    day_zero: PastDate | None = None
    due: dt.date | None = Field(default=None, description="None: the periodic report.")
    generated_on: PastDate
    submitted_to: str | None = None
    submitted_on: PastDate | None = None

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if (self.kind == "follow-up") != (self.follows is not None):
            raise ValueError("a follow-up names the report it follows, a first report none")
        if self.submitted_on is not None and self.submitted_on < self.generated_on:
            raise ValueError("submitted_on is before generated_on")
        if (self.submitted_on is None) != (self.submitted_to is None):
            raise ValueError("submitted_to and submitted_on go together")
        return self


class StudyRecords(StrictModel):
    """Everything a source holds about the study, as raw records; links are checked."""

    study_id: str = "early-anifrolumab-sle"
    sites: list[StudySite] = Field(
        default_factory=list, description="Every site a subject or screening names."
    )
    subjects: list[Subject] = Field(default_factory=list)
    screenings: list[ScreeningDecision] = Field(default_factory=list)
    screening_records: list[ScreeningForm] = Field(
        default_factory=list,
        description="Each consented subject's screening record as entered, when the source "
        "keeps it (the database does).",
    )
    visits: list[Visit] = Field(default_factory=list)
    assessments: list[Assessment] = Field(default_factory=list)
    adverse_events: list[AdverseEvent] = Field(default_factory=list)
    adverse_event_versions: list[AdverseEventVersion] = Field(
        default_factory=list, description="Every version of the events, when the source keeps them."
    )
    consents: list[ConsentRecord] = Field(default_factory=list)
    deviations: list[Deviation] = Field(default_factory=list)
    safety_reports: list[SafetyReport] = Field(default_factory=list)
    medical_history: list[MedicalHistory] = Field(
        default_factory=list, description="Each screening's medical history, row by row."
    )
    drug_movements: list[DrugMovement] = Field(
        default_factory=list, description="Drug accountability: every movement of every lot."
    )
    monitoring_visits: list[MonitoringVisitRecord] = Field(default_factory=list)
    monitoring_findings: list[MonitoringFindingRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _links(self) -> Self:
        problems: list[str] = []
        codes = [site.code for site in self.sites]
        problems += [f"duplicate site {c}" for c, n in Counter(codes).items() if n > 1]
        named = {s.site for s in self.subjects} | {s.site for s in self.screenings}
        problems += [
            f"site {c} is not declared in sites (each site needs its time zone)"
            for c in sorted(named - set(codes))
        ]
        subject_ids = [s.subject_id for s in self.subjects]
        problems += [f"duplicate subject_id {i}" for i, n in Counter(subject_ids).items() if n > 1]
        numbers = [s.screening_number for s in self.screenings]
        problems += [
            f"duplicate screening_number {i}" for i, n in Counter(numbers).items() if n > 1
        ]
        known_numbers = set(numbers)
        problems += [
            f"{table}[{index}]: site {row.site} is not declared in sites"
            for table in ("drug_movements", "monitoring_visits", "monitoring_findings")
            for index, row in enumerate(getattr(self, table))
            if row.site not in codes
        ]
        screened = known_numbers | {s.screening_number for s in self.subjects}
        problems += [
            f"medical_history[{index}]: unknown screening_number {row.screening_number}"
            for index, row in enumerate(self.medical_history)
            if row.screening_number not in screened
        ]
        for subject in self.subjects:
            if subject.screening_number and subject.screening_number not in known_numbers:
                problems.append(
                    f"subject {subject.subject_id}: screening_number "
                    f"{subject.screening_number} has no screening decision"
                )
        known = set(subject_ids)
        linked = (
            "visits",
            "assessments",
            "adverse_events",
            "adverse_event_versions",
            "screening_records",
        )
        for table in (*linked, "consents", "deviations", "safety_reports"):
            for index, row in enumerate(getattr(self, table)):
                if row.subject_id not in known:
                    problems.append(f"{table}[{index}]: unknown subject_id {row.subject_id}")
        for table in ("drug_movements", "monitoring_findings"):
            for index, row in enumerate(getattr(self, table)):
                if row.subject_id is not None and row.subject_id not in known:
                    problems.append(f"{table}[{index}]: unknown subject_id {row.subject_id}")
        visit_keys = [(v.subject_id, v.visit.value, v.visit_id, v.date) for v in self.visits]
        scheduled = [(s, v) for s, v, _, _ in visit_keys if v != VisitCode.UNSCHEDULED]
        problems += [
            f"subject {s}: visit {v} recorded {n} times"
            for (s, v), n in Counter(scheduled).items()
            if n > 1
        ]
        problems += [
            f"subject {s}: visit {_named(v, i)} on {d} recorded {n} times"
            for (s, v, i, d), n in Counter(visit_keys).items()
            if n > 1 and v == VisitCode.UNSCHEDULED
        ]
        done = {key for key in visit_keys if key[3] is not None}
        for index, a in enumerate(self.assessments):
            if a.key() not in done:
                problems.append(
                    f"assessments[{index}]: no visit {_named(a.visit.value, a.visit_id)} on "
                    f"{a.date.isoformat()} for subject {a.subject_id}"
                )
        assessed = Counter(a.key() for a in self.assessments)
        problems += [
            f"subject {s}: {n} assessments for visit {_named(v, i)} on {d.isoformat()}"
            for (s, v, i, d), n in assessed.items()
            if n > 1
        ]
        problems += _adverse_event_problems(self.adverse_events, self.adverse_event_versions)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def time_zone(self, site: str) -> str:
        """The time zone of a declared site."""
        for declared in self.sites:
            if declared.code == site:
                return declared.time_zone
        raise KeyError(site)

    def subject(self, subject_id: str) -> Subject:
        for subject in self.subjects:
            if subject.subject_id == subject_id:
                return subject
        raise KeyError(subject_id)


def _adverse_event_problems(
    events: list[AdverseEvent], versions: list[AdverseEventVersion]
) -> list[str]:
    """An event is named once per subject; its versions, when given, run 1..its version with
    no gap and the last is what the event says (no version lost, none invented)."""
    keys = [(e.subject_id, e.event_id) for e in events]
    problems = [
        f"subject {s}: adverse event {i} recorded {n} times"
        for (s, i), n in Counter(keys).items()
        if n > 1
    ]
    by_event: dict[tuple[str, str], list[AdverseEventVersion]] = {}
    for version in versions:
        by_event.setdefault((version.subject_id, version.event_id), []).append(version)
    latest = {(e.subject_id, e.event_id): e for e in events}
    for (subject_id, event_id), kept in sorted(by_event.items()):
        event = latest.get((subject_id, event_id))
        if event is None:
            problems.append(f"adverse_event_versions: {subject_id} {event_id} is not an event")
            continue
        numbers = sorted(v.version for v in kept)
        if numbers != list(range(1, event.version + 1)):
            problems.append(
                f"subject {subject_id}: adverse event {event_id} is at version {event.version} "
                f"but versions {numbers} are given"
            )
        elif max(kept, key=lambda v: v.version).state() != event.state():
            problems.append(
                f"subject {subject_id}: adverse event {event_id} differs from its last version"
            )
    return problems


def _named(visit: str, visit_id: str | None) -> str:
    """A visit as messages name it: 'W4', or 'unscheduled U2'."""
    return visit if visit_id in (None, visit) else f"{visit} {visit_id}"
