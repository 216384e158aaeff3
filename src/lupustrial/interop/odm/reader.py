"""Reading an ODM 1.3.2 file back: its changes replayed into each form's values.

Only the file is read (its ItemDefs name each item's path and data type, `writer`'s aliases),
so the round trip proves that the file alone carries the record: replaying every ItemData in
document order (Insert and Update set a value, Remove clears it) gives each form's document
as the application holds it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lupustrial.interop.odm.items import OdmError, decode, field_path, unflatten
from lupustrial.interop.odm.writer import ALIAS_JSON, ALIAS_KEYED, ALIAS_PATH, RECORD_SEPARATOR

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
_ODM = "{http://www.cdisc.org/ns/odm/v1.3}"

FormKey = tuple[str, str, str, str]
"""(subject key, study event code, study event repeat key, form code)."""


@dataclass(frozen=True)
class Change:
    """One ItemData as read: which form, which field, what, by whom, when, why."""

    form: FormKey
    field: str
    kind: str
    value: Any
    user: str
    location: str
    at: str
    reason: str
    source: str


@dataclass(frozen=True)
class Step:
    """One SubjectData of the file (one save, a signature or a note), or one study-level
    note, with what the forms it changed held right after it: an import replays these."""

    subject: str  # the SubjectKey; blank for a study-level note
    changes: tuple[Change, ...]
    documents: dict[FormKey, dict[str, Any] | None]
    signature: dict[str, str] | None
    notes: tuple[str, ...]


@dataclass
class Replay:
    """The file's changes in order and each form's values after them."""

    changes: list[Change] = field(default_factory=list)
    values: dict[FormKey, dict[str, Any]] = field(default_factory=dict)
    signatures: list[dict[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (subject key, comment text)
    steps: list[Step] = field(default_factory=list)
    study_notes: list[str] = field(default_factory=list)  # ClinicalData's own Annotations
    signature_meanings: dict[str, str] = field(default_factory=dict)  # SignatureDef OID → text

    def document(self, key: FormKey) -> dict[str, Any] | None:
        """The form's document after every change (None: never saved)."""
        values = self.values.get(key)
        if values is None:
            return None
        if not any(RECORD_SEPARATOR in name for name in values):
            return unflatten(values)
        records: dict[str, dict[str, Any]] = {}  # a keyed form: its records by their keys
        for name, value in values.items():
            record, _, path = name.partition(RECORD_SEPARATOR)
            records.setdefault(record, {})[path] = value
        return {record: unflatten(paths) for record, paths in records.items()}


def _items(root: ET.Element) -> dict[str, tuple[str, str, bool]]:
    """ItemOID → (dotted path, data type, JSON-valued) from the file's ItemDefs."""
    found = {}
    for item in root.iterfind(".//odm:MetaDataVersion/odm:ItemDef", NS):
        aliases = {a.get("Context"): a.get("Name") for a in item.iterfind("odm:Alias", NS)}
        path = aliases.get(ALIAS_PATH)
        if path is None:
            raise OdmError(f"ItemDef {item.get('OID')} does not name its path")
        found[item.get("OID", "")] = (path, item.get("DataType", "text"), ALIAS_JSON in aliases)
    return found


def _keyed(root: ET.Element) -> set[str]:
    """The ItemGroupOIDs whose repeat key opens with a record's key."""
    return {
        group.get("OID", "")
        for group in root.iterfind(".//odm:MetaDataVersion/odm:ItemGroupDef", NS)
        if any(a.get("Context") == ALIAS_KEYED for a in group.iterfind("odm:Alias", NS))
    }


