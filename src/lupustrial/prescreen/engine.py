"""Running a pre-screen: resolve the concept sets, stage the events, judge every criterion.

Each clinical table is read once (`staging`); the criteria run as one UNION ALL of one
expression each over the cached per-person facts; the results are formatted in Python, the
same way for every engine, column by column with Arrow (never a Python call per row: a
cohort of 100,000 persons has 1.6 million criterion rows).
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
from lupustrial.prescreen.evidence import evidence_column
from lupustrial.prescreen.facts import person_facts
from lupustrial.prescreen.omop import OmopDatabase
from lupustrial.prescreen.outcome import FunnelStep, Person, funnel, kind_of
from lupustrial.prescreen.resolve import ResolvedConcepts, resolve
from lupustrial.prescreen.staging import DOMAINS, cohort_counts, stage
from lupustrial.protocol.rules import Kind

Progress = Callable[[str], None]


@dataclass
class PrescreenResult:
    """Per-person criteria (long table), per-person summary, ranked candidates, funnel."""

    as_of: dt.date
    engine: str
    criteria: pa.Table
    persons: pa.Table
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
    facts = person_facts(db, staged.events, staged.cohort, resolved, windows).cache()
    progress("judging the criteria")
    raw = all_criteria(Context(facts, windows, config)).to_pyarrow()
    outside = _outside(staged.events, staged.cohort)
    cohort = staged.cohort.select("person_id", "first_dx_date", "last_visit").to_pyarrow()
    counts = cohort_counts(db, staged.events)
    progress(f"{cohort.num_rows:,} persons in the cohort; formatting results")
    table = _assemble(raw, outside, windows, config)
    persons = _persons(table, cohort)
    steps = funnel(
        counts,
        _count_by_criterion(table.filter(table["fails"])),
        _count_by_criterion(persons.filter(pc.is_valid(persons["first_failed"])), "first_failed"),
        persons.num_rows,
        CRITERION_IDS,
    )
    candidates = _candidates(table, persons)
    return PrescreenResult(as_of, db.engine, table, persons, candidates, steps, resolved)


Outside = dict[tuple[int, str], tuple[int, Any]]


def _outside(events: ibis.Table, cohort: ibis.Table) -> Outside:
    """Per cohort person and concept set: records outside every observation period."""
    out = events.filter(~events.in_period).semi_join(cohort, "person_id")
    counted = out.group_by(["person_id", "set_key"]).agg(n=out.count(), last=out.start_date.max())
    return {
        (r["person_id"], r["set_key"]): (r["n"], r["last"])
        for r in counted.to_pyarrow().to_pylist()
    }


def _note(person_id: int, criterion: str, outside: Outside) -> str | None:
    notes = []
    for key in SETS_READ.get(criterion, ()):
        found = outside.get((person_id, key))
        if found:
            n, last = found
            notes.append(
                f"{n} {key} record(s) outside the observation period ignored "
                f"(latest {last.isoformat()})"
            )
    return "; ".join(notes) or None


def _notes(table: pa.Table, outside: Outside) -> pa.Array:
    """The note column: written only for the (few) persons with records outside a period."""
    concerned = pa.array(sorted({person_id for person_id, _ in outside}), pa.int64())
    mask = pc.is_in(table["person_id"], value_set=concerned).combine_chunks()
    rows = table.filter(mask).select(["person_id", "criterion"]).to_pylist()
    notes = pa.array([_note(r["person_id"], r["criterion"], outside) for r in rows], pa.string())
    return pc.replace_with_mask(pa.nulls(table.num_rows, pa.string()), mask, notes)


_CRITERIA = pa.array(CRITERION_IDS, pa.string())
_KINDS = pa.array([kind_of(c).value for c in CRITERION_IDS], pa.string())
_FAILING = pa.array(
    ["not_met" if kind_of(c) is Kind.INCLUSION else "met" for c in CRITERION_IDS], pa.string()
)
"""Per criterion (in `CRITERION_IDS` order), its kind and the status that fails it."""
_DOMAINS = pa.array(DOMAINS, pa.string())


def _assemble(
    raw: pa.Table, outside: Outside, windows: Windows, config: PrescreenConfig
) -> pa.Table:
    """The long table sorted by person and criterion order, with kind, fails, evidence, note."""
    table = (
        raw.append_column("_order", pc.index_in(raw["criterion"], value_set=_CRITERIA))
        .sort_by([("person_id", "ascending"), ("_order", "ascending")])
        .combine_chunks()
    )
    position = table["_order"]
    domain = pc.take(_DOMAINS, table["record_domain"])
    table = table.set_column(
        table.schema.get_field_index("record_domain"),
        pa.field("record_domain", pa.string()),
        domain,
    )
    fails = pc.fill_null(pc.equal(table["status"], pc.take(_FAILING, position)), False)
    table = table.append_column(pa.field("kind", pa.string()), pc.take(_KINDS, position))
    table = table.append_column(pa.field("fails", pa.bool_()), fails)
    table = table.append_column(
        pa.field("evidence", pa.string()), evidence_column(table, windows, config)
    )
    table = table.append_column(pa.field("note", pa.string()), _notes(table, outside))
    return table.drop_columns(["_order"])


def _persons(table: pa.Table, cohort: pa.Table) -> pa.Table:
    """One row per cohort person: failures, unknowns, the first failed criterion, lab points."""
    order = pc.index_in(table["criterion"], value_set=_CRITERIA)
    flags = pa.table(
        {
            "person_id": table["person_id"],
            "failed": pc.cast(table["fails"], pa.int64()),
            "unknown": pc.cast(pc.equal(table["status"], "unknown"), pa.int64()),
            "first_failed": pc.if_else(table["fails"], order, pa.scalar(None, pa.int32())),
        }
    )
    summary = flags.group_by("person_id").aggregate(
        [("failed", "sum"), ("unknown", "sum"), ("first_failed", "min")]
    )
    lab = table.filter(pc.equal(table["criterion"], "I3")).select(["person_id", "value"])
    persons = cohort.join(summary, "person_id").join(lab, "person_id")
    return pa.table(
        {
            "person_id": persons["person_id"],
            "first_dx_date": persons["first_dx_date"],
            "last_visit": persons["last_visit"],
            "failed": persons["failed_sum"],
            "unknown": persons["unknown_sum"],
            "first_failed": pc.take(_CRITERIA, persons["first_failed_min"]),
            "lab_points": pc.fill_null(persons["value"], 0.0),
        }
    ).sort_by("person_id")


def _count_by_criterion(table: pa.Table, column: str = "criterion") -> dict[str, int]:
    counted = table.group_by(column).aggregate([([], "count_all")])
    return dict(zip(counted[column].to_pylist(), counted["count_all"].to_pylist(), strict=True))


def _candidates(table: pa.Table, persons: pa.Table) -> list[Person]:
    """Persons failing nothing, ranked: fewest unknowns, then most lab activity, most recent
    diagnosis, most recent visit (never visited last), and the person id, so the order is
    the same on every engine."""
    chosen = persons.filter(pc.equal(persons["failed"], 0)).sort_by(
        [
            ("unknown", "ascending", "at_end"),
            ("lab_points", "descending", "at_end"),
            ("first_dx_date", "descending", "at_end"),
            ("last_visit", "descending", "at_end"),
            ("person_id", "ascending", "at_end"),
        ]
    )
    rows = table.filter(pc.is_in(table["person_id"], value_set=chosen["person_id"]))
    statuses: dict[int, dict[str, str]] = {}
    for person_id, criterion, status in zip(
        rows["person_id"].to_pylist(),
        rows["criterion"].to_pylist(),
        rows["status"].to_pylist(),
        strict=True,
    ):
        statuses.setdefault(person_id, {})[criterion] = status
    return [
        Person(
            r["person_id"],
            r["first_dx_date"],
            r["last_visit"],
            statuses[r["person_id"]],
            r["lab_points"],
        )
        for r in chosen.to_pylist()
    ]
