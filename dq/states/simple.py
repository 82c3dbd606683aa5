"""Small numeric states: counts, sums, extremes, data-type counts."""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

from dq.states.base import State, count, jfloat, pfloat, register_state

__all__ = [
    "CustomSqlState",
    "DataTypeHistogram",
    "ExactQuantileState",
    "MaxState",
    "MeanState",
    "MinMaxState",
    "MinState",
    "NumMatches",
    "NumMatchesAndCount",
    "RatioOfSumsState",
    "SumState",
    "decode_value",
    "encode_value",
]


def encode_value(v: Any) -> Any:
    """Extremes may be numbers, dates or timestamps: tag non-floats so they round-trip."""
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        return {"timestamp": v.isoformat()}
    if isinstance(v, _dt.date):
        return {"date": v.isoformat()}
    return jfloat(v)


def decode_value(v: Any) -> Any:
    if isinstance(v, dict):
        if "timestamp" in v:
            return _dt.datetime.fromisoformat(v["timestamp"])
        if "date" in v:
            return _dt.date.fromisoformat(v["date"])
        raise ValueError(f"unknown tagged value {v!r}")
    return pfloat(v)


def _nan_max(a: Any, b: Any) -> Any:
    # Engines order NaN above every number (DuckDB and Spark both do); keep that in merges so
    # merge(parts) equals the engine's max over the whole.
    if isinstance(a, float) and math.isnan(a):
        return a
    if isinstance(b, float) and math.isnan(b):
        return b
    return max(a, b)


def _nan_min(a: Any, b: Any) -> Any:
    if isinstance(a, float) and math.isnan(a):
        return b
    if isinstance(b, float) and math.isnan(b):
        return a
    return min(a, b)


@register_state
@dataclass(frozen=True)
class NumMatches(State):
    """A count (Size, ZerosCount, DuplicateRowCount parts)."""

    TYPE = "NumMatches"
    num_matches: int

    @classmethod
    def empty(cls) -> NumMatches:
        return cls(0)

    @property
    def is_empty(self) -> bool:
        return self.num_matches == 0

    def merge(self, other: NumMatches) -> NumMatches:
        self._check_mergeable(other)
        return NumMatches(self.num_matches + other.num_matches)

    def payload(self) -> dict[str, Any]:
        return {"num_matches": self.num_matches}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> NumMatches:
        return cls(count(p["num_matches"], "num_matches"))


@register_state
@dataclass(frozen=True)
class NumMatchesAndCount(State):
    """matches / count: Completeness, Compliance, PatternMatch."""

    TYPE = "NumMatchesAndCount"
    num_matches: int
    count: int

    @classmethod
    def empty(cls) -> NumMatchesAndCount:
        return cls(0, 0)

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    def merge(self, other: NumMatchesAndCount) -> NumMatchesAndCount:
        self._check_mergeable(other)
        return NumMatchesAndCount(self.num_matches + other.num_matches, self.count + other.count)

    def payload(self) -> dict[str, Any]:
        return {"num_matches": self.num_matches, "count": self.count}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> NumMatchesAndCount:
        return cls(count(p["num_matches"], "num_matches"), count(p["count"]))


@register_state
@dataclass(frozen=True)
class SumState(State):
    """Sum of the non-null values; ``count`` tells an all-null input (no sum) from a zero sum."""

    TYPE = "Sum"
    sum: float
    count: int

    @classmethod
    def empty(cls) -> SumState:
        return cls(0.0, 0)

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    def merge(self, other: SumState) -> SumState:
        self._check_mergeable(other)
        return SumState(self.sum + other.sum, self.count + other.count)

    def payload(self) -> dict[str, Any]:
        return {"sum": jfloat(self.sum), "count": self.count}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> SumState:
        return cls(pfloat(p["sum"]), count(p["count"]))


@register_state
@dataclass(frozen=True)
class MeanState(State):
    TYPE = "Mean"
    sum: float
    count: int

    @classmethod
    def empty(cls) -> MeanState:
        return cls(0.0, 0)

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    def merge(self, other: MeanState) -> MeanState:
        self._check_mergeable(other)
        return MeanState(self.sum + other.sum, self.count + other.count)

    def payload(self) -> dict[str, Any]:
        return {"sum": jfloat(self.sum), "count": self.count}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> MeanState:
        return cls(pfloat(p["sum"]), count(p["count"]))


@register_state
@dataclass(frozen=True)
class MinState(State):
    """Smallest non-null value (number, date or timestamp); None when there was none."""

    TYPE = "Min"
    value: Any

    @classmethod
    def empty(cls) -> MinState:
        return cls(None)

    @property
    def is_empty(self) -> bool:
        return self.value is None

    def merge(self, other: MinState) -> MinState:
        self._check_mergeable(other)
        if self.value is None:
            return other
        if other.value is None:
            return self
        return MinState(_nan_min(self.value, other.value))

    def payload(self) -> dict[str, Any]:
        return {"value": encode_value(self.value)}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> MinState:
        return cls(decode_value(p["value"]))


