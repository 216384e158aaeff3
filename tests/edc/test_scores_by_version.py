"""A visit's scores are derived once per version of its forms and reused until one changes
(issue 19): the cache of the one derivation (`protocol.crfs.score_visit`), never stale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from lupustrial.edc.study import records, services
from lupustrial.edc.study.models import FormData, Subject, Visit
from tests.edc.counting import count_calls

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _subject() -> Subject:
    """A fresh read of the subject: nothing prefetched, as each request reads it."""
    return Subject.objects.select_related("site").get(screening_number="S-001")


def _w12() -> Visit:
    return Visit.objects.select_related("subject").get(subject=_subject(), code="W12")


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per call of `score_visit` (a visit derived); both caches start empty."""
    services.SCORES.clear()
    records.VALIDATED.clear()
    return count_calls(monkeypatch, services, "score_visit")


def _uncached() -> dict[int, dict[str, Any]]:
    """The derivation done afresh, for comparison."""
    services.SCORES.clear()
    records.VALIDATED.clear()
    return {pk: r.model_dump() for pk, r in services.derived_for_subject(_subject()).items()}


def test_scores_are_derived_once_and_reused_by_the_next_request(scored: list[int]) -> None:
    first = services.derived_for_subject(_subject())
    assert len(scored) == len(first) == 4  # W0-W12 of the demo's first subject
    again = services.derived_for_subject(_subject())
    assert len(scored) == 4  # nothing derived again
    assert {pk: r.model_dump() for pk, r in again.items()} == _uncached()


def test_a_form_change_derives_that_visit_again_and_shows_the_new_scores(
    scored: list[int],
) -> None:
    w12 = _w12()
    before = services.derived_for_subject(_subject())[w12.pk]
    assert len(scored) == 4
    form = FormData.objects.get(visit=w12, crf="sledai2k")
    services.save_form(
        _user("coordinator"),
        w12,
        "sledai2k",
        {**form.data, "arthritis": True},
        version=form.version,
        reason="Arthritis seen on re-examination",
    )
    after = services.derived_for_subject(_subject())
    assert len(scored) == 5  # only W12, whose form changed (no later visit reads it)
    now, then = after[w12.pk].sledai2k, before.sledai2k
    assert now is not None
    assert then is not None
    assert now.total == then.total + 4  # arthritis: 4 points
    assert {pk: r.model_dump() for pk, r in after.items()} == _uncached()


def test_a_change_of_the_previous_assessment_derives_the_next_visit_again(
    scored: list[int],
) -> None:
    """LLDAS reads the previous assessment: W12's scores follow a change of W8's form."""
    services.derived_for_subject(_subject())
    w8 = Visit.objects.select_related("subject").get(subject=_subject(), code="W8")
    form = FormData.objects.get(visit=w8, crf="sledai2k")
    services.save_form(
        _user("coordinator"),
        w8,
        "sledai2k",
        {**form.data, "rash": not form.data.get("rash", False)},
        version=form.version,
        reason="Corrected",
    )
    after = services.derived_for_subject(_subject())
    assert len(scored) == 4 + 2  # W8 itself and W12, which compares with it
    assert {pk: r.model_dump() for pk, r in after.items()} == _uncached()


def test_a_visit_date_change_derives_it_again(scored: list[int]) -> None:
    w12 = _w12()
    services.derived_for_subject(_subject())
    assert w12.date is not None
    services.set_visit_date(
        _user("coordinator"),
        w12,
        w12.date - dt.timedelta(days=1),
        version=w12.version,
        reason="Date typed wrong",
    )
    after = services.derived_for_subject(_subject())
    assert len(scored) == 5
    assert {pk: r.model_dump() for pk, r in after.items()} == _uncached()
