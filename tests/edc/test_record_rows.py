"""The subject page's reads in SQL written here (`study.record_rows`, issue 19) give what the
ORM gives: every instance, field value, cached relation and prefetched list of
``select_related`` and ``prefetch_related_objects(*SUBJECT_RECORD)``, and the subject page
derived from them is the page derived from the ORM's reads, byte for byte (SQLite and, with
DATABASE_URL, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model, prefetch_related_objects
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from lupustrial.edc.study import adverse_events, record_rows, services, views
from lupustrial.edc.study.models import AdverseEvent, Consent, Identity, Subject, Visit
from tests.edc.clients import login
from tests.edc.test_dashboard_by_trail import _page

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


@pytest.fixture
def varied(demo: None) -> None:
    """The demo, with what its subjects lack: adverse events at a visit and between visits,
    a consent withdrawn in part, one without who entered it (an imported one), a candidate
    without an identity row, and a form declared not done."""
    tokyo = Subject.objects.select_related("site").get(screening_number="S-001")
    assert tokyo.first_infusion_date is not None
    onset = tokyo.first_infusion_date + dt.timedelta(days=12)
    event = {
        "term": "Herpes zoster",
        "onset": onset.isoformat(),
        "grade": 2,
        "serious": False,
        "related": "possible",
        "outcome": "not recovered",
    }
    w4 = Visit.objects.get(subject=tokyo, code="W4")
    adverse_events.record_adverse_event(_user("coordinator"), tokyo, event)
    adverse_events.record_adverse_event(_user("coordinator"), tokyo, {**event, "grade": 1}, w4)
    services.withdraw_consent(
        _user("coordinator"), tokyo, tokyo.site.today(), "no_further_data", "no more blood"
    )
    Consent.objects.filter(subject__screening_number="S-101").update(entered_by=None)
    Identity.objects.filter(subject__screening_number="S-003").delete()


def _as_orm(pk: int, identity: bool) -> Subject:
    related = ["site", *(["identity"] if identity else [])]
    subject = Subject.objects.select_related(*related).get(pk=pk)
    prefetch_related_objects([subject], *services.SUBJECT_RECORD)
    return subject


def _fields(instance: Model) -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(instance).items()
        if name not in {"_state", "_prefetched_objects_cache"}
    }


def _same_row(ours: Model | None, orm: Model | None) -> None:
    assert type(ours) is type(orm)
    if ours is None or orm is None:
        return
    assert _fields(ours) == _fields(orm)
    assert (ours._state.db, ours._state.adding) == (orm._state.db, orm._state.adding)


def _same(ours: Model, orm: Model) -> None:
    """The same row, the same relations cached (each the same row) and the same prefetched
    lists (each the same, recursively, filtered by the same statement)."""
    _same_row(ours, orm)
    assert set(ours._state.fields_cache) == set(orm._state.fields_cache)
    for name, related in orm._state.fields_cache.items():
        _same_row(ours._state.fields_cache[name], related)
    ours_lists = getattr(ours, "_prefetched_objects_cache", {})
    orm_lists = getattr(orm, "_prefetched_objects_cache", {})
    assert set(ours_lists) == set(orm_lists)
    for name, queryset in orm_lists.items():
        mine = ours_lists[name]
        assert str(mine.query) == str(queryset.query)
        assert len(list(mine)) == len(list(queryset))
        for a, b in zip(mine, queryset, strict=True):
            _same(a, b)


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize("identity", [True, False])
def test_the_record_is_the_orm_s(identity: bool) -> None:
    for pk in Subject.objects.values_list("pk", flat=True):
        subject = record_rows.read_subject(pk, identity=identity)
        assert subject is not None
        record_rows.read_record(subject)
        _same(subject, _as_orm(pk, identity))
        orm_events = adverse_events.adverse_events(subject, people=False)
        events = record_rows.read_adverse_events(subject)
        assert [e.pk for e in events] == [e.pk for e in orm_events]
        for ours, orm in zip(events, orm_events, strict=True):
            _same_row(ours, orm)
            _same_row(ours.visit, orm.visit)
    assert AdverseEvent.objects.filter(visit__isnull=False).exists()
    assert AdverseEvent.objects.filter(visit__isnull=True).exists()


def test_no_such_subject() -> None:
    assert record_rows.read_subject(10**9, identity=True) is None


def _from_the_orm(request: HttpRequest, pk: int) -> tuple[Subject, list[AdverseEvent]]:
    """What the page read before `record_rows`: the ORM's reads of the same record."""
    subject = views._subject(request, pk)
    prefetch_related_objects([subject], *services.SUBJECT_RECORD)
    return subject, adverse_events.adverse_events(subject, people=False)


def _fresh(client: Client, url: str) -> str:
    views.SUBJECT_PAGES.clear()
    views.VISIT_ROWS.clear()
    views.DECISION_PANELS.clear()
    return _page(client, url)


@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize("watcher", ["coordinator", "osaka", "monitor", "datamanager"])
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_page_is_the_one_the_orm_s_reads_give(
    monkeypatch: pytest.MonkeyPatch, watcher: str, language: str
) -> None:
    client = login(watcher, language)
    pages = 0
    for pk in Subject.objects.values_list("pk", flat=True):
        url = reverse("subject", args=[pk])
        if client.get(url).status_code != 200:  # another site's subject
            continue
        ours = _fresh(client, url)
        with monkeypatch.context() as patched:
            patched.setattr(views, "_subject_record", _from_the_orm)
            assert _fresh(client, url) == ours
        pages += 1
    assert pages >= 1
