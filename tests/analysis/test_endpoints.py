"""Endpoints on hand-made snapshots whose answers are known."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from tests.commands import run

from lupustrial.analysis.endpoints import compute_endpoints, kaplan_meier
from lupustrial.analysis.report_text import render_text
from lupustrial.analysis.results import StudyResults, SubjectResponse
from lupustrial.clinical.glucocorticoids import GlucocorticoidDose
from lupustrial.clinical.sledai2k import DESCRIPTORS, Sledai2kInput
from lupustrial.clinical.units import BodyWeight, DoseMass
from lupustrial.dataset.records import (
    AdverseEvent,
    Assessment,
    Decision,
    ScreeningDecision,
    StudyRecords,
    StudySite,
    Subject,
    SubjectStatus,
    Visit,
    VisitCode,
)
from lupustrial.dataset.snapshot import read_snapshot, write_snapshot
from lupustrial.protocol.crfs import DiseaseActivity, Glucocorticoids, Infusion, Vitals

START = dt.date(2024, 1, 8)
CUT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
WEEKS = {"W0": 0, "W4": 4, "W8": 8, "W12": 12}


def sledai(*active: str) -> Sledai2kInput:
    """Every descriptor judged, so that nothing is unknown unless a test says so."""
    return Sledai2kInput.model_validate({d.code: d.code in active for d in DESCRIPTORS})


def patient(
    sid: str,
    *,
    responder_at: tuple[str, ...] = ("W12",),
    withdraw_after: str | None = None,
    w12_late_days: int = 0,
    last_visit: str = "W12",
    w12_pga: float | None = 0.5,
    drug: str = "prednisolone",
    w12_dose_mg: float = 5.0,
    dosed: bool = True,
) -> dict[str, list[Any]]:
    """One patient's records: W0 active, then in LLDAS at the visits in ``responder_at``."""
    status = SubjectStatus.WITHDRAWN if withdraw_after else SubjectStatus.COMPLETED
    if last_visit != "W12" and not withdraw_after:
        status = SubjectStatus.ENROLLED  # on study: week 12 not reached at the data cut
    withdrawal = START + dt.timedelta(weeks=WEEKS[withdraw_after] + 2) if withdraw_after else None
    out: dict[str, list[Any]] = {
        "subjects": [
            Subject(
                subject_id=sid,
                site="A",
                sex="female",
                age_at_consent=40,
                consent_date=START - dt.timedelta(days=10),
                enrolment_date=START - dt.timedelta(days=3),
                first_infusion_date=START if dosed else None,
                status=status if dosed else SubjectStatus.ENROLLED,
                withdrawal_date=withdrawal,
                withdrawal_reason="adverse event" if withdrawal else None,
            )
        ],
        "visits": [],
        "assessments": [],
    }
    if not dosed:
        return out
    for code, week in WEEKS.items():
        day = START + dt.timedelta(weeks=week, days=w12_late_days if code == "W12" else 0)
        if withdrawal is not None and day > withdrawal:
            break
        if WEEKS[code] > WEEKS[last_visit]:
            break
        good = code in responder_at
        dose = (w12_dose_mg if code == "W12" else 5.0) if good else 20.0
        out["visits"].append(Visit(subject_id=sid, visit=VisitCode(code), date=day))
        out["assessments"].append(
            Assessment(
                subject_id=sid,
                visit=VisitCode(code),
                date=day,
                sledai2k=sledai() if good else sledai("arthritis", "rash"),
                disease_activity=DiseaseActivity(
                    pga=(w12_pga if code == "W12" else 0.5) if good else 2.0,
                    haemolytic_anaemia=False,
                    gastrointestinal_activity=False,
                    maintenance_therapy_standard_and_tolerated=True,
                    maintenance_therapy_stable=True,
                ),
                glucocorticoids=Glucocorticoids(
                    doses=[GlucocorticoidDose(drug=drug, dose=DoseMass(value=dose, unit="mg"))]
                ),
                vitals=Vitals(body_weight=BodyWeight(value=50.0, unit="kg")),
                infusion=Infusion(given=True, date=day, dose=DoseMass(value=300, unit="mg")),
            )
        )
    return out


def study(*patients: dict[str, list[Any]], **extra: list[Any]) -> StudyRecords:
    tables: dict[str, list[Any]] = {
        "subjects": [],
        "visits": [],
        "assessments": [],
    }
    for p in patients:
        for name, rows in p.items():
            tables[name].extend(rows)
    extra.setdefault("sites", [StudySite(code="A", time_zone="Asia/Tokyo")])
    return StudyRecords(**tables, **extra)


