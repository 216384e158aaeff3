"""The `lupustrial` command as a user runs it: help everywhere, clear errors, no traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.commands import run

from lupustrial.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _every_command() -> list[list[str]]:
    """Every command and sub-command the application registers, found by walking it."""

    def walk(command: Any, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


def test_the_walk_finds_the_commands_of_every_layer() -> None:
    names = {" ".join(path) for path in _every_command()}
    assert {"score", "eligibility", "web demo", "audit verify", "dataset export"} <= names
    assert {"prescreen run", "endpoints", "plan precision", "report"} <= names


@pytest.mark.parametrize("command", _every_command(), ids=lambda path: " ".join(path) or "root")
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert "Usage" in out
    assert len(out.splitlines()) > 3


@pytest.mark.parametrize(
    ("example", "outcome", "failed"),
    [
        ("screening-eligible.json", "eligible", []),
        ("screening-ineligible.json", "ineligible", ["I2", "E1", "E5"]),
        ("screening-incomplete.json", "incomplete", []),
    ],
)
def test_eligibility_on_the_shipped_examples(
    capsys: pytest.CaptureFixture[str], example: str, outcome: str, failed: list[str]
) -> None:
    code, out, err = run(capsys, "eligibility", str(EXAMPLES / example))
    assert code == 0, err
    decision = json.loads(out)
    assert decision["outcome"] == outcome
    assert decision["failed"] == failed
    assert [c["id"] for c in decision["criteria"]][:2] == ["I1", "I2"]


def test_eligibility_text_is_a_checklist_with_what_to_collect(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "eligibility", str(EXAMPLES / "screening-incomplete.json"), "-f", "text"
    )
    assert code == 0
    assert out.startswith("Screening S-003: INCOMPLETE")
    assert "To collect next:\n  - consent\n  - hepatitis.hbv_dna_detectable" in out
    assert "[?] E3" in out
    assert "[✓] E5" in out


def test_eligibility_reads_json_lines_and_rejects_all_if_one_record_is_bad(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = json.loads((EXAMPLES / "screening-eligible.json").read_text(encoding="utf-8"))
    bad = {**good, "screening_id": "S-9", "creatinine": {"value": 1.0, "unit": "furlongs"}}
    lines = tmp_path / "many.jsonl"
    lines.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "eligibility", str(lines))
    assert code == 0
    assert len(out.splitlines()) == 2
    lines.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "eligibility", str(lines))
    assert code == 2
    assert out == ""
    assert "many.jsonl:2: creatinine.unit: unknown unit 'furlongs'" in err
    assert "Traceback" not in err


def test_bad_input_names_the_field_and_prints_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "s.json"
    record: dict[str, object] = {
        "screening_id": "S",
        "sex": "female",
        "date_of_birth": "1990-01-01",
    }
    record |= {"consent": {"date": "2026-01-01"}, "hair": "red"}
    path.write_text(json.dumps(record), encoding="utf-8")
    code, out, err = run(capsys, "eligibility", str(path))
    assert code == 2
    assert out == ""
    assert "consent.form_version: Field required" in err
    assert "hair: unknown field" in err


def test_a_missing_file_is_a_message_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eligibility", "no-such-file.json")
    assert code == 2
    assert out == ""
    assert err.strip() == "lupustrial: no-such-file.json: no such file"


def test_protocol_show_prints_every_criterion_and_the_configuration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "protocol", "show")
    assert code == 0
    for criterion in [*(f"I{n}" for n in range(1, 6)), *(f"E{n}" for n in range(1, 14))]:
        assert f"[ ] {criterion} " in out
    assert "screening_window_days: 28" in out
    assert "hydroxychloroquine" in out
    code, out, _ = run(capsys, "protocol", "show", "--format", "json")
    document = json.loads(out)
    assert len(document["criteria"]) == 18
    assert document["configuration"]["maximum_initial_prednisolone_mg_per_kg"] == 0.6


def test_schema_lists_and_prints_the_screening_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "list")
    assert code == 0
    assert "screening" in out
    assert "assessment" in out
    code, out, _ = run(capsys, "schema", "screening")
    schema = json.loads(out)
    assert "planned_first_dose_date" in schema["properties"]
    code, _, err = run(capsys, "schema", "nonsense")
    assert code == 2
    assert "no schema named 'nonsense'" in err


def test_score_prints_one_json_line_per_assessment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "score", str(EXAMPLES / "assessments.jsonl"))
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["lldas"]["status"] for r in results] == ["met", "met", "not_met"]
    assert results[1]["doris"]["source"].startswith("van Vollenhoven RF")


def test_score_text_explains_the_derived_descriptors(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "assessment-active-nephritis.json")
    code, out, _ = run(capsys, "score", path, "--format", "text")
    assert code == 0
    assert "SLEDAI-2K 19 (clinical 15)" in out
    assert "Leukopenia: met from leukocytes 2800 /mm³ = 2.8 10^9/L < 3 10^9/L" in out
    assert "2019 EULAR/ACR: classified (29 points" in out


def test_score_reads_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO('{"pga": 0.4, "sledai2k": {"rash": true}}'))
    code, out, _ = run(capsys, "score", "-")
    assert code == 0
    assert json.loads(out)["sledai2k"]["total"] == 2


def test_score_rejects_an_impossible_pga_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"pga": 4}', encoding="utf-8")
    code, out, err = run(capsys, "score", str(path))
    assert code == 2
    assert out == ""
    assert "pga: Input should be less than or equal to 3" in err


def test_score_rejects_a_previous_assessment_dated_after_this_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A check that ran only while scoring once escaped as a traceback; now it is input."""
    path = tmp_path / "a.json"
    record = {"date": "2026-01-01", "previous": {"sledai2k": {"date": "2026-01-02"}}}
    path.write_text(json.dumps(record), encoding="utf-8")
    code, out, err = run(capsys, "score", str(path))
    assert (code, out) == (2, "")
    assert "Traceback" not in err
    assert "previous.sledai2k.date 2026-01-02 is after the assessment (2026-01-01)" in err
