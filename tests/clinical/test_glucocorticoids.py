"""Prednisolone equivalents against the BNF table (and Liu 2013 for betamethasone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from lupustrial.clinical.glucocorticoids import (
    EQUIVALENT_DOSES,
    UNDATED_ASSESSMENT,
    BetamethasoneSource,
    Glucocorticoid,
    GlucocorticoidDose,
    equivalence,
    heaviest_day,
    parse_glucocorticoid,
    prednisolone_equivalent_mg,
    prednisolone_equivalent_on,
    total_prednisolone_equivalent,
)
from lupustrial.clinical.sources import BNF_CORTICOSTEROIDS, LIU_2013
from lupustrial.clinical.units import BodyWeight

# mg of each drug equivalent to 5 mg prednisolone, as the BNF publishes them; prednisone
# from Liu 2013 (Table 1).
PUBLISHED_MG_PER_5MG_PREDNISOLONE = {
    "prednisolone": 5.0,
    "prednisone": 5.0,
    "methylprednisolone": 4.0,
    "hydrocortisone": 20.0,
    "cortisone": 25.0,
    "dexamethasone": 0.75,
    "betamethasone": 0.75,
    "triamcinolone": 4.0,
    "deflazacort": 6.0,
}


def dose(drug: str, value: float, unit: str = "mg", **extra: Any) -> GlucocorticoidDose:
    return GlucocorticoidDose.model_validate(
        {"drug": drug, "dose": {"value": value, "unit": unit}, **extra}
    )


def test_table_matches_the_published_equivalents() -> None:
    table = {e.drug.value: e.mg_per_5mg_prednisolone for e in EQUIVALENT_DOSES}
    assert table == PUBLISHED_MG_PER_5MG_PREDNISOLONE
    assert {e.drug for e in EQUIVALENT_DOSES} == set(Glucocorticoid)
    assert len(EQUIVALENT_DOSES) == len(Glucocorticoid)


@pytest.mark.parametrize(("drug", "mg"), PUBLISHED_MG_PER_5MG_PREDNISOLONE.items())
def test_each_published_dose_is_5_mg_prednisolone(drug: str, mg: float) -> None:
    assert prednisolone_equivalent_mg(drug, mg) == 5.0


def test_prednisone_is_one_to_one_and_cites_liu() -> None:
    assert prednisolone_equivalent_mg("prednisone", 20) == 20.0
    assert equivalence(Glucocorticoid.PREDNISONE).source == LIU_2013
    assert equivalence(Glucocorticoid.PREDNISOLONE).source == BNF_CORTICOSTEROIDS


def test_betamethasone_follows_the_bnf_by_default_and_liu_on_request() -> None:
    assert prednisolone_equivalent_mg("betamethasone", 0.75) == 5.0
    assert equivalence("betamethasone").source == BNF_CORTICOSTEROIDS
    liu = BetamethasoneSource.LIU_2013
    assert prednisolone_equivalent_mg("betamethasone", 0.6, betamethasone=liu) == 5.0
    assert prednisolone_equivalent_mg("betamethasone", 0.75, betamethasone=liu) == 6.25
    assert equivalence("betamethasone", betamethasone=liu).source == LIU_2013
    # The choice only concerns betamethasone.
    assert prednisolone_equivalent_mg("dexamethasone", 0.75, betamethasone=liu) == 5.0


def test_betamethasone_choice_reaches_the_total() -> None:
    doses = [dose("betamethasone", 600, "µg")]
    assert total_prednisolone_equivalent(doses).mg_per_day == 4.0
    liu = total_prednisolone_equivalent(doses, betamethasone=BetamethasoneSource.LIU_2013)
    assert liu.mg_per_day == 5.0
    assert liu.contributions[0].source == LIU_2013


def test_methylprednisolone_pulse_is_625_mg_prednisolone() -> None:
    pulse = dose("methylprednisolone", 500, route="intravenous")
    result = total_prednisolone_equivalent([pulse])
    assert result.mg_per_day == 625.0
    assert result.contributions[0].factor == 1.25
    assert "625 mg/day" in result.summary_line()


def test_one_gram_pulse_in_grams() -> None:
    assert total_prednisolone_equivalent([dose("methylprednisolone", 1, "g")]).mg_per_day == 1250


def test_6_mg_methylprednisolone_is_exactly_7_5() -> None:
    assert prednisolone_equivalent_mg("methylprednisolone", 6) == 7.5


def test_times_per_day_multiply_the_dose() -> None:
    hydrocortisone = dose("hydrocortisone", 10, times_per_day=3)
    assert hydrocortisone.daily_dose_mg == 30.0
    assert total_prednisolone_equivalent([hydrocortisone]).mg_per_day == 7.5


def test_concurrent_drugs_are_summed_and_explained() -> None:
    result = total_prednisolone_equivalent(
        [dose("prednisolone", 5), dose("hydrocortisone", 10, times_per_day=2)]
    )
    assert result.mg_per_day == 10.0
    assert [(c.drug, c.prednisolone_mg_per_day) for c in result.contributions] == [
        (Glucocorticoid.PREDNISOLONE, 5.0),
        (Glucocorticoid.HYDROCORTISONE, 5.0),
    ]
    assert result.summary_line() == (
        "Prednisolone equivalent 10 mg/day: prednisolone 5 mg/day oral = 5 mg; "
        "hydrocortisone 20 mg/day oral = 5 mg"
    )


def test_no_dose_is_zero() -> None:
    result = total_prednisolone_equivalent([])
    assert result.mg_per_day == 0.0
    assert result.summary_line().endswith("no glucocorticoid")


def test_mg_per_kg_per_day_needs_a_weight() -> None:
    assert total_prednisolone_equivalent([dose("prednisolone", 30)]).mg_per_kg_per_day is None


def test_exactly_0_6_mg_per_kg_per_day() -> None:
    result = total_prednisolone_equivalent(
        [dose("prednisolone", 36)], body_weight=BodyWeight(value=60, unit="kg")
    )
    assert result.mg_per_kg_per_day == 0.6
    assert "0.6 mg/kg/day at 60 kg" in result.summary_line()


def test_weight_in_pounds_is_converted() -> None:
    sixty_kg_in_lb = 60 / 0.45359237
    result = total_prednisolone_equivalent(
        [dose("prednisolone", 36)], body_weight=BodyWeight(value=sixty_kg_in_lb, unit="lb")
    )
    assert result.body_weight_kg == 60.0
    assert result.mg_per_kg_per_day == 0.6


@pytest.mark.parametrize(
    ("name", "drug"),
    [
        ("Prednisolone", Glucocorticoid.PREDNISOLONE),
        ("  METHYLPREDNISOLONE ", Glucocorticoid.METHYLPREDNISOLONE),
        ("methyl-prednisolone", Glucocorticoid.METHYLPREDNISOLONE),
        ("Cortisone Acetate", Glucocorticoid.CORTISONE),
        ("cortisol", Glucocorticoid.HYDROCORTISONE),
    ],
)
def test_names_and_synonyms_are_accepted_in_any_case(name: str, drug: Glucocorticoid) -> None:
    assert parse_glucocorticoid(name) is drug
    assert dose(name, 5).drug is drug


@pytest.mark.parametrize("name", ["budesonide", "pred", "dexamethasone sodium phosphate", ""])
def test_unknown_drug_is_rejected_listing_the_known_ones(name: str) -> None:
    with pytest.raises(ValidationError, match="drug") as error:
        dose(name, 5)
    assert "known: prednisolone" in str(error.value)
    with pytest.raises(ValueError, match="unknown glucocorticoid"):
        prednisolone_equivalent_mg(name, 5)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"dose": {"value": 5, "unit": "tablets"}}, "unit"),
        ({"dose": {"value": -5, "unit": "mg"}}, "dose"),
        ({"times_per_day": 0}, "times_per_day"),
        ({"route": "topical"}, "route"),
        ({"start_date": "2999-01-01"}, "start_date"),
        ({"start_date": "2024-03-02", "end_date": "2024-03-01"}, "end_date"),
        ({"frequency": "bd"}, "frequency"),
    ],
)
def test_bad_dose_input_names_the_field(data: dict[str, Any], field: str) -> None:
    base = {"drug": "prednisolone", "dose": {"value": 5, "unit": "mg"}}
    with pytest.raises(ValidationError, match=field):
        GlucocorticoidDose.model_validate({**base, **data})


def test_a_one_day_course_is_valid() -> None:
    one_day = dose("prednisolone", 5, start_date="2024-03-01", end_date="2024-03-01")
    assert one_day.end_date == one_day.start_date


def test_negative_daily_dose_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        prednisolone_equivalent_mg("prednisolone", -1)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Glucocorticoid)),
            st.floats(min_value=0, max_value=2000, allow_nan=False),
            st.integers(min_value=1, max_value=4),
        ),
        max_size=4,
    )
)
def test_total_is_the_sum_of_its_contributions(
    regimens: list[tuple[Glucocorticoid, float, int]],
) -> None:
    doses = [dose(drug.value, mg, times_per_day=n) for drug, mg, n in regimens]
    result = total_prednisolone_equivalent(doses)
    assert result.mg_per_day == pytest.approx(
        sum(c.prednisolone_mg_per_day for c in result.contributions), abs=1e-5
    )
    assert result.mg_per_day >= 0


# The current dose on a day (issue 12): a regimen is taken from its start date to its end
# date, both included; without a start, every day up to its end; without an end, still running.

ASSESSED = dt.date(2026, 11, 20)


def regimen(mg: float, start: str | None = None, end: str | None = None) -> GlucocorticoidDose:
    return GlucocorticoidDose.model_validate(
        {
            "drug": "prednisolone",
            "dose": {"value": mg, "unit": "mg"},
            **({"start_date": start} if start else {}),
            **({"end_date": end} if end else {}),
        }
    )


@pytest.mark.parametrize(
    ("dose", "taken"),
    [
        (regimen(30, "2026-09-01", "2026-11-19"), False),  # ended the day before
        (regimen(30, "2026-09-01", "2026-11-20"), True),  # ends on the day
        (regimen(30, "2026-11-20"), True),  # starts on the day
        (regimen(30, None, "2026-11-20"), True),  # no start, ends on the day
        (regimen(30, None, "2026-11-19"), False),  # no start, ended the day before
        (regimen(30, "2026-01-01"), True),  # no end: still running
        (regimen(30), True),  # undated
    ],
)
def test_a_regimen_is_taken_from_its_start_to_its_end_both_included(
    dose: GlucocorticoidDose, taken: bool
) -> None:
    assert dose.taken_on(ASSESSED) is taken


def test_a_regimen_starting_the_day_after_is_not_taken() -> None:
    assert regimen(30, "2026-11-20").taken_on(ASSESSED - dt.timedelta(days=1)) is False


def test_the_current_dose_counts_only_the_regimens_taken_that_day() -> None:
    doses = [regimen(30, "2026-09-01", "2026-10-31"), regimen(5, "2026-11-01")]
    current = prednisolone_equivalent_on(doses, ASSESSED)
    assert current is not None
    assert current.mg_per_day == 5
    assert current.date == ASSESSED
    assert current.not_current == 1
    assert "5 mg/day on 2026-11-20" in current.summary_line()
    assert "1 regimen recorded but not taken that day" in current.summary_line()


def test_undated_regimens_are_all_current_whatever_the_day() -> None:
    doses = [regimen(30), regimen(5)]
    for day in (ASSESSED, None):
        current = prednisolone_equivalent_on(doses, day)
        assert current is not None
        assert current.mg_per_day == 35
        assert current.not_current == 0


def test_dated_regimens_without_an_assessment_date_give_no_current_dose() -> None:
    doses = [regimen(30, "2026-09-01", "2026-10-31"), regimen(5, "2026-11-01")]
    assert prednisolone_equivalent_on(doses, None) is None
    assert "dated" in UNDATED_ASSESSMENT


def test_the_heaviest_day_looks_at_every_start_and_end() -> None:
    doses = [regimen(35, None, "2026-01-25"), regimen(25, "2026-01-26")]
    day, taken = heaviest_day(doses)
    assert day == dt.date(2026, 1, 25)
    assert taken == [doses[0]]
    assert heaviest_day([regimen(10), regimen(20)]) == (None, [regimen(10), regimen(20)])


@pytest.mark.parametrize(
    ("mg", "every_n_days", "expected"),
    [(10, 1, 10.0), (10, 2, 5.0), (7.5, 2, 3.75), (20, 3, 6.666667), (10, 7, 1.428571)],
)
def test_intermittent_dosing_counts_as_its_average_daily_dose(
    mg: float, every_n_days: int, expected: float
) -> None:
    """10 mg every other day is 5 mg/day (WHO DDD methodology: dose over dosing interval)."""
    regimen = GlucocorticoidDose.model_validate(
        {"drug": "prednisolone", "dose": {"value": mg, "unit": "mg"}, "every_n_days": every_n_days}
    )
    assert regimen.daily_dose_mg == expected
    assert total_prednisolone_equivalent([regimen]).mg_per_day == expected


def test_alternate_day_dosing_crosses_the_lldas_limit_by_its_average() -> None:
    """15 mg every other day is 7.5 mg/day, at LLDAS's limit; 16 mg is above it."""
    on_limit = dose("prednisolone", 15, every_n_days=2)
    above = dose("prednisolone", 16, every_n_days=2)
    assert total_prednisolone_equivalent([on_limit]).mg_per_day == 7.5
    assert total_prednisolone_equivalent([above]).mg_per_day == 8.0


