"""The study's safety declarations in one object: criteria, causality, RSI, reporting table."""

from __future__ import annotations

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.safety.causality import DEFAULT_CAUSALITY, CausalityScale
from lupustrial.protocol.safety.expectedness import ANIFROLUMAB_RSI, ReferenceSafetyInformation
from lupustrial.protocol.safety.reporting import REPORTING_RULES, ProductStatus, ReportingRule


class SafetyConfig(StrictModel):
    """What the study declares for safety reporting; defaults are this study's."""

    product_status: ProductStatus = Field(
        default=ProductStatus.UNAPPROVED_OR_OFF_LABEL,
        description="Anifrolumab is approved in Japan for SLE with an inadequate response to "
        "existing therapy; first remission-induction therapy is outside the label.",
    )
    causality: CausalityScale = DEFAULT_CAUSALITY
    reference_safety_information: ReferenceSafetyInformation = ANIFROLUMAB_RSI
    reporting_rules: tuple[ReportingRule, ...] = REPORTING_RULES
    due_soon_hours: int = Field(
        default=48, ge=1, description="A report due within this many hours is e-mailed about."
    )
