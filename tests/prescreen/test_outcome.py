"""The funnel, the per-person summary and the ranking, recomputed here person by person.

The engine computes them column by column with Arrow; these tests hold that to the plain
definitions: an inclusion fails when not met, an exclusion when met, unknown never fails.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from lupustrial.prescreen.criteria import CRITERION_IDS
from lupustrial.prescreen.engine import PrescreenResult, _sorted
from lupustrial.prescreen.outcome import fails

from .conftest import by_person


def _failed(result: PrescreenResult) -> dict[int, list[str]]:
    return {
        person_id: [c for c in CRITERION_IDS if fails(c, str(rows[c]["status"]))]
        for person_id, rows in by_person(result).items()
    }


def test_fails_column_is_the_protocol_rule(duckdb_result: PrescreenResult) -> None:
    for row in duckdb_result.criteria.to_pylist():
        assert row["fails"] == fails(row["criterion"], row["status"])


def test_funnel_counts_each_criterion_alone_and_in_turn(duckdb_result: PrescreenResult) -> None:
    failed = _failed(duckdb_result)
    alone = Counter(c for criteria in failed.values() for c in criteria)
    steps = duckdb_result.funnel[-len(CRITERION_IDS) :]
    remaining = len(failed)
    for criterion, step in zip(CRITERION_IDS, steps, strict=True):
        assert step.step.startswith(f"{criterion}: ")
        remaining -= sum(1 for criteria in failed.values() if criteria[:1] == [criterion])
        assert (step.remaining, step.failing_alone) == (remaining, alone[criterion])
    assert steps[-1].remaining == len(duckdb_result.candidates)
    assert any(step.failing_alone for step in steps)  # the population exercises the funnel


def test_person_summary_counts_failures_and_unknowns(duckdb_result: PrescreenResult) -> None:
    rows = by_person(duckdb_result)
    summary = {r["person_id"]: r for r in duckdb_result.persons.to_pylist()}
    assert set(summary) == set(rows)
    for person_id, criteria in rows.items():
        statuses = {c: str(r["status"]) for c, r in criteria.items()}
        failed = [c for c in CRITERION_IDS if fails(c, statuses[c])]
        assert summary[person_id]["failed"] == len(failed)
        assert summary[person_id]["first_failed"] == (failed[0] if failed else None)
        assert summary[person_id]["unknown"] == list(statuses.values()).count("unknown")
        assert summary[person_id]["lab_points"] == (criteria["I3"]["value"] or 0.0)


def test_candidates_are_ranked_by_the_documented_key(duckdb_result: PrescreenResult) -> None:
    rows = by_person(duckdb_result)
    summary = {r["person_id"]: r for r in duckdb_result.persons.to_pylist()}

    def key(person_id: int) -> tuple[object, ...]:
        s = summary[person_id]
        visit = s["last_visit"].toordinal() if s["last_visit"] else 0
        return (
            s["unknown"],
            -s["lab_points"],
            -s["first_dx_date"].toordinal(),
            -visit,
            person_id,
        )

    expected = sorted((p for p, s in summary.items() if s["failed"] == 0), key=key)
    got = [p.person_id for p in duckdb_result.candidates]
    assert got == expected
    assert len(got) > 1
    for person in duckdb_result.candidates:
        assert person.statuses == {c: r["status"] for c, r in rows[person.person_id].items()}
        assert person.candidate


def test_rows_come_out_by_person_then_criterion_whatever_order_the_engine_returned() -> None:
    ordered = pa.table({"person_id": [1, 1, 2, 2, 3], "criterion": [0, 1, 0, 1, 0], "x": range(5)})
    assert _sorted(ordered) is ordered  # kept as returned: no sort paid
    shuffled = ordered.take([4, 2, 0, 3, 1])
    assert _sorted(shuffled).equals(ordered)
    same_person_out_of_order = ordered.take([1, 0, 2, 3, 4])
    assert _sorted(same_person_out_of_order).equals(ordered)


def test_sentences_are_written_when_asked_for_and_once(duckdb_result: PrescreenResult) -> None:
    criteria = duckdb_result.criteria
    assert "evidence" not in criteria.column_names
    explained = duckdb_result.explained()
    assert explained.column_names == [*criteria.column_names[:-1], "evidence", "note"]
    assert explained.drop_columns(["evidence"]).equals(criteria)
    assert explained["evidence"].null_count == 0
    assert duckdb_result.explained() is explained