@pytest.mark.parametrize("every_n_days", [0, 8, -1])
def test_a_dosing_interval_outside_one_to_seven_days_is_refused(every_n_days: int) -> None:
    with pytest.raises(ValidationError, match="every_n_days"):
        dose("prednisolone", 10, every_n_days=every_n_days)


def test_a_total_daily_dose_is_entered_directly_as_mg_per_day() -> None:
    """ "per day": the dose is the day's total (CDISC SDTMIG v3.4 CMDOSTOT), not multiplied."""
    total = dose("prednisolone", 30, dose_per="day")
    split = dose("prednisolone", 15, times_per_day=2)
    assert total.daily_dose_mg == split.daily_dose_mg == 30.0
    assert dose("dexamethasone", 0.75, dose_per="day").daily_dose_mg == 0.75
    dexamethasone = dose("dexamethasone", 0.75, dose_per="day")
    assert total_prednisolone_equivalent([dexamethasone]).mg_per_day == 5  # BNF
    assert dose("prednisolone", 10).dose_per == "administration"  # the default, as before


@pytest.mark.parametrize("extra", [{"times_per_day": 2}, {"every_n_days": 2}])
def test_a_total_daily_dose_has_no_frequency_of_its_own(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="total daily dose"):
        dose("prednisolone", 30, dose_per="day", **extra)


@pytest.mark.parametrize(("mg_per_day", "exceeds"), [(29.5, False), (30, False), (30.5, True)])
def test_the_e1_limit_of_0_6_mg_per_kg_reads_a_daily_total_as_its_split_doses(
    mg_per_day: float, exceeds: bool
) -> None:
    """50 kg: 30 mg/day is exactly 0.6 mg/kg/day (allowed), however the dose was entered."""
    weight = BodyWeight(value=50, unit="kg")
    total = total_prednisolone_equivalent(
        [dose("prednisolone", mg_per_day, dose_per="day")], body_weight=weight
    )
    split = total_prednisolone_equivalent(
        [dose("prednisolone", mg_per_day / 2, times_per_day=2)], body_weight=weight
    )
    assert total.mg_per_kg_per_day == split.mg_per_kg_per_day
    assert total.mg_per_kg_per_day is not None
    assert (total.mg_per_kg_per_day > 0.6) is exceeds
