"""The periodic report (定期報告) for one period, from a snapshot, in English or Japanese.

What Enforcement Regulations Art. 59 asks the report to give (`protocol.periodic`): the
subjects enrolled and where they stand, the adverse events and their course with the serious
ones and the reports made (`periodic_safety.safety_summary`), the deviations and what was done
about them, and the investigator's assessment of safety and scientific validity, which is
free text the investigator writes (without it the report says it is a draft). Written as
``periodic-report.html`` (and PDF by `lupustrial.pdf`), ``periodic-report.txt`` and CSV
listings; it reads only a snapshot, like the study report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any, Literal

import jinja2
from pydantic import Field

from lupustrial.analysis.periodic_safety import (
    EventLine,
    ReportLine,
    SafetySummary,
    safety_summary,
)
from lupustrial.analysis.report_template import TEMPLATES
from lupustrial.clinical.model import StrictModel
from lupustrial.dataset.snapshot import Snapshot
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig
from lupustrial.protocol.periodic import ReportingPeriod

Language = Literal["en", "ja"]

LABELS: dict[str, dict[Language, str]] = {
    "title": {"en": "Periodic report", "ja": "定期報告書"},
    "draft": {
        "en": "DRAFT: the investigator's assessment is not yet written",
        "ja": "案：研究責任医師の評価が未記載です",
    },
    "study": {"en": "Study", "ja": "研究名称"},
    "jrct": {"en": "jRCT number", "ja": "jRCT番号"},
    "period": {"en": "Reporting period", "ja": "報告対象期間"},
    "period_number": {"en": "Year", "ja": "報告回"},
    "off_calendar": {
        "en": "a chosen period, not an Art. 59 year: no deadline",
        "ja": "任意の期間（第59条の報告期間ではないため期限なし）",
    },
    "deadline": {"en": "Report due by", "ja": "報告期限"},
    "data_cut": {"en": "Data cut", "ja": "データカットオフ"},
    "source": {"en": "Source", "ja": "根拠"},
    "enrolment": {"en": "Subjects enrolled and their status", "ja": "対象者の数及び状況"},
    "target": {"en": "Target enrolment", "ja": "目標症例数"},
    "enrolled_in_period": {"en": "Enrolled in the period", "ja": "期間中の登録数"},
    "enrolled_by_end": {"en": "Enrolled by the end of the period", "ja": "期間末までの累積登録数"},
    "withdrawn_in_period": {"en": "Withdrawn in the period", "ja": "期間中の中止数"},
    "status_at_cut": {"en": "Status at the data cut", "ja": "データカットオフ時点の状況"},
    "safety": {
        "en": "Adverse events and their course",
        "ja": "疾病等の発生状況及びその後の経過",
    },
    "events_in_period": {"en": "Events in the period", "ja": "期間中の事象数"},
    "new_events": {"en": "of which new", "ja": "うち新規発現"},
    "serious_events": {"en": "Serious", "ja": "重篤"},
    "related_events": {"en": "Related to anifrolumab", "ja": "アニフロルマブとの関連あり"},
    "deaths": {"en": "Deaths", "ja": "死亡"},
    "by_grade": {"en": "By CTCAE grade", "ja": "CTCAEグレード別"},
    "reports": {"en": "Safety reports made", "ja": "疾病等報告の状況"},
    "reports_late": {"en": "Reports late", "ja": "期限超過の報告"},
    "vaccines": {"en": "Vaccines given in the period", "ja": "期間中に接種されたワクチン"},
    "live": {"en": "live", "ja": "生ワクチン"},
    "deviations": {
        "en": "Deviations (non-conformities) and their handling",
        "ja": "不適合の発生状況及びその後の対応",
    },
    "deviations_in_period": {"en": "Deviations in the period", "ja": "期間中の不適合数"},
    "serious_deviations": {"en": "Serious", "ja": "重大な不適合"},
    "open_at_end": {"en": "Open at the end of the period", "ja": "期間末時点で未完了"},
    "assessment": {
        "en": "Assessment of safety and scientific validity",
        "ja": "安全性及び科学的妥当性についての評価",
    },
    "none": {"en": "none", "ja": "なし"},
    "yes": {"en": "yes", "ja": "あり"},
    "no": {"en": "no", "ja": "なし"},
    "subject": {"en": "Subject", "ja": "対象者"},
    "site": {"en": "Site", "ja": "実施医療機関"},
    "enrolment_date": {"en": "Enrolled on", "ja": "登録日"},
    "status": {"en": "Status", "ja": "状況"},
    "withdrawal_date": {"en": "Withdrawn on", "ja": "中止日"},
    "term": {"en": "Event", "ja": "事象名"},
    "onset": {"en": "Onset", "ja": "発現日"},
    "end": {"en": "End", "ja": "転帰日"},
    "grade": {"en": "Grade", "ja": "グレード"},
    "serious": {"en": "Serious", "ja": "重篤"},
    "related": {"en": "Related", "ja": "因果関係"},
    "outcome": {"en": "Outcome", "ja": "転帰"},
    "number": {"en": "Number", "ja": "番号"},
    "recipient": {"en": "To", "ja": "報告先"},
    "kind": {"en": "Kind", "ja": "種別"},
    "due": {"en": "Due", "ja": "期限"},
    "submitted_on": {"en": "Submitted", "ja": "報告日"},
    "category": {"en": "Category", "ja": "分類"},
    "occurred_on": {"en": "Occurred on", "ja": "発生日"},
    "description": {"en": "What happened", "ja": "内容"},
    "corrective_action": {"en": "Corrective action", "ja": "是正措置"},
    "reported_to_board_on": {"en": "Reported to the board", "ja": "委員会への報告日"},
    "closed_on": {"en": "Closed on", "ja": "完了日"},
}
"""Every heading and label of the report in English and Japanese (the CLI has no Django
catalogue; the terms follow docs/i18n.md)."""


class SubjectLine(StrictModel):
    subject_id: str
    site: str
    enrolment_date: dt.date
    status: str
    withdrawal_date: dt.date | None


class Enrolment(StrictModel):
    target: int
    enrolled_in_period: int
    enrolled_by_end: int
    withdrawn_in_period: int
    status_at_cut: dict[str, int] = Field(description="Enrolled by the period's end, by status.")
    subjects: list[SubjectLine]


class DeviationLine(StrictModel):
    subject_id: str
    number: str
    category: str
    occurred_on: dt.date
    description: str
    serious: bool
    corrective_action: str | None
    reported_to_board_on: dt.date | None
    closed_on: dt.date | None


class Deviations(StrictModel):
    in_period: int
    serious: int
    open_at_end: int
    lines: list[DeviationLine]


class VaccineLine(StrictModel):
    """A vaccine recorded among the concomitant medications, given in the period."""

    subject_id: str
    visit_id: str | None
    name: str
    start_date: dt.date | None
    live_vaccine: bool


class PeriodicReport(StrictModel):
    """Everything the periodic report says, typed; rendering only lays it out."""

    language: Language
    study_title: str
    jrct_id: str
    period: ReportingPeriod
    data_cut: str
    source: str
    enrolment: Enrolment
    safety: SafetySummary
    deviations: Deviations
    vaccines: list[VaccineLine] = Field(
        description="Vaccines given in the period (the safety review; live ones are E12's and "
        "prohibited on anifrolumab)."
    )
    assessment: str | None = Field(description="The investigator's words; None: a draft.")


class PeriodError(ValueError):
    """The snapshot cannot give this period's report (the data cut is before its end)."""


