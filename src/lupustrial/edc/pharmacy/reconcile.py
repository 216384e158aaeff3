"""Drug accountability compared with the replayed trail: a lot added or re-dated, or a
movement added, removed or changed behind the application (vials, date, kind, subject, note)
shows by lot and movement (issue 14, finding 2). `edc.reconciliation` runs it with the others.

Each movement's entry names its row (``movement``); entries from before it did are paired with
the lot's rows in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Model

from lupustrial.edc.audit.models import Action
from lupustrial.edc.audit.replay import Difference, Event, compare
from lupustrial.edc.pharmacy.models import DrugLot, LotMovement
from lupustrial.edc.pharmacy.services import FORM

COVERS: tuple[type[Model], ...] = (DrugLot, LotMovement)


def _lot_key(lot: DrugLot) -> str:
    return f"{lot.site.code}:{lot.lot_number}"  # as the trail's field names it


def reconcile(events: Sequence[Event], labels: Mapping[int, str]) -> list[Difference]:
    lots: dict[str, dict[str, Any]] = {}
    movements: dict[int, dict[str, Any]] = {}
    unnamed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        if event.form != FORM or event.action != Action.CREATE:
            continue
        new = event.new
        # The lot is created by its first receipt; later entries repeat its expiry date.
        lots.setdefault(
            event.field, {"expiry_date": new["expiry_date"], "recorded_by": event.actor}
        )
        entry = {
            "lot": event.field,
            "kind": new["kind"],
            "vials": new["vials"],
            "on": new["on"],
            "note": new["note"],
            "subject": event.ref,
            "recorded_by": event.actor,
        }
        if "movement" in new:
            movements[new["movement"]] = entry
        else:
            unnamed[event.field].append(entry)

    found: list[Difference] = []
    for lot in DrugLot.objects.select_related("site", "recorded_by"):
        key = _lot_key(lot)
        held: dict[str, Any] = {
            "expiry_date": lot.expiry_date.isoformat(),
            "recorded_by": lot.recorded_by.get_username(),
        }
        compare(found, "", f"drug lot {key}", held, lots.pop(key, {}))
    for key, lot_said in lots.items():
        compare(found, "", f"drug lot {key}", {}, lot_said)

    rows = LotMovement.objects.select_related("lot__site", "recorded_by").order_by("pk")
    for movement in rows:
        key = _lot_key(movement.lot)
        held = {
            "lot": key,
            "kind": movement.kind,
            "vials": movement.vials,
            "on": movement.on.isoformat(),
            "note": movement.note,
            "subject": movement.subject_id,
            "recorded_by": movement.recorded_by.get_username(),
        }
        said = movements.pop(movement.pk, None)
        if said is None:
            said = unnamed[key].pop(0) if unnamed[key] else {}
        label = labels.get(movement.subject_id or 0, "")
        compare(found, label, f"drug lot {key} movement {movement.pk}", held, said)
    for pk, said in movements.items():
        label = labels.get(said["subject"] or 0, "")
        compare(found, label, f"drug lot {said['lot']} movement {pk}", {}, said)
    for key, left in unnamed.items():
        for said in left:
            label = labels.get(said["subject"] or 0, "")
            compare(found, label, f"drug lot {key} movement", {}, said)
    return found
