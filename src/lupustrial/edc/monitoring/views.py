"""The monitoring pages: SDV progress, query ageing and the visit log; one visit with its
findings, each a note, a data query or a deviation.

Thin like the other pages: each form calls one service; a `MonitoringInputError` is shown
beside the field it names, and nothing is saved.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.deviations.views import SERIOUS, _categories
from lupustrial.edc.monitoring import services
from lupustrial.edc.monitoring.models import FindingAction, MonitoringVisit, VisitKind
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import FormData, Subject
from lupustrial.edc.study.views import study_view

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


class VisitForm(forms.Form):
    site = forms.IntegerField(widget=forms.HiddenInput)
    visited_on = forms.DateField(label=gettext_lazy("Date of the visit"), widget=DATE)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of visit"), choices=VisitKind.choices)
    subjects = forms.MultipleChoiceField(
        label=gettext_lazy("Subjects reviewed"), required=False, choices=()
    )
    summary = forms.CharField(label=gettext_lazy("Summary"), widget=TEXT)
    follow_up = forms.CharField(label=gettext_lazy("Follow-up agreed"), widget=TEXT, required=False)

    def __init__(self, *args: Any, subjects: list[Subject], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        subjects_field = cast(forms.MultipleChoiceField, self.fields["subjects"])  # declared above
        subjects_field.choices = [(str(s.pk), s.label) for s in subjects]


class FindingForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Finding"), widget=TEXT)
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=FindingAction.choices)
    subject = forms.ChoiceField(label=gettext_lazy("Subject"), required=False, choices=())
    form = forms.ChoiceField(label=gettext_lazy("Form (data query)"), required=False, choices=())
    category = forms.ChoiceField(label=gettext_lazy("Category (deviation)"), required=False)
    occurred_on = forms.DateField(
        label=gettext_lazy("Date it happened (deviation)"), widget=DATE, required=False
    )
    serious = forms.ChoiceField(label=gettext_lazy("Serious (deviation)"), choices=SERIOUS,
                                required=False)  # fmt: skip

    def __init__(
        self, *args: Any, subjects: list[Subject], saved: list[FormData], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # Declared above as choice fields; `fields` is typed with their base class.
        subject, form = (cast(forms.ChoiceField, self.fields[n]) for n in ("subject", "form"))
        subject.choices = [("", "—"), *((str(s.pk), s.label) for s in subjects)]
        form.choices = [
            ("", "—"),
            *((str(f.pk), f"{f.visit.subject.label} {f.visit.code} {f.crf}") for f in saved),
        ]
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", "—"), *_categories()]


def _site_subjects(request: HttpRequest, site_pk: int) -> list[Subject]:
    return list(
        study.visible_subjects(request.user).filter(site_id=site_pk, subject_id__isnull=False)
    )


def _show(form: forms.Form, problem: services.MonitoringInputError) -> None:
    form.add_error(problem.field if problem.field in form.fields else None, problem.message)


@study_view
def monitoring(request: HttpRequest) -> HttpResponse:
    """SDV progress per subject and site, query ageing, the visit log and the next visit due."""
    sites = services.overview(request.user)
    may_log = study.may(request.user, Can.LOG_MONITORING)
    posted = request.POST if request.method == "POST" else None
    rows = []
    for site in sites:
        subjects = [s for s, _progress in site.subjects]
        mine = posted is not None and posted.get("site") == str(site.site.pk)
        form = VisitForm(
            posted if mine else None,
            subjects=subjects,
            initial={"site": site.site.pk, "visited_on": site.site.today()},
        )
        if mine and form.is_valid():
            chosen = [s for s in subjects if str(s.pk) in form.cleaned_data["subjects"]]
            try:
                services.log_visit(
                    request.user, site.site, visited_on=form.cleaned_data["visited_on"],
                    kind=form.cleaned_data["kind"], summary=form.cleaned_data["summary"],
                    follow_up=form.cleaned_data["follow_up"], subjects=chosen,
                )  # fmt: skip
            except services.MonitoringInputError as problem:
                _show(form, problem)
            else:
                messages.success(request, _("Monitoring visit logged."))
                return redirect("monitoring")
        rows.append((site, form))
    return render(
        request,
        "edc/monitoring.html",
        {"sites": rows, "may_log": may_log, "plan": services.PLAN},
    )


@study_view
def visit_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One monitoring visit, its findings with the query or deviation each became."""
    visit = get_object_or_404(
        MonitoringVisit.objects.select_related("site", "monitor").filter(
            site__in=study.visible_sites(request.user)
        ),
        pk=pk,
    )
    subjects = _site_subjects(request, visit.site_id)
    saved = list(
        FormData.objects.filter(visit__subject__in=subjects).select_related("visit__subject")
    )
    form = FindingForm(request.POST or None, subjects=subjects, saved=saved)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subject = next((s for s in subjects if str(s.pk) == data["subject"]), None)
        crf = next((f for f in saved if str(f.pk) == data["form"]), None)
        try:
            services.add_finding(
                request.user, visit, text=data["text"], action=data["action"],
                subject=subject, form=crf, category=data["category"],
                occurred_on=data["occurred_on"],
                serious={"yes": True, "no": False}.get(data["serious"]),
            )  # fmt: skip
        except services.MonitoringInputError as problem:
            _show(form, problem)
        except study.RuleError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Finding recorded."))
            return redirect("monitoring_visit", pk=visit.pk)
    return render(
        request,
        "edc/monitoring_visit.html",
        {
            "visit": visit,
            "findings": visit.findings.select_related("subject", "query", "deviation"),
            "form": form,
            "may_log": study.may(request.user, Can.LOG_MONITORING),
        },
    )
