"""The study as a REDCap project, for a site that must keep its REDCap (`lupustrial export
redcap`).

Four CSV files, in the forms REDCap's project set-up and data import take (REDCap data
dictionary, events, instrument-event mapping and the "records" import template; REDCap
14 documentation, Vanderbilt University):

- `data_dictionary.csv`: the 18 columns, verbatim; `record_id` first; each instrument's fields
  together; fields from the CRF models (`interop.odm.items.model_items`, the same leaves the
  ODM export declares): numbers with their validation type and hard range, dates `date_ymd`,
  yes/no as `yesno`, a `Literal`'s or a unit's choices as a dropdown `1, label | 2, label`;
- `events.csv` (`event_name,arm_num`): screening, enrolment, W0-W12, unscheduled (a repeating
  event in the project's set-up: REDCap's CSV has no column for it) and a log;
- `instrument_event_mapping.csv` (`arm_num,unique_event_name,form`);
- `records.csv`: the data import, one row per subject's screening record and its list rows,
  enrolment, visit and log row.

The screening record is its own first event, one instrument per section of the screening form,
its lists repeating instruments there (the event does not repeat); adverse events are a log of
their latest states and a history of every version (`RECORD_LOGS`).

Rows of a visit form (glucocorticoid regimens, medications) are repeating
instruments. REDCap cannot repeat an instrument inside a repeating event, so these rows live in
the log event, each with the visit it was recorded at and its row number there (the usual
REDCap AE and concomitant-medication log); the visit's form keeps a yes/no "recorded" field,
so "recorded, none" survives. A value with a unit is flattened into a value field and a unit
field. REDCap variable names are at most 26 characters (REDCap's data dictionary rule); a
longer path is shortened with a stable hash, and `field_map.csv` names each variable's form
and path.

Each visit form's status is REDCap's own `<form>_complete` field of the import (0 Incomplete,
1 Unverified, 2 Complete; REDCap adds it to every instrument, so the dictionary has no row for
it), from `protocol.completeness`: 2 for a complete form, 0 for an incomplete one, empty for
a form not saved. REDCap has no "not done": a form declared not done is 2 (nothing more to
enter, as the worklists say) and its reason is the instrument's `not_done_reason` field, so
the status is not lost.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from lupustrial.dataset import records as ds
from lupustrial.dataset.records import Assessment, ScreeningForm, StudyRecords
from lupustrial.interop.odm.items import ItemSpec, model_items
from lupustrial.protocol.completeness import FormStatus, visit_completeness
from lupustrial.protocol.crfs import CRF_MODELS
from lupustrial.protocol.schedule import SCHEDULE
from lupustrial.protocol.screening import SCREENING_SECTIONS, ScreeningRecord, screening_section

HEADERS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
"""REDCap's data dictionary columns, in order and spelled as REDCap writes them."""

IMPORT_COLUMNS = (
    "record_id",
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
)
MAX_NAME = 26
ARM = "1"
SCREENING_EVENT = "screening"
ENROLMENT_EVENT = "enrolment"
SCREENING_PREFIX = "scr"
LEFT_OUT = frozenset({"date_of_birth"})
"""Screening fields the pseudonymised records do not carry (`dataset.records.ScreeningForm`):
the date of birth is the year of birth (enrolment's `birth_year`), as names and medical record
numbers are left out of every export."""
LOG_EVENT = "log"
UNSCHEDULED_EVENT = "unscheduled"


class RedcapError(ValueError):
    """A value the REDCap project cannot carry; says which."""


@dataclass(frozen=True)
class Field:
    """One data dictionary row, with where its value comes from."""

    name: str
    form: str  # the REDCap instrument
    kind: str  # text, yesno, dropdown, notes
    label: str
    source: str  # "<crf>.<path>" or "subject.<attribute>" or "<crf>.<list>:recorded"
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    choices: tuple[str, ...] = ()
    required: bool = False
    as_json: bool = False
    integer_choices: bool = False  # choices that are numbers (10 or 30 days) are their own codes

    def code(self, label: str) -> str:
        return label if self.integer_choices else str(self.choices.index(label) + 1)

    def row(self, first: bool) -> list[str]:
        coded = " | ".join(f"{self.code(label)}, {label}" for label in self.choices)
        return [
            self.name,
            self.form,
            "",
            self.kind,
            self.label,
            coded,
            "JSON" if self.as_json else "",
            self.validation,
            self.minimum,
            self.maximum,
            "",
            "",
            "y" if self.required or first else "",
            "",
            "",
            "",
            "",
            f"@lupustrial {self.source}",
        ]


