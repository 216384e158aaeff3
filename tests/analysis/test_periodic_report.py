"""The periodic report (issue 17; Clinical Trials Act Art. 17, Enforcement Regulations Art. 59)
from a snapshot: what falls in the period at its first and last day, the deadline on the day
the two months close, English and Japanese, the CSV listings and the command line."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from lupustrial.analysis.periodic_report import (
    LABELS,
    PeriodError,
    build_periodic_report,
    listings,
    render_html,
    render_text,
)
from lupustrial.cli import main
from lupustrial.dataset.demo import demo_records
from lupustrial.dataset.records import (
    AdverseEvent,
    AeOutcome,
    Assessment,
    Deviation,
    SafetyReport,
    StudyRecords,
    StudySite,
    Subject,
    SubjectStatus,
    Visit,
    VisitCode,
)
from lupustrial.dataset.snapshot import Snapshot, read_snapshot, write_snapshot
from lupustrial.protocol.periodic import reporting_period

D = dt.date
ANCHOR = D(2024, 1, 15)  # year 1: 2024-01-15 .. 2025-01-14, due 2025-03-14
YEAR_1 = reporting_period(ANCHOR, 1)


def _subject(n: int, enrolled: dt.date, **extra: object) -> Subject:
    return Subject.model_validate(
        {"subject_id": f"S{n:02}", "site": "TKY", "status": "enrolled",
         "enrolment_date": enrolled, **extra}
    )  # fmt: skip


_EVENT_NUMBERS = itertools.count(1)


def _event(subject: str, term: str, onset: dt.date, **extra: object) -> AdverseEvent:
    values: dict[str, object] = {
        "subject_id": subject, "event_id": f"AE-{next(_EVENT_NUMBERS):03d}", "term": term,
        "onset_date": onset, "ctcae_grade": 2,
        "serious": False, "related": False, "outcome": AeOutcome.RECOVERING, **extra,
    }  # fmt: skip
    return AdverseEvent.model_validate(values)


def _records() -> StudyRecords:
    return StudyRecords(
        sites=[StudySite(code="TKY", time_zone="Asia/Tokyo")],
        subjects=[
            _subject(1, D(2024, 1, 14)),  # the day before the period: enrolled by its end
            _subject(2, D(2024, 1, 15)),  # its first day
            _subject(3, D(2025, 1, 14)),  # its last day
            _subject(4, D(2025, 1, 15)),  # the day after: not in this report
            _subject(
                5,
                D(2024, 3, 1),
                status=SubjectStatus.WITHDRAWN,
                withdrawal_date=D(2025, 1, 14),
                withdrawal_reason="moved away",
            ),
        ],
        adverse_events=[
            _event(
                "S01",
                "Nasopharyngitis",
                D(2024, 1, 14),
                end_date=D(2024, 1, 15),
                outcome=AeOutcome.RECOVERED,
            ),  # ended on the first day: carried in
            _event(
                "S01",
                "Headache",
                D(2024, 1, 10),
                end_date=D(2024, 1, 14),
                outcome=AeOutcome.RECOVERED,
            ),  # ended the day before: not in
            _event(
                "S02",
                "Herpes zoster",
                D(2024, 6, 1),
                serious=True,
                related=True,
                ctcae_grade=3,
                infection=True,
                herpes_zoster=True,
            ),
            _event("S03", "Pneumonia", D(2025, 1, 15), serious=True),  # after the end
        ],
        deviations=[
            Deviation(
                subject_id="S02",
                number="DEV-TKY-001",
                category="visit_window",
                occurred_on=D(2024, 3, 1),
                description="W4 late",
                serious=False,
                corrective_action="reminder calls",
                closed_on=D(2025, 1, 14),
            ),
            Deviation(
                subject_id="S02",
                number="DEV-TKY-002",
                category="dosing",
                occurred_on=D(2025, 1, 14),
                description="=cmd|' /C calc'!A0",
                serious=True,
            ),
        ],
        visits=[
            Visit(subject_id="S02", visit=VisitCode.W4, date=D(2024, 6, 1)),
            Visit(subject_id="S02", visit=VisitCode.W8, date=D(2024, 7, 1)),
        ],
        assessments=[
            Assessment.model_validate(
                {
                    "subject_id": "S02",
                    "visit": "W4",
                    "date": D(2024, 6, 1),
                    "medications": {
                        "medications": [
                            {"drug": "Shingrix", "start_date": "2024-05-20", "vaccine": True},
                            {"drug": "MMR", "start_date": "2024-01-14", "vaccine": True},  # before
                            {"drug": "amlodipine", "start_date": "2024-05-20"},
                        ]
                    },
                }
            ),
            Assessment.model_validate(
                {
                    "subject_id": "S02",
                    "visit": "W8",
                    "date": D(2024, 7, 1),
                    "medications": {
                        "medications": [
                            {
                                "drug": "Shingrix",
                                "start_date": "2024-05-20",
                                "vaccine": True,
                            },  # again
                            {"drug": "Varivax", "start_date": "2024-06-20"},  # live, not ticked
                        ]
                    },
                }
            ),
        ],
        safety_reports=[
            SafetyReport(
                subject_id="S02",
                number="SR-001",
                event="S02:Herpes zoster",
                rule="CRB-15",
                recipient="certified review board",
                kind="first",
                day_zero=D(2024, 6, 2),
                due=D(2024, 6, 16),
                generated_on=D(2024, 6, 3),
                submitted_to="CRB",
                submitted_on=D(2024, 6, 17),
            ),
        ],
    )


def _snapshot(tmp_path: Path, cut: dt.datetime, records: StudyRecords | None = None) -> Snapshot:
    """The records as known at ``cut``: nothing dated after the data cut's Tokyo day."""
    records = records or _records()
    day = cut.astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    known = records.model_copy(
        update={
            # The fixture's subjects are all enrolled: an enrolment date, never None.
            "subjects": [s for s in records.subjects if s.enrolment_date <= day],  # type: ignore[operator]
            "adverse_events": [e for e in records.adverse_events if e.onset_date <= day],
        }
    )
    write_snapshot(known, tmp_path / "snap", cut, source="test")
    return read_snapshot(tmp_path / "snap")


