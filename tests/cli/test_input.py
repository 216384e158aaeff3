"""Reading records: JSON, arrays, JSON Lines; every problem reported, nothing half-read."""

from __future__ import annotations

from pathlib import Path

import pytest

from lupustrial.cli.input import InputError, read_records, read_valid, validate_all
from lupustrial.clinical.sledai2k import Sledai2kInput


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_one_object(tmp_path: Path) -> None:
    records = read_records(write(tmp_path, '{"rash": true}'))
    assert [r.data for r in records] == [{"rash": True}]


def test_an_array(tmp_path: Path) -> None:
    records = read_records(write(tmp_path, '[{"rash": true}, {"rash": false}]'))
    assert [r.where.rsplit("[", 1)[1] for r in records] == ["0]", "1]"]


def test_json_lines_skip_blank_lines(tmp_path: Path) -> None:
    records = read_records(write(tmp_path, '{"rash": true}\n\n{"fever": false}\n'))
    assert [r.data for r in records] == [{"rash": True}, {"fever": False}]
    assert records[1].where.endswith(":3")


def test_broken_json_lines_name_each_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r":2: not valid JSON") as caught:
        read_records(write(tmp_path, '{"rash": true}\n{"fever": \n{"a": 1}{"b"}\n'))
    assert ":3: not valid JSON" in str(caught.value)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_records(str(tmp_path / "absent.json"))
    with pytest.raises(InputError, match="is empty"):
        read_records(write(tmp_path, "  \n"))


def test_validation_reports_every_problem_and_returns_nothing(tmp_path: Path) -> None:
    records = read_records(
        write(tmp_path, '{"rash": true}\n{"seizures": true}\n[1]\n{"fever": "hot"}\n')
    )
    with pytest.raises(InputError) as caught:
        validate_all(Sledai2kInput, records)
    message = str(caught.value)
    assert "nothing was computed" in message
    assert ":2: seizures: unknown field" in message
    assert ":3: expected a JSON object" in message
    assert ":4: fever: Input should be a valid boolean" in message


READ_AND_VALIDATE = {
    "json lines": '{"rash": true}\n\n{"fever": false, "date": "2026-01-02"}\n',
    "one object": '{"rash": true, "lookback_days": 30}',
    "an array": '[{"rash": true}, {"fever": false}]',
    "a duplicate key": '{"rash": true, "rash": false}\n{"fever": true}\n',
    "text as a flag": '{"rash": "true", "fever": 0}\n{"arthritis": 1}\n',
    "broken json": '{"rash": true}\n{"fever": \n{"a": 1}{"b"}\n',
    "a raw tab": '{"rash": true}\n{"rash": true, "labs": {"c3": "\t"}}\n',
    "not objects": '{"rash": true}\n[1]\nnull\n',
    "invalid": '{"rash": true}\n{"seizures": true}\n{"fever": "hot"}\n',
    "not a number": '{"rash": true}\n{"labs": {"platelets": {"value": NaN, "unit": "10^9/L"}}}\n',
    "a lone surrogate": '{"rash": true}\n{"labs": {"anti_dsdna": {"value": 1, '
    '"upper_limit_of_normal": 2, "unit": "\\ud800"}}}\n',
}


@pytest.mark.parametrize("text", READ_AND_VALIDATE.values(), ids=READ_AND_VALIDATE.keys())
def test_reading_and_validating_at_once_is_validating_what_was_read(
    tmp_path: Path, text: str
) -> None:
    """`read_valid` (each JSON line validated from its text, issue 19) gives the same models,
    or the same message, as `validate_all` over `read_records`."""
    path = write(tmp_path, text)
    try:
        expected: list[Sledai2kInput] | str = validate_all(Sledai2kInput, read_records(path))
    except InputError as error:
        expected = str(error)
    try:
        got: list[Sledai2kInput] | str = read_valid(Sledai2kInput, path)
    except InputError as error:
        got = str(error)
    assert got == expected
