"""The study as a REDCap project (issue 20): the files follow REDCap's column rules, every CRF
field appears once, and the import CSV gives back every stored value (no REDCap server here)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.records import AdverseEventVersion, ScreeningForm, StudyRecords
from lupustrial.interop.odm.items import model_items, unflatten
from lupustrial.interop.redcap import HEADERS, IMPORT_COLUMNS, write_project
from lupustrial.protocol.crfs import CRF_MODELS
from lupustrial.protocol.screening import ScreeningRecord
from tests.commands import run

FIELD_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "calc",
               "file", "descriptive", "slider", "sql"}  # fmt: skip
VALIDATIONS = {"", "integer", "number", "date_ymd", "datetime_seconds_ymd"}
CHOICES = re.compile(r"^\d+, [^|]+( \| \d+, [^|]+)*$")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _with_versions(records: StudyRecords) -> StudyRecords:
    """The demo's adverse events, each saved twice: a first report, then a correction of its
    grade's course with a reason (the demo itself keeps no history)."""
    versions = []
    events = []
    for event in records.adverse_events:
        state = event.model_dump(exclude={"version", "recorded_on", "visit_id"})
        day = event.recorded_on or event.onset_date
        versions.append(
            AdverseEventVersion(
                **{**state, "course": "first report, 初回報告"},
                version=1,
                recorded_on=day,
                visit_id=event.visit_id,
            )
        )
        versions.append(
            AdverseEventVersion(
                **state,
                version=2,
                recorded_on=day + dt.timedelta(days=3),
                reason="follow-up: 経過を追記",
            )
        )
        events.append(event.model_copy(update={"version": 2}))
    return StudyRecords.model_validate(
        {
            **records.model_dump(),
            "adverse_events": [e.model_dump() for e in events],
            "adverse_event_versions": [v.model_dump() for v in versions],
        }
    )


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _with_screening(records: StudyRecords) -> StudyRecords:
    """Each subject's screening record (the demo dataset keeps only the decisions): the
    documented examples, with a row in every list the record has, so that each screening
    instrument carries values."""
    extra = {
        "medical_history": [
            {"condition": "高血圧 hypertension", "start_date": "2015-04-01", "ongoing": True},
            {"condition": "appendicectomy", "end_date": "2001-08-10", "notes": "no sequelae"},
        ],
        "malignancies": [
            {"site": "cervix", "diagnosis_date": "2010-02-01", "current": False,
             "in_situ": True, "local_therapy_only": True}
        ],
        "vaccinations": [{"vaccine": "Shingrix", "date": "2026-03-02"}],
        "other_collagen_diseases": [],
    }  # fmt: skip
    forms = []
    for n, subject in enumerate(records.subjects):
        name = "screening-ineligible.json" if n % 2 else "screening-eligible.json"
        document = json.loads((EXAMPLES / name).read_text("utf-8"))
        document["screening_id"] = subject.screening_number or subject.subject_id
        if n == 0:
            document.update(extra)
            document["classification"]["acr_1997"] = {
                "leukopenia_two_occasions": True,
                "leukocyte_counts": [
                    {"date": "2026-06-01", "count": {"value": 3.1, "unit": "10^9/L"}},
                    {"date": "2026-06-20", "count": {"value": 3.4, "unit": "10^9/L"}},
                ],
            }
        record = ScreeningRecord.model_validate(document)
        forms.append(ScreeningForm.of(subject.subject_id, record.screening_id, record))
    return records.model_copy(update={"screening_records": forms})


@pytest.fixture(scope="module")
def records() -> StudyRecords:
    return _with_screening(_with_versions(demo_records()))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, records: StudyRecords) -> Path:
    out = tmp_path_factory.mktemp("redcap")
    write_project(records, out)
    return out


def test_the_data_dictionary_follows_redcaps_rules(project: Path) -> None:
    with (project / "data_dictionary.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == HEADERS
    rows = _read(project / "data_dictionary.csv")
    assert rows[0]["Variable / Field Name"] == "record_id"
    names = [r["Variable / Field Name"] for r in rows]
    assert len(names) == len(set(names))
    forms = [r["Form Name"] for r in rows]
    assert all(
        forms.index(f) + forms.count(f) - 1 == len(forms) - 1 - forms[::-1].index(f)
        for f in set(forms)
    )
    for row in rows:
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,25}", row["Variable / Field Name"])
        assert re.fullmatch(r"[a-z][a-z0-9_]*", row["Form Name"])
        assert row["Field Type"] in FIELD_TYPES
        assert row["Text Validation Type OR Show Slider Number"] in VALIDATIONS
        if row["Field Type"] in ("dropdown", "radio"):
            assert CHOICES.match(row["Choices, Calculations, OR Slider Labels"])
        for limit in ("Text Validation Min", "Text Validation Max"):
            if row[limit]:
                float(row[limit])
        assert row["Required Field?"] in ("", "y")


