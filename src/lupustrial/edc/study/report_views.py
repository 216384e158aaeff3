"""The study report page and the dataset download: the database's records, frozen now.

The page exports the web application's records (`edc.export.database_records`) into a
verified snapshot in a temporary directory (data cut: now, each site's date of it), renders the same
self-contained HTML report as ``lupustrial report`` from it and serves that page; with
``?download=1`` it comes as an attachment. Every request is an EXPORT entry in the audit
trail (form "report").

Who may see it: the roles that may export the study dataset (`Can.EXPORT_DATASET`:
statistician, data manager) and investigators (`Can.SIGN`, a capability only investigators
hold). No new capability: the report holds no names or medical record numbers, only subject
ids and the dataset's derived values. Dataset exporters see every site; an investigator sees
the subjects of their own sites only. The page keeps the application's navigation; its PDF
(``?format=pdf``) is the self-contained page printed by WeasyPrint, as `lupustrial report`
writes it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pydantic import ValidationError

from lupustrial.analysis.report import footer_label, render_report, write_report
from lupustrial.analysis.report_template import STYLE
from lupustrial.analysis.report_wording import LANGUAGES
from lupustrial.dataset.snapshot import SnapshotError, read_snapshot, write_snapshot
from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.export import database_records
from lupustrial.edc.study import services
from lupustrial.edc.study.views import study_view
from lupustrial.pdf import PdfUnavailableError, write_pdf

REPORT_CAPABILITIES = (Can.EXPORT_DATASET, Can.SIGN)
"""Any one of these opens the report: dataset exporters and investigators."""


def may_see_report(user: Any) -> bool:
    return any(services.may(user, capability) for capability in REPORT_CAPABILITIES)


def _sites(request: HttpRequest) -> list[str] | None:
    """None (every site) for dataset exporters; an investigator's own sites otherwise."""
    if services.may(request.user, Can.EXPORT_DATASET):
        return None
    return list(services.visible_sites(request.user).values_list("code", flat=True))


@study_view
def study_report(request: HttpRequest) -> HttpResponse:
    """The report inside the application's pages; ``?download=1`` the self-contained HTML
    file, ``?format=pdf`` the PDF (WeasyPrint, `lupustrial.pdf`). Each one an EXPORT entry."""
    if not may_see_report(request.user):
        services.require(request.user, Can.EXPORT_DATASET)  # refused: a 403 naming it
    cut = timezone.now().replace(microsecond=0)  # a moment; each site reads its own date of it
    as_pdf = request.GET.get("format") == "pdf"
    download = bool(request.GET.get("download"))
    language = _report_language()
    try:
        with tempfile.TemporaryDirectory(prefix="lupustrial-report-") as tmp:
            path = Path(tmp) / "snapshot"
            sites = _sites(request)
            write_snapshot(database_records(sites), path, cut, source="database", site_scope=sites)
            snapshot = read_snapshot(path)
            if as_pdf:
                data = _report_pdf(snapshot, Path(tmp), language)
            elif download:
                # The self-contained page, as `lupustrial report` writes it.
                page = render_report(snapshot, language=language)
            else:
                # Inside the application's page: style linked, figures as images (no inline
                # style under the CSP).
                page = render_report(
                    snapshot, stylesheet=reverse("report_css"), fragment=True, language=language
                )
    except (SnapshotError, ValidationError, ValueError) as problem:
        message = format_html(
            "<!doctype html><title>{}</title><h1>{}</h1><pre>{}</pre>",
            _("Study report"),
            _("The study report could not be built from the database."),
            str(problem),
        )
        return HttpResponse(message, status=409)
    except PdfUnavailableError as problem:
        text = _("The report PDF could not be made here: %(problem)s") % {"problem": problem}
        return HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")
    services.record_export(request.user, "report.pdf" if as_pdf else "report")
    if as_pdf:
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="study-report-{cut:%Y%m%dT%H%M}.pdf"'
        )
        return response
    if download:
        response = HttpResponse(page, content_type="text/html; charset=utf-8")
        name = f"study-report-{cut:%Y%m%dT%H%M}.html"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "edc/study_report.html", {"report": page})


def _report_language() -> str:
    """The reader's language if the report speaks it (`analysis.report_wording`), else English."""
    language = (get_language() or "en").split("-")[0]
    return language if language in LANGUAGES else "en"


def _report_pdf(snapshot: Any, directory: Path, language: str) -> bytes:
    """The self-contained report printed by the one PDF engine, as `lupustrial report` does."""
    html = write_report(snapshot, directory / "report", language=language)
    pdf = write_pdf(html, html.with_suffix(".pdf"), footer_label=footer_label(snapshot))
    return pdf.read_bytes()


@study_view
def dataset_snapshot(request: HttpRequest) -> HttpResponse:
    """The study dataset as a snapshot zip, for the statistician (`services.export_dataset`)."""
    try:
        filename, data = services.export_dataset(request.user)
    except (SnapshotError, ValidationError) as problem:
        message = format_html(
            "<!doctype html><title>{}</title><h1>{}</h1><pre>{}</pre>",
            _("Study dataset"),
            _("The study dataset could not be exported from the database."),
            str(problem),
        )
        return HttpResponse(message, status=409)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def report_css(request: HttpRequest) -> HttpResponse:
    """The report's style, linked from the served page (no inline style under the CSP)."""
    return HttpResponse(STYLE, content_type="text/css; charset=utf-8")
