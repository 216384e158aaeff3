"""What each role has to do today, and the status of every form: the home page's worklists,
the per-site status grid and the visit calendar (issue 18).

Everything here is read in a fixed number of queries, whatever the number of subjects: the
user's visible subjects' visits, their forms and their open queries are each read once
(`StudyReads`), and every list and grid is computed from those reads in Python. The window
logic is the protocol layer's (`protocol.schedule.visit_timing`) on each site's own today
(`protocol.dates.site_today`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.study.crfs import CRFS, Crf
from lupustrial.edc.study.models import (
    AdverseEvent,
    FormData,
    Query,
    QueryStatus,
    Subject,
    SubjectStatus,
    Visit,
    VisitStatus,
)
from lupustrial.edc.study.services import AUTOMATIC_QUERY_MARK, profile_of, visible_subjects
from lupustrial.protocol.completeness import Completeness, completeness
from lupustrial.protocol.completeness import lab_decided as protocol_lab_decided
from lupustrial.protocol.crfs import VisitForms
from lupustrial.protocol.schedule import EXPECTED_FORMS, VisitTiming, visit_timing

# -- one read of the study ------------------------------------------------------------------


@dataclass
class StudyReads:
    """The visible subjects' visits, saved forms and unclosed queries: three queries in all."""

    visits: list[Visit]
    forms: dict[int, dict[str, FormData]]  # visit pk -> CRF code -> form
    queries: list[Query]  # open or answered, oldest first
    open_queries: dict[int, int] = field(default_factory=dict)  # form pk -> open ones

    @classmethod
    def read(cls, subjects: QuerySet[Subject]) -> StudyReads:
        visits = list(
            Visit.objects.filter(subject__in=subjects)
            .select_related("subject__site")
            .order_by("subject__screening_number", "order", "id")
        )
        forms: dict[int, dict[str, FormData]] = defaultdict(dict)
        for form in FormData.objects.filter(visit__subject__in=subjects):
            forms[form.visit_id][form.crf] = form
        by_visit = {visit.pk: visit for visit in visits}
        for saved in forms.values():
            for form in saved.values():
                form.visit = by_visit[form.visit_id]
        return cls._with_queries(subjects, visits, forms)

    @classmethod
    def of(cls, subjects: Sequence[Subject]) -> StudyReads:
        """The same from subjects a page read with their visits and forms
        (`services.SUBJECT_RECORD`): only the queries are read (issue 19)."""
        visits = [visit for subject in subjects for visit in subject.visits.all()]
        forms: dict[int, dict[str, FormData]] = defaultdict(dict)
        for visit in visits:
            for form in visit.forms.all():
                forms[visit.pk][form.crf] = form
        return cls._with_queries([subject.pk for subject in subjects], visits, forms)

    @classmethod
    def _with_queries(
        cls,
        subjects: QuerySet[Subject] | list[int],
        visits: list[Visit],
        forms: dict[int, dict[str, FormData]],
    ) -> StudyReads:
        queries = list(
            Query.objects.filter(form__visit__subject__in=subjects)
            .exclude(status=QueryStatus.CLOSED)
            .select_related("form", "raised_by")
            .order_by("raised_at", "pk")
        )
        open_queries: dict[int, int] = defaultdict(int)
        for query in queries:
            form = forms[query.form.visit_id][query.form.crf]
            query.form = form  # the form read above, with its visit and subject
            if query.status == QueryStatus.OPEN:
                open_queries[form.pk] += 1
        return cls(visits, dict(forms), queries, dict(open_queries))


# -- the worklists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueVisit:
    """A planned visit to book or chase, with where it stands today at its site."""

    visit: Visit
    timing: VisitTiming
    today: dt.date

    @property
    def days_to_open(self) -> int:
        assert self.visit.window_start is not None
        return (self.visit.window_start - self.today).days

    @property
    def days_overdue(self) -> int:
        assert self.visit.window_end is not None
        return (self.today - self.visit.window_end).days


