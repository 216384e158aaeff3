"""The study's pages. Thin: each reads a form, calls one service, and shows the result.

Permissions are the services' business (`services.require`); a page only turns
`NotAllowedError` into 403, `ConflictError` into a message that the form was saved by someone
else, and `RuleError` into a message beside the form.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Hashable
from functools import lru_cache, wraps
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lupustrial.clinical.assessment import AssessmentResult
from lupustrial.clinical.sledai2k import DESCRIPTORS, Descriptor, score_sledai2k
from lupustrial.edc.accounts.context import staff
from lupustrial.edc.accounts.models import Site
from lupustrial.edc.accounts.roles import SITE_ROLES, Can
from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.spreadsheet import write_rows
from lupustrial.edc.study import labels, record_rows, services
from lupustrial.edc.study.by_trail import ByTrail, subject_head
from lupustrial.edc.study.by_version import ByVersion
from lupustrial.edc.study.crfs import CRF_BY_CODE, CRFS, Crf
from lupustrial.edc.study.models import (
    AdverseEvent,
    FormData,
    Query,
    Subject,
    SubjectStatus,
    Visit,
    WithdrawalScope,
)
from lupustrial.edc.study.not_done import set_form_not_done
from lupustrial.edc.study.schema_forms import RECORDED, FormPlan, row_counts
from lupustrial.edc.study.screening_help import SCREENING_HELP
from lupustrial.edc.study.worklists import StudyReads, worklists
from lupustrial.protocol.completeness import completeness
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from lupustrial.protocol.consent import version_in_force
from lupustrial.protocol.crfs import VisitForms, sledai_input
from lupustrial.protocol.eligibility import ScreeningDecision
from lupustrial.protocol.screening import SCREENING_SECTIONS, ScreeningRecord

View = Callable[..., HttpResponseBase]


class SignedInRequest(HttpRequest):
    """The request a `study_view` is given: login_required let only a signed-in account in."""

    user: User


def study_view(view: View) -> View:
    """Login required; a refused permission is a 403 page, never a traceback."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except services.NotAllowedError as denied:
            raise PermissionDenied(str(denied)) from denied

    return wrapper


def _subject(request: HttpRequest, pk: int) -> Subject:
    # The name, for those who may see it, read with the subject: subject pages show it.
    related = ["site", *(["identity"] if _shows_identity(request) else [])]
    return _shown(request, get_object_or_404(Subject.objects.select_related(*related), pk=pk))


def _shown(request: HttpRequest, subject: Subject) -> Subject:
    """The subject, once the user may view it, its page's date-times in its site's zone."""
    services.require(request.user, Can.VIEW_SUBJECTS, subject)
    _at_site(subject.site)
    return subject


def _at_site(site: Site) -> None:
    """Show and read date-times on this page in the subject's site's time zone.

    The middleware (`SiteTimeZoneMiddleware`) ends the activation with the request.
    """
    timezone.activate(site.zone)


def _shows_identity(request: HttpRequest) -> bool:
    profile = getattr(request.user, "staff", None)
    return profile is not None and profile.role in SITE_ROLES


def _show_problem(form: forms.Form, problem: Exception) -> None:
    """A refusal beside the form: at its field when it names one of the form's fields."""
    field = getattr(problem, "field", None)
    form.add_error(field if field in form.fields else None, str(problem))


# -- home -----------------------------------------------------------------------------------


@study_view
def home(request: HttpRequest) -> HttpResponse:
    profile = services.profile_of(request.user)
    context: dict[str, Any] = {"target": DEFAULT_PROTOCOL.target_recruitment}
    if profile.can(Can.VIEW_SUBJECTS):
        show_identity = _shows_identity(request)
        # The lists are kept until the audit trail moves or a site's day turns (issue 19):
        # one read of the trail's head instead of a dozen of the study's tables.
        context.update(
            DASHBOARDS.get(_scope(request), lambda: _dashboard(request.user, show_identity))
        )
        context["sites"] = profile.site_list
    return render(request, "edc/home.html", context)


def _scope(request: HttpRequest) -> tuple[Any, ...]:
    """Whose page a kept page is: the user, their role and sites, whether they see names, and
    the language it is read in (`by_trail`)."""
    profile = services.profile_of(request.user)
    return (
        request.user.pk,
        profile.role,
        tuple((site.pk, site.time_zone) for site in profile.site_list),
        _shows_identity(request),
        get_language(),
    )


DASHBOARDS: ByTrail[dict[str, Any]] = ByTrail(256)
"""Each user's dashboard lists at the trail's head (`by_trail`): one entry per user and
language, at most 256 in a worker."""


