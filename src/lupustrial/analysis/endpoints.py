"""The study's endpoints, computed from a verified snapshot and nothing else.

Primary endpoint (registration): the percentage of patients in LLDAS (Franklyn 2016) 12 weeks
after anifrolumab starts. Population: the full analysis set (FAS), every enrolled patient
given at least one anifrolumab infusion. Each patient's week 12 is one of:

- *responder*: the W12 assessment took place inside its window (`protocol.schedule`: day 84
  ± 7 days from the first infusion) and LLDAS was judged met;
- *non-responder*: assessed in window and LLDAS not met (``not_met``) or undecidable
  (``unknown``, e.g. no PGA), assessed outside the window (``out_of_window``), or withdrawn
  before W12 (``withdrawn``);
- *ongoing*: no W12 assessment, and the data cut, as the site's own date
  (`protocol.dates.site_date`), is on or before the last day of the W12 window: the visit is
  not yet due, so the patient is not evaluable at this cut;
- *missing*: no W12 assessment and the window closed before the data cut (or the visit was
  marked missed): counted as non-response, never silently dropped.

The estimate is on the evaluable patients (FAS less the ongoing). A result with any ongoing
patient is *interim* and lists them; with none it is *final*. The 95% interval is
Clopper–Pearson exact (Clopper & Pearson 1934).

Sensitivity analyses: Wilson (Wilson 1927) and Jeffreys (Brown, Cai & DasGupta 2001)
intervals on the same counts; the per-protocol set; observed cases (only patients whose W12
LLDAS is known and in window).

Secondary endpoints: LLDAS at W4 and W8 (same rule), time to first LLDAS (Kaplan & Meier
1958), DORIS 2021 remission at W12 (van Vollenhoven 2021; same rule), SLEDAI-2K change from
baseline (Gladman 2002; complete scores only), prednisolone-equivalent dose over time
(BNF), cumulative and the proportion at or below the protocol's target
(`ProtocolConfig.prednisolone_target_mg_per_day`, the LLDAS ceiling of 7.5 mg/day by default),
C3/C4/anti-dsDNA over time, adverse events by term and CTCAE grade with infections and herpes
zoster apart, infusion reactions, and the study flow (CONSORT; Schulz 2010).

Everything returned is a typed result (`analysis.results`); rendering lives beside the
report (`analysis.report_text` for the terminal, `analysis.report` for HTML).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from lupustrial.analysis.intervals import Method, clopper_pearson, interval
from lupustrial.analysis.results import (
    AtOrBelowTarget,
    Baseline,
    Category,
    CumulativeDose,
    CumulativeDoses,
    CurveStep,
    EndpointThresholds,
    Flow,
    InfusionReactions,
    Interval,
    Prednisolone,
    PrimaryEndpoint,
    Proportion,
    Safety,
    SafetyReporting,
    Secondary,
    Sensitivity,
    Serology,
    SerologyVisit,
    SledaiChange,
    SnapshotInfo,
    StudyResults,
    SubjectResponse,
    Summary,
    Tally,
    TermTally,
    TimeToEvent,
    TimeToFirstLldas,
    VisitResponse,
    VisitSummary,
    Withdrawal,
)
from lupustrial.dataset.records import VisitCode
from lupustrial.dataset.snapshot import Snapshot
from lupustrial.dataset.tables import Row
from lupustrial.protocol.schedule import PRIMARY_ENDPOINT_VISIT, SCHEDULE, VISIT_BY_CODE

KAPLAN_MEIER_1958 = (
    "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. "
    "J Am Stat Assoc. 1958;53(282):457-481."
)
SCHULZ_2010 = "Schulz KF, Altman DG, Moher D. CONSORT 2010 statement. BMJ. 2010;340:c332."

SCHEDULED = [v.code for v in SCHEDULE]
BASELINE = SCHEDULED[0]


# --- small helpers -------------------------------------------------------------------------


def _stats(values: Iterable[float | int | None]) -> dict[str, Any]:
    known = [float(v) for v in values if v is not None]
    if not known:
        return {"n": 0}
    array = np.asarray(known)
    q1, median, q3 = (float(q) for q in np.percentile(array, [25, 50, 75]))
    return {
        "n": len(known),
        "mean": float(array.mean()),
        "sd": float(array.std(ddof=1)) if len(known) > 1 else None,
        "median": median,
        "q1": q1,
        "q3": q3,
        "min": float(array.min()),
        "max": float(array.max()),
    }


def describe(values: Iterable[float | int | None]) -> Summary:
    """n, mean, SD, median, quartiles (linear interpolation), min and max of known values."""
    return Summary(**_stats(values))


def _index(rows: Iterable[Row], *keys: str) -> dict[tuple[Any, ...], Row]:
    return {tuple(row[k] for k in keys): row for row in rows}


def _intervals(successes: int, n: int, methods: Sequence[Method]) -> list[Interval]:
    return [Interval.of(interval(successes, n, m)) for m in methods] if n else []


class _Study:
    """The snapshot's tables indexed for the endpoint computations."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.thresholds = EndpointThresholds.model_validate(
            snapshot.manifest["endpoint_thresholds"]
        )
        self.subjects = {r["subject_id"]: r for r in snapshot.table("subjects")}
        self.fas = sorted(s for s, r in self.subjects.items() if r["full_analysis_set"])
        self.pp = sorted(s for s, r in self.subjects.items() if r["per_protocol_set"])
        self.assessments = _index(snapshot.table("assessments"), "subject_id", "visit")
        self.visits = _index(
            (v for v in snapshot.table("visits") if v["visit"] != VisitCode.UNSCHEDULED),
            "subject_id",
            "visit",
        )
        self.by_subject: dict[str, list[Row]] = defaultdict(list)
        for row in snapshot.table("assessments"):
            self.by_subject[row["subject_id"]].append(row)

    def cut_date(self, subject_id: str) -> dt.date:
        """The data cut as the subject's site's own date (`protocol.dates.site_date`)."""
        return self.snapshot.cut_date(self.subjects[subject_id]["site"])

    def window_end(self, subject_id: str, visit: str) -> dt.date | None:
        """The last day of a scheduled visit's window (`protocol.schedule`), if known."""
        first = self.subjects[subject_id]["first_infusion_date"]
        definition = VISIT_BY_CODE.get(visit)
        if first is None or definition is None:
            return None
        return definition.window(first)[1]


