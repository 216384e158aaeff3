"""One assessment through every instrument its data allow, and nothing silently skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from lupustrial.clinical.assessment import Assessment, score_assessment
from lupustrial.clinical.status import Status

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def examples_jsonl() -> list[dict[str, Any]]:
    text = (EXAMPLES / "assessments.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_active_nephritis_example_scores_every_instrument_it_allows() -> None:
    result = score_assessment(
        Assessment.model_validate(example("assessment-active-nephritis.json"))
    )
    assert result.sledai2k is not None
    assert result.sledai2k.total == 19
    assert result.sledai2k.clinical_total == 15
    assert set(result.sledai2k.derived) >= {"proteinuria", "hematuria", "low_complement"}
    assert result.prednisolone is not None
    assert result.prednisolone.mg_per_kg_per_day == pytest.approx(30 / 58, abs=1e-6)
    assert result.lldas is not None
    assert result.lldas.status is Status.NOT_MET
    assert result.doris is not None
    assert result.doris.status is Status.NOT_MET
    assert result.eular_acr_2019 is not None
    assert result.eular_acr_2019.classified is Status.MET
    assert result.eular_acr_2019.total == 29
    assert set(result.not_computed) == {"1997 ACR", "SLICC 2012"}


def test_the_follow_up_examples_reach_lldas_and_remission() -> None:
    lldas_only, remission, partial = (
        score_assessment(Assessment.model_validate(data)) for data in examples_jsonl()
    )
    assert lldas_only.lldas is not None
    assert lldas_only.doris is not None
    assert lldas_only.lldas.status is Status.MET  # SLEDAI-2K 4 of serology, prednisolone 7.5
    assert lldas_only.doris.status is Status.NOT_MET
    assert remission.doris is not None
    assert remission.doris.status is Status.MET  # methylprednisolone 4 mg = prednisolone 5 mg
    assert partial.lldas is not None
    assert partial.lldas.status is Status.NOT_MET  # PGA 1.5 decides despite missing data
    assert "Prednisolone equivalent" in partial.not_computed


def test_a_descriptor_new_since_the_previous_assessment_breaks_lldas() -> None:
    data = examples_jsonl()[0]
    data["previous"]["sledai2k"]["low_complement"] = False
    result = score_assessment(Assessment.model_validate(data))
    assert result.lldas is not None
    assert result.lldas.status is Status.NOT_MET
    assert result.lldas.components[1].status is Status.NOT_MET


def test_without_sledai2k_lldas_and_doris_say_why_they_were_not_computed() -> None:
    result = score_assessment(Assessment.model_validate({"pga": 0.2, "glucocorticoids": []}))
    assert result.lldas is None
    assert result.not_computed["LLDAS"] == "needs the SLEDAI-2K"
    assert result.prednisolone is not None
    assert result.prednisolone.mg_per_day == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pga": 4}, "pga"),
        ({"sledai2k": {"labs": {"platelets": {"value": -1, "unit": "10^9/L"}}}}, "platelets"),
        ({"date": "2999-01-01"}, "date"),
        ({"sledai2k": {"labs": {"leukocytes": {"value": 3, "unit": "bananas"}}}}, "unit"),
        ({"date": "2026-01-02", "sledai2k": {"date": "2026-01-01"}}, "differs"),
        ({"date": "2026-01-01", "previous": {"sledai2k": {"date": "2026-01-02"}}}, "previous"),
        (
            {"sledai2k": {"date": "2026-01-01"}, "previous": {"sledai2k": {"date": "2026-01-02"}}},
            "previous",
        ),
    ],
)
def test_impossible_input_is_rejected(data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Assessment.model_validate(data)


@pytest.mark.parametrize("previous", ["2025-12-31", "2026-01-01"])
def test_a_previous_assessment_up_to_the_same_day_is_accepted(previous: str) -> None:
    """The boundary of the check above: the previous SLEDAI-2K may be dated the same day."""
    data = {"date": "2026-01-01", "previous": {"sledai2k": {"date": previous}}}
    assert Assessment.model_validate(data).previous is not None


def _quiet_sledai(**extra: Any) -> dict[str, Any]:
    from lupustrial.clinical.sledai2k import DESCRIPTORS

    return {**dict.fromkeys((d.code for d in DESCRIPTORS), False), **extra}


def _tapered(**changes: Any) -> dict[str, Any]:
    """Issue 12's assessment: the induction dose ended, 5 mg/day taken on the day."""
    data: dict[str, Any] = {
        "date": "2026-11-20",
        "pga": 0.2,
        "glucocorticoids": [
            {"drug": "prednisolone", "dose": {"value": 30, "unit": "mg"},
             "start_date": "2026-09-01", "end_date": "2026-10-31"},
            {"drug": "prednisolone", "dose": {"value": 5, "unit": "mg"},
             "start_date": "2026-11-01"},
        ],
        "haemolytic_anaemia": False,
        "gastrointestinal_activity": False,
        "maintenance_therapy_standard_and_tolerated": True,
        "maintenance_therapy_stable": True,
        "sledai2k": _quiet_sledai(date="2026-11-20"),
        "previous": {"sledai2k": _quiet_sledai(),
                     "haemolytic_anaemia": False, "gastrointestinal_activity": False},
    }  # fmt: skip
    data.update(changes)
    return data


