"""Benchmark: the full pre-screen against OHDSI Circe's SQL and a plain scan, by size.

    .venv/bin/python benchmarks/bench_prescreen.py                      # 100k, 1M, 5M
    .venv/bin/python benchmarks/bench_prescreen.py --sizes 100000,1000000
    .venv/bin/python benchmarks/bench_prescreen.py --sle-share 0.005 --spark-size 0

By default about 15% of the synthetic persons have an SLE record (a stress test of the
per-person work); ``--sle-share`` sets a hospital's share instead (under 1%).

For each size a synthetic OMOP population is generated once (streamed, in chunks) into the
cache directory and reused by later runs. Each measurement runs in its own process, so its
peak memory (`resource.getrusage`, max RSS of the process and its children) is its own, and
each DuckDB measurement runs ``--repeat`` times (3), the runs alternated (scan, ours,
like-for-like, Circe, scan, ...), the median time reported, and each turn's ratios printed
(a turn's runs back to back, in one run); ``--thin-vocabulary`` measures populations whose
vocabulary lacks the UCUM rows and chronic hepatitis codes, and ``--spark-runs 20``
is the Spark JVM soak (each run logged, failures counted):

* scan   - DuckDB ``COUNT(*)`` over every Parquet table the pre-screen reads, every column
           read (hashed), as a floor;
* ours   - the full pre-screen on DuckDB (every criterion with its deciding record, the
           funnel, the ranking): `lupustrial.prescreen.engine.run_prescreen`; then, timed
           apart, every row's evidence sentence (`PrescreenResult.explained`, which the
           files written with ``--out`` hold and the printed summary does not);
* like   - ours like for like (``lupustrial prescreen --criteria circe-seven``): the cohort
           and the seven rules Circe can express, each with its deciding record, only their
           concept sets staged (no laboratory result read, as Circe reads none); its
           candidates must be Circe's cohort ('counts =' checks the per-rule counts);
* circe  - Circe's SQL for its seven inclusion rules (`lupustrial.prescreen.circe`),
           rendered and translated beforehand (translation time is printed apart);
* spark  - the full pre-screen on Spark local, at one size (1M unless --spark-size).

Each measurement also reports its CPU seconds (`time.process_time`: every thread of the
process, DuckDB's workers included), and the ratios are printed for CPU time too: on a
machine shared with other work the wall-clock ratios move with the load, the CPU ratios much
less. Ours compiles each step's SQL once and keeps it (`lupustrial.prescreen.plan`): the
first run of each scope compiles (its time is printed apart, as Circe's rendering and
translation are done before its clock starts), the timed runs read the kept SQL; 'comp' is
what a timed run still spent compiling (none, unless a step was not kept).

The aim: ours no slower than Circe's SQL (ratio ≤ 1) and linear in persons (seconds per
million persons flat across sizes). This is a benchmark, not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

Run = dict[str, Any]
"""One measurement, as a worker prints it in JSON (json.loads gives Any): numbers, lists."""

AS_OF = dt.date(2025, 1, 15)
SEED = 11
DATA_VERSION = 3  # 2: ~60 records per person; 3: unit_source_value, hepatitis levels
TABLES = (
    "person",
    "observation_period",
    "condition_occurrence",
    "drug_exposure",
    "measurement",
    "observation",
    "visit_occurrence",
    "death",
    "concept",
    "concept_ancestor",
)


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0  # Linux: KiB


def data_dir(
    cache: Path, persons: int, sle_share: float | None = None, *, thin: bool = False
) -> Path:
    """The synthetic population of ``persons``, generated once (a marker file says done).

    Generated in a worker process too: Linux keeps a process's peak memory across fork and
    exec, so a parent grown by generating would lend its peak to every later worker.
    """
    share = "" if sle_share is None else f"_sle{sle_share:g}"
    share += "_thin" if thin else ""
    directory = cache / f"omop_{persons}_seed{SEED}_{AS_OF.isoformat()}_v{DATA_VERSION}{share}"
    marker = directory / "_COMPLETE"
    if not marker.exists():
        directory.mkdir(parents=True, exist_ok=True)
        options = ["--persons", str(persons)]
        if sle_share is not None:
            options += ["--sle-share", repr(sle_share)]
        if thin:
            options += ["--thin-vocabulary"]
        made = run_worker("generate", directory, *options)
        marker.write_text(json.dumps(made["rows"]))
        print(f"  generated {persons:,} persons in {made['seconds']:.1f} s -> {directory}")
    return directory


def generate(directory: Path, persons: int, sle_share: float | None, thin: bool) -> Run:
    from lupustrial.prescreen.synthetic import write_synthetic

    started = time.perf_counter()
    summary = write_synthetic(
        directory, persons, seed=SEED, as_of=AS_OF, sle_share=sle_share, thin_vocabulary=thin
    )
    return {"seconds": time.perf_counter() - started, "rows": summary.rows}


# --- measurements (each in a worker process) -------------------------------------------


class _CompileClock:
    """Seconds spent compiling a run's steps to SQL (`plan`: ibis building the expression,
    then writing its SQL), which a run from kept SQL skips: wraps the engine's compiling
    methods for this process (ibis is not imported for it)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def install(self) -> _CompileClock:
        from lupustrial.prescreen.engines.duckdb import DuckDB

        # Timing wrappers put in place of the methods for the run: what mypy forbids on purpose.
        DuckDB.compile_keep = self._timed(DuckDB.compile_keep)  # type: ignore[method-assign]
        DuckDB.compile_fetch = self._timed(DuckDB.compile_fetch)  # type: ignore[method-assign]  # as above
        return self

    def _timed(self, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


def measure_scan(directory: Path) -> Run:
    import duckdb

    con = duckdb.connect()
    started, cpu = time.perf_counter(), time.process_time()
    rows = 0
    for table in TABLES:
        single = directory / f"{table}.parquet"
        source = str(single) if single.exists() else str(directory / table / "*.parquet")
        # COUNT(*) alone is answered from the Parquet footers; hashing every column reads it.
        query = f"SELECT COUNT(*), BIT_XOR(HASH(COLUMNS(*))) FROM read_parquet('{source}')"
        counted = con.execute(query).fetchone()
        assert counted is not None  # an aggregate answers one row
        rows += int(counted[0])
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "rows": rows,
    }


