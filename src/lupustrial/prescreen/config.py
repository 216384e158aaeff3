"""What pre-screening reads from the protocol, and the few choices records force on it.

Every threshold of an eligibility criterion comes from `lupustrial.protocol.config`
(`DEFAULT_PROTOCOL`) or the clinical layer; nothing here repeats one. The fields below are
windows the registration does not state because a screening visit answers them directly,
while records need a look-back: each is a documented pre-screening choice.
"""

from __future__ import annotations

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig

SLEDAI_LOOKBACK_DAYS = 30
"""The 30-day SLEDAI-2K window (Touma 2010), one of the clinical layer's `LOOKBACK_DAYS`
(the tests hold it to that table)."""


RESULT_MAX_AGE_DAYS = 90
"""How recent an AST, ALT or creatinine result must be to decide E4/E5. Neither the
registration nor a guideline we found fixes a look-back for these screening labs; 90 days is
issue 21's default: about a quarter, the usual follow-up interval of a lupus clinic, so a
patient under care has one, and a result older than that says little about today's organ
function. Every other laboratory criterion declares its own window: I3 the SLEDAI-2K 30 days
(`sledai_lookback_days`), E9 the protocol's negative-test window
(`pregnancy_test_window_days`). E2/E3 read hepatitis markers at any age: a positive marker
records an infection that does not expire, and the screening visit tests them again."""


class PrescreenConfig(StrictModel):
    """The protocol in force plus the look-back windows records need."""

    protocol: ProtocolConfig = DEFAULT_PROTOCOL
    sledai_lookback_days: int = Field(
        default=SLEDAI_LOOKBACK_DAYS,
        description="I3: laboratory SLEDAI-2K descriptors count from results this many days "
        "before the as-of date (Touma 2010: 30-day window).",
    )
    active_condition_days: int = Field(
        default=365,
        ge=1,
        description="E6: a tuberculosis record without an end date counts as active when it "
        "started at most this many days before the as-of date; an older one is unknown.",
    )
    pregnancy_lookback_days: int = Field(
        default=280,
        ge=1,
        description="E9: a pregnancy record or positive test this recent counts as a current "
        "pregnancy (Naegele: 280 days from the last period to term).",
    )
    liver_result_max_age_days: int = Field(
        default=RESULT_MAX_AGE_DAYS,
        ge=1,
        description="E4: an AST or ALT result older than this many days decides nothing "
        "(unknown: recheck at screening). The registration states no window.",
    )
    kidney_result_max_age_days: int = Field(
        default=RESULT_MAX_AGE_DAYS,
        ge=1,
        description="E5: a creatinine result older than this many days decides nothing "
        "(unknown: recheck at screening). The registration states no window.",
    )
    lactation_lookback_days: int = Field(
        default=365,
        ge=1,
        description="E10: a lactation record this recent counts as lactating.",
    )


DEFAULT_PRESCREEN = PrescreenConfig()
