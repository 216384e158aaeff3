"""Columnar SLEDAI-2K: many assessments at once, from the same declared definitions.

The single-assessment path (`lupustrial.clinical.sledai2k.score_sledai2k`) explains every
answer; this path trades the explanation for speed when scoring a whole dataset. Both read
the one descriptor table (`DESCRIPTORS`) and the one threshold table (`LAB_THRESHOLDS`), and
the tests hold them to identical totals.

Columns are NumPy float arrays of equal length. A descriptor column holds 1.0 (present),
0.0 (absent) or NaN (not assessed). A laboratory column holds the value in the unit its
`Threshold` names (NaN when not measured); the complement and anti-dsDNA columns come in
pairs with the laboratory's limit (`c3` with `c3_lower_limit`, `anti_dsdna` with
`anti_dsdna_upper_limit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lupustrial.clinical.sledai2k import DESCRIPTORS, LAB_THRESHOLDS, Sledai2kInput
from lupustrial.clinical.thresholds import COMPARE

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

LAB_COLUMNS: tuple[str, ...] = (
    *dict.fromkeys(rule.measurement for rule in LAB_THRESHOLDS),
    "c3",
    "c3_lower_limit",
    "c4",
    "c4_lower_limit",
    "anti_dsdna",
    "anti_dsdna_upper_limit",
)
DESCRIPTOR_COLUMNS: tuple[str, ...] = tuple(d.code for d in DESCRIPTORS)


class BatchInputError(ValueError):
    """Columns that cannot be scored together (unknown name, unequal lengths)."""


@dataclass(frozen=True)
class BatchSledai2k:
    """Totals for every row: the score, the clinical score, and the upper bound."""

    total: IntArray
    clinical_total: IntArray
    maximum_possible: IntArray


def _derived(columns: Mapping[str, FloatArray], code: str, n: int) -> FloatArray:
    """1.0/0.0 where a laboratory result decides the descriptor, NaN where none does."""
    out = np.full(n, np.nan)
    # Earlier rules win, as in the single path: fill only rows still undecided.
    for rule in LAB_THRESHOLDS:
        if rule.descriptor != code or rule.measurement not in columns:
            continue
        value = columns[rule.measurement]
        hit = COMPARE[rule.comparison](value, rule.threshold)
        fill = np.isnan(out) & ~np.isnan(value)
        out[fill] = hit[fill]
    if code == "low_complement":
        out = _low_complement(columns, n)
    elif code == "increased_dna_binding" and "anti_dsdna" in columns:
        value, limit = columns["anti_dsdna"], columns["anti_dsdna_upper_limit"]
        known = ~np.isnan(value) & ~np.isnan(limit)
        out[known] = value[known] > limit[known]
    return out


def _low_complement(columns: Mapping[str, FloatArray], n: int) -> FloatArray:
    nan = np.full(n, np.nan)
    c3 = columns.get("c3", nan) - columns.get("c3_lower_limit", nan)
    c4 = columns.get("c4", nan) - columns.get("c4_lower_limit", nan)
    out = np.full(n, np.nan)
    out[(~np.isnan(c3)) & (~np.isnan(c4))] = 0.0
    out[(c3 < 0) | (c4 < 0)] = 1.0
    return out


def score_sledai2k_columns(columns: Mapping[str, FloatArray]) -> BatchSledai2k:
    """Score SLEDAI-2K over columns, entered values before derived ones (Gladman 2002)."""
    unknown = set(columns) - set(DESCRIPTOR_COLUMNS) - set(LAB_COLUMNS)
    if unknown:
        raise BatchInputError(f"unknown columns: {', '.join(sorted(unknown))}")
    lengths = {len(column) for column in columns.values()}
    if len(lengths) > 1:
        raise BatchInputError(f"columns differ in length: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    total = np.zeros(n, dtype=np.int64)
    clinical = np.zeros(n, dtype=np.int64)
    unknown_weight = np.zeros(n, dtype=np.int64)
    unknown_clinical = np.zeros(n, dtype=np.int64)
    for descriptor in DESCRIPTORS:
        state = columns.get(descriptor.code, np.full(n, np.nan))
        derived = _derived(columns, descriptor.code, n)
        state = np.where(np.isnan(state), derived, state)
        present = (state == 1.0).astype(np.int64) * descriptor.weight
        missing = np.isnan(state).astype(np.int64) * descriptor.weight
        total += present
        unknown_weight += missing
        if not descriptor.serology:
            clinical += present
            unknown_clinical += missing
    return BatchSledai2k(
        total=total,
        clinical_total=clinical,
        maximum_possible=total + unknown_weight,
    )


def columns_from_inputs(inputs: Iterable[Sledai2kInput]) -> dict[str, FloatArray]:
    """Lay validated single assessments out as columns, converting to each rule's unit."""
    units = {rule.measurement: rule.unit for rule in LAB_THRESHOLDS}
    rows: dict[str, list[float]] = {name: [] for name in (*DESCRIPTOR_COLUMNS, *LAB_COLUMNS)}
    for inp in inputs:
        for code in DESCRIPTOR_COLUMNS:
            entered = inp.entered(code)
            rows[code].append(np.nan if entered is None else float(entered))
        labs = inp.labs
        for measurement, unit in units.items():
            quantity = getattr(labs, measurement) if labs else None
            rows[measurement].append(np.nan if quantity is None else quantity.to(unit))
        for name in ("c3", "c4"):
            level = getattr(labs, name) if labs else None
            rows[name].append(np.nan if level is None else level.value.canonical)
            rows[f"{name}_lower_limit"].append(
                np.nan if level is None else level.lower_limit_of_normal.canonical
            )
        dna = labs.anti_dsdna if labs else None
        rows["anti_dsdna"].append(np.nan if dna is None else dna.value)
        rows["anti_dsdna_upper_limit"].append(np.nan if dna is None else dna.upper_limit_of_normal)
    return {name: np.asarray(values, dtype=np.float64) for name, values in rows.items()}