def measure_ours(directory: Path, engine: str, scope: str = "all") -> Run:
    import duckdb

    from lupustrial.prescreen.circe import peer
    from lupustrial.prescreen.engine import run_prescreen_on
    from lupustrial.prescreen.engines import engine_named
    from lupustrial.prescreen.engines.spark import local_spark_session
    from lupustrial.prescreen.omop import OmopDatabase, open_database

    # As for Circe (timed from a connected DuckDB), the engine is up before the clock
    # starts: DuckDB connected once, its engine module loaded; Spark's JVM started.
    if engine == "spark":
        local_spark_session()
    else:
        duckdb.connect().close()
        engine_named(engine)

    def opened() -> OmopDatabase:
        # Spark: the process's session, or a new one if its JVM was lost (logged).
        options = {"session": local_spark_session()} if engine == "spark" else {}
        return open_database(str(directory), engine, **options)

    lost: list[str] = []

    def progress(message: str) -> None:
        if "was lost" in message:
            print(message, file=sys.stderr, flush=True)
            lost.append(message)

    compiling = _CompileClock().install()
    started, cpu = time.perf_counter(), time.process_time()
    result = run_prescreen_on(engine_named(engine), opened, AS_OF, progress=progress, scope=scope)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    # The evidence sentences are written only with the files (`--out`): timed apart.
    started = time.perf_counter()
    result.explained()
    sentences_seconds = time.perf_counter() - started
    counts = peer.our_counts(result)
    if engine == "spark":
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "compile_seconds": compiling.seconds,
        "sentences_seconds": sentences_seconds,
        "cohort": counts.base,
        "counts": [counts.per_rule, counts.remaining],
        "rows": result.criteria.num_rows,
        "lost": lost,
    }