def variable(*parts: str) -> str:
    """A REDCap variable name: lowercase letters, digits and underscores, from a letter, at
    most 26 characters (a longer one keeps its start and a stable 6-character hash)."""
    name = re.sub(r"[^a-z0-9_]", "_", "_".join(parts).lower()).strip("_")
    name = re.sub(r"_+", "_", name)
    if not name[:1].isalpha():
        name = f"v_{name}"
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:6]
        name = f"{name[: MAX_NAME - 7].rstrip('_')}_{digest}"
    return name


_VALIDATION = {
    "integer": "integer",
    "float": "number",
    "date": "date_ymd",
    "datetime": "datetime_seconds_ymd",
}


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def _field(instrument: str, prefix: str, spec: ItemSpec, path: str) -> Field:
    name = variable(prefix, path.replace(".*", "").replace(".", "_"))
    label = spec.description or path.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    source = f"{spec.form}.{spec.path}"
    if spec.data_type == "boolean":
        return Field(name, instrument, "yesno", label, source, required=spec.required)
    if spec.choices:
        return Field(
            name,
            instrument,
            "dropdown",
            label,
            source,
            choices=spec.choices,
            required=spec.required,
            integer_choices=spec.data_type == "integer",
        )
    return Field(
        name,
        instrument,
        "notes" if spec.as_json else "text",
        label,
        source,
        validation=_VALIDATION.get(spec.data_type, ""),
        minimum=_number(spec.minimum),
        maximum=_number(spec.maximum),
        required=spec.required,
        as_json=spec.as_json,
    )


@dataclass(frozen=True)
class Instrument:
    name: str
    fields: tuple[Field, ...]
    crf: str = ""  # the CRF whose scalars it holds, or whose list's rows
    rows_of: str = ""  # the list path ("doses") of a log instrument
    records: str = ""  # the study records' list a log instrument holds ("adverse_events")
    event: str = ""  # the one event it belongs to, when not the visits' ("screening")


RECORD_LOGS: dict[str, tuple[str, str, type[BaseModel]]] = {
    "adverse_event_log": ("adverse_events", "ae", ds.AdverseEvent),
    "adverse_event_history": ("adverse_event_versions", "aeh", ds.AdverseEventVersion),
}
"""Log instruments of records kept apart from the visits: instrument → (the StudyRecords list,
the variables' prefix, the record's model). Adverse events are their own records: the log
holds each event once, in its latest state (`ae_version` its version's number), so a REDCap
report counts events, not saves; the history holds every version (`aeh_version`, the site's
date it was saved `aeh_recorded_on`, the visit it was entered at, `aeh_reason`), because
REDCap's own audit log only knows the changes made in REDCap. Who saved each version and
when, to the second, are in the ODM file's audit records (the dataset keeps the day)."""


class _Subject(BaseModel):
    """The subject's own fields (from the dataset's Subject)."""

    site: str
    sex: str | None = None
    birth_year: int | None = None
    consent_date: str | None = None
    enrolment_date: str | None = None
    first_infusion_date: str | None = None
    status: str | None = None
    withdrawal_date: str | None = None
    withdrawal_reason: str | None = None


def _subject(name: str, kind: str, label: str, **extra: Any) -> Field:
    return Field(name, "enrolment", kind, label, f"subject.{name}", **extra)


