"""Japanese throughout (issue 18), decided suggestions: what the rule found, in the reader's
language after a person confirmed or dismissed it.

A decision stores the finding's code and plain values beside its English sentence
(`SuggestionDecision.code`, ``params``) and writes them in the same trail entry; the pages word
them from there, and a decision stored before them keeps showing its English. A suggestion
confirmed by a Japanese reader enters the log worded in Japanese, as they confirmed it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.audit.models import AuditEntry
from lupustrial.edc.audit.trail import decode_value
from lupustrial.edc.audit.verification import verify
from lupustrial.edc.deviations import finding_text, services
from lupustrial.edc.deviations.models import Deviation, SuggestionDecision
from lupustrial.edc.reconciliation import reconcile
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import Subject
from tests.edc.clients import login
from tests.edc.test_japanese_eligibility import english_words, visible

pytestmark = pytest.mark.usefixtures("demo")


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _osaka_w4() -> str:
    return f"visit_window:{Subject.objects.get(screening_number='S-101').label}:W4"


def _consent_key() -> str:
    """A suggestion whose values hold dates in a list of pairs (the hardest to keep as JSON)."""
    candidate = Subject.objects.get(screening_number="S-003")
    screening = study.screening_record(candidate)
    assert screening is not None
    assert screening.screening_sledai2k is not None
    day = screening.screening_sledai2k.date
    assert day is not None
    at = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), candidate.site.zone)
    study.record_consent(_user("coordinator"), candidate, "1.0", at)
    (found,) = [s for s in services.pending(_user("coordinator")) if s.subject == candidate.label]
    return found.key


def _pending(key: str) -> Any:
    (found,) = [s for s in services.pending(_user("monitor")) if s.key == key]
    return found


def test_a_decision_keeps_the_code_and_plain_values_in_its_row_and_its_trail_entry() -> None:
    key = _consent_key()
    suggestion = _pending(key)
    decision = services.dismiss_suggestion(_user("coordinator"), key, "consent was oral first")
    decision.refresh_from_db()
    assert decision.code == "consent_after_procedure"
    plain = json.loads(json.dumps(decision.params))  # JSON as it is, no date objects
    assert plain == decision.params
    assert plain["consent"] == suggestion.params["consent"].isoformat()
    entry = AuditEntry.objects.get(form="deviation_suggestion")
    new = decode_value(entry.new_value)
    assert new["code"] == decision.code
    assert new["params"] == decision.params
    assert new["finding"] == suggestion.description  # the English sentence is kept as it was


def test_a_decided_finding_reads_in_both_languages_from_its_stored_values() -> None:
    key = _consent_key()
    suggestion = _pending(key)
    with translation.override("ja"):
        live = finding_text.finding(suggestion)
    decision = services.dismiss_suggestion(_user("coordinator"), key, "consent was oral first")
    decision = SuggestionDecision.objects.get(pk=decision.pk)  # as read back from the database
    with translation.override("en"):
        assert finding_text.decided(decision) == suggestion.description
    with translation.override("ja"):
        assert finding_text.decided(decision) == live
        assert english_words(live.replace("SLEDAI-2K", " ")) == [], live


def test_a_decision_stored_before_the_codes_keeps_its_english() -> None:
    decision = services.dismiss_suggestion(_user("osaka"), _osaka_w4(), "held; date not entered")
    SuggestionDecision.objects.filter(pk=decision.pk).update(code="", params={})
    decision.refresh_from_db()
    with translation.override("ja"):
        assert finding_text.decided(decision) == decision.description


def test_a_suggestion_confirmed_in_japanese_enters_the_log_in_japanese() -> None:
    key = _osaka_w4()
    suggestion = _pending(key)
    with translation.override("ja"):
        worded = finding_text.finding(suggestion)
    client = login("osaka", "ja")
    client.post(reverse("deviation_decide"), {"key": key, "decision": "confirm", "serious": "no"})
    deviation = Deviation.objects.get(suggestion_key=key)
    assert deviation.description == worded
    assert english_words(deviation.description) == []
    page = client.get(reverse("deviation", args=[deviation.pk])).content.decode()
    assert worded in page  # the change form starts from it
    decision = SuggestionDecision.objects.get(key=key)
    assert decision.description == suggestion.description  # what the rule found, in English


def test_a_suggestion_confirmed_in_english_enters_the_log_as_before() -> None:
    key = _osaka_w4()
    suggestion = _pending(key)
    login("osaka").post(
        reverse("deviation_decide"), {"key": key, "decision": "confirm", "serious": "no"}
    )
    assert Deviation.objects.get(suggestion_key=key).description == suggestion.description


def _decided_cells(html: str) -> list[str]:
    section = html.partition('id="decided"')[2]
    return [visible(c) for c in re.findall(r'class="finding">(.*?)</td>', section, re.S)]


def test_the_deviations_page_shows_decided_findings_in_the_readers_language() -> None:
    dismissed = _consent_key()
    dismissed_finding = _pending(dismissed).description
    services.dismiss_suggestion(_user("coordinator"), dismissed, "consent was oral first")
    confirmed = _osaka_w4()
    confirmed_finding = _pending(confirmed).description
    services.confirm_suggestion(_user("osaka"), confirmed, serious=False)
    english = login("monitor").get(reverse("deviations")).content.decode()
    cells = _decided_cells(english)
    assert sorted(cells) == sorted([dismissed_finding, confirmed_finding])
    assert "consent was oral first" in english.partition('id="decided"')[2]
    japanese = login("monitor", "ja")
    cells = _decided_cells(japanese.get(reverse("deviations")).content.decode())
    assert len(cells) == 2
    for cell in cells:
        assert english_words(cell.replace("SLEDAI-2K", " ")) == [], cell


def _sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("column", "value", "named"),
    [
        ("code", "visit_missed", "code: the record holds 'visit_missed'"),
        ("params", json.dumps({"visit": "W8", "end": "2026-01-01"}), "params: the record holds"),
    ],
)
def test_a_decisions_code_or_values_changed_behind_the_application_are_named(
    column: str, value: str, named: str
) -> None:
    decision = services.dismiss_suggestion(_user("osaka"), _osaka_w4(), "held; date not entered")
    assert reconcile() == []
    _sql(f"UPDATE deviations_suggestiondecision SET {column} = %s WHERE id = %s",
         [value, decision.pk])  # fmt: skip
    lines = [d.line() for d in reconcile()]
    expected = f"suggested deviation {decision.key} {named}"
    assert any(expected in line for line in lines), lines
    assert not verify().intact


def _dismissal(key: str, **changed: Any) -> dict[str, Any]:
    suggestion = _pending(key)
    new = {
        "decision": "dismissed",
        "finding": suggestion.description,
        "code": suggestion.code,
        "params": services.plain_params(suggestion),
        "deviation": None,
        **changed,
    }
    return {"seq": 7, "action": "update", "form": "deviation_suggestion", "field": key,
            "new": new, "reason": "held; date not entered"}  # fmt: skip


def test_an_imported_decision_finds_what_the_files_decision_found() -> None:
    from lupustrial.edc import odm_deviations

    key = _osaka_w4()
    odm_deviations.decide(_user("osaka"), _dismissal(key))
    assert SuggestionDecision.objects.get(key=key).code == "visit_not_done"


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        ({"code": "visit_missed"}, "(code)"),
        ({"params": {"visit": "W4", "end": "2026-01-01"}}, "(params)"),
        ({"finding": "W4 missed"}, "(finding)"),
    ],
)
def test_an_imported_decision_that_finds_otherwise_stops_the_import(
    changed: dict[str, Any], named: str
) -> None:
    from lupustrial.edc import odm_deviations

    with pytest.raises(odm_deviations.DeviationReplayError, match=re.escape(named)):
        odm_deviations.decide(_user("osaka"), _dismissal(_osaka_w4(), **changed))


def test_an_imported_decision_from_before_the_codes_gets_the_one_found() -> None:
    from lupustrial.edc import odm_deviations

    note = _dismissal(_osaka_w4())
    del note["new"]["code"], note["new"]["params"]
    odm_deviations.decide(_user("osaka"), note)
    assert SuggestionDecision.objects.get().code == "visit_not_done"
