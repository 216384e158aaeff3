"""The OHDSI Circe peer check: the criteria Circe can express, as a cohort definition.

`prescreen_cohort.json` is a Circe cohort expression (ATLAS's JSON format); `peer` fills it
for an as-of date, renders it to SQL with ohdsi-circepy, runs it on DuckDB and compares the
persons each inclusion rule keeps with the persons each of our criteria does not fail.
"""

from lupustrial.prescreen.circe.peer import (
    COHORT_JSON,
    RULES,
    CirceCounts,
    circe_counts,
    cohort_expression,
    compare,
    duckdb_sql,
    our_counts,
    prepare_duckdb,
    run_circe_sql,
)

__all__ = [
    "COHORT_JSON",
    "RULES",
    "CirceCounts",
    "circe_counts",
    "cohort_expression",
    "compare",
    "duckdb_sql",
    "our_counts",
    "prepare_duckdb",
    "run_circe_sql",
]
