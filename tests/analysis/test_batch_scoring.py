"""The columnar SLEDAI-2K gives the single path's totals on every row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lupustrial.analysis.batch_scoring import (
    DESCRIPTOR_COLUMNS,
    BatchInputError,
    columns_from_inputs,
    score_sledai2k_columns,
)
from lupustrial.clinical.sledai2k import Sledai2kInput, score_sledai2k


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def quantity(low: float, high: float, units: list[str]) -> st.SearchStrategy[Any]:
    values = st.one_of(
        st.floats(low, high, allow_nan=False), st.sampled_from([low, high, (low + high) / 2])
    )
    return st.builds(lambda v, u: {"value": v, "unit": u}, values, st.sampled_from(units))


def complement_level() -> st.SearchStrategy[Any]:
    return st.builds(
        lambda v, limit: {"value": v, "lower_limit_of_normal": limit},
        quantity(0, 2, ["g/L"]),
        quantity(0, 2, ["g/L"]),
    )


labs = st.fixed_dictionaries(
    {},
    optional={
        # Drawn within the hard limits (clinical/limits.py): below them the input is refused.
        "platelets": st.one_of(
            quantity(1, 400, ["10^9/L"]), st.just({"value": 100_000, "unit": "/mm³"})
        ),
        "leukocytes": quantity(0.1, 15, ["10^9/L", "G/L"]),
        "temperature": quantity(35, 41, ["°C"]),
        "urine_protein_24h": quantity(0, 3, ["g/24h"]),
        "urine_protein_creatinine_ratio": quantity(0, 3, ["g/g"]),
        "urine_rbc_per_hpf": quantity(0, 20, ["/hpf"]),
        "urine_wbc_per_hpf": quantity(0, 20, ["/hpf"]),
        "c3": complement_level(),
        "c4": complement_level(),
        "anti_dsdna": st.builds(
            lambda v, u: {"value": v, "upper_limit_of_normal": u, "unit": "IU/mL"},
            st.floats(0, 200),
            st.floats(1, 100),
        ),
    },
)
assessments = st.builds(
    lambda states, lab: Sledai2kInput.model_validate({**states, "labs": lab}),
    st.fixed_dictionaries({c: maybe(st.booleans()) for c in DESCRIPTOR_COLUMNS}),
    maybe(labs),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(assessments, min_size=1, max_size=20))
def test_batch_equals_single_path(inputs: list[Sledai2kInput]) -> None:
    batch = score_sledai2k_columns(columns_from_inputs(inputs))
    single = [score_sledai2k(inp) for inp in inputs]
    assert batch.total.tolist() == [r.total for r in single]
    assert batch.clinical_total.tolist() == [r.clinical_total for r in single]
    assert batch.maximum_possible.tolist() == [r.maximum_possible for r in single]


def test_boundaries_match_single_path() -> None:
    inputs = [
        Sledai2kInput.model_validate({"labs": {"platelets": {"value": 100, "unit": "10^9/L"}}}),
        Sledai2kInput.model_validate({"labs": {"platelets": {"value": 99, "unit": "10^9/L"}}}),
        Sledai2kInput.model_validate({"labs": {"temperature": {"value": 38.0, "unit": "°C"}}}),
    ]
    batch = score_sledai2k_columns(columns_from_inputs(inputs))
    assert batch.total.tolist() == [0, 1, 0]


def test_unknown_columns_and_unequal_lengths_are_refused() -> None:
    with pytest.raises(BatchInputError, match="unknown columns: seizures"):
        score_sledai2k_columns({"seizures": np.ones(2)})
    with pytest.raises(BatchInputError, match="differ in length"):
        score_sledai2k_columns({"seizure": np.ones(2), "rash": np.ones(3)})


def test_empty_batch() -> None:
    assert score_sledai2k_columns({}).total.tolist() == []