@dataclass(frozen=True)
class IncompleteForm:
    """A form the protocol expects at a visit that took place and not entered (``form`` is
    None), or a saved form with required items unanswered (`protocol.completeness`)."""

    visit: Visit
    crf: Crf
    form: FormData | None = None
    missing: tuple[str, ...] = ()

    @property
    def missing_labels(self) -> list[str]:
        """The unanswered items by their names in the label catalogue (EN/JA)."""
        from lupustrial.edc.study import labels

        return [str(labels.label(name)) for name in self.missing]


def lab_decided(forms: dict[str, FormData], visit: Visit) -> frozenset[str]:
    """The SLEDAI-2K descriptors the visit's laboratory results decide (Gladman 2002): a
    blank one is scored from the labs, so it is no gap. CPU only, from the forms read."""
    if "sledai2k" not in forms:
        return frozenset()
    try:
        record = VisitForms.model_validate(
            {code: form.data for code, form in forms.items() if form.entered}
        )
    except ValidationError:
        return frozenset()
    return protocol_lab_decided(record, visit.date)


def form_completeness(forms: dict[str, FormData], visit: Visit, code: str) -> Completeness:
    """`protocol.completeness` of one saved form of the visit, lab-decided items answered."""
    form = forms[code]
    derived = lab_decided(forms, visit) if code == "sledai2k" else frozenset()
    return completeness(code, form.data, derived, form.not_done_reason or None)


def incomplete_forms(forms: dict[str, FormData], visit: Visit) -> list[IncompleteForm]:
    """A done visit's gaps: expected forms not entered, saved forms with items unanswered."""
    found = []
    for crf in CRFS:
        if crf.code not in forms:
            if crf.code in EXPECTED_FORMS and visit.scheduled:
                found.append(IncompleteForm(visit, crf))
            continue
        status = form_completeness(forms, visit, crf.code)
        if status.to_enter:
            found.append(IncompleteForm(visit, crf, forms[crf.code], status.missing))
    return found


@dataclass
class Worklists:
    """One user's lists for today; each empty when the role has nothing of that kind to do."""

    queries_awaiting_me: list[Query] = field(default_factory=list)
    queries_raised_by_me: list[Query] = field(default_factory=list)
    forms_to_verify: list[FormData] = field(default_factory=list)
    events_to_verify: list[AdverseEvent] = field(default_factory=list)
    incomplete_forms: list[IncompleteForm] = field(default_factory=list)
    visits_due: list[DueVisit] = field(default_factory=list)
    visits_overdue: list[DueVisit] = field(default_factory=list)
    safety_reports: list[dict[str, Any]] = field(default_factory=list)
    safety_clocks: list[Any] = field(default_factory=list)  # open clocks with no report yet

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.queries_awaiting_me,
                self.queries_raised_by_me,
                self.forms_to_verify,
                self.events_to_verify,
                self.incomplete_forms,
                self.visits_due,
                self.visits_overdue,
                self.safety_reports,
                self.safety_clocks,
            )
        )


def _automatic(query: Query) -> bool:
    return query.text.startswith(AUTOMATIC_QUERY_MARK)


