"""Counting, compliance, extremes, lengths, sums, data types and schema analyzers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dq import aggregations as A
from dq.analyzers.base import (
    NESTED_FORBIDDEN,
    NUMERIC,
    ORDERABLE,
    Analyzer,
    AnalyzerOptions,
    EmptyStateFailure,
    NullBehavior,
    PlanContext,
    as_columns,
    require_str,
    require_where,
)
from dq.metrics import Distribution, DistributionValue, Entity
from dq.schema import Kind
from dq.states.simple import (
    DATA_TYPES,
    DataTypeHistogram,
    MaxState,
    MeanState,
    MinMaxState,
    MinState,
    NumMatches,
    NumMatchesAndCount,
    RatioOfSumsState,
    SumState,
)

__all__ = [
    "ColumnCount",
    "ColumnExists",
    "Completeness",
    "Compliance",
    "DataType",
    "MaxLength",
    "Maximum",
    "Mean",
    "MinLength",
    "Minimum",
    "PatternMatch",
    "Patterns",
    "Range",
    "RatioOfSums",
    "Size",
    "Sum",
    "ZerosCount",
]

_NUMERIC_EXPECTED = "numeric (integer, float, double or decimal)"
_ORDERABLE_EXPECTED = "numeric, date or timestamp"


def _ratio(state: NumMatchesAndCount, analyzer: Analyzer) -> float:
    if state.count == 0:
        raise EmptyStateFailure(analyzer)
    return state.num_matches / state.count


class _Ratio(Analyzer):
    def state_from(self, r: dict[str, Any]) -> NumMatchesAndCount:
        return NumMatchesAndCount(int(r["matches"] or 0), int(r["count"] or 0))

    def value_from_state(self, state: NumMatchesAndCount) -> float:
        return _ratio(state, self)


@dataclass(frozen=True)
class Size(Analyzer):
    """Number of rows (passing ``where``; rows where the predicate is NULL do not count)."""

    where: str | None = None

    def __post_init__(self) -> None:
        require_where(self.where, "Size")

    @property
    def entity(self) -> Entity:
        return Entity.DATASET

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"n": A.CountRows(ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]) -> NumMatches:
        return NumMatches(int(r["n"] or 0))

    def value_from_state(self, state: NumMatches) -> float:
        # An empty dataset has size 0: a defined value, not a failure.
        return float(state.num_matches)


@dataclass(frozen=True)
class Completeness(_Ratio):
    """Fraction of rows (passing ``where``) whose value is not NULL. NaN counts as present, as in
    Deequ. No rows at all (or none passing ``where``) is a failed metric (empty state)."""

    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "Completeness")
        require_where(self.where, "Completeness")

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, NESTED_FORBIDDEN, "a non-nested column", context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = ctx.column(self.column).name
        return {"matches": A.CountNonNull(c, w), "count": A.CountRows(w)}


@dataclass(frozen=True)
class Compliance(_Ratio):
    """Fraction of rows (passing ``where``) for which ``predicate`` is TRUE. A predicate that is NULL
    for a row counts as non-compliant (Deequ). ``instance`` names the metric."""

    instance_name: str
    predicate: str
    where: str | None = None
    columns: tuple[str, ...] = ()
    options: AnalyzerOptions | None = None

    def __post_init__(self) -> None:
        require_str(self.instance_name, "instance", "Compliance")
        require_str(self.predicate, "predicate", "Compliance")
        require_where(self.where, "Compliance")
        object.__setattr__(self, "columns", as_columns(self.columns, "Compliance", allow_empty=True))

    @property
    def instance(self) -> str:
        return self.instance_name

    def referenced_columns(self) -> tuple[str, ...]:
        return self.columns

    def check_schema(self, ctx: PlanContext) -> None:
        super().check_schema(ctx)
        ctx.predicate(self.predicate, context=self.context())

    def predicates(self, ctx: PlanContext) -> list[Any]:
        return [*super().predicates(ctx), ctx.predicate(self.predicate)]

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        return {"matches": A.CountTrue(ctx.predicate(self.predicate), w), "count": A.CountRows(w)}


class Patterns:
    """Deequ's built-in patterns (RE2 syntax; search semantics unless anchored)."""

    EMAIL = (r"""(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*|"(?:[\x01-\x08\x0b\x0c"""
             r"""\x0e-\x1f\x21\x23-\x5b\x5d-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")@(?:(?:[a-z0-9](?:[a-z0-9-]"""
             r"""*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|\[(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.)"""
             r"""{3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[a-z0-9-]*[a-z0-9]:(?:[\x01-\x08\x0b\x0c\x0e-\x1f"""
             r"""\x21-\x5a\x53-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])+)\])""")
    URL = r"(https?|ftp)://[^\s/$.?#].[^\s]*"
    SOCIAL_SECURITY_NUMBER_US = r"((?!219-09-9999|078-05-1120)(?!666|000|9\d{2})\d{3}-(?!00)\d{2}-(?!0{4})\d{4})|((?!219 09 9999|078 05 1120)(?!666|000|9\d{2})\d{3} (?!00)\d{2} (?!0{4})\d{4})|((?!219099999|078051120)(?!666|000|9\d{2})\d{3}(?!00)\d{2}(?!0{4})\d{4})"
    CREDITCARD = r"\b(?:3[47]\d{2}([\ \-]?)\d{6}\1\d|(?:(?:4\d|5[1-5]|65)\d{2}|6011)([\ \-]?)\d{4}\2\d{4}\2)\d{4}\b"


