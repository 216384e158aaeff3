"""One patient assessment scored with every instrument its data allow.

The composite is what `lupustrial score` reads: each section is optional, and each
instrument runs only when the data it needs are there; the result says which were not
computed and why, so that nothing is silently skipped.
"""

from __future__ import annotations

from pydantic import Field

from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.sledai2k import Sledai2kInput, Sledai2kResult, score_sledai2k


class Assessment(StrictModel):
    """A lupus assessment: any of SLEDAI-2K, PGA, glucocorticoids, classification data."""

    id: str | None = Field(default=None, description="Your identifier for this assessment.")
    date: PastDate | None = Field(default=None, description="Date of the assessment.")
    sledai2k: Sledai2kInput | None = Field(
        default=None, description="SLEDAI-2K descriptors and laboratory results (Gladman 2002)."
    )


class AssessmentResult(StrictModel):
    """Every instrument the assessment allowed, and why the others were not computed."""

    id: str | None = None
    date: PastDate | None = None
    sledai2k: Sledai2kResult | None = None
    not_computed: dict[str, str] = Field(
        default_factory=dict, description="Instrument → the data it still needs."
    )

    def summary_lines(self) -> list[str]:
        lines = [result.summary_line() for result in (self.sledai2k,) if result is not None]
        lines.extend(f"{name}: not computed — {why}" for name, why in self.not_computed.items())
        return lines


def score_assessment(assessment: Assessment) -> AssessmentResult:
    """Score every instrument the assessment's data allow (each cites its own source)."""
    not_computed: dict[str, str] = {}
    sledai = None
    if assessment.sledai2k is not None:
        sledai = score_sledai2k(assessment.sledai2k)
    else:
        not_computed["SLEDAI-2K"] = "no sledai2k section"
    return AssessmentResult(
        id=assessment.id, date=assessment.date, sledai2k=sledai, not_computed=not_computed
    )
