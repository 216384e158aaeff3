"""`lupustrial safety report`: the JSON document, follow-ups linked, the PDF, clear errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.commands import run

EVENTS = str(Path(__file__).resolve().parents[2] / "examples" / "safety-events.json")


def _report(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> dict[str, object]:
    code, _, err = run(capsys, "safety", "report", EVENTS, "--out", str(out), "--no-pdf", *extra)
    assert code == 0, err
    document: dict[str, object] = json.loads((out / "report.json").read_text(encoding="utf-8"))
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
        "generated_at": d["report"]["generated_at"],  # type: ignore[index]
        "rule": "CRB-15-unexpected-serious",
        "recipient": "certified review board (through the head of the institution)",
        "source": d["report"]["source"],  # type: ignore[index]
        "rule_confirmed": True,
        "day_zero": "2026-03-02",
        "due": "2026-03-17",
    }
    event = d["event"]
    assert event["meddra_code"] == 10035664  # type: ignore[index]
    assert event["action_taken_with_anifrolumab"] == "drug interrupted"  # type: ignore[index]
    assert event["course"].startswith("Fever and cough")  # type: ignore[index]
    assert d["seriousness"]["criteria"][0]["label_ja"].startswith("治療のために")  # type: ignore[index]
    assert d["expectedness"]["value"] == "unexpected"  # type: ignore[index]
    assert d["causality"] == {  # type: ignore[comparison-overlap]
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
    assert d["report"]["kind"] == "follow-up"  # type: ignore[index]
    assert d["report"]["follows"] == {"number": "AE-S03-1/1", "submitted_on": None}  # type: ignore[index]
    assert d["event"]["outcome"] == "not recorded"  # type: ignore[index]
    assert d["event"]["course"] == "not recorded"  # type: ignore[index]
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
