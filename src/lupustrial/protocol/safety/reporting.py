"""Which reports an adverse event needs, to whom, and by when (疾病等報告).

The rules are data, each with its source and whether its wording was confirmed, so another
study or another regulation changes data, not code. Day 0 is the site-local date the
investigator became aware; a deadline of N days is day 0 + N calendar days, and the report is
on time on the deadline day itself.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.safety.expectedness import Expectedness
from lupustrial.protocol.safety.seriousness import Tier
from lupustrial.protocol.safety.sources import (
    ACT_ART_14,
    ACT_ART_17,
    ART_54_1_I,
    ART_54_1_I_II,
    ART_54_1_II_A,
    ART_54_1_II_B,
    ART_54_1_IV,
    KUMAMOTO_TABLE,
    MHLW_NOTICE_2018,
    NCGM_TABLE,
    OSAKA_UNIV_TABLE,
    PMDA_PAGE,
)


class Recipient(StrEnum):
    """Who receives a report."""

    REVIEW_BOARD = "certified_review_board"
    """The certified review board, after the head of the institution (Art. 54)."""
    MINISTER = "minister_through_pmda"
    """The Minister of Health, Labour and Welfare, through PMDA (Act Art. 14)."""

    @property
    def label(self) -> str:
        return {
            Recipient.REVIEW_BOARD: "certified review board (through the head of the institution)",
            Recipient.MINISTER: "Minister of Health, Labour and Welfare (through PMDA)",
        }[self]


class ProductStatus(StrEnum):
    """The Act's two classes of study drug, which have different reporting tables."""

    UNAPPROVED_OR_OFF_LABEL = "unapproved_or_off_label"
    APPROVED_ON_LABEL = "approved_on_label"


class ReportingRule(StrictModel):
    """One row of the reporting table: which events, to whom, within how many days."""

    id: str = Field(min_length=1)
    recipient: Recipient
    product_status: ProductStatus
    tier: Tier
    expectedness: Expectedness | None = Field(
        description="EXPECTED or UNEXPECTED; None when the rule applies to both."
    )
    days: int | None = Field(ge=1, description="Calendar days from day 0; None: periodic.")
    source: str = Field(min_length=1)
    confirmed: bool = Field(description="Whether the rule's wording was checked at its source.")
    note: str = ""
    note_ja: str = Field(default="", description="The note in Japanese, for the Japanese UI.")

    @property
    def expedited(self) -> bool:
        return self.days is not None

    def applies(self, tier: Tier, expectedness: Expectedness) -> bool:
        """Whether an event of this tier and expectedness falls under the rule."""
        return self.tier is tier and self.expectedness in (None, expectedness)


_OFF = ProductStatus.UNAPPROVED_OR_OFF_LABEL
_EXP, _UNEXP = Expectedness.EXPECTED, Expectedness.UNEXPECTED

REPORTING_RULES: tuple[ReportingRule, ...] = (
    ReportingRule(
        id="CRB-7",
        recipient=Recipient.REVIEW_BOARD,
        product_status=_OFF,
        tier=Tier.DEATH,
        expectedness=_UNEXP,
        days=7,
        source=f"{ART_54_1_I}; {MHLW_NOTICE_2018}; {NCGM_TABLE}",
        confirmed=True,
    ),
    ReportingRule(
        id="CRB-15-expected-death",
        recipient=Recipient.REVIEW_BOARD,
        product_status=_OFF,
        tier=Tier.DEATH,
        expectedness=_EXP,
        days=15,
        source=f"{ART_54_1_II_A}; {MHLW_NOTICE_2018}; {NCGM_TABLE}",
        confirmed=True,
    ),
    ReportingRule(
        id="CRB-15-unexpected-serious",
        recipient=Recipient.REVIEW_BOARD,
        product_status=_OFF,
        tier=Tier.SERIOUS,
        expectedness=_UNEXP,
        days=15,
        source=f"{ART_54_1_II_B}; {NCGM_TABLE}",
        confirmed=True,
    ),
    ReportingRule(
        id="CRB-periodic-expected-serious",
        recipient=Recipient.REVIEW_BOARD,
        product_status=_OFF,
        tier=Tier.SERIOUS,
        expectedness=_EXP,
        days=None,
        source=f"{ACT_ART_17}; {ART_54_1_I_II}; {NCGM_TABLE}; {OSAKA_UNIV_TABLE}; {KUMAMOTO_TABLE}",
        confirmed=True,
        note="Art. 54(1)(i)-(ii) name no expedited report for an expected serious event "
        "other than death of an unapproved or off-label drug, so it goes to the periodic "
        f"report. The 30 days some summaries give are {ART_54_1_IV}: the NCGM, Osaka "
        "University Hospital and Kumamoto University Hospital tables agree (checked "
        "December 2026).",
        note_ja="未承認又は適応外の医薬品等では、第54条第1項第1号・第2号に予測できる重篤な疾病等"
        "（死亡及び死亡につながるおそれのある疾病等を除く）の期限の定めはなく、定期報告で報告する。"
        "一部の要約にある「30日」は同項第4号（承認内の医薬品等）の期限である"
        "（国立国際医療研究センター、大阪大学医学部附属病院、熊本大学病院の一覧表で確認、2026年12月）。",
    ),
    ReportingRule(
        id="CRB-periodic-non-serious",
        recipient=Recipient.REVIEW_BOARD,
        product_status=_OFF,
        tier=Tier.NON_SERIOUS,
        expectedness=None,
        days=None,
        source=f"{ACT_ART_17}; {KUMAMOTO_TABLE}",
        confirmed=True,
    ),
    ReportingRule(
        id="PMDA-7",
        recipient=Recipient.MINISTER,
        product_status=_OFF,
        tier=Tier.DEATH,
        expectedness=_UNEXP,
        days=7,
        source=f"{ACT_ART_14}; {PMDA_PAGE}",
        confirmed=True,
        note="The Regulation's article for the Minister's report was not confirmed; the "
        "rule's content is PMDA's own page.",
        note_ja="厚生労働大臣への報告の施行規則の条項は未確認。内容はPMDAの案内による。",
    ),
    ReportingRule(
        id="PMDA-15",
        recipient=Recipient.MINISTER,
        product_status=_OFF,
        tier=Tier.SERIOUS,
        expectedness=_UNEXP,
        days=15,
        source=f"{ACT_ART_14}; {PMDA_PAGE}",
        confirmed=True,
        note="The Regulation's article for the Minister's report was not confirmed; the "
        "rule's content is PMDA's own page.",
        note_ja="厚生労働大臣への報告の施行規則の条項は未確認。内容はPMDAの案内による。",
    ),
)
"""Japan's table for an unapproved or off-label drug (臨床研究法施行規則 Art. 54, 2018)."""