@dataclass(frozen=True)
class PatternMatch(_Ratio):
    """Fraction of rows (passing ``where``) whose value contains a match of ``pattern``.

    Semantics: regular-expression *search* (anchor with ^...$ for a full match); NULL is a
    non-match; the denominator is every row passing ``where``. Deviation from Deequ, deliberate:
    Deequ counts a match only if the matched text is non-empty, so a pattern such as ``^$`` never
    matches even an empty string; dq counts any match. Patterns use RE2 syntax on DuckDB (no
    look-around or back-references)."""

    column: str
    pattern: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "PatternMatch")
        if isinstance(self.pattern, re.Pattern):
            object.__setattr__(self, "pattern", self.pattern.pattern)
        require_str(self.pattern, "pattern", "PatternMatch")
        require_where(self.where, "PatternMatch")

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, (Kind.STRING,), "a string column", context=self.context())
        ctx.where(self.where, context=self.context())

    def patterns(self) -> list[str]:
        return [self.pattern]

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        return {"matches": A.CountRegex(ctx.column(self.column).name, self.pattern, w), "count": A.CountRows(w)}


class _NumericColumn(Analyzer):
    KINDS: ClassVar[tuple[Kind, ...]] = NUMERIC
    EXPECTED: ClassVar[str] = _NUMERIC_EXPECTED

    def __post_init__(self) -> None:
        require_str(self.column, "column", self.name)
        require_where(self.where, self.name)

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, self.KINDS, self.EXPECTED, context=self.context())
        ctx.where(self.where, context=self.context())

    def col(self, ctx: PlanContext) -> str:
        return ctx.column(self.column).name


