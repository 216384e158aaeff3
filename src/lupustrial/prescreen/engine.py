"""Running a pre-screen: resolve the concept sets, stage the events, judge every criterion.

Each clinical table is read once (`staging`); the criteria run as one UNION ALL of one
expression each over the cached per-person facts; the results are formatted in Python, the
same way for every engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from lupustrial.prescreen.config import DEFAULT_PRESCREEN, PrescreenConfig
from lupustrial.prescreen.criteria import CRITERION_IDS, SETS_READ, Context, Windows, all_criteria
from lupustrial.prescreen.evidence import evidence
from lupustrial.prescreen.facts import person_facts
from lupustrial.prescreen.omop import OmopDatabase
from lupustrial.prescreen.outcome import FunnelStep, Person, funnel, kind_of, ranked
from lupustrial.prescreen.resolve import ResolvedConcepts, resolve
from lupustrial.prescreen.staging import cohort_counts, stage
from lupustrial.protocol.rules import Kind

Progress = Callable[[str], None]


@dataclass
class PrescreenResult:
    """Per-person criteria (long table), the ranked candidates, and the funnel."""

    as_of: dt.date
    engine: str
    criteria: pa.Table
    people: list[Person]
    candidates: list[Person]
    funnel: list[FunnelStep]
    resolved: ResolvedConcepts

    def statuses(self) -> list[tuple[int, str, str]]:
        """(person_id, criterion, status) sorted: what the engines must agree on."""
        rows = zip(
            self.criteria["person_id"].to_pylist(),
            self.criteria["criterion"].to_pylist(),
            self.criteria["status"].to_pylist(),
            strict=True,
        )
        return sorted(rows)


def _quiet(message: str) -> None:
    return None


def run_prescreen(
    db: OmopDatabase,
    as_of: dt.date,
    config: PrescreenConfig = DEFAULT_PRESCREEN,
    progress: Progress = _quiet,
) -> PrescreenResult:
    """Pre-screen ``db`` on its engine for the as-of date (the consent/first-dose proxy)."""
    progress(f"resolving concept sets in {db.location} ({db.engine})")
    resolved = resolve(db)
    for item in resolved.unresolved:
        progress(f"warning: concept set {item.set_key}: {item.item.reference} not in vocabulary")
    progress("reading clinical tables once (events inside the concept sets)")
    staged = stage(db, resolved, as_of)
    windows = Windows.of(as_of, config)
    facts = person_facts(db, staged.events, staged.cohort, resolved, windows.live_vaccine).cache()
    progress("judging the criteria")
    raw = all_criteria(Context(facts, windows, config)).to_pyarrow()
    outside = _outside(staged.events, staged.cohort)
    cohort = (
        staged.cohort.select("person_id", "first_dx_date", "last_visit").to_pyarrow().to_pylist()
    )
    counts = cohort_counts(db, staged.events)
    progress(f"{len(cohort):,} persons in the cohort; formatting results")
    table, people = _assemble(raw, outside, cohort, windows, config)
    steps = funnel(counts, people, CRITERION_IDS)
    return PrescreenResult(as_of, db.engine, table, people, ranked(people), steps, resolved)


def _outside(events: ibis.Table, cohort: ibis.Table) -> dict[tuple[int, str], tuple[int, Any]]:
    """Per cohort person and concept set: records outside every observation period."""
    out = events.filter(~events.in_period).semi_join(cohort, "person_id")
    counted = out.group_by(["person_id", "set_key"]).agg(n=out.count(), last=out.start_date.max())
    return {
        (r["person_id"], r["set_key"]): (r["n"], r["last"])
        for r in counted.to_pyarrow().to_pylist()
    }


def _note(person_id: int, criterion: str, outside: dict[tuple[int, str], tuple[int, Any]]) -> str:
    notes = []
    for key in SETS_READ.get(criterion, ()):
        found = outside.get((person_id, key))
        if found:
            n, last = found
            notes.append(
                f"{n} {key} record(s) outside the observation period ignored "
                f"(latest {last.isoformat()})"
            )
    return "; ".join(notes)


_FAILING = {cid: "not_met" if kind_of(cid) is Kind.INCLUSION else "met" for cid in CRITERION_IDS}
"""Per criterion, the status that fails it (as `outcome.fails`)."""
_EVIDENCE_COLUMNS = (
    "person_id",
    "criterion",
    "status",
    "detail",
    "value",
    "record_date",
    "record_id",
    "record_domain",
)


def _assemble(
    raw: pa.Table,
    outside: dict[tuple[int, str], tuple[int, Any]],
    cohort: list[dict[str, Any]],
    windows: Windows,
    config: PrescreenConfig,
) -> tuple[pa.Table, list[Person]]:
    """The long table, sorted by person and criterion order, with kind, fails, evidence, note.

    Sorting, kind and fails are Arrow operations; only the evidence sentences (and notes
    for the few persons with records outside a period) are written row by row.
    """
    ids = pa.array(CRITERION_IDS, pa.string())
    position = pc.index_in(raw["criterion"], value_set=ids)
    table = (
        raw.append_column("_order", position)
        .sort_by([("person_id", "ascending"), ("_order", "ascending")])
        .combine_chunks()
    )
    position = table["_order"]
    table = table.drop_columns(["_order"])
    kinds = pc.take(pa.array([kind_of(c).value for c in CRITERION_IDS], pa.string()), position)
    failing = pc.take(pa.array([_FAILING[c] for c in CRITERION_IDS], pa.string()), position)
    fail = pc.fill_null(pc.equal(table["status"], failing), False)
    rows = table.select(list(_EVIDENCE_COLUMNS)).to_pylist()
    sentences = [evidence(r, windows, config) for r in rows]
    person_ids = table["person_id"].to_pylist()
    criteria = table["criterion"].to_pylist()
    with_outside = {person_id for person_id, _ in outside}
    notes = [
        (_note(p, c, outside) or None) if p in with_outside else None
        for p, c in zip(person_ids, criteria, strict=True)
    ]
    people = {
        r["person_id"]: Person(r["person_id"], r["first_dx_date"], r["last_visit"]) for r in cohort
    }
    for r in rows:
        person = people[r["person_id"]]
        person.statuses[r["criterion"]] = r["status"]
        if r["criterion"] == "I3":
            person.lab_points = r["value"] or 0.0
    table = table.append_column(pa.field("kind", pa.string()), kinds)
    table = table.append_column(pa.field("fails", pa.bool_()), fail)
    table = table.append_column(pa.field("evidence", pa.string()), pa.array(sentences, pa.string()))
    table = table.append_column(pa.field("note", pa.string()), pa.array(notes, pa.string()))
    return table, sorted(people.values(), key=lambda p: p.person_id)