def worklists(user: User, *, reads: StudyReads | None = None) -> Worklists:
    """The user's worklists from one read of their sites' study (`StudyReads`).

    - queries awaiting me: open ones at my sites if I answer queries; answered ones I raised
      (and automatic ones, raised by an edit check on a save) if I close queries;
    - queries raised by me: every unclosed query I raised;
    - forms to verify (monitor): saved forms not verified since their last change; events to
      verify: adverse events not verified since their last version (one more read, the
      monitor's only);
    - incomplete forms: forms the protocol expects at a visit that took place, not entered
      or with required items unanswered (a form declared not done is no gap);
    - visits due (window open, or opening within `DUE_SOON_DAYS`) and overdue (window closed,
      no visit date), on each site's own today;
    - safety reports generated and not yet submitted, for the investigator, the coordinator
      and the data manager.
    """
    profile = profile_of(user)
    lists = Worklists()
    if not profile.can(Can.VIEW_SUBJECTS):
        return lists
    subjects = visible_subjects(user)
    reads = reads or StudyReads.read(subjects)
    today = {site.pk: site.today() for site in profile.site_list}
    for query in reads.queries:
        mine = query.raised_by_id == user.pk
        awaiting = (query.status == QueryStatus.OPEN and profile.can(Can.ANSWER_QUERY)) or (
            query.status == QueryStatus.ANSWERED
            and profile.can(Can.CLOSE_QUERY)
            and (mine or _automatic(query))
        )
        if awaiting:
            lists.queries_awaiting_me.append(query)
        if mine and not _automatic(query):
            lists.queries_raised_by_me.append(query)
    for visit in reads.visits:
        subject = visit.subject
        saved = reads.forms.get(visit.pk, {})
        if profile.can(Can.VERIFY):
            lists.forms_to_verify.extend(
                form for crf in CRFS if (form := saved.get(crf.code)) and not form.verified_at
            )
        if visit.status == VisitStatus.DONE:
            lists.incomplete_forms.extend(incomplete_forms(saved, visit))
        if subject.status != SubjectStatus.ENROLLED or visit.status != VisitStatus.PLANNED:
            continue
        on = today.get(subject.site_id) or subject.site.today()
        timing = visit_timing(visit.window_start, visit.window_end, on, done=False)
        if timing.due:
            lists.visits_due.append(DueVisit(visit, timing, on))
        elif timing is VisitTiming.OVERDUE:
            lists.visits_overdue.append(DueVisit(visit, timing, on))
    if profile.can(Can.VERIFY):
        lists.events_to_verify = list(
            AdverseEvent.objects.filter(subject__in=subjects, verified_at__isnull=True)
            .select_related("subject")
            .order_by("subject__screening_number", "number")
        )
    lists.visits_due.sort(key=lambda due: (due.visit.window_start, due.visit.subject.label))
    lists.visits_overdue.sort(key=lambda due: (due.visit.window_end, due.visit.subject.label))
    if profile.can(Can.ENTER_DATA) or profile.can(Can.LOCK):
        # Imported here: the safety app reads the study's models and services.
        from lupustrial.edc.safety.services import awaiting_submission, open_clocks_for

        lists.safety_reports = awaiting_submission(user)
        lists.safety_clocks = [c for c in open_clocks_for(user) if c.report is None]
    return lists


# -- the status grid (REDCap's record status dashboard) -----------------------------------------


class FormState(StrEnum):
    """A cell of the status grid. Each has a colour AND a symbol and a word (WCAG 1.4.1)."""

    NOT_DUE = "not_due"  # the visit has not taken place
    NOT_EXPECTED = "not_expected"  # a form entered only when it applies, not entered
    MISSING = "missing"  # expected at a visit that took place, not entered
    QUERY = "query"  # saved, with an open query
    INCOMPLETE = "incomplete"  # saved, required items unanswered (protocol.completeness)
    NOT_DONE = "not_done"  # declared not done, with a reason (edc.study.not_done)
    ENTERED = "entered"  # saved and complete, not verified
    VERIFIED = "verified"  # saved and source-verified since its last change
    LOCKED = "locked"  # saved and locked

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def label(self) -> str:
        return str(_STATE_LABELS[self])


_SYMBOLS = {
    FormState.NOT_DUE: "·",
    FormState.NOT_EXPECTED: "–",
    FormState.MISSING: "○",
    FormState.QUERY: "?",
    FormState.INCOMPLETE: "◐",
    FormState.NOT_DONE: "⊘",
    FormState.ENTERED: "✓",
    FormState.VERIFIED: "✓✓",
    FormState.LOCKED: "■",  # in the fonts a site has (DejaVu, Noto): no emoji font needed
}
_STATE_LABELS = {
    FormState.NOT_DUE: _("visit not done"),
    FormState.NOT_EXPECTED: _("not entered (when applicable)"),
    FormState.MISSING: _("incomplete: not entered"),
    FormState.QUERY: _("query open"),
    FormState.INCOMPLETE: _("incomplete: items missing"),
    FormState.NOT_DONE: _("not done"),
    FormState.ENTERED: _("complete"),
    FormState.VERIFIED: _("verified"),
    FormState.LOCKED: _("locked"),
}


