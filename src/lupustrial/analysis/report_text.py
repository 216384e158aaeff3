"""The study's answer as plain text, for a statistician at the terminal (`lupustrial endpoints`).

It reads the typed results (`analysis.results`) and computes nothing; the HTML report beside
it (`analysis.report`) reads the same results.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from lupustrial.analysis.results import Interval, StudyResults, Summary
from lupustrial.analysis.wording import counted, events_in_patients, responders_of


def _pct(x: float | None) -> str:
    return "—" if x is None or math.isnan(x) else f"{x:.1%}"


def _interval_text(entries: Sequence[Interval] | Interval | None) -> str:
    """The first interval of a list (or the one given); 'n = 0' when there is none."""
    if entries is None:
        return "n = 0"
    if not isinstance(entries, Interval):
        if not entries:
            return "n = 0"
        entries = entries[0]
    entry = entries
    return (
        f"{entry.successes}/{entry.n} = {_pct(entry.estimate)} "
        f"(95% CI {_pct(entry.lower)}–{_pct(entry.upper)}, {entry.method})"
    )


def _summary_text(stats: Summary, unit: str = "", digits: int = 1) -> str:
    if not stats.n or stats.median is None:
        return "n = 0"
    return (
        f"n = {stats.n}, median {stats.median:.{digits}f}{unit} "
        f"(IQR {stats.q1:.{digits}f}–{stats.q3:.{digits}f}), "
        f"range {stats.min:.{digits}f}–{stats.max:.{digits}f}"
    )


def render_text(result: StudyResults) -> str:
    """A plain-text report of the endpoints, for a statistician to read at the terminal."""
    snap, fl, primary = result.snapshot, result.flow, result.primary
    main = primary.main
    lines = [
        ("INTERIM — " if result.interim else "")
        + (f"sites {', '.join(snap.site_scope)} only — " if snap.site_scope else "")
        + f"Study {snap.study_id} — data cut {snap.data_cut} "
        f"(lupustrial {snap.software_version})",
        "",
        "Flow",
        f"  screened {fl.screened}, screen failures {fl.screen_failures}"
        + (
            " (" + ", ".join(f"{c}: {n}" for c, n in fl.screen_failures_by_criterion.items()) + ")"
            if fl.screen_failures_by_criterion
            else ""
        ),
        f"  enrolled {fl.enrolled}, dosed {fl.dosed}, completed W12 {fl.completed_w12}",
    ]
    lines += [
        f"  withdrawn {w.subject_id} on {w.date.isoformat() if w.date else '?'}: {w.reason}"
        for w in fl.withdrawn
    ]
    lines += [
        f"  NOT THE PUBLISHED DEFINITION: {n.name} = {n.value} (published {n.published})"
        for n in snap.endpoint_thresholds.non_published
    ]
    lines += ["", f"Primary endpoint: {primary.name} ({primary.population}) — {primary.status}"]
    lines += [f"  {_interval_text(i)}" for i in main.intervals]
    if not main.intervals:
        lines.append("  no evaluable patient yet")
    if main.ongoing:
        lines.append(
            f"  ongoing (week 12 not yet due at the data cut): {', '.join(main.ongoing)}; "
            f"estimate on {main.n} evaluable of {counted(main.population_n, 'patient')}"
        )
    lines.append(f"  {responders_of(main.responders, main.n)}")
    lines.append(f"  rule: {primary.rule}")
    lines += [f"  {s.subject_id}: {s.verdict} — {s.reason}" for s in main.subjects]
    for name, sens in primary.sensitivity.items():
        shown = _interval_text(sens.intervals)
        lines.append(f"  sensitivity, {name.replace('_', ' ')}: {shown}")
    sec = result.secondary
    lines += ["", "Secondary endpoints", "  LLDAS by visit (FAS, same rule):"]
    lines += [f"    {v.visit}: {_interval_text(v.intervals)}" for v in sec.lldas_by_visit]
    ttf = sec.time_to_first_lldas
    lines.append(
        f"  Time to first LLDAS: {ttf.events}/{ttf.n} reached it; median study day "
        f"{ttf.median_day if ttf.median_day is not None else 'not reached'}"
    )
    lines.append(f"  DORIS remission at W12: {_interval_text(sec.doris_w12.intervals)}")
    lines.append("  SLEDAI-2K change from baseline:")
    lines += [
        f"    {c.visit}: {_summary_text(c.change)}"
        + (f" ({c.excluded_incomplete} incomplete excluded)" if c.excluded_incomplete else "")
        for c in sec.sledai2k_change_from_baseline
    ]
    pred = sec.prednisolone
    lines.append("  Prednisolone equivalent, mg/day:")
    lines += [f"    {v.visit}: {_summary_text(v)}" for v in pred.mg_per_day]
    lines += [
        f"    {v.visit} ≤ {pred.target_mg_per_day:g} mg/day: {v.at_or_below}/{v.n}"
        for v in pred.at_or_below_target
    ]
    lines.append(f"    cumulative mg: {_summary_text(pred.cumulative.summary, digits=0)}")
    lines.append("  Serology (median by visit):")
    for name, rows in (
        ("c3_g_per_l", sec.serology.c3_g_per_l),
        ("c4_g_per_l", sec.serology.c4_g_per_l),
        ("anti_dsdna", sec.serology.anti_dsdna),
    ):
        lines.append(
            f"    {name}: "
            + "; ".join(
                f"{v.visit} {v.median:.2f} ({v.abnormal}/{v.n} abnormal)"
                if v.n and v.median is not None
                else f"{v.visit} —"
                for v in rows
            )
        )
    ae = result.safety
    lines += [
        "",
        f"Safety (FAS, n = {ae.n})",
        f"  any AE: {events_in_patients(ae.any.events, ae.any.subjects)}; "
        f"serious {ae.serious.events}; grade ≥ 3 {ae.grade_3_or_more.events}",
        f"  infections: {events_in_patients(ae.infections.events, ae.infections.subjects)}; "
        "herpes zoster "
        f"{events_in_patients(ae.herpes_zoster.events, ae.herpes_zoster.subjects)}",
        f"  infusion reactions: {ae.infusion_reactions.with_reaction} of "
        f"{counted(ae.infusion_reactions.infusions, 'infusion')}",
        f"  safety reports: {ae.reporting.reports}; expedited first reports "
        f"{ae.reporting.expedited} (on time {ae.reporting.on_time}, late {ae.reporting.late}, "
        f"not submitted {ae.reporting.not_submitted})",
    ]
    lines += [
        f"  {t.term} (grade {t.grade}): {events_in_patients(t.events, t.subjects)}"
        for t in ae.by_term_and_grade
    ]
    return "\n".join(lines)
