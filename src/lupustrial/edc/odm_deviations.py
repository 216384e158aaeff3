"""The deviation log's trail entries replayed by `lupustrial import odm` (issue 20).

Each entry goes back through `deviations.services` as its original actor, inside the import
context (`audit.imports`), so the service checks its rules and stamps the original time
(`imports.now()`) on what it stores and on the entry it writes again:

- ``create deviation`` → `record_deviation`; when the next entry is the decision confirming a
  suggested deviation that names this deviation, both are one `confirm_suggestion` (the
  service writes the two entries together);
- ``update deviation`` of ``<number>.<field>``: the consecutive entries of one change (same
  deviation, actor, time and reason; the service writes one entry per field) → one
  `update_deviation`, so the deviation's version moves once, as it did;
- ``update deviation`` of ``<number>.closed`` → `close_deviation`;
- ``update deviation_suggestion`` dismissed → `dismiss_suggestion` with its reason.

A decision's finding (its English, code and values) is found again by the service in the data
replayed so far; one that differs from the file's stops the import (a file from before decisions
kept a code has none to compare, and gets the one found).

A number the replay gives differently from the file's stops the import (`ImportRefusedError`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lupustrial.edc.deviations import services as deviations
from lupustrial.edc.deviations.models import Deviation, SuggestionDecision, SuggestionStatus
from lupustrial.edc.study.models import Subject

FORMS = (deviations.FORM, "deviation_suggestion")
_DATES = ("occurred_on", "reported_to_board_on")

Note = dict[str, Any]


class DeviationReplayError(Exception):
    """The file's deviation entries cannot be replayed as they are (the message says why)."""


def _value(name: str, value: Any) -> Any:
    """A value as the service takes it (the trail stores dates as ISO text)."""
    return dt.date.fromisoformat(value) if name in _DATES and value else value


def _deviation(number: str, note: Note) -> Deviation:
    found = Deviation.objects.filter(number=number).first()
    if found is None:
        raise DeviationReplayError(f"audit entry {note['seq']}: deviation {number} not recorded")
    return found


def _same_finding(note: Note) -> None:
    """The decision just replayed found what the file's decision found."""
    decision = SuggestionDecision.objects.get(key=note["field"])
    new = note["new"] or {}
    replayed = {"finding": decision.description, "code": decision.code, "params": decision.params}
    for name, value in replayed.items():
        if name in new and new[name] != value:
            raise DeviationReplayError(
                f"audit entry {note['seq']}: the suggestion {note['field']} found {value!r} "
                f"here, {new[name]!r} in the file ({name})"
            )


def confirms(create: Note, following: Note | None) -> bool:
    """Whether ``following`` is the decision confirming a suggestion into ``create``'s deviation."""
    return (
        following is not None
        and following.get("form") == "deviation_suggestion"
        and following.get("action") == "update"
        and (following.get("new") or {}).get("decision") == SuggestionStatus.CONFIRMED
        and (following.get("new") or {}).get("deviation") == create["field"]
        and following.get("actor") == create["actor"]
    )


def same_update(first: Note, following: Note | None) -> bool:
    """Whether ``following`` is another field of ``first``'s change to a deviation."""
    if following is None or following.get("form") != deviations.FORM:
        return False
    number = str(first["field"]).partition(".")[0]
    name = str(following.get("field", "")).partition(".")[2]
    return (
        following.get("action") == "update"
        and str(following.get("field", "")).partition(".")[0] == number
        and name in deviations.EDITABLE
        and all(following.get(k) == first[k] for k in ("actor", "at", "reason"))
    )


def record(user: Any, subject: Subject, create: Note, decision: Note | None) -> None:
    """A deviation recorded, or a suggested one confirmed (``decision``)."""
    new = create["new"]
    if decision is not None:
        made = deviations.confirm_suggestion(
            user,
            decision["field"],
            serious=new["serious"],
            description=new["description"],
            corrective_action=new.get("corrective_action") or "",
            preventive_action=new.get("preventive_action") or "",
        )
        _same_finding(decision)
    else:
        made = deviations.record_deviation(
            user,
            subject,
            category=new["category"],
            occurred_on=_value("occurred_on", new["occurred_on"]),
            description=new["description"],
            serious=new["serious"],
            corrective_action=new.get("corrective_action") or "",
            preventive_action=new.get("preventive_action") or "",
            reported_to_board_on=_value("reported_to_board_on", new.get("reported_to_board_on")),
        )
    if made.number != create["field"]:
        raise DeviationReplayError(
            f"audit entry {create['seq']}: the deviation was numbered {made.number} here, "
            f"{create['field']} in the file"
        )


def update(user: Any, notes: list[Note]) -> None:
    """One change to a deviation: its entries (one per field), or its closure."""
    first = notes[0]
    number, _, name = str(first["field"]).partition(".")
    deviation = _deviation(number, first)
    if name == "closed":
        deviations.close_deviation(user, deviation, deviation.version)
        return
    changes = {
        str(n["field"]).partition(".")[2]: _value(str(n["field"]).partition(".")[2], n["new"])
        for n in notes
    }
    deviations.update_deviation(user, deviation, deviation.version, first["reason"], **changes)


def decide(user: Any, note: Note) -> None:
    """A decision on a suggested deviation on its own: a dismissal (a confirmation rides with
    the deviation it recorded, `record`)."""
    if (note["new"] or {}).get("decision") != SuggestionStatus.DISMISSED:
        raise DeviationReplayError(
            f"audit entry {note['seq']}: a confirmed suggestion without the deviation it recorded"
        )
    deviations.dismiss_suggestion(user, note["field"], note["reason"])
    _same_finding(note)
