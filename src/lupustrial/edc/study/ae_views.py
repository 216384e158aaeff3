"""The adverse event pages: record one (at a visit or between visits), change it, its history.

Thin like `views.py`: the form's fields come from the protocol layer's model
(`protocol.crfs.AdverseEvent`, through `schema_forms.FormPlan`), and every save goes through
`adverse_events`, which checks, audits and keeps the version.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.study import adverse_events, labels, services
from lupustrial.edc.study.models import AdverseEvent, Subject, Visit
from lupustrial.edc.study.schema_forms import FormPlan
from lupustrial.edc.study.versions import versions_of
from lupustrial.edc.study.views import (
    _sections,
    _show_problem,
    _shown,
    _subject,
    posted_version,
    study_view,
)
from lupustrial.protocol.crfs import AdverseEvent as AdverseEventForm

_PLAN = FormPlan(AdverseEventForm, help_texts=labels.ADVERSE_EVENT_OWN_HELP)


def _visit_of(request: HttpRequest, subject: Subject) -> Visit | None:
    """The visit named by ``?visit=`` (or the posted field), one of the subject's; None:
    between visits."""
    pk = request.POST.get("visit") or request.GET.get("visit") or ""
    if not pk.isdigit():
        return None
    return Visit.objects.filter(subject=subject, pk=int(pk)).first()


def _render(request: HttpRequest, subject: Subject, context: dict[str, Any]) -> HttpResponse:
    return render(
        request,
        "edc/adverse_event.html",
        {
            "subject": subject,
            "editable": services.may(request.user, Can.ENTER_DATA, subject)
            and not subject.casebook_locked,
            "may_verify": services.may(request.user, Can.VERIFY, subject),
            **context,
        },
    )


@study_view
def adverse_event_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a new adverse event of the subject, at a visit (``?visit=``) or between visits."""
    subject = _subject(request, pk)
    visit = _visit_of(request, subject)
    form_class = _PLAN.form_class()
    form = form_class(request.POST or None, initial=_PLAN.initial(None))
    if request.method == "POST":
        validated = _PLAN.validate(form)
        if validated is not None:
            try:
                event = adverse_events.record_adverse_event(
                    request.user,
                    subject,
                    validated.model_dump(mode="json", exclude_none=True),
                    visit=visit,
                )
            except services.RuleError as problem:
                _show_problem(form, problem)
            else:
                messages.success(
                    request, _("Adverse event %(event)s recorded.") % {"event": event.label}
                )
                return redirect("adverse_event", pk=event.pk)
    return _render(
        request,
        subject,
        {"event": None, "visit": visit, "form": form, "sections": _sections(form, _PLAN)},
    )


@study_view
def adverse_event_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One adverse event: its latest version to change (with a reason) and every version."""
    event = get_object_or_404(
        AdverseEvent.objects.select_related("subject__site", "visit", "updated_by", "verified_by"),
        pk=pk,
    )
    subject = _shown(request, event.subject)
    visit = _visit_of(request, subject)
    form_class = _PLAN.form_class()
    form = form_class(initial=_PLAN.initial(event.data))
    if request.method == "POST":
        form = form_class(request.POST)
        validated = _PLAN.validate(form)
        if validated is not None:
            try:
                adverse_events.update_adverse_event(
                    request.user,
                    event,
                    validated.model_dump(mode="json", exclude_none=True),
                    version=posted_version(request),
                    reason=request.POST.get("reason", ""),
                    visit=visit,
                )
            except (services.RuleError, services.ConflictError) as problem:
                _show_problem(form, problem)
            else:
                messages.success(request, _("Adverse event saved."))
                return redirect("adverse_event", pk=pk)
    return _render(
        request,
        subject,
        {
            "event": event,
            "visit": visit,
            "form": form,
            "sections": _sections(form, _PLAN),
            "versions": list(reversed(versions_of(event))),
            "version": request.POST.get("version", event.version),
        },
    )


@study_view
@require_POST
def adverse_event_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The monitor's source-data verification of the version the page showed."""
    event = get_object_or_404(AdverseEvent.objects.select_related("subject"), pk=pk)
    try:
        adverse_events.verify_adverse_event(request.user, event, posted_version(request))
    except (services.RuleError, services.ConflictError) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Source data verified."))
    return redirect("adverse_event", pk=pk)