# --- responder rule ------------------------------------------------------------------------


def _not_assessed(study: _Study, subject_id: str, visit: str) -> tuple[Category, str]:
    """Why there is no assessment at ``visit``: withdrawn, missing or ongoing at the cut.

    Ongoing while the data cut, as the site's date, is on or before the window's last day
    (`protocol.schedule`: planned day ± 7 days, edges included): the visit may still happen.
    """
    category, why, _ = _not_assessed_facts(study, subject_id, visit)
    return category, why


def _not_assessed_facts(
    study: _Study, subject_id: str, visit: str
) -> tuple[Category, str, dict[str, Any]]:
    """`_not_assessed` with the values its reason is made of (`SubjectResponse.facts`)."""
    subject = study.subjects[subject_id]
    planned = study.visits.get((subject_id, visit))
    facts: dict[str, Any] = {"visit": visit}
    if planned is not None and planned["missed"]:
        facts |= {"why": "missed", "missed_reason": planned["missed_reason"]}
        return Category.MISSING, f"{visit} missed: {planned['missed_reason']}", facts
    if subject["withdrawal_date"] is not None:
        facts |= {
            "why": "withdrawn",
            "withdrawal_date": subject["withdrawal_date"],
            "withdrawal_reason": subject["withdrawal_reason"],
        }
        return (
            Category.WITHDRAWN,
            f"withdrawn {subject['withdrawal_date'].isoformat()} before {visit}: "
            f"{subject['withdrawal_reason']}",
            facts,
        )
    cut, end = study.cut_date(subject_id), study.window_end(subject_id, visit)
    facts |= {"window_end": end, "cut": cut, "site": subject["site"]}
    if end is None:
        facts["why"] = "window_unknown"
        return (
            Category.MISSING,
            f"no {visit} assessment (window unknown: no first infusion date)",
            facts,
        )
    if cut <= end:
        facts["why"] = "not_yet_due"
        return (
            Category.ONGOING,
            f"{visit} not yet due: its window is open until {end.isoformat()} and the data cut "
            f"is {cut.isoformat()} at site {subject['site']}",
            facts,
        )
    facts["why"] = "window_closed"
    return (
        Category.MISSING,
        f"no {visit} assessment; window closed {end.isoformat()} before the data cut "
        f"{cut.isoformat()}: counted as non-response",
        facts,
    )


