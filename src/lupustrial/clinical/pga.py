"""Physician Global Assessment on the SELENA 0–3 visual analogue scale (Petri 2005).

LLDAS (PGA ≤ 1) and DORIS remission (PGA < 0.5) both read this scale, so the range is
declared once here as a reusable type.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from lupustrial.clinical.model import PastDate, StrictModel
from lupustrial.clinical.sources import PETRI_2005

PGA_MINIMUM = 0.0
PGA_MAXIMUM = 3.0

PgaValue = Annotated[
    float,
    Field(
        ge=PGA_MINIMUM,
        le=PGA_MAXIMUM,
        allow_inf_nan=False,
        description="Physician Global Assessment on the SELENA 0–3 scale "
        "(0 none, 1 mild, 2 moderate, 3 severe disease activity).",
    ),
]
"""A PGA as a plain number, for models that embed one (Petri 2005)."""


class PhysicianGlobalAssessment(StrictModel):
    """The physician's overall judgement of lupus activity, 0–3 (SELENA scale, Petri 2005)."""

    instrument: ClassVar[str] = "PGA"
    source: ClassVar[str] = PETRI_2005

    value: PgaValue
    date: PastDate | None = Field(default=None, description="Date of the assessment.")

    def summary_line(self) -> str:
        return f"PGA {self.value:g} (0–3)"
