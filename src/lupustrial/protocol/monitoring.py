"""The monitoring plan, declared as data, and the plain computations behind the monitor's page:
source-data verification (SDV) progress, query ageing and when the next visit is due.

Clinical Trials Act Enforcement Regulations (MHLW Ordinance No. 17 of 2018), Art. 17: the
principal investigator writes a monitoring procedure for the protocol and has monitoring done
by it, by people not involved in the part monitored. ICH E6(R2) (2016), 5.18.3: the extent and
nature of monitoring (on-site, centralised, SDV of all or some data) is set in a monitoring plan
from the study's risks. The numbers below are this study's choices, each marked as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import Field

from lupustrial.clinical.model import StrictModel

ART_17 = (
    "Clinical Trials Act Enforcement Regulations (MHLW Ordinance No. 17 of 2018), Art. 17 "
    "(monitoring)"
)
ICH_E6_518 = "ICH E6(R2) (2016), 5.18 (monitoring), 5.18.3 (extent and nature)"


class MonitoringPlan(StrictModel):
    """What the study monitors, how often, and when a query is old."""

    sdv_crfs: tuple[str, ...] = Field(
        default=(
            "labs", "vitals", "sledai2k", "disease_activity", "glucocorticoids", "medications",
            "infusion", "pregnancy_test", "adverse_event",
        ),
        description="Records verified against the source: every eCRF and every adverse event "
        "(its own record, 'adverse_event'), in a 10-patient study whose primary endpoint and "
        "safety rest on all of them (a protocol choice).",
    )  # fmt: skip
    visit_interval_days: int = Field(
        default=90,
        ge=1,
        description="An on-site or remote visit at each site at least this often (a protocol "
        "choice).",
    )
    query_age_limits_days: tuple[int, ...] = Field(
        default=(7, 30),
        min_length=1,
        description="Query ageing bands: up to 7 days, 8 to 30, over 30 (a protocol choice).",
    )
    source: str = f"{ART_17}; {ICH_E6_518}"


class SdvProgress(StrictModel):
    """Forms saved and verified (of the CRFs the plan verifies)."""

    saved: int = 0
    verified: int = 0

    @property
    def percent(self) -> float | None:
        """Verified of saved, in percent; None when nothing was saved yet."""
        return None if self.saved == 0 else round(100 * self.verified / self.saved, 1)

    def add(self, other: SdvProgress) -> SdvProgress:
        return SdvProgress(saved=self.saved + other.saved, verified=self.verified + other.verified)


def sdv_progress(forms: Iterable[tuple[str, bool]], plan: MonitoringPlan) -> SdvProgress:
    """From (crf code, verified) pairs: the forms the plan verifies, and how many are."""
    chosen = [verified for crf, verified in forms if crf in plan.sdv_crfs]
    return SdvProgress(saved=len(chosen), verified=sum(chosen))


def age_band(days_open: int, plan: MonitoringPlan) -> str:
    """The ageing band a query open this many days falls in: '0-7', '8-30', '>30'.

    Boundary: a query open exactly 7 days is in the first band, 8 days in the second.
    """
    low = 0
    for limit in plan.query_age_limits_days:
        if days_open <= limit:
            return f"{low}-{limit}"
        low = limit + 1
    return f">{plan.query_age_limits_days[-1]}"


def bands(plan: MonitoringPlan) -> list[str]:
    """Every band, in order."""
    out, low = [], 0
    for limit in plan.query_age_limits_days:
        out.append(f"{low}-{limit}")
        low = limit + 1
    return [*out, f">{plan.query_age_limits_days[-1]}"]


def next_visit_due(last_visit: dt.date | None, first_enrolment: dt.date | None,
                   plan: MonitoringPlan) -> dt.date | None:  # fmt: skip
    """The day the next monitoring visit is due: the interval after the last one, or after the
    site's first enrolment when it has had none; None before any enrolment."""
    start = last_visit or first_enrolment
    return None if start is None else start + dt.timedelta(days=plan.visit_interval_days)
