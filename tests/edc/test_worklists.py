"""A coordinator's day (issue 18): the home page's worklists, the status grid, the calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lupustrial.edc.accounts.models import Site
from lupustrial.edc.demo import _complete_visit, _enrolled, _visit_forms
from lupustrial.edc.study import services
from lupustrial.edc.study.models import FormData, Query, Subject, Visit
from lupustrial.edc.study.worklists import FormState, worklists
from lupustrial.protocol import dates
from lupustrial.protocol.schedule import EXPECTED_FORMS
from tests.edc.clients import login

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _osaka_w8() -> Visit:
    """S-101 (Osaka, enrolled six weeks ago): its week-8 window opens in seven days."""
    return Visit.objects.get(subject__screening_number="S-101", code="W8")


def _today_at_site_is(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    """Every site's today is ``day`` (noon in Tokyo), through the protocol layer's one clock."""
    noon = dt.datetime(day.year, day.month, day.day, 3, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(dates, "utc_now", lambda: noon)


@pytest.mark.parametrize(
    ("when", "listed"),
    [
        ("8 days before it opens", None),
        ("7 days before it opens", "due"),
        ("the day it opens", "due"),
        ("the day it closes", "due"),
        ("the day after it closes", "overdue"),
    ],
)
def test_a_visit_is_due_from_seven_days_before_its_window_and_overdue_after_it(
    monkeypatch: pytest.MonkeyPatch, when: str, listed: str | None
) -> None:
    visit = _osaka_w8()
    assert visit.window_start is not None
    assert visit.window_end is not None
    day = {
        "8 days before it opens": visit.window_start - dt.timedelta(days=8),
        "7 days before it opens": visit.window_start - dt.timedelta(days=7),
        "the day it opens": visit.window_start,
        "the day it closes": visit.window_end,
        "the day after it closes": visit.window_end + dt.timedelta(days=1),
    }[when]
    _today_at_site_is(monkeypatch, day)
    lists = worklists(_user("osaka"))
    assert (visit in [d.visit for d in lists.visits_due]) is (listed == "due")
    assert (visit in [d.visit for d in lists.visits_overdue]) is (listed == "overdue")
    page = login("osaka").get(reverse("home")).content.decode()
    assert (f"{visit.subject.label} W8</a>" in page) is (listed is not None)


def test_the_demo_home_page_lists_due_overdue_and_opening_visits() -> None:
    page = login("osaka").get(reverse("home")).content.decode()
    assert 'id="visits-overdue"' in page  # week 4, never entered
    assert 'id="visits-due"' in page
    assert "1 visit due" in page
    assert "opens in 7 days" in page
    # Tokyo's coordinator sees none of Osaka's visits.
    tokyo = login("coordinator").get(reverse("home")).content.decode()
    assert "S-101" not in tokyo
    assert "OSK-" not in tokyo


def test_queries_await_the_site_then_their_raiser() -> None:
    form = FormData.objects.get(
        visit__subject__screening_number="S-001", visit__code="W12", crf="vitals"
    )
    query = services.raise_query(
        _user("monitor"), form, "body_weight", "Weight 60 kg: source says 61?"
    )
    coordinator, monitor = worklists(_user("coordinator")), worklists(_user("monitor"))
    assert query in coordinator.queries_awaiting_me
    assert query not in coordinator.queries_raised_by_me
    assert query in monitor.queries_raised_by_me
    assert query not in monitor.queries_awaiting_me  # the site has to answer first
    page = login("coordinator").get(reverse("home")).content.decode()
    assert "W12 · Vital signs and weight · Body weight</a>" in page  # titles, not codes
    assert "1 query awaiting me" in page
    assert "Weight 60 kg" in page

    services.answer_query(_user("coordinator"), query, "Source says 60 kg.")
    assert query not in worklists(_user("coordinator")).queries_awaiting_me
    assert query in worklists(_user("monitor")).queries_awaiting_me
    services.close_query(_user("monitor"), query)
    closed = worklists(_user("monitor"))
    assert query not in closed.queries_awaiting_me
    assert query not in closed.queries_raised_by_me


def test_the_monitor_has_the_unverified_forms_to_verify() -> None:
    before = worklists(_user("monitor")).forms_to_verify
    assert len(before) == FormData.objects.count()  # nothing verified in the demo
    form = before[0]
    services.verify_form(_user("monitor"), form, form.version)
    after = worklists(_user("monitor")).forms_to_verify
    assert form not in after
    assert len(after) == len(before) - 1
    assert worklists(_user("coordinator")).forms_to_verify == []  # not a coordinator's work
    page = login("monitor").get(reverse("home")).content.decode()
    assert f"{len(after)} forms to verify" in page


def test_a_visit_that_took_place_lists_its_forms_not_entered() -> None:
    assert worklists(_user("osaka")).incomplete_forms == []
    w4 = Visit.objects.get(subject__screening_number="S-101", code="W4")
    assert w4.window_end is not None
    services.set_visit_date(_user("osaka"), w4, w4.window_end, w4.version)
    missing = worklists(_user("osaka")).incomplete_forms
    assert [(m.visit.code, m.crf.code) for m in missing] == [("W4", c) for c in EXPECTED_FORMS]
    w4.refresh_from_db()
    services.save_form(_user("osaka"), w4, "vitals", _visit_forms(4, 20, True)["vitals"], 0)
    assert len(worklists(_user("osaka")).incomplete_forms) == len(EXPECTED_FORMS) - 1
    page = login("osaka").get(reverse("home")).content.decode()
    assert f"{len(EXPECTED_FORMS) - 1} incomplete forms" in page


def test_the_coordinator_sees_the_open_safety_reports() -> None:
    from tests.edc.test_safety_reports_page import _generated

    report = _generated(days_ago=20)
    for role in ("coordinator", "investigator", "datamanager"):
        assert [item["report"] for item in worklists(_user(role)).safety_reports] == [report]
    page = login("coordinator").get(reverse("home")).content.decode()
    assert f'id="due-{report.pk}"' in page
    assert "overdue by 5 days" in page


def _worklist_queries(username: str) -> int:
    user = _user(username)
    _ = user.staff.site_list  # read with the request's user, before the worklists (as on the page)
    with CaptureQueriesContext(connection) as captured:
        worklists(user)
    return len(captured.captured_queries)


def _more_subjects(count: int) -> None:
    """``count`` more enrolled Tokyo subjects, each with a week-0 visit entered and a query."""
    tokyo = Site.objects.get(code="TKY")
    first = tokyo.today() - dt.timedelta(weeks=5)
    for n in range(count):
        subject = _enrolled(_user("investigator"), tokyo, f"S-2{n:02}", f"Extra {n}", first)
        w0 = subject.visits.get(code="W0")
        _complete_visit(_user("coordinator"), w0, _visit_forms(0, 30, True))
        form = FormData.objects.get(visit=w0, crf="labs")
        services.raise_query(_user("monitor"), form, "c3", "Please confirm C3.")


@pytest.mark.parametrize("role", ["coordinator", "monitor", "datamanager", "investigator"])
def test_the_worklists_read_the_same_number_of_queries_for_more_subjects(role: str) -> None:
    """Visits, forms, queries, safety reports and adverse events (the open reporting clocks)
    are read once each: none per subject (the home page's query budget, issue 19)."""
    before = _worklist_queries(role)
    assert before <= 5
    _more_subjects(3)
    assert Subject.objects.count() >= 7
    assert Query.objects.count() >= 3
    assert _worklist_queries(role) == before


def test_the_status_grid_and_calendar_read_the_same_number_of_queries_for_more_subjects() -> None:
    client = login("monitor")
    grid, month = reverse("status_grid", args=["TKY"]), reverse("visit_calendar")
    client.get(grid)

    def counted(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = counted(grid), counted(month)
    _more_subjects(3)
    assert (counted(grid), counted(month)) == before


# -- the status grid ------------------------------------------------------------------------------


def _cell(page: str, visit: Visit, crf: str) -> str:
    """The grid cell of one form: its class and contents up to the cell's end."""
    marker = f'data-crf="{crf}"'
    row = page.index(f'href="/visits/{visit.pk}/"')
    start = page.index(marker, row)
    cell_start = page.rindex("<td", 0, start)
    return page[cell_start : page.index("</td>", start)]


def test_the_status_grid_shows_each_state_with_a_symbol_and_a_word() -> None:
    s001 = Subject.objects.get(screening_number="S-001")
    w12, w8 = s001.visits.get(code="W12"), s001.visits.get(code="W8")
    vitals = FormData.objects.get(visit=w12, crf="vitals")
    services.raise_query(_user("monitor"), vitals, "body_weight", "Check the weight.")
    labs = FormData.objects.get(visit=w12, crf="labs")
    services.verify_form(_user("monitor"), labs, labs.version)
    sledai = FormData.objects.get(visit=w8, crf="sledai2k")
    services.set_form_lock(_user("datamanager"), sledai, True, sledai.version)

    page = login("monitor").get(reverse("status_grid", args=["TKY"])).content.decode()
    expected = {
        (w12, "vitals"): FormState.QUERY,
        (w12, "labs"): FormState.VERIFIED,
        (w8, "sledai2k"): FormState.LOCKED,
        (w12, "sledai2k"): FormState.ENTERED,
        (w12, "pregnancy_test"): FormState.NOT_EXPECTED,
    }
    for (visit, crf), state in expected.items():
        cell = _cell(page, visit, crf)
        assert f"state-{state.value}" in cell, (crf, cell)
        assert state.symbol in cell
        assert str(state.label) in cell
    for state in FormState:  # the legend names every state with its symbol
        assert f'<li class="state-{state.value}">' in page


def test_the_status_grid_shows_missing_forms_and_visits_not_done() -> None:
    w4 = Visit.objects.get(subject__screening_number="S-101", code="W4")
    assert w4.window_end is not None
    services.set_visit_date(_user("osaka"), w4, w4.window_end, w4.version)
    page = login("osaka").get(reverse("status_grid", args=["OSK"])).content.decode()
    assert "state-missing" in _cell(page, w4, "sledai2k")
    w8 = _osaka_w8()
    assert "state-not_due" in _cell(page, w8, "sledai2k")


def test_the_status_grid_is_only_for_the_sites_one_works_at() -> None:
    assert login("coordinator").get(reverse("status_grid", args=["OSK"])).status_code == 403
    assert login("coordinator").get(reverse("status_grid", args=["XXX"])).status_code == 403
    assert login("statistician").get(reverse("status_grid", args=["TKY"])).status_code == 403
    assert login("datamanager").get(reverse("status_grid", args=["OSK"])).status_code == 200


def test_the_home_page_links_each_sites_grid_and_the_calendar() -> None:
    page = login("monitor").get(reverse("home")).content.decode()
    assert reverse("status_grid", args=["TKY"]) in page
    assert reverse("status_grid", args=["OSK"]) in page
    assert reverse("visit_calendar") in page


# -- the visit calendar -----------------------------------------------------------------------


def test_the_calendar_shows_planned_and_done_visits_with_their_windows() -> None:
    w8 = _osaka_w8()
    assert w8.planned_date
    assert w8.window_start
    assert w8.window_end
    client = login("osaka")
    page = client.get(reverse("visit_calendar"), {"month": f"{w8.planned_date:%Y-%m}"})
    html = page.content.decode()

    def day(d: dt.date) -> str:
        start = html.index(f'id="day-{d:%Y-%m-%d}"')
        return html[start : html.index("</td>", start)]

    label = f"{w8.subject.label} W8"
    assert label in day(w8.planned_date)
    assert "planned" in day(w8.planned_date)
    assert "◆" in day(w8.planned_date)
    if w8.window_start.month == w8.planned_date.month:
        assert "window opens" in day(w8.window_start)
    if w8.window_end.month == w8.planned_date.month:
        assert "window closes" in day(w8.window_end)
        assert (
            "in-window"
            in html[html.rindex("<td", 0, html.index(f'id="day-{w8.window_end:%Y-%m-%d}"')) :][:200]
        )

    w0 = Visit.objects.get(subject__screening_number="S-101", code="W0")
    assert w0.date is not None
    done = client.get(reverse("visit_calendar"), {"month": f"{w0.date:%Y-%m}"}).content.decode()
    start = done.index(f'id="day-{w0.date:%Y-%m-%d}"')
    assert f"{w0.subject.label} W0" in done[start : done.index("</td>", start)]
    assert "✓" in done[start : done.index("</td>", start)]


def test_the_calendar_refuses_a_month_that_is_not_one() -> None:
    response = login("osaka").get(reverse("visit_calendar"), {"month": "2026-13"})
    assert response.status_code == 400
    assert "2026-13 is not a month" in response.content.decode()


def test_the_worklists_grid_and_calendar_in_japanese() -> None:
    staff = _user("osaka").staff
    staff.language = "ja"
    staff.save()
    client = login("osaka")
    home = client.get(reverse("home")).content.decode()
    assert "件の来院予定" in home
    assert "7日後に開始" in home
    grid = client.get(reverse("status_grid", args=["OSK"])).content.decode()
    assert "未実施の来院" in grid
    assert "クエリあり" in grid
    calendar = client.get(reverse("visit_calendar")).content.decode()
    assert "来院カレンダー" in calendar
    assert "月" in calendar


# -- complete means complete (protocol.completeness) ------------------------------------------


def _empty_sledai_at_w4() -> Visit:
    """Osaka's week 4 done, its labs entered and a SLEDAI-2K saved with nothing answered."""
    w4 = Visit.objects.get(subject__screening_number="S-101", code="W4")
    assert w4.window_end is not None
    services.set_visit_date(_user("osaka"), w4, w4.window_end, w4.version)
    w4.refresh_from_db()
    services.save_form(_user("osaka"), w4, "labs", _visit_forms(4, 20, True)["labs"], 0)
    services.save_form(_user("osaka"), w4, "sledai2k", {}, 0)
    return w4


def test_a_saved_form_with_required_items_unanswered_is_incomplete() -> None:
    w4 = _empty_sledai_at_w4()
    lists = worklists(_user("osaka"))
    [sledai] = [m for m in lists.incomplete_forms if m.crf.code == "sledai2k"]
    assert sledai.form is not None  # saved, not missing
    assert "arthritis" in sledai.missing
    assert "low_complement" not in sledai.missing  # the labs decide it (Gladman 2002)
    page = login("osaka").get(reverse("home")).content.decode()
    assert "SLEDAI-2K</a> — " in page
    grid = login("osaka").get(reverse("status_grid", args=["OSK"])).content.decode()
    cell = _cell(grid, w4, "sledai2k")
    assert "state-incomplete" in cell
    assert FormState.INCOMPLETE.symbol in cell
    assert str(FormState.INCOMPLETE.label) in cell
    assert "state-entered" in _cell(grid, w4, "labs")  # every required result given


def test_the_demo_visits_are_complete() -> None:
    """The demo's forms answer every required item (SLEDAI-2K lab descriptors by the labs)."""
    assert worklists(_user("investigator")).incomplete_forms == []
    assert worklists(_user("osaka")).incomplete_forms == []
