"""Column profiles: what the profiler found, built from mergeable states.

A profile keeps the states it was computed from (completeness counts, HyperLogLog registers, the
data-type histogram, extremes, moments, KLL sketch) and the exact value counts of a
low-cardinality column. Every reported number is derived from those, so two profiles of partitions
merge into the profile of the union (``ColumnProfiles.merge``), and a profile read back from JSON
is the same object (the JSON carries the states; the readable values are recomputed from them).

A string column whose values all parse as numbers (inferred type Integral or Fractional) may carry
the numeric statistics too, in states of the same types a numeric column's analyzers produce
(``numeric_analyzers``): built from its exact value counts (``numeric_text_states``) or computed
by the profiler's opt-in pass over the values cast to double.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
from dq.analyzers.basic import FRACTIONAL_PATTERN, INTEGRAL_PATTERN
from dq.analyzers.grouping import NULL_VALUE
from dq.errors import InvalidOptionError, StateFormatError, StateMergeError
from dq.metrics import Distribution, DistributionValue
from dq.profiles.histograms import merge_value_counts
from dq.schema import Kind
from dq.states.base import State
from dq.states.kll import KLLState
from dq.states.moments import Moments
from dq.states.simple import DataTypeHistogram, MaxState, MeanState, MinState, SumState

__all__ = ["FORMAT_VERSION", "NUMERIC_STATISTICS", "NUMERIC_TEXT_TYPES", "PERCENTILES", "ColumnProfile",
           "ColumnProfiles", "column_analyzers", "inferred_type", "numeric_analyzers", "numeric_text_states",
           "parse_numeric_text"]

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


#: the keys of the numeric statistics' states (numeric columns; numeric-looking string columns)
NUMERIC_STATISTICS = ("minimum", "maximum", "sum", "mean", "std_dev", "quantiles")
#: inferred types of a string column whose values all parse as numbers (Deequ casts those)
NUMERIC_TEXT_TYPES = ("Integral", "Fractional")


def numeric_analyzers(name: str, *, quantiles: bool, relative_error: float) -> dict[str, Analyzer]:
    """The analyzers of a number column's statistics (extremes, sum, mean, deviation, percentiles)."""
    out: dict[str, Analyzer] = {"minimum": Minimum(name), "maximum": Maximum(name), "sum": Sum(name),
                                "mean": Mean(name), "std_dev": StandardDeviation(name)}
    if quantiles:
        out["quantiles"] = ApproxQuantiles(name, PERCENTILES, relative_error)
    return out


def column_analyzers(name: str, kind: Kind, *, quantiles: bool, relative_error: float) -> dict[str, Analyzer]:
    """The analyzers (pass 1, one scan) whose states make up the profile of one column."""
    out: dict[str, Analyzer] = {"completeness": Completeness(name), "distinct": ApproxCountDistinct(name)}
    if kind is Kind.STRING:
        # Lengths ignore NULLs (Deequ's profiler counts a NULL as length 0); a suggested
        # has_min_length then says something about the values, and checks use the same default.
        out.update(types=DataType(name), min_length=MinLength(name), max_length=MaxLength(name))
    elif kind in _NUMERIC:
        out.update(numeric_analyzers(name, quantiles=quantiles, relative_error=relative_error))
    elif kind in _DATES:
        out.update(minimum=Minimum(name), maximum=Maximum(name))
    return out


def inferred_type(name: str, types: DataTypeHistogram | None) -> str | None:
    """Deequ's single type of a string column from its type counts (None without them)."""
    if types is None:
        return None
    return DataType.determine(DataType(name).value_from_state(types))


# The DataType analyzer's Integral and Fractional expressions, with \d as ASCII digits (as in RE2
# and Java)
_NUMBER_TEXT = re.compile(f"{FRACTIONAL_PATTERN}|{INTEGRAL_PATTERN}", re.ASCII)


def parse_numeric_text(text: str | None) -> float | None:
    """The double a text stands for when the DataType analyzer counts it as Integral or Fractional
    ("12", "+ 12", " 7", "-3.5", "1e5"); None for any other text and for NULL. "1e999" is
    infinite, as the engines' casts make it."""
    if text is None or _NUMBER_TEXT.fullmatch(text) is None:
        return None
    return float(text.replace(" ", ""))


def _exact_sum(terms: list[float]) -> float:
    try:
        return math.fsum(terms)
    except (OverflowError, ValueError):  # infinities (inf - inf is NaN, as in the engines)
        return sum(terms)


