"""Grouping analyzers: metrics of the exact frequency table of one or more columns.

The frequency table of (columns, where) is built by one grouped query shared by every grouping
analyzer with the same columns and filter. Following Deequ, a row takes part if at least one of its
grouping columns is non-NULL (for one column: NULLs are left out) and NULL is an ordinary value
inside a multi-column group; ``numRows`` is the number of those rows. Histogram alone also reports
the all-NULL group, as the bin ``NullValue``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from dq import aggregations as A
from dq.analyzers.base import (
    NESTED_FORBIDDEN,
    NUMERIC,
    Analyzer,
    AnalyzerOptions,
    EmptyStateFailure,
    PlanContext,
    as_columns,
    require_str,
    require_where,
)
from dq.errors import InvalidOptionError
from dq.metrics import Distribution, DistributionValue, Entity
from dq.states.frequencies import COUNT, Frequencies

__all__ = [
    "NULL_VALUE",
    "CountDistinct",
    "Distinctness",
    "DuplicateRowCount",
    "Entropy",
    "Histogram",
    "MutualInformation",
    "UniqueValueRatio",
    "Uniqueness",
]

#: the bin name of NULL in histograms (Deequ's)
NULL_VALUE = "NullValue"


class GroupingAnalyzer(Analyzer):
    KIND: ClassVar[str] = "grouping"

    def grouping_columns(self, ctx: PlanContext) -> tuple[str, ...]:
        return tuple(ctx.column(c).name for c in self.referenced_columns())

    def group_key(self, ctx: PlanContext) -> A.GroupKey:
        # Sorted so that (a, b) and (b, a) share one frequency table.
        return A.GroupKey(tuple(sorted(set(self.grouping_columns(ctx)))), ctx.where(self.where_text))

    def check_schema(self, ctx: PlanContext) -> None:
        for c in self.referenced_columns():
            ctx.column(c, NESTED_FORBIDDEN, "a non-nested column", context=self.context())
        ctx.where(self.where_text, context=self.context())

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        raise NotImplementedError

    def value_from_frequencies(self, r: dict[str, Any]) -> Any:
        raise NotImplementedError

    def project(self, freq: Frequencies) -> Frequencies:
        """This analyzer's state: the key columns and counts (a shared table may carry more sums)."""
        keep = list(freq.columns) + [COUNT]
        return freq if freq.table.column_names == keep else Frequencies(freq.columns, freq.table.select(keep))

    @property
    def entity(self) -> Entity:
        return Entity.COLUMN if len(self.referenced_columns()) == 1 else Entity.MULTICOLUMN


class _ColumnsAnalyzer(GroupingAnalyzer):
    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", as_columns(self.columns, self.name))
        require_where(self.where, self.name)


def _rows(r: dict[str, Any], analyzer: Analyzer) -> int:
    n = int(r["rows"] or 0)
    if n == 0:
        raise EmptyStateFailure(analyzer)
    return n


@dataclass(frozen=True)
class CountDistinct(_ColumnsAnalyzer):
    """Exact number of distinct values (groups) among rows with a non-NULL grouping value."""

    columns: tuple[str, ...]
    where: str | None = None

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        return {"groups": A.NumGroups()}

    def value_from_frequencies(self, r: dict[str, Any]) -> float:
        return float(r["groups"] or 0)


@dataclass(frozen=True)
class Distinctness(_ColumnsAnalyzer):
    """Distinct values / rows (rows with a non-NULL grouping value)."""

    columns: tuple[str, ...]
    where: str | None = None

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        return {"groups": A.NumGroups(), "rows": A.NumRowsNonNull()}

    def value_from_frequencies(self, r: dict[str, Any]) -> float:
        return int(r["groups"] or 0) / _rows(r, self)


@dataclass(frozen=True)
class Uniqueness(_ColumnsAnalyzer):
    """Values occurring exactly once / rows (rows with a non-NULL grouping value)."""

    columns: tuple[str, ...]
    where: str | None = None
    options: AnalyzerOptions | None = None

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        return {"singletons": A.NumSingletons(), "rows": A.NumRowsNonNull()}

    def value_from_frequencies(self, r: dict[str, Any]) -> float:
        return int(r["singletons"] or 0) / _rows(r, self)


@dataclass(frozen=True)
class UniqueValueRatio(_ColumnsAnalyzer):
    """Values occurring exactly once / distinct values."""

    columns: tuple[str, ...]
    where: str | None = None
    options: AnalyzerOptions | None = None

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        return {"singletons": A.NumSingletons(), "groups": A.NumGroups()}

    def value_from_frequencies(self, r: dict[str, Any]) -> float:
        groups = int(r["groups"] or 0)
        if groups == 0:
            raise EmptyStateFailure(self)
        return int(r["singletons"] or 0) / groups


@dataclass(frozen=True)
class Entropy(GroupingAnalyzer):
    """Shannon entropy −Σ p·ln p (natural log, as Deequ) of the non-NULL values, p = count / rows."""

    column: str
    where: str | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "Entropy")
        require_where(self.where, "Entropy")

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        return {"clnc": A.SumCountLnCount(), "rows": A.NumRowsNonNull()}

    def value_from_frequencies(self, r: dict[str, Any]) -> float:
        n = _rows(r, self)
        # −Σ (c/n) ln(c/n) = ln n − Σ c ln c / n; clamp rounding noise below zero.
        return max(0.0, math.log(n) - float(r["clnc"] or 0.0) / n)


