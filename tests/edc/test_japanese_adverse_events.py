"""Japanese throughout (issue 18), adverse events: the form, its history and the causality
grades in the reader's language.

The adverse-event form is made from its model (`protocol.crfs.AdverseEvent`); its help,
relatedness, outcome and action-taken choices fell back to the model's English. Their words are
the catalogue's now, the same as the safety report's Japanese (`safety.report_template`), and the
version history shows stored codes and dates the reader's way. CTCAE/MedDRA terms stay English
(no Japanese CTCAE source).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.study import adverse_events, labels
from lupustrial.edc.study.models import Subject
from lupustrial.protocol.crfs import AdverseEvent
from lupustrial.safety.events import ActionTaken
from lupustrial.safety.report_template import JAPANESE
from tests.edc.clients import login
from tests.edc.test_japanese_eligibility import english_words, visible

pytestmark = pytest.mark.usefixtures("demo")

CHROME = ("lupustrial", "API", "English")  # the name, the API link, the other language's name
# The sources' names, a CTCAE term (kept in English), a time zone, a user.
KEPT = ("CTCAE", "MedDRA", "Other, specify", "JST", "coordinator")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _japanese(who: str = "coordinator") -> Any:
    client = login(who, "ja")
    return client


def _left(html: str) -> list[str]:
    text = visible(html)
    for word in CHROME + KEPT:
        text = text.replace(word, " ")
    return english_words(text)


def _coded() -> dict[str, list[str]]:
    fields = AdverseEvent.model_fields
    return {
        "related": list(get_args(fields["related"].annotation)),
        "outcome": list(get_args(fields["outcome"].annotation)),
        "action_taken": [m.value for m in ActionTaken],
    }


def test_the_coded_values_are_the_safety_reports_words() -> None:
    with translation.override("ja"):
        for field, values in _coded().items():
            for value in values:
                assert labels.value_word(field, value) == JAPANESE[value], (field, value)
    with translation.override("en"):
        for field, values in _coded().items():
            assert [labels.value_word(field, v) for v in values] == values


def test_the_new_adverse_event_form_has_no_english_left() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    page = _japanese().get(reverse("adverse_event_new", args=[subject.pk]))
    assert page.status_code == 200
    left = _left(page.content.decode().replace(subject.label, " "))
    assert left == [], " ".join(left)


def test_the_history_and_the_causality_grades_read_the_readers_way() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    onset = subject.site.today() - dt.timedelta(days=3)
    event = adverse_events.record_adverse_event(
        _user("coordinator"),
        subject,
        {"term": "頭痛", "onset": onset.isoformat(), "grade": 2, "serious": False,
         "related": "possible", "outcome": "recovering", "action_taken": "drug interrupted"},
    )  # fmt: skip
    client = _japanese()
    html = client.get(reverse("adverse_event", args=[event.pk])).content.decode()
    history = visible(html.partition('id="history"')[2])
    for word in ("関連があるかもしれない", "軽快", "休薬", onset.strftime("%Y/%m/%d")):
        assert word in history, word
    assert _left(history) == [], history
    rules = visible(_japanese("investigator").get(reverse("safety_rules")).content.decode())
    assert "possible" not in rules
    assert JAPANESE["probable"] in rules
    english = login("monitor").get(reverse("adverse_event", args=[event.pk]))  # in English
    history = visible(english.content.decode().partition('id="history"')[2])
    assert "possible" in history
    assert "drug interrupted" in history
    assert onset.isoformat() in history


@pytest.mark.usefixtures("demo")
def test_the_reference_safety_informations_version_in_the_readers_language() -> None:
    from lupustrial.protocol.safety.expectedness import ANIFROLUMAB_RSI

    shipped = "as shipped with lupustrial (to be confirmed against the current insert)"
    assert ANIFROLUMAB_RSI.version == shipped  # the protocol's data stays English
    rules = visible(_japanese("investigator").get(reverse("safety_rules")).content.decode())
    assert "to be confirmed against the current insert" not in rules
    assert "lupustrial同梱版（最新の添付文書との照合が必要）" in rules
    english = visible(login("monitor").get(reverse("safety_rules")).content.decode())
    assert f"version {shipped}," in english
