"""OHDSI Circe as a peer of the pre-screen: the same criteria, written as a cohort definition.

`prescreen_cohort.json` is a Circe cohort expression. Its primary event is each person's
first SLE record (condition or observation, descendants of 257628) inside an observation
period and on or before the as-of date: the same cohort as ours (I1). Its inclusion rules
are the criteria Circe can express, one rule per criterion, named by our criterion id, each
true for the persons that criterion does **not fail** (an inclusion criterion not "not
met", an exclusion criterion not "met"): Circe's "persons remaining".

The JSON is shipped as ATLAS would export it, except for two things filled in per run:

* string values ``"@name"`` are parameters: the as-of date and each window's first day,
  taken from `criteria.Windows` (the protocol's calendar), and the male gender concept;
* the concept sets are named by our concept set keys and their items are filled with the
  concepts our declarations name in the database's vocabulary (with our include-descendants
  and excluded flags); Circe expands descendants through `concept_ancestor` itself.

The SQL Circe renders is OHDSI SqlRender dialect; `circe.sqlrender` renders its
``@schema`` parameters and translates it to DuckDB. The synthetic Parquet holds only the
columns pre-screening reads, so `prepare_duckdb` exposes each table as a view with the
missing CDM v5.4 columns as typed NULLs (Circe selects e.g. ``visit_occurrence_id``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from lupustrial.prescreen.concepts import MALE_CONCEPT_ID
from lupustrial.prescreen.config import DEFAULT_PRESCREEN, PrescreenConfig
from lupustrial.prescreen.criteria_ids import CIRCE_EXPRESSIBLE
from lupustrial.prescreen.engine import PrescreenResult
from lupustrial.prescreen.resolve import ResolvedConcepts
from lupustrial.prescreen.windows import Windows

COHORT_JSON = Path(__file__).with_name("prescreen_cohort.json")

RULES: tuple[str, ...] = CIRCE_EXPRESSIBLE
"""The inclusion rules of `prescreen_cohort.json`, in order: our criterion ids."""

NOT_EXPRESSIBLE: dict[str, str] = {
    "I3": "a weighted sum of the latest result of each lab descriptor (Circe has no 'latest' "
    "and no sums across criteria)",
    "I4": "Circe's age is YEAR(index) - year_of_birth at the index event; ours is completed "
    "years on the as-of date from the full birth date",
    "E2": "the latest result of each marker, with anti-HCV needing HCV RNA (no 'latest')",
    "E3": "the latest result of each marker, cancelled by a negative nucleic-acid test",
    "E4": "the latest AST/ALT converted from its unit (Circe filters units, cannot convert)",
    "E5": "the latest creatinine converted from µmol/L (no 'latest', no unit conversion)",
    "E6": "an open record (no end date): Circe replaces a missing condition end with start + 1 day",
    "E9": "a pregnancy record cancelled by a later negative test (no ordering between records)",
}
"""Criteria left out of the peer check, and why Circe cannot express them."""


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


_V54_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": _columns(
        "person_id gender_concept_id year_of_birth month_of_birth day_of_birth birth_datetime "
        "race_concept_id ethnicity_concept_id location_id provider_id care_site_id "
        "person_source_value gender_source_value gender_source_concept_id race_source_value "
        "race_source_concept_id ethnicity_source_value ethnicity_source_concept_id"
    ),
    "observation_period": _columns(
        "observation_period_id person_id observation_period_start_date "
        "observation_period_end_date period_type_concept_id"
    ),
    "condition_occurrence": _columns(
        "condition_occurrence_id person_id condition_concept_id condition_start_date "
        "condition_start_datetime condition_end_date condition_end_datetime "
        "condition_type_concept_id condition_status_concept_id stop_reason provider_id "
        "visit_occurrence_id visit_detail_id condition_source_value condition_source_concept_id "
        "condition_status_source_value"
    ),
    "drug_exposure": _columns(
        "drug_exposure_id person_id drug_concept_id drug_exposure_start_date "
        "drug_exposure_start_datetime drug_exposure_end_date drug_exposure_end_datetime "
        "verbatim_end_date drug_type_concept_id stop_reason refills quantity days_supply sig "
        "route_concept_id lot_number provider_id visit_occurrence_id visit_detail_id "
        "drug_source_value drug_source_concept_id route_source_value dose_unit_source_value"
    ),
    "observation": _columns(
        "observation_id person_id observation_concept_id observation_date observation_datetime "
        "observation_type_concept_id value_as_number value_as_string value_as_concept_id "
        "qualifier_concept_id unit_concept_id provider_id visit_occurrence_id visit_detail_id "
        "observation_source_value observation_source_concept_id unit_source_value "
        "qualifier_source_value value_source_value observation_event_id "
        "obs_event_field_concept_id"
    ),
    "measurement": _columns(
        "measurement_id person_id measurement_concept_id measurement_date measurement_datetime "
        "measurement_time measurement_type_concept_id operator_concept_id value_as_number "
        "value_as_concept_id unit_concept_id range_low range_high provider_id "
        "visit_occurrence_id visit_detail_id measurement_source_value "
        "measurement_source_concept_id unit_source_value unit_source_concept_id "
        "value_source_value measurement_event_id meas_event_field_concept_id"
    ),
    "visit_occurrence": _columns(
        "visit_occurrence_id person_id visit_concept_id visit_start_date visit_start_datetime "
        "visit_end_date visit_end_datetime visit_type_concept_id provider_id care_site_id "
        "visit_source_value visit_source_concept_id admitted_from_concept_id "
        "admitted_from_source_value discharged_to_concept_id discharged_to_source_value "
        "preceding_visit_occurrence_id"
    ),
    "death": _columns(
        "person_id death_date death_datetime death_type_concept_id cause_concept_id "
        "cause_source_value cause_source_concept_id"
    ),
    "concept": _columns(
        "concept_id concept_name domain_id vocabulary_id concept_class_id standard_concept "
        "concept_code valid_start_date valid_end_date invalid_reason"
    ),
    "concept_ancestor": _columns(
        "ancestor_concept_id descendant_concept_id min_levels_of_separation "
        "max_levels_of_separation"
    ),
}
"""The OMOP CDM v5.4 columns of the tables Circe's SQL may read."""

