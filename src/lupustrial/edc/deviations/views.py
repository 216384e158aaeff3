"""The deviation log's pages: the list with suggested deviations, record, change and close.

Thin like the study's pages: each reads a form, calls one service, and shows the result; a
`DeviationInputError` is shown beside the field it names, and nothing is saved.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.deviations import finding_text, services
from lupustrial.edc.deviations.models import Deviation
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.views import _at_site, posted_version, study_view
from lupustrial.protocol.config import DEFAULT_PROTOCOL

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})
SERIOUS = [("", "—"), ("yes", gettext_lazy("serious")), ("no", gettext_lazy("not serious"))]


def category_label(code: str) -> str:
    """The declared category's name in the page's language."""
    declared = DEFAULT_PROTOCOL.deviations.category(code)
    return declared.label_ja if (get_language() or "en").startswith("ja") else declared.label


def _categories() -> list[tuple[str, str]]:
    return [
        (c.code.value, category_label(c.code.value)) for c in DEFAULT_PROTOCOL.deviations.categories
    ]


class DeviationForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=())
    occurred_on = forms.DateField(label=gettext_lazy("Date it happened"), widget=DATE)
    description = forms.CharField(label=gettext_lazy("What happened"), widget=TEXT)
    serious = forms.ChoiceField(label=gettext_lazy("Serious"), choices=SERIOUS)
    corrective_action = forms.CharField(
        label=gettext_lazy("Corrective action"), widget=TEXT, required=False
    )
    preventive_action = forms.CharField(
        label=gettext_lazy("Preventive action"), widget=TEXT, required=False
    )
    reported_to_board_on = forms.DateField(
        label=gettext_lazy("Reported to the review board on"), widget=DATE, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = _categories()  # declared above

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["serious"] = {"yes": True, "no": False}.get(data["serious"])
        return data


class ChangeForm(DeviationForm):
    reason = forms.CharField(label=gettext_lazy("Reason for change"))


def _show(form: forms.Form, problem: services.DeviationInputError) -> None:
    field = problem.field if problem.field in form.fields else None
    form.add_error(field, problem.message)


@study_view
def deviation_list(request: HttpRequest) -> HttpResponse:
    """Every deviation of the subjects the user sees, open first, and the suggestions."""
    study.require(request.user, Can.VIEW_SUBJECTS)
    deviations = sorted(services.visible_deviations(request.user), key=lambda d: d.closed)
    return render(
        request,
        "edc/deviations.html",
        {
            "deviations": [(d, category_label(d.category)) for d in deviations],
            "suggestions": [
                (s, category_label(s.category.value), finding_text.finding(s))
                for s in services.pending(request.user)
            ],
            "decided": [
                # the day of the decision at the subject's site, like the log's dates
                (d, finding_text.decided(d), d.decided_at.astimezone(d.subject.site.zone).date())
                for d in services.visible_decisions(request.user)
            ],
            "may_record": study.may(request.user, Can.RECORD_DEVIATION),
            "categories": DEFAULT_PROTOCOL.deviations.categories,
            "japanese": (get_language() or "en").startswith("ja"),
        },
    )


@study_view
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a deviation of one subject."""
    subject = get_object_or_404(Subject.objects.select_related("site"), pk=pk)
    study.require(request.user, Can.RECORD_DEVIATION, subject)
    form = DeviationForm(request.POST or None)
    if not study.may(request.user, Can.CLOSE_DEVIATION, subject):
        del form.fields["reported_to_board_on"]
    if request.method == "POST" and form.is_valid():
        try:
            deviation = services.record_deviation(request.user, subject, **form.values())
        except services.DeviationInputError as problem:
            _show(form, problem)
        else:
            messages.success(request, _("Deviation %(n)s recorded.") % {"n": deviation.number})
            return redirect("deviation", pk=deviation.pk)
    return render(
        request,
        "edc/simple_form.html",
        {"form": form, "subject": subject, "title": _("Record a deviation")},
    )


@study_view
def deviation_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One deviation: change it (with a reason) or close it."""
    deviation = get_object_or_404(Deviation.objects.select_related("subject__site"), pk=pk)
    subject = deviation.subject
    study.require(request.user, Can.VIEW_SUBJECTS, subject)
    _at_site(subject.site)  # recorded and closed times read in the site's time zone
    may_change = not deviation.closed and study.may(request.user, Can.RECORD_DEVIATION, subject)
    may_close = not deviation.closed and study.may(request.user, Can.CLOSE_DEVIATION, subject)
    initial = {
        "category": deviation.category,
        "occurred_on": deviation.occurred_on,
        "description": deviation.description,
        "serious": "yes" if deviation.serious else "no",
        "corrective_action": deviation.corrective_action,
        "preventive_action": deviation.preventive_action,
        "reported_to_board_on": deviation.reported_to_board_on,
    }
    form = ChangeForm(request.POST or None, initial=initial) if may_change else None
    if form is not None and not may_close:
        del form.fields["reported_to_board_on"]
    if request.method == "POST" and form is not None and form.is_valid():
        values = form.values()
        reason = values.pop("reason")
        try:
            services.update_deviation(
                request.user,
                deviation,
                posted_version(request),
                reason,
                **values,
            )
        except services.DeviationInputError as problem:
            _show(form, problem)
        else:
            messages.success(request, _("Deviation %(n)s changed.") % {"n": deviation.number})
            return redirect("deviation", pk=pk)
    return render(
        request,
        "edc/deviation.html",
        {
            "deviation": deviation,
            "subject": subject,
            "category": category_label(deviation.category),
            "form": form,
            "may_close": may_close,
        },
    )


@study_view
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = get_object_or_404(Deviation.objects.select_related("subject"), pk=pk)
    try:
        services.close_deviation(request.user, deviation, posted_version(request))
    except services.DeviationInputError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Deviation %(n)s closed.") % {"n": deviation.number})
    return redirect("deviation", pk=pk)


@study_view
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    """Confirm a suggested deviation (it enters the log) or dismiss it with a reason."""
    key = request.POST.get("key", "")
    try:
        if request.POST.get("decision") == "confirm":
            serious = {"yes": True, "no": False}.get(request.POST.get("serious", ""))
            deviation = services.confirm_suggestion(request.user, key, serious=serious)
            messages.success(request, _("Deviation %(n)s recorded.") % {"n": deviation.number})
            return redirect("deviation", pk=deviation.pk)
        services.dismiss_suggestion(request.user, key, request.POST.get("reason", ""))
        messages.success(request, _("Suggestion dismissed."))
    except services.DeviationInputError as problem:
        messages.error(request, f"{problem.field}: {problem.message}")
    return redirect("deviations")
