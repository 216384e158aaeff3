"""Proof of wholeness (issue 13): random valid data for every eCRF, entered through the
services layer at a scheduled and an unscheduled visit, is found in the exported snapshot
exactly as entered (Parquet and CSV).

The data are generated from the CRF models themselves (`protocol.crfs.CRF_MODELS`), so a
field added to a CRF is generated and checked without touching this test. The number of
values checked is printed (run with ``-s``) and asserted to be large.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import types
import typing
from typing import Any

import annotated_types
import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from lupustrial.clinical.limits import Limits
from lupustrial.clinical.units import Quantity
from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
from lupustrial.edc.export import database_records
from lupustrial.edc.pharmacy.models import DrugLot
from lupustrial.edc.pharmacy.services import receive_lot
from lupustrial.edc.study import services
from lupustrial.edc.study.models import FormData, Subject
from lupustrial.protocol.crfs import CRF_MODELS

pytestmark = pytest.mark.usefixtures("demo")

SKIPPED = {("Labs", "temperature"), ("Sledai2kForm", "date"), ("Sledai2kForm", "labs")}
"""Fields the forms refuse by design: entered once elsewhere (vitals, the visit date, labs)."""
LOT = "PROPERTY-LOT-1"
FIXED = {("Infusion", "lot_number"): st.just(LOT)}
"""Fields whose value must exist elsewhere: an infusion names a lot the site holds (the test
receives it, in date until 2099)."""
TEXT = (
    st.text(alphabet="abcdefgXYZ0123456789 -=+@'\"ループス療法", min_size=1, max_size=12)
    .map(str.strip)  # the models trim surrounding spaces (StrictModel): not data
    .filter(bool)
)
TODAY = dt.date.today()
PAST = st.dates(min_value=dt.date(2020, 1, 1), max_value=TODAY - dt.timedelta(days=1))
CHECKED: list[int] = []


def _decimal(low: float, high: float) -> st.SearchStrategy[float]:
    """Numbers with two decimals inside [low, high], as a user types them."""
    return st.integers(int(low * 100) + 1, int(high * 100)).map(lambda n: n / 100)


def _quantity(kind: type[Quantity], limits: Limits | None) -> st.SearchStrategy[dict[str, Any]]:
    def in_unit(unit: str) -> st.SearchStrategy[dict[str, Any]]:
        low, high = 0.0, 100.0
        if limits is not None and limits.unit is not None:
            bounds = [limits.hard_min or 0.0, limits.hard_max or 100.0]
            low, high = sorted(kind.KIND.convert(b, limits.unit, unit) for b in bounds)
        return _decimal(low, high).map(lambda v: {"value": v, "unit": unit})

    return st.sampled_from(sorted(kind.KIND.factors)).flatmap(in_unit)


def _strategy(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    limits = next((m for m in metadata if isinstance(m, Limits)), None)
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        unpacked = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        return _strategy(inner, [*metadata, *unpacked])
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return st.one_of(*(_strategy(a, metadata) for a in options))
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if origin is list:
        return st.lists(_strategy(typing.get_args(annotation)[0], []), max_size=3)
    if isinstance(annotation, type) and issubclass(annotation, Quantity):
        return _quantity(annotation, limits)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_strategy(annotation)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.sampled_from([e.value for e in annotation])
    if annotation is bool:
        return st.booleans()
    if annotation is str:
        return TEXT
    if annotation is dt.date:
        return PAST.map(dt.date.isoformat)
    if annotation is dt.time:
        return st.times().map(lambda t: t.replace(microsecond=0).isoformat())
    low = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
    high = next((m.le for m in metadata if isinstance(m, annotated_types.Le)), None)
    if limits is not None:
        low, high = limits.hard_min, limits.hard_max
    if annotation is int:
        return st.integers(int(low if low is not None else 1), int(high or 10))
    if annotation is float:
        return _decimal(float(low or 0), float(high or 100))
    raise NotImplementedError(f"no strategy for {annotation!r}")


def model_strategy(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Valid documents of ``model``: every field drawn (optional ones may be absent)."""
    fields = {}
    for name, field in model.model_fields.items():
        if (model.__name__, name) in SKIPPED:
            continue
        fixed = FIXED.get((model.__name__, name))
        value = fixed if fixed is not None else _strategy(field.annotation, list(field.metadata))
        fields[name] = value if field.is_required() else st.none() | value
    drawn = st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )
    return drawn.filter(lambda d: _valid(model, d))


