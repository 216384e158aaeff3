"""The funnel, the per-person summary and the ranking, recomputed here person by person.

The engine computes them column by column with Arrow; these tests hold that to the plain
definitions: an inclusion fails when not met, an exclusion when met, unknown never fails.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pyarrow as pa

from lupustrial.prescreen.criteria_ids import CRITERION_IDS
from lupustrial.prescreen.engine import PrescreenResult, _notes, _sorted
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


def _outside(rows: list[tuple[int, str, int, str]]) -> pa.Table:
    return pa.table(
        {
            "person_id": pa.array([r[0] for r in rows], pa.int64()),
            "set_key": pa.array([r[1] for r in rows], pa.string()),
            "n": pa.array([r[2] for r in rows], pa.int64()),
            "last": pa.array([dt.date.fromisoformat(r[3]) for r in rows], pa.date32()),
        }
    )


def test_notes_list_each_criterions_sets_in_its_order_on_its_row() -> None:
    persons = np.array([10, 20, 30], np.int64)
    outside = _outside(
        [
            (30, "alt", 1, "2020-02-02"),  # E4 reads ast then alt: listed in that order
            (30, "ast", 2, "2021-01-01"),
            (10, "anti_hcv", 1, "2019-05-05"),  # read by E2 and E3: noted on both
            (30, "non_live_vaccines", 4, "2018-01-01"),  # read by no criterion
        ]
    )
    notes = _notes(persons, outside).to_pylist()
    assert len(notes) == 3 * len(CRITERION_IDS)

    def at(person: int, criterion: str) -> str | None:
        note: str | None = notes[person * len(CRITERION_IDS) + CRITERION_IDS.index(criterion)]
        return note

    ignored = " record(s) outside the observation period ignored"
    assert at(2, "E4") == (
        f"2 ast{ignored} (latest 2021-01-01); 1 alt{ignored} (latest 2020-02-02)"
    )
    assert at(0, "E2") == at(0, "E3") == f"1 anti_hcv{ignored} (latest 2019-05-05)"
    noted = {(p, c) for p in range(3) for c in CRITERION_IDS if at(p, c) is not None}
    assert noted == {(2, "E4"), (0, "E2"), (0, "E3")}


def test_no_records_outside_a_period_leave_every_note_empty() -> None:
    notes = _notes(np.array([1, 2], np.int64), _outside([]))
    assert notes.null_count == len(notes) == 2 * len(CRITERION_IDS)