def _forms(root: ET.Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for form in root.iterfind(".//odm:MetaDataVersion/odm:FormDef", NS):
        aliases = {a.get("Context"): a.get("Name") for a in form.iterfind("odm:Alias", NS)}
        found[form.get("OID", "")] = aliases.get(ALIAS_PATH) or form.get("OID") or ""
    return found


def _text(element: ET.Element | None, tag: str) -> str:
    found = element.find(f"odm:{tag}", NS) if element is not None else None
    return (found.text or "") if found is not None else ""


def _ref(element: ET.Element | None, tag: str, attribute: str) -> str:
    found = element.find(f"odm:{tag}", NS) if element is not None else None
    return found.get(attribute, "") if found is not None else ""


def read(source: str | bytes | Path) -> Replay:
    """Replay the ODM document ``source`` (a path, or the XML itself)."""
    try:
        root = ET.parse(source).getroot() if isinstance(source, Path) else ET.fromstring(source)
    except ET.ParseError as error:
        raise OdmError(f"not an XML document: {error}") from None
    if root.tag != f"{_ODM}ODM":
        raise OdmError("not an ODM 1.3 document (root element is not ODM)")
    items, forms, keyed = _items(root), _forms(root), _keyed(root)
    replay = Replay()
    for definition in root.iterfind(".//odm:AdminData/odm:SignatureDef", NS):
        replay.signature_meanings[definition.get("OID", "")] = _text(definition, "Meaning")
    for subject in root.iterfind("odm:ClinicalData/odm:SubjectData", NS):
        key = subject.get("SubjectKey", "")
        first = len(replay.changes)
        signature = subject.find("odm:Signature", NS)
        signed = None
        if signature is not None:
            signed = {
                "subject": key,
                "id": signature.get("ID", ""),
                "user": _ref(signature, "UserRef", "UserOID"),
                "location": _ref(signature, "LocationRef", "LocationOID"),
                "meaning": _ref(signature, "SignatureRef", "SignatureOID"),
                "at": _text(signature, "DateTimeStamp"),
            }
            replay.signatures.append(signed)
        notes = tuple(n.text or "" for n in subject.iterfind(".//odm:Annotation/odm:Comment", NS))
        replay.notes.extend((key, text) for text in notes)
        _subject_changes(replay, subject, key, items, forms, keyed)
        changed = replay.changes[first:]
        touched = dict.fromkeys(change.form for change in changed)
        replay.steps.append(
            Step(
                subject=key,
                changes=tuple(changed),
                documents={form: replay.document(form) for form in touched},
                signature=signed,
                notes=notes,
            )
        )
    for note in root.iterfind("odm:ClinicalData/odm:Annotations/odm:Annotation/odm:Comment", NS):
        replay.study_notes.append(note.text or "")
    return replay


def _subject_changes(
    replay: Replay,
    subject: ET.Element,
    key: str,
    items: dict[str, tuple[str, str, bool]],
    forms: dict[str, str],
    keyed: set[str],
) -> None:
    for event in subject.iterfind("odm:StudyEventData", NS):
        event_code = event.get("StudyEventOID", "").removeprefix("SE.")
        repeat = event.get("StudyEventRepeatKey", "")
        for form in event.iterfind("odm:FormData", NS):
            form_key = (key, event_code, repeat, forms.get(form.get("FormOID", ""), ""))
            for group in form.iterfind("odm:ItemGroupData", NS):
                row = group.get("ItemGroupRepeatKey", "")
                record = ""
                if group.get("ItemGroupOID") in keyed:
                    record, _, row = row.partition(RECORD_SEPARATOR)
                for item in group.iterfind("odm:ItemData", NS):
                    _replay(replay, form_key, row, item, items, record)


def _replay(
    replay: Replay,
    form_key: FormKey,
    row: str,
    item: ET.Element,
    items: dict[str, tuple[str, str, bool]],
    record: str = "",
) -> None:
    oid = item.get("ItemOID", "")
    if oid not in items:
        raise OdmError(f"ItemData {oid} has no ItemDef")
    path, data_type, as_json = items[oid]
    name = field_path(path, row)
    if record:
        name = f"{record}{RECORD_SEPARATOR}{name}"
    kind = item.get("TransactionType", "Upsert")
    values = replay.values.setdefault(form_key, {})
    value: Any = None
    if kind == "Remove":
        values.pop(name, None)
    elif item.get("IsNull") == "Yes":
        values[name] = None
    else:
        text = item.get("Value")
        if text is None:
            raise OdmError(f"ItemData {oid} of {form_key[0]} has no value")
        value = decode(data_type, as_json, text)
        values[name] = value
    audit = item.find("odm:AuditRecord", NS)
    replay.changes.append(
        Change(
            form=form_key,
            field=name,
            kind=kind,
            value=value,
            user=_ref(audit, "UserRef", "UserOID"),
            location=_ref(audit, "LocationRef", "LocationOID"),
            at=_text(audit, "DateTimeStamp"),
            reason=_text(audit, "ReasonForChange"),
            source=_text(audit, "SourceID"),
        )
    )
