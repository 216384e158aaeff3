"""Published response rates under anifrolumab, shown beside the primary result as context.

Declared by hand, each with its citation, time point and population. A number is given only
where it was checked against the source (table or abstract); otherwise the entry says "see
source". These are randomised, placebo-controlled trials of 52 weeks in moderate to severe SLE
with their own definitions, populations and handling of missing data; this study is single-arm
and its primary endpoint is at week 12. They are context for the reader, never a comparison
test: no p-value or interval is computed against them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class PublishedRate:
    """One published rate (or a pointer to one) with where it comes from."""

    trial: str
    endpoint: str
    time_point: str
    population: str
    anifrolumab: str
    """Responders in the anifrolumab arm as published, or "see source"."""
    placebo: str
    citation: str
    doi: str
    """Empty when not checked."""
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SEE_SOURCE = "see source"

PUBLISHED_RATES: tuple[PublishedRate, ...] = (
    PublishedRate(
        trial="TULIP-1 + TULIP-2 (pooled, post hoc)",
        endpoint="LLDAS (Franklyn 2016)",
        time_point="week 52",
        population=(
            "moderate to severe SLE on standard therapy; anifrolumab 300 mg IV every 4 weeks "
            "(n = 360) vs placebo (n = 366)"
        ),
        anifrolumab="108/360 (30.0%)",
        placebo="72/366 (19.6%)",
        citation=(
            "Morand EF, Abreu G, Furie RA, Golder V, Tummala R. Lupus low disease activity "
            "state attainment in the phase 3 TULIP trials of anifrolumab in active systemic "
            "lupus erythematosus. Ann Rheum Dis. 2023;82(5):639-645 (correction: Ann Rheum Dis. "
            "2024;83(5):e12)."
        ),
        doi="10.1136/ard-2022-222748",
        note="Table 1; percentages weighted by a stratified Cochran–Mantel–Haenszel approach.",
    ),
    PublishedRate(
        trial="TULIP-1 + TULIP-2 and long-term extension (post hoc)",
        endpoint="LLDAS and DORIS remission over time",
        time_point="weeks 0–208",
        population="patients who continued anifrolumab 300 mg or placebo into the extension",
        anifrolumab=SEE_SOURCE,
        placebo=SEE_SOURCE,
        citation=(
            "Morand EF et al. LLDAS and remission attainment with anifrolumab treatment in "
            "patients with systemic lupus erythematosus: results from the TULIP and long-term "
            "extension randomised controlled trials. Ann Rheum Dis. 2025;84(5):777-788."
        ),
        doi="10.1016/j.ard.2025.01.016",
    ),
    PublishedRate(
        trial="MUSE (phase IIb, post hoc)",
        endpoint="LLDAS (Franklyn 2016)",
        time_point="week 52",
        population="moderate to severe SLE; anifrolumab 300 mg or 1000 mg IV vs placebo",
        anifrolumab=SEE_SOURCE,
        placebo=SEE_SOURCE,
        citation=(
            "Morand EF, Trasieva T, Berglind A, Illei GG, Tummala R. Lupus Low Disease Activity "
            "State (LLDAS) attainment discriminates responders in a systemic lupus "
            "erythematosus trial: post-hoc analysis of the Phase IIb MUSE trial of anifrolumab. "
            "Ann Rheum Dis. 2018;77:706-713."
        ),
        doi="",
    ),
    PublishedRate(
        trial="TULIP-2 (primary publication)",
        endpoint="BICLA response (not LLDAS; the trial's primary endpoint)",
        time_point="week 52",
        population=(
            "moderate to severe SLE on standard therapy; anifrolumab 300 mg IV every 4 weeks "
            "(n = 180) vs placebo (n = 182)"
        ),
        anifrolumab="86/180 (47.8%)",
        placebo="57/182 (31.5%)",
        citation=(
            "Morand EF, Furie R, Tanaka Y, et al. Trial of anifrolumab in active systemic "
            "lupus erythematosus. N Engl J Med. 2020;382(3):211-221."
        ),
        doi="10.1056/NEJMoa1912196",
        note=(
            "Shown for orientation only: BICLA is a different endpoint from LLDAS. "
            "Percentages as published (adjusted for the stratification factors)."
        ),
    ),
)
"""The published rates, in the order the report shows them."""