def measure_circe(directory: Path) -> Run:
    import duckdb

    from lupustrial.prescreen.circe import peer
    from lupustrial.prescreen.omop import open_database
    from lupustrial.prescreen.resolve import resolve

    resolved = resolve(open_database(str(directory)))
    started = time.perf_counter()
    sql = peer.duckdb_sql(AS_OF, resolved)
    translate_seconds = time.perf_counter() - started
    con = duckdb.connect()
    peer.prepare_duckdb(con, directory)
    started, cpu = time.perf_counter(), time.process_time()
    peer.run_circe_sql(con, sql)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    counts = peer.circe_counts(con)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "translate_seconds": translate_seconds,
        "cohort": counts.base,
        "counts": [counts.per_rule, counts.remaining],
    }


def worker(kind: str, directory: Path, persons: int, sle_share: float | None, thin: bool) -> None:
    from lupustrial.prescreen import plan

    # Without the plans shipped for the default configuration: ours compiles on its first run
    # (timed apart) and runs from the SQL it kept after, as before they were shipped.
    plan.SHIPPED = directory / "no-shipped-plans"
    if kind == "generate":
        out = generate(directory, persons, sle_share, thin)
    elif kind == "scan":
        out = measure_scan(directory)
    elif kind == "circe":
        out = measure_circe(directory)
    elif kind == "like":
        out = measure_ours(directory, "duckdb", scope="circe-seven")
    else:
        out = measure_ours(directory, kind)
    out["peak_mb"] = _peak_mb()
    print("RESULT " + json.dumps(out), flush=True)