def test_every_crf_field_appears_once(project: Path) -> None:
    sources = [
        r["Field Annotation"].removeprefix("@lupustrial ")
        for r in _read(project / "data_dictionary.csv")
    ]
    models: list[tuple[str, type[BaseModel]]] = [
        *CRF_MODELS.items(),
        ("screening", ScreeningRecord),
    ]
    for crf, model in models:
        # The date of birth is the pseudonymised records' year of birth (enrolment's field).
        specs = [
            s for s in model_items(crf, model) if f"{crf}.{s.path}" != "screening.date_of_birth"
        ]
        lists = {s.path for s in specs if any(o.group == f"{s.path}.*" for o in specs)}
        for spec in specs:
            expected = f"{crf}.{spec.path}:recorded" if spec.path in lists else f"{crf}.{spec.path}"
            assert sources.count(expected) == 1, expected
    assert "screening.date_of_birth" not in sources
    assert sources.count("subject.birth_year") == 1


def test_events_and_mapping(project: Path) -> None:
    events = _read(project / "events.csv")
    assert [e["event_name"] for e in events] == [
        "screening",
        "enrolment",
        "w0",
        "w4",
        "w8",
        "w12",
        "unscheduled",
        "log",
    ]
    assert {e["arm_num"] for e in events} == {"1"}
    mapping = _read(project / "instrument_event_mapping.csv")
    forms = {r["Form Name"] for r in _read(project / "data_dictionary.csv")}
    assert {m["form"] for m in mapping} == forms
    assert {m["unique_event_name"] for m in mapping} == {f"{e['event_name']}_arm_1" for e in events}
    screening = {m["form"] for m in mapping if m["unique_event_name"] == "screening_arm_1"}
    assert "screening_demographics" in screening
    assert all(m["unique_event_name"] == "screening_arm_1" for m in mapping
               if m["form"] in screening)  # fmt: skip


def _decode(field: dict[str, str], text: str) -> Any:
    kind = field["Field Type"]
    if kind == "yesno":
        assert text in ("0", "1")
        return text == "1"
    if kind == "dropdown":
        choices = field["Choices, Calculations, OR Slider Labels"].split(" | ")
        pairs = [choice.split(", ", 1) for choice in choices]
        label = dict(pairs)[text]
        return int(label) if all(code == lab for code, lab in pairs) else label
    if field["Field Note"] == "JSON":
        return json.loads(text)
    validation = field["Text Validation Type OR Show Slider Number"]
    if validation == "integer":
        return int(text)
    if validation == "number":
        return float(text)
    if validation == "date_ymd":
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)
    return text


