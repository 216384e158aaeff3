"""The safety reports' trail entries replayed by `lupustrial import odm` (issue 20).

Each entry goes back through `safety.services` as its original actor, inside the import
context (`audit.imports`), so the service checks its rules (the investigator's, a first
report answering a rule the event falls under as replayed so far, one first report per event
and rule, a follow-up of the same event and rule) and stamps the original time:

- ``create safety_report`` → `generate_event_report` for the recorded adverse event the entry
  names, with the report it follows; the frozen document the file holds (`edc.odm` writes it
  beside the entry) is the one kept, since what was sent is what is kept, and it must be the
  one the entry's digest names;
- ``update safety_report`` of ``<number>.submission`` → `record_submission` (to whom, when).

A report numbered differently here, or a document that is not the one the trail named,
stops the import (`SafetyReplayError`); downloads are not replayed (`odm_import`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lupustrial.edc.safety import services as safety
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.safety.recorded import event_key
from lupustrial.edc.study.models import AdverseEvent, Subject

FORM = safety.FORM

Note = dict[str, Any]


class SafetyReplayError(Exception):
    """The file's safety report entries cannot be replayed as they are (the message says why)."""


def document_of(note: Note) -> Any:
    """The frozen document the file gives with a report's entry, checked against the digest
    the entry names (None: a file from before documents were written, or another entry)."""
    document = note.get("document")
    if document is None or note["action"] != "create":
        return None
    named = (note.get("new") or {}).get("document_sha256")
    if named is not None and safety.document_digest(document) != named:
        raise SafetyReplayError(
            f"audit entry {note['seq']}: safety report {note['field']}'s document is not the "
            "one its trail entry names (its SHA-256 differs)"
        )
    return document


def replay(user: Any, subject: Subject, note: Note) -> None:
    """One safety report entry: a report generated, or its submission recorded."""
    if note["action"] == "create":
        generate(user, subject, note)
    elif note["action"] == "update" and str(note["field"]).endswith(".submission"):
        submit(user, note)
    else:
        raise SafetyReplayError(
            f"audit entry {note['seq']} ({note['action']} {FORM} {note['field']}) is not a "
            "change of a safety report"
        )


def generate(user: Any, subject: Subject, note: Note) -> None:
    new = note["new"]
    key = str(new["event"])
    record = next(
        (r for r in AdverseEvent.objects.filter(subject=subject) if event_key(r) == key), None
    )
    if record is None:
        raise SafetyReplayError(
            f"audit entry {note['seq']}: safety report {note['field']} is of {key}, "
            "not an adverse event recorded here"
        )
    follows = _report(str(new["follows"]), note) if new.get("follows") else None
    report = safety.generate_event_report(user, record, str(new["rule"]), follows=follows)
    if report.number != note["field"]:
        raise SafetyReplayError(
            f"audit entry {note['seq']}: the safety report was numbered {report.number} here, "
            f"{note['field']} in the file"
        )
    named = new.get("document_sha256")
    if named is not None and safety.document_digest(report.document) != named:
        raise SafetyReplayError(
            f"audit entry {note['seq']}: safety report {report.number} generated here is not "
            "the document the file's trail names, and the file does not hold that document"
        )


def submit(user: Any, note: Note) -> None:
    number = str(note["field"]).rpartition(".")[0]
    new = note["new"]
    safety.record_submission(
        user, _report(number, note), str(new["to"]), dt.date.fromisoformat(new["on"])
    )


def _report(number: str, note: Note) -> SafetyReport:
    found = SafetyReport.objects.filter(number=number).first()
    if found is None:
        raise SafetyReplayError(f"audit entry {note['seq']}: safety report {number} not generated")
    return found