def form_state(
    visit: Visit, code: str, form: FormData | None, open_queries: int, *, complete: bool = True
) -> FormState:
    """One cell: an open query shows first (it needs action), then the lock, a gap in the
    required items (`protocol.completeness`), verification. A form declared not done shows
    as such whatever else (its verification says nothing more), after a query and a lock."""
    if form is None:
        if visit.status != VisitStatus.DONE:
            return FormState.NOT_DUE
        expected = code in EXPECTED_FORMS and visit.scheduled
        return FormState.MISSING if expected else FormState.NOT_EXPECTED
    if open_queries:
        return FormState.QUERY
    if form.locked:
        return FormState.LOCKED
    if form.not_done:
        return FormState.NOT_DONE
    if not complete:
        return FormState.INCOMPLETE
    if form.verified_at is not None:
        return FormState.VERIFIED
    return FormState.ENTERED


@dataclass(frozen=True)
class GridCell:
    state: FormState
    form: FormData | None
    crf: Crf


@dataclass(frozen=True)
class GridRow:
    """One visit of one subject: a cell per eCRF."""

    visit: Visit
    cells: list[GridCell]


def status_grid(user: User, site: Site) -> list[GridRow]:
    """Every visit of every subject at ``site`` the user sees, a cell per eCRF (3 queries)."""
    subjects = visible_subjects(user).filter(site=site)
    reads = StudyReads.read(subjects)
    rows = []
    for visit in reads.visits:
        saved = reads.forms.get(visit.pk, {})
        cells = []
        for crf in CRFS:
            form = saved.get(crf.code)
            opened = reads.open_queries.get(form.pk, 0) if form else 0
            complete = form is None or form_completeness(saved, visit, crf.code).complete
            state = form_state(visit, crf.code, form, opened, complete=complete)
            cells.append(GridCell(state, form, crf))
        rows.append(GridRow(visit, cells))
    return rows


LEGEND: tuple[FormState, ...] = tuple(FormState)


# -- the visit calendar -------------------------------------------------------------------------


class CalendarMark(StrEnum):
    """What a visit shows on a day of the month view, as a word and a symbol, not colour alone."""

    DONE = "done"  # the visit took place that day
    PLANNED = "planned"  # its planned day, not done yet
    OPENS = "opens"  # its window's first day
    CLOSES = "closes"  # its window's last day

    @property
    def symbol(self) -> str:
        return {"done": "✓", "planned": "◆", "opens": "[", "closes": "]"}[self.value]

    @property
    def label(self) -> str:
        return str(_MARK_LABELS[self])


_MARK_LABELS = {
    CalendarMark.DONE: _("done"),
    CalendarMark.PLANNED: _("planned"),
    CalendarMark.OPENS: _("window opens"),
    CalendarMark.CLOSES: _("window closes"),
}


@dataclass(frozen=True)
class CalendarEntry:
    visit: Visit
    mark: CalendarMark


@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    entries: list[CalendarEntry] = field(default_factory=list)
    in_window: int = 0  # planned visits whose window covers the day


def month_calendar(user: User, year: int, month: int) -> list[list[CalendarDay]]:
    """The month's weeks (Monday first, ISO 8601) with every visible visit's planned day, visit
    date and window edges; one query."""
    import calendar

    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    days = {day: CalendarDay(day, day.month == month) for week in weeks for day in week}
    visits = (
        Visit.objects.filter(subject__in=visible_subjects(user))
        .filter(
            Q(date__range=(first, last))
            | Q(planned_date__range=(first, last))
            | Q(window_start__lte=last, window_end__gte=first)
        )
        .select_related("subject")
        .order_by("subject__screening_number", "order")
    )
    for visit in visits:
        if visit.date is not None:
            if visit.date in days:
                days[visit.date].entries.append(CalendarEntry(visit, CalendarMark.DONE))
            continue
        if visit.status != VisitStatus.PLANNED:
            continue  # missed: neither planned nor done any more
        for when, mark in (
            (visit.window_start, CalendarMark.OPENS),
            (visit.planned_date, CalendarMark.PLANNED),
            (visit.window_end, CalendarMark.CLOSES),
        ):
            if when in days:
                days[when].entries.append(CalendarEntry(visit, mark))
        if visit.window_start and visit.window_end:
            for day in days.values():
                if visit.window_start <= day.day <= visit.window_end:
                    day.in_window += 1
    return [[days[day] for day in week] for week in weeks]
