"""`lupustrial score` prints the same bytes whether results are validated as they are built or
built from already-validated values (`StrictModel.trusted`, issue 19)."""

from __future__ import annotations

import hashlib
import json
import math
import random
import struct
from pathlib import Path

import pytest
from tests.cli import score_corpus
from tests.commands import run

from lupustrial.cli.app import json_line
from lupustrial.clinical import model
from lupustrial.clinical.assessment import Assessment, score_assessment
from lupustrial.clinical.model import Reason
from lupustrial.clinical.sledai2k import Sledai2kResult

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASSESSMENTS = ("assessments.jsonl", "assessment-active-nephritis.json")


def _score(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, check: bool, *argv: str
) -> str:
    monkeypatch.setattr(model, "CHECK_RESULTS", check)
    code, out, err = run(capsys, "score", *argv)
    assert code == 0, err
    return out


@pytest.mark.parametrize("name", ASSESSMENTS)
@pytest.mark.parametrize("output", ["json", "text"])
def test_the_output_is_byte_identical_either_way(
    name: str, output: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = (str(EXAMPLES / name), "--format", output)
    validated = _score(capsys, monkeypatch, True, *argv)
    trusted = _score(capsys, monkeypatch, False, *argv)
    assert trusted.encode() == validated.encode()
    assert len(trusted) > 1000


def _examples() -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for name in ASSESSMENTS:
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        lines = text.splitlines() if name.endswith(".jsonl") else [text]
        records.extend(json.loads(line) for line in lines if line.strip())
    return records


@pytest.mark.parametrize("drop", [None, "sledai2k", "glucocorticoids", "pga", "previous", "date"])
def test_every_example_without_a_section_scores_identically(
    drop: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sections left out give the other paths (not computed, unknown components)."""
    for record in _examples():
        data = {key: value for key, value in record.items() if key != drop}
        sledai = data.get("sledai2k")
        if drop == "date" and isinstance(sledai, dict):
            data["sledai2k"] = {k: v for k, v in sledai.items() if k != "date"}
        assessment = Assessment.model_validate(data)
        monkeypatch.setattr(model, "CHECK_RESULTS", True)  # raises if the two builds differ
        validated = score_assessment(assessment).model_dump_json()
        monkeypatch.setattr(model, "CHECK_RESULTS", False)
        assert score_assessment(assessment).model_dump_json() == validated


def test_the_check_catches_a_value_validation_would_convert(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check can fail: text with spaces that validation trims is a difference."""
    monkeypatch.setattr(model, "CHECK_RESULTS", True)
    fields = {
        "lookback_days": 10,
        "lookback_source": " Gladman 2002 ",
        "total": 0,
        "clinical_total": 0,
        "maximum_possible": 0,
        "clinical_maximum_possible": 0,
        "complete": True,
        "present": [],
        "missing": [],
        "derived": [],
        "discrepancies": [],
        "findings": [],
    }
    with pytest.raises(AssertionError, match="Sledai2kResult built without validation differs"):
        Sledai2kResult.trusted(**fields)
    with pytest.raises(TypeError, match="unknown fields colour"):
        Sledai2kResult.trusted(**fields, colour="red")
    with pytest.raises(TypeError, match="missing required field findings"):
        Sledai2kResult.trusted(**{k: v for k, v in fields.items() if k != "findings"})


# The bytes `lupustrial score` printed before the output path was made faster (issue 19),
# as SHA-256: the examples, and a generated file of every example without each section.
BEFORE = {
    ("examples", "json"): "61b915884b37e4d764fece2bee24bf72d47567f1f306ef94be57b500888d7641",
    ("examples", "text"): "0ad590ec650b54f7db4839b6c40deffb1955752650a7b947b705eec338aca286",
    ("generated", "json"): "3ffa0e443c2327f196ddf4631c798ffa7dd5b4a906e938c9da4e72ae4fdabb8f",
    ("generated", "text"): "b0e5762644a38cd859e43606935718130df890980811b6912d1634eb63c52c51",
}

DROPS = (None, "sledai2k", "glucocorticoids", "pga", "previous", "date", "labs", "id")


def _generated(path: Path) -> Path:
    """Every example, then every example without each section in turn, as JSON Lines."""
    with path.open("w", encoding="utf-8") as out:
        for number, record in enumerate(_examples()):
            for drop in DROPS:
                data = {key: value for key, value in record.items() if key != drop}
                sledai = data.get("sledai2k")
                if drop == "date" and isinstance(sledai, dict):
                    data["sledai2k"] = {k: v for k, v in sledai.items() if k != "date"}
                if drop != "id":
                    data["id"] = f"G-{number}-{drop or 'all'}"
                out.write(json.dumps(data, ensure_ascii=False) + "\n")
    return path


@pytest.mark.parametrize("source", ["examples", "generated"])
@pytest.mark.parametrize("output", ["json", "text"])
def test_the_output_is_the_same_bytes_as_before(
    source: str,
    output: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if source == "examples":
        files = [EXAMPLES / name for name in ASSESSMENTS]
    else:
        files = [_generated(tmp_path / "generated.jsonl")]
    printed = b"".join(
        _score(capsys, monkeypatch, False, str(f), "--format", output).encode() for f in files
    )
    assert hashlib.sha256(printed).hexdigest() == BEFORE[(source, output)]


def test_a_varied_corpus_prints_what_it_printed_before(tmp_path: Path) -> None:
    """3,000 drawn assessments (`score_corpus`) print, as JSON and as text, the bytes the
    command printed for them before its scoring was made faster (issue 19)."""
    golden = score_corpus.GOLDEN.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "corpus.jsonl"
    corpus_digest = score_corpus.write_corpus(path)
    assert golden[0] == f"corpus {corpus_digest}", (
        "the corpus itself changed (an input model or the generator): regenerate the golden "
        "file from code known right (`python -m tests.cli.score_corpus` on main before the change)"
    )
    now = score_corpus.golden_lines(path)
    differing = [
        line.split()[0] for line, was in zip(now[2:], golden[2:], strict=True) if line != was
    ]
    assert not differing, f"{len(differing)} records print differently: {differing[:10]}"
    assert now[1] == golden[1], "the text output differs"


# What `json.dumps` and pydantic's serialiser spell differently, or could: floats below 1e-4
# (json 1e-05, pydantic 0.00001), exponents, escapes, non-ASCII text, empty and nested
# containers, and text that looks like the fall-back's triggers.
AWKWARD: tuple[object, ...] = (
    1e-05,
    9.99e-05,
    -1.5e-07,
    6.7e-05,
    1e-10,
    0.0001,
    0.00012,
    1e16,
    1.2345678901234567e19,
    -0.0,
    0.30000000000000004,
    2.5,
    4.0,
    2**70,
    "tab\there, and a newline\n",
    'a "quoted" id: \\ back',
    "\x00\x1f\x7f\u2028 ループス 😀 Ibañez",
    "e-mail 0.0000 {}, []: ",
    [],
    {},
    [{}, [], None, True, False],
    {"nested": {"deeper": [1, 2.0, "3", {"a,\n": ": "}]}},
)


@pytest.mark.parametrize("value", AWKWARD, ids=repr)
def test_a_json_line_is_what_json_dumps_writes_for_the_dump(value: object) -> None:
    reason = Reason.trusted(code="any, code: x", values={"v": value, "w": [value, value]})
    expected = json.dumps(reason.model_dump(mode="json"), ensure_ascii=False)
    assert json_line(reason) == expected


def test_random_floats_are_written_as_json_dumps_writes_them() -> None:
    draws = random.Random(19)
    values = [draws.uniform(-1, 1) * 10.0 ** draws.randint(-9, 20) for _ in range(3000)]
    values += [struct.unpack("d", struct.pack("Q", draws.getrandbits(64)))[0] for _ in range(3000)]
    for value in filter(math.isfinite, values):
        reason = Reason.trusted(code="x", values={"v": value})
        assert json_line(reason) == json.dumps(reason.model_dump(mode="json")), value


def test_a_dose_below_a_ten_thousandth_of_a_milligram_prints_as_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """6.7e-05 mg/day of prednisolone: `json` writes the exponent, so the line must too."""
    record = {
        "id": "tiny",
        "date": "2026-11-02",
        "glucocorticoids": [{"drug": "dexamethasone", "dose": {"value": 1e-05, "unit": "mg"}}],
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    printed = _score(capsys, monkeypatch, False, str(path))
    result = score_assessment(Assessment.model_validate(record))
    assert printed == json.dumps(result.model_dump(mode="json"), ensure_ascii=False) + "\n"
    assert '"mg_per_day": 6.7e-05' in printed
