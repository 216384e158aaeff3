"""The safety pages: the reporting rules in force, and the CTCAE term lookup the AE form uses.

Both read the protocol's declarations (`ProtocolConfig.safety`) and the shipped CTCAE v5.0;
they change nothing. CTCAE ships no Japanese names, so the Japanese page shows English terms.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lupustrial.coding import ctcae
from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.safety import services as safety
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.study import services
from lupustrial.edc.study.models import AdverseEvent
from lupustrial.edc.study.views import SignedInRequest, study_view
from lupustrial.pdf import PdfUnavailableError
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.safety.reporting import Recipient
from lupustrial.protocol.safety.seriousness import SERIOUSNESS_CRITERIA, Tier
from lupustrial.safety.report import write_report

RECIPIENTS = {
    Recipient.REVIEW_BOARD: _("certified review board (through the head of the institution)"),
    Recipient.MINISTER: _("Minister of Health, Labour and Welfare (through PMDA)"),
}
TIERS = {
    Tier.DEATH: _("death or may lead to death"),
    Tier.SERIOUS: _("other serious"),
    Tier.NON_SERIOUS: _("non-serious"),
}
EXPECTEDNESS = {"expected": _("expected"), "unexpected": _("unexpected"), None: _("either")}
SEARCH_LIMIT = 20


def _rules(japanese: bool = False) -> list[dict[str, Any]]:
    safety = DEFAULT_PROTOCOL.safety
    return [
        {
            "id": rule.id,
            "tier": TIERS[rule.tier],
            "expectedness": EXPECTEDNESS[rule.expectedness.value if rule.expectedness else None],
            "recipient": RECIPIENTS[rule.recipient],
            "days": rule.days,
            "source": rule.source,
            "confirmed": rule.confirmed,
            "note": (rule.note_ja or rule.note) if japanese else rule.note,
        }
        for rule in safety.reporting_rules
        if rule.product_status is safety.product_status
    ]


def _terms(query: str) -> list[ctcae.CtcaeTerm]:
    return ctcae.load().search(query, limit=SEARCH_LIMIT) if query.strip() else []


@study_view
def safety_rules(request: HttpRequest) -> HttpResponse:
    """The reporting table, seriousness criteria, causality and RSI, with a term lookup."""
    services.require(request.user, Can.VIEW_SUBJECTS)
    safety = DEFAULT_PROTOCOL.safety
    japanese = (get_language() or "en").startswith("ja")
    query = request.GET.get("q", "")
    return render(
        request,
        "edc/safety_rules.html",
        {
            "rules": _rules(japanese),
            "criteria": [
                {
                    "code": c.code.value,
                    "label": c.label_ja if japanese else c.label,
                    "tier": TIERS[c.tier],
                    "source": c.source,
                }
                for c in SERIOUSNESS_CRITERIA
            ],
            "causality": safety.causality,
            "rsi": safety.reference_safety_information,
            "query": query,
            "terms": _terms(query),
        },
    )


@study_view
def ctcae_lookup(request: HttpRequest) -> HttpResponse:
    """CTCAE terms matching ``q`` with their MedDRA codes and grade definitions (a fragment)."""
    services.require(request.user, Can.VIEW_SUBJECTS)
    query = request.GET.get("q", "")
    return render(request, "edc/_ctcae_terms.html", {"query": query, "terms": _terms(query)})


# -- reports: list, submission, downloads ------------------------------------------------------


class SubmissionForm(forms.Form):
    submitted_to = forms.CharField(max_length=200, label=gettext_lazy("Submitted to"))
    submitted_on = forms.DateField(
        label=gettext_lazy("Submitted on (site date)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _report(request: HttpRequest, pk: int) -> SafetyReport:
    report = get_object_or_404(SafetyReport.objects.select_related("subject__site"), pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, report.subject)
    return report


@study_view
def safety_reports(request: SignedInRequest) -> HttpResponse:
    """The open reporting clocks of the recorded events, and every report of the subjects the
    user sees: deadline, days left, submission."""
    rows = [
        {**safety.due_item(r), "form": SubmissionForm(prefix=str(r.pk))}
        for r in safety.visible_reports(request.user)
    ]
    clocks = safety.open_clocks_for(request.user)
    return render(request, "edc/safety_reports.html", {"rows": rows, "clocks": clocks})


@study_view
@require_POST
def event_report(request: SignedInRequest, pk: int) -> HttpResponse:
    """Generate the report of a recorded adverse event under the rule posted (the
    investigator); a follow-up names the report it follows."""
    record = get_object_or_404(AdverseEvent.objects.select_related("subject__site"), pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, record.subject)
    rule = request.POST.get("rule", "")
    follows = None
    if request.POST.get("follows", "").isdigit():
        follows = SafetyReport.objects.filter(
            pk=int(request.POST["follows"]), subject=record.subject
        ).first()
    try:
        report = safety.generate_event_report(request.user, record, rule, follows=follows)
    except safety.SafetyInputError as refused:
        messages.error(request, f"{refused.field}: {refused.message}")
        if request.POST.get("back") == "event":  # a fixed choice: never a posted address
            return redirect("adverse_event", pk=record.pk)
        return redirect("safety_reports")
    messages.success(request, gettext("Report %(number)s generated.") % {"number": report.number})
    return redirect(f"{reverse('safety_reports')}#report-{report.pk}")


@study_view
@require_POST
def report_submission(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record a report's submission (the investigator); a refusal names the field."""
    report = _report(request, pk)
    form = SubmissionForm(request.POST, prefix=str(report.pk))
    if not form.is_valid():
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(str(problem) for problem in problems)}")
        return redirect("safety_reports")
    try:
        safety.record_submission(
            request.user,
            report,
            form.cleaned_data["submitted_to"],
            form.cleaned_data["submitted_on"],
        )
    except safety.SafetyInputError as refused:
        label = form.fields[refused.field].label if refused.field in form.fields else refused.field
        messages.error(request, f"{label}: {refused.message}")
    else:
        messages.success(
            request, gettext("Submission of %(number)s recorded.") % {"number": report.number}
        )
    return redirect("safety_reports")


@study_view
def report_download(request: SignedInRequest, pk: int, what: str) -> HttpResponse:
    """The report as generated: its JSON document, or printed to PDF (the one PDF engine)."""
    report = _report(request, pk)
    if what not in ("json", "pdf"):
        raise Http404(what)
    name = report.number.replace("/", "_")
    if what == "json":
        body = json.dumps(report.document, ensure_ascii=False, indent=2).encode("utf-8")
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        with tempfile.TemporaryDirectory(prefix="lupustrial-safety-") as tmp:
            try:
                write_report(report.document, Path(tmp), pdf=True)
            except PdfUnavailableError as problem:
                return HttpResponse(str(problem), status=503, content_type="text/plain")
            body = (Path(tmp) / "report.pdf").read_bytes()
        response = HttpResponse(body, content_type="application/pdf")
    safety.record_download(request.user, report, what)
    response["Content-Disposition"] = f'attachment; filename="{name}.{what}"'
    return response
