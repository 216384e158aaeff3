"""Monitoring support: the log of visits and findings (audited), SDV progress per subject and
site, and query ageing, read against the plan (`ProtocolConfig.monitoring`).

The monitor logs visits and findings (`Can.LOG_MONITORING`); a finding raised as a query goes
through the study's `raise_query`, one raised as a deviation through the deviation log's
`record_deviation`, so each keeps its own permissions, checks and trail. Anyone who sees the
subjects sees the progress. Bad input raises `MonitoringInputError` naming the field, and
nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, Value
from django.utils.translation import gettext as _

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.audit import imports
from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.trail import record
from lupustrial.edc.deviations import services as deviations
from lupustrial.edc.monitoring.models import (
    FindingAction,
    MonitoringFinding,
    MonitoringVisit,
    VisitKind,
)
from lupustrial.edc.study import services as study
from lupustrial.edc.study.characters import invalid_character
from lupustrial.edc.study.models import (
    AdverseEvent,
    FormData,
    Query,
    QueryStatus,
    RecordKind,
    Subject,
)
from lupustrial.protocol import monitoring as plan_rules
from lupustrial.protocol.config import DEFAULT_PROTOCOL

PLAN = DEFAULT_PROTOCOL.monitoring
VISIT_FORM = "monitoring_visit"
FINDING_FORM = "monitoring_finding"


class MonitoringInputError(ValueError):
    """Input the monitoring log refuses; ``field`` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _text(name: str, value: str, *, required: bool) -> str:
    text = (value or "").strip()
    character = invalid_character(text)
    if character:
        raise MonitoringInputError(
            name,
            _("This field holds a character that cannot be stored (%(character)s): remove it.")
            % {"character": character},
        )
    if required and not text:
        raise MonitoringInputError(name, _("This field is required."))
    return text


def _may_log(user: study.User, site: Site) -> None:
    profile = study.profile_of(user)
    if not profile.can(Can.LOG_MONITORING):
        raise study.NotAllowedError(
            _("Your role may not do this (%(what)s).") % {"what": Can.LOG_MONITORING.value}
        )
    if not profile.all_sites and not profile.works_at(site.pk):
        raise study.NotAllowedError(_("This site is not one you work at."))


@transaction.atomic
def log_visit(
    user: study.User,
    site: Site,
    *,
    visited_on: dt.date | None,
    kind: str,
    summary: str,
    follow_up: str = "",
    subjects: list[Subject] | None = None,
) -> MonitoringVisit:
    """A monitoring visit in the log, audited (CREATE, form 'monitoring_visit')."""
    _may_log(user, site)
    if kind not in VisitKind.values:
        raise MonitoringInputError("kind", _("Choose on-site, remote or centralised review."))
    if visited_on is None:
        raise MonitoringInputError("visited_on", _("Give the date of the visit."))
    if visited_on > site.today():
        raise MonitoringInputError("visited_on", _("The date is in the future at the site."))
    summary = _text("summary", summary, required=True)
    follow_up = _text("follow_up", follow_up, required=False)
    reviewed = subjects or []
    if any(s.site_id != site.pk for s in reviewed):
        raise MonitoringInputError("subjects", _("Choose subjects of this site."))
    at = imports.now()  # the row's time and its entry's are one (`trail._append`)
    visit = MonitoringVisit.objects.create(
        site=site, visited_on=visited_on, kind=kind, monitor=study.account(user), summary=summary,
        follow_up=follow_up, recorded_at=at,
    )  # fmt: skip
    visit.subjects.set(reviewed)
    record(
        user,
        Action.CREATE,
        form=VISIT_FORM,
        field=f"{site.code}:{visited_on.isoformat()}",
        # The visit's key: two visits to a site on one day are told apart (`reconcile`).
        new={
            "visit": visit.pk,
            "kind": kind,
            "summary": summary,
            "follow_up": follow_up,
            "subjects": [s.label for s in reviewed],
        },
        at=at,
    )
    return visit


