"""The screening decision over every criterion: eligible, ineligible or incomplete.

- eligible: every inclusion met and no exclusion met;
- ineligible: at least one criterion fails, and every failing criterion is listed;
- incomplete: nothing fails yet but something is unknown, with exactly what to collect next.

The decision keeps, for each screen failure, the criteria that caused it, so that a CONSORT
diagram can count failures by reason.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.clinical.status import Status
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig
from lupustrial.protocol.criteria import CRITERIA, REGISTRATION
from lupustrial.protocol.rules import Kind, Phrase
from lupustrial.protocol.screening import ScreeningRecord


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"


class CriterionResult(StrictModel):
    """One criterion as judged for one candidate."""

    id: str
    kind: Kind
    wording: str
    status: Status
    fails: bool = Field(description="True when this criterion makes the candidate ineligible.")
    evidence: list[str]
    missing: list[str]
    # The same lines as codes and values, for the web layer to word in the reader's language;
    # left out of the JSON, which stays the English lines above.
    evidence_phrases: list[Phrase] = Field(default_factory=list, exclude=True)
    missing_phrases: list[Phrase] = Field(default_factory=list, exclude=True)


class ScreeningDecision(StrictModel):
    """The decision for one candidate, with every criterion's status and evidence."""

    screening_id: str
    outcome: Outcome
    consent_date: dt.date | None
    planned_first_dose_date: dt.date | None
    failed: list[str] = Field(description="Ids of every criterion that fails, in order.")
    unknown: list[str] = Field(description="Ids of every criterion still unknown.")
    to_collect: list[str] = Field(description="The data still missing, in criterion order.")
    criteria: list[CriterionResult]
    source: str = REGISTRATION

    def criterion(self, criterion_id: str) -> CriterionResult:
        for result in self.criteria:
            if result.id == criterion_id:
                return result
        raise KeyError(criterion_id)


def decide_eligibility(
    record: ScreeningRecord, config: ProtocolConfig = DEFAULT_PROTOCOL
) -> ScreeningDecision:
    """Judge every registration criterion (I1-I5, E1-E13) and decide eligibility."""
    results = []
    for criterion in CRITERIA:
        evaluation = criterion.rule(record, config)
        missing = evaluation.missing if evaluation.status is Status.UNKNOWN else []
        results.append(
            CriterionResult(
                id=criterion.id,
                kind=criterion.kind,
                wording=criterion.wording,
                status=evaluation.status,
                fails=criterion.fails(evaluation.status),
                evidence=[phrase.text for phrase in evaluation.evidence],
                missing=[phrase.text for phrase in missing],
                evidence_phrases=evaluation.evidence,
                missing_phrases=missing,
            )
        )
    failed = [result.id for result in results if result.fails]
    unknown = [result.id for result in results if result.status is Status.UNKNOWN]
    if failed:
        outcome = Outcome.INELIGIBLE
    elif unknown:
        outcome = Outcome.INCOMPLETE
    else:
        outcome = Outcome.ELIGIBLE
    to_collect = list(dict.fromkeys(item for result in results for item in result.missing))
    return ScreeningDecision(
        screening_id=record.screening_id,
        outcome=outcome,
        consent_date=record.consent.date if record.consent else None,
        planned_first_dose_date=record.planned_first_dose_date,
        failed=failed,
        unknown=unknown,
        to_collect=to_collect,
        criteria=results,
    )
