"""Complete means complete (issue 18): each CRF's required items, and what is missing."""

from __future__ import annotations

import pytest

from lupustrial.clinical.sledai2k import DESCRIPTORS
from lupustrial.protocol.completeness import REQUIRED, FormStatus, completeness
from lupustrial.protocol.crfs import CRF_MODELS

ALL_ABSENT = {d.code: False for d in DESCRIPTORS}


def test_every_crf_declares_its_required_items_and_they_are_its_fields() -> None:
    assert set(REQUIRED) == set(CRF_MODELS)
    for code, items in REQUIRED.items():
        for item in items:
            for path in item.paths:
                assert path.split(".")[0] in CRF_MODELS[code].model_fields, (code, path)


def test_an_empty_sledai2k_is_incomplete_and_lists_all_24_descriptors() -> None:
    result = completeness("sledai2k", {"lookback_days": 10})
    assert result.status is FormStatus.INCOMPLETE
    assert len(result.missing) == 24
    assert result.missing[0] == "seizure"


def test_a_sledai2k_with_every_descriptor_answered_is_complete() -> None:
    assert completeness("sledai2k", ALL_ABSENT).complete
    one_short = {k: v for k, v in ALL_ABSENT.items() if k != "leukopenia"}
    assert completeness("sledai2k", one_short).missing == ("leukopenia",)


def test_not_assessed_needs_a_reason() -> None:
    one_short = {k: v for k, v in ALL_ABSENT.items() if k != "visual_disturbance"}
    assert not completeness("sledai2k", {**one_short, "not_assessed_reason": "  "}).complete
    reasoned = {**one_short, "not_assessed_reason": "no fundoscopy available"}
    assert completeness("sledai2k", reasoned).complete


def test_alternatives_and_recorded_lists_count_as_answered() -> None:
    labs = {
        "platelets": {"value": 200, "unit": "10^9/L"},
        "leukocytes": {"value": 5, "unit": "10^9/L"},
        "urine_protein_creatinine_ratio": {"value": 0.1, "unit": "g/g"},
        "c3": {"value": {"value": 1, "unit": "g/L"}},
        "c4": {"value": {"value": 1, "unit": "g/L"}},
    }
    assert completeness("labs", labs).missing == ("anti_dsdna",)
    assert completeness("glucocorticoids", {"doses": []}).complete  # recorded: none
    assert completeness("glucocorticoids", {}).missing == ("doses",)
    assert completeness("infusion", {"given": False}).complete


def test_laboratory_descriptors_the_labs_decide_are_not_gaps() -> None:
    clinical_only = {k: v for k, v in ALL_ABSENT.items() if k not in {"fever", "leukopenia"}}
    assert completeness("sledai2k", clinical_only).missing == ("fever", "leukopenia")
    assert completeness("sledai2k", clinical_only, frozenset({"leukopenia"})).missing == ("fever",)
    assert completeness("sledai2k", clinical_only, frozenset({"fever", "leukopenia"})).complete


def test_a_form_declared_not_done_with_a_reason_is_not_done_and_lists_nothing_missing() -> None:
    found = completeness("labs", {}, not_done="labs not drawn: the patient refused")
    assert found.status is FormStatus.NOT_DONE
    assert found.missing == ()
    assert not found.complete
    assert not found.to_enter  # nothing for the incomplete-forms worklist


def test_not_done_needs_a_reason_and_an_empty_form() -> None:
    with pytest.raises(ValueError, match="reason"):
        completeness("labs", {}, not_done="   ")
    assert completeness("labs", {}).to_enter  # an empty saved form is still to be entered
    with pytest.raises(ValueError, match="values"):
        completeness("labs", {"c3": {"value": 0.9, "unit": "g/L"}}, not_done="not drawn")