def _dashboard(user: Any, show_identity: bool) -> tuple[dict[str, Any], set[str]]:
    """The dashboard's lists of the subjects the user sees, and the site time zones whose
    dates they were made on."""
    # Imported here: the deviation app reads the study's models and services.
    from lupustrial.edc.deviations import finding_text
    from lupustrial.edc.deviations import services as deviations

    profile = services.profile_of(user)
    # One read of the subjects the user sees, with their names, visits, forms, consents,
    # signatures and open deviations: every list below is made from it (issue 19).
    subjects = list(
        services.visible_subjects(user)
        .select_related(*(["identity"] if show_identity else []))
        .prefetch_related(*services.SUBJECT_RECORD)
        .annotate(open_deviations=deviations.open_deviation_count())
    )
    active = [s for s in subjects if s.status == SubjectStatus.ENROLLED]
    not_enrolled = {SubjectStatus.SCREENING, SubjectStatus.SCREEN_FAILED}
    lists = {
        "subjects": subjects,
        "enrolled": sum(subject.status not in not_enrolled for subject in subjects),
        "work": worklists(user, reads=StudyReads.of(subjects)),
        "show_identity": show_identity,
        "consent_due": services.due_to_consent_again_subjects(user, active),
        "consent_in_force": version_in_force(DEFAULT_PROTOCOL.consent_forms).number,
        "suggested_deviations": [
            (s, finding_text.finding(s)) for s in deviations.pending(user, subjects)
        ],
        "open_deviations": sum(s.open_deviations for s in subjects),
    }
    zones = {site.time_zone for site in profile.site_list}
    zones.update(subject.site.time_zone for subject in subjects)
    return lists, zones


# -- screening --------------------------------------------------------------------------------


class CandidateForm(forms.Form):
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Site")
    )
    screening_number = forms.CharField(max_length=20, label=gettext_lazy("Screening number"))
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    medical_record_number = forms.CharField(
        max_length=40, label=gettext_lazy("Medical record number")
    )


@study_view
def register(request: HttpRequest) -> HttpResponse:
    services.require(request.user, Can.SCREEN)
    form = CandidateForm(request.POST or None)
    site_field = cast("forms.ModelChoiceField[Site]", form.fields["site"])  # CandidateForm.site
    site_field.queryset = services.visible_sites(request.user)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.register_candidate(request.user, **form.cleaned_data)
        except services.DuplicateRecordError as problem:
            form.add_error(None, str(problem))
            existing = problem.existing
        except services.RuleError as problem:
            _show_problem(form, problem)
        else:
            return redirect("screening", pk=subject.pk)
    return render(request, "edc/register.html", {"form": form, "existing": existing})


def _screening_plan(data: dict[str, Any] | None) -> FormPlan:
    return FormPlan(
        ScreeningRecord,
        exclude=("screening_id", "consent"),
        rows=row_counts(ScreeningRecord, data),
        help_texts=SCREENING_HELP,
    )


@study_view
def screening(request: HttpRequest, pk: int) -> HttpResponse:
    """The screening form with the eligibility decision beside it, updated on every save."""
    subject = _subject(request, pk)
    editable = services.may(request.user, Can.SCREEN, subject)
    plan = _screening_plan(subject.screening)
    form_class = plan.form_class()
    form = form_class(initial=plan.initial(subject.screening))
    if request.method == "POST":
        services.require(request.user, Can.SCREEN, subject)
        form = form_class(request.POST)
        validated = plan.validate(form, {"screening_id": subject.screening_number})
        if validated is not None:
            try:
                services.save_screening(
                    request.user,
                    subject,
                    validated.model_dump(mode="json", exclude_none=True),
                    version=posted_version(request),
                    reason=request.POST.get("reason", ""),
                )
            except (services.RuleError, services.ConflictError) as problem:
                _show_problem(form, problem)
            else:
                messages.success(request, _("Screening data saved."))
                return redirect("screening", pk=subject.pk)
    editable = editable and not subject.casebook_locked
    if not editable:
        # Read-only readers (monitor, locked casebook) see the same form, every field disabled.
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "edc/screening.html",
        {
            "subject": subject,
            "form": form,
            "groups": _screening_groups(form, plan),
            "decision": services.eligibility(subject),
            "editable": editable,
            "needs_reason": subject.screening is not None,
            "version": request.POST.get("version", subject.screening_version),
        },
    )


_SECTION_TITLES = {
    "demographics": gettext_lazy("Demographics"),
    "classification": gettext_lazy("Classification"),
    "history": gettext_lazy("History"),
    "labs": gettext_lazy("Laboratory results"),
    "exclusions": gettext_lazy("Exclusions"),
}
SCREENING_GROUPS: tuple[tuple[str, Any, tuple[str, ...]], ...] = tuple(
    (key, _SECTION_TITLES[key], parts) for key, parts in SCREENING_SECTIONS
)
"""The screening form's five sections; a part not named here goes to the last one."""


def _screening_groups(form: forms.Form, plan: FormPlan) -> list[dict[str, Any]]:
    """The screening form's sections, each with its parts and whether it holds an error."""
    named = {part for _, _, parts in SCREENING_GROUPS for part in parts}
    groups = []
    for key, title, parts in SCREENING_GROUPS:
        chosen = [p for p in plan.sections if p in parts or (not parts and p not in named)]
        chosen.sort(key=lambda p: parts.index(p) if p in parts else len(parts))
        sections = [(str(labels.label(p)), _part_rows(form, plan, p)) for p in chosen]
        has_error = any(form[path].errors for p in chosen for path in plan.sections[p])
        groups.append({"key": key, "title": title, "sections": sections, "error": has_error})
    return groups


