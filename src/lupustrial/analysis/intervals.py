"""Confidence intervals for a binomial proportion: Clopper–Pearson, Wilson, Jeffreys.

- Clopper–Pearson "exact" interval (Clopper & Pearson 1934): inverts two one-sided binomial
  tests; guaranteed coverage, conservative. The primary analysis uses it.
- Wilson score interval (Wilson 1927): inverts the score test; closer to nominal coverage.
- Jeffreys interval (Brown, Cai & DasGupta 2001): equal-tailed Beta(x + ½, n − x + ½)
  posterior interval, with their boundary modification: the lower limit is 0 when x = 0 and
  the upper limit 1 when x = n.

Each is cross-checked in the tests against statsmodels' ``proportion_confint``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scipy.stats import beta, norm

CLOPPER_PEARSON_1934 = (
    "Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the "
    "case of the binomial. Biometrika. 1934;26(4):404-413."
)
WILSON_1927 = (
    "Wilson EB. Probable inference, the law of succession, and statistical inference. "
    "J Am Stat Assoc. 1927;22(158):209-212."
)
BROWN_CAI_DASGUPTA_2001 = (
    "Brown LD, Cai TT, DasGupta A. Interval estimation for a binomial proportion. "
    "Stat Sci. 2001;16(2):101-133."
)


class Method(StrEnum):
    CLOPPER_PEARSON = "clopper-pearson"
    WILSON = "wilson"
    JEFFREYS = "jeffreys"


class IntervalError(ValueError):
    """Counts or a confidence level an interval cannot be computed from."""


@dataclass(frozen=True)
class ProportionInterval:
    """A proportion x/n with its two-sided confidence interval and the method's source."""

    method: Method
    successes: int
    n: int
    confidence: float
    lower: float
    upper: float
    source: str

    @property
    def estimate(self) -> float:
        return self.successes / self.n

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method.value,
            "successes": self.successes,
            "n": self.n,
            "estimate": self.estimate,
            "confidence": self.confidence,
            "lower": self.lower,
            "upper": self.upper,
            "source": self.source,
        }

    def text(self) -> str:
        """E.g. '5/10 = 50.0% (95% CI 18.7%–81.3%, Clopper–Pearson)'."""
        names = {
            Method.CLOPPER_PEARSON: "Clopper–Pearson exact",
            Method.WILSON: "Wilson",
            Method.JEFFREYS: "Jeffreys",
        }
        return (
            f"{self.successes}/{self.n} = {self.estimate:.1%} "
            f"({self.confidence:.0%} CI {self.lower:.1%}–{self.upper:.1%}, "
            f"{names[self.method]})"
        )


def _check(successes: int, n: int, confidence: float) -> float:
    """Validate the inputs; return alpha."""
    if isinstance(successes, bool) or isinstance(n, bool):
        raise IntervalError("counts must be integers, not booleans")
    if n < 1:
        raise IntervalError(f"n must be at least 1 (got {n})")
    if not 0 <= successes <= n:
        raise IntervalError(f"successes must be between 0 and n={n} (got {successes})")
    if not 0 < confidence < 1:
        raise IntervalError(f"confidence must be between 0 and 1 exclusive (got {confidence})")
    return 1 - confidence


def clopper_pearson(successes: int, n: int, confidence: float = 0.95) -> ProportionInterval:
    """Exact interval from Beta quantiles (Clopper & Pearson 1934); 0 and 1 at the edges."""
    alpha = _check(successes, n, confidence)
    x = successes
    lower = 0.0 if x == 0 else float(beta.ppf(alpha / 2, x, n - x + 1))
    upper = 1.0 if x == n else float(beta.ppf(1 - alpha / 2, x + 1, n - x))
    return ProportionInterval(
        Method.CLOPPER_PEARSON, x, n, confidence, lower, upper, CLOPPER_PEARSON_1934
    )


def wilson(successes: int, n: int, confidence: float = 0.95) -> ProportionInterval:
    """Score interval (Wilson 1927): centre (x + z²/2)/(n + z²), clipped to [0, 1]."""
    alpha = _check(successes, n, confidence)
    z = float(norm.ppf(1 - alpha / 2))
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return ProportionInterval(
        Method.WILSON,
        successes,
        n,
        confidence,
        max(0.0, centre - half),
        min(1.0, centre + half),
        WILSON_1927,
    )


def jeffreys(successes: int, n: int, confidence: float = 0.95) -> ProportionInterval:
    """Beta(x + ½, n − x + ½) quantiles, 0 at x = 0 and 1 at x = n (Brown, Cai & DasGupta 2001)."""
    alpha = _check(successes, n, confidence)
    x = successes
    lower = 0.0 if x == 0 else float(beta.ppf(alpha / 2, x + 0.5, n - x + 0.5))
    upper = 1.0 if x == n else float(beta.ppf(1 - alpha / 2, x + 0.5, n - x + 0.5))
    return ProportionInterval(
        Method.JEFFREYS, x, n, confidence, lower, upper, BROWN_CAI_DASGUPTA_2001
    )


METHODS = {
    Method.CLOPPER_PEARSON: clopper_pearson,
    Method.WILSON: wilson,
    Method.JEFFREYS: jeffreys,
}


def interval(
    successes: int, n: int, method: Method = Method.CLOPPER_PEARSON, confidence: float = 0.95
) -> ProportionInterval:
    """The interval of the chosen method (Clopper–Pearson by default)."""
    return METHODS[Method(method)](successes, n, confidence)