def numeric_text_states(value_counts: tuple[tuple[str | None, int], ...], *, quantiles: bool,
                        relative_error: float) -> dict[str, State]:
    """The numeric statistics' states (keys ``NUMERIC_STATISTICS``, the types ``numeric_analyzers``
    compute) of a text column from its exact value counts, each value read by
    ``parse_numeric_text`` (NULL and texts that are no number are skipped): the extremes, sum and
    moments are exact (sums rounded once), the KLL sketch is built from the weighted values
    (``dq.states.kll_build``), within the error bound of a sketch fed the values one by one."""
    from dq.analyzers.sketches import k_for_relative_error
    from dq.states.kll_build import kll_bytes_from_counts

    pairs = [(x, n) for v, n in value_counts if n > 0 and (x := parse_numeric_text(v)) is not None]
    k = k_for_relative_error(relative_error, "ColumnProfiler")
    out: dict[str, State]
    if not pairs:
        out = {"minimum": MinState(None), "maximum": MaxState(None), "sum": SumState(0.0, 0),
               "mean": MeanState(0.0, 0), "std_dev": Moments.empty(2)}
        if quantiles:
            out["quantiles"] = KLLState.empty(k)
        return out
    n = sum(c for _, c in pairs)
    total = _exact_sum([x * c for x, c in pairs])
    mean = total / n
    # two passes over the (few) distinct values: the deviations are exact up to rounding
    m2 = _exact_sum([c * (x - mean) ** 2 for x, c in pairs]) if math.isfinite(mean) else math.nan
    values = [x for x, _ in pairs]
    out = {"minimum": MinState(min(values)), "maximum": MaxState(max(values)), "sum": SumState(total, n),
           "mean": MeanState(total, n), "std_dev": Moments(2, n, mean, m2)}
    if quantiles:
        out["quantiles"] = KLLState(kll_bytes_from_counts(np.array(values, dtype=np.float64),
                                                          np.array([c for _, c in pairs], dtype=np.int64), k))
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
    (``is_data_type_inferred``) and ``type_counts`` holds the inferred-type histogram. A string
    column whose values all parse as numbers (``is_numeric_text``) also gets the numeric
    statistics (minimum, maximum, mean, std_dev, sum, approx_percentiles of the values read as
    doubles) when its value counts are known or the profiler's numeric-text pass was asked for;
    ``is_numeric`` stays about the column's type (number columns only)."""

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
    def is_numeric_text(self) -> bool:
        """A string column whose non-NULL values all parse as numbers (inferred Integral/Fractional)."""
        return self.is_string and self.is_data_type_inferred and self.data_type in NUMERIC_TEXT_TYPES

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
        if kind is Kind.STRING and any(k in states for k in NUMERIC_STATISTICS):  # numbers as text
            an.update(numeric_analyzers(name, quantiles="quantiles" in states, relative_error=relative_error))
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


def _split_numeric_text(p: ColumnProfile) -> tuple[dict[str, State], dict[str, State]]:
    """(the states every profile of the column has, the numeric-text statistics' states)."""
    if p.kind is not Kind.STRING:
        return dict(p.states), {}
    return ({k: s for k, s in p.states.items() if k not in NUMERIC_STATISTICS},
            {k: s for k, s in p.states.items() if k in NUMERIC_STATISTICS})


def _holds_numbers(p: ColumnProfile) -> bool:
    return bool(p.type_counts) and (p.type_counts.get("Integral", 0) + p.type_counts.get("Fractional", 0)) > 0


def _merge_numeric_text(name: str, types: Any, a: ColumnProfile, na: dict[str, State], b: ColumnProfile,
                        nb: dict[str, State]) -> dict[str, State]:
    if inferred_type(name, types) not in NUMERIC_TEXT_TYPES:
        return {}  # the union holds a text that is no number: no numeric statistics
    if na and nb:
        if set(na) != set(nb):
            raise StateMergeError(f"column {name!r} has numeric statistics of different settings: "
                                  f"{sorted(na)} vs {sorted(nb)}")
        return {k: na[k].merge(nb[k]) for k in na}
    if na and not _holds_numbers(b):
        return dict(na)
    if nb and not _holds_numbers(a):
        return dict(nb)
    return {}  # a side has numbers whose statistics were not computed


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
        still within the threshold, as profiling the union decides.

        The numeric statistics of a numbers-as-text column merge when the union still parses as
        numbers and each side either has them or holds no number at all (e.g. only NULLs);
        otherwise the merge has none (a side without them had too many distinct values for a
        histogram and no numeric-text pass). So a merge may know them where profiling the union
        would not (every part had a histogram, the union has too many values for one)."""
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
            sa, na = _split_numeric_text(a)
            sb, nb = _split_numeric_text(b)
            if set(sa) != set(sb):
                raise StateMergeError(f"column {name!r} was profiled with different settings: "
                                      f"{sorted(sa)} vs {sorted(sb)}")
            states = {k: sa[k].merge(sb[k]) for k in sa}
            if a.kind is Kind.STRING:
                states.update(_merge_numeric_text(name, states.get("types"), a, na, b, nb))
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
            # a string column's min/max are its lengths, unless its values are numbers with statistics
            text_lengths = p.is_string and p.minimum is None and p.maximum is None
            lo, hi = (p.min_length, p.max_length) if text_lengths else (p.minimum, p.maximum)
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
