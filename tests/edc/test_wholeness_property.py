"""Proof of wholeness (issue 13): random valid data for every eCRF, entered through the
services layer at a scheduled and an unscheduled visit, and adverse events with several
versions (recorded at a visit or between visits, then changed), are found in the exported
snapshot exactly as entered (Parquet and CSV): every version in `adverse_event_versions`, the
latest in `adverse_events`, and each event once in the report's safety counts.

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
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from lupustrial.analysis.endpoints import compute_endpoints
from lupustrial.clinical.limits import Limits
from lupustrial.clinical.units import Quantity
from lupustrial.coding import ctcae
from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
from lupustrial.edc.accounts.models import STUDY_TIME_ZONE
from lupustrial.edc.export import database_records
from lupustrial.edc.pharmacy.models import DrugLot
from lupustrial.edc.pharmacy.services import receive_lot
from lupustrial.edc.study import adverse_events, services
from lupustrial.edc.study.models import FormData, Subject, Visit
from lupustrial.protocol.crfs import CRF_MODELS, reporting_gaps
from lupustrial.protocol.crfs import AdverseEvent as AdverseEventForm
from lupustrial.protocol.dates import site_today
from lupustrial.protocol.safety.seriousness import Seriousness

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


def _yesterday() -> dt.date:
    """The day before the Tokyo site's date, read at each use (test_dates_at_use)."""
    return site_today(STUDY_TIME_ZONE) - dt.timedelta(days=1)


# Deferred: the strategy, and so its latest date, is made when the test first draws from it.
PAST = st.deferred(lambda: st.dates(min_value=dt.date(2020, 1, 1), max_value=_yesterday()))
CHECKED: list[int] = []
EVENT_VERSIONS: list[tuple[int, int, int]] = []
"""Per run: adverse events entered, their versions, and their values checked."""


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
    low = next(
        (
            m.ge
            for m in metadata
            if isinstance(m, annotated_types.Ge) and isinstance(m.ge, float | int)
        ),
        None,
    )
    high = next(
        (
            m.le
            for m in metadata
            if isinstance(m, annotated_types.Le) and isinstance(m.le, float | int)
        ),
        None,
    )
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


_CTCAE = ctcae.load()
_CODED = [t for t in _CTCAE.terms if not t.other_specify][::40]  # a spread of coded terms
_OTHER = [t for t in _CTCAE.terms if t.other_specify][::10]


