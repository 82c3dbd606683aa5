"""Central-moment states and their merges.

Merges follow Chan, Golub & LeVeque (1979) for the mean and M2, and Pébay (2008), "Formulas for
robust, one-pass parallel computation of covariances and arbitrary-order statistical moments"
(Sandia report SAND2008-6212), eqs. 2.1-2.3 for M3 and M4 and the co-moment. M_k here are *sums*
of k-th powers of deviations from the mean (not divided by n), as Deequ and Spark keep them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dq.states.base import State, count, jfloat, pfloat, register_state

__all__ = ["CoMoments", "Moments", "moments_from_power_sums"]


def moments_from_power_sums(n: int, mean: float, m2: float, s2: float | None, s3: float | None,
                            s4: float | None) -> tuple[float | None, float | None]:
    """M3 and M4 from raw power sums S_k = Σx^k, given the (stably computed) mean.

    One pass cannot centre before summing, so these come from raw power sums, exactly as DuckDB's and
    Spark's own skewness/kurtosis do; they lose precision when |mean| >> standard deviation."""
    if n == 0 or s3 is None:
        return None, None
    mu = mean
    s1 = n * mu
    m3 = s3 - 3 * mu * s2 + 3 * mu * mu * s1 - n * mu**3
    m4 = None
    if s4 is not None:
        m4 = s4 - 4 * mu * s3 + 6 * mu * mu * s2 - 4 * mu**3 * s1 + n * mu**4
        m4 = max(m4, 0.0)  # a sum of 4th powers is never negative; clamp rounding noise
    return m3, m4


@register_state
@dataclass(frozen=True)
class Moments(State):
    """(n, mean, M2[, M3, M4]) of the non-null values. ``order`` says how many moments it carries."""

    TYPE = "Moments"
    order: int
    n: int
    mean: float
    m2: float
    m3: float | None = None
    m4: float | None = None

    @classmethod
    def empty(cls, order: int = 2) -> Moments:
        return cls(order, 0, 0.0, 0.0, 0.0 if order >= 3 else None, 0.0 if order >= 4 else None)

    @property
    def is_empty(self) -> bool:
        return self.n == 0

    def merge(self, other: Moments) -> Moments:
        self._check_mergeable(other)
        if self.order != other.order:
            from dq.errors import StateMergeError

            raise StateMergeError(f"cannot merge moments of order {self.order} and {other.order}")
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        na, nb = self.n, other.n
        n = na + nb
        d = other.mean - self.mean
        dn = d / n
        mean = self.mean + dn * nb
        m2 = self.m2 + other.m2 + d * dn * na * nb
        m3 = m4 = None
        if self.order >= 3:
            m3 = (
                self.m3 + other.m3
                + d * dn * dn * na * nb * (na - nb)
                + 3.0 * dn * (na * other.m2 - nb * self.m2)
            )
        if self.order >= 4:
            m4 = (
                self.m4 + other.m4
                + d * dn**3 * na * nb * (na * na - na * nb + nb * nb)
                + 6.0 * dn * dn * (na * na * other.m2 + nb * nb * self.m2)
                + 4.0 * dn * (na * other.m3 - nb * self.m3)
            )
        return Moments(self.order, n, mean, m2, m3, m4)

    # -- metrics (population statistics, as Deequ) ---------------------------------------
    def variance(self) -> float:
        return self.m2 / self.n

    def stddev(self) -> float:
        return math.sqrt(max(self.variance(), 0.0))

    def skewness(self) -> float:
        if self.m2 == 0:
            return 0.0  # Deequ: a constant column has skewness 0
        return math.sqrt(self.n) * self.m3 / self.m2**1.5

    def kurtosis(self) -> float:
        if self.m2 == 0:
            return 0.0  # Deequ: a constant column has (excess) kurtosis 0
        return self.n * self.m4 / (self.m2 * self.m2) - 3.0

    def payload(self) -> dict[str, Any]:
        return {"order": self.order, "n": self.n, "mean": jfloat(self.mean), "m2": jfloat(self.m2),
                "m3": jfloat(self.m3), "m4": jfloat(self.m4)}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> Moments:
        return cls(count(p["order"], "order"), count(p["n"], "n"), pfloat(p["mean"]), pfloat(p["m2"]), pfloat(p.get("m3")),
                   pfloat(p.get("m4")))


@register_state
@dataclass(frozen=True)
class CoMoments(State):
    """Pearson correlation state over rows where both columns are non-null."""

    TYPE = "CoMoments"
    n: int
    x_avg: float
    y_avg: float
    ck: float  # Σ (x - x̄)(y - ȳ)
    x_mk: float  # Σ (x - x̄)²
    y_mk: float  # Σ (y - ȳ)²

    @classmethod
    def empty(cls) -> CoMoments:
        return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)

    @property
    def is_empty(self) -> bool:
        return self.n == 0

    def merge(self, other: CoMoments) -> CoMoments:
        self._check_mergeable(other)
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n1, n2 = self.n, other.n
        n = n1 + n2
        dx = other.x_avg - self.x_avg
        dy = other.y_avg - self.y_avg
        f = n1 * n2 / n
        return CoMoments(
            n,
            self.x_avg + dx * n2 / n,
            self.y_avg + dy * n2 / n,
            self.ck + other.ck + dx * dy * f,
            self.x_mk + other.x_mk + dx * dx * f,
            self.y_mk + other.y_mk + dy * dy * f,
        )

    def correlation(self) -> float:
        # sqrt of each factor, not of the product: the product of two tiny M2s underflows to 0
        return self.ck / (math.sqrt(self.x_mk) * math.sqrt(self.y_mk))

    def payload(self) -> dict[str, Any]:
        return {"n": self.n, "x_avg": jfloat(self.x_avg), "y_avg": jfloat(self.y_avg), "ck": jfloat(self.ck),
                "x_mk": jfloat(self.x_mk), "y_mk": jfloat(self.y_mk)}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> CoMoments:
        return cls(count(p["n"], "n"), *(pfloat(p[k]) for k in ("x_avg", "y_avg", "ck", "x_mk", "y_mk")))
