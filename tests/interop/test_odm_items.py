"""The ODM items declared from the forms' models, and their values, exactly (issue 20)."""

from __future__ import annotations

import pytest

from lupustrial.interop.odm.items import (
    FormSpec,
    ItemSpec,
    OdmError,
    decode,
    encode,
    field_path,
    locate,
    unflatten,
)
from lupustrial.protocol.crfs import CRF_MODELS
from lupustrial.protocol.screening import ScreeningRecord


@pytest.mark.parametrize(
    ("trail_field", "item_path", "row"),
    [
        ("c3.value.value", "c3.value.value", ""),
        ("doses.0.dose.unit", "doses.*.dose.unit", "1"),
        ("doses.11.drug", "doses.*.drug", "12"),
        ("rows.2.cells.0.x", "rows.*.cells.*.x", "3.1"),
    ],
)
def test_a_trail_field_is_an_item_and_a_row_and_back(
    trail_field: str, item_path: str, row: str
) -> None:
    assert locate(trail_field) == (item_path, row)
    assert field_path(item_path, row) == trail_field


def test_a_repeat_key_that_does_not_fit_its_item_is_an_error() -> None:
    with pytest.raises(OdmError):
        field_path("doses.*.drug", "")


def test_every_field_of_every_form_is_one_item_with_a_type() -> None:
    forms = [FormSpec(code, code, code, model).with_items() for code, model in CRF_MODELS.items()]
    forms.append(FormSpec("screening", "s", "s", ScreeningRecord, per_visit=False).with_items())
    paths = {(f.code, i.path): i for f in forms for i in f.items}
    assert paths[("labs", "c3.value.value")].units  # a number with its accepted units
    assert "g/L" in paths[("labs", "c3.value.unit")].choices
    assert paths[("glucocorticoids", "doses.*.dose.value")].group == "doses.*"
    assert paths[("glucocorticoids", "doses")].as_json  # the list itself: "recorded, none"
    assert paths[("sledai2k", "seizure")].data_type == "boolean"
    assert paths[("vitals", "systolic_mmhg")].data_type == "integer"
    assert paths[("infusion", "given")].data_type == "boolean"
    assert paths[("screening", "date_of_birth")].data_type == "date"
    types = {i.data_type for i in paths.values()}
    assert types <= {"text", "integer", "float", "boolean", "date", "datetime"}


@pytest.mark.parametrize(
    ("spec", "value", "text"),
    [
        (ItemSpec("f", "x", "boolean"), True, "true"),
        (ItemSpec("f", "x", "integer"), 12, "12"),
        (ItemSpec("f", "x", "float"), 0.1, "0.1"),
        (ItemSpec("f", "x", "text"), "全身性エリテマトーデス", "全身性エリテマトーデス"),
        (ItemSpec("f", "x", "date"), "2026-09-12", "2026-09-12"),
        (ItemSpec("f", "x", "text", as_json=True), [], "[]"),
        (ItemSpec("f", "x", "text", as_json=True), ["a", "b"], '["a", "b"]'),
    ],
)
def test_values_are_written_exactly(spec: ItemSpec, value: object, text: str) -> None:
    assert encode(spec, value) == text
    assert decode(spec.data_type, spec.as_json, text) == value


@pytest.mark.parametrize(
    ("spec", "value"),
    [
        (ItemSpec("f", "x", "integer"), "twelve"),
        (ItemSpec("f", "x", "integer"), True),
        (ItemSpec("f", "x", "boolean"), 1),
        (ItemSpec("f", "x", "float"), {"value": 1}),
    ],
)
def test_a_value_its_item_cannot_carry_is_an_error_not_a_guess(
    spec: ItemSpec, value: object
) -> None:
    with pytest.raises(OdmError):
        encode(spec, value)


def test_unflatten_rebuilds_rows() -> None:
    flat = {"doses.1.drug": "b", "doses.0.drug": "a", "doses.0.dose.value": 5.0, "note": "x"}
    assert unflatten(flat) == {
        "doses": [{"drug": "a", "dose": {"value": 5.0}}, {"drug": "b"}],
        "note": "x",
    }
