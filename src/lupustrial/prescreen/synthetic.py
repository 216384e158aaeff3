"""A seeded synthetic OMOP CDM v5.4 population, written as Parquet in bounded memory.

The first persons are hand-made edge cases, each with the result every criterion must give
(`EDGE_CASES`, read by the tests and the docs): the 6-month window boundary, a record outside
the observation period, the 18th and 80th birthdays, creatinine exactly 2.0 mg/dL and
176.84 µmol/L, AST 99 and 100 U/L, a live vaccine on day 30 and day 31, and more. They are
dated relative to the as-of date the population is made for. The remaining persons are
random (seeded), generated and written chunk by chunk so that millions of persons never sit
in memory at once. Person and record ids are above 2**31 (64-bit ids).

Besides the records the criteria look for, every random person has the everyday records a
hospital database is mostly made of (`BACKGROUND_RATES`: visits, routine labs, common drugs
and diagnoses), about 60 records per person in all: the density of the reference population
the pre-screening issue measured OHDSI Circe on (60M events per 1M persons). The criteria
must find their few records among them, as they would in real records.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lupustrial.prescreen.concepts import FEMALE_CONCEPT_ID, MALE_CONCEPT_ID
from lupustrial.prescreen.omop import CDM_COLUMNS
from lupustrial.prescreen.staging import SOURCES
from lupustrial.prescreen.vocabulary import UNIT_CODES, MiniVocabulary, build_vocabulary
from lupustrial.protocol.dates import add_months, add_years

PERSON_ID_START = 3_000_000_000
RECORD_ID_START = 5_000_000_000
DEFAULT_CHUNK_PERSONS = 50_000
BACKGROUND_RATES: dict[str, tuple[float, str, int]] = {
    # table: (mean records per person, concept, spread in days before the as-of date)
    "visit_occurrence": (9.0, "", 5 * 365),
    "condition_occurrence": (4.0, "other:essential hypertension", 10 * 365),
    "drug_exposure": (8.0, "other:atorvastatin", 3 * 365),
    "measurement": (22.0, "other:glucose", 3 * 365),
    "observation": (2.0, "other:tobacco use", 5 * 365),
}
"""Everyday records outside every concept set, added to each random person (a Poisson
number per person and table)."""

_ARROW = {"int64": pa.int64(), "date": pa.date32(), "float64": pa.float64(), "string": pa.string()}


def arrow_schema(table: str) -> pa.Schema:
    """The Parquet schema of a CDM table as written here (the columns pre-screening reads)."""
    columns = dict(CDM_COLUMNS[table])
    if table == "concept":
        columns["invalid_reason"] = "string"
    if table == "concept_ancestor":
        columns["min_levels_of_separation"] = "int64"
        columns["max_levels_of_separation"] = "int64"
    return pa.schema([(name, _ARROW[kind]) for name, kind in columns.items()])


# --- edge cases -------------------------------------------------------------------------


@dataclass
class Draft:
    """One hand-made person: demographics, observation periods and records (concept keys)."""

    gender: int = FEMALE_CONCEPT_ID
    birth: tuple[int, int | None, int | None] = (1985, 6, 15)
    periods: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    death: dt.date | None = None
    conditions: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)
    drugs: list[tuple[str, dt.date]] = field(default_factory=list)
    measurements: list[tuple[str, dt.date, float | None, str | None, str | None]] = field(
        default_factory=list
    )
    observations: list[tuple[str, dt.date]] = field(default_factory=list)
    visits: list[dt.date] = field(default_factory=list)


SLE_ITEM = "sle:systemic lupus erythematosus"
NEG, POS = "negative:negative", "positive:positive"


def _lab(key: str) -> str:
    from lupustrial.prescreen.concepts import LAB_TESTS

    return f"{key}:{LAB_TESTS[key][0].name}"


def baseline(as_of: dt.date, *, male: bool = False) -> Draft:
    """A candidate who passes everything records can answer (I3 met by labs: 6 points)."""
    draft = Draft(
        gender=MALE_CONCEPT_ID if male else FEMALE_CONCEPT_ID,
        birth=(as_of.year - 40, 3, 10),
        periods=[(_days(as_of, 3650), as_of)],
        conditions=[(SLE_ITEM, _days(as_of, 60), None)],
        measurements=[
            (_lab("ast"), _days(as_of, 5), 30.0, "U/L", None),
            (_lab("alt"), _days(as_of, 5), 25.0, "U/L", None),
            (_lab("creatinine"), _days(as_of, 5), 0.8, "mg/dL", None),
            (_lab("platelets"), _days(as_of, 5), 80.0, "10*9/L", None),
            (_lab("leukocytes"), _days(as_of, 5), 2.5, "10*9/L", None),
            (_lab("urine_protein_24h"), _days(as_of, 5), 1.2, "g/(24.h)", None),
            (_lab("hbs_ag"), _days(as_of, 20), None, None, NEG),
            (_lab("anti_hbc"), _days(as_of, 20), None, None, NEG),
            (_lab("anti_hbs"), _days(as_of, 20), None, None, NEG),
            (_lab("anti_hcv"), _days(as_of, 20), None, None, NEG),
        ],
        visits=[_days(as_of, 5), _days(as_of, 60)],
    )
    if not male:
        draft.measurements.append((_lab("pregnancy_test"), _days(as_of, 3), None, None, NEG))
    return draft


BASELINE_EXPECTED: dict[str, str] = {
    "alive": "met",
    "I1": "met",
    "I2.recent": "met",
    "I2.untreated": "met",
    "I3": "met",
    "I4": "met",
    "E2": "not_met",
    "E3": "not_met",
    "E4": "not_met",
    "E5": "not_met",
    "E6": "not_met",
    "E7": "not_met",
    "E9": "not_met",
    "E10": "unknown",
    "E11": "not_met",
    "E12": "not_met",
}


@dataclass(frozen=True)
class EdgeCase:
    """A hand-made person, what it tests, and the statuses that differ from the baseline."""

    key: str
    label: str
    expected: dict[str, str]
    build: Callable[[dt.date], Draft]
    in_cohort: bool = True

    def expected_statuses(self) -> dict[str, str]:
        return {**BASELINE_EXPECTED, **self.expected}


def _edit(
    *edits: Callable[[Draft, dt.date], object], male: bool = False
) -> Callable[[dt.date], Draft]:
    """The baseline person (male if asked) with ``edits`` applied in turn."""

    def build(as_of: dt.date) -> Draft:
        draft = baseline(as_of, male=male)
        for edit in edits:
            edit(draft, as_of)
        return draft

    return build


def _days(as_of: dt.date, n: int) -> dt.date:
    return as_of - dt.timedelta(days=n)


def _first_dx(draft: Draft, when: dt.date) -> None:
    draft.conditions = [(SLE_ITEM, when, None)]


def _set_lab(draft: Draft, key: str, value: float, unit: str) -> None:
    when = draft.measurements[0][1]
    draft.measurements = [m for m in draft.measurements if m[0] != _lab(key)]
    draft.measurements.append((_lab(key), when, value, unit, None))


def _dated_lab(draft: Draft, key: str, value: float, unit: str, when: dt.date) -> None:
    draft.measurements = [m for m in draft.measurements if m[0] != _lab(key)]
    draft.measurements.append((_lab(key), when, value, unit, None))


def _cutoff(as_of: dt.date, step: Callable[[dt.date], dt.date]) -> dt.date:
    """The earliest day d with step(d) ≥ as_of (as in the criteria)."""
    from lupustrial.prescreen.windows import earliest_start

    return earliest_start(as_of, step)


def _edge_cases() -> tuple[EdgeCase, ...]:
    def six(as_of: dt.date) -> dt.date:
        return _cutoff(as_of, lambda d: add_months(d, 6))

    def five(as_of: dt.date) -> dt.date:
        return _cutoff(as_of, lambda d: add_years(d, 5))

    cases = [
        EdgeCase("baseline", "female candidate, everything recorded", {}, _edit(lambda d, a: None)),
        EdgeCase(
            "male",
            "male candidate: pregnancy and lactation do not apply",
            {"E10": "not_met"},
            _edit(lambda d, a: None, male=True),
        ),
        EdgeCase(
            "dx_on_6_month_boundary",
            "first SLE diagnosis on the last day of the window",
            {},
            _edit(lambda d, a: _first_dx(d, six(a))),
        ),
        EdgeCase(
            "dx_day_before_boundary",
            "first SLE diagnosis one day too early",
            {"I2.recent": "not_met"},
            _edit(lambda d, a: _first_dx(d, six(a) - dt.timedelta(days=1))),
        ),
        EdgeCase(
            "dx_descendant",
            "SLE recorded by a descendant concept",
            {},
            _edit(
                lambda d, a: setattr(
                    d, "conditions", [("sle:SLE with organ involvement", _days(a, 30), None)]
                )
            ),
        ),
        EdgeCase(
            "early_sle_outside_period",
            "an old SLE record before the observation period is ignored (and said so)",
            {"E7": "unknown"},
            _edit(
                lambda d, a: setattr(d, "periods", [(_days(a, 400), a)]),
                lambda d, a: d.conditions.append((SLE_ITEM, _days(a, 1200), None)),
            ),
        ),
        EdgeCase(
            "only_parent_lupus",
            "'lupus erythematosus' (not SLE): not in the cohort",
            {},
            _edit(
                lambda d, a: setattr(
                    d,
                    "conditions",
                    [
                        ("other:lupus erythematosus", _days(a, 30), None),
                        ("other:discoid lupus erythematosus", _days(a, 30), None),
                    ],
                )
            ),
            in_cohort=False,
        ),
        EdgeCase(
            "only_sle_outside_period",
            "SLE recorded only outside the observation period",
            {},
            _edit(
                lambda d, a: setattr(
                    d, "conditions", [(SLE_ITEM, a + dt.timedelta(days=-4000), None)]
                )
            ),
            in_cohort=False,
        ),
        EdgeCase(
            "turns_18_today",
            "18th birthday on the as-of date",
            {},
            _edit(lambda d, a: setattr(d, "birth", (a.year - 18, a.month, a.day))),
        ),
        EdgeCase(
            "turns_18_tomorrow",
            "17 on the as-of date",
            {"I4": "not_met"},
            _edit(lambda d, a: setattr(d, "birth", _birth(a, 18, 1))),
        ),
        EdgeCase(
            "turns_80_today",
            "80th birthday on the as-of date",
            {"I4": "not_met"},
            _edit(lambda d, a: setattr(d, "birth", (a.year - 80, a.month, a.day))),
        ),
        EdgeCase(
            "turns_80_tomorrow",
            "79 on the as-of date",
            {},
            _edit(lambda d, a: setattr(d, "birth", _birth(a, 80, 1))),
        ),
        EdgeCase(
            "year_of_birth_only",
            "born 18 years before the as-of year, month unknown",
            {"I4": "unknown"},
            _edit(lambda d, a: setattr(d, "birth", (a.year - 18, None, None))),
        ),
        EdgeCase(
            "creatinine_2_mg_dl",
            "creatinine exactly 2.0 mg/dL",
            {"E5": "met"},
            _edit(lambda d, a: _set_lab(d, "creatinine", 2.0, "mg/dL")),
        ),
        EdgeCase(
            "creatinine_176_84_umol",
            "creatinine 176.84 µmol/L (= 2.0 mg/dL)",
            {"E5": "met"},
            _edit(lambda d, a: _set_lab(d, "creatinine", 176.84, "umol/L")),
        ),
        EdgeCase(
            "creatinine_176_83_umol",
            "creatinine 176.83 µmol/L (< 2.0 mg/dL)",
            {},
            _edit(lambda d, a: _set_lab(d, "creatinine", 176.83, "umol/L")),
        ),
        EdgeCase(
            "creatinine_unknown_unit",
            "creatinine in a unit that cannot be converted",
            {"E5": "unknown"},
            _edit(lambda d, a: _set_lab(d, "creatinine", 1.0, "mEq/L")),
        ),
        EdgeCase("ast_99", "AST 99 U/L", {}, _edit(lambda d, a: _set_lab(d, "ast", 99.0, "U/L"))),
        EdgeCase(
            "ast_100",
            "AST 100 U/L",
            {"E4": "met"},
            _edit(lambda d, a: _set_lab(d, "ast", 100.0, "U/L")),
        ),
        EdgeCase(
            "ast_high_outside_period",
            "AST 300 U/L dated before the observation period: ignored",
            {"E7": "unknown"},
            _edit(
                lambda d, a: setattr(d, "periods", [(_days(a, 1000), a)]),
                lambda d, a: d.measurements.append(
                    (_lab("ast"), _days(a, 1500), 300.0, "U/L", None)
                ),
            ),
        ),
        EdgeCase(
            "no_labs",
            "no laboratory results at all",
            {
                "I3": "unknown",
                "E2": "unknown",
                "E3": "unknown",
                "E4": "unknown",
                "E5": "unknown",
                "E9": "unknown",
            },
            _edit(lambda d, a: setattr(d, "measurements", [])),
        ),
        EdgeCase(
            "platelets_per_ul",
            "platelets 80000 /µL: converted, still 6 points",
            {},
            _edit(lambda d, a: _set_lab(d, "platelets", 80000.0, "/uL")),
        ),
        EdgeCase(
            "low_activity",
            "labs give 1 point: activity unknown, not 'not met'",
            {"I3": "unknown"},
            _edit(
                lambda d, a: _set_lab(d, "urine_protein_24h", 0.2, "g/(24.h)"),
                lambda d, a: _set_lab(d, "leukocytes", 5.0, "10*9/L"),
            ),
        ),
        EdgeCase(
            "live_vaccine_day_30",
            "live vaccine (MMR) 30 days before",
            {"E12": "met"},
            _edit(
                lambda d, a: d.drugs.append(("live_vaccines:measles mumps rubella", _days(a, 30)))
            ),
        ),
        EdgeCase(
            "live_vaccine_day_31",
            "live vaccine (MMR) 31 days before",
            {},
            _edit(
                lambda d, a: d.drugs.append(("live_vaccines:measles mumps rubella", _days(a, 31)))
            ),
        ),
        EdgeCase(
            "non_live_vaccine_day_10",
            "inactivated influenza 10 days before",
            {},
            _edit(
                lambda d, a: d.drugs.append(
                    ("non_live_vaccines:inactivated influenza", _days(a, 10))
                )
            ),
        ),
        EdgeCase(
            "unlisted_vaccine_day_10",
            "a vaccine on neither list, 10 days before",
            {"E12": "unknown"},
            _edit(lambda d, a: d.drugs.append(("other:unlisted vaccine", _days(a, 10)))),
        ),
        EdgeCase(
            "hcq_clinical_drug",
            "hydroxychloroquine tablet (descendant of the ingredient)",
            {"I2.untreated": "not_met"},
            _edit(
                lambda d, a: d.drugs.append(
                    ("immunosuppressants:hydroxychloroquine oral tablet", _days(a, 20))
                )
            ),
        ),
        EdgeCase(
            "drug_after_as_of",
            "an immunosuppressant after the as-of date: not yet given",
            {},
            _edit(
                lambda d, a: d.drugs.append(
                    ("immunosuppressants:methotrexate", a + dt.timedelta(days=5))
                )
            ),
        ),
        EdgeCase(
            "hbs_ag_positive",
            "HBsAg positive",
            {"E2": "met"},
            _edit(
                lambda d, a: d.measurements.append((_lab("hbs_ag"), _days(a, 2), None, None, POS))
            ),
        ),
        EdgeCase(
            "anti_hcv_positive_no_rna",
            "anti-HCV positive, no HCV RNA",
            {"E2": "unknown", "E3": "unknown"},
            _edit(
                lambda d, a: d.measurements.append((_lab("anti_hcv"), _days(a, 2), None, None, POS))
            ),
        ),
        EdgeCase(
            "anti_hcv_positive_rna_negative",
            "anti-HCV positive, HCV RNA not detected",
            {},
            _edit(
                lambda d, a: d.measurements.extend(
                    [
                        (_lab("anti_hcv"), _days(a, 2), None, None, POS),
                        (_lab("hcv_rna"), _days(a, 2), None, None, NEG),
                    ]
                )
            ),
        ),
        EdgeCase(
            "active_tb",
            "pulmonary tuberculosis 60 days ago, no end",
            {"E6": "met"},
            _edit(
                lambda d, a: d.conditions.append(
                    ("tuberculosis:pulmonary tuberculosis", _days(a, 60), None)
                )
            ),
        ),
        EdgeCase(
            "malignancy_5_years_to_the_day",
            "breast cancer exactly 5 years ago",
            {"E7": "met"},
            _edit(
                lambda d, a: d.conditions.append(
                    ("malignancy:malignant neoplasm of breast", five(a), None)
                )
            ),
        ),
        EdgeCase(
            "malignancy_over_5_years",
            "breast cancer 5 years and a day ago",
            {},
            _edit(
                lambda d, a: d.conditions.append(
                    (
                        "malignancy:malignant neoplasm of breast",
                        five(a) - dt.timedelta(days=1),
                        None,
                    )
                )
            ),
        ),
        EdgeCase(
            "pregnant",
            "pregnancy recorded 30 days ago, no test since",
            {"E9": "met"},
            _edit(
                lambda d, a: d.observations.append(("pregnancy:pregnancy", _days(a, 30))),
                lambda d, a: setattr(
                    d,
                    "measurements",
                    [m for m in d.measurements if m[0] != _lab("pregnancy_test")],
                ),
            ),
        ),
        EdgeCase(
            "pregnancy_then_negative_test",
            "pregnancy recorded 30 days ago, negative test 3 days ago",
            {},
            _edit(lambda d, a: d.observations.append(("pregnancy:pregnancy", _days(a, 30)))),
        ),
        EdgeCase(
            "lactating",
            "breastfeeding recorded",
            {"E10": "met"},
            _edit(lambda d, a: d.observations.append(("lactation:breastfeeding", _days(a, 20)))),
        ),
        EdgeCase(
            "rheumatoid_arthritis",
            "coexisting rheumatoid arthritis",
            {"E11": "met"},
            _edit(
                lambda d, a: d.conditions.append(
                    ("collagen_diseases:rheumatoid arthritis", _days(a, 300), None)
                )
            ),
        ),
        EdgeCase(
            "sjogren_allowed",
            "coexisting Sjögren's syndrome (allowed)",
            {},
            _edit(
                lambda d, a: d.conditions.append(
                    ("collagen_diseases:Sjögren's syndrome", _days(a, 300), None)
                )
            ),
        ),
        EdgeCase(
            "died",
            "death recorded before the as-of date",
            {"alive": "not_met"},
            _edit(lambda d, a: setattr(d, "death", _days(a, 3))),
        ),
        EdgeCase(
            "ast_high_91_days",
            "AST 300 U/L 91 days ago, nothing since: older than 90 days, recheck",
            {"E4": "unknown"},
            _edit(lambda d, a: _dated_lab(d, "ast", 300.0, "U/L", _days(a, 91))),
        ),
        EdgeCase(
            "creatinine_high_90_days",
            "creatinine 2.5 mg/dL exactly 90 days ago: still recent enough to decide",
            {"E5": "met"},
            _edit(lambda d, a: _dated_lab(d, "creatinine", 2.5, "mg/dL", _days(a, 90))),
        ),
        *_hepatitis_cases(),
        EdgeCase(
            "as_of_after_period",
            "observation period ended 100 days before the as-of date",
            {
                "I2.untreated": "unknown",
                "E6": "unknown",
                "E7": "unknown",
                "E11": "unknown",
                "E12": "unknown",
            },
            _edit(lambda d, a: setattr(d, "periods", [(_days(a, 3650), _days(a, 1))])),
        ),
    ]
    return tuple(cases)


def _without(draft: Draft, key: str) -> None:
    draft.measurements = [m for m in draft.measurements if m[0] != _lab(key)]


def _hepatitis_cases() -> list[EdgeCase]:
    """Viral hepatitis B and C recorded at each level (issue 21): chronic and carrier decide
    E2; acute and unspecified leave E2 unknown until the carrier test (HBsAg; HCV RNA) is
    negative, and E3 unknown until the nucleic-acid test is."""
    cases = []
    for virus, carrier_test in (("B", "hbs_ag"), ("C", None)):
        other = "hepatitis_b" if virus == "B" else "hepatitis_c"
        levels = {
            "chronic": f"viral_hepatitis:chronic hepatitis {virus}",
            "carrier": f"viral_hepatitis:Hepatitis {virus} carrier",
            "acute": f"{other}:acute type B viral hepatitis"
            if virus == "B"
            else f"{other}:acute hepatitis C",
            "unspecified": f"{other}:viral hepatitis type B"
            if virus == "B"
            else f"{other}:viral hepatitis C",
        }
        for level, key in levels.items():
            decided = level in ("chronic", "carrier")

            def record(d: Draft, a: dt.date, key: str = key) -> None:
                d.conditions.append((key, _days(a, 400), None))

            edits: list[Callable[[Draft, dt.date], object]] = [record]
            if carrier_test and not decided:

                def untested(d: Draft, a: dt.date, test: str = carrier_test) -> None:
                    _without(d, test)

                edits.append(untested)
            expected = {"E2": "met"} if decided else {"E2": "unknown", "E3": "unknown"}
            cases.append(
                EdgeCase(
                    f"hepatitis_{virus.lower()}_{level}",
                    f"hepatitis {virus} recorded as {level}",
                    expected,
                    _edit(*edits),
                )
            )
    cases.append(
        EdgeCase(
            "hepatitis_b_acute_hbsag_negative",
            "acute hepatitis B recorded, HBsAg negative: not a carrier; HBV DNA pending (E3)",
            {"E3": "unknown"},
            _edit(
                lambda d, a: d.conditions.append(
                    ("hepatitis_b:acute type B viral hepatitis", _days(a, 400), None)
                )
            ),
        )
    )
    cases.append(
        EdgeCase(
            "hepatitis_c_unspecified_rna_negative",
            "viral hepatitis C recorded, HCV RNA negative: neither carrier nor past infection",
            {},
            _edit(
                lambda d, a: d.conditions.append(
                    ("hepatitis_c:viral hepatitis C", _days(a, 400), None)
                ),
                lambda d, a: d.measurements.append(
                    (_lab("hcv_rna"), _days(a, 20), None, None, NEG)
                ),
            ),
        )
    )
    return cases


def _birth(as_of: dt.date, years: int, days_later: int) -> tuple[int, int | None, int | None]:
    born = add_years(as_of, -years) + dt.timedelta(days=days_later)
    return (born.year, born.month, born.day)


EDGE_CASES: tuple[EdgeCase, ...] = _edge_cases()
EDGE_PERSON_ID: dict[str, int] = {
    case.key: PERSON_ID_START + number for number, case in enumerate(EDGE_CASES)
}


# --- writing ----------------------------------------------------------------------------


@dataclass
class _Rows:
    """Column lists for every table of one chunk."""

    columns: dict[str, dict[str, list[Any]]] = field(
        default_factory=lambda: {t: {c: [] for c in arrow_schema(t).names} for t in CDM_COLUMNS}
    )

    def add(self, table: str, **values: Any) -> None:
        for name, column in self.columns[table].items():
            column.append(values.get(name))

    def arrow(self, table: str) -> pa.Table:
        return pa.table(self.columns[table], schema=arrow_schema(table))


class _Ids:
    def __init__(self) -> None:
        self.next = RECORD_ID_START

    def take(self, n: int = 1) -> int:
        first = self.next
        self.next += n
        return first


def _edge_rows(as_of: dt.date, vocab: MiniVocabulary, ids: _Ids) -> _Rows:
    rows = _Rows()
    period_end = dt.date(9999, 12, 31)
    for case in EDGE_CASES:
        pid = EDGE_PERSON_ID[case.key]
        draft = case.build(as_of)
        year, month, day = draft.birth
        rows.add(
            "person",
            person_id=pid,
            gender_concept_id=draft.gender,
            year_of_birth=year,
            month_of_birth=month,
            day_of_birth=day,
        )
        for start, end in draft.periods:
            rows.add(
                "observation_period",
                person_id=pid,
                observation_period_start_date=start,
                observation_period_end_date=min(end, period_end),
            )
        if draft.death is not None:
            rows.add("death", person_id=pid, death_date=draft.death)
        for key, start, ended in draft.conditions:
            rows.add(
                "condition_occurrence",
                condition_occurrence_id=ids.take(),
                person_id=pid,
                condition_concept_id=vocab.ids[key],
                condition_start_date=start,
                condition_end_date=ended,
            )
        for key, start in draft.drugs:
            rows.add(
                "drug_exposure",
                drug_exposure_id=ids.take(),
                person_id=pid,
                drug_concept_id=vocab.ids[key],
                drug_exposure_start_date=start,
                drug_exposure_end_date=start,
            )
        for key, when, value, unit, result in draft.measurements:
            rows.add(
                "measurement",
                measurement_id=ids.take(),
                person_id=pid,
                measurement_concept_id=vocab.ids[key],
                measurement_date=when,
                value_as_number=value,
                value_as_concept_id=vocab.ids[result] if result else None,
                unit_concept_id=vocab.units[unit] if unit else None,
                unit_source_value=unit,
            )
        for key, when in draft.observations:
            rows.add(
                "observation",
                observation_id=ids.take(),
                person_id=pid,
                observation_concept_id=vocab.ids[key],
                observation_date=when,
            )
        for when in draft.visits:
            rows.add(
                "visit_occurrence",
                visit_occurrence_id=ids.take(),
                person_id=pid,
                visit_start_date=when,
                visit_end_date=when,
            )
    return rows


def _vocabulary_tables(vocab: MiniVocabulary) -> dict[str, pa.Table]:
    concept = pa.table(
        {
            "concept_id": [c.concept_id for c in vocab.concepts],
            "concept_name": [c.concept_name for c in vocab.concepts],
            "domain_id": [c.domain_id for c in vocab.concepts],
            "vocabulary_id": [c.vocabulary_id for c in vocab.concepts],
            "concept_class_id": [c.concept_class_id for c in vocab.concepts],
            "standard_concept": [c.standard_concept for c in vocab.concepts],
            "concept_code": [c.concept_code for c in vocab.concepts],
            "invalid_reason": [None] * len(vocab.concepts),
        },
        schema=arrow_schema("concept"),
    )
    ancestor = pa.table(
        {
            "ancestor_concept_id": [a for a, _ in vocab.ancestors],
            "descendant_concept_id": [d for _, d in vocab.ancestors],
            "min_levels_of_separation": [0 if a == d else 1 for a, d in vocab.ancestors],
            "max_levels_of_separation": [0 if a == d else 1 for a, d in vocab.ancestors],
        },
        schema=arrow_schema("concept_ancestor"),
    )
    return {"concept": concept, "concept_ancestor": ancestor}


@dataclass(frozen=True)
class SyntheticSummary:
    directory: Path
    persons: int
    edge_cases: int
    as_of: dt.date
    seed: int
    rows: dict[str, int]


def write_synthetic(
    directory: Path | str,
    persons: int,
    seed: int = 0,
    as_of: dt.date | None = None,
    *,
    chunk_persons: int = DEFAULT_CHUNK_PERSONS,
    progress: Callable[[str], None] | None = None,
    sle_share: float | None = None,
    thin_vocabulary: bool = False,
) -> SyntheticSummary:
    """Write ``persons`` persons (the edge cases first) as one Parquet file per CDM table.

    ``sle_share`` is the expected share of random persons with an SLE record (in or outside
    their observation period). By default about 15%, far above any hospital, so that small
    populations have a cohort worth judging; a realistic hospital share is under 1%.
    ``thin_vocabulary`` writes a vocabulary without the UCUM unit rows and the chronic
    hepatitis codes, as an external database had (`vocabulary.build_vocabulary`).
    """
    if persons < 0:
        raise ValueError("persons must be 0 or more")
    if sle_share is not None and not 0 < sle_share < 1:
        raise ValueError("sle_share must be between 0 and 1 (exclusive)")
    as_of = as_of or dt.date.today()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    vocab = build_vocabulary(thin=thin_vocabulary)
    for name, table in _vocabulary_tables(vocab).items():
        pq.write_table(table, out / f"{name}.parquet")
    clinical = [t for t in CDM_COLUMNS if t not in ("concept", "concept_ancestor")]
    writers = {t: pq.ParquetWriter(out / f"{t}.parquet", arrow_schema(t)) for t in clinical}
    counts = dict.fromkeys(clinical, 0)
    ids = _Ids()
    try:
        edge = _edge_rows(as_of, vocab, ids)
        chunks: Iterator[dict[str, pa.Table]] = _random_chunks(
            max(persons - len(EDGE_CASES), 0),
            seed,
            as_of,
            vocab,
            ids,
            chunk_persons,
            _condition_pool(sle_share),
        )
        first = {t: edge.arrow(t) for t in clinical}
        for tables in itertools.chain([first], chunks) if persons else ():
            for name, table in tables.items():
                writers[name].write_table(table)
                counts[name] += table.num_rows
            if progress is not None:
                progress(f"{counts['person']:,} persons written")
    finally:
        for writer in writers.values():
            writer.close()
    counts["concept"] = len(vocab.concepts)
    counts["concept_ancestor"] = len(vocab.ancestors)
    edge_cases = len(EDGE_CASES) if persons else 0
    return SyntheticSummary(out, counts["person"], edge_cases, as_of, seed, counts)


# --- random population ------------------------------------------------------------------

_CONDITION_POOL: tuple[tuple[str, float], ...] = (
    ("other:essential hypertension", 0.40),
    ("other:type 2 diabetes", 0.30),
    (SLE_ITEM, 0.06),
    ("sle:SLE with organ involvement", 0.02),
    ("other:lupus erythematosus", 0.02),
    ("collagen_diseases:rheumatoid arthritis", 0.04),
    ("collagen_diseases:Sjögren's syndrome", 0.02),
    ("tuberculosis:pulmonary tuberculosis", 0.02),
    ("malignancy:malignant neoplasm of breast", 0.05),
    ("viral_hepatitis:chronic hepatitis B", 0.02),
    ("cervical_in_situ:carcinoma in situ of uterine cervix", 0.01),
    ("pregnancy:pregnancy", 0.04),
)
_SLE_ITEMS = (SLE_ITEM, "sle:SLE with organ involvement")
_CONDITION_RATE = 2.0  # condition records per random person (Poisson mean)


def _condition_pool(sle_share: float | None) -> tuple[tuple[str, float], ...]:
    """The condition pool with the SLE items weighted so that a share ``sle_share`` of
    persons gets at least one SLE record (Poisson: 1 - exp(-rate x weight)); as is if None."""
    if sle_share is None:
        return _CONDITION_POOL
    weight = -np.log1p(-sle_share) / _CONDITION_RATE
    sle = sum(w for item, w in _CONDITION_POOL if item in _SLE_ITEMS)
    others = 1.0 - sle
    return tuple(
        (item, weight * w / sle if item in _SLE_ITEMS else (1.0 - weight) * w / others)
        for item, w in _CONDITION_POOL
    )


_DRUG_POOL: tuple[tuple[str, float], ...] = (
    ("other:amoxicillin", 0.35),
    ("other:atorvastatin", 0.30),
    ("immunosuppressants:hydroxychloroquine oral tablet", 0.06),
    ("immunosuppressants:methotrexate oral tablet", 0.04),
    ("immunosuppressants:mycophenolate oral tablet", 0.03),
    ("live_vaccines:measles mumps rubella", 0.04),
    ("live_vaccines:yellow fever", 0.02),
    ("non_live_vaccines:inactivated influenza", 0.12),
    ("other:unlisted vaccine", 0.04),
)
_LABS: tuple[tuple[str, float, float, str], ...] = (
    # key, log-mean, log-sd, unit
    ("ast", np.log(28.0), 0.6, "U/L"),
    ("alt", np.log(26.0), 0.6, "U/L"),
    ("creatinine", np.log(0.9), 0.4, "mg/dL"),
    ("platelets", np.log(230.0), 0.4, "10*9/L"),
    ("leukocytes", np.log(6.0), 0.4, "10*9/L"),
    ("urine_protein_24h", np.log(0.2), 1.0, "g/(24.h)"),
    ("temperature", np.log(36.9), 0.01, "Cel"),
)


def _pick(
    rng: np.random.Generator, pool: tuple[tuple[str, float], ...], n: int, vocab: MiniVocabulary
) -> np.ndarray:
    keys = np.array([vocab.ids[k] for k, _ in pool], dtype=np.int64)
    weights = np.array([w for _, w in pool])
    return keys[rng.choice(len(pool), size=n, p=weights / weights.sum())]


def _random_chunks(
    persons: int,
    seed: int,
    as_of: dt.date,
    vocab: MiniVocabulary,
    ids: _Ids,
    chunk_persons: int,
    conditions: tuple[tuple[str, float], ...],
) -> Iterator[dict[str, pa.Table]]:
    rng = np.random.default_rng(seed)
    anchor = np.datetime64(as_of, "D")
    first_pid = PERSON_ID_START + 1_000_000
    for start in range(0, persons, max(chunk_persons, 1)):
        n = min(chunk_persons, persons - start)
        pid = np.arange(first_pid + start, first_pid + start + n, dtype=np.int64)
        yield _random_chunk(rng, pid, anchor, vocab, ids, conditions)


def _dates(anchor: np.datetime64, back_days: np.ndarray) -> pa.Array:
    return pa.array((anchor - back_days.astype("timedelta64[D]")).astype("datetime64[D]"))


def _random_chunk(
    rng: np.random.Generator,
    pid: np.ndarray,
    anchor: np.datetime64,
    vocab: MiniVocabulary,
    ids: _Ids,
    conditions: tuple[tuple[str, float], ...],
) -> dict[str, pa.Table]:
    n = len(pid)
    year = anchor.astype("datetime64[Y]").astype(int) + 1970
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    unknown_day = rng.random(n) < 0.1
    person = pa.table(
        {
            "person_id": pid,
            "gender_concept_id": np.where(rng.random(n) < 0.85, FEMALE_CONCEPT_ID, MALE_CONCEPT_ID),
            "year_of_birth": year - rng.integers(5, 95, n),
            "month_of_birth": pa.array(month, mask=unknown_day),
            "day_of_birth": pa.array(day, mask=unknown_day),
        },
        schema=arrow_schema("person"),
    )
    op_start_back = rng.integers(365, 20 * 365, n)
    op_end_back = np.where(rng.random(n) < 0.85, 0, rng.integers(1, 2000, n))
    op_end_back = np.minimum(op_end_back, op_start_back - 1)
    period = pa.table(
        {
            "person_id": pid,
            "observation_period_start_date": _dates(anchor, op_start_back),
            "observation_period_end_date": _dates(anchor, op_end_back),
        },
        schema=arrow_schema("observation_period"),
    )

    def events(rate: float, spread_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        counts = rng.poisson(rate, n)
        owners = np.repeat(pid, counts)
        back = rng.integers(0, spread_days, len(owners))
        record_ids = np.arange(len(owners), dtype=np.int64) + ids.take(len(owners))
        return owners, back, record_ids

    owners, back, rid = events(_CONDITION_RATE, 15 * 365)
    # Most SLE diagnoses are old; some fall in the six-month window.
    concept = _pick(rng, conditions, len(owners), vocab)
    condition = pa.table(
        {
            "condition_occurrence_id": rid,
            "person_id": owners,
            "condition_concept_id": concept,
            "condition_start_date": _dates(anchor, back),
            "condition_end_date": pa.nulls(len(owners), pa.date32()),
        },
        schema=arrow_schema("condition_occurrence"),
    )
    owners, back, rid = events(2.0, 3 * 365)
    drug = pa.table(
        {
            "drug_exposure_id": rid,
            "person_id": owners,
            "drug_concept_id": _pick(rng, _DRUG_POOL, len(owners), vocab),
            "drug_exposure_start_date": _dates(anchor, back),
            "drug_exposure_end_date": _dates(anchor, back),
        },
        schema=arrow_schema("drug_exposure"),
    )
    measurement = _random_measurements(rng, pid, anchor, vocab, ids)
    owners, back, rid = events(0.3, 2 * 365)
    observation = pa.table(
        {
            "observation_id": rid,
            "person_id": owners,
            "observation_concept_id": _pick(
                rng,
                (("other:tobacco use", 0.8), ("lactation:breastfeeding", 0.2)),
                len(owners),
                vocab,
            ),
            "observation_date": _dates(anchor, back),
            "value_as_number": pa.nulls(len(owners), pa.float64()),
            "value_as_concept_id": pa.nulls(len(owners), pa.int64()),
            "unit_concept_id": pa.nulls(len(owners), pa.int64()),
            "unit_source_value": pa.nulls(len(owners), pa.string()),
        },
        schema=arrow_schema("observation"),
    )
    owners, back, rid = events(3.0, 5 * 365)
    visit = pa.table(
        {
            "visit_occurrence_id": rid,
            "person_id": owners,
            "visit_start_date": _dates(anchor, back),
            "visit_end_date": _dates(anchor, back),
        },
        schema=arrow_schema("visit_occurrence"),
    )
    dead = rng.random(n) < 0.02
    death = pa.table(
        {"person_id": pid[dead], "death_date": _dates(anchor, rng.integers(0, 3000, dead.sum()))},
        schema=arrow_schema("death"),
    )
    tables = {
        "condition_occurrence": condition,
        "drug_exposure": drug,
        "measurement": measurement,
        "observation": observation,
        "visit_occurrence": visit,
    }
    for name, (rate, item, spread) in BACKGROUND_RATES.items():
        owners, back, rid = events(rate, spread)
        tables[name] = pa.concat_tables(
            [tables[name], _background(rng, name, owners, back, rid, anchor, vocab, item)]
        )
    return {"person": person, "observation_period": period, **tables, "death": death}


def _background(
    rng: np.random.Generator,
    table: str,
    owners: np.ndarray,
    back: np.ndarray,
    record_ids: np.ndarray,
    anchor: np.datetime64,
    vocab: MiniVocabulary,
    item: str,
) -> pa.Table:
    """Everyday records (`BACKGROUND_RATES`) in ``table``'s schema."""
    schema = arrow_schema(table)
    n = len(owners)
    dates = _dates(anchor, back)
    columns: dict[str, Any] = {name: pa.nulls(n, schema.field(name).type) for name in schema.names}
    columns["person_id"] = owners
    if table == "visit_occurrence":
        columns["visit_occurrence_id"] = record_ids
        columns["visit_start_date"] = columns["visit_end_date"] = dates
        return pa.table(columns, schema=schema)
    record_id, concept_id, start, _, _ = SOURCES[table]
    columns[record_id] = record_ids
    columns[concept_id] = np.full(n, vocab.ids[item], dtype=np.int64)
    columns[start] = dates
    if table == "drug_exposure":
        columns["drug_exposure_end_date"] = dates
    if table == "measurement":
        columns["value_as_number"] = np.round(rng.normal(100, 20, n), 0)
        columns["unit_concept_id"] = np.full(n, vocab.units["mg/dL"], dtype=np.int64)
        columns["unit_source_value"] = pa.array(["mg/dL"] * n, pa.string())
    return pa.table(columns, schema=schema)


