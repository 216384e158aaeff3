"""Running a pre-screen: resolve the concept sets, stage the events, judge every criterion.

Each clinical table is read once (`staging`); the criteria run as one UNION ALL of one
expression each over the cached per-person facts; the results are formatted in Python, the
same way for every engine, column by column with Arrow (never a Python call per row: a
cohort of 100,000 persons has 1.6 million criterion rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lupustrial.prescreen.arrow import array, from_numpy, numpy_of, scalar
from lupustrial.prescreen.config import DEFAULT_PRESCREEN, PrescreenConfig
from lupustrial.prescreen.coverage import SetCoverage, coverage, warnings
from lupustrial.prescreen.criteria_ids import CRITERION_IDS, SCOPES, SETS_READ, STATUSES, sets_for
from lupustrial.prescreen.engines import Engine, EngineLostError
from lupustrial.prescreen.evidence import evidence_column
from lupustrial.prescreen.facts import latest_records, person_facts, result_concepts
from lupustrial.prescreen.omop import OmopDatabase
from lupustrial.prescreen.outcome import FunnelStep, Person, funnel, kind_of
from lupustrial.prescreen.params import PARAMS_TABLE, Params, params_row
from lupustrial.prescreen.plan import Kept, Plan
from lupustrial.prescreen.resolve import ResolvedConcepts, resolve
from lupustrial.prescreen.staging import DOMAINS, cohort_counts, stage
from lupustrial.prescreen.units import resolve_units
from lupustrial.prescreen.windows import Windows
from lupustrial.protocol.rules import Kind

if TYPE_CHECKING:
    import ibis.expr.types as ir

Progress = Callable[[str], None]


@dataclass
class PrescreenResult:
    """Per-person criteria (long table), per-person summary, ranked candidates, funnel.

    ``criteria`` holds every person's every criterion with its status and the deciding
    record (table, id, date, value, detail); `explained` adds the sentence that says it,
    written only when asked for: the files of `report.write_outputs` hold them, the printed
    summary does not, and a cohort of 100,000 persons has 1.6 million of them.
    """

    as_of: dt.date
    engine: str
    criteria: pa.Table
    persons: pa.Table
    candidates: list[Person]
    funnel: list[FunnelStep]
    resolved: ResolvedConcepts
    windows: Windows
    config: PrescreenConfig
    location: str = ""
    options: dict[str, str] = field(default_factory=dict)
    """Where the OMOP data was read, and how to open it again (`omop.open_database`'s
    options, e.g. a schema): the candidate import reopens it with the run's engine."""
    coverage: list[SetCoverage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What this database could not answer as a whole (`coverage`), and tables read as
    empty (`OmopDatabase.warnings`): printed as the run goes and written with the results."""
    scope: str = "all"
    """Which criteria were judged (`criteria_ids.SCOPES`); the others are "not judged"."""
    _explained: pa.Table | None = field(default=None, init=False, repr=False, compare=False)

    def explained(self) -> pa.Table:
        """``criteria`` with each row's evidence sentence (before the note), made once."""
        if self._explained is None:
            sentences = evidence_column(self.criteria, self.windows, self.config)
            at = self.criteria.schema.get_field_index("note")
            self._explained = self.criteria.add_column(
                at, pa.field("evidence", pa.string()), sentences
            )
        return self._explained

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
    scope: str = "all",
) -> PrescreenResult:
    """Pre-screen ``db`` on its engine for the as-of date (the consent/first-dose proxy).

    ``scope`` names the criteria judged (`criteria_ids.SCOPES`): with fewer, only the concept
    sets they read are staged (``circe-seven`` reads no laboratory result, as Circe does).
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown criteria scope {scope!r}: one of {', '.join(SCOPES)}")
    judged = SCOPES[scope]
    db.plan = Plan.for_run(db.engine.name, scope, config)
    progress(f"resolving concept sets in {db.location} ({db.engine.name})")
    resolved = resolve(db)
    if judged != CRITERION_IDS:
        resolved = resolved.only(sets_for(judged))
    for item in resolved.unresolved:
        progress(f"warning: concept set {item.set_key}: {item.item.reference} not in vocabulary")
    progress("reading clinical tables once (events inside the concept sets)")
    windows = Windows.of(as_of, config)
    if db.engine.runs_sql:
        params = Params(db.send(params_row(windows), PARAMS_TABLE))
    else:
        params = Params(None, literal=windows)
    staged = stage(db, resolved, params)
    units = resolve_units(db, staged.events, resolved.ucum)
    report = coverage(db, staged.events, resolved, units)
    if judged != CRITERION_IDS:
        read = sets_for(judged)
        report = [line for line in report if line.key in read]
    said = [*db.warnings, *warnings(report)]
    for warning in said:
        progress(f"warning: {warning}")
    unit_map = db.send(units.table, "prescreen_units")
    results = db.send(result_concepts(resolved), "prescreen_results")
    latest = db.keep(
        "latest",
        lambda: latest_records(staged.events.table, unit_map.table, results.table, params),
    )
    # A run judging fewer criteria pivots only the sets they read (the others are not staged).
    pivoted = None if judged == CRITERION_IDS else sets_for(judged)

    def facts() -> ir.Table:
        # The criteria's expressions are built (and ibis imported) only to compile a step.
        from lupustrial.prescreen.criteria import Context, with_parts

        wide = person_facts(staged.events.table, staged.cohort.table, latest.table, params, pivoted)
        return with_parts(Context(wide, params, config), only=judged)

    kept_facts = db.keep("facts", facts)
    progress("judging the criteria")

    def criteria() -> ir.Table:
        from lupustrial.prescreen.criteria import Context, all_criteria

        ctx = Context(kept_facts.table, params, config)
        rows = all_criteria(ctx, latest.table, form=db.engine.criteria_form, only=judged)
        if db.engine.sorts_results:
            # DuckDB sorts in parallel at almost no cost on top of the query, where Arrow's
            # single-threaded sort took 0.4 s for 1.5M rows; an engine that does not
            # (`Engine.sorts_results`) has its rows sorted by `_sorted`.
            rows = rows.order_by(_ORDER)
        return rows

    raw = db.take("criteria", criteria)
    outside = _outside(db, staged.events, staged.cohort)
    cohort = db.take(
        "cohort_rows",
        lambda: staged.cohort.table.select("person_id", "first_dx_date", "last_visit"),
    )
    counts = cohort_counts(db, staged.events)
    db.plan.save()
    progress(f"{cohort.num_rows:,} persons in the cohort; formatting results")
    table, grid = _assemble(raw, outside)
    persons = _persons(grid, cohort)
    steps = funnel(
        counts, grid.failing_alone(), grid.failing_first(), persons.num_rows, CRITERION_IDS
    )
    candidates = _candidates(grid, persons)
    return PrescreenResult(
        as_of,
        db.engine.name,
        table,
        persons,
        candidates,
        steps,
        resolved,
        windows,
        config,
        db.location,
        dict(db.options),
        report,
        said,
        scope,
    )


def run_prescreen_on(
    engine: Engine,
    open_db: Callable[[], OmopDatabase],
    as_of: dt.date,
    config: PrescreenConfig = DEFAULT_PRESCREEN,
    progress: Progress = _quiet,
    scope: str = "all",
    attempts: int = 2,
) -> PrescreenResult:
    """`run_prescreen` on the database ``open_db`` opens on ``engine``; if the engine is lost
    while opening or mid-run (`Engine.lost`: Spark's JVM went away, py4j "connection
    refused"), the database is opened again, which starts the engine again, and the run
    repeated, up to ``attempts`` runs in all. Each loss is reported through ``progress``; a
    run lost on every attempt is an `EngineLostError`. Any other error is raised at once: a
    run is only repeated when the engine, not the query or the data, failed, and a repeated
    run starts from nothing, so its result is the result of one whole run.
    """
    for attempt in range(1, attempts + 1):
        try:
            return run_prescreen(open_db(), as_of, config, progress, scope)
        except Exception as error:
            if not engine.lost(error):
                raise
            said = _said(error)
            if attempt == attempts:
                raise EngineLostError(
                    f"the {engine.name} engine was lost on {attempts} attempts: {said}"
                ) from error
            progress(
                f"warning: the {engine.name} engine was lost ({said}); opening it again "
                f"and running again (attempt {attempt + 1} of {attempts})"
            )
    raise AssertionError("attempts must be at least 1")


def _said(error: BaseException) -> str:
    """An error's first line, and its cause's (py4j puts the refused connection there)."""
    said = [error]
    cause = error.__cause__ or getattr(error, "cause", None)
    if isinstance(cause, BaseException):
        said.append(cause)
    return "; ".join(f"{type(e).__name__}: {(str(e).strip() or '-').splitlines()[0]}" for e in said)


def _outside(db: OmopDatabase, events: Kept, cohort: Kept) -> pa.Table:
    """Per cohort person and concept set: records outside every observation period."""

    def counted() -> ir.Table:
        out = events.table.filter(~events.table.in_period).semi_join(cohort.table, "person_id")
        return out.group_by(["person_id", "set_key"]).agg(n=out.count(), last=out.start_date.max())

    return db.take("outside", counted)


_SETS_READ: tuple[tuple[str, int], ...] = tuple(
    (key, CRITERION_IDS.index(criterion)) for criterion, keys in SETS_READ.items() for key in keys
)
"""(concept set, criterion code) for every set a criterion reads, in the criterion's order."""
_SETS_NOTED = list(dict.fromkeys(key for key, _ in _SETS_READ))


def _notes(persons: np.ndarray, outside: pa.Table) -> pa.Array:
    """Per row of the long table (``persons``, in order, times every criterion), the records
    outside an observation period its criterion would have read (`SETS_READ`), counted per
    concept set in the set's order, or null."""
    text = pc.binary_join_element_wise(
        pc.cast(outside["n"], pa.string()),
        scalar(" ", "string"),
        outside["set_key"],
        scalar(" record(s) outside the observation period ignored (latest ", "string"),
        pc.cast(outside["last"], pa.string()),
        scalar(")", "string"),
        scalar("", "string"),
    )
    person_ids = numpy_of(outside["person_id"])
    at = np.searchsorted(persons, person_ids)
    judged = bool(np.all(at < len(persons))) and np.array_equal(persons[at], person_ids)
    assert judged, "notes only for judged persons"
    set_code = numpy_of(
        pc.fill_null(
            pc.index_in(outside["set_key"], value_set=array(_SETS_NOTED, "string")),
            scalar(-1, "int32"),
        )
    )
    # One piece per (outside record count, criterion reading its set); its place in the
    # long table, and its place among the criterion's sets (the order the note lists them).
    pieces = [
        (np.flatnonzero(set_code == _SETS_NOTED.index(key)), code, order)
        for order, (key, code) in enumerate(_SETS_READ)
    ]
    source = np.concatenate([rows for rows, _, _ in pieces])
    row = at[source] * len(CRITERION_IDS) + np.repeat(
        [code for _, code, _ in pieces], [len(rows) for rows, _, _ in pieces]
    )
    order = np.repeat([o for _, _, o in pieces], [len(rows) for rows, _, _ in pieces])
    sort = np.lexsort((order, row))
    row, source = row[sort], source[sort]
    first = np.flatnonzero(np.diff(row, prepend=-1))  # a row's first piece
    size = len(persons) * len(CRITERION_IDS)
    if not len(first):
        return pa.nulls(size, pa.string())
    groups = from_numpy(np.r_[first, len(row)].astype(np.int32))
    pieces_text = pc.take(text, from_numpy(source)).combine_chunks()
    joined = pc.binary_join(pa.ListArray.from_arrays(groups, pieces_text), scalar("; ", "string"))
    # Built from buffers: the rows with a note come in row order, so their texts already
    # lie end to end; every other row is a null of length zero.
    ends = np.frombuffer(joined.buffers()[1], np.int32)[joined.offset :][: len(joined) + 1]
    length = np.zeros(size, np.int32)
    length[row[first]] = np.diff(ends)
    offsets = np.concatenate([[0], np.cumsum(length, dtype=np.int32)]).astype(np.int32)
    valid = np.zeros(size, bool)
    valid[row[first]] = True
    data = joined.buffers()[2].slice(int(ends[0]), int(ends[-1] - ends[0]))
    return pa.Array.from_buffers(
        pa.string(),
        size,
        [pa.py_buffer(np.packbits(valid, bitorder="little")), pa.py_buffer(offsets), data],
    )


_CRITERIA = array(CRITERION_IDS, "string")
_KINDS = array([kind.value for kind in Kind], "string")
_KIND_CODE = np.array([list(Kind).index(kind_of(c)) for c in CRITERION_IDS], np.int8)
_FAILING_CODE = np.array(
    [STATUSES.index("not_met" if kind_of(c) is Kind.INCLUSION else "met") for c in CRITERION_IDS],
    np.int8,
)
"""Per criterion (by its code, its position in `CRITERION_IDS`), its kind and the status
code that fails it."""
_UNKNOWN = STATUSES.index("unknown")
_I3 = CRITERION_IDS.index("I3")
_DOMAINS = array(DOMAINS, "string")
_STATUSES = array(STATUSES, "string")


_ORDER = ("person_id", "criterion")


def _sorted(table: pa.Table) -> pa.Table:
    """``table`` by person and criterion: as the engine returned it when it kept the order
    asked for (checked, cheaply), otherwise sorted here."""
    person = numpy_of(table["person_id"])
    criterion = numpy_of(table["criterion"])
    step = np.diff(person)
    in_order = bool(np.all((step > 0) | ((step == 0) & (np.diff(criterion) > 0))))
    return table if in_order else table.sort_by([(c, "ascending") for c in _ORDER])


def _named(codes: pa.ChunkedArray, names: pa.Array) -> pa.ChunkedArray:
    """Codes shown as the names they stand for: a dictionary column, which reads (and
    writes to CSV) as the names, without a string per row being made."""
    kind = pa.dictionary(pa.int8(), names.type)
    chunks = [pa.DictionaryArray.from_arrays(c.cast(pa.int8()), names) for c in codes.chunks]
    return pa.chunked_array(chunks, kind)


@dataclass(frozen=True)
class _Grid:
    """The long table's codes as one row per person, one column per criterion.

    The engine returns every criterion of every cohort person, sorted by person and
    criterion code (`_sorted`), so the rows reshape into this grid without a copy, and
    every per-person summary is a reduction along a row.
    """

    persons: np.ndarray
    status: np.ndarray
    fails: np.ndarray
    lab_points: np.ndarray

    @classmethod
    def of(cls, table: pa.Table) -> _Grid:
        width = len(CRITERION_IDS)
        if table.num_rows % width:
            raise AssertionError("the engine must return every criterion of every person")
        criterion = numpy_of(table["criterion"]).reshape(-1, width)
        if not np.array_equal(criterion, np.broadcast_to(np.arange(width), criterion.shape)):
            raise AssertionError("the engine must return every criterion of every person")
        status = numpy_of(table["status"]).reshape(-1, width)
        value = numpy_of(pc.fill_null(table["value"], scalar(0.0, "float64"))).reshape(-1, width)
        return cls(
            persons=numpy_of(table["person_id"])[::width],
            status=status,
            fails=status == _FAILING_CODE,
            lab_points=value[:, _I3],
        )

    @property
    def first_failed(self) -> np.ndarray:
        """Per person, the code of the first criterion failed, or -1."""
        return np.where(self.fails.any(axis=1), self.fails.argmax(axis=1), -1)

    def failing_alone(self) -> dict[str, int]:
        return dict(zip(CRITERION_IDS, self.fails.sum(axis=0).tolist(), strict=True))

    def failing_first(self) -> dict[str, int]:
        first = self.first_failed
        counts = np.bincount(first[first >= 0], minlength=len(CRITERION_IDS))
        return dict(zip(CRITERION_IDS, counts.tolist(), strict=True))


def _assemble(raw: pa.Table, outside: pa.Table) -> tuple[pa.Table, _Grid]:
    """The long table sorted by person and criterion order, with kind, fails and note.

    The engines return criterion, status and the record's table as codes (`criteria`,
    `STATUSES`, `DOMAINS`); they stay codes here, shown as names by dictionary columns.
    """
    table = _sorted(raw)
    grid = _Grid.of(table)
    position = table["criterion"]
    named = {
        "criterion": _named(position, _CRITERIA),
        "status": _named(table["status"], _STATUSES),
        "record_domain": _named(table["record_domain"], _DOMAINS),
    }
    for name, column in named.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    kind = _named(pa.chunked_array([from_numpy(_KIND_CODE[numpy_of(position)])]), _KINDS)
    table = table.append_column("kind", kind)
    table = table.append_column("fails", from_numpy(grid.fails.ravel()))
    table = table.append_column(pa.field("note", pa.string()), _notes(grid.persons, outside))
    return table, grid


def _persons(grid: _Grid, cohort: pa.Table) -> pa.Table:
    """One row per cohort person: failures, unknowns, the first failed criterion, lab points."""
    cohort = cohort.sort_by("person_id")
    if not np.array_equal(numpy_of(cohort["person_id"]), grid.persons):
        raise AssertionError("every cohort person, and only they, must be judged")
    first = grid.first_failed
    return pa.table(
        {
            "person_id": cohort["person_id"],
            "first_dx_date": cohort["first_dx_date"],
            "last_visit": cohort["last_visit"],
            "failed": from_numpy(grid.fails.sum(axis=1)),
            "unknown": from_numpy((grid.status == _UNKNOWN).sum(axis=1)),
            "first_failed": pc.take(_CRITERIA, from_numpy(first, mask=first < 0)),
            "lab_points": from_numpy(grid.lab_points),
        }
    )


def _candidates(grid: _Grid, persons: pa.Table) -> list[Person]:
    """Persons failing nothing, ranked: fewest unknowns, then most lab activity, most recent
    diagnosis, most recent visit (never visited last), and the person id, so the order is
    the same on every engine."""
    at = from_numpy(np.arange(persons.num_rows))
    chosen = (
        persons.append_column("_at", at)
        .filter(pc.equal(persons["failed"], scalar(0, "int64")))
        .sort_by(
            [
                ("unknown", "ascending", "at_end"),
                ("lab_points", "descending", "at_end"),
                ("first_dx_date", "descending", "at_end"),
                ("last_visit", "descending", "at_end"),
                ("person_id", "ascending", "at_end"),
            ]
        )
    )
    return [
        Person(
            r["person_id"],
            r["first_dx_date"],
            r["last_visit"],
            dict(zip(CRITERION_IDS, [STATUSES[s] for s in grid.status[r["_at"]]], strict=True)),
            r["lab_points"],
        )
        for r in chosen.to_pylist()
    ]
