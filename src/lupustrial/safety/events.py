"""Adverse events as the safety clocks read them, and the open clocks of a set of events.

An event is its versions (each with the date the investigator became aware of it, its
seriousness criteria, causality and coded term) and the reports already submitted. The rules
are the protocol's (`ProtocolConfig.safety`); this module only applies them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from lupustrial.clinical.model import StrictModel
from lupustrial.coding.ctcae import CodedTerm
from lupustrial.protocol.safety.config import SafetyConfig
from lupustrial.protocol.safety.expectedness import Expectedness
from lupustrial.protocol.safety.reporting import (
    Clock,
    ReportableEvent,
    clocks_over_versions,
)
from lupustrial.protocol.safety.seriousness import Seriousness, Tier, tier_of


class AeOutcome(StrEnum):
    """The event's outcome, as the eCRF states it."""

    RECOVERED = "recovered"
    RECOVERING = "recovering"
    NOT_RECOVERED = "not recovered"
    WITH_SEQUELAE = "with sequelae"
    FATAL = "fatal"


class ActionTaken(StrEnum):
    """What was done with anifrolumab because of the event (CDISC SDTM AEACN, C66767)."""

    NOT_CHANGED = "dose not changed"
    INTERRUPTED = "drug interrupted"
    WITHDRAWN = "drug withdrawn"
    NOT_APPLICABLE = "not applicable"
    UNKNOWN = "unknown"


class Assumed(StrEnum):
    """A fact a version did not record, and the stricter value the clocks took instead."""

    AWARE_DATE = "aware_date"
    """Not recorded: the onset is day 0 (the earliest the investigator can have known)."""
    SERIOUSNESS_CRITERIA = "seriousness_criteria"
    """Marked serious without its criteria: the tier its CTCAE grade implies."""


class EventVersion(StrictModel):
    """One version of an adverse event, as far as reporting is concerned."""

    aware_date: dt.date = Field(
        description="Site-local date the investigator became aware of this version's facts."
    )
    term: CodedTerm
    seriousness: tuple[Seriousness, ...] = Field(
        default=(), description="Seriousness criteria met; none: non-serious."
    )
    causality: str = Field(description="A grade of the protocol's causality scale.")
    onset: dt.date | None = Field(default=None, description="Onset date (site-local).")
    end_date: dt.date | None = Field(default=None, description="Resolution date, if resolved.")
    ctcae_grade: int | None = Field(default=None, ge=1, le=5, description="CTCAE grade 1-5.")
    outcome: AeOutcome | None = None
    action_taken: ActionTaken | None = Field(
        default=None, description="What was done with anifrolumab because of the event."
    )
    course: str = Field(
        default="", description="The course of the event, in the investigator's words."
    )
    assumed_tier: Tier | None = Field(
        default=None,
        description="Marked serious without its criteria (recorded before they were asked): "
        "the tier assumed.",
    )
    assumed: tuple[Assumed, ...] = Field(
        default=(), description="Facts not recorded, for which the clocks took a stricter value."
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> EventVersion:
        if self.onset and self.end_date and self.end_date < self.onset:
            raise ValueError("end_date is before onset")
        if self.onset and self.onset > self.aware_date:
            raise ValueError("onset is after aware_date: nobody knew of it before it began")
        if self.assumed_tier is not None and self.seriousness:
            raise ValueError("assumed_tier: the seriousness criteria are recorded")
        return self

    @property
    def tier(self) -> Tier:
        """The heaviest criterion's tier, or the tier assumed when the criteria are missing."""
        if self.assumed_tier is not None:
            return self.assumed_tier
        return tier_of(self.seriousness)


class SafetyEvent(StrictModel):
    """An adverse event with its versions (in the order recorded) and the reports submitted."""

    id: str = Field(min_length=1)
    subject_id: str = Field(min_length=1)
    versions: tuple[EventVersion, ...] = Field(min_length=1)
    submitted: tuple[str, ...] = Field(
        default=(), description="Ids of the reporting rules already reported (e.g. CRB-7)."
    )

    # The versions are in the order recorded. A later version may correct the aware date to
    # an earlier day: the clocks then count from the earliest day of the run
    # (`clocks_over_versions`), so a correction never pushes a deadline later.


class OpenClock(StrictModel):
    """A report still to submit: which event, which rule, and the deadline."""

    event_id: str
    subject_id: str
    term: str
    tier: Tier
    expectedness: Expectedness
    clock: Clock
    assumed: tuple[Assumed, ...] = Field(
        default=(), description="Facts some version did not record (stricter values taken)."
    )


def reportable(version: EventVersion, safety: SafetyConfig) -> ReportableEvent:
    """What the clocks need of a version: tier, suspected, expectedness, day 0."""
    return ReportableEvent(
        tier=version.tier,
        suspected=safety.causality.is_suspected(version.causality),
        expectedness=safety.reference_safety_information.expectedness(version.term.meddra_code),
        aware_date=version.aware_date,
    )


def check_causality(event: SafetyEvent, safety: SafetyConfig) -> list[str]:
    """Problems of an event against the protocol's scale, naming the field."""
    return [
        f"versions.{number}.causality: {version.causality!r} is not on the scale "
        f"({', '.join(safety.causality.grades)})"
        for number, version in enumerate(event.versions)
        if version.causality not in safety.causality.grades
    ]


def open_clocks(
    events: list[SafetyEvent], safety: SafetyConfig, *, periodic: bool = False
) -> list[OpenClock]:
    """Every report not yet submitted, soonest deadline first (periodic ones when asked)."""
    result = []
    for event in events:
        versions = [reportable(v, safety) for v in event.versions]
        latest = versions[-1]
        for clock in clocks_over_versions(versions, safety.reporting_rules, safety.product_status):
            if clock.rule.id in event.submitted or (clock.due is None and not periodic):
                continue
            result.append(
                OpenClock(
                    event_id=event.id,
                    subject_id=event.subject_id,
                    term=event.versions[-1].term.display,
                    tier=latest.tier,
                    expectedness=latest.expectedness,
                    clock=clock,
                    assumed=tuple(dict.fromkeys(a for v in event.versions for a in v.assumed)),
                )
            )
    return sorted(
        result,
        key=lambda o: (
            o.clock.due is None,
            o.clock.due or dt.date.max,
            o.event_id,
            o.clock.rule.id,
        ),
    )