def endpoints_of(records: StudyRecords, tmp_path: Path) -> StudyResults:
    write_snapshot(records, tmp_path / "snap", CUT)
    return compute_endpoints(read_snapshot(tmp_path / "snap"))


def by_subject(result: StudyResults) -> dict[str, SubjectResponse]:
    return {s.subject_id: s for s in result.primary.main.subjects}


def test_all_responders(tmp_path: Path) -> None:
    result = endpoints_of(study(*(patient(f"P{i}") for i in range(4))), tmp_path)
    main_ = result.primary.main
    assert (main_.responders, main_.n) == (4, 4)
    exact = main_.intervals[0]
    assert exact.method == "clopper-pearson"
    assert exact.upper == 1.0
    assert exact.lower == pytest.approx(0.025 ** (1 / 4))
    assert main_.non_responders_by_reason == {}


def test_no_responder(tmp_path: Path) -> None:
    result = endpoints_of(study(*(patient(f"P{i}", responder_at=()) for i in range(4))), tmp_path)
    main_ = result.primary.main
    assert main_.responders == 0
    assert main_.intervals[0].lower == 0.0
    assert main_.non_responders_by_reason == {"not_met": 4}


def test_withdrawal_before_w12_is_a_non_responder(tmp_path: Path) -> None:
    records = study(patient("P1"), patient("P2", withdraw_after="W4"))
    result = endpoints_of(records, tmp_path)
    p2 = by_subject(result)["P2"]
    assert not p2.responder
    assert p2.category == "withdrawn"
    assert "withdrawn" in p2.reason
    assert "adverse event" in p2.reason
    assert result.primary.main.responders == 1
    assert result.primary.main.n == 2  # still in the FAS denominator
    flow = result.flow
    assert flow.completed_w12 == 1
    assert flow.withdrawn[0].subject_id == "P2"
    assert result.primary.sensitivity["per_protocol"].n == 1


def test_w12_outside_window_is_a_non_responder(tmp_path: Path) -> None:
    records = study(patient("EDGE", w12_late_days=7), patient("LATE", w12_late_days=8))
    subjects = by_subject(endpoints_of(records, tmp_path))
    assert subjects["EDGE"].responder  # ±7 days, edges included
    assert not subjects["LATE"].responder
    assert subjects["LATE"].category == "out_of_window"
    assert "+8 days" in subjects["LATE"].reason


def test_missing_pga_leaves_lldas_unknown_and_counts_as_non_responder(tmp_path: Path) -> None:
    result = endpoints_of(study(patient("P1"), patient("NOPGA", w12_pga=None)), tmp_path)
    nopga = by_subject(result)["NOPGA"]
    assert nopga.status == "unknown"
    assert nopga.category == "unknown"
    assert "pga" in nopga.reason
    assert "non-responder" in nopga.reason
    assert result.primary.main.non_responders_by_reason == {"unknown": 1}
    observed = result.primary.sensitivity["observed_cases"]
    assert (observed.responders, observed.n) == (1, 1)
    assert "NOPGA: non-responder — LLDAS: unknown" in render_text(result)


@pytest.mark.parametrize(("mg", "responder"), [(6.0, True), (6.5, False)])
def test_methylprednisolone_is_converted(tmp_path: Path, mg: float, responder: bool) -> None:
    # BNF: 4 mg methylprednisolone = 5 mg prednisolone, so 6 mg = 7.5 mg (LLDAS limit).
    records = study(patient("MP", drug="methylprednisolone", w12_dose_mg=mg))
    write_snapshot(records, tmp_path / "snap", CUT)
    snapshot = read_snapshot(tmp_path / "snap")
    result = compute_endpoints(snapshot)
    assert by_subject(result)["MP"].responder is responder
    w12 = next(r for r in snapshot.table("glucocorticoids") if r["visit"] == "W12")
    assert w12["drug"] == "methylprednisolone"
    assert w12["factor"] == 1.25
    assert w12["prednisolone_mg_per_day"] == mg * 1.25


def test_undosed_patient_is_not_in_the_full_analysis_set(tmp_path: Path) -> None:
    result = endpoints_of(study(patient("P1"), patient("NODOSE", dosed=False)), tmp_path)
    assert result.primary.main.n == 1
    assert result.flow.enrolled == 2
    assert result.flow.dosed == 1