def visit_response(study: _Study, subject_id: str, visit: str, column: str) -> SubjectResponse:
    """Whether a subject responds at a visit on ``column`` (lldas or doris), and why.

    Responder only when assessed in window and the definition is met; ``ongoing`` when the
    visit is not yet due at the data cut (not evaluable); every other case is a non-responder
    with a category: not_met, unknown, out_of_window, withdrawn, missing.
    """
    row = study.assessments.get((subject_id, visit))
    if row is None:
        category, why, facts = _not_assessed_facts(study, subject_id, visit)
        return SubjectResponse(
            subject_id=subject_id, responder=False, category=category, reason=why, facts=facts
        )
    status = row[column]
    facts = {
        "visit": visit,
        "definition": column,
        "date": row["date"],
        "days_from_planned": row["days_from_planned"],
        "sledai2k": row["sledai2k"],
        "clinical_sledai2k": row["clinical_sledai2k"],
        "pga": row["pga"],
        "prednisolone_mg_per_day": row["prednisolone_mg_per_day"],
        "missing": (row[f"{column}_missing"] or "").split("; ") if row[f"{column}_missing"] else [],
    }
    if row["in_window"] is not True:
        deviation = row["days_from_planned"]
        why = (
            f"{visit} on {row['date'].isoformat()} outside its window ({deviation:+d} days)"
            if deviation is not None
            else f"{visit} window unknown (no first infusion date)"
        )
        return SubjectResponse(
            subject_id=subject_id,
            responder=False,
            category=Category.OUT_OF_WINDOW,
            reason=why,
            status=status,
            facts=facts,
        )
    if status == "met":
        category, why = Category.RESPONDER, row[f"{column}_summary"]
    elif status == "not_met":
        category, why = Category.NOT_MET, row[f"{column}_summary"]
    else:
        category = Category.UNKNOWN
        why = (
            f"{row[f'{column}_summary']} (missing: {row[f'{column}_missing']}); "
            "counted as non-responder"
        )
    return SubjectResponse(
        subject_id=subject_id,
        responder=category is Category.RESPONDER,
        category=category,
        reason=why,
        status=status,
        facts=facts,
    )


def proportion_endpoint(
    study: _Study,
    population: Sequence[str],
    visit: str,
    column: str,
    *,
    methods: Sequence[Method] = (Method.CLOPPER_PEARSON,),
) -> Proportion:
    """Responders among the evaluable of ``population`` at ``visit``, intervals, every reason.

    The ongoing (visit not yet due at the data cut) are listed and left out of ``n``.
    """
    subjects = [visit_response(study, s, visit, column) for s in population]
    evaluable = [s for s in subjects if s.category is not Category.ONGOING]
    responders = sum(1 for s in evaluable if s.responder)
    n = len(evaluable)
    return Proportion(
        visit=visit,
        definition=column,
        population_n=len(subjects),
        n=n,
        responders=responders,
        proportion=responders / n if n else None,
        intervals=_intervals(responders, n, methods),
        non_responders_by_reason=dict(
            sorted(Counter(s.category.value for s in evaluable if not s.responder).items())
        ),
        ongoing=[s.subject_id for s in subjects if s.category is Category.ONGOING],
        subjects=subjects,
    )


def _sensitivity(population: str, result: Proportion) -> Sensitivity:
    return Sensitivity(
        population=population,
        n=result.n,
        responders=result.responders,
        proportion=result.proportion,
        intervals=result.intervals,
    )


