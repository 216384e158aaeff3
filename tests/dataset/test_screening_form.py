"""A screening record in the pseudonymised records (issue 20): every value but the date of
birth, which is the year of birth; a record the screening model refuses is refused here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from lupustrial.dataset.records import ScreeningForm
from lupustrial.protocol.screening import ScreeningRecord

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "screening-eligible.json"


def _record() -> ScreeningRecord:
    return ScreeningRecord.model_validate(json.loads(EXAMPLE.read_text("utf-8")))


def test_the_date_of_birth_becomes_the_year_of_birth() -> None:
    record = _record()
    form = ScreeningForm.of("TKY-001", "S-001", record)
    assert "date_of_birth" not in form.record
    assert form.birth_year == record.date_of_birth.year
    full = record.model_dump(mode="json", exclude_none=True)
    assert form.record == {k: v for k, v in full.items() if k != "date_of_birth"}


def test_a_date_of_birth_or_an_invalid_record_is_refused() -> None:
    form = ScreeningForm.of("TKY-001", "S-001", _record())
    with pytest.raises(ValidationError, match="date of birth stays out"):
        ScreeningForm.model_validate(
            {**form.model_dump(), "record": {**form.record, "date_of_birth": "1990-05-20"}}
        )
    with pytest.raises(ValidationError, match="sex"):
        ScreeningForm.model_validate({**form.model_dump(), "record": {**form.record, "sex": "x"}})
    # diagnosed the year before the birth year: before any day of birth in that year
    with pytest.raises(ValidationError, match="before date_of_birth"):
        ScreeningForm.model_validate(
            {**form.model_dump(), "record": {**form.record, "sle_diagnosis_date": "1989-12-31"}}
        )