@dataclass(frozen=True)
class Sum(_NumericColumn):
    """Sum of the non-null values; all-null is a failed metric (empty state)."""

    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = self.col(ctx)
        return {"sum": A.SumOf(c, w), "n": A.CountNonNull(c, w)}

    def state_from(self, r: dict[str, Any]) -> SumState:
        return SumState(float(r["sum"] or 0.0), int(r["n"] or 0))

    def value_from_state(self, state: SumState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return state.sum


@dataclass(frozen=True)
class Mean(_NumericColumn):
    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = self.col(ctx)
        return {"sum": A.SumOf(c, w), "n": A.CountNonNull(c, w)}

    def state_from(self, r: dict[str, Any]) -> MeanState:
        return MeanState(float(r["sum"] or 0.0), int(r["n"] or 0))

    def value_from_state(self, state: MeanState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return state.sum / state.count


class _Extreme(_NumericColumn):
    KINDS: ClassVar[tuple[Kind, ...]] = ORDERABLE
    EXPECTED: ClassVar[str] = _ORDERABLE_EXPECTED
    AGG: ClassVar[type]
    STATE: ClassVar[type]

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"v": self.AGG(self.col(ctx), ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]):
        return self.STATE(r["v"])

    def value_from_state(self, state) -> Any:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return state.value


@dataclass(frozen=True)
class Minimum(_Extreme):
    """Smallest non-null value. Numeric columns give a float; date and timestamp columns give a
    ``datetime.date`` / ``datetime.datetime`` (Deequ supports numbers only). NaN is larger than
    every number (engine order), so it never is the minimum unless all values are NaN."""

    AGG: ClassVar[type] = A.MinOf
    STATE: ClassVar[type] = MinState
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None


@dataclass(frozen=True)
class Maximum(_Extreme):
    """Largest non-null value (see Minimum for types); NaN is the largest value when present."""

    AGG: ClassVar[type] = A.MaxOf
    STATE: ClassVar[type] = MaxState
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None


@dataclass(frozen=True)
class Range(_NumericColumn):
    """max - min of the non-null values (numeric columns)."""

    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = self.col(ctx)
        return {"min": A.MinOf(c, w), "max": A.MaxOf(c, w)}

    def state_from(self, r: dict[str, Any]) -> MinMaxState:
        return MinMaxState(r["min"], r["max"])

    def value_from_state(self, state: MinMaxState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return float(state.max) - float(state.min)


class _Length(Analyzer):
    """String length in characters (Unicode code points; Java/Deequ counts UTF-16 units, so an
    emoji counts 1 here and 2 there). ``options.null_behavior``: IGNORE skips NULLs; EMPTY_STRING
    counts a NULL as length 0; FAIL makes any NULL turn the metric extreme (MinLength -1.8e308,
    MaxLength 1.8e308), as Deequ does, so an assertion on it fails."""

    EXTREME: ClassVar[float] = 0.0

    def __post_init__(self) -> None:
        require_str(self.column, "column", self.name)
        require_where(self.where, self.name)

    @property
    def null_behavior(self) -> NullBehavior:
        return self.options.null_behavior if self.options else NullBehavior.IGNORE

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, (Kind.STRING,), "a string column", context=self.context())
        ctx.where(self.where, context=self.context())

    def _agg(self, c: str, w: Any, empty: bool) -> Any:
        raise NotImplementedError

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = ctx.column(self.column).name
        aggs = {"v": self._agg(c, w, self.null_behavior is NullBehavior.EMPTY_STRING)}
        if self.null_behavior is NullBehavior.FAIL:
            aggs["nonnull"] = A.CountNonNull(c, w)
            aggs["rows"] = A.CountRows(w)
        return aggs

    def state_from(self, r: dict[str, Any]):
        v = r["v"]
        if self.null_behavior is NullBehavior.FAIL and int(r["rows"] or 0) > int(r["nonnull"] or 0):
            v = self.EXTREME
        return self._state(None if v is None else float(v))

    def value_from_state(self, state) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return float(state.value)


@dataclass(frozen=True)
class MinLength(_Length):
    EXTREME: ClassVar[float] = -1.7976931348623157e308
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def _agg(self, c: str, w: Any, empty: bool) -> Any:
        return A.MinLengthOf(c, w, empty)

    def _state(self, v):
        return MinState(v)


@dataclass(frozen=True)
class MaxLength(_Length):
    EXTREME: ClassVar[float] = 1.7976931348623157e308
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def _agg(self, c: str, w: Any, empty: bool) -> Any:
        return A.MaxLengthOf(c, w, empty)

    def _state(self, v):
        return MaxState(v)


@dataclass(frozen=True)
class ZerosCount(_NumericColumn):
    """Number of values equal to 0 (NULLs are not counted)."""

    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"n": A.CountZeros(self.col(ctx), ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]) -> NumMatches:
        return NumMatches(int(r["n"] or 0))

    def value_from_state(self, state: NumMatches) -> float:
        return float(state.num_matches)