def primary_endpoint(study: _Study) -> PrimaryEndpoint:
    """LLDAS at W12 in the FAS, Clopper–Pearson 95% CI (Franklyn 2016; Clopper & Pearson 1934)."""
    main = proportion_endpoint(
        study, study.fas, PRIMARY_ENDPOINT_VISIT, "lldas", methods=list(Method)
    )
    w12 = VISIT_BY_CODE[PRIMARY_ENDPOINT_VISIT]
    pp = proportion_endpoint(study, study.pp, PRIMARY_ENDPOINT_VISIT, "lldas")
    observed = [
        s.subject_id for s in main.subjects if s.category in (Category.RESPONDER, Category.NOT_MET)
    ]
    observed_result = proportion_endpoint(study, observed, PRIMARY_ENDPOINT_VISIT, "lldas")
    return PrimaryEndpoint(
        name="LLDAS at week 12",
        status="interim" if main.ongoing else "final",
        population="full analysis set (enrolled, ≥ 1 anifrolumab infusion)",
        rule=(
            f"responder = W12 assessed inside its window (day {w12.week * 7} ± "
            f"{w12.window_days} days from the first infusion; protocol.schedule) and LLDAS met; "
            "LLDAS not met or unknown, W12 out of window, withdrawal and a missing W12 (window "
            "closed before the data cut) count as non-responders; a patient whose W12 window "
            "is still open at the data cut (the site's date) is ongoing and not evaluable"
        ),
        main=main,
        sensitivity={
            "per_protocol": _sensitivity(
                "per-protocol set (FAS, W0/W4/W8 infusions, W12 in window)", pp
            ),
            "observed_cases": _sensitivity(
                "FAS with W12 in window and LLDAS known (met or not met)", observed_result
            ),
        },
    )


# --- secondary endpoints -------------------------------------------------------------------


def lldas_by_visit(study: _Study) -> list[VisitResponse]:
    """LLDAS at every scheduled visit in the FAS, same responder rule as the primary."""
    results = []
    for visit in SCHEDULED:
        result = proportion_endpoint(study, study.fas, visit, "lldas")
        counts = Counter(
            s.status or "not assessed"
            for s in result.subjects
            if s.category is not Category.ONGOING
        )
        results.append(
            VisitResponse(
                visit=result.visit,
                n=result.n,
                responders=result.responders,
                proportion=result.proportion,
                intervals=result.intervals,
                ongoing=result.ongoing,
                non_responders_by_reason=result.non_responders_by_reason,
                status_counts=dict(sorted(counts.items())),
            )
        )
    return results


def kaplan_meier(times: Sequence[tuple[float, bool]]) -> list[CurveStep]:
    """Product-limit estimate of the cumulative event probability (Kaplan & Meier 1958).

    ``times`` holds (time, event) pairs; event False is censoring. Returns the curve as
    steps: time, at risk, events, cumulative probability of the event.
    """
    survival = 1.0
    steps = []
    for t in sorted({time for time, event in times if event}):
        at_risk = sum(1 for time, _ in times if time >= t)
        events = sum(1 for time, event in times if event and time == t)
        survival *= 1 - events / at_risk
        steps.append(CurveStep(day=t, at_risk=at_risk, events=events, cumulative=1 - survival))
    return steps


def time_to_first_lldas(study: _Study) -> TimeToFirstLldas:
    """Study day of the first assessment in LLDAS; censored at the last assessment (KM)."""
    per_subject = []
    for subject_id in study.fas:
        rows = sorted(study.by_subject.get(subject_id, []), key=lambda r: r["date"])
        rows = [r for r in rows if r["study_day"] is not None]
        first = next((r for r in rows if r["lldas"] == "met"), None)
        shown = first if first is not None else (rows[-1] if rows else None)
        if shown is not None:
            per_subject.append(
                TimeToEvent(
                    subject_id=subject_id,
                    day=shown["study_day"],
                    visit=shown["visit"],
                    event=first is not None,
                )
            )
    curve = kaplan_meier([(s.day, s.event) for s in per_subject])
    median = next((step.day for step in curve if step.cumulative >= 0.5), None)
    return TimeToFirstLldas(
        method="Kaplan–Meier, censored at the last assessment without LLDAS",
        source=KAPLAN_MEIER_1958,
        events=sum(1 for s in per_subject if s.event),
        n=len(per_subject),
        median_day=median,
        curve=curve,
        subjects=per_subject,
    )


