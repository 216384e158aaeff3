"""Japanese throughout (issue 18), suggested deviations: what the rule found, in Japanese.

The protocol layer gives each suggestion a code and plain values beside its English
description (`protocol.deviations`); the web layer words them (`edc/deviations/finding_text`).
Every kind of finding is worded in Japanese with no English word left, and in English word for
word as the description; the deviation page and the dashboard show the worded findings.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from lupustrial.edc.deviations import finding_text, services
from lupustrial.edc.study import services as study
from lupustrial.edc.study.models import Subject
from lupustrial.protocol import deviations as rules
from lupustrial.protocol.config import DEFAULT_PROTOCOL
from tests.edc.clients import login
from tests.edc.test_japanese_eligibility import english_words, visible

D = dt.date
RULES = rules.DeviationRules()
LIVE = DEFAULT_PROTOCOL.live_vaccines
WINDOW = DEFAULT_PROTOCOL.live_vaccine_window_days

FINDINGS: list[rules.Suggestion | None] = [
    rules.visit_window_finding("S", "W4", (D(2026, 3, 1), D(2026, 3, 15)), D(2026, 3, 20),
                               False, D(2026, 4, 1)),
    rules.visit_window_finding("S", "W4", (D(2026, 3, 1), D(2026, 3, 15)), None, True,
                               D(2026, 3, 10)),
    rules.visit_window_finding("S", "W8", (D(2026, 3, 1), D(2026, 3, 15)), None, False,
                               D(2026, 3, 16)),
    rules.consent_after_procedure("S", D(2026, 2, 10), {"screening SLEDAI-2K": D(2026, 2, 1),
                                                        "pregnancy test": D(2026, 2, 3)}),
    rules.enrolled_not_eligible("S", "ineligible", ["E4", "I2"], D(2026, 3, 1)),
    rules.enrolled_not_eligible("S", "incomplete", [], D(2026, 3, 1)),
    rules.signature_voided("S", "7", D(2026, 3, 2)),
    rules.prohibited_medication("S", "W8", "Rituximab", D(2026, 3, 1), RULES),
    rules.prohibited_medication("S", "W8", "Benlysta", None, RULES),
    rules.infusion_finding("S", "W4", D(2026, 3, 1), 150.0, D(2026, 2, 1), RULES),
    rules.infusion_finding("S", "W4", D(2026, 3, 1), 300.0, D(2026, 1, 1), RULES),
    rules.infusion_finding("S", "W4", D(2026, 3, 29), 150.0, D(2026, 3, 1), RULES),
    rules.live_vaccine("S", "W0", "MMR", D(2026, 2, 20), D(2026, 3, 1), LIVE, WINDOW),
    rules.live_vaccine("S", "W4", "varicella", D(2026, 3, 20), D(2026, 3, 1), LIVE, WINDOW),
    rules.live_vaccine("S", "W4", "yellow fever", None, None, LIVE, WINDOW),
]  # fmt: skip


def _findings() -> list[rules.Suggestion]:
    found = [f for f in FINDINGS if f is not None]
    assert len(found) == len(FINDINGS)  # every case above is a finding
    return found


def test_every_kind_of_finding_is_covered() -> None:
    assert {f.code for f in _findings()} == set(finding_text._WORDING)


@pytest.mark.parametrize("suggestion", _findings(), ids=lambda s: s.description)
def test_a_finding_in_english_reads_as_its_description(suggestion: rules.Suggestion) -> None:
    with translation.override("en"):
        assert finding_text.finding(suggestion) == suggestion.description


@pytest.mark.parametrize("suggestion", _findings(), ids=lambda s: s.description)
def test_a_finding_in_japanese_has_no_english_left(suggestion: rules.Suggestion) -> None:
    with translation.override("ja"):
        worded = finding_text.finding(suggestion)
    # A drug or vaccine the catalogue does not name is shown as recorded.
    typed = suggestion.params.get("drug") or suggestion.params.get("vaccine") or ""
    assert english_words(worded.replace(typed, " ") if typed else worded) == [], worded
    for day in re.findall(r"\d{4}-\d{2}-\d{2}", suggestion.description):
        assert day.replace("-", "/") in worded  # dates in the Japanese format


def test_an_unknown_finding_is_named() -> None:
    odd = _findings()[0].model_copy(update={"code": "mystery"})
    with pytest.raises(ValueError, match="mystery"):
        finding_text.finding(odd)


# -- pages -------------------------------------------------------------------------------------


def _user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def _cells(html: str) -> list[str]:
    return [visible(cell) for cell in re.findall(r'class="finding">(.*?)</(?:td|li)>', html, re.S)]


@pytest.mark.usefixtures("demo")
def test_the_pages_word_every_suggestion_in_japanese_and_english_as_before() -> None:
    subject = Subject.objects.get(screening_number="S-001")
    visit = subject.visits.get(code="W8")
    assert visit.date is not None
    data = {"medications": [{"drug": "Rituximab", "start_date": visit.date.isoformat()}]}
    study.save_form(_user("coordinator"), visit, "medications", data, 0)
    screening = dict(subject.screening or {})
    screening["alt"] = {"value": 150, "unit": "U/L"}  # E4 excludes: not eligible, signature void
    study.save_screening(
        _user("coordinator"), subject, screening, subject.screening_version, reason="typo"
    )
    pending = services.pending(_user("investigator"))
    assert {"enrolled_not_eligible", "signature_voided", "prohibited_medication"} <= {
        s.code for s in pending
    }
    english = login("investigator")
    for name in ("deviations", "home"):
        cells = _cells(english.get(reverse(name)).content.decode())
        for suggestion in pending:
            assert any(suggestion.description in cell for cell in cells), suggestion.description
    japanese = login("investigator", "ja")
    for name in ("deviations", "home"):
        cells = _cells(japanese.get(reverse(name)).content.decode())
        assert len(cells) == len(pending)
        for cell in cells:
            for suggestion in pending:  # the dashboard names the subject by its label
                cell = cell.replace(f"{suggestion.subject}:", " ")
            assert english_words(cell) == [], cell