@transaction.atomic
def add_finding(
    user: study.User,
    visit: MonitoringVisit,
    *,
    text: str,
    action: str,
    subject: Subject | None = None,
    form: FormData | None = None,
    category: str = "",
    occurred_on: dt.date | None = None,
    serious: bool | None = None,
) -> MonitoringFinding:
    """A finding of a visit: a note, a query on one of the subject's forms, or a deviation."""
    _may_log(user, visit.site)
    text = _text("text", text, required=True)
    if action not in FindingAction.values:
        raise MonitoringInputError("action", _("Choose a note, a data query or a deviation."))
    if subject is not None and (subject.site_id != visit.site_id or subject.subject_id is None):
        raise MonitoringInputError("subject", _("Choose an enrolled subject of this site."))
    query = deviation = None
    at = imports.now()  # one moment for the finding and the query or deviation it raised
    if action == FindingAction.QUERY:
        if form is None or subject is None or form.visit.subject_id != subject.pk:
            raise MonitoringInputError("form", _("Choose the subject's form the query is on."))
        query = study.raise_query(user, form, "", text, at=at)
    elif action == FindingAction.DEVIATION:
        if subject is None:
            raise MonitoringInputError("subject", _("A deviation belongs to a subject."))
        try:
            deviation = deviations.record_deviation(
                user, subject, category=category, occurred_on=occurred_on,
                description=text, serious=serious, at=at,
            )  # fmt: skip
        except deviations.DeviationInputError as problem:
            raise MonitoringInputError(problem.field, problem.message) from None
    finding = MonitoringFinding.objects.create(
        visit=visit, subject=subject, text=text, action=action, query=query,
        deviation=deviation, recorded_by=study.account(user), recorded_at=at,
    )  # fmt: skip
    record(
        user,
        Action.CREATE,
        subject=subject if subject is not None else "",
        form=FINDING_FORM,
        field=f"{visit.site.code}:{visit.visited_on.isoformat()}",
        new={
            "visit": visit.pk,
            "finding": finding.pk,
            "text": text,
            "action": action,
            "query": query.pk if query else None,
            "deviation": deviation.number if deviation else None,
        },
        at=at,
    )
    return finding


@dataclass(frozen=True)
class AgedQuery:
    query: Query
    days_open: int
    band: str


@dataclass
class SiteMonitoring:
    site: Site
    sdv: plan_rules.SdvProgress
    subjects: list[tuple[Subject, plan_rules.SdvProgress]]
    queries: list[AgedQuery]
    ageing: dict[str, int]
    visits: list[MonitoringVisit]
    next_visit_due: dt.date | None
    overdue: bool


def overview(user: study.User) -> list[SiteMonitoring]:
    """Each site the user sees: SDV progress per subject and for the site, the queries still
    open or answered with how long they have been open, the visits logged and the next due."""
    study.require(user, Can.VIEW_SUBJECTS)
    subjects = study.visible_subjects(user).filter(subject_id__isnull=False).select_related("site")
    forms = FormData.objects.filter(visit__subject__in=subjects).values_list(
        "visit__subject_id", "crf", "verified_at"
    )
    # Adverse events are verified by the same plan, under their record kind's name.
    events = AdverseEvent.objects.filter(subject__in=subjects).values_list(
        "subject_id", Value(RecordKind.ADVERSE_EVENT.value, output_field=CharField()), "verified_at"
    )
    by_subject: dict[int, list[tuple[str, bool]]] = {}
    for subject_id, crf, verified_at in [*forms, *events]:
        by_subject.setdefault(subject_id, []).append((crf, verified_at is not None))
    queries = (
        Query.objects.filter(form__visit__subject__in=subjects)
        .exclude(status=QueryStatus.CLOSED)
        .select_related("form__visit__subject__site")
        .order_by("raised_at")
    )
    out = []
    for site in study.visible_sites(user):
        site_subjects = [s for s in subjects if s.site_id == site.pk]
        rows = [(s, plan_rules.sdv_progress(by_subject.get(s.pk, []), PLAN)) for s in site_subjects]
        total = plan_rules.SdvProgress()
        for _subject, progress in rows:
            total = total.add(progress)
        today = site.today()
        aged = []
        for query in queries:
            if query.form.visit.subject.site_id != site.pk:
                continue
            days = (today - site.date_of(query.raised_at)).days
            aged.append(AgedQuery(query, days, plan_rules.age_band(days, PLAN)))
        counts = Counter(a.band for a in aged)
        visits = list(
            MonitoringVisit.objects.filter(site=site)
            .select_related("monitor")
            .prefetch_related("findings__query", "findings__deviation", "findings__subject")
        )
        enrolled = [s.enrolment_date for s in site_subjects if s.enrolment_date is not None]
        due = plan_rules.next_visit_due(
            visits[0].visited_on if visits else None, min(enrolled, default=None), PLAN
        )
        out.append(
            SiteMonitoring(
                site=site,
                sdv=total,
                subjects=rows,
                queries=aged,
                ageing={band: counts.get(band, 0) for band in plan_rules.bands(PLAN)},
                visits=visits,
                next_visit_due=due,
                overdue=due is not None and due < today,
            )
        )
    return out