def sledai_change(study: _Study) -> list[SledaiChange]:
    """SLEDAI-2K change from W0 per visit, complete scores only (Gladman 2002)."""
    results = []
    for visit in SCHEDULED[1:]:
        changes, incomplete = [], 0
        for subject_id in study.fas:
            base = study.assessments.get((subject_id, BASELINE))
            now = study.assessments.get((subject_id, visit))
            if base is None or now is None:
                continue
            if base["sledai2k"] is None or now["sledai2k"] is None:
                incomplete += 1
                continue
            changes.append(now["sledai2k"] - base["sledai2k"])
        results.append(
            SledaiChange(visit=visit, change=describe(changes), excluded_incomplete=incomplete)
        )
    return results


def _by_visit(study: _Study, column: str) -> list[VisitSummary]:
    return [
        VisitSummary(
            visit=visit,
            **_stats(
                study.assessments[(s, visit)][column]
                for s in study.fas
                if (s, visit) in study.assessments
            ),
        )
        for visit in SCHEDULED
    ]


def cumulative_prednisolone(study: _Study) -> list[CumulativeDose]:
    """Cumulative prednisolone-equivalent mg from W0 to the last assessment up to W12.

    Each visit's mg/day is carried forward until the next assessment (a step function:
    the dose recorded is the dose held). A visit without a recorded dose leaves the
    subject's total unknown.
    """
    results = []
    for subject_id in study.fas:
        rows = sorted(study.by_subject.get(subject_id, []), key=lambda r: r["date"])
        end = study.assessments.get((subject_id, PRIMARY_ENDPOINT_VISIT))
        if end is not None:
            rows = [r for r in rows if r["date"] <= end["date"]]
        if not rows:
            continue
        doses = [r["prednisolone_mg_per_day"] for r in rows]
        total: float | None = None
        if all(d is not None for d in doses[:-1]):
            total = sum(
                d * (later["date"] - row["date"]).days
                for d, row, later in zip(doses, rows, rows[1:], strict=False)
            )
        results.append(
            CumulativeDose(
                subject_id=subject_id,
                start_date=rows[0]["date"],
                end_date=rows[-1]["date"],
                days=(rows[-1]["date"] - rows[0]["date"]).days,
                cumulative_mg=total,
            )
        )
    return results


def prednisolone(study: _Study) -> Prednisolone:
    """Prednisolone equivalent over time, cumulative, and the proportion at or below target (BNF).

    The target is the snapshot's (`ProtocolConfig.prednisolone_target_mg_per_day`, 7.5 mg/day
    as published for LLDAS by Franklyn 2016).
    """
    target = study.thresholds.prednisolone_target_mg_per_day
    at_target = []
    for visit in SCHEDULED:
        known = [
            study.assessments[(s, visit)]["prednisolone_mg_per_day"]
            for s in study.fas
            if (s, visit) in study.assessments
            and study.assessments[(s, visit)]["prednisolone_mg_per_day"] is not None
        ]
        hits = sum(1 for d in known if d <= target)
        at_target.append(
            AtOrBelowTarget(
                visit=visit,
                n=len(known),
                at_or_below=hits,
                interval=Interval.of(clopper_pearson(hits, len(known))) if known else None,
            )
        )
    cumulative = cumulative_prednisolone(study)
    return Prednisolone(
        mg_per_day=_by_visit(study, "prednisolone_mg_per_day"),
        mg_per_kg_per_day=_by_visit(study, "prednisolone_mg_per_kg_per_day"),
        target_mg_per_day=target,
        at_or_below_target=at_target,
        cumulative=CumulativeDoses(
            subjects=cumulative,
            summary=describe(c.cumulative_mg for c in cumulative),
            method="dose at each assessment carried forward to the next, W0 to W12",
        ),
    )