SCREENING_SLEDAI = "screening_sledai2k"


def _part_rows(form: forms.Form, plan: FormPlan, part: str) -> list[dict[str, Any]]:
    """A screening part's rows; the screening SLEDAI-2K's descriptors as the visit form's
    table (one template, `_sledai_table.html`: organ systems and weights), its date and
    laboratory results as rows below it."""
    paths = plan.sections[part]
    if part != SCREENING_SLEDAI:
        return _rows(form, paths)
    prefix = f"{SCREENING_SLEDAI}."
    descriptors = {prefix + d.code for d in DESCRIPTORS}
    table = _sledai_rows(form, prefix)
    rest = _rows(form, [path for path in paths if path not in descriptors])
    return [{"sledai": {"groups": table["sledai_groups"], "rows": rest}}]


def _sections(form: forms.Form, plan: FormPlan) -> list[tuple[str, list[dict[str, Any]]]]:
    """A generated form's sections as rows a person reads: labels from the catalogue, a
    quantity's value and unit on one row, and a list as a table of rows (`_form_sections`)."""
    return [(str(labels.label(name)), _rows(form, paths)) for name, paths in plan.sections.items()]


_ROW = re.compile(r"^(?P<list>.*?)\.(?P<index>\d+)\.(?P<column>.+)$")


