"""Seriousness criteria as data: what makes an adverse event serious, and with what weight.

Japan's list (Enforcement Regulations Art. 54) follows ICH E2A and adds "may lead to
disability" beside "may lead to death" (the Japanese wording of "life-threatening"). The
reporting deadlines do not look at each criterion but at its tier: death and "may lead to
death" on one side, every other serious criterion on the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from lupustrial.clinical.model import StrictModel
from lupustrial.protocol.safety.sources import ART_54, ICH_E2A


class Tier(StrEnum):
    """How an event weighs for the reporting deadlines (Art. 54 groups its criteria so)."""

    DEATH = "death"
    """Death, or an event that may lead to death."""
    SERIOUS = "serious"
    """Serious for any other criterion of the list."""
    NON_SERIOUS = "non-serious"

    @property
    def rank(self) -> int:
        """Heavier tiers rank higher (a later version may only be compared by rank)."""
        return {Tier.NON_SERIOUS: 0, Tier.SERIOUS: 1, Tier.DEATH: 2}[self]


class Seriousness(StrEnum):
    """The criteria an investigator ticks; any one makes the event serious."""

    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALISATION = "hospitalisation"
    DISABILITY = "disability"
    MAY_LEAD_TO_DISABILITY = "may_lead_to_disability"
    CONGENITAL_ANOMALY = "congenital_anomaly"
    MEDICALLY_IMPORTANT = "medically_important"

    @property
    def label(self) -> str:
        """The criterion in English, as the regulation's list words it."""
        return CRITERION_BY_CODE[self].label

    @property
    def label_ja(self) -> str:
        """The criterion in the regulation's Japanese."""
        return CRITERION_BY_CODE[self].label_ja


class SeriousnessCriterion(StrictModel):
    """One criterion: its code, its wording in English and Japanese, its tier, its source."""

    code: Seriousness
    label: str
    label_ja: str
    tier: Tier
    source: str


SERIOUSNESS_CRITERIA: tuple[SeriousnessCriterion, ...] = (
    SeriousnessCriterion(
        code=Seriousness.DEATH, label="death", label_ja="死亡", tier=Tier.DEATH, source=ART_54
    ),
    SeriousnessCriterion(
        code=Seriousness.LIFE_THREATENING,
        label="life-threatening (may lead to death)",
        label_ja="死亡につながるおそれのある疾病等",
        tier=Tier.DEATH,
        source=f"{ART_54}; {ICH_E2A}",
    ),
    SeriousnessCriterion(
        code=Seriousness.HOSPITALISATION,
        label="hospitalisation or its prolongation",
        label_ja="治療のために医療機関への入院又は入院期間の延長が必要とされる疾病等",
        tier=Tier.SERIOUS,
        source=f"{ART_54}; {ICH_E2A}",
    ),
    SeriousnessCriterion(
        code=Seriousness.DISABILITY,
        label="disability or incapacity (persistent or significant)",
        label_ja="障害",
        tier=Tier.SERIOUS,
        source=f"{ART_54}; {ICH_E2A}",
    ),
    SeriousnessCriterion(
        code=Seriousness.MAY_LEAD_TO_DISABILITY,
        label="may lead to disability",
        label_ja="障害につながるおそれのある疾病等",
        tier=Tier.SERIOUS,
        source=ART_54,
    ),
    SeriousnessCriterion(
        code=Seriousness.CONGENITAL_ANOMALY,
        label="congenital anomaly or birth defect in a later generation",
        label_ja="後世代における先天性の疾病又は異常",
        tier=Tier.SERIOUS,
        source=f"{ART_54}; {ICH_E2A}",
    ),
    SeriousnessCriterion(
        code=Seriousness.MEDICALLY_IMPORTANT,
        label="other medically important event, serious like the above",
        label_ja="上記に準じて重篤である疾病等",
        tier=Tier.SERIOUS,
        source=f"{ART_54}; {ICH_E2A}",
    ),
)
"""Japan's seriousness criteria (臨床研究法施行規則 Art. 54, 2018; ICH E2A, 1994)."""

CRITERION_BY_CODE: dict[Seriousness, SeriousnessCriterion] = {
    criterion.code: criterion for criterion in SERIOUSNESS_CRITERIA
}


def tier_of(criteria: Iterable[Seriousness | str]) -> Tier:
    """The heaviest tier among the criteria ticked; none ticked is non-serious (Art. 54, 2018).

    An unknown code is an error, never silently non-serious.
    """
    tiers = [Tier.NON_SERIOUS]
    for code in criteria:
        try:
            tiers.append(CRITERION_BY_CODE[Seriousness(code)].tier)
        except ValueError:
            known = ", ".join(s.value for s in Seriousness)
            raise ValueError(f"unknown seriousness criterion {code!r} (one of {known})") from None
    return max(tiers, key=lambda tier: tier.rank)