_DATE = {"validation": "date_ymd"}
_STATUSES = ("screened", "screen_failed", "enrolled", "withdrawn", "completed")
RECORD_ID = Field(
    "record_id",
    f"{SCREENING_EVENT}_{SCREENING_SECTIONS[0][0]}",
    "text",
    "Subject ID",
    "subject.subject_id",
)
_SUBJECT_FIELDS = (
    _subject("site", "text", "Site"),
    _subject("sex", "dropdown", "Sex", choices=("female", "male")),
    _subject("birth_year", "text", "Year of birth", validation="integer", minimum="1900"),
    _subject("consent_date", "text", "Date of first consent", **_DATE),
    _subject("enrolment_date", "text", "Enrolment date", **_DATE),
    _subject("first_infusion_date", "text", "First anifrolumab infusion", **_DATE),
    _subject("status", "dropdown", "Study status", choices=_STATUSES),
    _subject("withdrawal_date", "text", "Withdrawal date", **_DATE),
    _subject("withdrawal_reason", "notes", "Withdrawal reason"),
)

_VISIT_FIELDS = (
    Field("visit_date", "visit", "text", "Visit date", "visit.date", validation="date_ymd"),
    Field("visit_id", "visit", "text", "Visit (W0-W12, U1, U2, ...)", "visit.visit_id"),
)


def _list_paths(specs: list[ItemSpec]) -> list[str]:
    """The lists of rows among a form's items (a JSON item with a repeating group)."""
    return [s.path for s in specs if s.as_json and any(o.group == f"{s.path}.*" for o in specs)]


def _recorded(name: str, instrument: str, form: str, path: str) -> Field:
    label = path.rsplit(".", 1)[-1].replace("_", " ").capitalize()
    return Field(
        name, instrument, "yesno", f"{label} recorded (yes even if none)", f"{form}.{path}:recorded"
    )


def _rows(name: str, path: str, specs: list[ItemSpec]) -> list[Field]:
    """The fields of one row of a list, named from the row's instrument."""
    return [
        _field(name, name, spec, spec.path.removeprefix(f"{path}.*."))
        for spec in specs
        if spec.group == f"{path}.*"
    ]


_SCREENING_SHORT = (
    ("classification.eular_acr_2019.", "eular."),
    ("classification.acr_1997.", "acr97."),
    ("screening_sledai2k.labs.", "sledai.lab."),
    ("screening_sledai2k.", "sledai."),
    ("investigator_judgement.", "judgement."),
    ("reproduction.", "repro."),
    ("hepatitis.", "hep."),
    ("initial_glucocorticoids", "initial_gc"),
    ("planned_first_dose_date", "planned_first_dose"),
    ("suspected_active_infection", "active_infection"),
    ("other_collagen_diseases", "other_collagen"),
)
"""Shorter names for the screening record's long paths, so that most of its variables stay
readable within REDCap's 26 characters (the field map names each one's full path)."""


_ROW_PREFIX = {
    "prior_medications": "pm",
    "initial_glucocorticoids": "gc",
    "malignancies": "mal",
    "vaccinations": "vac",
    "medical_history": "mh",
    "leukocyte_counts": "wbc",
    "lymphocyte_counts": "lym",
}
"""The screening lists' row variables: `scr_<prefix>_<field>` (scr_mh_condition)."""


def _short(path: str) -> str:
    for long, short in _SCREENING_SHORT:
        path = path.replace(long, short)
    return path.replace(".*", "").replace(".", "_")


def screening_instruments() -> list[Instrument]:
    """The screening record (`protocol.screening.ScreeningRecord`) as the screening event's
    instruments: one per section of the screening form (`SCREENING_SECTIONS`), the first
    holding `record_id`, then one repeating instrument per list of rows (medications,
    regimens, malignancies, vaccinations, history, counts), the instance being the row's
    number."""
    specs = [s for s in model_items("screening", ScreeningRecord) if s.path not in LEFT_OUT]
    lists = _list_paths(specs)
    own: dict[str, list[Field]] = {key: [] for key, _ in SCREENING_SECTIONS}
    own[SCREENING_SECTIONS[0][0]].append(RECORD_ID)  # REDCap: on the first instrument
    for spec in specs:
        if spec.group:
            continue
        section = screening_section(spec.path.split(".", 1)[0])
        instrument = f"{SCREENING_EVENT}_{section}"
        if spec.path in lists:
            recorded = variable(SCREENING_PREFIX, _short(spec.path), "recorded")
            own[section].append(_recorded(recorded, instrument, "screening", spec.path))
            continue
        own[section].append(_field(instrument, SCREENING_PREFIX, spec, _short(spec.path)))
    result = [
        Instrument(f"{SCREENING_EVENT}_{key}", tuple(fields), event=SCREENING_EVENT)
        for key, fields in own.items()
        if fields
    ]
    for path in lists:
        last = path.rsplit(".", 1)[-1]
        name = variable(SCREENING_PREFIX, _short(last))
        prefix = variable(SCREENING_PREFIX, _ROW_PREFIX.get(last, last))
        rows = [
            _field(name, prefix, spec, _short(spec.path.removeprefix(f"{path}.*.")))
            for spec in specs
            if spec.group == f"{path}.*"
        ]
        result.append(
            Instrument(name, tuple(rows), rows_of=path, crf="screening", event=SCREENING_EVENT)
        )
    return result


