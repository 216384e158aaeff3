"""JSON endpoints for subjects, visits and forms, documented at /api/docs (OpenAPI).

Every endpoint calls the same services as the pages, so permissions, edit checks, version
conflicts and the audit trail are the same whichever way data arrive. Authentication is the
login session (with its CSRF token for writes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import NinjaAPI, Schema, Status
from ninja.security import django_auth

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.study import adverse_events, eligibility_text, services
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.models import AdverseEvent, FormData, Subject, Visit
from lupustrial.edc.study.versions import versions_of

api = NinjaAPI(
    title="lupustrial",
    version="1",
    description="Subjects, visits, eCRFs and adverse events of the early-anifrolumab SLE study.",
    auth=django_auth,
    urls_namespace="api",
    # The document and its Swagger UI for signed-in users only; the UI comes from ninja's own
    # static files ("ninja" in INSTALLED_APPS), never from a CDN.
    docs_decorator=login_required,
)


@api.exception_handler(services.NotAllowedError)
def _denied(request: HttpRequest, error: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=403)


@api.exception_handler(services.ConflictError)
def _conflict(request: HttpRequest, error: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=409)


@api.exception_handler(services.RuleError)
def _invalid(request: HttpRequest, error: Exception) -> HttpResponse:
    answer = {"detail": str(error)}
    field = getattr(error, "field", None)  # InvalidTextError, IncompleteEventError
    if isinstance(field, str):
        answer["field"] = field
    return api.create_response(request, answer, status=422)


class SubjectOut(Schema):
    id: int
    screening_number: str
    subject_id: str | None
    site: str
    status: str
    first_infusion_date: dt.date | None


class VisitOut(Schema):
    id: int
    code: str
    planned_date: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    date: dt.date | None
    status: str
    version: int
    forms: list[str]
    derived: list[str]


class FormOut(Schema):
    crf: str
    data: dict[str, Any] | None
    version: int
    locked: bool
    verified: bool
    not_done_reason: str | None = None  # declared not done at the visit (holds no values)


class FormIn(Schema):
    data: dict[str, Any]
    version: int
    reason: str = ""


def _subject_out(subject: Subject) -> SubjectOut:
    return SubjectOut(
        id=subject.pk,
        screening_number=subject.screening_number,
        subject_id=subject.subject_id,
        site=subject.site.code,
        status=subject.status,
        first_infusion_date=subject.first_infusion_date,
    )


def _visit(request: HttpRequest, pk: int) -> Visit:
    visit = get_object_or_404(Visit.objects.select_related("subject__site"), pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, visit.subject)
    return visit


@api.get("/subjects", response=list[SubjectOut], summary="Subjects at the user's sites")
def list_subjects(request: HttpRequest) -> list[SubjectOut]:
    return [_subject_out(s) for s in services.visible_subjects(request.user)]


@api.get("/subjects/{pk}", response=SubjectOut)
def get_subject(request: HttpRequest, pk: int) -> SubjectOut:
    subject = get_object_or_404(Subject.objects.select_related("site"), pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, subject)
    return _subject_out(subject)


@api.get("/subjects/{pk}/eligibility", summary="The eligibility decision (I1-I5, E1-E13)")
def get_eligibility(
    request: HttpRequest, pk: int, language: Literal["en", "ja"] | None = None
) -> dict[str, Any]:
    """``decision``: the protocol layer's decision, its lines in English (unchanged).
    ``worded``: each criterion's wording, status, evidence and missing items, each line with its
    code and values, in ``language`` (``en`` or ``ja``), by default the signed-in user's (as the
    API's other texts, `UserLanguageMiddleware`), as the pages word them."""
    subject = get_object_or_404(Subject, pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, subject)
    decision = services.eligibility(subject)
    with translation.override(language or translation.get_language() or "en"):
        return {
            "decision": decision.model_dump(mode="json") if decision else None,
            "language": translation.get_language(),
            "worded": eligibility_text.worded_decision(decision) if decision else None,
        }


@api.get("/subjects/{pk}/visits", response=list[VisitOut])
def list_visits(request: HttpRequest, pk: int) -> list[VisitOut]:
    subject = get_object_or_404(Subject, pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, subject)
    return [_visit_out(visit) for visit in subject.visits.all()]


def _visit_out(visit: Visit) -> VisitOut:
    result = services.derived(visit)
    return VisitOut(
        id=visit.pk,
        code=visit.code,
        planned_date=visit.planned_date,
        window_start=visit.window_start,
        window_end=visit.window_end,
        date=visit.date,
        status=visit.status,
        version=visit.version,
        forms=sorted(visit.forms.values_list("crf", flat=True)),
        derived=result.summary_lines() if result else [],
    )


@api.get("/visits/{pk}", response=VisitOut)
def get_visit(request: HttpRequest, pk: int) -> VisitOut:
    return _visit_out(_visit(request, pk))