@register_state
@dataclass(frozen=True)
class MaxState(State):
    TYPE = "Max"
    value: Any

    @classmethod
    def empty(cls) -> MaxState:
        return cls(None)

    @property
    def is_empty(self) -> bool:
        return self.value is None

    def merge(self, other: MaxState) -> MaxState:
        self._check_mergeable(other)
        if self.value is None:
            return other
        if other.value is None:
            return self
        return MaxState(_nan_max(self.value, other.value))

    def payload(self) -> dict[str, Any]:
        return {"value": encode_value(self.value)}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> MaxState:
        return cls(decode_value(p["value"]))


@register_state
@dataclass(frozen=True)
class MinMaxState(State):
    """Range: both extremes."""

    TYPE = "MinMax"
    min: Any
    max: Any

    @classmethod
    def empty(cls) -> MinMaxState:
        return cls(None, None)

    @property
    def is_empty(self) -> bool:
        return self.min is None

    def merge(self, other: MinMaxState) -> MinMaxState:
        self._check_mergeable(other)
        if self.is_empty:
            return other
        if other.is_empty:
            return self
        return MinMaxState(_nan_min(self.min, other.min), _nan_max(self.max, other.max))

    def payload(self) -> dict[str, Any]:
        return {"min": encode_value(self.min), "max": encode_value(self.max)}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> MinMaxState:
        return cls(decode_value(p["min"]), decode_value(p["max"]))


@register_state
@dataclass(frozen=True)
class RatioOfSumsState(State):
    TYPE = "RatioOfSums"
    numerator: float
    denominator: float
    count: int  # non-null numerator values seen; 0 means an empty state

    @classmethod
    def empty(cls) -> RatioOfSumsState:
        return cls(0.0, 0.0, 0)

    @property
    def is_empty(self) -> bool:
        return self.count == 0

    def merge(self, other: RatioOfSumsState) -> RatioOfSumsState:
        self._check_mergeable(other)
        return RatioOfSumsState(
            self.numerator + other.numerator, self.denominator + other.denominator, self.count + other.count
        )

    def payload(self) -> dict[str, Any]:
        return {"numerator": jfloat(self.numerator), "denominator": jfloat(self.denominator), "count": self.count}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> RatioOfSumsState:
        return cls(pfloat(p["numerator"]), pfloat(p["denominator"]), count(p["count"]))


DATA_TYPES = ("Unknown", "Fractional", "Integral", "Boolean", "String")


@register_state
@dataclass(frozen=True)
class DataTypeHistogram(State):
    """Counts of values per inferred type; Unknown counts NULLs."""

    TYPE = "DataTypeHistogram"
    num_null: int
    num_fractional: int
    num_integral: int
    num_boolean: int
    num_string: int

    @classmethod
    def empty(cls) -> DataTypeHistogram:
        return cls(0, 0, 0, 0, 0)

    @property
    def counts(self) -> tuple[int, int, int, int, int]:
        return (self.num_null, self.num_fractional, self.num_integral, self.num_boolean, self.num_string)

    @property
    def is_empty(self) -> bool:
        return sum(self.counts) == 0

    def merge(self, other: DataTypeHistogram) -> DataTypeHistogram:
        self._check_mergeable(other)
        return DataTypeHistogram(*(a + b for a, b in zip(self.counts, other.counts)))

    def payload(self) -> dict[str, Any]:
        return dict(zip(("num_null", "num_fractional", "num_integral", "num_boolean", "num_string"), self.counts))

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> DataTypeHistogram:
        return cls(*(count(p[k], k) for k in ("num_null", "num_fractional", "num_integral", "num_boolean",
                                               "num_string")))


@register_state
@dataclass(frozen=True)
class CustomSqlState(State):
    """The single number a CustomSql statement returned. Merging adds (Deequ's rule): meaningful only
    for additive statements such as counts and sums."""

    TYPE = "CustomSql"
    value: float | None

    @classmethod
    def empty(cls) -> CustomSqlState:
        return cls(None)

    @property
    def is_empty(self) -> bool:
        return self.value is None

    def merge(self, other: CustomSqlState) -> CustomSqlState:
        self._check_mergeable(other)
        if self.value is None:
            return other
        if other.value is None:
            return self
        return CustomSqlState(self.value + other.value)

    def payload(self) -> dict[str, Any]:
        return {"value": jfloat(self.value)}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> CustomSqlState:
        return cls(pfloat(p["value"]))


@register_state
@dataclass(frozen=True)
class ExactQuantileState(State):
    """Exact quantiles of one column (ExactQuantile, InterquartileRange).

    Not mergeable: the exact quantile of a union cannot be derived from the parts' quantiles
    (Deequ's merge silently returns a wrong value; dq refuses). Use ApproxQuantile / KLLSketch for
    incremental or partitioned runs."""

    TYPE = "ExactQuantile"
    quantiles: tuple[float, ...]
    values: tuple[float | None, ...]

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in self.values)

    def merge(self, other: ExactQuantileState) -> ExactQuantileState:
        from dq.errors import StateMergeError

        raise StateMergeError(
            "exact quantiles are not mergeable: the quantile of a union cannot be computed from the "
            "quantiles of its parts. Use ApproxQuantile or KLLSketch (mergeable KLL sketches) instead."
        )

    def payload(self) -> dict[str, Any]:
        return {"quantiles": list(self.quantiles), "values": [jfloat(v) for v in self.values]}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> ExactQuantileState:
        return cls(tuple(float(q) for q in p["quantiles"]), tuple(pfloat(v) for v in p["values"]))