def serology(study: _Study) -> Serology:
    """C3, C4 (g/L) and anti-dsDNA over time, with counts outside the laboratory limits."""
    result: dict[str, list[SerologyVisit]] = {}
    for name, column, limit, outside in (
        ("c3_g_per_l", "c3_g_per_l", "c3_lower_limit_g_per_l", lambda v, lim: v < lim),
        ("c4_g_per_l", "c4_g_per_l", "c4_lower_limit_g_per_l", lambda v, lim: v < lim),
        ("anti_dsdna", "anti_dsdna", "anti_dsdna_upper_limit", lambda v, lim: v > lim),
    ):
        rows = []
        for visit in SCHEDULED:
            values = [
                study.assessments[(s, visit)]
                for s in study.fas
                if (s, visit) in study.assessments
                and study.assessments[(s, visit)][column] is not None
            ]
            abnormal = sum(1 for r in values if _outside(outside, r[column], r[limit]))
            rows.append(
                SerologyVisit(visit=visit, abnormal=abnormal, **_stats(r[column] for r in values))
            )
        result[name] = rows
    units = {
        r["anti_dsdna_unit"] for r in study.snapshot.table("assessments") if r["anti_dsdna_unit"]
    }
    return Serology(
        c3_g_per_l=result["c3_g_per_l"],
        c4_g_per_l=result["c4_g_per_l"],
        anti_dsdna=result["anti_dsdna"],
        anti_dsdna_units=sorted(units),
    )


def _outside(test: Callable[[float, float], bool], value: float, limit: float | None) -> bool:
    return limit is not None and test(value, limit)


def _tally(selected: list[Row]) -> Tally:
    return Tally(events=len(selected), subjects=len({e["subject_id"] for e in selected}))


def adverse_events(study: _Study) -> Safety:
    """AEs by term and CTCAE grade; infections and herpes zoster apart; infusion reactions."""
    events = [e for e in study.snapshot.table("adverse_events") if e["subject_id"] in study.fas]
    by_term: dict[tuple[str, int], list[Row]] = defaultdict(list)
    for event in events:
        by_term[(event["term"], event["ctcae_grade"])].append(event)
    infusions = [i for i in study.snapshot.table("infusions") if i["subject_id"] in study.fas]
    reactions = [i for i in infusions if i["infusion_reaction"] is True]
    return Safety(
        population="full analysis set",
        n=len(study.fas),
        any=_tally(events),
        serious=_tally([e for e in events if e["serious"]]),
        grade_3_or_more=_tally([e for e in events if e["ctcae_grade"] >= 3]),
        related=_tally([e for e in events if e["related"] is True]),
        infections=_tally([e for e in events if e["infection"]]),
        herpes_zoster=_tally([e for e in events if e["herpes_zoster"]]),
        by_term_and_grade=[
            TermTally(term=term, grade=grade, **_tally(rows).model_dump())
            for (term, grade), rows in sorted(by_term.items())
        ],
        infusion_reactions=InfusionReactions(
            infusions=len(infusions),
            with_reaction=len(reactions),
            not_recorded=sum(1 for i in infusions if i["infusion_reaction"] is None),
            subjects=len({i["subject_id"] for i in reactions}),
        ),
        reporting=safety_reporting(study),
    )


def safety_reporting(study: _Study) -> SafetyReporting:
    """Reports made, and expedited first reports submitted by their deadline (Art. 54, 2018).

    On time means submitted on or before the deadline day (day 0 + N calendar days).
    """
    reports = study.snapshot.table("safety_reports")
    first = [r for r in reports if r["kind"] == "first"]
    expedited = [r for r in first if r["due"] is not None]
    submitted = [r for r in expedited if r["submitted_on"] is not None]
    return SafetyReporting(
        reports=len(reports),
        first_reports=len(first),
        follow_ups=len(reports) - len(first),
        expedited=len(expedited),
        on_time=sum(1 for r in submitted if r["submitted_on"] <= r["due"]),
        late=sum(1 for r in submitted if r["submitted_on"] > r["due"]),
        not_submitted=len(expedited) - len(submitted),
    )


