"""Sketch-based analyzers (HyperLogLog++ distinct counts, KLL quantiles) and exact quantiles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from datasketches import kll_doubles_sketch

from dq import aggregations as A
from dq.analyzers.base import (
    NESTED_FORBIDDEN,
    Analyzer,
    EmptyStateFailure,
    MetricFailure,
    PlanContext,
    require_fraction,
    require_str,
    require_where,
)
from dq.analyzers.basic import _NumericColumn
from dq.errors import InvalidOptionError
from dq.metrics import BucketDistribution, BucketValue, KeyedValues
from dq.states.kll import DEFAULT_K, KLLState, check_k
from dq.states.simple import ExactQuantileState

__all__ = [
    "ApproxCountDistinct",
    "ApproxQuantile",
    "ApproxQuantiles",
    "ExactQuantile",
    "InterquartileRange",
    "KLLSketch",
]

DEFAULT_PRECISION = 14


def _check_precision(p: Any, owner: str) -> None:
    if isinstance(p, bool) or not isinstance(p, int) or not 4 <= p <= 18:
        raise InvalidOptionError("precision", "an integer between 4 and 18", p, owner=owner)


def k_for_relative_error(eps: float, owner: str) -> int:
    """Smallest KLL k whose documented normalised rank error (single quantile) is <= eps."""
    if eps <= 0 or eps >= 1:
        raise InvalidOptionError("relative_error", "a number in the open interval (0, 1)", eps, owner=owner)
    lo, hi = 8, 65535
    if kll_doubles_sketch.get_normalized_rank_error(hi, False) > eps:
        raise InvalidOptionError(
            "relative_error", f">= {kll_doubles_sketch.get_normalized_rank_error(hi, False):.2e} "
            "(the best a KLL sketch offers; use ExactQuantile for exact answers)", eps, owner=owner)
    while lo < hi:  # the error decreases monotonically with k
        mid = (lo + hi) // 2
        if kll_doubles_sketch.get_normalized_rank_error(mid, False) <= eps:
            hi = mid
        else:
            lo = mid + 1
    return max(lo, DEFAULT_K)


@dataclass(frozen=True)
class ApproxCountDistinct(Analyzer):
    """Approximate number of distinct non-null values: HyperLogLog++ with 2^precision registers
    (default 14: relative standard error about 0.8%). The registers are computed inside the engine
    in the shared scan; the estimate is HLL++'s bias-corrected one. All-NULL input gives 0."""

    column: str
    where: str | None = None
    precision: int = DEFAULT_PRECISION

    def __post_init__(self) -> None:
        require_str(self.column, "column", "ApproxCountDistinct")
        require_where(self.where, "ApproxCountDistinct")
        _check_precision(self.precision, "ApproxCountDistinct")

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, NESTED_FORBIDDEN, "a non-nested column", context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"hll": A.HLLOf(ctx.column(self.column).name, self.precision, ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]):
        return r["hll"]

    def value_from_state(self, state) -> float:
        # A count: rounded like Spark's and Deequ's HLL++ (linear counting gives e.g. 4.0005).
        return float(round(state.estimate()))


class _KLLColumn(_NumericColumn):
    def k(self) -> int:
        raise NotImplementedError

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"kll": A.KLLOf(self.col(ctx), self.k(), ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]) -> KLLState:
        return r["kll"]

    def value_from_state(self, state: KLLState) -> Any:
        sketch = state.to_sketch()
        if sketch.is_empty():
            raise EmptyStateFailure(self)
        return self._value(sketch)


@dataclass(frozen=True)
class ApproxQuantile(_KLLColumn):
    """Approximate quantile from a KLL sketch (Apache DataSketches format, mergeable across
    partitions and engines). Returns a value that occurs in the data (like Deequ's, e.g. the
    median of 1..6 may be 3 rather than 3.5). ``relative_error`` (default 0.01, as Deequ) picks the
    sketch size: the smallest k whose documented rank error is within it, and at least 200."""

    column: str
    quantile: float
    relative_error: float = 0.01
    where: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "quantile", require_fraction(self.quantile, "quantile", "ApproxQuantile"))
        object.__setattr__(self, "relative_error",
                           require_fraction(self.relative_error, "relative_error", "ApproxQuantile"))
        k_for_relative_error(self.relative_error, "ApproxQuantile")

    @property
    def name(self) -> str:
        return f"ApproxQuantile-{self.quantile}"

    def k(self) -> int:
        return k_for_relative_error(self.relative_error, "ApproxQuantile")

    def _value(self, sketch: kll_doubles_sketch) -> float:
        return float(sketch.get_quantile(self.quantile, True))


