"""`lupustrial score` on JSON Lines: assessments per second, two ways of scoring compared.

Writes N assessments (the shipped examples, cycled, each with its own id) to a JSON Lines
file, then runs the command on it, alternating two ways:

- by default, in-process: results validated as they are built (`StrictModel.trusted`
  replaced by the model's own constructor, as before issue 19) against results built from
  values already validated (`StrictModel.trusted`, as now);
- with ``--against REV``: the command as it was at git revision REV (its ``src`` exported to
  a temporary folder) against the working tree's, each round in a fresh process of its own.

The command is imported and run once before timing, so the rates are steady (no start-up).
Prints each round, the median rate of each way in wall and CPU time, their ratio, and whether
both printed the same bytes. Not a test: numbers from one run, on whatever else the machine
is doing (say the load with them).

    .venv/bin/python benchmarks/bench_score_command.py --assessments 3000 --rounds 3
    .venv/bin/python benchmarks/bench_score_command.py --against main~3 --rounds 5
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from revisions import export_src

from lupustrial.cli import main
from lupustrial.clinical.model import StrictModel

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def write_input(path: Path, count: int) -> None:
    lines = (EXAMPLES / "assessments.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            record = dict(records[number % len(records)], id=f"BENCH-{number:06d}")
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def validated_results() -> Iterator[None]:
    """Results validated as they are built: the constructor instead of `trusted`."""
    original = StrictModel.__dict__["trusted"]

    def construct(cls: type[StrictModel], /, **values: Any) -> StrictModel:
        return cls(**values)

    # The classmethod replaced for the run (and put back below): mypy forbids it on purpose.
    StrictModel.trusted = classmethod(construct)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        StrictModel.trusted = original  # type: ignore[method-assign]  # put back, as above


def run_once(path: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of one `lupustrial score PATH`, and what it printed."""
    buffer = io.StringIO()
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        main(["score", str(path)])  # typer exits 0 at the end
    return time.perf_counter() - wall, time.process_time() - cpu, buffer.getvalue()


def worker(path: Path) -> None:
    """One round in this process (the one ``--against`` started): a warm-up run, a timed run."""
    run_once(path)
    wall, cpu, printed = run_once(path)
    digest = hashlib.sha256(printed.encode()).hexdigest()
    out = sys.__stdout__
    assert out is not None  # a command run from a terminal or a pipe has one
    out.write(json.dumps({"wall": wall, "cpu": cpu, "sha256": digest}) + "\n")


def in_subprocess(src: Path, path: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of one timed round run with ``src`` first on the path."""
    environment = dict(os.environ, PYTHONPATH=str(src))
    answer = subprocess.run(
        [sys.executable, __file__, "--worker", str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    return result["wall"], result["cpu"], result["sha256"]


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="compare with the command at REV")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker is not None:
        worker(options.worker)
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "assessments.jsonl"
        write_input(path, options.assessments)
        if options.against:
            ways = (options.against, "working tree")
            sources = {ways[0]: export_src(options.against, Path(directory) / "before")}
            sources[ways[1]] = ROOT / "src"

            def measure(way: str) -> tuple[float, float, str]:
                return in_subprocess(sources[way], path)
        else:
            ways = ("validated", "trusted")
            run_once(path)  # imports and first-call costs out of the measurement

            def measure(way: str) -> tuple[float, float, str]:
                context = validated_results() if way == "validated" else contextlib.nullcontext()
                with context:
                    return run_once(path)

        rates: dict[str, list[float]] = {way: [] for way in ways}
        cpu_rates: dict[str, list[float]] = {way: [] for way in ways}
        outputs: dict[str, str] = {}
        for number in range(1, options.rounds + 1):
            for way in ways:  # alternated, so drift hits both alike
                wall, cpu, printed = measure(way)
                outputs[way] = printed
                rates[way].append(options.assessments / wall)
                cpu_rates[way].append(options.assessments / cpu)
                print(
                    f"round {number} {way:>12}: {options.assessments / wall:7,.0f} per second "
                    f"({options.assessments / cpu:7,.0f} per CPU second)",
                    flush=True,
                )
    first, second = ways
    for label, measured in (("wall", rates), ("CPU", cpu_rates)):
        before, after = statistics.median(measured[first]), statistics.median(measured[second])
        print(
            f"median per {label} second: {first} {before:,.0f}, {second} {after:,.0f}; "
            f"ratio {second}/{first} {after / before:.2f}"
        )
    print(f"same output: {'yes' if outputs[first] == outputs[second] else 'NO'}")


if __name__ == "__main__":
    main_bench()
