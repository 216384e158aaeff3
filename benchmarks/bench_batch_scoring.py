"""Benchmark: SLEDAI-2K cost per assessment, columnar batch path vs single-assessment path.

Not a test. Prints ratios measured in this one run:
    make bench            (or: .venv/bin/python benchmarks/bench_batch_scoring.py [N])

The single path is timed on a sample (validation + scoring, as the command does for each
record) and its cost per assessment extrapolated; the batch path scores all N rows.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from lupustrial.analysis.batch_scoring import (
    DESCRIPTOR_COLUMNS,
    FloatArray,
    score_sledai2k_columns,
)
from lupustrial.clinical.sledai2k import Sledai2kInput, score_sledai2k

CLINICIAN_JUDGED = [c for c in DESCRIPTOR_COLUMNS if c not in {"fever", "thrombocytopenia"}]


def synthetic_columns(n: int, seed: int = 2002) -> dict[str, FloatArray]:
    """Assessments with ~10% of each descriptor present, 2% not assessed, real lab spreads."""
    rng = np.random.default_rng(seed)
    columns: dict[str, FloatArray] = {}
    for code in CLINICIAN_JUDGED:
        state = (rng.random(n) < 0.10).astype(np.float64)
        state[rng.random(n) < 0.02] = np.nan
        columns[code] = state
    columns["platelets"] = rng.normal(220, 70, n).clip(5, None)
    columns["temperature"] = rng.normal(36.9, 0.6, n)
    return columns


def as_records(columns: dict[str, FloatArray], rows: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for i in range(rows):
        record: dict[str, object] = {
            code: None if np.isnan(columns[code][i]) else bool(columns[code][i])
            for code in CLINICIAN_JUDGED
        }
        record["labs"] = {
            "platelets": {"value": float(columns["platelets"][i]), "unit": "10^9/L"},
            "temperature": {"value": float(columns["temperature"][i]), "unit": "°C"},
        }
        records.append(record)
    return records


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sample = min(n, 20_000)
    columns = synthetic_columns(n)
    records = as_records(columns, sample)

    start = time.perf_counter()
    single = [score_sledai2k(Sledai2kInput.model_validate(r)).total for r in records]
    single_per = (time.perf_counter() - start) / sample

    start = time.perf_counter()
    batch = score_sledai2k_columns(columns)
    batch_seconds = time.perf_counter() - start
    batch_per = batch_seconds / n

    agree = batch.total[:sample].tolist() == single
    print(f"assessments scored by the batch path:     {n:>12,}")
    print(f"batch path, total:                         {batch_seconds:>11.3f} s")
    print(f"batch path, per assessment:                {batch_per * 1e9:>11.1f} ns")
    print(f"single path, per assessment ({sample:,} timed): {single_per * 1e6:>8.1f} µs")
    print(f"ratio single/batch cost per assessment:    {single_per / batch_per:>11.0f}x")
    print(f"totals identical on the timed sample:      {agree!s:>12}")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