def cut_date(snapshot: Snapshot) -> dt.date:
    """The data cut as a date: the earliest of the sites' own dates (one site, its date)."""
    dates = snapshot.manifest.get("data_cut_site_dates") or {}
    if not dates:
        return dt.datetime.fromisoformat(snapshot.data_cut).date()
    return min(dt.date.fromisoformat(day) for day in dates.values())


def _enrolment(snapshot: Snapshot, period: ReportingPeriod, target: int) -> Enrolment:
    subjects = [
        SubjectLine(**{k: row[k] for k in SubjectLine.model_fields})
        for row in snapshot.table("subjects")
        if row["enrolment_date"] is not None and row["enrolment_date"] <= period.end
    ]
    statuses: dict[str, int] = {}
    for line in subjects:
        statuses[line.status] = statuses.get(line.status, 0) + 1
    return Enrolment(
        target=target,
        enrolled_in_period=sum(period.contains(s.enrolment_date) for s in subjects),
        enrolled_by_end=len(subjects),
        withdrawn_in_period=sum(
            s.withdrawal_date is not None and period.contains(s.withdrawal_date) for s in subjects
        ),
        status_at_cut=dict(sorted(statuses.items())),
        subjects=subjects,
    )


def _deviations(snapshot: Snapshot, period: ReportingPeriod) -> Deviations:
    """Deviations that happened in the period, or before it and still open at its start."""
    lines = [
        DeviationLine(**{k: row[k] for k in DeviationLine.model_fields})
        for row in snapshot.table("deviations")
        if row["occurred_on"] <= period.end
        and (period.contains(row["occurred_on"]) or row["closed_on"] is None
             or row["closed_on"] >= period.start)
    ]  # fmt: skip
    return Deviations(
        in_period=sum(period.contains(d.occurred_on) for d in lines),
        serious=sum(d.serious for d in lines),
        open_at_end=sum(d.closed_on is None or d.closed_on > period.end for d in lines),
        lines=lines,
    )


