"""The ODM writer and reader on a small study (issue 20): schema-valid with null values and
Japanese text, and every change replayed, without a database."""

from __future__ import annotations

import datetime as dt

from lupustrial.clinical.model import StrictModel
from lupustrial.interop.odm.items import FormSpec
from lupustrial.interop.odm.reader import read
from lupustrial.interop.odm.schema import schema_errors
from lupustrial.interop.odm.writer import (
    Entry,
    EventSpec,
    Person,
    Place,
    Study,
    StudyInfo,
    build,
)

AT = dt.datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=dt.UTC)


class Row(StrictModel):
    text: str | None = None


class Note(StrictModel):
    text: str | None = None
    count: int | None = None
    rows: list[Row] | None = None


def _entry(seq: int, field: str, old: object, new: object, **extra: object) -> Entry:
    action = "update" if old is not None else "create"
    return Entry(
        seq=seq, at=AT, actor="coordinator", role="coordinator", action=action,
        subject_key="S-001", site="TKY", visit="W4", form="note", field=field, old=old, new=new,
        reason="訂正", hash=f"{seq:064x}", **extra,  # type: ignore[arg-type]  # each test its fields' types
    )  # fmt: skip


def _study(*entries: Entry) -> Study:
    form = FormSpec("note", "Note", "メモ", Note).with_items()
    return Study(
        info=StudyInfo("ST", "Study", "A study", "P"),
        events=(EventSpec("W4", "Week 4", "4週", "Scheduled", False, ("note",)),),
        forms=(form,),
        people=(Person("coordinator", "伊藤 健二", "coordinator", ("TKY",)),),
        places=(Place("TKY", "東京"),),
        entries=entries,
        signature_meaning="I confirm.",
        event_of_visit=lambda code: (code, ""),
    )


def test_null_values_and_japanese_text_validate_and_replay() -> None:
    study = _study(
        _entry(1, "text", None, "全身性エリテマトーデス"),
        _entry(2, "count", None, 3),
        _entry(3, "rows.0.text", None, "一行目"),
        _entry(4, "count", 3, None, null=True),
        _entry(5, "rows.0.text", "一行目", None),
    )
    text = build(study, AT, "test").to_xml_string(xml_declaration=True)
    assert schema_errors(text) == []
    assert 'IsNull="Yes"' in text
    replay = read(text)
    assert replay.document(("S-001", "W4", "", "note")) == {
        "text": "全身性エリテマトーデス",
        "count": None,
    }
    assert [c.kind for c in replay.changes] == ["Insert", "Insert", "Insert", "Update", "Remove"]
    assert {c.reason for c in replay.changes} == {"訂正"}
