"""Moment-based analyzers: population variance, standard deviation, skewness, kurtosis, and
Pearson correlation. States and merge formulas: ``dq.states.moments``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from dq import aggregations as A
from dq.analyzers.base import (
    NUMERIC,
    Analyzer,
    EmptyStateFailure,
    MetricFailure,
    NeedsState,
    PlanContext,
    require_str,
    require_where,
)
from dq.analyzers.basic import _NUMERIC_EXPECTED, _NumericColumn
from dq.metrics import Entity
from dq.states.moments import CoMoments, Moments, moments_from_power_sums

__all__ = ["Correlation", "Kurtosis", "Skewness", "StandardDeviation", "Variance"]


class _Moments(_NumericColumn):
    ORDER: ClassVar[int] = 2

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = self.col(ctx)
        # sum and count are shared with Sum, Mean and Completeness on the same column, so a
        # profile asking for all of them pays one extra aggregate (var_pop) for the deviation
        aggs: dict[str, Any] = {"n": A.CountNonNull(c, w), "sum": A.SumOf(c, w), "var": A.VarPopOf(c, w)}
        for k in range(2, self.ORDER + 1) if self.ORDER >= 3 else ():
            aggs[f"s{k}"] = A.PowerSumOf(c, k, w)
        return aggs

    def state_from(self, r: dict[str, Any]) -> Moments:
        n = int(r["n"] or 0)
        if n == 0:
            return Moments.empty(self.ORDER)
        mean = float(r["sum"]) / n
        # DuckDB's var_pop of a single value is 0 even when that value is NaN or infinite; the
        # moments of a non-finite sample are NaN (as numpy, Spark and var_pop of two such values)
        m2 = float(r["var"]) * n if math.isfinite(mean) else math.nan
        m3 = m4 = None
        if self.ORDER >= 3:
            m3, m4 = moments_from_power_sums(n, mean, m2, float(r["s2"]), float(r["s3"]),
                                             float(r["s4"]) if self.ORDER >= 4 else None)
        return Moments(self.ORDER, n, mean, m2, m3, m4)

    def value_from_state(self, state: Moments) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return self._value(state)


@dataclass(frozen=True)
class StandardDeviation(_Moments):
    """Population standard deviation sqrt(M2/n) of the non-null values (Deequ)."""

    column: str
    where: str | None = None

    def _value(self, s: Moments) -> float:
        return s.stddev()


@dataclass(frozen=True)
class Variance(_Moments):
    """Population variance M2/n (Deequ)."""

    column: str
    where: str | None = None

    def _value(self, s: Moments) -> float:
        return s.variance()


@dataclass(frozen=True)
class Skewness(_Moments):
    """Population skewness sqrt(n)·M3/M2^1.5; 0 for a constant column (Deequ). M3 comes from raw
    power sums in one pass (as the engines' own skewness does): precise while |mean|/stddev is
    moderate."""

    ORDER: ClassVar[int] = 3
    column: str
    where: str | None = None

    def _value(self, s: Moments) -> float:
        return s.skewness()


@dataclass(frozen=True)
class Kurtosis(_Moments):
    """Population excess kurtosis n·M4/M2² − 3; 0 for a constant column (Deequ)."""

    ORDER: ClassVar[int] = 4
    column: str
    where: str | None = None

    def _value(self, s: Moments) -> float:
        return s.kurtosis()


@dataclass(frozen=True)
class Correlation(Analyzer):
    """Pearson correlation over rows where both columns are non-null. A constant column makes it
    undefined: a failed metric saying which column is constant (Deequ reports NaN)."""

    first: str
    second: str
    where: str | None = None

    def __post_init__(self) -> None:
        require_str(self.first, "first", "Correlation")
        require_str(self.second, "second", "Correlation")
        require_where(self.where, "Correlation")

    @property
    def entity(self) -> Entity:
        return Entity.MULTICOLUMN

    @property
    def instance(self) -> str:
        return f"{self.first},{self.second}"

    def referenced_columns(self) -> tuple[str, ...]:
        return (self.first, self.second)

    def check_schema(self, ctx: PlanContext) -> None:
        for c in (self.first, self.second):
            ctx.column(c, NUMERIC, _NUMERIC_EXPECTED, context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"m": A.CoMomentsOf(ctx.column(self.first).name, ctx.column(self.second).name,
                                   ctx.where(self.where))}

    def metric_aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        """When no state is wanted: the engine's own Pearson correlation (one aggregate instead of
        six; about 3x cheaper in DuckDB) and the pair count. Same value as the state path; when
        the result is undefined (a constant column) or NaN, the state path is run to say which."""
        x, y, w = ctx.column(self.first).name, ctx.column(self.second).name, ctx.where(self.where)
        return {"r": A.CorrOf(x, y, w), "n": A.PairCount(x, y, w)}

    def value_from_metric_results(self, r: dict[str, Any]) -> float:
        n, corr = int(r["n"] or 0), r["r"]
        if n == 0:
            raise EmptyStateFailure(self)
        if corr is None or math.isnan(corr):
            # Rare: one more scan computes the co-moments, which tell NaN data from a constant
            # column and name it (cheaper overall than carrying extremes in every scan).
            raise NeedsState()
        return max(-1.0, min(1.0, float(corr)))

    def state_from(self, r: dict[str, Any]) -> CoMoments:
        n, xa, ya, ck, xm, ym = r["m"]
        if not n:
            return CoMoments.empty()
        xa, ya, ck, xm, ym = (float(v) for v in (xa, ya, ck, xm, ym))
        if not (math.isfinite(xa) and math.isfinite(ya)):
            # DuckDB's regr_sxx/syy of a single NaN or infinite value are 0; the moments of a
            # non-finite sample are NaN (so the correlation is NaN, not "constant")
            ck = xm = ym = math.nan
        return CoMoments(int(n), xa, ya, ck, xm, ym)

    def value_from_state(self, state: CoMoments) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        constant = [c for c, m in ((self.first, state.x_mk), (self.second, state.y_mk)) if m == 0]
        if constant:
            raise MetricFailure(
                f"Correlation of {self.first!r} and {self.second!r} is undefined: "
                f"{' and '.join(repr(c) for c in constant)} {'is' if len(constant) == 1 else 'are'} constant "
                f"over the {state.n} rows where both are non-null."
            )
        r = state.correlation()
        return max(-1.0, min(1.0, r)) if not math.isnan(r) else r