def run_worker(kind: str, directory: Path, *options: str) -> Run:
    """Run one measurement in a fresh process; its stdout's last RESULT line is the answer."""
    command = [sys.executable, __file__, "--worker", kind, "--data", str(directory), *options]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            result: Run = json.loads(line[len("RESULT ") :])
            return result
    log = directory.parent / f"{directory.name}_{kind}_failed.log"
    log.write_text(f"$ {' '.join(command)}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    raise RuntimeError(f"{kind} on {directory} failed ({log}): " + " | ".join(tail))


def spark_runs(directory: Path, persons: int, runs: int) -> list[Run]:
    """``runs`` consecutive Spark runs, each logged with its outcome: a run whose JVM went
    away (py4j "connection refused") is a failure, counted, and the soak goes on."""
    done: list[Run] = []
    for turn in range(1, runs + 1):
        print(f"  {persons:>10,} persons: spark run {turn}/{runs} ...", end=" ", flush=True)
        try:
            done.append(run_worker("spark", directory))
        except RuntimeError as error:
            # Spark is reported apart: its failure leaves the DuckDB comparison standing.
            print(f"failed\n    {error}", flush=True)
            continue
        recovered = list(done[-1].get("lost", []))
        note = f" (JVM lost and restarted {len(recovered)}x: {recovered[0]})" if recovered else ""
        print(f"{float(done[-1]['seconds']):.1f} s{note}", flush=True)
    restarted = sum(1 for run in done if run.get("lost"))
    print(
        f"  spark: {runs - len(done)} of {runs} runs failed, {restarted} finished after "
        "their JVM was lost and restarted",
        flush=True,
    )
    return done


def median_run(runs: list[Run]) -> Run:
    """The run of median time (its counts), with every run's time and the highest peak.

    A run's time on a virtual machine varies by 10-30% with the state of the machine's
    memory (the kernel zeroing fresh pages, reclaiming its page cache), more for the
    measurement that uses most memory: one run each would compare luck.
    """
    ordered = sorted(runs, key=lambda r: float(r["seconds"]))
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["all_seconds"] = [float(r["seconds"]) for r in runs]
    chosen["peak_mb"] = max(float(r["peak_mb"]) for r in runs)
    # CPU and compile seconds: each its own median (not the median wall run's).
    for key in ("cpu_seconds", "compile_seconds"):
        if all(key in r for r in runs):
            chosen[key] = statistics.median(float(r[key]) for r in runs)
    return chosen


# --- report -----------------------------------------------------------------------------


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--spark-size", type=int, default=1_000_000, help="0 skips Spark")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each DuckDB measurement, each in a fresh process; the median is "
        "reported (Spark runs once)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(os.environ.get("PRESCREEN_BENCH_CACHE", Path(tempfile.gettempdir())))
        / "lupustrial-bench-prescreen",
    )
    parser.add_argument(
        "--sle-share",
        type=float,
        default=None,
        help="share of persons with an SLE record (default: the generator's ~15%%; "
        "a hospital's is under 1%%)",
    )
    parser.add_argument(
        "--thin-vocabulary",
        action="store_true",
        help="populations whose vocabulary lacks the UCUM rows and chronic hepatitis codes",
    )
    parser.add_argument(
        "--spark-runs",
        type=int,
        default=1,
        help="consecutive Spark runs at --spark-size, each logged (a JVM soak: 20)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--persons", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.data, args.persons, args.sle_share, args.thin_vocabulary)
        return

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    # A compiled-SQL cache of this benchmark's own, empty: the first runs compile (`plan`).
    os.environ["LUPUSTRIAL_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-prescreen-sql-")
    share = "generator default" if args.sle_share is None else f"{args.sle_share:.2%}"
    vocabulary = "thin" if args.thin_vocabulary else "full"
    print(
        f"pre-screen benchmark, as of {AS_OF}, seed {SEED}, SLE share {share}, "
        f"{vocabulary} vocabulary, cache {args.cache}"
    )
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}\n", flush=True)
    results: dict[int, dict[str, Run]] = {}
    for persons in sizes:
        directory = data_dir(args.cache, persons, args.sle_share, thin=args.thin_vocabulary)
        results[persons] = {}
        # Alternated (scan, ours, like-for-like, Circe, scan, ...) rather than each three
        # times in a row, so that a change in the machine's load falls on every measurement
        # alike.
        kinds = ["scan", "duckdb", "like", "circe"]
        # Ours compiles its SQL once (`plan`) and runs from the kept SQL after, as Circe's
        # SQL is rendered and translated before its clock starts: the first run of each
        # scope, which compiles, is reported here and not among the timed runs.
        first = {kind: run_worker(kind, directory) for kind in ("duckdb", "like")}
        print(
            f"  {persons:>10,} persons: first runs, compiling their SQL (not timed below): "
            + ", ".join(
                f"{'ours' if kind == 'duckdb' else kind} {float(r['seconds']):.2f} s "
                f"({float(r['compile_seconds']):.2f} s compiling)"
                for kind, r in first.items()
            ),
            flush=True,
        )
        measured: dict[str, list[Run]] = {kind: [] for kind in kinds}
        for turn in range(1, args.repeat + 1):
            for kind in kinds:
                print(f"  {persons:>10,} persons: {kind} run {turn} ...", end=" ", flush=True)
                measured[kind].append(run_worker(kind, directory))
                print(f"{float(measured[kind][-1]['seconds']):.2f} s", flush=True)
        for turn in range(args.repeat):
            seconds = {k: float(measured[k][turn]["seconds"]) for k in kinds}
            cpu = {k: float(measured[k][turn]["cpu_seconds"]) for k in kinds}
            print(
                f"  {persons:>10,} persons: turn {turn + 1} ratios: like/circe "
                f"{seconds['like'] / seconds['circe']:.2f}, ours/circe "
                f"{seconds['duckdb'] / seconds['circe']:.2f}, ours/scan "
                f"{seconds['duckdb'] / seconds['scan']:.1f}; CPU: like/circe "
                f"{cpu['like'] / cpu['circe']:.2f}, ours/circe {cpu['duckdb'] / cpu['circe']:.2f}",
                flush=True,
            )
        for kind in kinds:
            results[persons][kind] = median_run(measured[kind])
        if persons == args.spark_size:
            spark = spark_runs(directory, persons, args.spark_runs)
            if spark:
                results[persons]["spark"] = median_run(spark)

    header = [
        "persons",
        "cohort",
        "scan s",
        "ours s",
        "sentences s",
        "like s",
        "circe s",
        "like/circe",
        "ours/circe",
        "+sentences",
        "ours/scan",
        "ours s/1M",
        "circe s/1M",
        "ours MB",
        "like MB",
        "circe MB",
        "counts =",
    ]
    cpu_header = [
        "persons",
        "scan cpu",
        "ours cpu",
        "like cpu",
        "circe cpu",
        "like/circe",
        "ours/circe",
        "ours comp",
        "like comp",
    ]
    widths = [max(len(h), 10) for h in header]
    print("\nDuckDB: full pre-screen (ours: all 16 criteria with their deciding records, the")
    print("funnel and the ranking; 'sentences s': then every row's evidence sentence, as written")
    print("with --out) vs Circe's SQL (its 7 inclusion rules + cohort) vs COUNT(*) over every")
    print("table read; 'like': ours like for like (--criteria circe-seven: the cohort and the")
    print("seven rules Circe can express, with reasons); '+sentences' is (ours + sentences) /")
    print("circe; 'counts =': per-rule counts equal for ours, like and Circe")
    print(_row(header, widths))
    for persons, r in results.items():
        ours, like, circe, scan = r["duckdb"], r["like"], r["circe"], r["scan"]
        o, c, s = float(ours["seconds"]), float(circe["seconds"]), float(scan["seconds"])
        lk = float(like["seconds"])
        w = float(ours["sentences_seconds"])
        same = all(
            run["counts"] == circe["counts"] and run["cohort"] == circe["cohort"]
            for run in (ours, like)
        )
        cells = [
            f"{persons:,}",
            f"{ours['cohort']:,}",
            f"{s:.2f}",
            f"{o:.2f}",
            f"{w:.2f}",
            f"{lk:.2f}",
            f"{c:.2f}",
            f"{lk / c:.2f}",
            f"{o / c:.2f}",
            f"{(o + w) / c:.2f}",
            f"{o / s:.1f}",
            f"{o / persons * 1e6:.2f}",
            f"{c / persons * 1e6:.2f}",
            f"{float(ours['peak_mb']):.0f}",
            f"{float(like['peak_mb']):.0f}",
            f"{float(circe['peak_mb']):.0f}",
            "yes" if same else "NO",
        ]
        print(_row(cells, widths))
    print("\nCPU seconds (every thread of the process), medians, and their ratios; 'comp': of")
    print("ours' and like's wall time, the seconds spent compiling SQL (the timed runs read it")
    print("kept from their first run; in Circe's, none)")
    widths = [max(len(h), 10) for h in cpu_header]
    print(_row(cpu_header, widths))
    for persons, run in results.items():
        cpu = {k: float(run[k]["cpu_seconds"]) for k in ("scan", "duckdb", "like", "circe")}
        cells = [
            f"{persons:,}",
            f"{cpu['scan']:.2f}",
            f"{cpu['duckdb']:.2f}",
            f"{cpu['like']:.2f}",
            f"{cpu['circe']:.2f}",
            f"{cpu['like'] / cpu['circe']:.2f}",
            f"{cpu['duckdb'] / cpu['circe']:.2f}",
            f"{float(run['duckdb']['compile_seconds']):.2f}",
            f"{float(run['like']['compile_seconds']):.2f}",
        ]
        print(_row(cells, widths))
    translate = [float(run["circe"]["translate_seconds"]) for run in results.values()]
    print(
        f"(Circe SQL rendering + SqlRender translation, not in 'circe s': "
        f"{min(translate):.1f}-{max(translate):.1f} s)"
    )
    for persons, run in results.items():
        if "spark" in run:
            spark_run, ours_run = run["spark"], run["duckdb"]
            sp, o = float(spark_run["seconds"]), float(ours_run["seconds"])
            same = spark_run["counts"] == ours_run["counts"]
            print(
                f"\nSpark local, {persons:,} persons: {sp:.1f} s "
                f"({sp / o:.1f}x DuckDB), peak {float(spark_run['peak_mb']):.0f} MB "
                "(the Python process; the JVM is not counted), "
                f"counts equal to DuckDB: {'yes' if same else 'NO'}"
            )
    if len(results) > 1:
        smallest, largest = min(results), max(results)
        grow = largest / smallest
        o_grow = float(results[largest]["duckdb"]["seconds"]) / float(
            results[smallest]["duckdb"]["seconds"]
        )
        c_grow = float(results[largest]["circe"]["seconds"]) / float(
            results[smallest]["circe"]["seconds"]
        )
        print(
            f"\nscaling {smallest:,} -> {largest:,} persons (x{grow:.0f}): ours x{o_grow:.1f}, "
            f"Circe x{c_grow:.1f} (linear would be x{grow:.0f})"
        )


if __name__ == "__main__":
    main()