def test_secondary_endpoints(tmp_path: Path) -> None:
    records = study(
        patient("EARLY", responder_at=("W8", "W12")),
        patient("LATE"),
        patient("NEVER", responder_at=()),
    )
    result = endpoints_of(records, tmp_path)
    by_visit = {v.visit: v for v in result.secondary.lldas_by_visit}
    assert by_visit["W8"].responders == 1
    assert by_visit["W12"].responders == 2
    ttf = result.secondary.time_to_first_lldas
    assert {s.subject_id: s.day for s in ttf.subjects if s.event} == {
        "EARLY": 56,
        "LATE": 84,
    }
    assert ttf.median_day == 84  # 1 - (2/3)(1/2) = 2/3 reached by day 84
    change = {c.visit: c.change for c in result.secondary.sledai2k_change_from_baseline}
    assert change["W12"].n == 3
    assert change["W12"].median == -6  # arthritis 4 + rash 2 resolved
    pred = result.secondary.prednisolone
    assert pred.target_mg_per_day == 7.5
    at_target = {v.visit: v.at_or_below for v in pred.at_or_below_target}
    assert at_target == {"W0": 0, "W4": 0, "W8": 1, "W12": 2}
    cumulative = {c.subject_id: c.cumulative_mg for c in pred.cumulative.subjects}
    # 20 mg/day for 56 days, then 5 mg/day for 28 days (carried forward to W12).
    assert cumulative["EARLY"] == 20 * 56 + 5 * 28
    assert cumulative["NEVER"] == 20 * 84
    doris = result.secondary.doris_w12
    assert doris.responders == 0  # PGA 0.5 is not < 0.5


def test_flow_and_safety(tmp_path: Path) -> None:
    records = study(
        patient("P1"),
        patient("P2"),
        screenings=[
            ScreeningDecision(
                screening_number="S1", site="A", decision=Decision.INELIGIBLE,
                failing_criteria=["I3", "E5"],
            ),
            ScreeningDecision(
                screening_number="S2", site="A", decision=Decision.INELIGIBLE,
                failing_criteria=["I3"],
            ),
        ],
        adverse_events=[
            AdverseEvent(subject_id="P1", event_id="AE-001", term="Herpes zoster",
                         onset_date=START, ctcae_grade=2, serious=False, infection=True,
                         herpes_zoster=True),
            AdverseEvent(subject_id="P1", event_id="AE-002", term="Pneumonia", onset_date=START,
                         ctcae_grade=3, serious=True, infection=True),
            AdverseEvent(subject_id="P2", event_id="AE-001", term="Headache", onset_date=START,
                         ctcae_grade=1, serious=False),
        ],
    )  # fmt: skip
    result = endpoints_of(records, tmp_path)
    flow = result.flow
    # The two enrolled subjects have no screening decision of their own: still screened.
    assert flow.screened == 4
    assert flow.screen_failures == 2
    assert flow.screen_failures_by_criterion == {"I3": 2, "E5": 1}
    safety = result.safety
    assert safety.any.model_dump() == {"events": 3, "subjects": 2}
    assert safety.infections.model_dump() == {"events": 2, "subjects": 1}
    assert safety.herpes_zoster.model_dump() == {"events": 1, "subjects": 1}
    assert safety.serious.events == 1
    assert safety.grade_3_or_more.events == 1
    assert safety.infusion_reactions.infusions == 8
    assert safety.infusion_reactions.not_recorded == 8


def test_kaplan_meier_known_values() -> None:
    # Events at 1 and 3, censored at 2: S(1) = 2/3, S(3) = 2/3 · 0 = 0.
    curve = kaplan_meier([(1, True), (2, False), (3, True)])
    assert [round(step.cumulative, 6) for step in curve] == [round(1 / 3, 6), 1.0]
    assert [step.at_risk for step in curve] == [3, 1]


def test_endpoints_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_snapshot(study(patient("P1"), patient("P2", responder_at=())), tmp_path / "s", CUT)
    code, out, _ = run(capsys, "endpoints", str(tmp_path / "s"))
    assert code == 0
    assert json.loads(out)["primary"]["main"]["responders"] == 1
    code, out, _ = run(capsys, "endpoints", str(tmp_path / "s"), "--format", "text")
    assert code == 0
    assert "1/2 = 50.0%" in out