_INTEGER = {"year_of_birth", "month_of_birth", "day_of_birth", "refills", "days_supply"}
_DOUBLE = {"quantity", "value_as_number", "range_low", "range_high"}

_RESULTS_DDL = (
    "CREATE OR REPLACE TABLE {s}.cohort (cohort_definition_id BIGINT, subject_id BIGINT, "
    "cohort_start_date DATE, cohort_end_date DATE)",
    "CREATE OR REPLACE TABLE {s}.cohort_inclusion_result (cohort_definition_id BIGINT, "
    "inclusion_rule_mask BIGINT, person_count BIGINT, mode_id INTEGER)",
    "CREATE OR REPLACE TABLE {s}.cohort_inclusion_stats (cohort_definition_id BIGINT, "
    "rule_sequence INTEGER, person_count BIGINT, gain_count BIGINT, person_total BIGINT, "
    "mode_id INTEGER)",
    "CREATE OR REPLACE TABLE {s}.cohort_summary_stats (cohort_definition_id BIGINT, "
    "base_count BIGINT, final_count BIGINT, mode_id INTEGER)",
    "CREATE OR REPLACE TABLE {s}.cohort_censor_stats (cohort_definition_id BIGINT, "
    "lost_count BIGINT)",
)
"""The OHDSI results tables Circe's SQL writes its cohort and inclusion statistics to."""

COHORT_ID = 1
BEST_EVENT = 1  # Circe's mode_id: 0 all events, 1 the best event per person


def _column_type(name: str) -> str:
    if name in _INTEGER or name.endswith("levels_of_separation"):
        return "INTEGER"
    if name in _DOUBLE:
        return "DOUBLE"
    if name.endswith("_datetime"):
        return "TIMESTAMP"
    if name.endswith("_date"):
        return "DATE"
    if name.endswith("_id"):
        return "BIGINT"
    return "VARCHAR"


def parameters(as_of: dt.date, config: PrescreenConfig = DEFAULT_PRESCREEN) -> dict[str, Any]:
    """The JSON's ``@`` parameters: every window's first day (ISO), and the male concept."""
    windows = dataclasses.asdict(Windows.of(as_of, config))
    values: dict[str, Any] = {name: day.isoformat() for name, day in windows.items()}
    values["male_concept_id"] = MALE_CONCEPT_ID
    return values


def _fill(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, values) for value in node]
    if isinstance(node, str) and node.startswith("@"):
        return values[node[1:]]
    return node


def _concept_items(resolved: ResolvedConcepts, key: str) -> list[dict[str, Any]]:
    """A Circe concept set expression's items from our declaration of set ``key``."""
    items = []
    for found in resolved.items:
        if found.set_key != key:
            continue
        for concept_id in found.concept_ids:
            items.append(
                {
                    "concept": {"CONCEPT_ID": concept_id},
                    "includeDescendants": found.item.include_descendants,
                    "isExcluded": found.item.excluded,
                    "includeMapped": False,
                }
            )
    return items


def cohort_json(
    as_of: dt.date, resolved: ResolvedConcepts, config: PrescreenConfig = DEFAULT_PRESCREEN
) -> dict[str, Any]:
    """`prescreen_cohort.json` filled for ``as_of`` and the database's vocabulary."""
    raw = json.loads(COHORT_JSON.read_text(encoding="utf-8"))
    filled: dict[str, Any] = _fill(raw, parameters(as_of, config))
    for concept_set in filled["ConceptSets"]:
        concept_set["expression"]["items"] = _concept_items(resolved, concept_set["name"])
    return filled


def cohort_expression(
    as_of: dt.date, resolved: ResolvedConcepts, config: PrescreenConfig = DEFAULT_PRESCREEN
) -> Any:
    """The filled JSON as a `circe.CohortExpression`."""
    from circe.api import cohort_expression_from_json

    return cohort_expression_from_json(json.dumps(cohort_json(as_of, resolved, config)))


