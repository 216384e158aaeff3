"""A subject page is kept until that subject's part of the audit trail moves (issue 19,
`study.by_trail.subject_head`), not until anything in the study moves.

`test_dashboard_by_trail.py` makes every kind of change (to this subject, to others, at study
level) and requires each watcher's kept subject page to be the fresh one. Here: a change to
another subject, or a sign-in, leaves the page kept (no derivation); a change to the subject
derives it again; and each part of the key is needed: without the subject's own entries, or
without the study's set-up entries (a site's name, a user's name), the kept page goes stale.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lupustrial.edc.accounts import services as accounts
from lupustrial.edc.study import by_trail
from lupustrial.edc.study.views import SUBJECT_PAGES
from tests.edc.clients import login
from tests.edc.test_dashboard_by_trail import (
    _kept_and_fresh,
    _page,
    _raise_query,
    _register,
    _rename_site,
    _rename_user,
    _save_form,
    _subject_url,
    _user,
    _visit_date,
)

pytestmark = pytest.mark.usefixtures("demo")


def test_other_subjects_changes_and_sign_ins_leave_the_page_kept() -> None:
    client = login("coordinator")
    url = _subject_url("coordinator")  # Tokyo's S-001
    first = _page(client, url)
    derived = SUBJECT_PAGES.derivations
    _visit_date()  # Osaka's subject: its week-4 date, then a form
    _save_form()
    _register()  # a new candidate at Tokyo
    accounts.record_login(_user("monitor"), "test")
    assert _page(client, url) == first
    assert SUBJECT_PAGES.derivations == derived
    _raise_query()  # on S-001's form: its page lists it for the data manager, and derives again
    _page(client, url)
    assert SUBJECT_PAGES.derivations == derived + 1


def _only_the_subject(pk: int) -> tuple[by_trail.Head, ...]:
    return by_trail.latest_of(by_trail.subject_entries(pk))


def _only_set_up(pk: int) -> tuple[by_trail.Head, ...]:
    return by_trail.latest_of(by_trail.set_up_entries())


@pytest.mark.parametrize(
    ("head", "change", "watcher"),
    [
        (_only_the_subject, _rename_site, "coordinator"),
        (_only_the_subject, _rename_user, "coordinator"),
        (_only_set_up, _raise_query, "datamanager"),
    ],
)
def test_without_each_part_of_the_key_a_kept_page_goes_stale(
    monkeypatch: pytest.MonkeyPatch,
    head: Callable[[int], tuple[by_trail.Head, ...]],
    change: Callable[[], None],
    watcher: str,
) -> None:
    """The checks of `test_dashboard_by_trail` would catch a key that misses either part."""
    client = login(watcher)
    url = _subject_url(watcher)
    assert _kept_and_fresh(client, url)[0] == _page(client, url)
    monkeypatch.setattr("lupustrial.edc.study.views.subject_head", head)
    _page(client, url)  # kept under the crippled key
    change()
    kept, fresh = _kept_and_fresh(client, url)
    assert kept != fresh