@dataclass(frozen=True)
class MutualInformation(GroupingAnalyzer):
    """Mutual information Σ p(x,y)·ln(p(x,y) / (p(x)·p(y))) (natural log) of two columns, over the
    rows where *both* are non-NULL; the marginals and N come from those same rows.

    Deequ drops the groups with a NULL from the sum but still counts their rows in N (its quirk 2),
    which makes the value depend on how many NULLs there are; dq does not."""

    columns: tuple[str, ...]
    where: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", as_columns(self.columns, "MutualInformation"))
        if len(self.columns) != 2:
            raise InvalidOptionError("columns", "exactly two column names", list(self.columns),
                                     owner="MutualInformation")
        require_where(self.where, "MutualInformation")

    @property
    def entity(self) -> Entity:
        return Entity.MULTICOLUMN

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        x, y = self.grouping_columns(ctx)
        return {"mi": A.MutualInfo(x, y)}

    def value_from_frequencies(self, r: dict[str, Any]) -> float:
        mi, n = r["mi"]
        if not n:
            raise EmptyStateFailure(self)
        return max(0.0, float(mi))


@dataclass(frozen=True)
class DuplicateRowCount(_ColumnsAnalyzer):
    """Number of rows whose grouping values occur more than once (Σ count over groups with
    count > 1). No columns means all columns. No rows gives 0."""

    columns: tuple[str, ...] = ()
    where: str | None = None
    options: AnalyzerOptions | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", as_columns(self.columns, "DuplicateRowCount", allow_empty=True))
        require_where(self.where, "DuplicateRowCount")

    @property
    def entity(self) -> Entity:
        return Entity.DATASET if not self.columns else super().entity

    def grouping_columns(self, ctx: PlanContext) -> tuple[str, ...]:
        return tuple(ctx.schema.names) if not self.columns else super().grouping_columns(ctx)

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        return {"dups": A.DuplicateRows()}

    def value_from_frequencies(self, r: dict[str, Any]) -> float:
        return float(r["dups"] or 0)


@dataclass(frozen=True)
class Histogram(GroupingAnalyzer):
    """Value distribution of one column: the ``max_detail_bins`` most frequent values (count
    descending, then value) with absolute counts and ratios; ``number_of_bins`` counts all distinct
    values; ``tail_count`` the rows beyond the detail bins. Values appear as text; NULL is the bin
    ``NullValue``. With ``aggregate_sum=col`` a bin's absolute value is the sum of ``col`` over its
    rows instead of the row count.

    The ratio's denominator is the total over the rows that passed ``where`` (Deequ divides by the
    total of the *unfiltered* data, its quirk 1, so filtered ratios do not sum to 1 there)."""

    column: str
    max_detail_bins: int = 1000
    where: str | None = None
    compute_frequencies_as_ratio: bool = True
    aggregate_sum: str | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "Histogram")
        require_where(self.where, "Histogram")
        b = self.max_detail_bins
        if isinstance(b, bool) or not isinstance(b, int) or not 1 <= b <= 1000:
            raise InvalidOptionError("max_detail_bins", "an integer between 1 and 1000", b, owner="Histogram")
        if self.aggregate_sum is not None:
            require_str(self.aggregate_sum, "aggregate_sum", "Histogram")

    def referenced_columns(self) -> tuple[str, ...]:
        return (self.column,)

    def check_schema(self, ctx: PlanContext) -> None:
        super().check_schema(ctx)
        if self.aggregate_sum is not None:
            ctx.column(self.aggregate_sum, NUMERIC, "numeric", context=self.context())

    def frequency_aggregations(self, ctx: PlanContext) -> dict[str, A.FreqAgg]:
        s = None if self.aggregate_sum is None else ctx.column(self.aggregate_sum).name
        return {"top": A.TopBins(self.max_detail_bins, s)}

    def sum_column(self, ctx: PlanContext) -> str | None:
        return None if self.aggregate_sum is None else ctx.column(self.aggregate_sum).name

    def project(self, freq: Frequencies) -> Frequencies:
        keep = list(freq.columns) + [COUNT]
        if self.aggregate_sum is not None:
            keep += [c for c in freq.table.column_names if c.startswith("__sum") and c not in keep]
        return Frequencies(freq.columns, freq.table.select(keep))

    def value_from_frequencies(self, r: dict[str, Any]) -> Distribution:
        top: A.TopBinsResult = r["top"]
        use_sum = self.aggregate_sum is not None
        total = (top.total_sum or 0.0) if use_sum else top.total_count
        absolutes: dict[str, float] = {}
        for value, count, s in top.bins:
            key = NULL_VALUE if value is None else value
            # A text value 'NullValue' and NULL share one bin, as in Deequ (it fills NULLs with
            # the text 'NullValue' before grouping).
            absolutes[key] = absolutes.get(key, 0) + ((s or 0.0) if use_sum else count)
        merged_bins = len(top.bins) - len(absolutes)
        values: dict[str, DistributionValue] = {}
        for key, absolute in absolutes.items():
            if self.compute_frequencies_as_ratio:
                ratio = absolute / total if total else 0.0
            else:
                ratio = float(absolute)  # Deequ divides by 1 when ratios are off
            values[key] = DistributionValue(int(absolute) if float(absolute).is_integer() else absolute, ratio)
        tail = total - sum(absolutes.values())
        return Distribution(values, top.number_of_bins - merged_bins, int(tail) if float(tail).is_integer() else tail)