def flow(study: _Study) -> Flow:
    """Screened, screen failures by criterion, enrolled, dosed, completed W12, withdrawn."""
    screenings = study.snapshot.table("screenings")
    linked = {r["screening_number"] for r in screenings}
    unlinked = [
        s for s in study.subjects.values()
        if s["screening_number"] is None or s["screening_number"] not in linked
    ]  # fmt: skip
    failures = study.snapshot.table("screening_failures")
    enrolled = [s for s in study.subjects.values() if s["enrolled"]]
    completed = [s for s in study.fas if (s, PRIMARY_ENDPOINT_VISIT) in study.assessments]
    ongoing = [
        s
        for s in study.fas
        if s not in completed
        and _not_assessed(study, s, PRIMARY_ENDPOINT_VISIT)[0] is Category.ONGOING
    ]
    withdrawn = sorted(
        (s for s in study.subjects.values() if s["status"] == "withdrawn"),
        key=lambda s: s["subject_id"],
    )
    return Flow(
        source=SCHULZ_2010,
        screened=len(screenings) + len(unlinked),
        screen_failures=sum(1 for r in screenings if r["decision"] == "ineligible"),
        screen_failures_by_criterion=dict(
            sorted(Counter(r["criterion"] for r in failures).items(), key=_criterion_order)
        ),
        pending_or_undecided=sum(1 for s in study.subjects.values() if s["status"] == "screened"),
        consented=len(study.subjects),
        enrolled=len(enrolled),
        dosed=len(study.fas),
        completed_w12=len(completed),
        ongoing_w12=len(ongoing),
        withdrawn=[
            Withdrawal(
                subject_id=s["subject_id"], date=s["withdrawal_date"], reason=s["withdrawal_reason"]
            )
            for s in withdrawn
        ],
        full_analysis_set=len(study.fas),
        per_protocol_set=len(study.pp),
    )


def _criterion_order(item: tuple[str, int]) -> tuple[str, int]:
    criterion = item[0]
    return criterion[0], int(criterion[1:]) if criterion[1:].isdigit() else 0


def baseline(study: _Study) -> Baseline:
    """Baseline (W0) characteristics of the FAS."""
    subjects = [study.subjects[s] for s in study.fas]
    w0 = [study.assessments[(s, BASELINE)] for s in study.fas if (s, BASELINE) in study.assessments]
    return Baseline(
        n=len(subjects),
        age=describe(s["age"] for s in subjects),
        sex=dict(sorted(Counter(s["sex"] or "not recorded" for s in subjects).items())),
        site=dict(sorted(Counter(s["site"] for s in subjects).items())),
        body_weight_kg=describe(r["body_weight_kg"] for r in w0),
        sledai2k=describe(r["sledai2k"] for r in w0),
        clinical_sledai2k=describe(r["clinical_sledai2k"] for r in w0),
        pga=describe(r["pga"] for r in w0),
        prednisolone_mg_per_day=describe(r["prednisolone_mg_per_day"] for r in w0),
        prednisolone_mg_per_kg_per_day=describe(r["prednisolone_mg_per_kg_per_day"] for r in w0),
        c3_g_per_l=describe(r["c3_g_per_l"] for r in w0),
        c4_g_per_l=describe(r["c4_g_per_l"] for r in w0),
        anti_dsdna=describe(r["anti_dsdna"] for r in w0),
    )


def compute_endpoints(snapshot: Snapshot) -> StudyResults:
    """Every endpoint of the study from one verified snapshot."""
    study = _Study(snapshot)
    if not study.fas:
        raise ValueError("the snapshot has no subject in the full analysis set")
    manifest = snapshot.manifest
    return StudyResults(
        snapshot=SnapshotInfo(
            study_id=manifest["study_id"],
            data_cut=manifest["data_cut"],
            data_cut_site_dates=manifest["data_cut_site_dates"],
            site_scope=manifest.get("site_scope"),
            endpoint_thresholds=study.thresholds,
            source=manifest.get("source"),
            software_version=manifest["software"]["version"],
        ),
        flow=flow(study),
        baseline=baseline(study),
        primary=primary_endpoint(study),
        secondary=Secondary(
            lldas_by_visit=lldas_by_visit(study),
            time_to_first_lldas=time_to_first_lldas(study),
            doris_w12=proportion_endpoint(study, study.fas, PRIMARY_ENDPOINT_VISIT, "doris"),
            sledai2k_change_from_baseline=sledai_change(study),
            prednisolone=prednisolone(study),
            serology=serology(study),
        ),
        safety=adverse_events(study),
    )
