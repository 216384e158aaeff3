"""The monitoring log compared with the replayed trail: a visit or a finding added, removed or
rewritten behind the application, or a subject taken off a visit's review, shows by visit and
finding (issue 14, finding 2). `edc.reconciliation` runs it with the others.

Each entry names its row (``visit``, ``finding``); entries from before they did are paired
with the rows of the same site and day in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model

from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.replay import Difference, Event, compare
from lupustrial.edc.monitoring.models import MonitoringFinding, MonitoringVisit
from lupustrial.edc.monitoring.services import FINDING_FORM, VISIT_FORM
from lupustrial.edc.study.models import Subject

COVERS: tuple[type[Model], ...] = (MonitoringVisit, MonitoringFinding)


class _Said:
    """Entries by the row they name, and those that name none by site and day, in order."""

    def __init__(self) -> None:
        self.named: dict[int, dict[str, Any]] = {}
        self.unnamed: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, pk: int | None, where: str, said: dict[str, Any]) -> None:
        if pk is None:
            self.unnamed[where].append(said)
        else:
            self.named[pk] = said

    def take(self, pk: int, where: str) -> dict[str, Any]:
        said = self.named.pop(pk, None)
        if said is None:
            said = self.unnamed[where].pop(0) if self.unnamed[where] else {}
        return said

    def left(self) -> list[tuple[str, dict[str, Any]]]:
        out = [(f" {pk}", said) for pk, said in self.named.items()]
        return out + [("", said) for left in self.unnamed.values() for said in left]


def _current_labels() -> dict[str, str]:
    """Each label a subject had (screening number, subject ID) to the one it has now: a
    candidate reviewed before enrolment is named in the trail by screening number."""
    out: dict[str, str] = {}
    for screening_number, subject_id in Subject.objects.values_list(
        "screening_number", "subject_id"
    ):
        out[screening_number] = subject_id or screening_number
        if subject_id:
            out[subject_id] = subject_id
    return out


def reconcile(events: Sequence[Event], labels: Mapping[int, str]) -> list[Difference]:
    now = _current_labels()
    visits, findings = _Said(), _Said()
    for event in events:
        if event.action != Action.CREATE or event.form not in (VISIT_FORM, FINDING_FORM):
            continue
        new = event.new
        site, _, day = event.field.partition(":")
        if event.form == VISIT_FORM:
            visits.add(new.get("visit"), event.field, {
                "site": site,
                "visited_on": day,
                "kind": new["kind"],
                "summary": new["summary"],
                "follow_up": new["follow_up"],
                "subjects": sorted(now.get(label, label) for label in new["subjects"]),
                "monitor": event.actor,
            })  # fmt: skip
        else:
            findings.add(new.get("finding"), event.field, {
                "visit": new.get("visit"),
                "subject": event.ref,
                "text": new["text"],
                "action": new["action"],
                "query": new["query"],
                "deviation": new["deviation"],
                "recorded_by": event.actor,
            })  # fmt: skip

    found: list[Difference] = []
    rows = MonitoringVisit.objects.select_related("site", "monitor").prefetch_related("subjects")
    for visit in rows.order_by("pk"):
        where = f"{visit.site.code}:{visit.visited_on.isoformat()}"
        held: dict[str, Any] = {
            "site": visit.site.code,
            "visited_on": visit.visited_on.isoformat(),
            "kind": visit.kind,
            "summary": visit.summary,
            "follow_up": visit.follow_up,
            "subjects": sorted(s.label for s in visit.subjects.all()),
            "monitor": visit.monitor.get_username(),
        }
        compare(found, "", f"monitoring visit {visit.pk}", held, visits.take(visit.pk, where))
    for pk, said in visits.left():
        compare(found, "", f"monitoring visit{pk}", {}, said)

    finding_rows = MonitoringFinding.objects.select_related(
        "visit__site", "deviation", "recorded_by"
    ).order_by("pk")
    for finding in finding_rows:
        where = f"{finding.visit.site.code}:{finding.visit.visited_on.isoformat()}"
        said = findings.take(finding.pk, where)
        held = {
            # Entries from before the visit was named say only its site and day.
            "visit": finding.visit_id if said.get("visit") is not None or not said else None,
            "subject": finding.subject_id,
            "text": finding.text,
            "action": finding.action,
            "query": finding.query_id,
            "deviation": finding.deviation.number if finding.deviation else None,
            "recorded_by": finding.recorded_by.get_username(),
        }
        label = labels.get(finding.subject_id or 0, "")
        compare(found, label, f"monitoring finding {finding.pk}", held, said)
    for pk, said in findings.left():
        label = labels.get(said["subject"] or 0, "")
        compare(found, label, f"monitoring finding{pk}", {}, said)
    return found
