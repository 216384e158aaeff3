"""`lupustrial score`'s JSON line written with the shared findings' text kept (issue 19): the
same text as `json_line`, each shared result written once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli import score_corpus

from lupustrial.cli import score_json
from lupustrial.cli.app import json_line, json_text
from lupustrial.cli.score_json import assessment_line
from lupustrial.clinical.assessment import Assessment, AssessmentResult, score_assessment

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _results(tmp_path: Path, count: int = 3000) -> list[AssessmentResult]:
    corpus = tmp_path / "corpus.jsonl"
    score_corpus.write_corpus(corpus)
    lines = corpus.read_text(encoding="utf-8").splitlines()[:count]
    lines += (EXAMPLES / "assessments.jsonl").read_text(encoding="utf-8").splitlines()
    return [score_assessment(Assessment.model_validate(json.loads(line))) for line in lines]


def test_the_line_is_json_lines_own_for_a_varied_corpus(tmp_path: Path) -> None:
    """Every section present or not, every kind of finding, twice (the second time from the
    texts kept): identity is the whole key, so two findings never share a text."""
    results = _results(tmp_path)
    for result in results + results:
        assert assessment_line(result) == json_line(result), result.id


@pytest.mark.parametrize("pga", [1e-05, 0.00012, 2.5e-07])
def test_a_float_json_spells_differently_in_a_shared_finding_is_written_by_json(
    pga: float,
) -> None:
    """A PGA of 1e-05 is in a shared finding's evidence (its comparison with the limit)."""
    record = {"id": "tiny", "date": "2026-11-02", "pga": pga, "sledai2k": {"rash": True}}
    result = score_assessment(Assessment.model_validate(record))
    expected = json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
    assert assessment_line(result) == expected
    assert assessment_line(result) == expected  # from the text kept


def test_a_shared_result_is_written_once(monkeypatch: pytest.MonkeyPatch) -> None:
    record = json.loads((EXAMPLES / "assessments.jsonl").read_text().splitlines()[0])
    first = score_assessment(Assessment.model_validate(record))
    second = score_assessment(Assessment.model_validate(record))
    written: list[str] = []
    original = json_text

    def counting(indented: bytes) -> str | None:
        written.append(indented.decode()[:40])
        return original(indented)

    monkeypatch.setattr(score_json, "json_text", counting)
    monkeypatch.setattr(score_json, "_TEXTS", {})
    assessment_line(first)
    assert len(written) == 1 + 24 + 5 + 4  # the rest, each finding, each component
    written.clear()
    assert assessment_line(second) == json_line(first)
    # The rest and the two prednisolone findings (not shared: they carry the doses).
    assert len(written) == 3, written


def test_the_texts_kept_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score_json, "TEXTS_KEPT", 10)
    monkeypatch.setattr(score_json, "_TEXTS", {})
    for result in _results(tmp_path, 200):
        assert assessment_line(result) == json_line(result)
        assert len(score_json._TEXTS) <= 10
