"""`evidence_column` writes, in bulk, exactly the sentences `evidence` writes row by row."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pyarrow as pa
import pytest

from lupustrial.clinical.sledai2k import LAB_THRESHOLDS
from lupustrial.prescreen.config import DEFAULT_PRESCREEN
from lupustrial.prescreen.criteria_ids import CRITERION_IDS
from lupustrial.prescreen.evidence import evidence, evidence_column
from lupustrial.prescreen.windows import Windows

WINDOWS = Windows.of(dt.date(2025, 1, 15), DEFAULT_PRESCREEN)

SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("criterion", pa.string()),
        ("status", pa.string()),
        ("detail", pa.string()),
        ("value", pa.float64()),
        ("record_date", pa.date32()),
        ("record_id", pa.int64()),
        ("record_domain", pa.string()),
    ]
)

LAB_CODES = list(dict.fromkeys(rule.code for rule in LAB_THRESHOLDS))

# What `criteria.py` writes in `detail`, per criterion, plus what `evidence` must survive:
# no detail, and a code it has no words for (printed as is where a criterion does so).
DETAILS: dict[str, list[str | None]] = {
    "alive": [],
    "I1": [],
    "I2.recent": [],
    "I2.untreated": [],
    "I3": ["", *(f"{c} " for c in LAB_CODES), " ".join(LAB_CODES) + " ", "leukopenia fever "],
    "I4": ["exact", "range"],
    "E2": [
        "viral_hepatitis",
        "hbs_ag",
        "hbv_dna",
        "hcv_rna",
        "anti_hcv",
        "hbs_ag_missing",
        "anti_hcv_missing",
        "markers_negative",
    ],
    "E3": ["hbv_dna_needed", "hcv_rna_needed", "hbv", "hcv", "markers_missing", "markers_negative"],
    "E4": [
        "ast",
        "alt",
        "ast_unit_unknown",
        "alt_unit_unknown",
        "ast_missing",
        "alt_missing",
        "ast_alt",
    ],
    "E5": ["unit_unknown", "missing", "creatinine"],
    "E6": ["active", "ended", "old_open", "none"],
    "E7": [
        "recent",
        "cervical_in_situ_3_to_5_years",
        "cervical_in_situ_recent",
        "past",
        "not_observed_long_enough",
        "none",
    ],
    "E9": ["male", "positive_test", "pregnancy_recorded", "negative_test", "test_needed"],
    "E10": ["male", "recorded", "not_recorded"],
    "E11": [],
    "E12": ["live", "unlisted", "none"],
}
EXTRA_DETAILS: list[str | None] = [None, "something_else"]

STATUSES = ["met", "not_met", "unknown"]
VALUES: list[float | None] = [
    None,
    100.0,
    0.5,
    1e-7,
    123456789.0,
    -3.25,
    0.0,
    -0.0,
    17.0,
    79.0,
    1e16,
    2.5e-300,
    math.nan,
    math.inf,
    -math.inf,
]
# Month ends and leap days: I2.recent's window end clamps to the month's last day.
DATES = [
    dt.date(2024, 8, 31),
    dt.date(2024, 8, 30),
    dt.date(2024, 7, 31),
    dt.date(2024, 2, 29),
    dt.date(2023, 8, 31),
    dt.date(2024, 12, 31),
    dt.date(2024, 9, 30),
    dt.date(2025, 1, 15),
    dt.date(1, 1, 1),
    dt.date(999, 6, 30),
]
RECORDS: list[tuple[str | None, int | None, dt.date | None]] = [
    (domain, ident, day)
    for domain in (None, "measurement", "")
    for ident in (None, 42, -7, 2**62)
    for day in (None, dt.date(2024, 8, 31), dt.date(1, 1, 1))
]


def expected(table: pa.Table) -> list[str]:
    return [evidence(row, WINDOWS, DEFAULT_PRESCREEN) for row in table.to_pylist()]


def assert_same(table: pa.Table) -> None:
    got = evidence_column(table, WINDOWS, DEFAULT_PRESCREEN)
    assert got.type == pa.string()
    assert got.null_count == 0
    want = expected(table)
    assert len(got) == len(want)
    for index, (a, b) in enumerate(zip(got.to_pylist(), want, strict=True)):
        assert a == b, (index, table.slice(index, 1).to_pylist()[0])


def coverage_table() -> pa.Table:
    """Every criterion × status × detail code, with every value and record shape."""
    rows = []
    for cid in CRITERION_IDS:
        for status, detail in itertools.product(STATUSES, DETAILS[cid] + EXTRA_DETAILS):
            for value, (domain, ident, day) in itertools.product(VALUES, RECORDS):
                if cid == "I2.recent":
                    continue  # its sentence needs the date; see below
                rows.append((cid, status, detail, value, day, ident, domain))
            if cid == "I2.recent":
                for value, day, (domain, ident, _) in itertools.product(VALUES[:3], DATES, RECORDS):
                    rows.append((cid, status, detail, value, day, ident, domain))
    names = SCHEMA.names[1:]
    columns = {name: [r[i] for r in rows] for i, name in enumerate(names)}
    return pa.table({"person_id": list(range(len(rows))), **columns}, schema=SCHEMA)


def random_table(n: int, seed: int) -> pa.Table:
    """Rows as the criteria write them, with the odd shapes of the coverage table mixed in."""
    rng = np.random.default_rng(seed)
    criterion = np.array(CRITERION_IDS, dtype=object)[rng.integers(0, len(CRITERION_IDS), n)]
    detail = np.full(n, None, dtype=object)
    for cid in CRITERION_IDS:
        where = criterion == cid
        codes = np.array([*DETAILS[cid], None] if DETAILS[cid] else [None], dtype=object)
        detail[where] = codes[rng.integers(0, len(codes), int(where.sum()))]
    odd = rng.random(n) < 0.02
    detail[odd] = np.array(EXTRA_DETAILS, dtype=object)[rng.integers(0, 2, int(odd.sum()))]

    lab = np.round(rng.gamma(2.0, 40.0, n), 1)
    small = rng.integers(0, 90, n).astype(float)
    special = np.array([v for v in VALUES if v is not None])[rng.integers(0, 14, n)]
    pick = rng.random(n)
    value = np.where(pick < 0.4, lab, np.where(pick < 0.8, small, special))
    value_null = rng.random(n) < 0.3

    start = dt.date(2000, 1, 1).toordinal()
    days = rng.integers(start, dt.date(2025, 12, 31).toordinal(), n)
    ends = np.array([d.toordinal() for d in DATES])[rng.integers(0, len(DATES), n)]
    days = np.where(rng.random(n) < 0.2, ends, days)
    date = [dt.date.fromordinal(int(d)) for d in days]
    date_null = (rng.random(n) < 0.2) & (criterion != "I2.recent")

    ident = rng.integers(-(2**40), 2**62, n)
    domain = np.array(["measurement", "condition_occurrence", "drug_exposure", ""], dtype=object)
    domains = domain[rng.integers(0, len(domain), n)]

    return pa.table(
        {
            "person_id": pa.array(np.arange(n)),
            "criterion": pa.array(criterion, pa.string()),
            "status": pa.array(np.array(STATUSES)[rng.integers(0, 3, n)], pa.string()),
            "detail": pa.array(detail, pa.string()),
            "value": pa.array(value, pa.float64(), mask=value_null),
            "record_date": pa.array(date, pa.date32(), mask=date_null),
            "record_id": pa.array(ident, pa.int64(), mask=rng.random(n) < 0.2),
            "record_domain": pa.array(domains, pa.string(), mask=rng.random(n) < 0.2),
        },
        schema=SCHEMA,
    )


def test_every_criterion_status_and_detail() -> None:
    table = coverage_table()
    assert set(table["criterion"].to_pylist()) == set(CRITERION_IDS)
    assert_same(table)


def test_random_rows() -> None:
    assert_same(random_table(20_000, seed=20250115))


def test_rows_filled_in_several_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("lupustrial.prescreen.evidence._BLOCK_ROWS", 997)
    table = random_table(5_000, seed=7)
    assert evidence_column(table, WINDOWS, DEFAULT_PRESCREEN).num_chunks == 6
    assert_same(table)


def test_several_chunks_and_extra_columns() -> None:
    table = random_table(3_000, seed=3)
    chunked = pa.concat_tables([table.slice(0, 1_000), table.slice(1_000)])
    assert chunked["criterion"].num_chunks == 2
    assert_same(chunked.append_column("kind", pa.array(["inclusion"] * len(chunked))))


def test_empty_table() -> None:
    got = evidence_column(SCHEMA.empty_table(), WINDOWS, DEFAULT_PRESCREEN)
    assert got.type == pa.string()
    assert len(got) == 0


@pytest.mark.parametrize(
    ("value", "detail", "text"),
    [
        (-0.0, "exact", "age -0 on 2025-01-15, allowed 18-79"),
        (0.0, "range", "age 0 or 1 (birth date incomplete), allowed 18-79"),
        (-0.0, "range", "age -0 or 1 (birth date incomplete), allowed 18-79"),
        (None, "range", "age ? or 1 (birth date incomplete), allowed 18-79"),
        (123456789.0, "exact", "age 1.23457e+08 on 2025-01-15, allowed 18-79"),
    ],
)
def test_numbers_print_as_python_does(value: float | None, detail: str, text: str) -> None:
    # 0.0 and -0.0 in one column: Arrow may hash them as one value, Python prints "0"/"-0".
    table = pa.table(
        {
            "criterion": ["I4", "I4", "I4"],
            "status": ["met", "met", "met"],
            "detail": [detail, "exact", "exact"],
            "value": [value, 0.0, -0.0],
            "record_date": pa.array([None, None, None], pa.date32()),
            "record_id": pa.array([1, 2, 3], pa.int64()),
            "record_domain": ["person", "person", "person"],
        }
    )
    got = evidence_column(table, WINDOWS, DEFAULT_PRESCREEN).to_pylist()
    assert got == expected(table)
    assert got[0] == text


def test_a_nul_character_is_refused() -> None:
    table = coverage_table().slice(0, 1)
    table = table.set_column(3, "detail", pa.array(["a\x00b"], pa.string()))
    with pytest.raises(ValueError, match="NUL"):
        evidence_column(table, WINDOWS, DEFAULT_PRESCREEN)