def duckdb_sql(
    as_of: dt.date,
    resolved: ResolvedConcepts,
    config: PrescreenConfig = DEFAULT_PRESCREEN,
    *,
    cdm_schema: str = "cdm",
    results_schema: str = "results",
) -> str:
    """Circe's SQL for the cohort (with inclusion statistics), rendered and translated."""
    import circe
    from circe.cohortdefinition import BuildExpressionQueryOptions
    from circe.sqlrender import render, split_sql

    options = BuildExpressionQueryOptions()  # type: ignore[no-untyped-call]  # not annotated
    options.cohort_id = COHORT_ID
    options.generate_stats = True
    sql = circe.build_cohort_query(cohort_expression(as_of, resolved, config), options)
    sql = render(
        sql,
        cdm_database_schema=cdm_schema,
        vocabulary_database_schema=cdm_schema,
        results_database_schema=results_schema,
        target_database_schema=results_schema,
        target_cohort_table="cohort",
    )
    # SqlRender's translator re-reads the whole script for every replacement it makes;
    # statement by statement it does the same work in a fifth of the time (14 s -> 3 s).
    statements = [s.strip() for s in split_sql(sql) if s.strip()]
    return "\n".join(_translate_statement(statement + "\n;") for statement in statements)


@functools.lru_cache(maxsize=512)
def _translate_statement(statement: str) -> str:
    from circe.sqlrender import translate

    translated: str = translate(statement, "duckdb")
    return translated


def _parquet_source(directory: Path, table: str) -> str:
    single = directory / f"{table}.parquet"
    if single.is_file():
        return str(single)
    return str(directory / table / "*.parquet")


def prepare_duckdb(
    con: Any, omop_dir: Path, *, cdm_schema: str = "cdm", results_schema: str = "results"
) -> None:
    """CDM v5.4 views over a Parquet directory and empty OHDSI results tables, for Circe."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {cdm_schema}")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {results_schema}")
    for table, columns in _V54_COLUMNS.items():
        source = f"read_parquet('{_parquet_source(Path(omop_dir), table)}')"
        present = {
            str(row[0]).lower(): str(row[0])
            for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        }
        select = ", ".join(
            f'"{present[c]}" AS {c}' if c in present else f"CAST(NULL AS {_column_type(c)}) AS {c}"
            for c in columns
        )
        con.execute(f"CREATE OR REPLACE VIEW {cdm_schema}.{table} AS SELECT {select} FROM {source}")
    for statement in _RESULTS_DDL:
        con.execute(statement.format(s=results_schema))


def run_circe_sql(con: Any, sql: str) -> None:
    """Run Circe's translated SQL, statement by statement."""
    from circe.sqlrender import split_sql

    for statement in split_sql(sql):
        if statement.strip():
            con.execute(statement)


@dataclass(frozen=True)
class CirceCounts:
    """Persons at the start (the cohort), per rule alone, and remaining after each in turn."""

    base: int
    per_rule: dict[str, int]
    remaining: dict[str, int]


def circe_counts(
    con: Any, rules: Iterable[str] = RULES, *, results_schema: str = "results"
) -> CirceCounts:
    """Counts from Circe's ``cohort_inclusion_result`` (best event per person)."""
    masks = con.execute(
        f"SELECT inclusion_rule_mask, person_count FROM {results_schema}.cohort_inclusion_result "
        f"WHERE cohort_definition_id = {COHORT_ID} AND mode_id = {BEST_EVENT}"
    ).fetchall()
    names = list(rules)
    base = sum(int(count) for _, count in masks)
    per_rule = {
        name: sum(int(c) for mask, c in masks if int(mask) >> bit & 1)
        for bit, name in enumerate(names)
    }
    remaining = {}
    for bit, name in enumerate(names):
        wanted = (1 << (bit + 1)) - 1
        remaining[name] = sum(int(c) for mask, c in masks if int(mask) & wanted == wanted)
    return CirceCounts(base, per_rule, remaining)


def our_counts(result: PrescreenResult, rules: Iterable[str] = RULES) -> CirceCounts:
    """The same counts from our per-person results: persons each criterion does not fail."""
    names = list(rules)
    failing = result.criteria.filter(result.criteria["fails"])
    failed_by = {
        name: set(failing.filter(pc.equal(failing["criterion"], name))["person_id"].to_pylist())
        for name in names
    }
    base = result.persons.num_rows
    per_rule = {name: base - len(failed_by[name]) for name in names}
    remaining = {}
    dropped: set[int] = set()
    for name in names:
        dropped |= failed_by[name]
        remaining[name] = base - len(dropped)
    return CirceCounts(base, per_rule, remaining)


def compare(ours: CirceCounts, theirs: CirceCounts) -> list[tuple[str, int, int, int, int]]:
    """Rows (rule, ours alone, Circe alone, ours remaining, Circe remaining); I1 first."""
    rows = [("I1 (cohort)", ours.base, theirs.base, ours.base, theirs.base)]
    for name in ours.per_rule:
        rows.append(
            (
                name,
                ours.per_rule[name],
                theirs.per_rule[name],
                ours.remaining[name],
                theirs.remaining[name],
            )
        )
    return rows