def test_endpoints_command_refuses_a_tampered_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_snapshot(study(patient("P1")), tmp_path / "s", CUT)
    with (tmp_path / "s" / "assessments.parquet").open("ab") as file:
        file.write(b"x")
    code, _, err = run(capsys, "endpoints", str(tmp_path / "s"))
    assert code == 2
    assert "assessments.parquet" in err
    assert "SHA-256" in err
    code, _, err = run(capsys, "endpoints", str(tmp_path / "missing"))
    assert code == 2
    assert "no such directory" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--n", "10", "--rate", "0.5"],
            "5/10 = 50.0% (95% CI 18.7%–81.3%, Clopper–Pearson exact)",
        ),
        (["--n", "10", "--rate", "0.3"], "3/10 = 30.0%"),
    ],
)
def test_plan_precision(capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    code, out, _ = run(capsys, "plan", "precision", *args)
    assert code == 0
    assert expected in out
    assert "Wilson" in out
    assert "Jeffreys" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--n", "0"], "--n"), (["--rate", "1.5"], "--rate"), (["--confidence", "1"], "--confidence")],
)
def test_plan_precision_bad_input(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(capsys, "plan", "precision", *args)
    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    "command",
    [
        ["endpoints"],
        ["plan"],
        ["plan", "precision"],
        ["dataset"],
        ["dataset", "export"],
        ["report"],
    ],
)
def test_help(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert "Usage" in out


# -- the data cut: ongoing, missing, interim and final (finding 6) ------------------------------

W12_WINDOW_END = START + dt.timedelta(weeks=12, days=7)  # protocol.schedule: day 84 ± 7


def _at(records: StudyRecords, cut: dt.datetime, tmp_path: Path) -> StudyResults:
    write_snapshot(records, tmp_path / "snap", cut)
    return compute_endpoints(read_snapshot(tmp_path / "snap"))


@pytest.mark.parametrize(
    ("cut", "category"),
    [
        # 23:59 in Tokyo on the window's last day: the visit may still take place that day.
        (dt.datetime.combine(W12_WINDOW_END, dt.time(14, 59), tzinfo=dt.UTC), "ongoing"),
        # 00:00 in Tokyo the next day (15:00 UTC, still the last day in UTC): window closed.
        (dt.datetime.combine(W12_WINDOW_END, dt.time(15, 0), tzinfo=dt.UTC), "missing"),
    ],
)
def test_week_12_not_due_at_the_site_is_ongoing(
    tmp_path: Path, cut: dt.datetime, category: str
) -> None:
    records = study(patient("DONE"), patient("WAIT", last_visit="W8"))
    result = _at(records, cut, tmp_path)
    wait = by_subject(result)["WAIT"]
    assert wait.category == category
    assert not wait.responder
    main_ = result.primary.main
    if category == "ongoing":
        assert (main_.responders, main_.n) == (1, 1)  # 1 responder of 1 evaluable
        assert main_.ongoing == ["WAIT"]
        assert main_.population_n == 2
        assert result.primary.status == "interim"
        assert W12_WINDOW_END.isoformat() in wait.reason
        assert main_.non_responders_by_reason == {}
    else:
        assert (main_.responders, main_.n) == (1, 2)  # missing counts as non-response
        assert main_.ongoing == []
        assert result.primary.status == "final"
        assert main_.non_responders_by_reason == {"missing": 1}
        assert "window closed" in wait.reason


def test_an_interim_answer_says_so_and_lists_the_ongoing(tmp_path: Path) -> None:
    cut = dt.datetime(2024, 3, 20, tzinfo=dt.UTC)  # W8 done (4 March), W12 window open
    records = study(patient("A1", last_visit="W8"), patient("A2", last_visit="W8"))
    result = _at(records, cut, tmp_path)
    main_ = result.primary.main
    assert (main_.responders, main_.n, main_.intervals) == (0, 0, [])
    assert main_.proportion is None
    assert main_.ongoing == ["A1", "A2"]
    text = render_text(result)
    assert "INTERIM" in text
    assert "ongoing (week 12 not yet due at the data cut): A1, A2" in text
    assert "no evaluable patient yet" in text
    by_visit = {v.visit: v for v in result.secondary.lldas_by_visit}
    assert (by_visit["W8"].n, by_visit["W12"].n) == (2, 0)
    assert result.flow.ongoing_w12 == 2


def test_a_marked_missed_week_12_is_missing_even_inside_its_window(tmp_path: Path) -> None:
    records = study(patient("DONE"), patient("SKIP", last_visit="W8"))
    missed = Visit(subject_id="SKIP", visit=VisitCode.W12, missed=True, missed_reason="hospital")
    records = records.model_copy(update={"visits": [*records.visits, missed]})
    cut = dt.datetime.combine(W12_WINDOW_END, dt.time(0, 0), tzinfo=dt.UTC)
    skip = by_subject(_at(records, cut, tmp_path))["SKIP"]
    assert skip.category == "missing"
    assert "hospital" in skip.reason


def test_a_final_answer_when_no_one_is_ongoing(tmp_path: Path) -> None:
    result = endpoints_of(study(patient("P1"), patient("P2", responder_at=())), tmp_path)
    assert result.primary.status == "final"
    assert "INTERIM" not in render_text(result)


# -- thresholds declared in the protocol (finding 8) --------------------------------------------


def test_a_non_published_threshold_is_applied_and_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A protocol that raises LLDAS's dose ceiling to 20 mg/day: applied, stated and flagged."""
    from lupustrial.dataset import derive, snapshot
    from lupustrial.protocol.config import ProtocolConfig

    records = study(patient("P1"), patient("HIGH", responder_at=()))
    assert by_subject(endpoints_of(records, tmp_path / "a"))["HIGH"].category == "not_met"
    lenient = ProtocolConfig(
        lldas={"prednisolone_max_mg_per_day": 20}, prednisolone_target_mg_per_day=20
    )
    for module in (derive, snapshot):
        monkeypatch.setattr(module, "DEFAULT_PROTOCOL", lenient)
    result = endpoints_of(records, tmp_path / "b")
    flagged = result.snapshot.endpoint_thresholds.non_published
    assert [(n.name, n.value, n.published) for n in flagged] == [
        ("lldas.prednisolone_max_mg_per_day", 20.0, 7.5),
        ("prednisolone_target_mg_per_day", 20.0, 7.5),
    ]
    text = render_text(result)
    assert "NOT THE PUBLISHED DEFINITION: lldas.prednisolone_max_mg_per_day = 20.0" in text
    assert "W0 ≤ 20 mg/day: 2/2" in text
    components = read_snapshot(tmp_path / "b" / "snap").table("components")
    dose = [c for c in components if c["instrument"] == "LLDAS" and c["number"] == 4]
    assert {c["name"] for c in dose} == {"Prednisolone ≤ 20 mg/day"}
    assert {c["status"] for c in dose} == {"met"}  # 20 mg/day now meets component 4
    from lupustrial.analysis.report import render_report

    page = render_report(read_snapshot(tmp_path / "b" / "snap"))
    assert "<b>Not the published definitions.</b>" in page
    assert "公表された定義と異なります" in page
    assert "<th>≤ 20 mg/day</th>" in page


def test_safety_reporting_counts_expedited_first_reports_on_time_at_the_deadline_day(
    tmp_path: Path,
) -> None:
    from lupustrial.dataset.records import SafetyReport

    day0 = dt.date(2024, 10, 1)
    due = day0 + dt.timedelta(days=15)

    def report(number: str, submitted_on: dt.date | None, **extra: Any) -> SafetyReport:
        fields: dict[str, Any] = {
            "subject_id": "P1", "number": number, "event": "AE-1", "rule": "CRB-15",
            "recipient": "certified review board", "kind": "first", "day_zero": day0,
            "due": due, "generated_on": day0,
            "submitted_to": "CRB" if submitted_on else None, "submitted_on": submitted_on,
        }  # fmt: skip
        return SafetyReport(**(fields | extra))

    reports = [
        report("1", due),  # on the deadline day itself: on time
        report("2", due + dt.timedelta(days=1), event="AE-2"),  # the day after: late
        report("3", None, event="AE-3"),
        report("4", None, event="AE-4", rule="CRB-periodic", due=None),
        report("5", due, kind="follow-up", follows="1"),
    ]
    results = endpoints_of(study(patient("P1"), safety_reports=reports), tmp_path)
    reporting = results.safety.reporting
    assert (reporting.reports, reporting.first_reports, reporting.follow_ups) == (5, 4, 1)
    assert (reporting.expedited, reporting.on_time, reporting.late) == (3, 1, 1)
    assert reporting.not_submitted == 1
    assert "safety reports: 5; expedited first reports 3 (on time 1, late 1" in render_text(results)