@api.get("/visits/{pk}/forms/{code}", response=FormOut)
def get_form(request: HttpRequest, pk: int, code: str) -> FormOut:
    visit = _visit(request, pk)
    if code not in CRF_BY_CODE:
        raise services.RuleError(f"unknown form {code!r}")
    form = FormData.objects.filter(visit=visit, crf=code).first()
    if form is None:
        return FormOut(crf=code, data=None, version=0, locked=False, verified=False)
    return FormOut(
        crf=code,
        data=form.data,
        version=form.version,
        locked=form.locked,
        verified=form.verified_at is not None,
        not_done_reason=form.not_done_reason or None,
    )


@api.put("/visits/{pk}/forms/{code}", response=FormOut, summary="Save an eCRF")
def put_form(request: HttpRequest, pk: int, code: str, payload: FormIn) -> FormOut:
    # The visit and form read once, locked, for the permission and the save, as the form
    # page's save reads them (issue 19); `save_form` would read the visit a second time.
    with transaction.atomic():
        try:
            locked = services.lock_for_save(pk, code)
        except Visit.DoesNotExist:
            raise Http404 from None
        services.require(request.user, Can.VIEW_SUBJECTS, locked.visit.subject)
        form = services.save_locked_form(
            request.user, locked, code, payload.data, payload.version, payload.reason
        )
    return FormOut(
        crf=code, data=form.data, version=form.version, locked=form.locked, verified=False
    )


# -- adverse events: their own records, every version kept (docs/record.md) --------------------


class AdverseEventOut(Schema):
    id: int
    event_id: str
    subject: int
    data: dict[str, Any]
    version: int
    visit: str | None
    recorded_at: dt.datetime
    verified: bool  # the latest version source-data verified (as a form's `verified`)


class AdverseEventIn(Schema):
    data: dict[str, Any]
    visit: int | None = None
    version: int = 0
    reason: str = ""


class VersionOut(Schema):
    number: int
    data: dict[str, Any]
    saved_at: dt.datetime
    saved_by: str
    reason: str
    visit: str | None
    audit_seq: int | None
    migrated: bool


def _event_out(event: AdverseEvent) -> AdverseEventOut:
    return AdverseEventOut(
        id=event.pk,
        event_id=event.label,
        subject=event.subject_id,
        data=event.data,
        version=event.version,
        visit=event.visit.code if event.visit else None,
        recorded_at=event.recorded_at,
        verified=event.verified_at is not None,
    )


def _event(request: HttpRequest, pk: int) -> AdverseEvent:
    event = get_object_or_404(AdverseEvent.objects.select_related("subject", "visit"), pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, event.subject)
    return event


def _event_visit(subject: Subject, pk: int | None) -> Visit | None:
    if pk is None:
        return None
    visit = Visit.objects.filter(subject=subject, pk=pk).first()
    if visit is None:
        raise services.RuleError(f"visit {pk} is not one of {subject.label}'s visits")
    return visit


@api.get("/subjects/{pk}/adverse-events", response=list[AdverseEventOut])
def list_adverse_events(request: HttpRequest, pk: int) -> list[AdverseEventOut]:
    subject = get_object_or_404(Subject, pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, subject)
    return [_event_out(e) for e in adverse_events.adverse_events(subject)]


@api.post(
    "/subjects/{pk}/adverse-events",
    response={201: AdverseEventOut},
    summary="Record an adverse event (at a visit, or between visits without one)",
)
def post_adverse_event(
    request: HttpRequest, pk: int, payload: AdverseEventIn
) -> Status[AdverseEventOut]:
    subject = get_object_or_404(Subject.objects.select_related("site"), pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, subject)
    visit = _event_visit(subject, payload.visit)
    event = adverse_events.record_adverse_event(request.user, subject, payload.data, visit)
    return Status(201, _event_out(event))


@api.get("/adverse-events/{pk}", response=AdverseEventOut)
def get_adverse_event(request: HttpRequest, pk: int) -> AdverseEventOut:
    return _event_out(_event(request, pk))


@api.put(
    "/adverse-events/{pk}",
    response=AdverseEventOut,
    summary="Save a new version of an adverse event (the version opened, and a reason)",
)
def put_adverse_event(request: HttpRequest, pk: int, payload: AdverseEventIn) -> AdverseEventOut:
    event = _event(request, pk)
    visit = _event_visit(event.subject, payload.visit)
    event = adverse_events.update_adverse_event(
        request.user, event, payload.data, payload.version, payload.reason, visit
    )
    return _event_out(AdverseEvent.objects.select_related("visit").get(pk=event.pk))


@api.get(
    "/adverse-events/{pk}/versions",
    response=list[VersionOut],
    summary="Every version of an adverse event, oldest first",
)
def list_adverse_event_versions(request: HttpRequest, pk: int) -> list[VersionOut]:
    event = _event(request, pk)
    return [VersionOut(**{**v.__dict__, "visit": v.visit or None}) for v in versions_of(event)]
