"""The safety reports compared with the replayed trail: a report added or removed, its frozen
document rewritten, or its submission changed behind the application shows by subject and
report number (issue 14, finding 2). `edc.reconciliation` runs it with the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model

from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.replay import Difference, Event, compare
from lupustrial.edc.safety.models import SafetyReport
from lupustrial.edc.safety.services import FORM, document_digest

COVERS: tuple[type[Model], ...] = (SafetyReport,)


def reconcile(events: Sequence[Event], labels: Mapping[int, str]) -> list[Difference]:
    reports: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.form != FORM or event.action not in (Action.CREATE, Action.UPDATE):
            continue
        if event.action == Action.CREATE:
            reports[event.field] = {
                "subject": event.ref,
                "event": event.new["event"],
                "rule": event.new["rule"],
                "kind": event.new["kind"],
                "due": event.new["due"],
                "follows": event.new["follows"],
                "generated_by": event.actor,
                "document_sha256": event.new.get("document_sha256"),
            }
        else:
            number, _, name = event.field.rpartition(".")
            if name == "submission" and number in reports:
                reports[number] |= {
                    "submitted_to": event.new["to"],
                    "submitted_on": event.new["on"],
                    "submitted_by": event.actor,
                }

    found: list[Difference] = []
    rows = SafetyReport.objects.select_related("follows", "generated_by", "submitted_by")
    for report in rows:
        said = reports.pop(report.number, {})
        held = {
            "subject": report.subject_id,
            "event": report.event_key,
            "rule": report.rule,
            "kind": report.document.get("report", {}).get("kind"),
            "due": report.document.get("report", {}).get("due"),
            "follows": report.follows.number if report.follows else None,
            "generated_by": report.generated_by.get_username(),
            "document_sha256": document_digest(report.document),
            "submitted_to": report.submitted_to,
            "submitted_on": report.submitted_on.isoformat() if report.submitted_on else None,
            "submitted_by": report.submitted_by.get_username() if report.submitted_by else None,
        }
        if said and said.get("document_sha256") is None:
            held.pop("document_sha256")  # generated before the trail named the document
        compare(
            found, labels.get(report.subject_id, ""), f"safety report {report.number}", held, said
        )
    for number, said in reports.items():
        compare(found, labels.get(said["subject"] or 0, ""), f"safety report {number}", {}, said)
    return found
