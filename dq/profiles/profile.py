"""Column profiles: what the profiler found, built from mergeable states.

A profile keeps the states it was computed from (completeness counts, HyperLogLog registers, the
data-type histogram, extremes, moments, KLL sketch) and the exact value counts of a
low-cardinality column. Every reported number is derived from those, so two profiles of partitions
merge into the profile of the union (``ColumnProfiles.merge``), and a profile read back from JSON
is the same object (the JSON carries the states; the readable values are recomputed from them).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from dq.analyzers import (
    ApproxCountDistinct,
    ApproxQuantiles,
    Completeness,
    DataType,
    Maximum,
    MaxLength,
    Mean,
    Minimum,
    MinLength,
    StandardDeviation,
    Sum,
)
from dq.analyzers.base import Analyzer, MetricFailure
from dq.analyzers.grouping import NULL_VALUE
from dq.errors import InvalidOptionError, StateFormatError, StateMergeError
from dq.metrics import Distribution, DistributionValue
from dq.profiles.histograms import merge_value_counts
from dq.schema import Kind
from dq.states.base import State

__all__ = ["FORMAT_VERSION", "PERCENTILES", "ColumnProfile", "ColumnProfiles", "column_analyzers"]

#: version of the JSON form written by ``ColumnProfiles.to_json``
FORMAT_VERSION = 1
#: the quantiles reported as ``approx_percentiles`` (Deequ's 1%, 2%, ..., 100%)
PERCENTILES: tuple[float, ...] = tuple(i / 100 for i in range(1, 101))

_NUMERIC = (Kind.INTEGRAL, Kind.FRACTIONAL, Kind.DECIMAL)
_DATES = (Kind.DATE, Kind.TIMESTAMP)
#: kinds that get a histogram when their distinct count is low (Deequ: string, boolean and numbers;
#: dq adds decimals, dates and timestamps)
HISTOGRAM_KINDS = (Kind.STRING, Kind.BOOLEAN, *_NUMERIC, *_DATES)
_KNOWN_TYPE = {Kind.INTEGRAL: "Integral", Kind.FRACTIONAL: "Fractional", Kind.DECIMAL: "Fractional",
               Kind.BOOLEAN: "Boolean"}


def column_analyzers(name: str, kind: Kind, *, quantiles: bool, relative_error: float) -> dict[str, Analyzer]:
    """The analyzers (pass 1, one scan) whose states make up the profile of one column."""
    out: dict[str, Analyzer] = {"completeness": Completeness(name), "distinct": ApproxCountDistinct(name)}
    if kind is Kind.STRING:
        # Lengths ignore NULLs (Deequ's profiler counts a NULL as length 0); a suggested
        # has_min_length then says something about the values, and checks use the same default.
        out.update(types=DataType(name), min_length=MinLength(name), max_length=MaxLength(name))
    elif kind in _NUMERIC:
        out.update(minimum=Minimum(name), maximum=Maximum(name), sum=Sum(name), mean=Mean(name),
                   std_dev=StandardDeviation(name))
        if quantiles:
            out["quantiles"] = ApproxQuantiles(name, PERCENTILES, relative_error)
    elif kind in _DATES:
        out.update(minimum=Minimum(name), maximum=Maximum(name))
    return out


def _value(analyzer: Analyzer | None, state: State | None) -> Any:
    if analyzer is None or state is None:
        return None
    try:
        return analyzer.value_from_state(state)
    except (MetricFailure, ArithmeticError):  # e.g. min of an all-NULL column: no value
        return None


@dataclass(frozen=True)
class ColumnProfile:
    """The profile of one column. Numbers that do not apply (or cannot be computed, like the
    minimum of an all-NULL column) are None. ``data_type`` is Deequ's vocabulary (Integral,
    Fractional, Boolean, String, Unknown); for a string column it is inferred from the values
    (``is_data_type_inferred``) and ``type_counts`` holds the inferred-type histogram."""

    column: str
    kind: Kind
    engine_type: str
    num_records: int
    completeness: float | None
    approximate_num_distinct_values: int
    data_type: str
    is_data_type_inferred: bool
    type_counts: dict[str, int] | None = None
    #: exact value counts (value text, None for NULL), only for low-cardinality columns
    value_counts: tuple[tuple[str | None, int], ...] | None = None
    minimum: Any = None
    maximum: Any = None
    mean: float | None = None
    std_dev: float | None = None
    sum: float | None = None
    approx_percentiles: tuple[float, ...] | None = None
    min_length: float | None = None
    max_length: float | None = None
    states: Mapping[str, State] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_numeric(self) -> bool:
        return self.kind in _NUMERIC

    @property
    def is_string(self) -> bool:
        return self.kind is Kind.STRING

    @property
    def histogram(self) -> Distribution | None:
        """Deequ's histogram: value -> (count, count / rows), NULL as ``NullValue``."""
        if self.value_counts is None:
            return None
        total = sum(n for _, n in self.value_counts)
        values: dict[str, DistributionValue] = {}
        for k, n in self.value_counts:
            key = NULL_VALUE if k is None else k
            prev = values.get(key)
            absolute = n + (prev.absolute if prev else 0)
            values[key] = DistributionValue(absolute, absolute / total if total else 0.0)
        return Distribution(values, len(values))

    @classmethod
    def from_states(cls, name: str, kind: Kind, engine_type: str, num_records: int, states: Mapping[str, State],
                    value_counts: tuple[tuple[str | None, int], ...] | None, *, relative_error: float
                    ) -> ColumnProfile:
        an = column_analyzers(name, kind, quantiles="quantiles" in states, relative_error=relative_error)
        v = {k: _value(an.get(k), states.get(k)) for k in an}
        types = v.get("types")
        if types is not None:
            type_counts = {k: int(x.absolute) for k, x in types.values.items()}
            data_type, inferred = DataType.determine(types), True
        else:
            type_counts, data_type, inferred = None, _KNOWN_TYPE.get(kind, "Unknown"), False
        q = v.get("quantiles")
        return cls(
            column=name, kind=kind, engine_type=engine_type, num_records=num_records,
            completeness=v["completeness"],
            approximate_num_distinct_values=int(v["distinct"] or 0),
            data_type=data_type, is_data_type_inferred=inferred, type_counts=type_counts,
            value_counts=value_counts,
            minimum=v.get("minimum"), maximum=v.get("maximum"), mean=v.get("mean"), std_dev=v.get("std_dev"),
            sum=v.get("sum"), approx_percentiles=None if q is None else tuple(q[p] for p in PERCENTILES),
            min_length=v.get("min_length"), max_length=v.get("max_length"), states=dict(states),
        )

    # -- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "column": self.column, "kind": self.kind.value, "engine_type": self.engine_type,
            "completeness": _j(self.completeness),
            "approximate_num_distinct_values": self.approximate_num_distinct_values,
            "data_type": self.data_type, "is_data_type_inferred": self.is_data_type_inferred,
        }
        if self.type_counts is not None:
            d["type_counts"] = dict(self.type_counts)
        for k in ("minimum", "maximum", "mean", "std_dev", "sum", "min_length", "max_length"):
            val = getattr(self, k)
            if val is not None:
                d[k] = _j(val)
        if self.approx_percentiles is not None:
            d["approx_percentiles"] = [_j(x) for x in self.approx_percentiles]
        if self.value_counts is not None:
            d["histogram"] = self.histogram.to_dict()  # type: ignore[union-attr]
            d["value_counts"] = [[k, n] for k, n in self.value_counts]
        d["states"] = {k: s.to_dict() for k, s in self.states.items()}
        return d


