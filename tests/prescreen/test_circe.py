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
from lupustrial.prescreen.criteria_ids import CRITERION_IDS, NOT_JUDGED, SCOPES
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


@pytest.fixture(scope="module")
def circe_seven(omop_dir: Path) -> PrescreenResult:
    return run_prescreen(open_database(str(omop_dir)), AS_OF, scope="circe-seven")


def test_like_for_like_candidates_are_circes_cohort(
    omop_dir: Path, circe_seven: PrescreenResult, duckdb_result: PrescreenResult
) -> None:
    """Ours restricted to Circe's seven rules keeps exactly the persons Circe's SQL keeps."""
    with duckdb.connect() as con:
        peer.prepare_duckdb(con, omop_dir)
        peer.run_circe_sql(con, peer.duckdb_sql(AS_OF, circe_seven.resolved))
        kept = con.execute(
            f"SELECT DISTINCT subject_id FROM results.cohort "
            f"WHERE cohort_definition_id = {peer.COHORT_ID}"
        ).fetchall()
    theirs = {int(person) for (person,) in kept}
    ours = {person.person_id for person in circe_seven.candidates}
    assert ours == theirs
    # Not vacuous: the full run, with criteria Circe cannot express, keeps fewer.
    assert theirs
    assert len(duckdb_result.candidates) < len(ours)


def test_like_for_like_leaves_the_other_criteria_unjudged(circe_seven: PrescreenResult) -> None:
    rows = circe_seven.explained()
    judged = set(SCOPES["circe-seven"])
    assert judged == {"I1", *peer.RULES}
    for row in rows.to_pylist():
        if row["criterion"] in judged:
            assert row["detail"] != NOT_JUDGED
        else:
            assert (row["status"], row["detail"], row["fails"]) == ("unknown", NOT_JUDGED, False)
            assert row["evidence"].startswith("not judged")
    # Circe reads no laboratory result, and neither does this mode.
    assert not any(line.lab_results for line in circe_seven.coverage)
    assert circe_seven.scope == "circe-seven"


def test_an_unknown_scope_is_refused(omop_dir: Path) -> None:
    with pytest.raises(ValueError, match="unknown criteria scope"):
        run_prescreen(open_database(str(omop_dir)), AS_OF, scope="circe-eight")


def test_like_for_like_reads_no_laboratory_table(duckdb_result: PrescreenResult) -> None:
    """Circe reads no `measurement`; neither does the like-for-like run (the full one does)."""
    from lupustrial.prescreen.criteria_ids import sets_for
    from lupustrial.prescreen.staging import tables_read

    seven = duckdb_result.resolved.only(sets_for(SCOPES["circe-seven"]))
    assert "measurement" not in tables_read(seven)
    assert "measurement" in tables_read(duckdb_result.resolved)


def test_each_criterion_alone_has_the_parts_it_reads(omop_dir: Path) -> None:
    """A run judging fewer criteria builds only their parts (`criteria.PARTS`, by reader):
    each criterion judged alone still finds every part it reads (ibis refuses a missing
    column as the expression is built), and the like-for-like facts carry no laboratory
    part."""
    from lupustrial.prescreen.config import DEFAULT_PRESCREEN
    from lupustrial.prescreen.criteria import Context, all_criteria, with_parts
    from lupustrial.prescreen.criteria_ids import sets_for
    from lupustrial.prescreen.facts import latest_records, person_facts, result_concepts
    from lupustrial.prescreen.params import PARAMS_TABLE, Params, params_row
    from lupustrial.prescreen.resolve import resolve
    from lupustrial.prescreen.staging import stage
    from lupustrial.prescreen.units import resolve_units
    from lupustrial.prescreen.windows import Windows

    db = open_database(str(omop_dir))
    resolved = resolve(db)
    params = Params(db.upload(params_row(Windows.of(AS_OF, DEFAULT_PRESCREEN)), PARAMS_TABLE))
    staged = stage(db, resolved, params)
    units = resolve_units(db, staged.events, resolved.ucum)
    unit_map = db.upload(units.table, "prescreen_units")
    results = db.upload(result_concepts(resolved), "prescreen_results")
    events, cohort = staged.events.table, staged.cohort.table
    latest = latest_records(events, unit_map, results, params)
    facts = person_facts(events, cohort, latest, params)
    every = with_parts(Context(facts, params, DEFAULT_PRESCREEN)).columns
    for criterion in CRITERION_IDS:
        ctx = Context(
            with_parts(Context(facts, params, DEFAULT_PRESCREEN), (criterion,)),
            params,
            DEFAULT_PRESCREEN,
        )
        all_criteria(ctx, latest, only=(criterion,))
        assert set(ctx.facts.columns) <= set(every)
    # Like for like pivots only the sets its criteria read (`sets_for`), and judges them.
    judged = SCOPES["circe-seven"]
    only_read = person_facts(events, cohort, latest, params, sets_for(judged))
    seven_ctx = Context(
        with_parts(Context(only_read, params, DEFAULT_PRESCREEN), judged),
        params,
        DEFAULT_PRESCREEN,
    )
    all_criteria(seven_ctx, latest, only=judged)
    seven = seven_ctx.facts.columns
    assert "p_sledai_points" in every
    assert "p_sledai_points" not in seven
    assert "ast_value" in every
    assert "ast_value" not in seven
    assert "p_malignancy" in seven  # E7 is one of Circe's rules
