"""The deviation log and the decisions on suggested deviations compared with the replayed
trail: a deviation added, removed, re-dated, re-categorised, closed or reopened behind the
application, or a decision changed (its finding's code and values too), shows by subject and
deviation number (issue 14, finding 2). `edc.reconciliation` runs it with the other apps'
comparisons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model

from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.replay import Difference, Event, compare
from lupustrial.edc.deviations.models import Deviation, SuggestionDecision
from lupustrial.edc.deviations.services import EDITABLE, FORM, _document

COVERS: tuple[type[Model], ...] = (Deviation, SuggestionDecision)
SUGGESTION_FORM = "deviation_suggestion"


def reconcile(events: Sequence[Event], labels: Mapping[int, str]) -> list[Difference]:
    deviations: dict[str, dict[str, Any]] = defaultdict(dict)
    decisions: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.form == FORM and event.action == Action.CREATE:
            deviations[event.field] = {
                **event.new,
                "subject": event.ref,
                "recorded_by": event.actor,
            }
        elif event.form == FORM and event.action == Action.UPDATE:
            number, _, name = event.field.partition(".")
            if name == "closed":
                deviations[number] |= {
                    "closed_at": event.new["closed_at"],
                    "closed_by": event.actor,
                }
            else:
                deviations[number][name] = event.new
        elif event.form == SUGGESTION_FORM:
            decisions[event.field] = {
                "subject": event.ref,
                "status": event.new["decision"],
                "description": event.new["finding"],
                # An entry from before decisions kept them has neither (nor has its row).
                "code": event.new.get("code", ""),
                "params": event.new.get("params", {}),
                "deviation": event.new["deviation"],
                "reason": event.reason,
                "decided_by": event.actor,
            }

    found: list[Difference] = []
    rows = Deviation.objects.select_related("recorded_by", "closed_by")
    for deviation in rows:
        held = {
            **_document({name: getattr(deviation, name) for name in EDITABLE}),
            "subject": deviation.subject_id,
            "recorded_by": deviation.recorded_by.get_username(),
            "closed_at": deviation.closed_at.isoformat() if deviation.closed_at else None,
            "closed_by": deviation.closed_by.get_username() if deviation.closed_by else None,
        }
        said = deviations.pop(deviation.number, {})
        label = labels.get(deviation.subject_id, "")
        compare(found, label, f"deviation {deviation.number}", held, said)
    for number, said in deviations.items():
        compare(found, labels.get(said.get("subject") or 0, ""), f"deviation {number}", {}, said)

    for decision in SuggestionDecision.objects.select_related("deviation", "decided_by"):
        held = {
            "subject": decision.subject_id,
            "status": decision.status,
            "description": decision.description,
            "code": decision.code,
            "params": decision.params,
            "deviation": decision.deviation.number if decision.deviation else None,
            "reason": decision.reason,
            "decided_by": decision.decided_by.get_username(),
        }
        said = decisions.pop(decision.key, {})
        label = labels.get(decision.subject_id, "")
        compare(found, label, f"suggested deviation {decision.key}", held, said)
    for key, said in decisions.items():
        label = labels.get(said.get("subject") or 0, "")
        compare(found, label, f"suggested deviation {key}", {}, said)
    return found
