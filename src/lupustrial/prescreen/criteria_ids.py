"""The criteria a pre-screen judges, by id, and what each reads: plain data, no query library.

The run's formatting (`engine`), the report and the command read these; the expressions that
judge each criterion (`criteria`) are built only when a run's SQL is compiled (`plan`).
"""

from __future__ import annotations

from lupustrial.clinical.sledai2k import LAB_THRESHOLDS

CRITERION_IDS: tuple[str, ...] = (
    "alive",
    "I1",
    "I2.recent",
    "I2.untreated",
    "I3",
    "I4",
    "E2",
    "E3",
    "E4",
    "E5",
    "E6",
    "E7",
    "E9",
    "E10",
    "E11",
    "E12",
)
"""In funnel order (`criteria.CRITERIA`, held equal): what every candidate must pass first,
the lab lower bound last."""

STATUSES: tuple[str, ...] = ("met", "not_met", "unknown")
"""The three statuses; engines return a status as its position here, and a criterion as
its position in `CRITERION_IDS` (small integers travel faster than words)."""


SETS_READ: dict[str, tuple[str, ...]] = {
    "I1": ("sle",),
    "I2.recent": ("sle",),
    "I2.untreated": ("immunosuppressants",),
    "I3": tuple(dict.fromkeys(rule.measurement for rule in LAB_THRESHOLDS)),
    "E2": (
        "viral_hepatitis",
        "hbs_ag",
        "hbv_dna",
        "hcv_rna",
        "anti_hcv",
        "hepatitis_b",
        "hepatitis_c",
    ),
    "E3": ("anti_hbc", "anti_hbs", "anti_hcv", "hbv_dna", "hcv_rna", "hepatitis_b", "hepatitis_c"),
    "E4": ("ast", "alt"),
    "E5": ("creatinine",),
    "E6": ("tuberculosis",),
    "E7": ("malignancy", "cervical_in_situ"),
    "E9": ("pregnancy", "pregnancy_test"),
    "E10": ("lactation",),
    "E11": ("collagen_diseases",),
    "E12": ("live_vaccines", "any_vaccine"),
}
"""The concept sets each criterion reads, for the outside-observation-period notes."""


CIRCE_EXPRESSIBLE: tuple[str, ...] = (
    "alive",
    "I2.recent",
    "I2.untreated",
    "E7",
    "E10",
    "E11",
    "E12",
)
"""The criteria OHDSI Circe can express as inclusion rules (its cohort, I1, aside): the
rules of `circe/prescreen_cohort.json`, in order. Why the others cannot be:
`circe.peer.NOT_EXPRESSIBLE`."""

SCOPES: dict[str, tuple[str, ...]] = {
    "all": CRITERION_IDS,
    "circe-seven": tuple(c for c in CRITERION_IDS if c == "I1" or c in CIRCE_EXPRESSIBLE),
}
"""The criteria a run judges. ``circe-seven`` is the like-for-like mode: only the cohort (I1)
and the seven rules Circe can express, each still with its deciding record and reason, so
that its time compares with Circe's SQL for the same work; the other criteria are returned
as unknown with the detail ``NOT_JUDGED`` and fail no one."""

NOT_JUDGED = "not_judged"

SCOPE_EXTRA_SETS: dict[str, tuple[str, ...]] = {"E12": ("non_live_vaccines",)}
"""Concept sets a criterion reads beyond `SETS_READ` (which lists those whose records
outside an observation period are noted): E12 also tells listed from unlisted vaccines."""


def sets_for(criteria: tuple[str, ...]) -> frozenset[str]:
    """The concept sets the given criteria read (the cohort's SLE set always)."""
    keys = {"sle"}
    for criterion in criteria:
        keys.update(SETS_READ.get(criterion, ()))
        keys.update(SCOPE_EXTRA_SETS.get(criterion, ()))
    return frozenset(keys)
