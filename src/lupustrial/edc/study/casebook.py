"""A subject's casebook as a PDF: the site's copy for archiving (issue 18).

Every form of every visit with its values, version, who saved it and its verification and
lock; every adverse event with every version; the screening data and eligibility decision;
consents; electronic signatures; every query with its answer; and a summary of the subject's
audit trail (entries per action, every correction with its reason). Pseudonymised like the
monitor's view: subject ID and screening number, never the name or medical record number
(those stay in the site's identification log).

The page is a Django template printed by the one PDF engine (`lupustrial.pdf.write_pdf`,
WeasyPrint, PDF/A); its stylesheet is a file beside the page, not inline (CSP house rule).
Each export is an EXPORT entry in the trail (`services.record_casebook_export`), with the
PDF's SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lupustrial.edc.audit.models import Action, AuditEntry
from lupustrial.edc.audit.trail import flatten
from lupustrial.edc.study import adverse_events, labels, services
from lupustrial.edc.study.crfs import CRF_BY_CODE
from lupustrial.edc.study.models import FormData, Query, RecordKind, Subject, Visit
from lupustrial.edc.study.versions import versions_by_record

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "edc" / "casebook.css"
"""The casebook's print stylesheet (A4), copied beside the page when it is printed."""


@dataclass(frozen=True)
class FieldValue:
    path: str
    value: str


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list) and not value:
        return _("none")
    return str(value)


def _label_of(path: str) -> str:
    """A dotted path as a reader names it, from the label catalogue: "C3 › Lower limit of
    normal", rows numbered from 1, the value/unit parts of a quantity left out."""
    shown = []
    for index, part in enumerate(path.split(".")):
        if part.isdigit():
            shown.append(f"#{int(part) + 1}")
        elif index and part in ("value", "unit", "recorded"):
            continue
        else:
            shown.append(str(labels.label(part)))
    return " › ".join(shown)


def form_values(data: dict[str, Any]) -> list[FieldValue]:
    """A form document as one row per entered value, labelled from the catalogue (EN/JA);
    a quantity's value and unit on one row ("61 kg")."""
    flat = flatten(data)
    rows = []
    for path, value in flat.items():
        if path.endswith(".unit") and f"{path[:-5]}.value" in flat:
            continue  # shown with its value
        # Coded values (drugs, routes, dose units) in the reader's language.
        shown = labels.value_word(path, value) if isinstance(value, str) else _shown(value)
        unit = flat.get(f"{path[:-6]}.unit") if path.endswith(".value") else None
        if unit is not None:
            shown = f"{shown} {unit}"
        rows.append(FieldValue(_label_of(path), shown))
    return rows


@dataclass(frozen=True)
class AuditSummary:
    entries: int
    first: dt.datetime | None
    last: dt.datetime | None
    by_action: list[tuple[str, int]]
    corrections: list[AuditEntry]


def audit_summary(subject: Subject) -> AuditSummary:
    """Entries per action, the first and last, and every change of saved data with its reason."""
    entries = list(services.audit_entries(subject).order_by("seq"))
    labels = dict(Action.choices)
    counts = Counter(entry.action for entry in entries)
    return AuditSummary(
        entries=len(entries),
        first=entries[0].at if entries else None,
        last=entries[-1].at if entries else None,
        by_action=[(str(labels.get(action, action)), n) for action, n in sorted(counts.items())],
        corrections=[e for e in entries if e.action in (Action.UPDATE, Action.UNLOCK)],
    )


_CRF_ORDER = {code: index for index, code in enumerate(CRF_BY_CODE)}


def _adverse_events(subject: Subject) -> list[dict[str, Any]]:
    """Each adverse event with every version, oldest first (`versions.versions_by_record`)."""
    versions = versions_by_record(subject, RecordKind.ADVERSE_EVENT)
    return [
        {
            "event": event,
            "versions": [
                {"version": v, "values": form_values(v.data)} for v in versions.get(event.pk, [])
            ],
        }
        for event in adverse_events.adverse_events(subject)
    ]


def casebook_context(subject: Subject, *, exported_by: str) -> dict[str, Any]:
    """Everything the casebook page shows, read in a fixed number of queries."""
    forms = FormData.objects.select_related("updated_by", "verified_by").prefetch_related(
        Prefetch("queries", queryset=Query.objects.select_related("raised_by"))
    )
    subject = Subject.objects.select_related("site").get(pk=subject.pk)
    visits = list(
        subject.visits.prefetch_related(Prefetch("forms", queryset=forms)).order_by("order", "id")
    )
    derived = services.derived_for_subject(subject)
    visit_pages = []
    queries: list[tuple[Visit, FormData, Query]] = []
    for visit in visits:
        saved = visit.forms.all()
        pages = []
        for form in sorted(saved, key=lambda f: _CRF_ORDER.get(f.crf, len(_CRF_ORDER))):
            queries.extend((visit, form, query) for query in form.queries.all())
            crf = CRF_BY_CODE.get(form.crf)
            if crf is None:  # a retired form (the old adverse events form): see the events
                continue
            pages.append({"form": form, "title": crf.title, "values": form_values(form.data)})
        visit_pages.append({"visit": visit, "forms": pages, "derived": derived.get(visit.pk)})
    now = timezone.localtime(timezone.now(), subject.site.zone)
    return {
        "subject": subject,
        "screening_values": form_values(subject.screening or {}),
        "decision": services.eligibility(subject),
        "consents": services.consents(subject),
        "signatures": list(subject.signatures.all()),
        "visits": visit_pages,
        "adverse_events": _adverse_events(subject),
        "queries": queries,
        "audit": audit_summary(subject),
        "exported_at": now,
        "exported_by": exported_by,
    }


def render_casebook(subject: Subject, *, exported_by: str) -> str:
    """The casebook as an HTML page (the PDF's source), in the active language."""
    return render_to_string("edc/casebook.html", casebook_context(subject, exported_by=exported_by))


def casebook_pdf(subject: Subject, *, exported_by: str) -> bytes:
    """The casebook printed to PDF/A by `lupustrial.pdf.write_pdf` (WeasyPrint)."""
    from lupustrial.pdf import write_pdf

    page = render_casebook(subject, exported_by=exported_by)
    with tempfile.TemporaryDirectory(prefix="lupustrial-casebook-") as tmp:
        html = Path(tmp) / "casebook.html"
        html.write_text(page, encoding="utf-8")
        shutil.copyfile(STYLESHEET, Path(tmp) / "casebook.css")
        footer = f"{subject.label} · {_('casebook')} · {timezone.now():%Y-%m-%d %H:%M} UTC"
        pdf = write_pdf(html, Path(tmp) / "casebook.pdf", footer_label=footer)
        return pdf.read_bytes()


def export_casebook(actor: Any, subject: Subject, *, exported_by: str) -> bytes:
    """The casebook PDF, its export recorded in the audit trail with the PDF's SHA-256."""
    services.require_casebook(actor, subject)
    data = casebook_pdf(subject, exported_by=exported_by)
    services.record_casebook_export(actor, subject, hashlib.sha256(data).hexdigest())
    return data


def file_name(subject: Subject) -> str:
    return f"casebook-{subject.label}-{timezone.now():%Y%m%dT%H%M}.pdf"