@dataclass(frozen=True)
class RatioOfSums(Analyzer):
    """sum(numerator) / sum(denominator), each sum ignoring its own NULLs. Division by a zero sum
    gives ±Infinity or NaN (Deequ). Deequ reads its two sums by fixed position and so is wrong
    whenever it shares a scan (its quirk 3); dq maps every result by name."""

    numerator: str
    denominator: str
    where: str | None = None

    def __post_init__(self) -> None:
        require_str(self.numerator, "numerator", "RatioOfSums")
        require_str(self.denominator, "denominator", "RatioOfSums")
        require_where(self.where, "RatioOfSums")

    @property
    def entity(self) -> Entity:
        return Entity.MULTICOLUMN

    @property
    def instance(self) -> str:
        return f"{self.numerator},{self.denominator}"

    def referenced_columns(self) -> tuple[str, ...]:
        return (self.numerator, self.denominator)

    def check_schema(self, ctx: PlanContext) -> None:
        for c in (self.numerator, self.denominator):
            ctx.column(c, NUMERIC, _NUMERIC_EXPECTED, context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        num = ctx.column(self.numerator).name
        return {"num": A.SumOf(num, w), "den": A.SumOf(ctx.column(self.denominator).name, w),
                "n": A.CountNonNull(num, w)}

    def state_from(self, r: dict[str, Any]) -> RatioOfSumsState:
        # ``count`` = non-null numerators: none at all is an empty state (Deequ: a NULL sum).
        return RatioOfSumsState(float(r["num"] or 0.0), float(r["den"] or 0.0), int(r["n"] or 0))

    def value_from_state(self, state: RatioOfSumsState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        if state.denominator == 0:
            if state.numerator == 0 or math.isnan(state.numerator):
                return math.nan
            return math.copysign(math.inf, state.numerator)
        return state.numerator / state.denominator


@dataclass(frozen=True)
class DataType(Analyzer):
    """Histogram of inferred value types: Unknown (NULL), Fractional, Integral, Boolean, String.

    A value is classified from its text form (Deequ's regular expressions): Fractional
    ``^(-|+)? ?\\d+((\\.\\d+)|((?:\\.\\d+)?[Ee][-+]?\\d+))$``, Integral ``^(-|+)? ?\\d+$``, Boolean
    ``^(true|false)$``, else String. Integer columns are all Integral and boolean columns all Boolean
    without casting; other non-string columns are cast to text first (so NaN is a String, as in
    Deequ). The ratio of each type is its count over all rows (passing ``where``)."""

    column: str
    where: str | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "DataType")
        require_where(self.where, "DataType")

    @property
    def name(self) -> str:
        return "Histogram"

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, NESTED_FORBIDDEN, "a non-nested column", context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        col = ctx.column(self.column)
        return {"counts": A.DataTypeCounts(col.name, col.kind.value, ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]) -> DataTypeHistogram:
        return DataTypeHistogram(*(int(x or 0) for x in r["counts"]))

    def value_from_state(self, state: DataTypeHistogram) -> Distribution:
        total = sum(state.counts)
        values = {
            name: DistributionValue(n, (n / total) if total else 0.0) for name, n in zip(DATA_TYPES, state.counts)
        }
        return Distribution(values, len(DATA_TYPES))

    @staticmethod
    def determine(dist: Distribution) -> str:
        """Deequ's ``determineType``: the single type that describes the column."""
        n = {k: v.absolute for k, v in dist.values.items()}
        if sum(n.values()) == n.get("Unknown", 0):
            return "Unknown"
        if n.get("String", 0) > 0 or (n.get("Boolean", 0) > 0 and (n.get("Integral", 0) + n.get("Fractional", 0)) > 0):
            return "String"
        if n.get("Boolean", 0) > 0:
            return "Boolean"
        if n.get("Fractional", 0) > 0:
            return "Fractional"
        return "Integral"


@dataclass(frozen=True)
class ColumnCount(Analyzer):
    """Number of columns; from the schema, no query."""

    KIND: ClassVar[str] = "schema"

    @property
    def entity(self) -> Entity:
        return Entity.DATASET

    def check_schema(self, ctx: PlanContext) -> None:
        return None

    def value_from_schema(self, ctx: PlanContext) -> float:
        return float(len(ctx.schema))


@dataclass(frozen=True)
class ColumnExists(Analyzer):
    """1.0 if the column exists (exact, case-sensitive name), else 0.0; from the schema, no query."""

    KIND: ClassVar[str] = "schema"
    column: str = field(default="")

    def __post_init__(self) -> None:
        require_str(self.column, "column", "ColumnExists")

    @property
    def entity(self) -> Entity:
        return Entity.DATASET

    def check_schema(self, ctx: PlanContext) -> None:
        return None  # a missing column is this analyzer's answer, not an error

    def value_from_schema(self, ctx: PlanContext) -> float:
        return 1.0 if self.column in ctx.schema.names else 0.0
