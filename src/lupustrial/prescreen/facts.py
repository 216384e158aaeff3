"""Per person, the latest in-period record of every concept set: one row, many columns.

From the staged events, one window pass keeps each person's most recent record per set
(ties broken by record id, so every engine picks the same one), converts quantitative
results into the unit their criterion is judged in, reads qualitative ones as positive (1)
or negative (0), and pivots the lot into one row per person.

The pivot is the costliest step of a run (one conditional aggregate per set and field), so
it carries only the fields some criterion reads (`FIELDS`), and a set read only inside a
window (`look_back`) keeps only the records inside it: a latest record older than the
window decides nothing, so dropping those records changes no answer.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from lupustrial.clinical.sledai2k import LAB_THRESHOLDS
from lupustrial.prescreen.arrow import table
from lupustrial.prescreen.labs import QUALITATIVE, QUANTITATIVE
from lupustrial.prescreen.params import Params
from lupustrial.prescreen.resolve import ResolvedConcepts
from lupustrial.prescreen.units import unit_keys

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

_RECORD = ("date",)
_WITH_END = ("tuberculosis", "malignancy", "cervical_in_situ")
LATEST_SETS: tuple[str, ...] = (
    *QUANTITATIVE,
    *QUALITATIVE,
    "immunosuppressants",
    "live_vaccines",
    "viral_hepatitis",
    "hepatitis_b",
    "hepatitis_c",
    *_WITH_END,
    "pregnancy",
    "lactation",
    "collagen_diseases",
)
FIELDS: dict[str, tuple[str, ...]] = {
    key: (
        *_RECORD,
        *(("value",) if key in QUANTITATIVE else ()),
        *(("result",) if key in QUALITATIVE else ()),
        *(("end",) if key in _WITH_END else ()),
    )
    for key in LATEST_SETS
}
"""Per set, the ``<set>_<field>`` columns the criteria read: the record's date, a converted
value for quantitative tests, a result for qualitative ones, an end date where an open
record matters (E6, E7). The record's id and table are not pivoted: a criterion names the
set whose latest record decided it, and `criteria.all_criteria` looks them up."""
SET_CODE: dict[str, int] = {key: code for code, key in enumerate(LATEST_SETS)}
"""A set as the engines carry it in `latest_records` and in a criterion's deciding record."""


def look_back(params: Params) -> dict[str, ir.DateValue]:
    """Sets read only inside a window, with the window's first day (see the module doc).

    I3 reads its lab descriptors only from the SLEDAI-2K window; E9 a pregnancy record or a
    test only from the pregnancy look-back (or the shorter negative-test window, whichever
    starts earlier); E10 and E12 their records only inside their windows.
    """
    import ibis

    days = {rule.measurement: params.day("sledai") for rule in LAB_THRESHOLDS}
    days["pregnancy"] = params.day("pregnancy")
    days["pregnancy_test"] = ibis.least(params.day("pregnancy"), params.day("pregnancy_test"))
    days["lactation"] = params.day("lactation")
    days["live_vaccines"] = params.day("live_vaccine")
    return days


def latest_records(
    events: ir.Table, unit_map: ir.Table, results: ir.Table, params: Params
) -> ir.Table:
    """Each person's most recent in-period record per set, values in their criterion's unit
    (``unit_map``: `units.ResolvedUnits.table`; ``results``: `result_concepts`)."""
    import ibis

    windowed = look_back(params)
    unbounded = [key for key in LATEST_SETS if key not in windowed]
    inside = events.set_key.isin(unbounded)
    for key, since in windowed.items():
        inside |= (events.set_key == key) & (events.start_date >= since)
    wanted = events.filter(events.in_period & inside)
    ranked = wanted.mutate(
        rank=ibis.row_number().over(
            group_by=[wanted.person_id, wanted.set_key],
            order_by=[wanted.start_date.desc(), wanted.record_id.desc()],
        )
    )
    latest = ranked.filter(ranked["rank"] == 0)
    unit_id, written = unit_keys(latest)
    with_unit = latest.left_join(
        unit_map,
        (latest.set_key == unit_map.set_key)
        & (unit_id == unit_map.unit_key)
        & (written == unit_map.unit_text),
    )
    joined = with_unit.left_join(results, with_unit.value_concept_id == results.concept_id)
    return joined.select(
        person_id=joined.person_id,
        set_key=joined.set_key,
        set_code=ibis.cases(*[(joined.set_key == k, c) for k, c in SET_CODE.items()]).cast("int16"),
        date=joined.start_date,
        end=joined.end_date,
        id=joined.record_id,
        domain=joined.domain,
        value=(joined.value * joined.scale + joined.shift).round(9),
        result=joined.result.cast("int64"),
    )


def result_concepts(resolved: ResolvedConcepts) -> pa.Table:
    """(concept_id, result): the qualitative answers' concepts, 1 positive, 0 negative.

    Sent as a table to join rather than written into the query, so that the query is the
    same whatever the vocabulary holds; a concept in both sets reads as positive.
    """
    positive = sorted(resolved.members["positive"])
    negative = sorted(resolved.members["negative"] - resolved.members["positive"])
    return table(
        {
            "concept_id": ([*positive, *negative], "int64"),
            "result": ([1] * len(positive) + [0] * len(negative), "int64"),
        }
    )


def pivot(latest: ir.Table, sets: Collection[str] | None = None) -> ir.Table:
    """One row per person: ``<set>_<field>`` for every set (of ``sets``, if given) and field
    in `FIELDS`."""
    import ibis

    aggregates = {
        f"{key}_{name}": ibis.cases((latest.set_key == key, latest[name])).max()
        for key, names in FIELDS.items()
        if sets is None or key in sets
        for name in names
    }
    return latest.group_by("person_id").agg(**aggregates)


def unlisted_vaccines(events: ir.Table, since: ir.DateValue) -> ir.Table:
    """Vaccinations since ``since`` whose vaccine is on neither protocol list (latest one)."""
    import ibis

    vaccines = events.filter(
        events.in_period
        & (events.start_date >= since)
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
    events: ir.Table,
    cohort: ir.Table,
    latest: ir.Table,
    params: Params,
    sets: Collection[str] | None = None,
) -> ir.Table:
    """The cohort with every fact the criteria read, one row per person (``latest`` is
    `latest_records`); with ``sets``, only those concept sets' facts (a run judging fewer
    criteria: `criteria_ids.sets_for`), the others being neither staged nor read."""
    facts = pivot(latest, sets)
    wide = cohort.left_join(facts, "person_id").drop("person_id_right")
    vaccines = unlisted_vaccines(events, params.day("live_vaccine"))
    return wide.left_join(vaccines, "person_id").drop("person_id_right")