def _rows(form: forms.Form, paths: list[str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    grids: dict[str, dict[str, Any]] = {}

    def grid(name: str) -> dict[str, Any]:
        if name not in grids:
            grids[name] = {"name": name, "recorded": None, "columns": [], "rows": {}}
            items.append({"grid": grids[name]})
        return grids[name]

    for path in paths:
        if path.endswith(f".{RECORDED}"):
            grid(path.removesuffix(f".{RECORDED}"))["recorded"] = form[path]
            continue
        match = _ROW.match(path)
        if match:
            table = grid(match["list"])
            column = match["column"]
            if column.endswith(".unit"):
                continue  # shown beside its value
            if column not in table["columns"]:
                table["columns"].append(column)
            unit = path.removesuffix(".value") + ".unit" if path.endswith(".value") else None
            cell = {"field": form[path], "unit": form[unit] if unit in form.fields else None}
            table["rows"].setdefault(match["index"], []).append(cell)
            continue
        if path.endswith(".unit") and path.removesuffix(".unit") + ".value" in form.fields:
            continue
        unit = path.removesuffix(".value") + ".unit" if path.endswith(".value") else None
        items.append({"field": form[path], "unit": form[unit] if unit in form.fields else None})
    for table in grids.values():
        table["headers"] = [labels.label(column) for column in table["columns"]]
        table["rows"] = [_table_row(cells) for _, cells in sorted(table["rows"].items())]
    return items


def _table_row(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """One row of a list table; a blank one is hidden until "Add a row" shows it."""
    blank = all(not cell["field"].value() for cell in cells) and not any(
        cell["field"].errors for cell in cells
    )
    return {"cells": cells, "blank": blank}


@study_view
@require_POST
def screen_failure(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    try:
        services.record_screen_failure(request.user, subject, request.POST.get("note", ""))
    except services.RuleError as problem:
        messages.error(request, str(problem))
    return redirect("subject", pk=pk)


# -- the subject --------------------------------------------------------------------------------


@study_view
def subject_page(request: HttpRequest, pk: int) -> HttpResponse:
    # Kept until the subject's part of the audit trail moves or the site's day turns, like
    # the dashboard (issue 19): other subjects' changes and sign-ins leave it kept.
    # The URL prefix is part of the scope: the content kept holds the page's links.
    context = SUBJECT_PAGES.get(
        (pk, *_scope(request), get_script_prefix()),
        lambda: _subject_context(request, pk),
        lambda: subject_head(pk),
    )
    _shown(request, context["subject"])  # a kept page is checked too
    # One token for the whole page, as the template's own {% csrf_token %} would give.
    token = get_token(request)
    content = mark_safe(context["content"].replace(CSRF_MARK, token))
    return render(request, "edc/subject.html", {**context, "content": content, "csrf_token": token})


SUBJECT_PAGES: ByTrail[dict[str, Any]] = ByTrail(1024)
"""Subject pages as each user reads them at the subject's latest trail entries
(`by_trail.subject_head`): the context, and the page's content rendered from it."""

CSRF_MARK = f"csrf-mark-{secrets.token_hex(16)}"
"""Stands for the CSRF token in a kept page's content (`edc/_subject.html`): each request
puts its own in its place. Letters and digits, as a token is (HTML-escaping leaves both
unchanged), and unguessable, so no text entered can contain it."""


def _subject_context(request: HttpRequest, pk: int) -> tuple[dict[str, Any], set[str]]:
    """What the subject page shows, and the site time zone whose date it was made on."""
    subject, events = _subject_record(request, pk)
    scored = services.scored_visits(subject)
    visits = list(subject.visits.all())
    today = subject.site.today()
    decision, decided_on = services.kept_eligibility(subject)
    context = {
        "subject": subject,
        "identity": getattr(subject, "identity", None) if _shows_identity(request) else None,
        "decision": decision,
        "decision_panel": _decision_panel(decision, decided_on),
        "consent": services.first_consent(subject),
        "consents": services.consents(subject),
        "consent_due": services.consent_due_again(subject),
        "consent_in_force": version_in_force(DEFAULT_PROTOCOL.consent_forms).number,
        "signatures": list(subject.signatures.all()),
        "needs_signature": subject.subject_id is not None
        and services.active_signature(subject) is None,
        "visits": visits,
        "visit_rows": [_visit_row(visit, scored.get(visit.pk), today) for visit in visits],
        # Read only for those who may lock (the data manager): one query, not for every reader.
        "lock_warning": _lock_warning(subject)
        if not subject.casebook_locked and services.may(request.user, Can.LOCK, subject)
        else "",
        "adverse_events": events,
    }
    # The content, rendered once per kept page (issue 19: about 1 ms of template on every
    # view, kept or derived): what the template reads is this context, the role's menus
    # (`can`, from the role in the scope), the language and URL prefix (in the scope) and the
    # site's time zone (activated by `_subject_record`); the CSRF token is put in per request.
    context["content"] = render_to_string(
        "edc/_subject.html", {**context, "can": staff(request)["can"], "csrf_token": CSRF_MARK}
    )
    return context, {subject.site.time_zone}


def _subject_record(request: HttpRequest, pk: int) -> tuple[Subject, list[AdverseEvent]]:
    """The subject as `_subject` reads it, its record (`services.SUBJECT_RECORD`: one read
    of each relation the page and its helpers use) and its adverse events, in SQL written
    here (`record_rows`: the ORM built these statements for about 5 ms of CPU, issue 19)."""
    subject = record_rows.read_subject(pk, identity=_shows_identity(request))
    if subject is None:
        raise Http404("No Subject matches the given query.")
    _shown(request, subject)
    record_rows.read_record(subject)
    return subject, record_rows.read_adverse_events(subject)


def _visit_row(
    visit: Visit, scored: tuple[Hashable, AssessmentResult] | None, today: dt.date
) -> str:
    """A row of the subject page's visits table (`edc/_visit_row.html`), rendered once per
    what it shows (issue 19): a save of one visit's form renders that row again (and the
    next visit's, whose change from it moved), not the whole table. The key is what the row
    template reads, each of it: the visit's fields, whether it is overdue, its scores' version
    key (`services.scored_visits`: its forms and dates and its previous assessment's), the
    language (dates, status and derived lines in the reader's) and the URL prefix."""
    overdue = (
        visit.status == "planned" and visit.window_end is not None and visit.window_end < today
    )
    key = (
        visit.pk,
        visit.code,
        visit.planned_date,
        visit.window_start,
        visit.window_end,
        visit.date,
        visit.status,
        visit.missed_reason,
        overdue,
        scored[0] if scored else None,
        get_language(),
        get_script_prefix(),
    )
    return VISIT_ROWS.get(
        key,
        lambda: render_to_string(
            "edc/_visit_row.html",
            {"visit": visit, "result": scored[1] if scored else None, "overdue": overdue},
        ),
    )


VISIT_ROWS: ByVersion[str] = ByVersion(4096)
"""`edc/_visit_row.html` per what the row shows (`_visit_row`)."""


def _decision_panel(
    decision: ScreeningDecision | None, decided_on: services.EligibilityKey | None
) -> str:
    """The eligibility panel's HTML, rendered once per decision and language (issue 19): a
    save of a visit form derives the subject page again, not its unchanged decision."""
    return DECISION_PANELS.get(
        (decided_on, get_language()),
        lambda: render_to_string("edc/_decision.html", {"decision": decision}),
    )


DECISION_PANELS: ByVersion[str] = ByVersion(1024)
"""`edc/_decision.html` per eligibility key (`services.kept_eligibility`) and language."""


class ConsentForm(forms.Form):
    form_version = forms.ChoiceField(label=gettext_lazy("Consent form version"), choices=())
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the form"), choices=(), required=False
    )
    obtained_at = forms.DateTimeField(
        label=gettext_lazy("Date and time of consent"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Local time at the site (its time zone)."),
    )
    obtained_by: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("Obtained by"),
        help_text=gettext_lazy("The investigator or coordinator who obtained the consent."),
    )

    def __init__(self, subject: Subject, user: Any, *args: Any, **kwargs: Any) -> None:
        forms_declared = DEFAULT_PROTOCOL.consent_forms
        in_force = version_in_force(forms_declared)
        staff = services.consent_staff(subject)
        kwargs.setdefault(
            "initial",
            {
                "form_version": in_force.number,
                "obtained_by": user if staff.filter(pk=user.pk).exists() else None,
            },
        )
        super().__init__(*args, **kwargs)
        # Declared above; `fields` is typed with the fields' base class.
        version, language = (
            cast(forms.ChoiceField, self.fields[n]) for n in ("form_version", "language")
        )
        version.choices = [
            (f.number, f"{f.number} ({f.date.isoformat() if f.date else '—'})")
            for f in forms_declared
        ]
        languages = sorted({code for f in forms_declared for code in f.languages})
        language.choices = [("", "—"), *((c, c) for c in languages)]
        obtained_by = cast("forms.ModelChoiceField[User]", self.fields["obtained_by"])
        obtained_by.queryset = staff
        # Django's documented per-instance hook; the stubs know only the method it shadows.
        obtained_by.label_from_instance = (  # type: ignore[method-assign]
            lambda obj: obj.get_full_name() or obj.get_username()
        )


@study_view
def consent(request: HttpRequest, pk: int) -> HttpResponse:
    """The first consent, or a re-consent on the version in force."""
    subject = _subject(request, pk)
    services.require(request.user, Can.CONSENT, subject)
    return _form_page(
        request,
        subject,
        ConsentForm(subject, request.user, request.POST or None),
        _("Written consent"),
        lambda data: services.record_consent(request.user, subject, **data),
        _("Consent recorded."),
    )


class ConsentWithdrawalForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.ChoiceField(label=gettext_lazy("Withdrawal"), choices=WithdrawalScope.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


@study_view
def consent_withdrawal(request: HttpRequest, pk: int) -> HttpResponse:
    """The subject withdraws consent: fully, or partly (safety follow-up allowed)."""
    subject = _subject(request, pk)
    services.require(request.user, Can.CONSENT, subject)
    return _form_page(
        request,
        subject,
        ConsentWithdrawalForm(request.POST or None),
        _("Withdrawal of consent"),
        lambda data: services.withdraw_consent(request.user, subject, **data),
        _("Withdrawal of consent recorded."),
    )


class SignForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password (electronic signature)"), widget=forms.PasswordInput
    )


class EnrolForm(SignForm):
    field_order = ("enrolment_date", "first_infusion_date", "password")
    enrolment_date = forms.DateField(
        label=gettext_lazy("Enrolment date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The site's own date (its time zone)."),
    )
    first_infusion_date = forms.DateField(
        label=gettext_lazy("First anifrolumab infusion"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@study_view
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    services.require(request.user, Can.SIGN, subject)
    return _form_page(
        request,
        subject,
        EnrolForm(request.POST or None, initial={"enrolment_date": subject.site.today()}),
        _("Enrolment"),
        lambda data: services.enrol(request.user, subject, **data),
        _("Subject enrolled and signature applied."),
        statement=_(services.ENROLMENT_MEANING),
    )


def _form_page(
    request: HttpRequest,
    subject: Subject,
    form: forms.Form,
    title: str,
    save: Callable[[dict[str, Any]], object],
    done: str,
    statement: str = "",
) -> HttpResponse:
    """A one-form page: save through a service, show its refusal beside the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except (services.RuleError, services.NotAllowedError) as problem:
            _show_problem(form, problem)
        else:
            messages.success(request, done)
            return redirect("subject", pk=subject.pk)
    context = {"subject": subject, "form": form, "title": title, "statement": statement}
    return render(request, "edc/simple_form.html", context)


class EndForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


@study_view
def end_of_study(request: HttpRequest, pk: int, how: str) -> HttpResponse:
    subject = _subject(request, pk)
    services.require(request.user, Can.ENTER_DATA, subject)
    if how == "withdraw":
        return _form_page(
            request,
            subject,
            EndForm(request.POST or None),
            _("Withdrawal"),
            lambda data: services.withdraw(request.user, subject, **data),
            _("Withdrawal recorded."),
        )
    return _form_page(
        request,
        subject,
        EndForm(request.POST or None),
        _("End of study"),
        lambda data: services.complete(request.user, subject, data["on"]),
        _("End of study recorded."),
    )


# -- visits ---------------------------------------------------------------------------------------


class VisitDateForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Visit date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason for change"), required=False)


@study_view
def visit_page(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.select_related("subject__site"), pk=pk)
    _shown(request, visit.subject)
    date_form = VisitDateForm(request.POST or None, initial={"date": visit.date})
    if request.method == "POST" and date_form.is_valid():
        try:
            services.set_visit_date(
                request.user,
                visit,
                date_form.cleaned_data["date"],
                version=posted_version(request),
                reason=date_form.cleaned_data["reason"],
            )
        except (services.RuleError, services.ConflictError) as problem:
            _show_problem(date_form, problem)
        else:
            return redirect("visit", pk=pk)
    # One read of the subject's visits and forms for the page and the derived scores.
    prefetch_related_objects([visit.subject], "visits__forms__queries")
    this = next(v for v in visit.subject.visits.all() if v.pk == visit.pk)
    saved = {form.crf: form for form in this.forms.all()}
    derived = services.derived_for_subject(visit.subject).get(visit.pk)
    return render(
        request,
        "edc/visit.html",
        {
            "visit": visit,
            "subject": visit.subject,
            "date_form": date_form,
            "crfs": [
                (crf, saved.get(crf.code), _status(crf.code, saved.get(crf.code), derived))
                for crf in CRFS
            ],
            "derived": derived,
            "in_window": visit.in_window(),
            "version": request.POST.get("version", visit.version),
        },
    )


def _status(
    code: str, saved: FormData | None, derived: AssessmentResult | None
) -> dict[str, Any] | None:
    if saved is None:
        return None
    found = completeness(code, saved.data, _derived_items(derived), saved.not_done_reason or None)
    return {"status": found.status, "missing": _labels_of(found.missing)}


def _derived_items(derived: AssessmentResult | None) -> frozenset[str]:
    """The SLEDAI-2K descriptors the visit's laboratory results decide (Gladman 2002)."""
    if derived is None or derived.sledai2k is None:
        return frozenset()
    return frozenset(
        f.code for f in derived.sledai2k.findings if f.derived_from and f.status != "unknown"
    )


@study_view
@require_POST
def visit_missed(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.select_related("subject"), pk=pk)
    try:
        services.mark_missed(request.user, visit, request.POST.get("reason", ""))
    except services.RuleError as problem:
        messages.error(request, str(problem))
    return redirect("visit", pk=pk)


@study_view
@require_POST
def unscheduled_visit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
        visit = services.add_unscheduled_visit(request.user, subject, day)
    except ValueError:
        messages.error(request, _("Enter the visit date as YYYY-MM-DD."))
    except services.RuleError as problem:
        messages.error(request, str(problem))
    else:
        return redirect("visit", pk=visit.pk)
    return redirect("subject", pk=pk)


def _crf_plan(code: str, data: dict[str, Any] | None) -> FormPlan:
    """The form's plan for ``data``'s row counts, in the reader's language (kept)."""
    rows = row_counts(CRF_BY_CODE[code].model, data)
    return _kept_crf_plan(code, tuple(sorted(rows.items())), get_language())


@lru_cache(maxsize=512)
def _kept_crf_plan(code: str, rows: tuple[tuple[str, int], ...], language: str) -> FormPlan:
    """Built once per form, row counts and language, and kept in the process (issue 19):
    building it cost every save and form page ~0.7 ms of CPU (vital signs; more for larger
    forms). A plan is only read once built; each form copies its fields (Django's forms)."""
    crf = CRF_BY_CODE[code]
    with translation.override(language):
        return FormPlan(crf.model, exclude=crf.exclude, rows=dict(rows))


@study_view
def crf_page(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One eCRF: edit checks from its model, a reason for changes, queries, verify, lock."""
    if request.method == "POST":
        return _save_crf(request, pk, code)
    visit = _crf_visit(request, get_object_or_404(_VISITS, pk=pk), code)
    forms = FormData.objects.select_related("updated_by")
    if code == "sledai2k":
        # The page shows the visit's derived scores: one read of the subject's visits and
        # forms serves both the form and the derivation.
        prefetch_related_objects([visit.subject], Prefetch("visits__forms", queryset=forms))
        this = next(v for v in visit.subject.visits.all() if v.pk == visit.pk)
        saved = next((form for form in this.forms.all() if form.crf == code), None)
    else:
        saved = forms.filter(visit=visit, crf=code).first()
    data = saved.data if saved else None
    plan = _crf_plan(code, data)
    initial = plan.initial(data)
    if code == "sledai2k" and data is None:
        initial.update(_descriptors_from_labs(visit))
    return _crf_render(request, visit, code, saved, plan, plan.form_class()(initial=initial))


_VISITS = Visit.objects.select_related("subject__site")


def _crf_visit(request: HttpRequest, visit: Visit, code: str) -> Visit:
    _shown(request, visit.subject)
    if code not in CRF_BY_CODE:
        raise PermissionDenied(_("Unknown form."))
    return visit


def _save_crf(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A save: the visit and the form read once, locked, for both the page and the save (issue
    19); a refusal rolls the whole transaction back and shows the page beside the message."""
    try:
        with transaction.atomic():
            try:
                locked = services.lock_for_save(pk, code)
            except Visit.DoesNotExist:
                raise Http404 from None
            visit, saved = locked
            _crf_visit(request, visit, code)
            plan = _crf_plan(code, saved.data if saved else None)
            form = plan.form_class()(request.POST)
            validated = plan.validate(form)
            if validated is not None:
                services.save_locked_form(
                    request.user,
                    locked,
                    code,
                    validated.model_dump(mode="json", exclude_none=True),
                    version=posted_version(request),
                    reason=request.POST.get("reason", ""),
                )
                return _after_save(request, visit, code)
    except (services.RuleError, services.ConflictError) as problem:
        _show_problem(form, problem)
    return _crf_render(request, visit, code, saved, plan, form)


def _crf_render(
    request: HttpRequest,
    visit: Visit,
    code: str,
    saved: FormData | None,
    plan: FormPlan,
    form: forms.Form,
) -> HttpResponse:
    # The SLEDAI-2K page shows the visit's derived scores, which also say which laboratory
    # descriptors the labs decide (its completeness).
    derived = services.derived(visit) if code == "sledai2k" else None
    may_enter = (
        services.may(request.user, Can.ENTER_DATA, visit.subject)
        and not (saved and saved.locked)
        and not visit.subject.casebook_locked
    )
    return render(
        request,
        "edc/crf.html",
        {
            "visit": visit,
            "subject": visit.subject,
            "crf": CRF_BY_CODE[code],
            "saved": saved,
            **_form_status(code, saved, derived),
            "next_crf": _next_crf(code),
            "form": form,
            "sections": _sections(form, plan),
            **(_sledai_rows(form) if code == "sledai2k" else {}),
            "editable": may_enter and not (saved and saved.not_done),
            # A form not entered (or entered empty) may be declared not done; one declared
            # so may be undone (`study.not_done`).
            "may_declare_not_done": may_enter and not (saved and (saved.data or saved.not_done)),
            "may_undo_not_done": may_enter and bool(saved and saved.not_done),
            "derived": derived,
            "version": request.POST.get("version", saved.version if saved else 0),
        },
    )


def _next_crf(code: str) -> Crf | None:
    """The form after ``code`` in the visit's order, for "Save and next"."""
    order = [crf.code for crf in CRFS]
    index = order.index(code) + 1
    return CRFS[index] if index < len(order) else None


def _after_save(request: HttpRequest, visit: Visit, code: str) -> HttpResponse:
    """After a save: the next form when asked ("Save and next"), else the visit page."""
    following = _next_crf(code)
    if "next" in request.POST and following is not None:
        messages.success(request, _("Form saved. Next: %(form)s.") % {"form": following.title})
        return redirect("crf", pk=visit.pk, code=following.code)
    if "next" in request.POST:
        messages.success(request, _("Form saved; this was the visit's last form."))
    else:
        messages.success(request, _("Form saved."))
    return redirect("visit", pk=visit.pk)


def _form_status(
    code: str, saved: FormData | None, derived: AssessmentResult | None
) -> dict[str, Any]:
    if saved is None:
        return {"status": None, "missing": []}
    found = completeness(code, saved.data, _derived_items(derived), saved.not_done_reason or None)
    return {"status": found, "missing": _labels_of(found.missing)}


def _labels_of(names: tuple[str, ...]) -> list[str]:
    return [str(labels.label(name)) for name in names]


def _sledai_rows(form: forms.Form, prefix: str = "") -> dict[str, Any]:
    """The SLEDAI-2K's 24 descriptors grouped by organ system, in Gladman 2002's order, with
    their weights (`_sledai_table.html`); ``prefix`` is the descriptors' part of a larger form
    ("screening_sledai2k."), whose other fields its own page lays out."""
    groups: dict[str, list[tuple[Descriptor, forms.BoundField]]] = {}
    for descriptor in DESCRIPTORS:
        system = str(labels.ORGAN_SYSTEMS[descriptor.organ_system.value])
        groups.setdefault(system, []).append((descriptor, form[prefix + descriptor.code]))
    codes = {prefix + d.code for d in DESCRIPTORS}
    return {
        "sledai_groups": list(groups.items()),
        "sledai_other": [] if prefix else [form[n] for n in form.fields if n not in codes],
    }


def _descriptors_from_labs(visit: Visit) -> dict[str, str]:
    """A new SLEDAI-2K form starts with the laboratory descriptors the saved labs define."""
    forms_now = VisitForms.model_validate({**services.saved_forms(visit), "sledai2k": {}})
    sledai = sledai_input(forms_now, visit.date)
    if sledai is None:
        return {}
    return {
        finding.code: "true" if finding.status == "met" else "false"
        for finding in score_sledai2k(sledai).findings
        if finding.derived_from and finding.status != "unknown"
    }


@study_view
@require_POST
def form_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Verify, lock, unlock a saved form; raise a query on it."""
    form = get_object_or_404(FormData.objects.select_related("visit__subject"), pk=pk)
    user = request.user
    try:
        if action == "verify":
            services.verify_form(user, form, posted_version(request))
            done = _("Source data verified.")
        elif action == "lock":
            services.set_form_lock(user, form, True, posted_version(request))
            done = _("Form locked.")
        elif action == "unlock":
            services.set_form_lock(
                user, form, False, posted_version(request), request.POST.get("reason", "")
            )
            done = _("Form unlocked.")
        elif action == "query":
            services.raise_query(
                user, form, request.POST.get("field", ""), request.POST.get("text", "")
            )
            done = _("Query raised.")
        else:
            raise services.RuleError(_("Unknown action."))
    except (services.RuleError, services.ConflictError) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, done)
    return redirect("crf", pk=form.visit_id, code=form.crf)


def posted_version(request: HttpRequest) -> int:
    """The version the page was opened at (-1, which matches none, if absent or not a number)."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@study_view
@require_POST
def crf_not_done(request: SignedInRequest, pk: int, code: str) -> HttpResponse:
    """Declare the visit's form not done with a reason, or (``undo``) undo that with one."""
    visit = _crf_visit(request, get_object_or_404(_VISITS, pk=pk), code)
    undo = bool(request.POST.get("undo"))
    try:
        set_form_not_done(
            request.user,
            visit,
            code,
            request.POST.get("reason", ""),
            posted_version(request),
            not_done=not undo,
        )
    except (services.RuleError, services.ConflictError) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request,
            _("Not-done declaration undone: the form is to enter again.")
            if undo
            else _("Form declared not done."),
        )
    return redirect("crf", pk=visit.pk, code=code)


@study_view
@require_POST
def query_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    query = get_object_or_404(Query.objects.select_related("form__visit__subject"), pk=pk)
    try:
        if action == "answer":
            services.answer_query(request.user, query, request.POST.get("answer", ""))
            done = _("Query answered.")
        elif action == "close":
            services.close_query(request.user, query)
            done = _("Query closed.")
        else:
            raise services.RuleError(_("Unknown action."))
    except services.RuleError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, done)
    return redirect("crf", pk=query.form.visit_id, code=query.form.crf)


@study_view
@require_POST
def casebook_lock(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    locked = request.POST.get("locked") == "1"
    try:
        services.set_casebook_lock(request.user, subject, locked, request.POST.get("reason", ""))
    except services.RuleError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Casebook locked.") if locked else _("Casebook unlocked."))
    return redirect("subject", pk=pk)


def _lock_warning(subject: Subject) -> str:
    """What locking the casebook asks first: the queries still open, by visit and form."""
    still_open = Query.objects.filter(form__visit__subject=subject).exclude(status="closed")
    names = [
        f"{query.form.visit.code} {CRF_BY_CODE[query.form.crf].title}: {query.text}"
        for query in still_open.select_related("form__visit")
        if query.form.crf in CRF_BY_CODE
    ]
    if not names:
        return _("Lock the casebook? No form can be changed until it is unlocked.")
    return _("%(n)s queries are still open: %(queries)s. Lock the casebook anyway?") % {
        "n": len(names),
        "queries": "; ".join(names),
    }


# -- audit trail ----------------------------------------------------------------------------------


@study_view
def audit_trail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _subject(request, pk)
    services.require(request.user, Can.VIEW_AUDIT, subject)
    entries = services.audit_entries(subject)
    if request.GET.get("format") == "csv":
        services.require(request.user, Can.EXPORT_AUDIT, subject)
        services.record_export(request.user, "audit_trail", subject)
        return _audit_csv(entries, f"audit-{subject.label}.csv")
    return render(request, "edc/audit.html", {"subject": subject, "entries": entries})


def _audit_csv(entries: Any, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    columns = [
        "seq", "at", "actor", "role", "action", "subject", "visit", "form", "field",
        "old_value", "new_value", "reason", "prev_hash", "hash",
    ]  # fmt: skip
    # For people: a cell a spreadsheet would run gets an apostrophe in front (spreadsheet.py).
    write_rows(response, columns, entries.values_list(*columns))
    return response


@study_view
def audit_export(request: HttpRequest) -> HttpResponse:
    services.require(request.user, Can.EXPORT_AUDIT)
    services.record_export(request.user, "audit_trail")
    return _audit_csv(AuditEntry.objects.all(), "audit-trail.csv")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("en", "English"), ("ja", "日本語")])


@study_view
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    profile = services.profile_of(request.user)
    form = LanguageForm(request.POST)
    if form.is_valid():
        profile.language = form.cleaned_data["language"]
        profile.save(update_fields=["language"])
    return redirect(_local_next(request))


def _local_next(request: HttpRequest) -> str:
    """Where the language switch returns: a path on this site, else the home page.

    Anything else (another host, ``javascript:``, ``//host``) would make the switch an open
    redirect, or a 500 where Django refuses the scheme.
    """
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@study_view
@require_POST
def crf_preview(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The SLEDAI-2K as the boxes are ticked, before anything is saved (htmx)."""
    visit = get_object_or_404(Visit.objects.select_related("subject__site"), pk=pk)
    services.require(request.user, Can.VIEW_SUBJECTS, visit.subject)
    if code != "sledai2k":
        raise PermissionDenied(_("Only the SLEDAI-2K has a live score."))
    plan = _crf_plan(code, None)
    form = plan.form_class()(request.POST)
    validated = plan.validate(form)
    if validated is None:
        return render(
            request, "edc/_sledai_preview.html", {"problem": _("Complete the form to score it.")}
        )
    forms_now = VisitForms.model_validate(
        {**services.saved_forms(visit), "sledai2k": validated.model_dump(exclude_none=True)}
    )
    entered = sledai_input(forms_now, visit.date)
    assert entered is not None  # None only without a SLEDAI-2K form, and one was just put in
    result = score_sledai2k(entered)
    return render(request, "edc/_sledai_preview.html", {"result": result})


@study_view
def sign_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign the eligibility again after a correction voided the signature."""
    subject = _subject(request, pk)
    services.require(request.user, Can.SIGN, subject)
    return _form_page(
        request,
        subject,
        SignForm(request.POST or None),
        _("Sign the eligibility"),
        lambda data: services.sign_again(request.user, subject, data["password"]),
        _("Signature applied."),
        statement=_(services.ENROLMENT_MEANING),
    )
