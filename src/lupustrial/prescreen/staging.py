"""One pass over each clinical table: the events that any concept set names, flagged in or
outside the person's observation period, and the cohort of persons with an SLE record.

Every clinical table is joined once with the concept-set membership table and the result
is cached on the engine; every criterion then reads this small table, never the clinical
tables again. Events after the as-of date are dropped (they have not happened yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lupustrial.prescreen.arrow import table as arrow_table
from lupustrial.prescreen.concepts import DEFAULT_CONCEPT_SETS
from lupustrial.prescreen.omop import OmopDatabase
from lupustrial.prescreen.params import Params
from lupustrial.prescreen.plan import Kept
from lupustrial.prescreen.resolve import ResolvedConcepts

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

_SLE = next(s for s in DEFAULT_CONCEPT_SETS if s.key == "sle")
SOURCES: dict[str, tuple[str, str, str, str | None, bool]] = {
    # table: (record id, concept id, start date, end date, has values)
    "condition_occurrence": (
        "condition_occurrence_id",
        "condition_concept_id",
        "condition_start_date",
        "condition_end_date",
        False,
    ),
    "drug_exposure": (
        "drug_exposure_id",
        "drug_concept_id",
        "drug_exposure_start_date",
        "drug_exposure_end_date",
        False,
    ),
    "measurement": ("measurement_id", "measurement_concept_id", "measurement_date", None, True),
    "observation": ("observation_id", "observation_concept_id", "observation_date", None, True),
}


DOMAINS: tuple[str, ...] = (*SOURCES, "death", "person")
"""The tables a deciding record can come from. Engines carry a record's table as its
position here (a small integer is cheaper to aggregate than a name); results name it."""
DOMAIN_CODE: dict[str, int] = {name: code for code, name in enumerate(DOMAINS)}


def domain_literal(name: str) -> ir.IntegerValue:
    """A table name as the engines carry it (see `DOMAINS`)."""
    import ibis

    return ibis.literal(DOMAIN_CODE[name], type="int16")


@dataclass
class Staged:
    """The kept events and cohort, and the counts the funnel starts from."""

    events: Kept
    cohort: Kept


def _events_of(
    db: OmopDatabase, table: str, members: ir.Table, persons: ir.Table, as_of: ir.DateValue
) -> ir.Table:
    import ibis

    record_id, concept_id, start, end, has_values = SOURCES[table]
    source = db[table].semi_join(persons, "person_id")
    null_id = ibis.null().cast("int64")
    rows = source.select(
        person_id=source.person_id,
        domain=domain_literal(table),
        record_id=source[record_id],
        concept_id=source[concept_id],
        start_date=source[start],
        end_date=source[end] if end else ibis.null().cast("date"),
        value=source.value_as_number if has_values else ibis.null().cast("float64"),
        value_concept_id=source.value_as_concept_id if has_values else null_id,
        unit_concept_id=source.unit_concept_id if has_values else null_id,
        unit_source=source.unit_source_value if has_values else ibis.null().cast("string"),
    ).filter(lambda t: t.start_date <= as_of)
    return rows.join(members, "concept_id")


def tables_read(resolved: ResolvedConcepts) -> tuple[str, ...]:
    """The clinical tables read: those some concept set with concepts here is read in.

    A table no set reads (``measurement`` in the like-for-like run, which judges no
    laboratory criterion; in a vocabulary without the laboratory concepts) is not scanned at
    all. If no set has a concept, every table is kept, for the events' shape.
    """
    read = tuple(
        table
        for table in SOURCES
        if any(resolved.members.get(s.key) for s in DEFAULT_CONCEPT_SETS if table in s.tables)
    )
    return read or tuple(SOURCES)


def membership(resolved: ResolvedConcepts) -> pa.Table:
    """(concept_id, set_key, source): every set's concepts, per clinical table it is read in.

    One table for all the clinical tables: each upload is a statement on the engine.
    """
    ids: list[int] = []
    keys: list[str] = []
    sources: list[int] = []
    for table in SOURCES:
        read_here = [s.key for s in DEFAULT_CONCEPT_SETS if table in s.tables]
        for key, members in resolved.members.items():
            if key in read_here:
                ids.extend(sorted(members))
                keys.extend([key] * len(members))
                sources.extend([DOMAIN_CODE[table]] * len(members))
    return arrow_table(
        {"concept_id": (ids, "int64"), "set_key": (keys, "string"), "source": (sources, "int16")}
    )


def _sle_persons(db: OmopDatabase, members: ir.Table, as_of: ir.DateValue) -> ir.Table:
    """Persons with any SLE record on or before the as-of date (in or outside a period).

    Only these persons can be in the cohort or in the funnel's SLE counts, so every
    clinical table is restricted to them before the events are built.
    """
    import ibis

    members = members.filter(members.set_key == _SLE.key)
    parts = []
    for table in _SLE.tables:
        _, concept_id, start, _, _ = SOURCES[table]
        source = db[table]
        found = source.semi_join(members, source[concept_id] == members.concept_id)
        parts.append(found.filter(found[start] <= as_of).select("person_id"))
    return ibis.union(*parts, distinct=True)


def _events(
    db: OmopDatabase,
    read: tuple[str, ...],
    members: ir.Table,
    persons: ir.Table,
    as_of: ir.DateValue,
) -> ir.Table:
    """Every record of the tables ``read`` in a concept set, flagged in or outside a period."""
    import ibis

    parts = []
    for table in read:
        of_table = members.filter(members.source == DOMAIN_CODE[table])
        parts.append(_events_of(db, table, of_table.drop("source"), persons, as_of))
    events = ibis.union(*parts, distinct=False)
    period = db["observation_period"]
    joined = events.left_join(
        period,
        (events.person_id == period.person_id)
        & (events.start_date >= period.observation_period_start_date)
        & (events.start_date <= period.observation_period_end_date),
    )
    return joined.select(
        *[joined[c] for c in events.columns],
        in_period=joined.observation_period_start_date.notnull(),
    )


def stage(db: OmopDatabase, resolved: ResolvedConcepts, params: Params) -> Staged:
    """Read each clinical table once into the kept events table; find the cohort.

    The clinical tables are first restricted (semi-join on person_id) to persons with an SLE
    record: nothing outside them is ever judged or counted. Each step is kept on the engine
    (`OmopDatabase.keep`); the events' SQL depends on which tables are read (`tables_read`).
    """
    members = db.send(membership(resolved), "prescreen_members")
    persons = db.keep("sle_persons", lambda: _sle_persons(db, members.table, params.as_of))
    read = tables_read(resolved)
    events = db.keep(
        f"events:{'+'.join(read)}",
        lambda: _events(db, read, members.table, persons.table, params.as_of),
    )
    # Computed once: every per-person summary of the cohort is restricted to these persons,
    # and Spark, unlike DuckDB, would compute them again for each (3 of 8 s at 1M persons).
    first = db.keep("first_diagnosis", lambda: _first_diagnosis(events.table))
    cohort = db.keep("cohort", lambda: _cohort(db, first.table, params.as_of))
    return Staged(events=events, cohort=cohort)


def _first_diagnosis(events: ir.Table) -> ir.Table:
    """Per person with an SLE record inside an observation period, the first such record."""
    import ibis

    sle = events.filter((events.set_key == "sle") & events.in_period)
    ranked = sle.mutate(
        rank=ibis.row_number().over(
            group_by=sle.person_id, order_by=[sle.start_date, sle.record_id]
        )
    )
    return ranked.filter(ranked["rank"] == 0).select(
        "person_id",
        first_dx_date=ranked.start_date,
        first_dx_id=ranked.record_id,
        first_dx_domain=ranked.domain,
    )


def _cohort(db: OmopDatabase, first: ir.Table, when: ir.DateValue) -> ir.Table:
    """Persons with an SLE record inside an observation period, with what every rule needs."""
    person = db["person"]
    cohort = first.join(person, "person_id").select(
        first.person_id,
        first.first_dx_date,
        first.first_dx_id,
        first.first_dx_domain,
        gender_concept_id=person.gender_concept_id,
        year_of_birth=person.year_of_birth,
        month_of_birth=person.month_of_birth,
        day_of_birth=person.day_of_birth,
    )
    # Each per-person summary is taken over the cohort's persons only (not every person's
    # visits, say), before it is joined on.
    period = db["observation_period"].semi_join(first, "person_id")
    current = (
        period.filter(
            (period.observation_period_start_date <= when)
            & (period.observation_period_end_date >= when)
        )
        .group_by("person_id")
        .agg(
            op_start=period.observation_period_start_date.min(),
            op_end=period.observation_period_end_date.max(),
        )
    )
    death = db["death"].semi_join(first, "person_id")
    died = (
        death.filter(death.death_date <= when)
        .group_by("person_id")
        .agg(death_date=death.death_date.min())
    )
    visit = db["visit_occurrence"].semi_join(first, "person_id")
    visits = (
        visit.filter(visit.visit_start_date <= when)
        .group_by("person_id")
        .agg(last_visit=visit.visit_start_date.max())
    )
    for extra in (current, died, visits):
        cohort = cohort.left_join(extra, "person_id").drop("person_id_right")
    return cohort


def cohort_counts(db: OmopDatabase, events: Kept) -> dict[str, int]:
    """Persons in the database, with any SLE record, with one inside an observation period."""

    def counts() -> ir.Table:
        sle = events.table.filter(events.table.set_key == "sle")
        person = db["person"]
        return person.aggregate(everyone=person.count()).cross_join(
            sle.aggregate(
                recorded=sle.person_id.nunique(),
                in_period=sle.person_id.nunique(where=sle.in_period),
            )
        )

    row = db.take("cohort_counts", counts).to_pylist()[0]
    return {
        "persons in the database": int(row["everyone"]),
        "with an SLE record": int(row["recorded"]),
        "with an SLE record inside an observation period": int(row["in_period"]),
    }