def _values(p: ColumnProfile) -> dict[str, Any]:
    d = p.to_dict()
    del d["states"]
    return d


def _j(v: Any) -> Any:
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


class ColumnProfiles:
    """Profiles of every profiled column, with the number of rows and the queries that computed
    them. ``profiles["col"]`` gives one ``ColumnProfile``."""

    def __init__(self, profiles: Mapping[str, ColumnProfile], num_records: int, *,
                 low_cardinality_histogram_threshold: int, relative_error: float = 0.01,
                 num_queries: int = 0, queries: tuple[str, ...] = ()):
        self.profiles = dict(profiles)
        self.num_records = num_records
        self.low_cardinality_histogram_threshold = low_cardinality_histogram_threshold
        self.relative_error = relative_error
        self.num_queries = num_queries
        self.queries = tuple(queries)

    def __getitem__(self, column: str) -> ColumnProfile:
        try:
            return self.profiles[column]
        except KeyError:
            from dq.errors import ColumnNotFoundError

            raise ColumnNotFoundError(column, list(self.profiles), context="ColumnProfiles") from None

    def __iter__(self) -> Iterator[ColumnProfile]:
        return iter(self.profiles.values())

    def __len__(self) -> int:
        return len(self.profiles)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ColumnProfiles):
            return NotImplemented
        # by the reported values (NaN equal to NaN, as the JSON writes it), not the states' bytes
        return self.num_records == other.num_records and list(self.profiles) == list(other.profiles) and all(
            _values(a) == _values(b) for a, b in zip(self.profiles.values(), other.profiles.values()))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ColumnProfiles({len(self.profiles)} columns, {self.num_records} rows, {self.num_queries} queries)"

    # -- merge -----------------------------------------------------------------------------
    def merge(self, other: ColumnProfiles) -> ColumnProfiles:
        """The profiles of the union of the two datasets (e.g. two partitions), from states only.

        Exact parts (counts, completeness, extremes, sums, type counts, histograms) equal those of
        profiling the union; distinct counts and percentiles are the sketches' merges (within their
        error bounds). A histogram survives if both sides have one and the merged distinct count is
        still within the threshold, as profiling the union decides."""
        if not isinstance(other, ColumnProfiles):
            raise InvalidOptionError("other", "ColumnProfiles", other, owner="ColumnProfiles.merge")
        if list(self.profiles) != list(other.profiles):
            raise StateMergeError(f"cannot merge profiles of columns {list(self.profiles)} with {list(other.profiles)}")
        threshold = min(self.low_cardinality_histogram_threshold, other.low_cardinality_histogram_threshold)
        n = self.num_records + other.num_records
        out = {}
        for name, a in self.profiles.items():
            b = other.profiles[name]
            if a.kind is not b.kind:
                raise StateMergeError(f"column {name!r} is {a.kind.value} in one profile and {b.kind.value} in the other")
            if set(a.states) != set(b.states):
                raise StateMergeError(f"column {name!r} was profiled with different settings: "
                                      f"{sorted(a.states)} vs {sorted(b.states)}")
            states = {k: a.states[k].merge(b.states[k]) for k in a.states}
            counts = None
            if a.value_counts is not None and b.value_counts is not None:
                counts = merge_value_counts(a.value_counts, b.value_counts)
            p = ColumnProfile.from_states(name, a.kind, a.engine_type, n, states, counts,
                                          relative_error=self.relative_error)
            if counts is not None and p.approximate_num_distinct_values > threshold:
                p = ColumnProfile.from_states(name, a.kind, a.engine_type, n, states, None,
                                              relative_error=self.relative_error)
            out[name] = p
        return ColumnProfiles(out, n, low_cardinality_histogram_threshold=threshold,
                              relative_error=self.relative_error)

    # -- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"format": "dq.column_profiles", "version": FORMAT_VERSION, "num_records": self.num_records,
                "low_cardinality_histogram_threshold": self.low_cardinality_histogram_threshold,
                "relative_error": self.relative_error,
                "columns": [p.to_dict() for p in self.profiles.values()]}

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ColumnProfiles:
        if not isinstance(d, Mapping) or d.get("format") != "dq.column_profiles":
            raise StateFormatError("not a dq column-profiles document (expected \"format\": \"dq.column_profiles\")")
        version = d.get("version")
        if type(version) is not int or not 1 <= version <= FORMAT_VERSION:
            raise StateFormatError(f"column-profiles version {version!r} is not supported "
                                   f"(this dq reads 1..{FORMAT_VERSION})")
        try:
            n = int(d["num_records"])
            rel = float(d.get("relative_error", 0.01))
            profiles = {}
            for c in d["columns"]:
                states = {k: State.from_dict(s) for k, s in c["states"].items()}
                counts = None
                if "value_counts" in c:
                    counts = tuple((None if k is None else str(k), int(x)) for k, x in c["value_counts"])
                profiles[c["column"]] = ColumnProfile.from_states(
                    c["column"], Kind(c["kind"]), c["engine_type"], n, states, counts, relative_error=rel)
            return cls(profiles, n, low_cardinality_histogram_threshold=int(d["low_cardinality_histogram_threshold"]),
                       relative_error=rel)
        except (KeyError, TypeError, ValueError) as e:
            raise StateFormatError(f"corrupt column-profiles document: {e!r}") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> ColumnProfiles:
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise StateFormatError(f"column profiles are not JSON: {e}") from None
        return cls.from_dict(d)

    # -- display ---------------------------------------------------------------------------
    def render(self) -> str:
        head = ("column", "type", "complete", "~distinct", "min", "max", "mean", "stddev", "top values")
        rows = [head]
        for p in self.profiles.values():
            lo, hi = (p.min_length, p.max_length) if p.is_string else (p.minimum, p.maximum)
            top = ""
            if p.value_counts is not None:
                top = ", ".join(f"{NULL_VALUE if k is None else k} ({n})" for k, n in p.value_counts[:3])
                if len(p.value_counts) > 3:
                    top += f", ... ({len(p.value_counts)} values)"
            rows.append((p.column, p.data_type + (" (inferred)" if p.is_data_type_inferred else ""),
                         _fmt(p.completeness), str(p.approximate_num_distinct_values), _fmt(lo), _fmt(hi),
                         _fmt(p.mean), _fmt(p.std_dev), top))
        widths = [min(max(len(r[i]) for r in rows), 30) for i in range(len(head) - 1)]
        lines = []
        for k, r in enumerate(rows):
            lines.append("  ".join([r[i][: widths[i]].ljust(widths[i]) for i in range(len(widths))] + [r[-1][:80]]))
            if k == 0:
                lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 10)
        lines.append(f"\n{len(self.profiles)} columns, {self.num_records} rows, {self.num_queries} queries")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    return str(v)