def test_the_import_gives_back_every_stored_value(project: Path, records: StudyRecords) -> None:
    fields = {r["Variable / Field Name"]: r for r in _read(project / "data_dictionary.csv")}
    rows = _read(project / "records.csv")
    statuses = {f"{f['Form Name']}_complete" for f in fields.values()}  # REDCap's own
    assert set(rows[0]) <= set(IMPORT_COLUMNS) | set(fields) | statuses
    where = {  # each log instrument's "visit" and "row" variables
        (f["Form Name"], f["Field Annotation"].rsplit(":", 1)[-1]): name
        for name, f in fields.items()
        if f["Field Annotation"].endswith((":visit", ":row"))
    }
    flat: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    logged: dict[tuple[str, str, str, str], dict[str, Any]] = defaultdict(dict)
    kept: dict[tuple[str, str, str], dict[str, Any]] = defaultdict(dict)
    screened: dict[str, dict[str, Any]] = defaultdict(dict)
    screened_rows: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for row in rows:
        visit = row.get("visit_id", "")
        for name, text in row.items():
            if name in IMPORT_COLUMNS or not text or name in ("visit_id", "visit_date"):
                continue
            if name in statuses:
                assert text in ("0", "2")
                continue
            field = fields[name]
            source = field["Field Annotation"].removeprefix("@lupustrial ")
            if source.startswith("subject."):
                continue
            value = _decode(field, text)
            if source.startswith("screening."):  # the screening event: the record and its lists
                path = source.split(".", 1)[1]
                if row["redcap_repeat_instrument"]:
                    head, _, rest = path.partition(".*.")
                    number = int(row["redcap_repeat_instance"]) - 1
                    screened_rows[(row["record_id"], head)][f"{number}.{rest}"] = value
                elif path.endswith(":recorded"):
                    if value:
                        screened[row["record_id"]].setdefault(path.removesuffix(":recorded"), [])
                else:
                    screened[row["record_id"]][path] = value
                continue
            if source.startswith("records."):  # a record kept apart from visits (an AE)
                _, attribute, path = source.split(".", 2)
                kept[(row["record_id"], attribute, row["redcap_repeat_instance"])][path] = value
                continue
            crf, path = source.split(".", 1)
            if row["redcap_repeat_instrument"]:
                head, _, rest = path.partition(".*.")
                if path.endswith((":visit", ":row")):
                    continue
                at = row[where[(row["redcap_repeat_instrument"], "visit")]]
                row_number = row[where[(row["redcap_repeat_instrument"], "row")]]
                logged[(row["record_id"], at, crf, head)][f"{int(row_number) - 1}.{rest}"] = value
            elif path.endswith(":recorded"):
                if value:
                    flat[(row["record_id"], visit)][crf].setdefault(
                        path.removesuffix(":recorded"), []
                    )
            else:
                flat[(row["record_id"], visit)][crf][path] = value
    for (record, visit, crf, head), values in logged.items():
        flat[(record, visit)][crf][head] = unflatten(values)  # numbered rows: a list
    checked = 0
    for assessment in records.assessments:
        stored = assessment.model_dump(mode="json", exclude_none=True, include=set(CRF_MODELS))
        rebuilt = {
            crf: unflatten({k: v for k, v in values.items() if not isinstance(v, list)})
            | {k: v for k, v in values.items() if isinstance(v, list)}
            for crf, values in flat[(assessment.subject_id, assessment.visit_id or "")].items()
        }
        assert rebuilt == stored, (assessment.subject_id, assessment.visit_id)
        checked += 1
    assert checked == len(records.assessments)
    assert records.screening_records
    for form in records.screening_records:
        values = screened[form.subject_id]
        lists: dict[str, Any] = {k: v for k, v in values.items() if isinstance(v, list)}
        rebuilt = unflatten({k: v for k, v in values.items() if k not in lists})
        for (record, head), rows_ in screened_rows.items():
            if record == form.subject_id:
                lists[head] = unflatten(rows_)
        for head, listed in lists.items():  # a list inside a section ("classification.…")
            node: dict[str, Any] = rebuilt
            *parents, last = head.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = listed
        assert rebuilt == form.record, form.subject_id
    # Each adverse event once in its latest state, and every version of each in the history.
    for attribute in ("adverse_events", "adverse_event_versions"):
        stored = getattr(records, attribute)
        assert stored
        rebuilt_rows = [
            unflatten(kept[key])
            for key in sorted(kept, key=lambda k: (k[0], int(k[2])))
            if key[1] == attribute
        ]
        stored_rows = [
            e.model_dump(mode="json", exclude_none=True, exclude={"subject_id"})
            for e in sorted(stored, key=lambda e: e.subject_id)
        ]
        assert rebuilt_rows == stored_rows, attribute


def test_export_redcap_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, stderr = run(
        capsys, "export", "redcap", "--source", "demo", "--out", str(tmp_path)
    )
    assert code == 0, stderr
    assert "REDCap project written" in stdout
    assert (tmp_path / "records.csv").exists()


def test_each_form_has_its_redcap_status_and_a_form_not_done_keeps_its_reason(
    tmp_path: Path,
) -> None:
    """REDCap's `<form>_complete` (0 Incomplete, 2 Complete; REDCap 14 documentation) per
    saved form of a visit; a form declared not done is 2 with `<form>_not_done_reason`."""
    records = demo_records()
    first = records.assessments[0]
    reason = "Labs not drawn: the patient left early"
    changed = first.model_copy(update={"labs": None, "forms_not_done": {"labs": reason}})
    records = records.model_copy(update={"assessments": [changed, *records.assessments[1:]]})
    write_project(type(records).model_validate(records.model_dump()), tmp_path)
    fields = {r["Variable / Field Name"]: r for r in _read(tmp_path / "data_dictionary.csv")}
    [reason_field] = [
        name for name, f in fields.items() if f["Field Annotation"] == "@lupustrial labs:not_done"
    ]
    assert fields[reason_field]["Form Name"] == "labs"
    rows = _read(tmp_path / "records.csv")
    [row] = [
        r for r in rows if r["record_id"] == first.subject_id and r["visit_id"] == first.visit_id
    ]
    assert row["labs_complete"] == "2"
    assert row[reason_field] == reason
    # The demo dataset's vitals lack the temperature; with no labs, the SLEDAI-2K's laboratory
    # descriptors are unanswered (the labs decided them before).
    assert (row["vitals_complete"], row["sledai2k_complete"]) == ("0", "0")
    assert row["pregnancy_test_complete"] == ""  # not saved
    others = [r for r in rows if r["visit_id"] and r is not row]
    assert {r["labs_complete"] for r in others} == {"0"}  # no platelets in the demo's labs
    assert not any(r[reason_field] for r in others)
    assert {r["labs_complete"] for r in rows if not r["visit_id"]} == {""}  # no visit
