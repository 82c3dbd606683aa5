"""Wald and Wilson score intervals against an independent computation (scipy's normal quantile,
exact rational rounding), Deequ's documented examples, and the bounds' invariants."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dq.errors import InvalidOptionError
from dq.suggest import WaldIntervalStrategy, WilsonScoreIntervalStrategy

scipy_stats = pytest.importorskip("scipy.stats")


def down(x: float) -> float:
    return float(math.floor(Fraction(x) * 100) / Fraction(100))


def up(x: float) -> float:
    return float(math.ceil(Fraction(x) * 100) / Fraction(100))


def reference(kind: str, p: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    z = scipy_stats.norm.ppf(1 - (1 - confidence) / 2)
    if kind == "wald":
        se = math.sqrt(p * (1 - p) / n)
        lo, hi = p - z * se, p + z * se
    else:
        d = 1 + z * z / n
        c = p + z * z / (2 * n)
        h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lo, hi = (c - h) / d, (c + h) / d
    return max(0.0, down(lo)), min(1.0, up(hi))


STRATEGIES = {"wald": WaldIntervalStrategy(), "wilson": WilsonScoreIntervalStrategy()}
CASES = [(p, n) for p in (0.0, 0.01, 0.2, 0.5, 0.9, 0.999, 1.0) for n in (1, 20, 100, 12345, 10**7)]


@pytest.mark.parametrize("kind", ["wald", "wilson"])
@pytest.mark.parametrize("p,n", CASES)
def test_against_independent_formula(kind, p, n):
    ci = STRATEGIES[kind].calculate_target_confidence_interval(p, n)
    assert (ci.lower_bound, ci.upper_bound) == reference(kind, p, n)


def test_deequs_examples():
    ci = WaldIntervalStrategy().calculate_target_confidence_interval(0.9, 100)
    assert (ci.lower_bound, ci.upper_bound) == (0.84, 0.96)
    ci = WilsonScoreIntervalStrategy().calculate_target_confidence_interval(1.0, 20)
    assert (ci.lower_bound, ci.upper_bound) == (0.83, 1.0)


def test_other_confidence():
    ci = WaldIntervalStrategy().calculate_target_confidence_interval(0.5, 100, confidence=0.99)
    assert (ci.lower_bound, ci.upper_bound) == reference("wald", 0.5, 100, 0.99)


@given(st.floats(0, 1), st.integers(1, 10**9), st.sampled_from(["wald", "wilson"]))
def test_bounds_contain_p_and_stay_in_unit_interval(p, n, kind):
    ci = STRATEGIES[kind].calculate_target_confidence_interval(p, n)
    assert 0.0 <= ci.lower_bound <= p <= ci.upper_bound <= 1.0


@pytest.mark.parametrize("p,n", [(-0.1, 10), (1.5, 10), (0.5, 0), (0.5, 2.5), (True, 10)])
def test_bad_input(p, n):
    with pytest.raises(InvalidOptionError):
        WaldIntervalStrategy().calculate_target_confidence_interval(p, n)
