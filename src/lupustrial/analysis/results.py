"""The study's answer as typed results: what `analysis.endpoints` computes, nothing rendered.

Every endpoint is a frozen pydantic model, so the report, the text output and the JSON of
`lupustrial endpoints` read named, typed fields (``result.primary.main.responders``), never
string keys of nested dictionaries. ``model_dump(mode="json")`` is the JSON document.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lupustrial.analysis.intervals import ProportionInterval
from lupustrial.clinical.doris import DorisThresholds
from lupustrial.clinical.lldas import LldasThresholds
from lupustrial.protocol.config import NonPublished


class Result(BaseModel):
    """A computed result: immutable, no field beyond those declared."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Interval(Result):
    """x/n with its two-sided confidence interval and the method's source."""

    method: str
    successes: int
    n: int
    estimate: float
    confidence: float
    lower: float
    upper: float
    source: str

    @classmethod
    def of(cls, computed: ProportionInterval) -> Interval:
        return cls(
            method=computed.method.value,
            successes=computed.successes,
            n=computed.n,
            estimate=computed.estimate,
            confidence=computed.confidence,
            lower=computed.lower,
            upper=computed.upper,
            source=computed.source,
        )


class Summary(Result):
    """n, mean, SD, median, quartiles, min and max of the known values (all None when n = 0)."""

    n: int
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    min: float | None = None
    max: float | None = None


class VisitSummary(Summary):
    """A summary of one variable at one scheduled visit."""

    visit: str


class SerologyVisit(VisitSummary):
    """A serology summary at one visit, with the count outside the laboratory's limit."""

    abnormal: int


# -- responder rule ---------------------------------------------------------------------------


class Category(StrEnum):
    """A patient's standing at a visit (docs/analysis.md: the primary endpoint's table)."""

    RESPONDER = "responder"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    OUT_OF_WINDOW = "out_of_window"
    WITHDRAWN = "withdrawn"
    MISSING = "missing"
    ONGOING = "ongoing"


class SubjectResponse(Result):
    """One patient at one visit: responder or not, the category and the reason."""

    subject_id: str
    responder: bool
    category: Category
    reason: str
    status: str | None = None  # the definition's met / not_met / unknown when assessed
    facts: dict[str, Any] = Field(
        default_factory=dict,
        exclude=True,  # for the report's wording in the reader's language; the JSON has reason
        description="The values the reason is made of (visit, dates, scores, missing inputs), "
        "so that another language can word it (`analysis.report_wording`).",
    )

    @property
    def verdict(self) -> str:
        if self.category is Category.ONGOING:
            return "ongoing"
        return "responder" if self.responder else "non-responder"


class Proportion(Result):
    """Responders among the evaluable of a population at one visit, with every reason."""

    visit: str
    definition: str
    population_n: int
    n: int
    responders: int
    proportion: float | None
    intervals: list[Interval]
    non_responders_by_reason: dict[str, int]
    ongoing: list[str]
    subjects: list[SubjectResponse]


class Sensitivity(Result):
    """A sensitivity analysis of the primary endpoint: its population and counts."""

    population: str
    n: int
    responders: int
    proportion: float | None
    intervals: list[Interval]


class PrimaryEndpoint(Result):
    """LLDAS at W12 in the FAS (Franklyn 2016), interim while anyone is ongoing."""

    name: str
    status: Literal["interim", "final"]
    population: str
    rule: str
    main: Proportion
    sensitivity: dict[str, Sensitivity]


# -- secondary endpoints --------------------------------------------------------------------


class VisitResponse(Result):
    """LLDAS at one scheduled visit (the primary's rule) with the status counts."""

    visit: str
    n: int
    responders: int
    proportion: float | None
    intervals: list[Interval]
    ongoing: list[str]
    non_responders_by_reason: dict[str, int]
    status_counts: dict[str, int]


class CurveStep(Result):
    """One step of a Kaplan–Meier curve: time, at risk, events, cumulative probability."""

    day: float
    at_risk: int
    events: int
    cumulative: float


class TimeToEvent(Result):
    """One patient's time to the event (or to censoring)."""

    subject_id: str
    day: int
    visit: str
    event: bool


