"""The drug accountability page: each site's lots and counts, what does not reconcile, expiry
warnings, and the forms that record a lot received and vials dispensed, returned or destroyed.

Thin like the other pages: each form calls one service; a `ProductInputError` is shown beside
the field it names, and nothing is saved.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.pharmacy import services
from lupustrial.edc.pharmacy.models import DrugLot, MovementKind
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.views import study_view
from lupustrial.protocol import accountability as rules

DATE = forms.DateInput(attrs={"type": "date"})


class ReceiveForm(forms.Form):
    site = forms.IntegerField(widget=forms.HiddenInput)
    lot_number = forms.CharField(label=gettext_lazy("Lot number"), max_length=40)
    expiry_date = forms.DateField(label=gettext_lazy("Expiry date"), widget=DATE)
    vials = forms.IntegerField(label=gettext_lazy("Vials"), min_value=1)
    on = forms.DateField(label=gettext_lazy("Date received"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("Note"), required=False)


class MovementForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Movement"),
        choices=[(k.value, k.label) for k in MovementKind if k != MovementKind.RECEIVED],
    )
    vials = forms.IntegerField(label=gettext_lazy("Vials"), min_value=1)
    on = forms.DateField(label=gettext_lazy("Date"), widget=DATE)
    subject = forms.ChoiceField(label=gettext_lazy("Subject (dispensed)"), required=False)
    note = forms.CharField(label=gettext_lazy("Note (why returned or destroyed)"), required=False)

    def __init__(self, *args: Any, subjects: list[Subject], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((str(s.pk), s.label) for s in subjects)]
        cast(forms.ChoiceField, self.fields["subject"]).choices = choices  # declared above


def _subjects(lot: DrugLot) -> list[Subject]:
    return list(Subject.objects.filter(site=lot.site, subject_id__isnull=False))


def _show(form: forms.Form, problem: services.ProductInputError) -> None:
    form.add_error(problem.field if problem.field in form.fields else None, problem.message)


@study_view
def accountability(request: HttpRequest) -> HttpResponse:
    """Every site the user sees: lots, counts, reconciliation, expiry."""
    study.require(request.user, Can.VIEW_SUBJECTS)
    sites = services.accountability(request.user)
    forms_by_site = [
        (site, ReceiveForm(initial={"site": site.site.pk, "on": site.site.today()}))
        for site in sites
    ]
    return render(
        request,
        "edc/pharmacy.html",
        {
            "sites": forms_by_site,
            "may_manage": study.may(request.user, Can.MANAGE_PRODUCT),
            "source": services.PRODUCT.source,
        },
    )


@study_view
@require_POST
def receive(request: HttpRequest) -> HttpResponse:
    form = ReceiveForm(request.POST)
    if form.is_valid():
        site = get_object_or_404(study.visible_sites(request.user), pk=form.cleaned_data["site"])
        values = {k: v for k, v in form.cleaned_data.items() if k != "site"}
        try:
            lot = services.receive_lot(request.user, site, **values)
        except services.ProductInputError as problem:
            _show(form, problem)
        else:
            messages.success(request, _("Lot %(lot)s received.") % {"lot": lot.lot_number})
            return redirect("pharmacy")
    messages.error(request, _("Nothing was saved: %(errors)s") % {"errors": _errors(form)})
    return redirect("pharmacy")


def _errors(form: forms.Form) -> str:
    return "; ".join(
        (
            f"{form.fields[field].label if field in form.fields else ''}: "
            f"{' '.join(str(error) for error in errors)}"
        ).lstrip(": ")
        for field, errors in form.errors.items()
    )


@study_view
def lot_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One lot: its movements, and the form that records the next one."""
    lot = get_object_or_404(
        DrugLot.objects.select_related("site").filter(site__in=study.visible_sites(request.user)),
        pk=pk,
    )
    subjects = _subjects(lot)
    form = MovementForm(request.POST or None, subjects=subjects)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data.get("subject")
        subject = next((s for s in subjects if str(s.pk) == chosen), None)
        try:
            services.record_movement(
                request.user,
                lot,
                form.cleaned_data["kind"],
                form.cleaned_data["vials"],
                form.cleaned_data["on"],
                subject,
                form.cleaned_data["note"],
            )
        except services.ProductInputError as problem:
            _show(form, problem)
        else:
            messages.success(request, _("Movement recorded."))
            return redirect("pharmacy_lot", pk=lot.pk)
    movements = lot.movements.select_related("subject", "recorded_by")
    return render(
        request,
        "edc/pharmacy_lot.html",
        {
            "lot": lot,
            "movements": movements,
            "balance": rules.balance(services._movements(lot)),
            "form": form,
            "may_manage": study.may(request.user, Can.MANAGE_PRODUCT),
        },
    )
