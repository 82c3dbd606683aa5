"""Confidence intervals for a proportion (Deequ's ``rules/interval``): Wald and Wilson score.

Both use z = Φ⁻¹(1 − (1 − confidence)/2) (1.959963984540054 at the default 0.95). The lower bound is
truncated to two decimals and the upper bound rounded up to two decimals (Deequ: BigDecimal
``RoundingMode.DOWN`` / ``UP``), then clamped to [0, 1]; so Wald(0.9, 100) = [0.84, 0.96] and
Wilson(1.0, 20) = [0.83, 1.0], Deequ's own examples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from statistics import NormalDist

from dq.errors import InvalidOptionError

__all__ = ["ConfidenceInterval", "IntervalStrategy", "WaldIntervalStrategy", "WilsonScoreIntervalStrategy"]


@dataclass(frozen=True)
class ConfidenceInterval:
    lower_bound: float
    upper_bound: float


def _round(x: float, mode: str) -> float:
    # Deequ rounds the double's exact decimal expansion (BigDecimal(double)), so do we.
    return float(Decimal(x).quantize(Decimal("0.01"), rounding=mode))


def _check(p: float, n: int, confidence: float) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise InvalidOptionError("p", "a proportion in [0, 1]", p, owner="IntervalStrategy")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidOptionError("n", "a positive number of records", n, owner="IntervalStrategy")
    if not 0.0 < confidence < 1.0:
        raise InvalidOptionError("confidence", "a number in (0, 1)", confidence, owner="IntervalStrategy")


class IntervalStrategy:
    """``calculate_target_confidence_interval(p, n, confidence=0.95) -> ConfidenceInterval``."""

    name = "IntervalStrategy"

    @staticmethod
    def z(confidence: float) -> float:
        return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)

    def bounds(self, p: float, n: int, z: float) -> tuple[float, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def calculate_target_confidence_interval(self, p: float, n: int, confidence: float = 0.95) -> ConfidenceInterval:
        _check(p, n, confidence)
        lo, hi = self.bounds(float(p), n, self.z(confidence))
        return ConfidenceInterval(max(0.0, _round(lo, ROUND_DOWN)), min(1.0, _round(hi, ROUND_UP)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


class WaldIntervalStrategy(IntervalStrategy):
    """p ± z·sqrt(p(1−p)/n). Deequ's default (and deprecated there): too narrow for p near 0 or 1."""

    name = "Wald"

    def bounds(self, p: float, n: int, z: float) -> tuple[float, float]:
        half = z * math.sqrt(p * (1.0 - p) / n)
        return p - half, p + half


class WilsonScoreIntervalStrategy(IntervalStrategy):
    """(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n): well-behaved near 0 and 1."""

    name = "Wilson"

    def bounds(self, p: float, n: int, z: float) -> tuple[float, float]:
        z2 = z * z
        centre = p + z2 / (2 * n)
        half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
        d = 1.0 + z2 / n
        return (centre - half) / d, (centre + half) / d