@dataclass(frozen=True)
class ApproxQuantiles(_KLLColumn):
    """Several approximate quantiles of one column from one KLL sketch; the value maps each
    quantile (as text, e.g. "0.25") to its value."""

    column: str
    quantiles: tuple[float, ...]
    relative_error: float = 0.01
    where: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.quantiles, (int, float)) or not isinstance(self.quantiles, Sequence) or not self.quantiles:
            raise InvalidOptionError("quantiles", "a non-empty list of numbers in [0, 1]", self.quantiles,
                                     owner="ApproxQuantiles")
        object.__setattr__(self, "quantiles",
                           tuple(require_fraction(q, "quantiles", "ApproxQuantiles") for q in self.quantiles))
        object.__setattr__(self, "relative_error",
                           require_fraction(self.relative_error, "relative_error", "ApproxQuantiles"))
        k_for_relative_error(self.relative_error, "ApproxQuantiles")

    def k(self) -> int:
        return k_for_relative_error(self.relative_error, "ApproxQuantiles")

    def _value(self, sketch: kll_doubles_sketch) -> KeyedValues:
        return KeyedValues({str(q): float(sketch.get_quantile(q, True)) for q in self.quantiles})


@dataclass(frozen=True)
class KLLSketch(_KLLColumn):
    """A KLL sketch of the column, reported as ``number_of_buckets`` equal-width buckets between
    the minimum and maximum with their (estimated) counts. ``sketch_size`` is DataSketches' k."""

    column: str
    sketch_size: int = 2048
    number_of_buckets: int = 100
    where: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        check_k(self.sketch_size, "KLLSketch")
        b = self.number_of_buckets
        if isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= 100:
            raise InvalidOptionError("number_of_buckets", "an integer between 1 and 100", b, owner="KLLSketch")

    @property
    def name(self) -> str:
        return "KLL"

    def k(self) -> int:
        return self.sketch_size

    def _value(self, sketch: kll_doubles_sketch) -> BucketDistribution:
        lo, hi, n = sketch.get_min_value(), sketch.get_max_value(), sketch.n
        width = (hi - lo) / self.number_of_buckets
        if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(width)):
            raise MetricFailure(
                f"KLLSketch buckets of {self.column!r} are undefined: equal-width buckets need a finite range, "
                f"but the values span [{lo!r}, {hi!r}]"
            )
        edges = [lo + i * width for i in range(self.number_of_buckets)] + [hi]
        buckets = []
        for i in range(self.number_of_buckets):
            a, b = edges[i], edges[i + 1]
            below_a = sketch.get_rank(a, False)
            below_b = sketch.get_rank(b, i == self.number_of_buckets - 1)  # last bucket is closed
            buckets.append(BucketValue(a, b, int(round((below_b - below_a) * n))))
        return BucketDistribution(tuple(buckets), (float(self.sketch_size),))


class _Exact(_NumericColumn):
    MERGEABLE: ClassVar[bool] = False
    QUANTILES: ClassVar[tuple[float, ...]] = ()

    def qs(self) -> tuple[float, ...]:
        return self.QUANTILES

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        return {f"q{i}": A.ExactQuantileOf(self.col(ctx), q, w) for i, q in enumerate(self.qs())}

    def state_from(self, r: dict[str, Any]) -> ExactQuantileState:
        vals = tuple(None if r[f"q{i}"] is None else float(r[f"q{i}"]) for i in range(len(self.qs())))
        return ExactQuantileState(self.qs(), vals)


@dataclass(frozen=True)
class ExactQuantile(_Exact):
    """Exact quantile with linear interpolation at position q·(n−1) (Spark's ``percentile``; the
    median of 1..10 is 5.5). Its state is NOT mergeable (see ExactQuantileState)."""

    column: str
    quantile: float
    where: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "quantile", require_fraction(self.quantile, "quantile", "ExactQuantile"))

    def qs(self) -> tuple[float, ...]:
        return (self.quantile,)

    def value_from_state(self, state: ExactQuantileState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return float(state.values[0])


@dataclass(frozen=True)
class InterquartileRange(_Exact):
    """Q3 − Q1 with exact, interpolated quartiles (1..6 gives 4.75 − 2.25 = 2.5). Not mergeable."""

    QUANTILES: ClassVar[tuple[float, ...]] = (0.25, 0.75)
    column: str
    where: str | None = None

    def value_from_state(self, state: ExactQuantileState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        q1, q3 = state.values
        return float(q3) - float(q1)