def instruments() -> tuple[Instrument, ...]:
    """The project's instruments in order: the screening record's, enrolment, visit, each
    CRF, then the row logs."""
    made = [
        *screening_instruments(),
        Instrument("enrolment", _SUBJECT_FIELDS),
        Instrument("visit", _VISIT_FIELDS),
    ]
    logs = []
    for crf, model in CRF_MODELS.items():
        specs = list(model_items(crf, model))
        lists = _list_paths(specs)
        own: list[Field] = []
        for spec in specs:
            if spec.path in lists:
                own.append(_recorded(variable(crf, spec.path, "recorded"), crf, crf, spec.path))
            elif not spec.group:
                own.append(_field(crf, crf, spec, spec.path))
        own.append(
            Field(
                variable(crf, NOT_DONE),
                crf,
                "notes",
                "Reason the form was not done (declared not done)",
                f"{crf}:not_done",
            )
        )
        made.append(Instrument(crf, tuple(own), crf=crf))
        for path in lists:
            name = variable(crf, path) if path != crf else crf + "_rows"
            at, row = f"{crf}.{path}:visit", f"{crf}.{path}:row"
            rows = [
                Field(variable(name, "visit"), name, "text", "Visit it was recorded at", at),
                Field(
                    variable(name, "row"),
                    name,
                    "text",
                    "Row number at that visit",
                    row,
                    validation="integer",
                    minimum="1",
                ),
                *_rows(name, path, specs),
            ]
            logs.append(Instrument(name, tuple(rows), crf=crf, rows_of=path))
    for name, (attribute, prefix, record_model) in RECORD_LOGS.items():
        specs = [s for s in model_items(attribute, record_model) if s.path != "subject_id"]
        fields = tuple(
            replace(
                _field(name, prefix, spec, spec.path), source=f"records.{attribute}.{spec.path}"
            )
            for spec in specs
            if not spec.group
        )
        logs.append(Instrument(name, fields, rows_of="*", records=attribute))
    return (*made, *logs)


NOT_DONE = "not_done_reason"
REDCAP_STATUS = {FormStatus.COMPLETE: "2", FormStatus.NOT_DONE: "2", FormStatus.INCOMPLETE: "0"}
"""REDCap's form status codes (`<form>_complete`) for `protocol.completeness`'s statuses."""


def status_variable(instrument: str) -> str:
    """REDCap's own form status field of an instrument."""
    return f"{instrument}_complete"


def _check_names(instruments_: Iterable[Instrument]) -> None:
    seen: dict[str, str] = {}
    for instrument in instruments_:
        for f in instrument.fields:
            if f.name in seen:
                raise RedcapError(f"variable {f.name} names both {seen[f.name]} and {f.source}")
            seen[f.name] = f.source


def events() -> list[tuple[str, str]]:
    """(event name, unique event name) in order."""
    names = [
        SCREENING_EVENT,
        ENROLMENT_EVENT,
        *(v.code.lower() for v in SCHEDULE),
        UNSCHEDULED_EVENT,
        LOG_EVENT,
    ]
    return [(n, f"{n}_arm_{ARM}") for n in names]


