"""OHDSI Circe as a peer check: its inclusion rules keep the persons our criteria do not fail.

The cohort definition (`lupustrial/prescreen/circe/prescreen_cohort.json`) is rendered to
SQL by ohdsi-circepy, translated to DuckDB and run on the same synthetic Parquet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from lupustrial.prescreen.circe import peer
from lupustrial.prescreen.config import PrescreenConfig
from lupustrial.prescreen.criteria import CRITERION_IDS
from lupustrial.prescreen.engine import PrescreenResult, run_prescreen
from lupustrial.prescreen.omop import open_database
from lupustrial.protocol.config import ProtocolConfig

from .conftest import AS_OF


def _circe(omop_dir: Path, result: PrescreenResult, config: PrescreenConfig) -> peer.CirceCounts:
    with duckdb.connect() as con:
        peer.prepare_duckdb(con, omop_dir)
        peer.run_circe_sql(con, peer.duckdb_sql(result.as_of, result.resolved, config))
        return peer.circe_counts(con)


def _assert_same(ours: peer.CirceCounts, theirs: peer.CirceCounts) -> None:
    rows = peer.compare(ours, theirs)
    differing = [row for row in rows if row[1] != row[2] or row[3] != row[4]]
    assert not differing, f"(rule, ours, Circe, ours remaining, Circe remaining): {differing}"


def test_circe_counts_equal_ours(omop_dir: Path, duckdb_result: PrescreenResult) -> None:
    ours = peer.our_counts(duckdb_result)
    _assert_same(ours, _circe(omop_dir, duckdb_result, PrescreenConfig()))
    # Not vacuous: every rule removes someone, and the cohort holds the edge cases.
    assert all(ours.per_rule[rule] < ours.base for rule in peer.RULES)
    assert ours.remaining[peer.RULES[-1]] > 0


def test_circe_follows_the_protocol_and_the_as_of_date(omop_dir: Path) -> None:
    """The JSON's windows are the protocol's: change it, and both sides move together."""
    config = PrescreenConfig(
        protocol=ProtocolConfig(live_vaccine_window_days=31, malignancy_recurrence_free_years=3)
    )
    later = AS_OF + dt.timedelta(days=1)
    result = run_prescreen(open_database(str(omop_dir)), later, config)
    _assert_same(peer.our_counts(result), _circe(omop_dir, result, config))


def test_every_criterion_is_checked_or_explained() -> None:
    covered = {"I1", *peer.RULES, *peer.NOT_EXPRESSIBLE}
    assert covered == set(CRITERION_IDS)
    assert not set(peer.RULES) & set(peer.NOT_EXPRESSIBLE)


def test_json_parameters_are_all_filled(duckdb_result: PrescreenResult) -> None:
    filled = peer.cohort_json(AS_OF, duckdb_result.resolved)
    text = str(filled)
    assert "'@" not in text
    assert [rule["name"] for rule in filled["InclusionRules"]] == list(peer.RULES)
    assert all(s["expression"]["items"] for s in filled["ConceptSets"])


@pytest.mark.parametrize("rule", peer.RULES)
def test_rules_are_our_criteria(rule: str) -> None:
    assert rule in CRITERION_IDS
