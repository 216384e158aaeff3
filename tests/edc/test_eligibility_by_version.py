"""A subject's eligibility is decided once per screening content and consent, and reused until
one changes (issue 19): a cache of the one decision (`protocol.eligibility.decide_eligibility`
through `services.eligibility`), never stale, not a second derivation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone

from lupustrial.edc.study import services
from lupustrial.edc.study.models import Subject
from lupustrial.protocol.eligibility import ScreeningDecision
from tests.edc.clients import login
from tests.edc.counting import count_calls

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _subject(number: str) -> Subject:
    """A fresh read of the subject, as each request reads it."""
    return Subject.objects.select_related("site").get(screening_number=number)


@pytest.fixture
def decided(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per call of the decision itself; the kept decisions start empty."""
    services.DECISIONS.clear()
    return count_calls(monkeypatch, services, "decide_eligibility")


def _fresh(number: str) -> dict[str, Any]:
    """The decision made afresh, for comparison."""
    services.DECISIONS.clear()
    decision = services.eligibility(_subject(number))
    assert decision is not None
    return decision.model_dump()


def _dump(decision: ScreeningDecision | None) -> dict[str, Any]:
    assert decision is not None
    return decision.model_dump()


def _screening_of(number: str) -> dict[str, Any]:
    """Another subject's saved screening data, as typed into the form (no id, no consent)."""
    data = dict(_subject(number).screening or {})
    data.pop("screening_id", None)
    data.pop("consent", None)
    return data


def test_the_decision_is_made_once_and_reused_by_the_next_request(decided: list[int]) -> None:
    first = services.eligibility(_subject("S-001"))
    assert len(decided) == 1
    again = services.eligibility(_subject("S-001"))
    assert len(decided) == 1  # nothing decided again
    assert _dump(again) == _dump(first) == _fresh("S-001")


def test_changed_screening_data_are_decided_again(decided: list[int]) -> None:
    before = _dump(services.eligibility(_subject("S-003")))
    assert before["outcome"] == "incomplete"
    candidate = _subject("S-003")
    services.save_screening(
        _user("coordinator"),
        candidate,
        _screening_of("S-002"),  # the demo's ineligible candidate's data
        candidate.screening_version,
        reason="Transcription error corrected",
    )
    after = _dump(services.eligibility(_subject("S-003")))
    assert after["outcome"] == "ineligible"
    assert after == _fresh("S-003")


def test_a_first_consent_is_decided_again(decided: list[int]) -> None:
    before = _dump(services.eligibility(_subject("S-003")))
    assert "I5" in before["unknown"] or "I5" in before["failed"]  # no consent yet
    services.record_consent(
        _user("coordinator"), _subject("S-003"), "1.0", timezone.now() - dt.timedelta(hours=1)
    )
    after = _dump(services.eligibility(_subject("S-003")))
    assert after["consent_date"] is not None
    assert after["criteria"] != before["criteria"]
    assert after == _fresh("S-003")


def test_a_rolled_back_save_leaves_no_decision_behind(decided: list[int]) -> None:
    """A save decides eligibility inside its transaction; when that transaction rolls back,
    the next save of the same version number must not find the abandoned decision (the key
    is the screening data themselves, not their version number)."""
    candidate = _subject("S-003")
    version = candidate.screening_version

    def failing_request() -> None:
        with transaction.atomic():
            services.save_screening(
                _user("coordinator"), candidate, _screening_of("S-002"), version, reason="Mistake"
            )
            raise RuntimeError("the request failed after the save")

    with pytest.raises(RuntimeError):
        failing_request()
    services.save_screening(
        _user("coordinator"),
        _subject("S-003"),
        _screening_of("S-001"),  # the demo's eligible subject's data
        version,
        reason="Transcription error corrected",
    )
    assert _subject("S-003").screening_version == version + 1  # the same version number
    kept = _dump(services.eligibility(_subject("S-003")))
    assert kept["failed"] == []
    assert kept == _fresh("S-003")


def _panel(client: Client, number: str) -> str:
    """The subject page's eligibility panel (`edc/_decision.html`)."""
    page = client.get(f"/subjects/{_subject(number).pk}/").content.decode()
    start = page.index('<section class="decision')
    return page[start : page.index("</section>", start)]


def test_the_subject_page_shows_the_changed_decision() -> None:
    """The panel is kept per decision: new screening data show on the page at once."""
    client = login("coordinator")
    assert '<section class="decision incomplete"' in _panel(client, "S-003")
    candidate = _subject("S-003")
    services.save_screening(
        _user("coordinator"),
        candidate,
        _screening_of("S-002"),
        candidate.screening_version,
        reason="Transcription error corrected",
    )
    assert '<section class="decision ineligible"' in _panel(client, "S-003")


def test_the_decision_panel_is_in_the_reader_s_language() -> None:
    """The panel is kept per language: the same decision read in Japanese is in Japanese."""
    client = login("coordinator")
    english = _panel(client, "S-003")
    assert "Eligibility" in english
    profile = _user("coordinator").staff
    profile.language = "ja"
    profile.save(update_fields=["language"])
    japanese = _panel(client, "S-003")
    assert "判定保留" in japanese  # incomplete
    assert "Eligibility" not in japanese
