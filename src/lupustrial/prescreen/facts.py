"""Per person, the latest in-period record of every concept set: one row, many columns.

From the staged events, one window pass keeps each person's most recent record per set
(ties broken by record id, so every engine picks the same one), converts quantitative
results into the unit their criterion is judged in, reads qualitative ones as positive (1)
or negative (0), and pivots the lot into one row per person.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from lupustrial.prescreen.labs import QUALITATIVE, QUANTITATIVE
from lupustrial.prescreen.omop import OmopDatabase
from lupustrial.prescreen.resolve import ResolvedConcepts, upload

LATEST_SETS: tuple[str, ...] = (
    *QUANTITATIVE,
    *QUALITATIVE,
    "immunosuppressants",
    "live_vaccines",
    "viral_hepatitis",
    "tuberculosis",
    "malignancy",
    "cervical_in_situ",
    "pregnancy",
    "lactation",
    "collagen_diseases",
)
FIELDS: tuple[str, ...] = ("date", "end", "id", "domain", "value", "result", "unit")


def latest_records(db: OmopDatabase, events: ir.Table, resolved: ResolvedConcepts) -> ir.Table:
    """Each person's most recent in-period record per set, values in their criterion's unit."""
    wanted = events.filter(events.in_period & events.set_key.isin(list(LATEST_SETS)))
    ranked = wanted.mutate(
        rank=ibis.row_number().over(
            group_by=[wanted.person_id, wanted.set_key],
            order_by=[wanted.start_date.desc(), wanted.record_id.desc()],
        )
    )
    latest = ranked.filter(ranked["rank"] == 0)
    units = upload(db, resolved.unit_table(), "prescreen_units")
    joined = latest.left_join(
        units,
        (latest.set_key == units.set_key) & (latest.unit_concept_id == units.unit_concept_id),
    )
    positive = sorted(resolved.members["positive"]) or [-1]
    negative = sorted(resolved.members["negative"]) or [-1]
    return joined.select(
        person_id=joined.person_id,
        set_key=latest.set_key,
        date=joined.start_date,
        end=joined.end_date,
        id=joined.record_id,
        domain=joined.domain,
        value=(joined.value * joined.scale + joined.shift).round(9),
        result=ibis.cases(
            (joined.value_concept_id.isin(positive), 1),
            (joined.value_concept_id.isin(negative), 0),
        ).cast("int64"),
        unit=latest.unit_concept_id,
    )


def pivot(latest: ir.Table) -> ir.Table:
    """One row per person: ``<set>_<field>`` for every set in `LATEST_SETS`."""
    aggregates = {
        f"{key}_{name}": ibis.cases((latest.set_key == key, latest[name])).max()
        for key in LATEST_SETS
        for name in FIELDS
    }
    return latest.group_by("person_id").agg(**aggregates)


def unlisted_vaccines(events: ir.Table, since: dt.date) -> ir.Table:
    """Vaccinations since ``since`` whose vaccine is on neither protocol list (latest one)."""
    vaccines = events.filter(
        events.in_period
        & (events.start_date >= ibis.literal(since))
        & events.set_key.isin(["any_vaccine", "live_vaccines", "non_live_vaccines"])
    )
    listed = ibis.ifelse(vaccines.set_key != "any_vaccine", 1, 0)  # no bool→int cast on PG
    per_record = vaccines.group_by(["person_id", "domain", "record_id"]).agg(
        listed=listed.max(), date=vaccines.start_date.max()
    )
    unlisted = per_record.filter(per_record.listed == 0)
    ranked = unlisted.mutate(
        rank=ibis.row_number().over(
            group_by=unlisted.person_id,
            order_by=[unlisted.date.desc(), unlisted.record_id.desc()],
        )
    )
    first = ranked.filter(ranked["rank"] == 0)
    return first.select(
        "person_id",
        unlisted_vaccine_date=first.date,
        unlisted_vaccine_id=first.record_id,
        unlisted_vaccine_domain=first.domain,
    )


def person_facts(
    db: OmopDatabase,
    events: ir.Table,
    cohort: ir.Table,
    resolved: ResolvedConcepts,
    vaccine_since: dt.date,
) -> ir.Table:
    """The cohort with every fact the criteria read, one row per person."""
    facts = pivot(latest_records(db, events, resolved))
    wide = cohort.left_join(facts, "person_id").drop("person_id_right")
    vaccines = unlisted_vaccines(events, vaccine_since)
    return wide.left_join(vaccines, "person_id").drop("person_id_right")