def test_lldas_and_doris_take_the_dose_taken_on_the_assessment_day() -> None:
    result = score_assessment(Assessment.model_validate(_tapered()))
    assert result.prednisolone is not None
    assert result.prednisolone.mg_per_day == 5
    assert result.lldas is not None
    assert result.lldas.status is Status.MET, result.lldas
    assert result.doris is not None
    assert result.doris.status is Status.MET, result.doris
    evidence = result.lldas.components[3].evidence
    assert evidence.startswith("prednisolone equivalent 5 mg/day ≤ 7.5 mg/day"), evidence


def test_the_assessment_date_alone_dates_the_current_dose() -> None:
    data = _tapered(sledai2k=_quiet_sledai())  # the SLEDAI-2K itself carries no date
    result = score_assessment(Assessment.model_validate(data))
    assert result.lldas is not None
    assert result.lldas.status is Status.MET


def test_dated_regimens_on_an_undated_assessment_leave_the_dose_unknown() -> None:
    data = _tapered(sledai2k=_quiet_sledai())
    del data["date"]
    result = score_assessment(Assessment.model_validate(data))
    assert result.prednisolone is None
    assert "dated" in result.not_computed["Prednisolone equivalent"]
    assert result.lldas is not None
    assert result.lldas.status is Status.UNKNOWN
    dose = result.lldas.components[3]
    assert dose.status is Status.UNKNOWN
    assert "dated" in dose.evidence
    assert "date" in dose.missing
    assert result.doris is not None
    assert result.doris.components[2].status is Status.UNKNOWN


def test_the_dose_is_converted_once_per_assessment_and_judged_alike(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The assessment's prednisolone equivalent is the one LLDAS and DORIS judge (issue 19):
    computed once, and the findings are those computed from the regimens themselves."""
    from lupustrial.clinical import glucocorticoids
    from lupustrial.clinical.doris import DorisInput, assess_doris_remission
    from lupustrial.clinical.lldas import LldasInput, assess_lldas

    assessment = Assessment.model_validate(_tapered(body_weight={"value": 60, "unit": "kg"}))
    calls = []
    original = glucocorticoids.total_prednisolone_equivalent

    def counted(*args: Any, **kwargs: Any) -> glucocorticoids.PrednisoloneEquivalent:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(glucocorticoids, "total_prednisolone_equivalent", counted)
    result = score_assessment(assessment)
    assert len(calls) == 1
    monkeypatch.undo()
    assert result.lldas is not None
    assert result.doris is not None
    assert result.sledai2k is not None
    assert result.prednisolone is not None
    assert result.prednisolone.mg_per_kg_per_day is not None
    separate = assess_doris_remission(
        DorisInput(
            sledai2k=result.sledai2k,
            pga=assessment.pga,
            glucocorticoids=assessment.glucocorticoids,
            maintenance_therapy_stable=assessment.maintenance_therapy_stable,
        )
    )
    assert separate.model_dump_json() == result.doris.model_dump_json()
    assert (
        result.lldas.components[3]
        == assess_lldas(
            LldasInput(
                sledai2k=result.sledai2k,
                pga=assessment.pga,
                glucocorticoids=assessment.glucocorticoids,
            )
        ).components[3]
    )
