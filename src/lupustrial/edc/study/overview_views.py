"""The study at a glance (issue 18): the per-site form status grid and the visit calendar.

Both read through `worklists`, in a fixed number of queries whatever the number of subjects.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from lupustrial.edc.accounts.roles import Can
from lupustrial.edc.study import services
from lupustrial.edc.study.crfs import CRFS
from lupustrial.edc.study.models import Subject
from lupustrial.edc.study.views import SignedInRequest, study_view
from lupustrial.edc.study.worklists import LEGEND, CalendarMark, month_calendar, status_grid


@study_view
def site_status(request: SignedInRequest, code: str) -> HttpResponse:
    """Subjects × visits × forms at one site, REDCap's record status dashboard."""
    profile = services.require(request.user, Can.VIEW_SUBJECTS)
    site = next((site for site in profile.site_list if site.code == code), None)
    if site is None:
        raise services.NotAllowedError(_("This site is not one you work at."))
    return render(
        request,
        "edc/status_grid.html",
        {"site": site, "rows": status_grid(request.user, site), "crfs": CRFS, "legend": LEGEND},
    )


def _month(text: str, today: dt.date) -> tuple[dt.date, str]:
    """The month asked for as YYYY-MM (this month when absent), and a problem if it is bad."""
    if not text:
        return today.replace(day=1), ""
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1), ""
    except ValueError:
        problem = _("%(month)s is not a month: write it as YYYY-MM.") % {"month": text}
        return today.replace(day=1), problem


WEEKDAYS = tuple(WEEKDAYS_ABBR[day] for day in range(7))
"""Column heads, Monday first (ISO 8601 weeks)."""


@study_view
def visit_calendar(request: SignedInRequest) -> HttpResponse:
    """A month of planned and done visits with their windows."""
    profile = services.require(request.user, Can.VIEW_SUBJECTS)
    sites = profile.site_list
    today = sites[0].today() if sites else dt.datetime.now(dt.UTC).date()
    first, problem = _month(request.GET.get("month", ""), today)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "edc/calendar.html",
        {
            "first": first,
            "weeks": month_calendar(request.user, first.year, first.month),
            "previous": previous,
            "following": following,
            "today": today,
            "problem": problem,
            "marks": tuple(CalendarMark),
            "weekday_names": WEEKDAYS,
        },
        status=400 if problem else 200,
    )


@study_view
def casebook(request: SignedInRequest, pk: int) -> HttpResponse:
    """The subject's casebook as a PDF download, its export in the audit trail."""
    from lupustrial.edc.study.casebook import export_casebook, file_name
    from lupustrial.pdf import PdfUnavailableError

    subject = get_object_or_404(Subject.objects.select_related("site"), pk=pk)
    services.require_casebook(request.user, subject)
    timezone.activate(subject.site.zone)
    name = request.user.get_full_name() or request.user.get_username()
    try:
        data = export_casebook(request.user, subject, exported_by=name)
    except PdfUnavailableError as problem:
        message = _("The casebook PDF could not be made here: %(problem)s") % {"problem": problem}
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name(subject)}"'
    return response
