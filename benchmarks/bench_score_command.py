"""`lupustrial score` on JSON Lines: assessments per second, results validated as built or not.

Writes N assessments (the shipped examples, cycled, each with its own id) to a JSON Lines
file, then runs the command in-process on it, alternating two ways of building the results:

- validated: every result model validated as it is built (`StrictModel.trusted` replaced by
  the model's own constructor), as before issue 19;
- trusted: results built from values already validated (`StrictModel.trusted`), as now.

The command was imported and run once before timing, so the rates are steady (no start-up).
Prints each round, the median rate of each way, their ratio, and whether both printed the
same bytes. Not a test: numbers from one run, on whatever else the machine is doing.

    .venv/bin/python benchmarks/bench_score_command.py --assessments 3000 --rounds 3
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lupustrial.cli import main
from lupustrial.clinical.model import StrictModel

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


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

    StrictModel.trusted = classmethod(construct)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        StrictModel.trusted = original  # type: ignore[method-assign]


def run_once(path: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of one `lupustrial score PATH`, and what it printed."""
    buffer = io.StringIO()
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(buffer), contextlib.suppress(SystemExit):
        main(["score", str(path)])  # typer exits 0 at the end
    return time.perf_counter() - wall, time.process_time() - cpu, buffer.getvalue()


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "assessments.jsonl"
        write_input(path, options.assessments)
        run_once(path)  # imports and first-call costs out of the measurement
        rates: dict[str, list[float]] = {"validated": [], "trusted": []}
        cpu_rates: dict[str, list[float]] = {"validated": [], "trusted": []}
        outputs: dict[str, str] = {}
        for number in range(1, options.rounds + 1):
            for way in ("validated", "trusted"):  # alternated, so drift hits both alike
                context = validated_results() if way == "validated" else contextlib.nullcontext()
                with context:
                    wall, cpu, printed = run_once(path)
                outputs[way] = printed
                rates[way].append(options.assessments / wall)
                cpu_rates[way].append(options.assessments / cpu)
                print(
                    f"round {number} {way:>9}: {options.assessments / wall:7,.0f} per second "
                    f"({options.assessments / cpu:7,.0f} per CPU second)"
                )
    for label, measured in (("wall", rates), ("CPU", cpu_rates)):
        validated = statistics.median(measured["validated"])
        trusted = statistics.median(measured["trusted"])
        print(
            f"median per {label} second: validated {validated:,.0f}, trusted {trusted:,.0f}; "
            f"ratio trusted/validated {trusted / validated:.2f}"
        )
    print(f"same output: {'yes' if outputs['validated'] == outputs['trusted'] else 'NO'}")


if __name__ == "__main__":
    main_bench()
