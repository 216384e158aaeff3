"""The one mapper from an adverse event as recorded (the eCRF's `AdverseEvent` document, one per
version) to what the safety clocks, reports, dashboards and notifications read.

Plain values in, plain values out: the web application, the command line and the tests call
the same two functions. Where a version lacks a fact the clocks need (a record from before the
fact was asked), the stricter value is taken and the version says so (`Assumed`), never a
silent default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lupustrial.protocol.crfs import AdverseEvent
from lupustrial.protocol.safety.seriousness import Tier
from lupustrial.safety.events import ActionTaken, AeOutcome, Assumed, EventVersion, SafetyEvent

LIFE_THREATENING_GRADE = 4
"""CTCAE v5.0 (NCI 2017) grade 4: "life-threatening consequences; urgent intervention
indicated"; grade 5 is death. A serious event without its criteria and of grade 4 or more is
put in the death tier (Art. 54's "may lead to death"), the stricter reading."""


def _assumed_tier(event: AdverseEvent) -> Tier | None:
    """The tier of a version marked serious without its criteria (CTCAE v5.0, 2017)."""
    if not event.serious or event.seriousness_criteria:
        return None
    if event.grade >= LIFE_THREATENING_GRADE or event.outcome == "fatal":
        return Tier.DEATH
    return Tier.SERIOUS


def event_version(event: AdverseEvent) -> EventVersion:
    """What reporting reads of one recorded version (Clinical Trials Act Regulations Art. 54).

    Day 0 is the date the investigator became aware; a version without it takes its onset,
    the earliest possible day, so a deadline is never later than the truth.
    """
    assumed: list[Assumed] = []
    if event.aware_date is None:
        assumed.append(Assumed.AWARE_DATE)
    tier = _assumed_tier(event)
    if tier is not None:
        assumed.append(Assumed.SERIOUSNESS_CRITERIA)
    return EventVersion(
        aware_date=event.aware_date or event.onset,
        term=event.coded_term,
        seriousness=tuple(event.seriousness_criteria),
        causality=event.related,
        onset=event.onset,
        end_date=event.end_date,
        ctcae_grade=event.grade,
        outcome=AeOutcome(event.outcome),
        action_taken=ActionTaken(event.action_taken) if event.action_taken else None,
        course=event.course,
        assumed_tier=tier,
        assumed=tuple(assumed),
    )


def safety_event(
    event_id: str,
    subject_id: str,
    versions: Sequence[AdverseEvent | Mapping[str, Any]],
    submitted: Iterable[str] = (),
) -> SafetyEvent:
    """An adverse event's versions, in the order recorded, as the clocks read them.

    Each version is the eCRF document (validated here when given as stored JSON);
    ``submitted`` names the rules whose first report has been submitted.
    """
    if not versions:
        raise ValueError("versions: an adverse event has at least one version")
    documents = [
        v if isinstance(v, AdverseEvent) else AdverseEvent.model_validate(v) for v in versions
    ]
    return SafetyEvent(
        id=event_id,
        subject_id=subject_id,
        versions=tuple(event_version(document) for document in documents),
        submitted=tuple(submitted),
    )
