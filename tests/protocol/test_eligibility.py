"""Every registration criterion met, not met and unknown, at every boundary it states."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lupustrial.clinical.status import Status
from lupustrial.protocol.config import DEFAULT_PROTOCOL, ProtocolConfig
from lupustrial.protocol.criteria import CRITERIA
from lupustrial.protocol.eligibility import Outcome, ScreeningDecision, decide_eligibility
from lupustrial.protocol.screening import ScreeningRecord

FIRST_DOSE = "2026-10-01"
SLEDAI_ABSENT: dict[str, Any] = dict.fromkeys(
    [
        "seizure", "psychosis", "organic_brain_syndrome", "visual_disturbance",
        "cranial_nerve_disorder", "lupus_headache", "cva", "vasculitis", "arthritis",
        "myositis", "urinary_casts", "hematuria", "proteinuria", "pyuria", "rash", "alopecia",
        "mucosal_ulcers", "pleurisy", "pericarditis", "low_complement",
        "increased_dna_binding", "fever", "thrombocytopenia", "leukopenia",
    ],
    False,
)  # fmt: skip

ELIGIBLE: dict[str, Any] = {
    "screening_id": "S-001",
    "sex": "female",
    "date_of_birth": "1990-05-20",
    "planned_first_dose_date": FIRST_DOSE,
    "consent": {"date": "2026-09-20", "form_version": "1.0", "obtained_by": "Dr Sato"},
    "sle_diagnosis_date": "2026-07-01",
    "classification": {
        "eular_acr_2019": {
            "ana_titre_denominator": 320,
            "acute_cutaneous_lupus": True,
            "joint_involvement": True,
            "anti_dsdna_or_anti_smith": True,
        }
    },
    "prior_medications": [],
    "screening_sledai2k": {
        **SLEDAI_ABSENT,
        "date": "2026-09-20",
        "arthritis": True,
        "rash": True,
        "low_complement": True,
        "increased_dna_binding": True,
    },
    "initial_glucocorticoids": [
        {"drug": "prednisolone", "dose": {"value": 30, "unit": "mg"}, "start_date": "2026-09-15"}
    ],
    "body_weight": {"value": 60, "unit": "kg"},
    "hepatitis": {"hbs_ag": False, "anti_hbc": False, "anti_hbs": False, "anti_hcv": False},
    "ast": {"value": 25, "unit": "U/L"},
    "alt": {"value": 20, "unit": "U/L"},
    "creatinine": {"value": 0.7, "unit": "mg/dL"},
    "active_tuberculosis": False,
    "malignancies": [],
    "suspected_active_infection": False,
    "reproduction": {
        "childbearing_potential": True,
        "pregnant": False,
        "pregnancy_test": "negative",
        "pregnancy_test_date": "2026-09-25",
        "lactating": False,
    },
    "other_collagen_diseases": [],
    "vaccinations": [],
    "investigator_judgement": {
        "unsuitable": False,
        "investigator": "Dr Sato",
        "date": "2026-09-20",
    },
}


def record(**changes: Any) -> dict[str, Any]:
    """The eligible candidate with top-level fields replaced (None removes the field)."""
    data = copy.deepcopy(ELIGIBLE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def decide(data: dict[str, Any], config: ProtocolConfig = DEFAULT_PROTOCOL) -> ScreeningDecision:
    return decide_eligibility(ScreeningRecord.model_validate(data), config)


def status_of(criterion: str, **changes: Any) -> Status:
    return decide(record(**changes)).criterion(criterion).status


def test_the_eligible_candidate_meets_every_inclusion_and_no_exclusion() -> None:
    decision = decide(record())
    assert decision.outcome is Outcome.ELIGIBLE, decision.model_dump_json(indent=1)
    assert decision.failed == []
    assert decision.unknown == []
    assert decision.to_collect == []
    for result in decision.criteria:
        expected = Status.MET if result.kind == "inclusion" else Status.NOT_MET
        assert result.status is expected, result
        assert result.evidence, f"{result.id} gives no evidence"


def test_every_registration_criterion_is_declared_in_order_with_its_own_wording() -> None:
    ids = [c.id for c in CRITERIA]
    assert ids == [f"I{n}" for n in range(1, 6)] + [f"E{n}" for n in range(1, 14)]
    registration = (Path(__file__).parent / "registration.txt").read_text(encoding="utf-8")
    lines = {line.removeprefix("- ").strip() for line in registration.splitlines()}
    for criterion in CRITERIA:
        assert criterion.wording in lines, criterion.id
        assert criterion.rule.__doc__
        assert criterion.rule.__doc__.startswith(criterion.id)


# I1 — classification -------------------------------------------------------------------


def test_i1_either_classification_set_suffices_and_the_evidence_names_it() -> None:
    result = decide(record()).criterion("I1")
    assert result.status is Status.MET
    assert any("2019 EULAR/ACR" in line for line in result.evidence)


def test_i1_without_the_ana_entry_criterion_is_not_met_by_eular_alone_and_asks_for_acr() -> None:
    classification = {"eular_acr_2019": {**ELIGIBLE["classification"]["eular_acr_2019"]}}
    classification["eular_acr_2019"]["ana_titre_denominator"] = 40
    decision = decide(record(classification=classification))
    assert decision.criterion("I1").status is Status.UNKNOWN
    assert "classification.acr_1997" in decision.to_collect
    assert decision.outcome is Outcome.INCOMPLETE


def test_i1_no_classification_data_is_unknown() -> None:
    assert status_of("I1", classification=None) is Status.UNKNOWN


# I2 — no prior immunosuppression, within six months ----------------------------------------


def medication(drug: str, route: str = "oral", for_sle: bool | None = True) -> dict[str, Any]:
    entry: dict[str, Any] = {"drug": drug, "route": route, "start_date": "2026-08-01"}
    if for_sle is not None:
        entry["for_sle"] = for_sle
    return entry


@pytest.mark.parametrize(
    ("medications", "expected"),
    [
        ([medication("hydroxychloroquine")], Status.NOT_MET),
        ([medication("Mycophenolate mofetil")], Status.NOT_MET),
        ([medication("MMF")], Status.NOT_MET),
        ([medication("cyclophosphamide", "intravenous")], Status.NOT_MET),
        ([medication("tacrolimus", "topical")], Status.MET),  # not systemic
        ([medication("methotrexate", for_sle=False)], Status.MET),  # not for SLE
        ([medication("azathioprine", for_sle=None)], Status.UNKNOWN),
        ([medication("prednisolone")], Status.MET),  # judged by E1, not I2
        ([medication("amlodipine")], Status.MET),
        ([], Status.MET),
        (None, Status.UNKNOWN),
    ],
)
def test_i2_prior_medications(medications: list[dict[str, Any]] | None, expected: Status) -> None:
    assert status_of("I2", prior_medications=medications) is expected


@pytest.mark.parametrize(
    ("diagnosed", "expected"),
    [("2026-04-01", Status.MET), ("2026-03-31", Status.NOT_MET), ("2026-09-30", Status.MET)],
)
def test_i2_six_month_limit_is_the_same_day_six_months_on(diagnosed: str, expected: Status) -> None:
    assert status_of("I2", sle_diagnosis_date=diagnosed) is expected


def test_i2_without_a_diagnosis_date_is_unknown() -> None:
    decision = decide(record(sle_diagnosis_date=None))
    assert decision.criterion("I2").status is Status.UNKNOWN
    assert decision.to_collect == ["sle_diagnosis_date"]


# I3 — SLEDAI-2K ≥ 4 within the screening window ------------------------------------------


def sledai(date: str = "2026-09-20", **present: bool) -> dict[str, Any]:
    return {**SLEDAI_ABSENT, "date": date, **present}


@pytest.mark.parametrize(
    ("assessment", "expected"),
    [
        (sledai(arthritis=True), Status.MET),  # exactly 4
        (sledai(rash=True, alopecia=True), Status.MET),  # 2 + 2
        (sledai(rash=True, fever=True), Status.NOT_MET),  # 3
        (sledai(), Status.NOT_MET),
        (sledai("2026-09-03", arthritis=True), Status.MET),  # 28 days before: window closes
        (sledai("2026-09-02", arthritis=True), Status.NOT_MET),  # 29 days before
        (sledai("2026-10-01", arthritis=True), Status.MET),  # on the day
        ({"date": "2026-09-20", "arthritis": True}, Status.MET),  # 4 reached, rest unknown
        ({"date": "2026-09-20", "rash": True}, Status.UNKNOWN),  # 2, more possible
        ({**SLEDAI_ABSENT, "arthritis": True}, Status.UNKNOWN),  # undated
    ],
)
def test_i3_sledai2k(assessment: dict[str, Any], expected: Status) -> None:
    assert status_of("I3", screening_sledai2k=assessment) is expected


def test_i3_an_assessment_after_the_first_dose_is_not_a_screening_assessment() -> None:
    assert (
        status_of("I3", screening_sledai2k=sledai("2026-09-20", arthritis=True),
                  planned_first_dose_date="2026-09-19")
        is Status.NOT_MET
    )  # fmt: skip


def test_i3_window_is_configuration() -> None:
    config = ProtocolConfig(screening_window_days=60)
    data = record(screening_sledai2k=sledai("2026-08-10", arthritis=True))
    assert decide(data, config).criterion("I3").status is Status.MET
    assert decide(data).criterion("I3").status is Status.NOT_MET


# I4 — age on the consent day ---------------------------------------------------------------


def consent_on(day: str) -> dict[str, Any]:
    return {"date": day, "form_version": "1.0", "obtained_by": "Dr Sato"}


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        ("2008-09-20", Status.MET),  # 18th birthday on the consent day
        ("2008-09-21", Status.NOT_MET),  # 18 tomorrow
        ("1946-09-21", Status.MET),  # 80 tomorrow: still 79
        ("1946-09-20", Status.NOT_MET),  # 80th birthday on the consent day
    ],
)
def test_i4_age_boundaries_on_the_consent_day(born: str, expected: Status) -> None:
    assert status_of("I4", date_of_birth=born, consent=consent_on("2026-09-20")) is expected


def test_i4_and_i5_without_consent_are_unknown_and_ask_for_it() -> None:
    decision = decide(record(consent=None))
    assert decision.criterion("I4").status is Status.UNKNOWN
    assert decision.criterion("I5").status is Status.UNKNOWN
    assert decision.to_collect == ["consent"]


# I5 — written consent by the first dose ------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [("2026-10-01", Status.MET), ("2026-09-01", Status.MET), ("2026-10-02", Status.NOT_MET)],
)
def test_i5_consent_on_or_before_the_first_dose(day: str, expected: Status) -> None:
    assert (
        status_of("I5", consent=consent_on(day), planned_first_dose_date="2026-10-01") is expected
    )


def test_i5_consent_record_needs_form_version_and_investigator() -> None:
    with pytest.raises(ValidationError, match="form_version"):
        ScreeningRecord.model_validate(record(consent={"date": "2026-09-20", "obtained_by": "X"}))


# E1 — initial glucocorticoid dose ----------------------------------------------------------


def dose(drug: str, mg: float, start: str | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"drug": drug, "dose": {"value": mg, "unit": "mg"}, **extra}
    if start:
        entry["start_date"] = start
    return entry


@pytest.mark.parametrize(
    ("regimen", "weight_kg", "expected"),
    [
        ([dose("prednisolone", 36)], 60, Status.NOT_MET),  # exactly 0.6 mg/kg/day: allowed
        ([dose("prednisolone", 36.5)], 60, Status.MET),
        ([dose("prednisone", 30)], 50, Status.NOT_MET),  # 0.6 exactly
        ([dose("methylprednisolone", 28.8)], 60, Status.NOT_MET),  # 36 mg prednisolone
        ([dose("methylprednisolone", 32)], 60, Status.MET),  # 40 mg prednisolone
        ([dose("dexamethasone", 4)], 40, Status.MET),  # 26.67 mg prednisolone: 0.667/kg
        ([dose("dexamethasone", 4)], 60, Status.NOT_MET),  # 0.444/kg
        ([], 60, Status.NOT_MET),
    ],
)
def test_e1_prednisolone_equivalent_per_kg(
    regimen: list[dict[str, Any]], weight_kg: float, expected: Status
) -> None:
    result = decide(
        record(initial_glucocorticoids=regimen, body_weight={"value": weight_kg, "unit": "kg"})
    ).criterion("E1")
    assert result.status is expected, result.evidence


def test_e1_an_intravenous_pulse_counts_on_its_heaviest_day() -> None:
    regimen = [
        dose("methylprednisolone", 500, "2026-09-10", route="intravenous",
             end_date="2026-09-12"),
        dose("prednisolone", 30, "2026-09-13"),
    ]  # fmt: skip
    result = decide(record(initial_glucocorticoids=regimen)).criterion("E1")
    assert result.status is Status.MET
    assert "2026-09-10" in result.evidence[0]
    assert "625" in result.evidence[0]


def test_e1_overlapping_doses_add_up_on_the_day_they_overlap() -> None:
    regimen = [
        dose("prednisolone", 20, "2026-09-01"),
        dose("hydrocortisone", 100, "2026-09-05", end_date="2026-09-06"),  # 25 mg prednisolone
    ]
    result = decide(record(initial_glucocorticoids=regimen)).criterion("E1")
    assert result.status is Status.MET  # 45 mg / 60 kg = 0.75
    assert "2026-09-05" in result.evidence[0]


def test_e1_weight_in_pounds_and_without_weight() -> None:
    regimen = [dose("prednisolone", 36)]
    pounds = {"value": 132.277, "unit": "lb"}  # 59.999 kg: 36 mg is just above 0.6
    assert status_of("E1", initial_glucocorticoids=regimen, body_weight=pounds) is Status.MET
    decision = decide(record(initial_glucocorticoids=regimen, body_weight=None))
    assert decision.criterion("E1").status is Status.UNKNOWN
    assert decision.to_collect == ["body_weight"]


def test_e1_betamethasone_factor_is_configuration() -> None:
    data = record(initial_glucocorticoids=[dose("betamethasone", 4)], body_weight=None)
    data["body_weight"] = {"value": 50, "unit": "kg"}
    # BNF: 4 mg = 26.67 mg prednisolone (0.53/kg); Liu 2013: 4 mg = 33.33 mg (0.67/kg).
    assert decide(data).criterion("E1").status is Status.NOT_MET
    liu = ProtocolConfig(betamethasone="liu_2013")
    assert decide(data, liu).criterion("E1").status is Status.MET


# E2, E3 — hepatitis ----------------------------------------------------------------------


NEGATIVE = {"hbs_ag": False, "anti_hbc": False, "anti_hbs": False, "anti_hcv": False}


def hepatitis(**markers: bool) -> dict[str, bool]:
    return {**NEGATIVE, **markers}


@pytest.mark.parametrize(
    ("markers", "e2", "e3"),
    [
        (hepatitis(), Status.NOT_MET, Status.NOT_MET),
        (hepatitis(hbs_ag=True), Status.MET, Status.NOT_MET),
        (hepatitis(hbv_dna_detectable=True), Status.MET, Status.MET),
        (hepatitis(anti_hbc=True), Status.NOT_MET, Status.UNKNOWN),  # needs HBV DNA
        (hepatitis(anti_hbc=True, hbv_dna_detectable=False), Status.NOT_MET, Status.NOT_MET),
        (hepatitis(anti_hbs=True), Status.NOT_MET, Status.UNKNOWN),  # vaccine or infection?
        (
            hepatitis(anti_hbs=True, anti_hbs_from_vaccination_only=True),
            Status.NOT_MET,
            Status.NOT_MET,
        ),
        (hepatitis(anti_hcv=True), Status.UNKNOWN, Status.UNKNOWN),  # needs HCV RNA
        (hepatitis(anti_hcv=True, hcv_rna_detectable=False), Status.NOT_MET, Status.NOT_MET),
        (hepatitis(anti_hcv=True, hcv_rna_detectable=True), Status.MET, Status.MET),
        ({}, Status.UNKNOWN, Status.UNKNOWN),
    ],
)
def test_e2_e3_hepatitis_markers(markers: dict[str, bool], e2: Status, e3: Status) -> None:
    decision = decide(record(hepatitis=markers))
    assert decision.criterion("E2").status is e2
    assert decision.criterion("E3").status is e3


def test_e3_a_positive_antibody_without_its_test_asks_for_that_test() -> None:
    decision = decide(record(hepatitis=hepatitis(anti_hbc=True)))
    assert decision.outcome is Outcome.INCOMPLETE
    assert decision.to_collect == ["hepatitis.hbv_dna_detectable"]
    decision = decide(record(hepatitis=hepatitis(anti_hcv=True)))
    assert decision.to_collect == ["hepatitis.hcv_rna_detectable"]


# E4, E5 — liver and kidney ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ast", "alt", "expected"),
    [
        (99, 99, Status.NOT_MET),
        (100, 20, Status.MET),
        (20, 100, Status.MET),
        (99.9, 99.9, Status.NOT_MET),
    ],
)
def test_e4_ast_or_alt_at_100(ast: float, alt: float, expected: Status) -> None:
    assert (
        status_of("E4", ast={"value": ast, "unit": "U/L"}, alt={"value": alt, "unit": "IU/L"})
        is expected
    )


def test_e4_one_enzyme_high_decides_without_the_other() -> None:
    assert status_of("E4", ast={"value": 150, "unit": "U/L"}, alt=None) is Status.MET
    assert status_of("E4", ast={"value": 50, "unit": "U/L"}, alt=None) is Status.UNKNOWN


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (2.0, "mg/dL", Status.MET),
        (1.99, "mg/dL", Status.NOT_MET),
        (176.84, "µmol/L", Status.MET),  # 2.0 mg/dL exactly
        (176.8, "umol/L", Status.NOT_MET),
    ],
)
def test_e5_creatinine_at_2_mg_per_dl(value: float, unit: str, expected: Status) -> None:
    assert status_of("E5", creatinine={"value": value, "unit": unit}) is expected


def test_e5_unknown_unit_is_an_error_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"creatinine\.unit"):
        ScreeningRecord.model_validate(record(creatinine={"value": 1, "unit": "mg/dl/h"}))


# E6, E8, E10, E13 — judgements -------------------------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "field"),
    [("E6", "active_tuberculosis"), ("E8", "suspected_active_infection")],
)
def test_investigator_judged_exclusions(criterion: str, field: str) -> None:
    assert status_of(criterion, **{field: True}) is Status.MET
    assert status_of(criterion, **{field: False}) is Status.NOT_MET
    assert status_of(criterion, **{field: None}) is Status.UNKNOWN


def test_e13_unsuitable_needs_a_reason() -> None:
    judgement = {"unsuitable": True, "investigator": "Dr Sato", "date": "2026-09-20"}
    with pytest.raises(ValidationError, match="reason is required"):
        ScreeningRecord.model_validate(record(investigator_judgement=judgement))
    result = decide(
        record(investigator_judgement={**judgement, "reason": "lives abroad"})
    ).criterion("E13")
    assert result.status is Status.MET
    assert "lives abroad" in result.evidence[0]


# E7 — malignancy -----------------------------------------------------------------------------


def tumour(site: str, last: str, **extra: Any) -> dict[str, Any]:
    return {"site": site, "current": False, "last_evidence_date": last, **extra}


CIN = {"in_situ": True, "local_therapy_only": True, "metastasis": False}


@pytest.mark.parametrize(
    ("tumours", "expected"),
    [
        ([{"site": "breast", "current": True}], Status.MET),
        ([tumour("breast", "2021-10-01")], Status.MET),  # exactly 5 years to the day
        ([tumour("breast", "2021-09-30")], Status.NOT_MET),  # 5 years and a day
        ([tumour("cervix", "2023-10-01", **CIN)], Status.MET),  # exactly 3 years
        ([tumour("cervix", "2023-09-30", **CIN)], Status.NOT_MET),  # more than 3 years
        ([tumour("cervix", "2023-09-30", **{**CIN, "metastasis": True})], Status.MET),
        ([tumour("cervix", "2023-09-30", in_situ=True, local_therapy_only=True)], Status.UNKNOWN),
        ([tumour("breast", "2023-09-30", **CIN)], Status.MET),  # the exception is cervical only
        ([{"site": "colon", "current": False}], Status.UNKNOWN),
        ([], Status.NOT_MET),
        (None, Status.UNKNOWN),
    ],
)
def test_e7_malignancy(tumours: list[dict[str, Any]] | None, expected: Status) -> None:
    assert status_of("E7", malignancies=tumours) is expected


# E9, E10 — pregnancy and lactation ---------------------------------------------------------


def reproduction(**facts: Any) -> dict[str, Any]:
    return {**ELIGIBLE["reproduction"], **facts}


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (reproduction(), Status.NOT_MET),
        (reproduction(pregnant=True), Status.MET),
        (
            reproduction(pregnancy_test="positive", pregnancy_test_date="2026-09-25"),
            Status.MET,
        ),
        ({"childbearing_potential": True, "pregnant": False}, Status.UNKNOWN),  # no test
        ({"childbearing_potential": False}, Status.NOT_MET),
        (reproduction(pregnancy_test_date="2026-09-17"), Status.NOT_MET),  # 14 days before
        (reproduction(pregnancy_test_date="2026-09-16"), Status.UNKNOWN),  # 15: repeat it
    ],
)
def test_e9_pregnancy(facts: dict[str, Any], expected: Status) -> None:
    assert status_of("E9", reproduction=facts) is expected


def test_e9_e10_do_not_apply_to_men_and_are_not_recorded_for_them() -> None:
    decision = decide(record(sex="male", reproduction=None))
    assert decision.criterion("E9").status is Status.NOT_MET
    assert decision.criterion("E10").status is Status.NOT_MET
    with pytest.raises(ValidationError, match="female candidates only"):
        ScreeningRecord.model_validate(record(sex="male"))


def test_e10_lactation() -> None:
    assert status_of("E10", reproduction=reproduction(lactating=True)) is Status.MET
    assert status_of("E10", reproduction={"childbearing_potential": False}) is Status.UNKNOWN


# E11 — other collagen diseases -------------------------------------------------------------


@pytest.mark.parametrize(
    ("diseases", "expected"),
    [
        (["Sjögren's syndrome"], Status.NOT_MET),
        (["Sjogren's syndrome", "APS"], Status.NOT_MET),
        (["rheumatoid arthritis"], Status.MET),
        (["Systemic sclerosis", "Sjögren's syndrome"], Status.MET),
        (["psoriasis"], Status.UNKNOWN),  # for the investigator to judge
        ([], Status.NOT_MET),
        (None, Status.UNKNOWN),
    ],
)
def test_e11_collagen_diseases(diseases: list[str] | None, expected: Status) -> None:
    assert status_of("E11", other_collagen_diseases=diseases) is expected


# E12 — live vaccines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vaccine", "day", "expected"),
    [
        ("MMR", "2026-09-01", Status.MET),  # 30 days before the first dose
        ("MMR", "2026-08-31", Status.NOT_MET),  # 31 days before
        ("varicella", "2026-09-30", Status.MET),
        ("Shingrix", "2026-09-30", Status.NOT_MET),  # recombinant, not live
        ("influenza", "2026-09-30", Status.NOT_MET),
        ("mystery vaccine", "2026-09-30", Status.UNKNOWN),
        ("mystery vaccine", "2026-01-30", Status.NOT_MET),  # long before: irrelevant
    ],
)
def test_e12_live_vaccine_window(vaccine: str, day: str, expected: Status) -> None:
    assert status_of("E12", vaccinations=[{"vaccine": vaccine, "date": day}]) is expected


# The decision ------------------------------------------------------------------------------


def test_every_failing_criterion_is_listed_not_just_the_first() -> None:
    decision = decide(
        record(
            date_of_birth="2008-12-01",
            hepatitis=hepatitis(hbs_ag=True),
            creatinine={"value": 2.5, "unit": "mg/dL"},
            vaccinations=[{"vaccine": "yellow fever", "date": "2026-09-15"}],
        )
    )
    assert decision.outcome is Outcome.INELIGIBLE
    assert decision.failed == ["I4", "E2", "E5", "E12"]
    assert all(decision.criterion(c).fails for c in decision.failed)


def test_incomplete_lists_exactly_what_to_collect_next() -> None:
    decision = decide(record(hepatitis=None, ast=None, vaccinations=None))
    assert decision.outcome is Outcome.INCOMPLETE
    assert decision.failed == []
    assert decision.unknown == ["E2", "E3", "E4", "E12"]
    assert decision.to_collect == [
        "hepatitis.hbs_ag",
        "hepatitis.anti_hcv",
        "hepatitis.anti_hbc",
        "hepatitis.anti_hbs",
        "ast",
        "vaccinations",
    ]


def test_a_failure_decides_even_while_other_data_are_missing() -> None:
    decision = decide(record(hepatitis=None, creatinine={"value": 3, "unit": "mg/dL"}))
    assert decision.outcome is Outcome.INELIGIBLE
    assert decision.failed == ["E5"]
    assert decision.unknown == ["E2", "E3"]


def test_a_bare_record_is_incomplete_and_asks_for_everything() -> None:
    decision = decide({"screening_id": "S-2", "sex": "female", "date_of_birth": "1980-01-01"})
    assert decision.outcome is Outcome.INCOMPLETE
    assert len(decision.unknown) == len(CRITERIA)
    assert "consent" in decision.to_collect
    assert "screening_sledai2k" in decision.to_collect


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"favourite_colour": "blue"}, "Extra inputs are not permitted"),
        ({"sex": "unknown"}, "sex"),
        ({"date_of_birth": "2100-01-01"}, "in the future"),
        ({"sle_diagnosis_date": "1980-01-01"}, "before date_of_birth"),
        ({"body_weight": {"value": -3, "unit": "kg"}}, "body_weight"),
    ],
)
def test_bad_input_is_rejected_naming_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ScreeningRecord.model_validate(record(**changes))


OPTIONAL_FIELDS = sorted(set(ELIGIBLE) - {"screening_id", "sex", "date_of_birth"})


@given(st.sets(st.sampled_from(OPTIONAL_FIELDS)))
@settings(max_examples=60, deadline=None)
def test_missing_data_never_fails_a_candidate_it_only_leaves_the_decision_open(
    removed: set[str],
) -> None:
    decision = decide(record(**dict.fromkeys(removed)))
    assert decision.failed == []
    if removed:
        assert decision.outcome is Outcome.INCOMPLETE
        assert decision.to_collect
    else:
        assert decision.outcome is Outcome.ELIGIBLE


def test_e1_a_regimen_without_a_start_counts_up_to_its_end() -> None:
    """Issue 12: 35 mg/day at 50 kg (0.7 mg/kg/day) before 2026-01-26 must be seen."""
    regimen = [
        dose("prednisolone", 35, end_date="2026-01-25"),
        dose("prednisolone", 25, "2026-01-26"),
    ]
    weight = {"value": 50, "unit": "kg"}
    result = decide(record(initial_glucocorticoids=regimen, body_weight=weight)).criterion("E1")
    assert result.status is Status.MET, result.evidence
    assert "on 2026-01-25" in result.evidence[0]
    assert "0.7 mg/kg/day > 0.6 mg/kg/day" in result.evidence[1]


@pytest.mark.parametrize(
    ("second_start", "expected_mg"),
    [
        ("2026-01-25", 60),  # starts on the first regimen's last day: both taken that day
        ("2026-01-26", 35),  # starts the day after it ends: never together
    ],
)
def test_e1_an_end_date_is_the_last_day_taken(second_start: str, expected_mg: float) -> None:
    regimen = [
        dose("prednisolone", 35, "2026-01-10", end_date="2026-01-25"),
        dose("prednisolone", 25, second_start),
    ]
    weight = {"value": 100, "unit": "kg"}
    result = decide(record(initial_glucocorticoids=regimen, body_weight=weight)).criterion("E1")
    assert f"Prednisolone equivalent {expected_mg:g} mg/day" in result.evidence[0]


def test_e1_undated_regimens_are_taken_together() -> None:
    regimen = [dose("prednisolone", 20), dose("prednisolone", 10)]
    weight = {"value": 50, "unit": "kg"}
    result = decide(record(initial_glucocorticoids=regimen, body_weight=weight)).criterion("E1")
    assert result.status is Status.NOT_MET  # 30 mg / 50 kg = 0.6 exactly: allowed
    assert "Prednisolone equivalent 30 mg/day" in result.evidence[0]


def test_endpoint_thresholds_are_the_published_ones_unless_the_protocol_says_otherwise() -> None:
    from lupustrial.protocol.config import (
        DEFAULT_PROTOCOL,
        ProtocolConfig,
        non_published_thresholds,
    )

    assert non_published_thresholds(DEFAULT_PROTOCOL) == []
    strict = ProtocolConfig(doris={"prednisolone_inclusive": False})
    [flag] = non_published_thresholds(strict)
    assert (flag.name, flag.value, flag.published) == ("doris.prednisolone_inclusive", False, True)
    assert "van Vollenhoven" in flag.source