@st.composite
def adverse_event_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A version of an adverse event the services take: every field drawn from the model
    (`model_strategy`'s per-field strategies), then the fields that depend on each other made
    consistent: the grade one the CTCAE term defines, 'Other, specify' with its MedDRA code,
    grade 5 with a fatal outcome, dates in order, herpes zoster an infection, and a serious
    version with its aware date and criteria (`reporting_gaps`)."""
    fields = AdverseEventForm.model_fields
    document = {
        name: draw(_strategy(field.annotation, list(field.metadata)))
        for name, field in fields.items()
    }
    term = draw(st.none() | st.sampled_from(_CODED) | st.sampled_from(_OTHER))
    document["ctcae_code"] = term.meddra_code if term else None
    document["specified_code"] = (
        draw(st.sampled_from(_CODED)).meddra_code if term and term.other_specify else None
    )
    grades = [g for g in range(1, 6) if term is None or term.allows(g)]
    document["grade"] = draw(st.sampled_from(grades))
    if document["grade"] == 5:
        document["outcome"] = "fatal"
    elif document["outcome"] == "fatal":
        document["outcome"] = "recovering"
    onset = dt.date.fromisoformat(document["onset"])
    later = st.dates(min_value=onset, max_value=_yesterday()).map(dt.date.isoformat)
    document["end_date"] = draw(st.none() | later)
    document["aware_date"] = draw(st.none() | later)
    others = [c for c in document["seriousness_criteria"] if c != Seriousness.DEATH.value]
    if document["outcome"] == "fatal":
        document["serious"] = True
        document["seriousness_criteria"] = [Seriousness.DEATH.value, *others]
    elif document["serious"]:
        document["seriousness_criteria"] = others or [Seriousness.HOSPITALISATION.value]
    else:
        document["seriousness_criteria"] = []
    if document["serious"] and document["aware_date"] is None:
        document["aware_date"] = draw(later)
    document["infection"] = document["infection"] or document["herpes_zoster"]
    document = {k: v for k, v in document.items() if v is not None}
    assume(_valid(AdverseEventForm, document))
    assert not reporting_gaps(AdverseEventForm.model_validate(document))
    return document


VERSIONS = st.lists(
    adverse_event_documents(),
    min_size=2,  # recorded, then changed at least once (one version: test_adverse_event_record)
    max_size=4,
    unique_by=lambda d: repr(sorted(d.items())),  # an unchanged save is refused, not a version
)
WHERE = st.sampled_from(["W12", "unscheduled", "between visits"])
EVENTS = st.lists(st.tuples(VERSIONS, WHERE), min_size=1, max_size=3)
"""One to three events, each with two to four distinct versions, entered at a place drawn."""

_OUTCOMES = {
    "recovered": "recovered",
    "recovering": "recovering",
    "not recovered": "not_recovered",
    "with sequelae": "recovered_with_sequelae",
    "fatal": "fatal",
}
"""The eCRF's outcome words as the dataset's codes (`edc.export`)."""


def _ae_columns(document: dict[str, Any]) -> dict[str, Any]:
    """A version's entered values under the snapshot's column names, as the snapshot keeps them."""
    columns = {
        "term": "term", "ctcae_code": "ctcae_code", "specified_code": "specified_code",
        "onset": "onset_date", "aware_date": "aware_date", "end_date": "end_date",
        "grade": "ctcae_grade", "serious": "serious", "related": "relatedness",
        "outcome": "outcome", "action_taken": "action_taken", "infection": "infection",
        "herpes_zoster": "herpes_zoster", "course": "course",
        "seriousness_criteria": "seriousness_criteria",
    }  # fmt: skip
    out: dict[str, Any] = {}
    for field, value in document.items():
        if field == "outcome":
            value = _OUTCOMES[value]
        elif field == "seriousness_criteria":
            value = ";".join(value) or None
        elif field in ("onset", "aware_date", "end_date"):
            value = dt.date.fromisoformat(value)
        elif field == "course" and value == "":
            value = None
        out[columns[field]] = value
    return out


def _enter_events(
    user: Any, subject: Subject, events: list[tuple[list[dict[str, Any]], str]], visits: Any
) -> dict[str, list[dict[str, Any]]]:
    """Each event recorded, then changed version by version, where drawn; by event id."""
    entered = {}
    for versions, where in events:
        visit: Visit | None = visits.get(where)
        event = adverse_events.record_adverse_event(user, subject, versions[0], visit=visit)
        for document in versions[1:]:
            event = adverse_events.update_adverse_event(
                user, event, document, event.version, "property test", visit=visit
            )
        entered[event.label] = versions
    return entered


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
@given(scheduled=FORMS, unscheduled=FORMS, events=EVENTS)
def test_every_value_entered_is_in_the_snapshot_as_entered(
    scheduled: dict[str, dict[str, Any]],
    unscheduled: dict[str, dict[str, Any]],
    events: list[tuple[list[dict[str, Any]], str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    user = get_user_model().objects.get(username="coordinator")
    subject = Subject.objects.get(screening_number="S-001")
    w12 = subject.visits.get(code="W12")
    extra = services.add_unscheduled_visit(user, subject, _yesterday())
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
    places = {"W12": w12, "unscheduled": extra, "between visits": None}
    entered_events = _enter_events(user, subject, events, places)
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
    event_values = _check_events(snapshot, out, entered_events)
    versions = sum(len(v) for v in entered_events.values())
    EVENT_VERSIONS.append((len(entered_events), versions, event_values))
    checked += event_values
    CHECKED.append(checked)


def _check_events(snapshot: Any, out: Any, entered: dict[str, list[dict[str, Any]]]) -> int:
    """Every version of every event in the history, the latest in the events table, CSV text
    as entered, and each event counted once in the report."""
    with (out / "adverse_event_versions.csv").open(encoding="utf-8", newline="") as file:
        csv_rows = {
            (r["event_id"], int(r["version"])): r
            for r in csv.DictReader(file)
            if r["subject_id"] == "TKY-001"
        }
    # The examples share one database: this example's events are the ones it entered.
    history = [
        r
        for r in snapshot.rows("adverse_event_versions", subject_id="TKY-001")
        if r["event_id"] in entered
    ]
    rows = list(snapshot.rows("adverse_events", subject_id="TKY-001"))
    assert len({r["event_id"] for r in rows}) == len(rows)  # one row per event, none merged
    latest = {r["event_id"]: r for r in rows if r["event_id"] in entered}
    assert set(latest) == set(entered)
    assert len(history) == sum(len(v) for v in entered.values())
    checked = 0
    for event_id, versions in entered.items():
        rows = sorted((r for r in history if r["event_id"] == event_id), key=lambda r: r["version"])
        assert [r["version"] for r in rows] == list(range(1, len(versions) + 1))
        for row, document in zip(rows, versions, strict=True):
            for column, value in _ae_columns(document).items():
                assert row[column] == value, (event_id, row["version"], column)
                if column in ("term", "course") and value is not None:
                    assert csv_rows[(event_id, row["version"])][column] == value
                checked += 1
        for column, value in _ae_columns(versions[-1]).items():
            assert latest[event_id][column] == value, (event_id, column)
        assert latest[event_id]["version"] == len(versions)
    # The report counts events, not versions: each event once in its latest state.
    safety = compute_endpoints(snapshot).safety
    fas = {s["subject_id"] for s in snapshot.table("subjects") if s["full_analysis_set"]}
    assert "TKY-001" in fas
    assert safety.any.events == sum(
        1 for r in snapshot.table("adverse_events") if r["subject_id"] in fas
    )
    grade_3 = sum(
        1
        for r in snapshot.table("adverse_events")
        if r["subject_id"] in fas and r["ctcae_grade"] >= 3
    )
    assert safety.grade_3_or_more.events == grade_3
    return checked


def test_report_count_of_values_checked() -> None:
    """Runs after the property test (file order): the total it checked, for the record."""
    if not CHECKED:
        pytest.skip("the property test did not run in this session")
    total = sum(CHECKED)
    events, versions, values = (sum(run[i] for run in EVENT_VERSIONS) for i in range(3))
    print(
        f"\nproof of wholeness: {total} entered values found as entered in {len(CHECKED)} runs, "
        f"of which {values} in {versions} versions of {events} adverse events"
    )
    assert total > 500
    assert versions > events  # events with several versions were entered and found