class TimeToFirstLldas(Result):
    method: str
    source: str
    events: int
    n: int
    median_day: float | None
    curve: list[CurveStep]
    subjects: list[TimeToEvent]


class SledaiChange(Result):
    visit: str
    change: Summary
    excluded_incomplete: int


class AtOrBelowTarget(Result):
    """Patients at or below the protocol's prednisolone target at one visit."""

    visit: str
    n: int
    at_or_below: int
    interval: Interval | None


class CumulativeDose(Result):
    subject_id: str
    start_date: dt.date
    end_date: dt.date
    days: int
    cumulative_mg: float | None


class CumulativeDoses(Result):
    subjects: list[CumulativeDose]
    summary: Summary
    method: str


class Prednisolone(Result):
    mg_per_day: list[VisitSummary]
    mg_per_kg_per_day: list[VisitSummary]
    target_mg_per_day: float
    at_or_below_target: list[AtOrBelowTarget]
    cumulative: CumulativeDoses


class Serology(Result):
    c3_g_per_l: list[SerologyVisit]
    c4_g_per_l: list[SerologyVisit]
    anti_dsdna: list[SerologyVisit]
    anti_dsdna_units: list[str]


class Secondary(Result):
    lldas_by_visit: list[VisitResponse]
    time_to_first_lldas: TimeToFirstLldas
    doris_w12: Proportion
    sledai2k_change_from_baseline: list[SledaiChange]
    prednisolone: Prednisolone
    serology: Serology


# -- safety, flow, baseline -----------------------------------------------------------------


class Tally(Result):
    events: int
    subjects: int


class TermTally(Tally):
    term: str
    grade: int


class InfusionReactions(Result):
    infusions: int
    with_reaction: int
    not_recorded: int
    subjects: int


class SafetyReporting(Result):
    """Safety reports (疾病等報告, Enforcement Regulations Art. 54) and their timeliness."""

    reports: int
    first_reports: int
    follow_ups: int
    expedited: int
    on_time: int
    late: int
    not_submitted: int


class Safety(Result):
    population: str
    n: int
    any: Tally
    serious: Tally
    grade_3_or_more: Tally
    related: Tally
    infections: Tally
    herpes_zoster: Tally
    by_term_and_grade: list[TermTally]
    infusion_reactions: InfusionReactions
    reporting: SafetyReporting


class Withdrawal(Result):
    subject_id: str
    date: dt.date | None
    reason: str | None


class Flow(Result):
    """The study flow (CONSORT; Schulz 2010)."""

    source: str
    screened: int
    screen_failures: int
    screen_failures_by_criterion: dict[str, int]
    pending_or_undecided: int
    consented: int
    enrolled: int
    dosed: int
    completed_w12: int
    ongoing_w12: int
    withdrawn: list[Withdrawal]
    full_analysis_set: int
    per_protocol_set: int


class Baseline(Result):
    """Baseline (W0) characteristics of the FAS."""

    n: int
    age: Summary
    sex: dict[str, int]
    site: dict[str, int]
    body_weight_kg: Summary
    sledai2k: Summary
    clinical_sledai2k: Summary
    pga: Summary
    prednisolone_mg_per_day: Summary
    prednisolone_mg_per_kg_per_day: Summary
    c3_g_per_l: Summary
    c4_g_per_l: Summary
    anti_dsdna: Summary


# -- the whole answer -----------------------------------------------------------------------


class EndpointThresholds(Result):
    """The limits the snapshot was derived with (`ProtocolConfig`), non-published ones named."""

    lldas: LldasThresholds
    doris: DorisThresholds
    prednisolone_target_mg_per_day: float
    visit_window_days: int
    non_published: list[NonPublished]


class SnapshotInfo(Result):
    study_id: str
    data_cut: str
    data_cut_site_dates: dict[str, dt.date]
    site_scope: list[str] | None
    endpoint_thresholds: EndpointThresholds
    source: str | None
    software_version: str


class StudyResults(Result):
    """Every endpoint of the study from one verified snapshot."""

    snapshot: SnapshotInfo
    flow: Flow
    baseline: Baseline
    primary: PrimaryEndpoint
    secondary: Secondary
    safety: Safety

    @property
    def interim(self) -> bool:
        return self.primary.status == "interim"