def _valid(model: type[BaseModel], document: dict[str, Any]) -> bool:
    try:
        model.model_validate(document)
    except ValidationError:
        return False
    return True


FORMS = st.fixed_dictionaries({code: model_strategy(model) for code, model in CRF_MODELS.items()})


def _leaves(document: Any, path: str = "") -> dict[str, Any]:
    """A stored document's values by dotted field path; a quantity is one (value, unit)."""
    if isinstance(document, dict):
        if set(document) == {"value", "unit"} and isinstance(document["unit"], str):
            return {path: (document["value"], document["unit"])}
        out: dict[str, Any] = {}
        for key, value in document.items():
            out.update(_leaves(value, f"{path}.{key}" if path else key))
        return out
    if isinstance(document, list):
        if not document:
            return {path: []}
        out = {}
        for index, item in enumerate(document):
            out.update(_leaves(item, f"{path}.{index}"))
        return out
    return {path: document}


def _as_in_snapshot(row: dict[str, Any]) -> Any:
    kind = row["value_kind"]
    if kind == "quantity":
        return (row["value_number"], row["unit"])
    if kind == "none_recorded":
        return []
    if kind == "boolean":
        return row["value_bool"]
    if kind == "date":
        return row["value_date"].isoformat()
    if kind in ("integer", "number"):
        return row["value_number"]
    return row["value_text"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=True,
)
@given(scheduled=FORMS, unscheduled=FORMS)
def test_every_value_entered_is_in_the_snapshot_as_entered(
    scheduled: dict[str, dict[str, Any]],
    unscheduled: dict[str, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    user = get_user_model().objects.get(username="coordinator")
    subject = Subject.objects.get(screening_number="S-001")
    w12 = subject.visits.get(code="W12")
    extra = services.add_unscheduled_visit(user, subject, TODAY - dt.timedelta(days=1))
    if not DrugLot.objects.filter(lot_number=LOT).exists():
        receive_lot(user, subject.site, LOT, dt.date(2099, 12, 31), 10, dt.date(2020, 1, 1))
    entered = {}
    for visit, forms in ((w12, scheduled), (extra, unscheduled)):
        for code, data in forms.items():
            saved = FormData.objects.filter(visit=visit, crf=code).first()
            services.save_form(
                user, visit, code, data, saved.version if saved else 0, "property test"
            )
        entered[visit.code] = forms
    out = tmp_path_factory.mktemp("snap") / "snap"
    cut = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    write_snapshot(database_records(), out, cut, source="database")
    snapshot = read_snapshot(out)
    with (out / "form_values.csv").open(encoding="utf-8", newline="") as file:
        csv_rows = list(csv.DictReader(file))
    checked = 0
    for visit_id, forms in entered.items():
        rows = {
            (r["crf"], r["field"]): r
            for r in snapshot.rows("form_values", subject_id="TKY-001", visit_id=visit_id)
        }
        csv_text = {
            (r["crf"], r["field"]): r["value_text"]
            for r in csv_rows
            if r["subject_id"] == "TKY-001" and r["visit_id"] == visit_id
        }
        for code, document in forms.items():
            stored = FormData.objects.get(visit__subject=subject, visit__code=visit_id, crf=code)
            stored_leaves = _leaves(stored.data)
            for field, value in _leaves(document).items():
                assert stored_leaves[field] == value, (code, field)  # saved as entered
                row = rows.get((code, field))
                assert row is not None, f"{visit_id} {code}.{field} = {value!r} not in snapshot"
                assert _as_in_snapshot(row) == value, (code, field)
                if row["value_kind"] == "text":
                    assert csv_text[(code, field)] == value, (code, field)  # CSV as entered
                checked += 1
            # Nothing in the snapshot that was not saved: the rows of this form are the form.
            assert {f for c, f in rows if c == code} == set(stored_leaves), code
    CHECKED.append(checked)


def test_report_count_of_values_checked() -> None:
    """Runs after the property test (file order): the total it checked, for the record."""
    if not CHECKED:
        pytest.skip("the property test did not run in this session")
    total = sum(CHECKED)
    print(f"\nproof of wholeness: {total} entered values found as entered in {len(CHECKED)} runs")
    assert total > 500