class ReportableEvent(StrictModel):
    """What the clocks need to know of one version of an adverse event."""

    tier: Tier
    suspected: bool
    expectedness: Expectedness
    aware_date: dt.date = Field(description="Day 0: the site-local date the investigator knew.")


class Clock(StrictModel):
    """A report one event needs: the rule, day 0 and the deadline (None for periodic)."""

    rule: ReportingRule
    day_zero: dt.date
    due: dt.date | None
    assumed_unexpected: bool = Field(
        default=False,
        description="Expectedness was unknown (the term is not coded): the stricter deadline.",
    )

    def days_left(self, today: dt.date) -> int | None:
        """Calendar days until the deadline: 0 on the day itself, negative once overdue."""
        return None if self.due is None else (self.due - today).days

    def overdue(self, today: dt.date) -> bool:
        """Overdue from the day after the deadline; the deadline day itself is on time."""
        return self.due is not None and today > self.due


def deadline(day_zero: dt.date, days: int) -> dt.date:
    """Day 0 + N calendar days (Art. 54: "within N days" of knowing, counted in days)."""
    return day_zero + dt.timedelta(days=days)


def clocks_for(
    event: ReportableEvent,
    rules: tuple[ReportingRule, ...] = REPORTING_RULES,
    product_status: ProductStatus = ProductStatus.UNAPPROVED_OR_OFF_LABEL,
) -> list[Clock]:
    """Every report an event needs under the rules (Art. 54, 2018), expedited ones first.

    An event not suspected to be caused by the study treatment starts no clock. An event
    whose expectedness is unknown is treated as unexpected (the stricter table) and says so.
    """
    if not event.suspected:
        return []
    assumed = event.expectedness is Expectedness.UNKNOWN
    expectedness = Expectedness.UNEXPECTED if assumed else event.expectedness
    clocks = [
        Clock(
            rule=rule,
            day_zero=event.aware_date,
            due=None if rule.days is None else deadline(event.aware_date, rule.days),
            assumed_unexpected=assumed,
        )
        for rule in rules
        if rule.product_status is product_status and rule.applies(event.tier, expectedness)
    ]
    return sorted(clocks, key=lambda c: (c.due is None, c.due or dt.date.max, c.rule.id))


def clocks_over_versions(
    versions: list[ReportableEvent],
    rules: tuple[ReportingRule, ...] = REPORTING_RULES,
    product_status: ProductStatus = ProductStatus.UNAPPROVED_OR_OFF_LABEL,
) -> list[Clock]:
    """The clocks of an event's latest version, recomputed over its versions (Art. 54, 2018).

    A rule's day 0 is the aware date of the first version of the latest unbroken run in which
    the rule applied: a later version that only corrects a detail keeps the deadline, one that
    makes the event serious (or fatal) starts the new rule's clock on the day it was known.
    """
    if not versions:
        return []
    latest = clocks_for(versions[-1], rules, product_status)
    result = []
    for clock in latest:
        day_zero = clock.day_zero
        for earlier in reversed(versions[:-1]):
            if not any(
                c.rule.id == clock.rule.id for c in clocks_for(earlier, rules, product_status)
            ):
                break
            day_zero = min(day_zero, earlier.aware_date)
        due = None if clock.rule.days is None else deadline(day_zero, clock.rule.days)
        result.append(clock.model_copy(update={"day_zero": day_zero, "due": due}))
    return result