def _random_measurements(
    rng: np.random.Generator,
    pid: np.ndarray,
    anchor: np.datetime64,
    vocab: MiniVocabulary,
    ids: _Ids,
) -> pa.Table:
    counts = rng.poisson(6.0, len(pid))
    owners = np.repeat(pid, counts)
    m = len(owners)
    back = rng.integers(0, 2 * 365, m)
    kind = rng.integers(0, len(_LABS) + 3, m)  # the last three: hepatitis, pregnancy, glucose
    concept = np.zeros(m, dtype=np.int64)
    value = np.full(m, np.nan)
    unit = np.zeros(m, dtype=np.int64)
    written = np.zeros(m, dtype=np.int64)  # the unit as written: index into `codes`
    codes: list[str | None] = [None, *UNIT_CODES]
    result = np.zeros(m, dtype=np.int64)
    for index, (key, mu, sigma, unit_code) in enumerate(_LABS):
        chosen = kind == index
        concept[chosen] = vocab.ids[_lab(key)]
        value[chosen] = np.round(rng.lognormal(mu, sigma, chosen.sum()), 2)
        unit[chosen] = vocab.units[unit_code]
        written[chosen] = codes.index(unit_code)
    creatinine = kind == 2
    in_umol = creatinine & (rng.random(m) < 0.3)
    value[in_umol] = np.round(value[in_umol] * 88.42, 1)
    unit[in_umol] = vocab.units["umol/L"]
    written[in_umol] = codes.index("umol/L")
    qualitative = kind == len(_LABS)
    markers = np.array(
        [
            vocab.ids[_lab(k)]
            for k in ("hbs_ag", "anti_hbc", "anti_hbs", "anti_hcv", "hbv_dna", "hcv_rna")
        ]
    )
    concept[qualitative] = markers[rng.integers(0, len(markers), qualitative.sum())]
    result[qualitative] = np.where(
        rng.random(qualitative.sum()) < 0.05, vocab.ids[POS], vocab.ids[NEG]
    )
    pregnancy = kind == len(_LABS) + 1
    concept[pregnancy] = vocab.ids[_lab("pregnancy_test")]
    result[pregnancy] = np.where(rng.random(pregnancy.sum()) < 0.05, vocab.ids[POS], vocab.ids[NEG])
    glucose = kind == len(_LABS) + 2
    concept[glucose] = vocab.ids["other:glucose"]
    value[glucose] = np.round(rng.normal(100, 20, glucose.sum()), 0)
    unit[glucose] = vocab.units["mg/dL"]
    written[glucose] = codes.index("mg/dL")
    return pa.table(
        {
            "measurement_id": np.arange(m, dtype=np.int64) + ids.take(m),
            "person_id": owners,
            "measurement_concept_id": concept,
            "measurement_date": _dates(anchor, back),
            "value_as_number": pa.array(value, mask=np.isnan(value)),
            "value_as_concept_id": pa.array(result, mask=result == 0),
            "unit_concept_id": pa.array(unit, mask=unit == 0),
            "unit_source_value": pa.array(codes, pa.string()).take(pa.array(written)),
        },
        schema=arrow_schema("measurement"),
    )