def _vaccines(snapshot: Snapshot, period: ReportingPeriod) -> list[VaccineLine]:
    """Vaccines given in the period, once each (a vaccine carried on later visits' forms is
    the same shot); one without a date counts on its visit's date."""
    seen: set[tuple[str, str, dt.date | None]] = set()
    lines = []
    for row in snapshot.table("medications"):
        if not (row["vaccine"] or row["live_vaccine"]):
            continue
        day = row["start_date"] or row["date"]
        key = (row["subject_id"], row["name"].strip().lower(), row["start_date"])
        if not period.contains(day) or key in seen:
            continue
        seen.add(key)
        lines.append(
            VaccineLine(
                subject_id=row["subject_id"], visit_id=row["visit_id"], name=row["name"],
                start_date=row["start_date"], live_vaccine=bool(row["live_vaccine"]),
            )
        )  # fmt: skip
    return lines


def build_periodic_report(
    snapshot: Snapshot,
    period: ReportingPeriod,
    *,
    language: Language = "en",
    assessment: str | None = None,
    protocol: ProtocolConfig = DEFAULT_PROTOCOL,
) -> PeriodicReport:
    """The report of ``period`` from ``snapshot``; refused when the data cut is before the
    period's last day (the report would miss part of its period)."""
    cut = cut_date(snapshot)
    if cut < period.end:
        raise PeriodError(
            f"the snapshot's data cut ({cut.isoformat()}) is before the period's last day "
            f"({period.end.isoformat()}): export a snapshot after the period ends"
        )
    return PeriodicReport(
        language=language,
        study_title=protocol.study_title,
        jrct_id=protocol.registration.jrct_id,
        period=period,
        data_cut=snapshot.data_cut,
        source=protocol.periodic_report.source,
        enrolment=_enrolment(snapshot, period, protocol.target_recruitment),
        safety=safety_summary(snapshot, period),
        deviations=_deviations(snapshot, period),
        vaccines=_vaccines(snapshot, period),
        assessment=(assessment or "").strip() or None,
    )


def _environment(*, html: bool = True) -> jinja2.Environment:
    """HTML is autoescaped; the text report is plain text. An undefined name is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _context(report: PeriodicReport) -> dict[str, Any]:
    labels = {key: names[report.language] for key, names in LABELS.items()}
    return {"r": report, "t": labels, "style": (TEMPLATES / "report.css").read_text("utf-8")}


def render_html(report: PeriodicReport) -> str:
    """The report as one self-contained HTML page (no script, no external asset)."""
    return _environment().get_template("periodic.html").render(**_context(report))


def render_text(report: PeriodicReport) -> str:
    """The report as plain text (for the terminal and the archive)."""
    return _environment(html=False).get_template("periodic.txt").render(**_context(report))


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with an apostrophe
    (OWASP, CSV injection)."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def listings(report: PeriodicReport) -> dict[str, str]:
    """The CSV listings beside the report: subjects, adverse events, safety reports, deviations."""
    tables: dict[str, tuple[type[StrictModel], list[Any]]] = {
        "periodic-subjects.csv": (SubjectLine, report.enrolment.subjects),
        "periodic-adverse-events.csv": (EventLine, report.safety.events),
        "periodic-safety-reports.csv": (ReportLine, report.safety.reports),
        "periodic-deviations.csv": (DeviationLine, report.deviations.lines),
        "periodic-vaccines.csv": (VaccineLine, report.vaccines),
    }
    written = {}
    for name, (model, rows) in tables.items():
        columns = list(model.model_fields)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(getattr(row, c)) for c in columns])
        written[name] = buffer.getvalue()
    return written


def footer(report: PeriodicReport) -> str:
    """The PDF footer: jRCT number and period."""
    return f"{report.jrct_id} · {report.period.start.isoformat()} – {report.period.end.isoformat()}"


def write_periodic_report(report: PeriodicReport, out_dir: str | Path) -> Path:
    """Write the HTML, the text and the CSV listings into ``out_dir``; return the HTML's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "periodic-report.txt").write_text(render_text(report), encoding="utf-8")
    for name, text in listings(report).items():
        (out / name).write_text(text, encoding="utf-8")
    html = out / "periodic-report.html"
    html.write_text(render_html(report), encoding="utf-8")
    return html
