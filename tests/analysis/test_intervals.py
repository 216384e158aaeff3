"""Binomial intervals against statsmodels and published values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from lupustrial.analysis.intervals import (
    IntervalError,
    Method,
    clopper_pearson,
    interval,
    jeffreys,
    wilson,
)

STATSMODELS = {
    Method.CLOPPER_PEARSON: "beta",
    Method.WILSON: "wilson",
    Method.JEFFREYS: "jeffreys",
}


def test_published_exact_interval_five_of_ten() -> None:
    # 5/10: 18.7%-81.3% (Clopper & Pearson 1934; the standard table value).
    result = clopper_pearson(5, 10)
    assert round(result.lower, 3) == 0.187
    assert round(result.upper, 3) == 0.813
    assert result.text() == "5/10 = 50.0% (95% CI 18.7%–81.3%, Clopper–Pearson exact)"


def test_exact_edges() -> None:
    none = clopper_pearson(0, 10)
    assert none.lower == 0.0
    assert none.upper == pytest.approx(1 - 0.025 ** (1 / 10))  # closed form at x = 0
    every = clopper_pearson(10, 10)
    assert every.upper == 1.0
    assert every.lower == pytest.approx(0.025 ** (1 / 10))


@pytest.mark.parametrize("method", list(Method))
@pytest.mark.parametrize(("x", "n"), [(0, 1), (1, 1), (0, 10), (3, 10), (5, 10), (10, 10)])
def test_matches_statsmodels(method: Method, x: int, n: int) -> None:
    lower, upper = proportion_confint(x, n, alpha=0.05, method=STATSMODELS[method])
    result = interval(x, n, method)
    if method is Method.JEFFREYS and x == 0:
        # Brown, Cai & DasGupta 2001 set the lower limit to 0 at x = 0; statsmodels does not.
        assert result.lower == 0.0
    else:
        assert result.lower == pytest.approx(lower, abs=1e-12)
    if method is Method.JEFFREYS and x == n:
        assert result.upper == 1.0
    else:
        assert result.upper == pytest.approx(upper, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=200),
    data=st.data(),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_every_method_agrees_with_statsmodels(
    n: int, data: st.DataObject, confidence: float
) -> None:
    x = data.draw(st.integers(min_value=1, max_value=n - 1)) if n > 1 else 0
    for method in Method:
        lower, upper = proportion_confint(x, n, alpha=1 - confidence, method=STATSMODELS[method])
        result = interval(x, n, method, confidence)
        if 0 < x < n:
            assert result.lower == pytest.approx(lower, abs=1e-9)
            assert result.upper == pytest.approx(upper, abs=1e-9)
        assert 0.0 <= result.lower <= result.estimate <= result.upper <= 1.0


def test_wilson_and_jeffreys_are_narrower_than_exact() -> None:
    exact = clopper_pearson(3, 10)
    for other in (wilson(3, 10), jeffreys(3, 10)):
        assert other.upper - other.lower < exact.upper - exact.lower


@pytest.mark.parametrize(
    ("x", "n", "confidence", "message"),
    [
        (1, 0, 0.95, "n must be at least 1"),
        (11, 10, 0.95, "between 0 and n=10"),
        (-1, 10, 0.95, "between 0 and n=10"),
        (1, 10, 1.0, "confidence"),
    ],
)
def test_bad_input_is_named(x: int, n: int, confidence: float, message: str) -> None:
    with pytest.raises(IntervalError, match=message):
        interval(x, n, Method.WILSON, confidence)