def _csv(rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _encode(field: Field, value: Any) -> str:
    """A value as REDCap imports it: codes for choices, 1/0 for yes/no, ISO dates."""
    if value is None:
        return ""
    if field.kind == "yesno":
        if not isinstance(value, bool):
            raise RedcapError(f"{field.source}: {value!r} is not yes or no")
        return "1" if value else "0"
    if field.choices:
        text = str(getattr(value, "value", value))
        if text not in field.choices:
            raise RedcapError(f"{field.source}: {text!r} is not one of {', '.join(field.choices)}")
        return field.code(text)
    if field.as_json:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, float):
        return repr(value)
    return str(getattr(value, "value", value))


def _leaf(document: Any, path: str) -> Any:
    node = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _visit_rows(
    assessment: Assessment, instruments_: tuple[Instrument, ...], repeat: str, log: list[list[Any]]
) -> dict[str, str]:
    forms = assessment.model_dump(mode="json", exclude_none=True)
    row: dict[str, str] = {
        "visit_date": assessment.date.isoformat(),
        "visit_id": assessment.visit_id or assessment.visit.value,
    }
    statuses = visit_completeness(assessment, assessment.date, assessment.forms_not_done)
    for instrument in instruments_:
        document = forms.get(instrument.crf)
        if instrument.crf in statuses and not instrument.rows_of:
            row[status_variable(instrument.name)] = REDCAP_STATUS[statuses[instrument.crf].status]
        if instrument.crf in assessment.forms_not_done and not instrument.rows_of:
            row[instrument.fields[-1].name] = assessment.forms_not_done[instrument.crf]
        if not instrument.crf or instrument.event or document is None:
            continue
        if instrument.rows_of:
            for n, item in enumerate(_leaf(document, instrument.rows_of) or [], 1):
                values = {
                    instrument.fields[0].name: row["visit_id"],
                    instrument.fields[1].name: str(n),
                }
                for f in instrument.fields[2:]:
                    path = f.source.split(".", 1)[1].removeprefix(f"{instrument.rows_of}.*.")
                    values[f.name] = _encode(f, _leaf(item, path))
                log.append([instrument.name, values])
            continue
        for f in instrument.fields:
            if f.source.endswith(":not_done"):
                continue
            path = f.source.split(".", 1)[1]
            if path.endswith(":recorded"):
                row[f.name] = _encode(
                    f, _leaf(document, path.removesuffix(":recorded")) is not None
                )
            else:
                row[f.name] = _encode(f, _leaf(document, path))
    return row


def _screening_rows(
    form: ScreeningForm, instruments_: tuple[Instrument, ...]
) -> Iterator[dict[str, str]]:
    """The screening event's rows: the record's own values, then each list's rows."""
    document = form.record
    event = f"{SCREENING_EVENT}_arm_{ARM}"
    row: dict[str, str] = {"record_id": form.subject_id, "redcap_event_name": event}
    chosen = [i for i in instruments_ if i.event == SCREENING_EVENT]
    for instrument in chosen:
        if instrument.rows_of:
            continue
        for f in instrument.fields:
            if f is RECORD_ID:
                continue
            path = f.source.split(".", 1)[1]
            if path.endswith(":recorded"):
                listed = _leaf(document, path.removesuffix(":recorded"))
                row[f.name] = _encode(f, listed is not None)
            else:
                row[f.name] = _encode(f, _leaf(document, path))
    yield row
    for instrument in chosen:
        if not instrument.rows_of:
            continue
        for n, item in enumerate(_leaf(document, instrument.rows_of) or [], 1):
            values = {
                f.name: _encode(
                    f,
                    _leaf(item, f.source.split(".", 1)[1].removeprefix(f"{instrument.rows_of}.*.")),
                )
                for f in instrument.fields
            }
            yield {
                "record_id": form.subject_id,
                "redcap_event_name": event,
                "redcap_repeat_instrument": instrument.name,
                "redcap_repeat_instance": str(n),
                **values,
            }


