"""`lupustrial safety report`: the JSON document, follow-ups linked, the PDF, clear errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.commands import run

EVENTS = str(Path(__file__).resolve().parents[2] / "examples" / "safety-events.json")


def _report(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> dict[str, Any]:
    code, _, err = run(capsys, "safety", "report", EVENTS, "--out", str(out), "--no-pdf", *extra)
    assert code == 0, err
    document: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return document


def test_first_report_states_event_assessment_and_deadline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    d = _report(
        capsys, tmp_path, "--event", "AE-S01-1", "--rule", "CRB-15-unexpected-serious",
        "--number", "AE-S01-1/1",
    )  # fmt: skip
    assert d["report"] == {
        "number": "AE-S01-1/1",
        "kind": "first",
        "follows": None,
        "generated_at": d["report"]["generated_at"],
        "rule": "CRB-15-unexpected-serious",
        "recipient": "certified review board (through the head of the institution)",
        "source": d["report"]["source"],
        "rule_confirmed": True,
        "day_zero": "2026-03-02",
        "due": "2026-03-17",
    }
    event = d["event"]
    assert event["meddra_code"] == 10035664
    assert event["action_taken_with_anifrolumab"] == "drug interrupted"
    assert event["course"].startswith("Fever and cough")
    assert d["seriousness"]["criteria"][0]["label_ja"].startswith("治療のために")
    assert d["expectedness"]["value"] == "unexpected"
    assert d["causality"] == {
        "grade": "possible",
        "suspected": True,
        "scale": "five-point relatedness (eCRF)",
    }
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "疾病等報告" in html
    assert "First report / 第一報" in html


def test_follow_up_links_to_the_first_and_unrecorded_values_say_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    d = _report(
        capsys, tmp_path, "--event", "AE-S03-1", "--rule", "CRB-7", "--number", "AE-S03-1/2",
        "--follows", "AE-S03-1/1",
    )  # fmt: skip
    assert d["report"]["kind"] == "follow-up"
    assert d["report"]["follows"] == {"number": "AE-S03-1/1", "submitted_on": None}
    assert d["event"]["outcome"] == "not recorded"
    assert d["event"]["course"] == "not recorded"
    assert "follows / 先行報告 AE-S03-1/1" in (tmp_path / "report.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event", "AE-X", "--rule", "CRB-7"], "--event: no event 'AE-X'"),
        (["--event", "AE-S01-1", "--rule", "CRB-99"], "--rule: no reporting rule 'CRB-99'"),
        (["--event", "AE-S01-1", "--rule", "CRB-7"], "--rule: CRB-7 does not apply to event"),
    ],
)
def test_a_report_that_cannot_be_made_is_a_clear_error_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "safety", "report", EVENTS, "--out", str(out), "--number", "1", *args
    )
    assert code == 2
    assert message in err
    assert not out.exists()


@pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils is needed to read the PDF back (scripts/system-deps test)",
)
def test_the_pdf_carries_the_report_in_both_languages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "safety", "report", EVENTS, "--out", str(tmp_path), "--event", "AE-S01-1",
        "--rule", "PMDA-15", "--number", "AE-S01-1/PMDA-1",
    )  # fmt: skip
    assert code == 0, err
    assert "report.pdf" in out
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Safety report / 疾病等報告 AE-S01-1/PMDA-1" in text
    assert "Minister of Health, Labour and Welfare (through PMDA)" in text
    assert "drug interrupted" in text


def _visible(html: str) -> str:
    import re
    from html import unescape

    html = re.sub(r"<style\b.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("event", ["AE-S01-1", "AE-S03-1"])
def test_the_report_in_japanese_alone_with_the_same_document(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, event: str
) -> None:
    """--language ja: the page in Japanese only (labels and coded values); report.json the same."""
    import re

    rule = {"AE-S01-1": "CRB-15-unexpected-serious", "AE-S03-1": "CRB-7"}[event]
    args = ["--event", event, "--rule", rule, "--number", "1"]
    if event == "AE-S03-1":
        args += ["--follows", "AE-S03-1/1"]
    english = _report(capsys, tmp_path / "en", *args)
    japanese = _report(capsys, tmp_path / "ja", *args, "--language", "ja")
    for d in (english, japanese):
        d["report"]["generated_at"] = None
    assert japanese == english
    html = (tmp_path / "ja" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    text = _visible(html)
    assert "疾病等報告" in text
    # Free text stays as entered (term, verbatim, course, the rule's source, the RSI document),
    # and the study's title as registered (the registration has no Japanese title).
    d = japanese
    for free in (
        d["study"]["title"],
        d["study"]["registration"],
        d["report"]["rule"],  # an identifier
        d["event"]["term"], d["event"]["verbatim"], d["event"]["course"],
        d["report"]["source"], d["expectedness"]["reference"]["document"],
        d["expectedness"]["reference"]["version"], d["causality"]["scale"],
        d["expectedness"]["listed_reaction"] or "",
    ):  # fmt: skip
        if free:
            text = text.replace(str(free), " ")
    words = [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in {"CTCAE", "MedDRA", "PMDA"}]
    assert not words, words
    if event == "AE-S01-1":
        assert "予測できない" in text
        assert "休薬" in text
        assert "関連があるかもしれない" in text


def test_an_unknown_report_language_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, _, err = run(
        capsys, "safety", "report", EVENTS, "--out", str(out), "--event", "AE-S01-1",
        "--rule", "CRB-15-unexpected-serious", "--number", "1", "--language", "fr",
    )  # fmt: skip
    assert code == 2
    assert "--language 'fr': choose en or ja" in err
    assert not out.exists()
