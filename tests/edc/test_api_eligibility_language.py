"""Japanese throughout (issue 18), the API: `/api/subjects/<pk>/eligibility` in either language.

The answer's ``decision`` is unchanged (the protocol layer's English, as before). Beside it,
``worded`` gives each criterion's wording, status, evidence and missing items with their codes
and values and their lines in the request's language (`eligibility_text`, as the pages word
them): the signed-in user's language, as for the API's other texts (`UserLanguageMiddleware`),
or the one ``?language=`` names.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from lupustrial.edc.study import eligibility_text, services
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login
from tests.edc.test_japanese_eligibility import english_words

pytestmark = pytest.mark.usefixtures("demo")


def _subjects() -> list[Subject]:
    found = [s for s in Subject.objects.order_by("pk") if services.eligibility(s) is not None]
    assert len(found) >= 3
    return found


def _get(client: Client, subject: Subject) -> dict[str, Any]:
    answer = client.get(f"/api/subjects/{subject.pk}/eligibility")
    assert answer.status_code == 200, answer.content
    body: dict[str, Any] = answer.json()
    return body


def _url(subject: Subject, language: str) -> str:
    return f"/api/subjects/{subject.pk}/eligibility?language={language}"


def test_the_decision_is_as_before_whatever_the_language() -> None:
    client = login("monitor")
    for subject in _subjects():
        decision = services.eligibility(subject)
        assert decision is not None
        before = json.loads(json.dumps(decision.model_dump(mode="json")))
        for language in ("en", "ja"):
            body = client.get(_url(subject, language)).json()
            assert body["decision"] == before


def test_the_lines_in_english_are_the_pages_with_their_codes_and_values() -> None:
    client = login("monitor")
    outcomes = set()
    for subject in _subjects():
        decision = services.eligibility(subject)
        assert decision is not None
        body = _get(client, subject)
        worded = body["worded"]
        assert body["language"] == "en"
        assert worded["outcome"] == decision.outcome.value  # the English word is the code
        outcomes.add(decision.outcome.value)
        assert [c["id"] for c in worded["criteria"]] == [c.id for c in decision.criteria]
        with translation.override("en"):
            for criterion, said in zip(decision.criteria, worded["criteria"], strict=True):
                assert [e["text"] for e in said["evidence"]] == eligibility_text.evidence_lines(
                    criterion
                )
                assert [m["text"] for m in said["missing"]] == eligibility_text.missing_lines(
                    criterion
                )
                phrases = criterion.evidence_phrases + criterion.missing_phrases
                codes = [e["code"] for e in said["evidence"] + said["missing"]]
                assert codes == [p.code for p in phrases]
                assert all(isinstance(e["params"], dict) for e in said["evidence"])
    assert len(outcomes) >= 2


def test_the_lines_in_japanese_have_no_english_left() -> None:
    client = login("monitor")
    japanese = login("monitor", "ja")
    for subject in _subjects():
        body = client.get(_url(subject, "ja")).json()
        assert body["language"] == "ja"
        assert _get(japanese, subject)["worded"] == body["worded"]
        worded = body["worded"]
        texts = [worded["outcome"]]
        for criterion in worded["criteria"]:
            texts += [criterion["wording"], criterion["status"]]
            texts += [line["text"] for line in criterion["evidence"] + criterion["missing"]]
        for text in texts:  # "osaka" is a user name, who took the consent
            assert english_words(text.replace("osaka", " ")) == [], text


def test_the_readers_language_is_the_default_and_the_query_overrides_it() -> None:
    subject = _subjects()[0]
    client = login("monitor", "ja")
    assert _get(client, subject)["language"] == "ja"
    english = client.get(_url(subject, "en")).json()
    assert english["language"] == "en"
    assert english["worded"]["outcome"] in ("eligible", "ineligible", "incomplete")


def test_an_unknown_language_is_refused_in_one_line() -> None:
    answer = login("monitor").get(_url(_subjects()[0], "fr"))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "language" in json.dumps(detail)
    assert "en" in json.dumps(detail)
