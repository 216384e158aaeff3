"""The adverse-event eCRF's coding and reporting facts: CTCAE v5.0 term and MedDRA codes, the
grade the term allows, the date the investigator became aware, the seriousness criteria."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from lupustrial.protocol.crfs import AdverseEvent, reporting_gaps
from lupustrial.protocol.safety.seriousness import Seriousness

ONSET = dt.date(2026, 3, 1)
SHINGLES = 10040555
ANAPHYLAXIS = 10002218  # CTCAE v5.0 grades 3-5 only
ALOPECIA = 10001760  # CTCAE v5.0 grades 1-2 only
INFECTION_OTHER = 10021881  # "Infections and infestations - Other, specify"
PNEUMONIA_PT = 10035664


def event(**changes: Any) -> dict[str, Any]:
    return {
        "term": "shingles, T10",
        "onset": ONSET.isoformat(),
        "grade": 2,
        "serious": False,
        "related": "probable",
        "outcome": "recovering",
        **changes,
    }


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        AdverseEvent.model_validate(data)
    return [
        (".".join(map(str, e["loc"])), str(e["msg"]).removeprefix("Value error, "))
        for e in caught.value.errors()
    ]


# -- coding ---------------------------------------------------------------------------------


def test_a_ctcae_term_stores_its_code_and_that_is_the_meddra_code_compared() -> None:
    ae = AdverseEvent.model_validate(event(ctcae_code=SHINGLES))
    assert ae.ctcae_code == SHINGLES
    assert ae.coded_term.coded
    assert ae.coded_term.meddra_code == SHINGLES
    assert ae.coded_term.verbatim == "shingles, T10"
    assert ae.coded_term.display == "Shingles"


def test_other_specify_stores_the_meddra_code_of_what_is_specified() -> None:
    ae = AdverseEvent.model_validate(
        event(term="pneumonia", ctcae_code=INFECTION_OTHER, specified_code=PNEUMONIA_PT, grade=3)
    )
    assert ae.coded_term.meddra_code == PNEUMONIA_PT
    assert ae.coded_term.display.endswith("(MedDRA 10035664)")


def test_free_text_is_kept_and_flagged_not_coded() -> None:
    ae = AdverseEvent.model_validate(event())
    assert ae.ctcae_code is None
    assert not ae.coded_term.coded
    assert ae.coded_term.display == "shingles, T10 (not coded)"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ctcae_code": 10099999}, "ctcae_code", "10099999 is not a CTCAE v5.0 term"),
        (
            {"ctcae_code": INFECTION_OTHER},
            "specified_code",
            "'Infections and infestations - Other, specify' needs the MedDRA code specified",
        ),
        (
            {"ctcae_code": SHINGLES, "specified_code": PNEUMONIA_PT},
            "specified_code",
            "'Shingles' is not an 'Other, specify' term",
        ),
        ({"specified_code": PNEUMONIA_PT}, "specified_code", "needs an 'Other, specify'"),
        (
            {"ctcae_code": INFECTION_OTHER, "specified_code": 123},
            "specified_code",
            "123 is not a MedDRA code",
        ),
    ],
)
def test_a_bad_code_is_refused_naming_the_field(
    changes: dict[str, Any], field: str, message: str
) -> None:
    [(where, text)] = problems(event(**changes))
    assert where == field
    assert message in text


# -- grade against the term's allowed grades ----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "grade", "allowed"),
    [
        (ANAPHYLAXIS, 2, False),  # below the lowest grade the term defines
        (ANAPHYLAXIS, 3, True),
        (ALOPECIA, 2, True),
        (ALOPECIA, 3, False),  # above the highest
        (SHINGLES, 1, True),
        (SHINGLES, 4, True),
    ],
)
def test_the_grade_must_be_one_the_ctcae_term_defines(code: int, grade: int, allowed: bool) -> None:
    data = event(ctcae_code=code, grade=grade)
    if allowed:
        assert AdverseEvent.model_validate(data).grade == grade
        return
    [(where, text)] = problems(data)
    assert where == "grade"
    assert f"has no grade {grade}" in text
    assert "CTCAE v5.0" in text


def test_the_grade_message_lists_the_grades_the_term_allows() -> None:
    [(_, text)] = problems(event(ctcae_code=ALOPECIA, grade=3))
    assert text == "CTCAE v5.0 'Alopecia' has no grade 3 (its grades: 1, 2)"


def test_free_text_takes_any_grade_1_to_5() -> None:
    assert AdverseEvent.model_validate(event(grade=4)).grade == 4


# -- the date the investigator became aware, the seriousness criteria ------------------------


def test_aware_date_is_day_0_and_cannot_precede_the_onset() -> None:
    ae = AdverseEvent.model_validate(event(aware_date="2026-03-03"))
    assert ae.aware_date == dt.date(2026, 3, 3)
    assert AdverseEvent.model_validate(event(aware_date=ONSET.isoformat())).aware_date == ONSET
    [(where, text)] = problems(event(aware_date="2026-02-28"))
    assert where == "aware_date"
    assert "before the onset" in text


def test_a_serious_event_carries_the_criteria_it_meets() -> None:
    ae = AdverseEvent.model_validate(
        event(serious=True, seriousness_criteria=["hospitalisation", "may_lead_to_disability"])
    )
    assert ae.seriousness_criteria == [
        Seriousness.HOSPITALISATION,
        Seriousness.MAY_LEAD_TO_DISABILITY,
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"serious": False, "seriousness_criteria": ["hospitalisation"]},
            "a non-serious event meets no seriousness criterion",
        ),
        (
            {"serious": True, "seriousness_criteria": ["death"]},
            "'death' needs the outcome 'fatal'",
        ),
        (
            {
                "serious": True,
                "grade": 5,
                "outcome": "fatal",
                "seriousness_criteria": ["hospitalisation"],
            },
            "a fatal event meets the criterion 'death'",
        ),
    ],
)
def test_inconsistent_seriousness_is_refused_naming_the_field(
    changes: dict[str, Any], message: str
) -> None:
    [(where, text)] = problems(event(**changes))
    assert where == "seriousness_criteria"
    assert message in text


def test_an_unknown_criterion_is_refused() -> None:
    [(where, _)] = problems(event(serious=True, seriousness_criteria=["hospitalization"]))
    assert where == "seriousness_criteria.0"


def test_a_record_from_before_the_criteria_were_asked_still_reads() -> None:
    # stored before this version of the form: serious, no criteria, no aware date
    ae = AdverseEvent.model_validate(event(serious=True))
    assert ae.seriousness_criteria == []
    assert ae.aware_date is None


def test_a_new_serious_version_must_say_when_known_and_which_criteria() -> None:
    ae = AdverseEvent.model_validate(event(serious=True))
    assert reporting_gaps(ae) == [
        ("aware_date", "a serious event needs the date the investigator became aware (day 0)"),
        ("seriousness_criteria", "a serious event needs the seriousness criteria it meets"),
    ]
    complete = AdverseEvent.model_validate(
        event(serious=True, aware_date="2026-03-02", seriousness_criteria=["hospitalisation"])
    )
    assert reporting_gaps(complete) == []
    # a non-serious event starts no expedited clock: its aware date may be left blank
    assert reporting_gaps(AdverseEvent.model_validate(event())) == []
