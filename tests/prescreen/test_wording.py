"""The printed summary in English and Japanese: every word of it in both languages."""

from __future__ import annotations

import re

import pytest

from lupustrial.prescreen.criteria_ids import CRITERION_IDS
from lupustrial.prescreen.engine import PrescreenResult
from lupustrial.prescreen.report import render
from lupustrial.prescreen.wording import (
    LANGUAGES,
    STEPS_JA,
    TEXT,
    criterion_wording,
    step_label,
)


def _japanese(said: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in said)


def test_every_summary_text_is_in_both_languages() -> None:
    for key, said in TEXT.items():
        assert set(said) == set(LANGUAGES), key
        assert _japanese(said["ja"]), key
        # The same slots, so that neither language loses a number.
        slots = [sorted(re.findall(r"\{(\w+)\}", said[language])) for language in LANGUAGES]
        assert slots[0] == slots[1], key


@pytest.mark.parametrize("criterion", CRITERION_IDS)
def test_every_criterion_reads_in_japanese_from_the_catalogue(criterion: str) -> None:
    english = criterion_wording(criterion, "en")
    japanese = criterion_wording(criterion, "ja")
    assert japanese != english, f"{criterion}: {english!r} is not in the Japanese catalogue"
    assert _japanese(japanese)


def test_render_in_japanese_says_nothing_in_english(duckdb_result: PrescreenResult) -> None:
    english = render(duckdb_result, top=3)
    japanese = render(duckdb_result, top=3, language="ja")
    assert "Funnel" in english
    assert "Candidates:" in english
    for word in ("Funnel", "Candidates", "remaining", "check:", "unknown from records"):
        assert word not in japanese
    for step in duckdb_result.funnel:
        label = step_label(step.step, "ja")
        assert _japanese(label)
        assert label[:33] in japanese
    assert set(STEPS_JA) <= {step.step for step in duckdb_result.funnel}
    # The numbers are the same in both.
    assert f"{len(duckdb_result.candidates):,}" in japanese