# 2025-01-14 23:59 in Tokyo: the period's last day at the site
LAST_DAY_CUT = dt.datetime(2025, 1, 14, 14, 59, tzinfo=dt.UTC)


def test_the_period_counts_its_first_and_last_day_and_not_the_day_after(tmp_path: Path) -> None:
    report = build_periodic_report(_snapshot(tmp_path, dt.datetime(2025, 3, 1, tzinfo=dt.UTC)),
                                   YEAR_1)  # fmt: skip
    enrolment = report.enrolment
    assert (enrolment.enrolled_in_period, enrolment.enrolled_by_end) == (3, 4)
    assert [s.subject_id for s in enrolment.subjects] == ["S01", "S02", "S03", "S05"]
    assert enrolment.withdrawn_in_period == 1
    safety = report.safety
    assert sorted(e.term for e in safety.events) == ["Herpes zoster", "Nasopharyngitis"]
    assert (safety.new_events, safety.serious_events, safety.related_events) == (1, 1, 1)
    assert safety.by_grade == {2: 1, 3: 1}
    assert [r.number for r in safety.reports] == ["SR-001"]
    assert safety.reports_late == 1  # due 2024-06-16, submitted the 17th
    deviations = report.deviations
    assert (deviations.in_period, deviations.serious, deviations.open_at_end) == (2, 1, 1)
    assert [(v.name, v.start_date, v.live_vaccine) for v in report.vaccines] == [
        ("Shingrix", D(2024, 5, 20), False),
        ("Varivax", D(2024, 6, 20), True),
    ]


def test_a_data_cut_on_the_last_day_is_enough_and_the_day_before_is_refused(
    tmp_path: Path,
) -> None:
    build_periodic_report(_snapshot(tmp_path / "a", LAST_DAY_CUT), YEAR_1)
    early = LAST_DAY_CUT - dt.timedelta(days=1)
    few = StudyRecords(sites=_records().sites, subjects=_records().subjects[:2])
    with pytest.raises(PeriodError, match=r"data cut \(2025-01-13\) is before the period's last"):
        build_periodic_report(_snapshot(tmp_path / "b", early, few), YEAR_1)


