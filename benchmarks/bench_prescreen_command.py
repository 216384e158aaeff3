"""The whole `lupustrial prescreen` command, as a user runs it: a configuration's first run
(an empty compiled-SQL cache) and a run from its kept SQL, each in a fresh process.

Runs ``lupustrial prescreen --omop <population> --as-of 2025-01-15`` on the benchmark's
synthetic population (`bench_prescreen.py`'s, generated once into ``--cache``), alternating
first and kept runs; with ``--against REV``, also the command as it was at git revision REV
(its ``src`` exported to a temporary folder), alternated with the working tree's, round by
round. Each run gets a new empty ``LUPUSTRIAL_CACHE_DIR`` for its first run, which its kept
run then reads. Prints each run's wall and CPU seconds (user + system, the child's own),
the medians, whether every run printed the same bytes, and the load average before and
after. Not a test: numbers from one run, on whatever else the machine is doing.

    .venv/bin/python benchmarks/bench_prescreen_command.py --rounds 5
    .venv/bin/python benchmarks/bench_prescreen_command.py --against main~1 --rounds 5
    .venv/bin/python benchmarks/bench_prescreen_command.py --out   # writing the files too
    .venv/bin/python benchmarks/bench_prescreen_command.py --without-shipped   # and compiling

Python writes no bytecode where ``PYTHONDONTWRITEBYTECODE`` is set: each run then compiles
the project's own modules again (about 0.1 s CPU more than an installed package, which
has its bytecode); the header says which.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_prescreen import AS_OF, data_dir
from revisions import export_src

ROOT = Path(__file__).resolve().parents[1]


_WITHOUT_SHIPPED = (
    "import sys\n"
    "from pathlib import Path\n"
    "from lupustrial.prescreen import plan\n"
    "plan.SHIPPED = Path('/nonexistent')\n"
    "from lupustrial.cli import main\n"
    "sys.exit(main())\n"
)
"""The command without the shipped plans (`plan.SHIPPED`): a first run compiles, as the first
run of a configuration other than the default does."""


def command(without_shipped: bool = False) -> list[str]:
    """The installed command beside this interpreter, as a user starts it."""
    if without_shipped:
        return [sys.executable, "-c", _WITHOUT_SHIPPED]
    script = Path(sys.executable).parent / "lupustrial"
    return [str(script)] if script.exists() else [sys.executable, "-m", "lupustrial"]


def run(
    src: Path, population: Path, cache: Path, out: Path | None, without_shipped: bool = False
) -> tuple[float, float, str]:
    """Wall and CPU seconds of one command with ``src`` first on the path (writing its files
    into ``out``, if given), and a digest of what it printed."""
    environment = dict(os.environ, PYTHONPATH=str(src), LUPUSTRIAL_CACHE_DIR=str(cache))
    argv = [*command(without_shipped), "prescreen", "--omop", str(population)]
    argv += ["--as-of", AS_OF.isoformat()]
    if out is not None:
        argv += ["--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=environment, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, hashlib.sha256(done.stdout).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--persons", type=int, default=100_000, help="persons in the synthetic OMOP population"
    )
    parser.add_argument(
        "--sle-share", type=float, default=0.005, help="share of persons with an SLE record"
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path("/tmp/lupustrial-bench-prescreen"),
        help="folder of the generated populations (made when missing, reused after)",
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternated rounds of each way compared"
    )
    parser.add_argument("--against", metavar="REV", help="compare with the command at REV")
    parser.add_argument("--out", action="store_true", help="the command writes its files (--out)")
    parser.add_argument(
        "--without-shipped",
        action="store_true",
        help="also the working tree without its shipped plans: a first run that compiles, as "
        "for a configuration other than the default",
    )
    options = parser.parse_args()
    population = data_dir(options.cache, options.persons, options.sle_share)
    bytecode = "not written" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "written"
    print(
        f"lupustrial prescreen, {options.persons:,} persons (SLE share {options.sle_share:.2%}), "
        f"{'with --out, ' if options.out else ''}bytecode {bytecode}, "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as directory:
        sources = {"working tree": ROOT / "src"}
        if options.against:
            sources = {
                options.against: export_src(options.against, Path(directory) / "before"),
                **sources,
            }
        compiling = {"compiling": ROOT / "src"} if options.without_shipped else {}
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        printed: set[str] = set()
        for number in range(1, options.rounds + 1):
            for way, src in {**sources, **compiling}.items():  # alternated: drift hits all alike
                cache = Path(tempfile.mkdtemp(dir=directory, prefix="sql-"))
                for run_kind in ("first", "kept"):
                    out = Path(tempfile.mkdtemp(dir=directory)) if options.out else None
                    wall, cpu, digest = run(src, population, cache, out, way == "compiling")
                    printed.add(digest)
                    times.setdefault((way, run_kind), []).append((wall, cpu))
                    print(
                        f"round {number} {way:>14} {run_kind:>5}: wall {wall:5.2f} s, "
                        f"CPU {cpu:5.2f} s",
                        flush=True,
                    )
    for (way, run_kind), measured in times.items():
        walls, cpus = [w for w, _ in measured], [c for _, c in measured]
        print(
            f"{way:>14} {run_kind:>5}: median wall {statistics.median(walls):.2f} s "
            f"({min(walls):.2f}-{max(walls):.2f}), CPU {statistics.median(cpus):.2f} s "
            f"({min(cpus):.2f}-{max(cpus):.2f})"
        )
    print(f"same output every run: {'yes' if len(printed) == 1 else 'NO'}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
