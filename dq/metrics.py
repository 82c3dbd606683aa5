"""Metric values: what an analyzer reports.

A ``Metric`` is (entity, instance, name, value) or, when it could not be computed, value ``None`` and
an ``error`` message. Structured values (histograms, data types, KLL buckets, keyed quantiles) are
small frozen dataclasses that flatten to plain double rows for tables, JSON and repositories.
"""

from __future__ import annotations

import datetime as _dt
import enum
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BucketDistribution",
    "BucketValue",
    "Distribution",
    "DistributionValue",
    "Entity",
    "KeyedValues",
    "Metric",
]


class Entity(str, enum.Enum):
    DATASET = "Dataset"
    COLUMN = "Column"
    MULTICOLUMN = "Multicolumn"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class DistributionValue:
    absolute: int
    ratio: float


@dataclass(frozen=True)
class Distribution:
    """A histogram: value -> (absolute count, ratio). ``number_of_bins`` counts every distinct value
    (also those beyond the detail bins); ``tail_count`` is the number of rows outside the detail bins."""

    values: dict[str, DistributionValue]
    number_of_bins: int
    tail_count: int = 0

    def __getitem__(self, key: str) -> DistributionValue:
        return self.values[key]

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.values.items(), key=lambda kv: kv[0])), self.number_of_bins, self.tail_count))

    def ratios(self) -> dict[str, float]:
        return {k: v.ratio for k, v in self.values.items()}

    def absolutes(self) -> dict[str, int]:
        return {k: v.absolute for k, v in self.values.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "number_of_bins": self.number_of_bins,
            "tail_count": self.tail_count,
            "values": {k: {"absolute": v.absolute, "ratio": v.ratio} for k, v in self.values.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Distribution:
        def number(x: Any) -> int | float:  # counts are integers; Histogram(aggregate_sum=...) sums need not be
            f = float(x)
            return int(f) if f.is_integer() else f

        return cls(
            {k: DistributionValue(number(v["absolute"]), float(v["ratio"])) for k, v in d["values"].items()},
            int(d["number_of_bins"]),
            number(d.get("tail_count", 0)),
        )


@dataclass(frozen=True)
class BucketValue:
    low_value: float
    high_value: float
    count: int


@dataclass(frozen=True)
class BucketDistribution:
    """KLLSketch's metric: equal-width buckets between the global min and max, with counts."""

    buckets: tuple[BucketValue, ...]
    parameters: tuple[float, ...]
    data: tuple[tuple[float, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "buckets": [{"low_value": b.low_value, "high_value": b.high_value, "count": b.count} for b in self.buckets],
            "parameters": list(self.parameters),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BucketDistribution:
        return cls(
            tuple(BucketValue(float(b["low_value"]), float(b["high_value"]), int(b["count"])) for b in d["buckets"]),
            tuple(float(p) for p in d.get("parameters", ())),
        )


@dataclass(frozen=True)
class KeyedValues:
    """ApproxQuantiles' metric: quantile (as text, Deequ's key) -> value."""

    values: dict[str, float]

    def __getitem__(self, key: str | float) -> float:
        return self.values[str(key)]

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values.items())))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.values)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyedValues:
        return cls({str(k): float(v) for k, v in d.items()})


def _plain(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, _dt.date):
        return float(value.toordinal() - _dt.date(1970, 1, 1).toordinal())
    return None


@dataclass(frozen=True)
class Metric:
    """One computed metric. ``value`` is None exactly when ``error`` says why it failed."""

    entity: Entity
    instance: str
    name: str
    value: Any = None
    error: str | None = None
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    @property
    def is_success(self) -> bool:
        return self.error is None

    def flatten(self) -> list[tuple[str, str, str, float]]:
        """(entity, instance, name, value) rows in Deequ's flattened naming; empty if failed.

        Dates and timestamps flatten to days / seconds since the epoch (the structured value
        keeps the date itself)."""
        if not self.is_success:
            return []
        e, i, n, v = str(self.entity), self.instance, self.name, self.value
        if isinstance(v, Distribution):
            rows = [(e, i, f"{n}.bins", float(v.number_of_bins))]
            for key, dv in v.values.items():
                rows.append((e, i, f"{n}.abs.{key}", float(dv.absolute)))
                rows.append((e, i, f"{n}.ratio.{key}", float(dv.ratio)))
            if v.tail_count:
                rows.append((e, i, f"{n}.tailCount", float(v.tail_count)))
            return rows
        if isinstance(v, BucketDistribution):
            rows = [(e, i, "KLL.buckets", float(len(v.buckets)))]
            for k, b in enumerate(v.buckets):
                rows.append((e, i, f"KLL.low.{k}", b.low_value))
                rows.append((e, i, f"KLL.high.{k}", b.high_value))
                rows.append((e, i, f"KLL.count.{k}", float(b.count)))
            return rows
        if isinstance(v, KeyedValues):
            return [(e, i, f"{n}-{k}", float(x)) for k, x in v.values.items()]
        p = _plain(v)
        return [] if p is None else [(e, i, n, p)]

    def value_for_json(self) -> Any:
        v = self.value
        if isinstance(v, (Distribution, BucketDistribution, KeyedValues)):
            return v.to_dict()
        if isinstance(v, (_dt.date, _dt.datetime)):
            return v.isoformat()
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
        return v