def test_english_and_japanese_say_the_same_and_the_draft_is_marked(tmp_path: Path) -> None:
    snapshot = _snapshot(tmp_path, LAST_DAY_CUT)
    english = render_html(build_periodic_report(snapshot, YEAR_1))
    japanese = render_html(build_periodic_report(snapshot, YEAR_1, language="ja"))
    assert LABELS["draft"]["en"].replace("'", "&#39;") in english
    assert "定期報告書" in japanese
    assert "疾病等の発生状況及びその後の経過" in japanese
    assert "不適合の発生状況及びその後の対応" in japanese
    assert '<html lang="ja">' in japanese
    for page in (english, japanese):
        assert "2024-01-15 – 2025-01-14" in page
        assert "2025-03-14" in page
        assert "Art. 59" in page
    signed = build_periodic_report(snapshot, YEAR_1, assessment="No new safety signal.\n")
    assert signed.assessment == "No new safety signal."
    assert "DRAFT" not in render_html(signed)
    assert "DRAFT" not in render_text(signed)
    assert "No new safety signal." in render_text(signed)


def test_the_listings_escape_formulas(tmp_path: Path) -> None:
    written = listings(build_periodic_report(_snapshot(tmp_path, LAST_DAY_CUT), YEAR_1))
    deviations = written["periodic-deviations.csv"].splitlines()
    assert deviations[0].startswith("subject_id,number,category,occurred_on")
    assert "'=cmd" in written["periodic-deviations.csv"]
    assert len(written["periodic-subjects.csv"].splitlines()) == 1 + 4


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("as_of", "said"),
    [
        ("2025-03-13", "1 days left"),
        ("2025-03-14", "today is the last day"),
        ("2025-03-15", "1 days overdue"),
    ],
)
def test_the_command_computes_the_year_due_and_counts_to_the_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str, said: str
) -> None:
    _snapshot(tmp_path, dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    code, out, err = _run(
        capsys, "report", "periodic", str(tmp_path / "snap"), "--out", str(tmp_path / "out"),
        "--anchor", "2024-01-15", "--as-of", as_of, "--no-pdf", "--language", "ja",
    )  # fmt: skip
    assert code == 0, err
    assert "periodic report 2024-01-15 to 2025-01-14" in out
    assert f"due by 2025-03-14 ({said})" in out
    assert "draft" in err
    text = (tmp_path / "out" / "periodic-report.txt").read_text(encoding="utf-8")
    assert text.startswith("定期報告書 — jRCTs031230358")
    assert (tmp_path / "out" / "periodic-adverse-events.csv").exists()


def test_the_command_takes_a_chosen_period_and_an_assessment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _snapshot(tmp_path, LAST_DAY_CUT)
    assessment = tmp_path / "assessment.txt"
    assessment.write_text("安全性に新たな懸念はない。", encoding="utf-8")
    code, out, _ = _run(
        capsys, "report", "periodic", str(tmp_path / "snap"), "--out", str(tmp_path / "out"),
        "--from", "2024-07-01", "--to", "2024-12-31", "--assessment", str(assessment),
        "--no-pdf",
    )  # fmt: skip
    assert code == 0
    assert "no deadline" in out
    html = (tmp_path / "out" / "periodic-report.html").read_text(encoding="utf-8")
    assert "安全性に新たな懸念はない。" in html
    assert "DRAFT" not in html


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the jRCT publication date is not declared"),
        (["--from", "2024-01-01"], "give --from and --to together"),
        (["--from", "2024-13-01", "--to", "2024-12-31"], "--from '2024-13-01' is not an ISO date"),
        (["--anchor", "2024-01-15", "--period", "2"], "data cut (2025-01-14) is before"),
        (["--anchor", "2025-01-01"], "nothing is due yet"),
        (["--from", "2024-06-30", "--to", "2024-01-01"], "ends (2024-01-01) before it starts"),
    ],
)
def test_bad_periods_get_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    _snapshot(tmp_path, LAST_DAY_CUT)
    code, _out, err = _run(
        capsys, "report", "periodic", str(tmp_path / "snap"), "--out", str(tmp_path / "o"), *argv
    )
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_the_study_report_is_still_report_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_snapshot(demo_records(), tmp_path / "snap", dt.datetime.now(dt.UTC), source="demo")
    code, _out, err = _run(
        capsys, "report", str(tmp_path / "snap"), "--out", str(tmp_path / "r"), "--no-pdf"
    )
    assert code == 0, err
    assert (tmp_path / "r" / "report.html").exists()
