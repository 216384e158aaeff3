"""The subject page's visits table is rendered once per row as it shows (issue 19,
`views.VISIT_ROWS`): a change to a visit (its date, its forms and so its scores, missed and
why) or the reader's language shows at once; an unchanged row is not rendered again.

`test_dashboard_by_trail` compares every kept page with a fresh one (the rows cleared too)
after every kind of change; here each change the row shows, one by one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from lupustrial.edc.study import services
from lupustrial.edc.study.views import SUBJECT_PAGES, VISIT_ROWS
from tests.edc.clients import login
from tests.edc.test_dashboard_by_trail import (
    _osaka_w4,
    _page,
    _save_form,
    _subject_url,
    _user,
    _visit_date,
)

pytestmark = pytest.mark.usefixtures("demo")


def _visits_table(client: Client) -> str:
    page = _page(client, _subject_url("osaka"))
    table = re.search(r'<table class="visits">.*?</table>', page, re.S)
    assert table is not None
    return table.group(0)


def _kept_and_fresh(client: Client) -> tuple[str, str]:
    """The table with the rows kept (the page itself derived again), then rendered afresh."""
    SUBJECT_PAGES.clear()
    kept = _visits_table(client)
    SUBJECT_PAGES.clear()
    VISIT_ROWS.clear()
    return kept, _visits_table(client)


def _missed() -> None:
    services.mark_missed(_user("osaka"), _osaka_w4(), "The patient was in hospital.")


def test_an_unchanged_row_is_not_rendered_again() -> None:
    client = login("osaka")
    VISIT_ROWS.clear()
    first = _visits_table(client)
    rows = len(VISIT_ROWS)
    assert rows > 1
    SUBJECT_PAGES.clear()  # the page derived again: its rows are the kept ones
    assert _visits_table(client) == first
    assert len(VISIT_ROWS) == rows
    _visit_date()
    _save_form()  # W4's scores: that row (and any it moved) only, not the table
    SUBJECT_PAGES.clear()
    _visits_table(client)
    assert 0 < len(VISIT_ROWS) - rows < rows


def _date_corrected() -> None:
    """W4's date moved a day on (a done visit without forms: only its date changes)."""
    visit = _osaka_w4()
    assert visit.date is not None
    services.set_visit_date(
        _user("osaka"),
        visit,
        visit.date + dt.timedelta(days=1),
        visit.version,
        "The date was entered wrong.",
    )


def _nothing() -> None:
    pass


@pytest.mark.parametrize(
    ("ready", "change", "shown"),
    [
        (_nothing, _visit_date, None),
        (_visit_date, _date_corrected, None),
        (_visit_date, _save_form, None),  # its scores
        (_nothing, _missed, "The patient was in hospital."),
    ],
)
def test_a_change_of_a_visit_shows_in_its_row(
    ready: Callable[[], None], change: Callable[[], None], shown: str | None
) -> None:
    client = login("osaka")
    ready()
    before = _kept_and_fresh(client)[0]
    change()
    kept, fresh = _kept_and_fresh(client)
    assert kept == fresh
    assert kept != before
    if shown:
        assert shown in kept


def test_the_rows_are_in_the_reader_s_language() -> None:
    client = login("osaka")
    _visit_date()
    _save_form()
    english = _visits_table(client)
    client.post(reverse("set_language"), {"language": "ja", "next": "/"})
    SUBJECT_PAGES.clear()
    japanese = _visits_table(client)
    SUBJECT_PAGES.clear()
    VISIT_ROWS.clear()
    assert japanese == _visits_table(client)
    assert japanese != english