def records_rows(
    records: StudyRecords, instruments_: tuple[Instrument, ...]
) -> Iterator[dict[str, str]]:
    """The data import's rows, per subject: the screening record, enrolment, each visit,
    each log row."""
    by_subject: dict[str, list[Assessment]] = {}
    for assessment in records.assessments:
        by_subject.setdefault(assessment.subject_id, []).append(assessment)
    screened = {form.subject_id: form for form in records.screening_records}
    for subject in records.subjects:
        if subject.subject_id in screened:
            yield from _screening_rows(screened[subject.subject_id], instruments_)
        head = {
            "record_id": subject.subject_id,
            "redcap_event_name": f"{ENROLMENT_EVENT}_arm_{ARM}",
        }
        data = _Subject.model_validate(subject.model_dump(mode="json")).model_dump()
        for f in _SUBJECT_FIELDS:
            head[f.name] = _encode(f, data[f.source.split(".", 1)[1]])
        yield head
        log: list[list[Any]] = []
        unscheduled = 0
        visits = sorted(
            by_subject.get(subject.subject_id, []), key=lambda a: (a.date, a.visit_id or "")
        )
        for assessment in visits:
            code = assessment.visit.value.lower()
            instance = ""
            if assessment.visit.value == "unscheduled":
                unscheduled += 1
                code, instance = UNSCHEDULED_EVENT, str(unscheduled)
            row = _visit_rows(assessment, instruments_, instance, log)
            yield {
                "record_id": subject.subject_id,
                "redcap_event_name": f"{code}_arm_{ARM}",
                "redcap_repeat_instance": instance,
                **row,
            }
        for instrument in instruments_:
            if not instrument.records:
                continue
            for record in getattr(records, instrument.records):
                if record.subject_id != subject.subject_id:
                    continue
                document = record.model_dump(mode="json", exclude_none=True)
                values = {
                    f.name: _encode(f, _leaf(document, f.source.split(".", 2)[2]))
                    for f in instrument.fields
                }
                log.append([instrument.name, values])
        counters: dict[str, int] = {}
        for instrument, values in log:
            counters[instrument] = counters.get(instrument, 0) + 1
            yield {
                "record_id": subject.subject_id,
                "redcap_event_name": f"{LOG_EVENT}_arm_{ARM}",
                "redcap_repeat_instrument": instrument,
                "redcap_repeat_instance": str(counters[instrument]),
                **values,
            }


def write_project(records: StudyRecords, out: Path) -> dict[str, int]:
    """Write the four REDCap files and the field map into ``out``; returns row counts."""
    made = instruments()
    _check_names(made)
    fields = [f for instrument in made for f in instrument.fields]
    out.mkdir(parents=True, exist_ok=True)
    dictionary = [list(HEADERS), *(f.row(n == 0) for n, f in enumerate(fields))]
    (out / "data_dictionary.csv").write_text(_csv(dictionary), encoding="utf-8")
    (out / "events.csv").write_text(
        _csv([["event_name", "arm_num"], *([name, ARM] for name, _ in events())]), encoding="utf-8"
    )
    mapping = [["arm_num", "unique_event_name", "form"]]
    for name, unique in events():
        if name == SCREENING_EVENT:
            forms = [i.name for i in made if i.event == SCREENING_EVENT]
        elif name == ENROLMENT_EVENT:
            forms = ["enrolment"]
        elif name == LOG_EVENT:
            forms = [i.name for i in made if i.rows_of and not i.event]
        else:
            forms = [
                i.name for i in made if i.name != "enrolment" and not i.rows_of and not i.event
            ]
        mapping += [[ARM, unique, form] for form in forms]
    (out / "instrument_event_mapping.csv").write_text(_csv(mapping), encoding="utf-8")
    columns = [*IMPORT_COLUMNS]
    for instrument in made:
        columns += [f.name for f in instrument.fields if f.name != "record_id"]
        if instrument.crf and not instrument.rows_of:
            columns.append(status_variable(instrument.name))
    rows = list(records_rows(records, made))
    (out / "records.csv").write_text(
        _csv([columns, *([row.get(c, "") for c in columns] for row in rows)]), encoding="utf-8"
    )
    (out / "field_map.csv").write_text(
        _csv([["variable", "instrument", "source"], *([f.name, f.form, f.source] for f in fields)]),
        encoding="utf-8",
    )
    return {"fields": len(fields), "events": len(events()), "records": len(rows)}
