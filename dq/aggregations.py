"""The backend-neutral vocabulary of aggregations.

Analyzers declare what they need in these terms; each backend compiles every kind with one rule
(and raises a clear error for a kind it lacks). Aggregations are frozen and hashable, so a plan
computes each distinct one once however many analyzers ask for it. Column names here are the
dataset's actual names (already resolved); predicates are validated ``Predicate`` objects.

Three families:

* scan aggregations: fused into the single scan query;
* stream aggregations (``STREAM = True``): values stream once through Arrow into a sketch, one
  pass shared by all of them (KLL quantiles on DuckDB);
* frequency aggregations: evaluated over the frequency table of one ``GroupKey``
  (one grouped query per distinct key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "Agg",
    "CorrOf",
    "PairCount",
    "CoMomentsOf",
    "CountNonNull",
    "CountRegex",
    "CountRows",
    "CountTrue",
    "CountZeros",
    "DataTypeCounts",
    "DuplicateRows",
    "ExactQuantileOf",
    "FreqAgg",
    "GroupKey",
    "HLLOf",
    "KLLOf",
    "MaxLengthOf",
    "MaxOf",
    "MinLengthOf",
    "MinOf",
    "MutualInfo",
    "NumGroups",
    "NumRowsNonNull",
    "NumSingletons",
    "PowerSumOf",
    "SumCountLnCount",
    "SumOf",
    "TopBins",
    "TopBinsResult",
    "VarPopOf",
]


@dataclass(frozen=True)
class Agg:
    STREAM: ClassVar[bool] = False
    #: how many result values the aggregation produces (a tuple when > 1)
    ARITY: ClassVar[int] = 1


# where is a dq.predicates.Predicate or None; typed Any to keep this module free of imports.

@dataclass(frozen=True)
class CountRows(Agg):
    """Rows for which ``where`` is true (all rows without it)."""
    where: Any = None


@dataclass(frozen=True)
class CountNonNull(Agg):
    column: str
    where: Any = None


@dataclass(frozen=True)
class CountTrue(Agg):
    """Rows (passing ``where``) for which the predicate is TRUE; NULL counts as not true."""
    predicate: Any
    where: Any = None


@dataclass(frozen=True)
class CountZeros(Agg):
    column: str
    where: Any = None


@dataclass(frozen=True)
class CountRegex(Agg):
    """Rows whose value contains a match of ``pattern`` (search semantics); NULL is no match."""
    column: str
    pattern: str
    where: Any = None


@dataclass(frozen=True)
class SumOf(Agg):
    column: str
    where: Any = None


@dataclass(frozen=True)
class MinOf(Agg):
    """Minimum of a numeric (as double), date or timestamp column."""
    column: str
    where: Any = None


@dataclass(frozen=True)
class MaxOf(Agg):
    column: str
    where: Any = None


@dataclass(frozen=True)
class MinLengthOf(Agg):
    """Minimum string length in characters; NULL ignored, or counted as length 0 when null_as_empty."""
    column: str
    where: Any = None
    null_as_empty: bool = False


@dataclass(frozen=True)
class MaxLengthOf(Agg):
    column: str
    where: Any = None
    null_as_empty: bool = False


@dataclass(frozen=True)
class VarPopOf(Agg):
    """Population variance (numerically stable, computed by the engine)."""
    column: str
    where: Any = None


@dataclass(frozen=True)
class PowerSumOf(Agg):
    """Σ x^k over non-null values, in double precision."""
    column: str
    k: int
    where: Any = None


@dataclass(frozen=True)
class CoMomentsOf(Agg):
    """(n, x̄, ȳ, Σ(x-x̄)(y-ȳ), Σ(x-x̄)², Σ(y-ȳ)²) over rows where both are non-null."""
    ARITY: ClassVar[int] = 6
    x: str
    y: str
    where: Any = None


@dataclass(frozen=True)
class CorrOf(Agg):
    """Pearson correlation over rows where both are non-null; NaN or NULL when undefined."""
    x: str
    y: str
    where: Any = None


@dataclass(frozen=True)
class PairCount(Agg):
    """Rows where both columns are non-null."""
    x: str
    y: str
    where: Any = None


@dataclass(frozen=True)
class HLLOf(Agg):
    """HyperLogLog++ registers of the non-null values; the result is an ``HLLState``."""
    column: str
    precision: int
    where: Any = None


@dataclass(frozen=True)
class DataTypeCounts(Agg):
    """(nulls, fractional, integral, boolean, string) counts of values cast to text."""
    ARITY: ClassVar[int] = 5
    column: str
    kind: str = "string"  # the column's dq.schema.Kind value: non-strings are classified by type
    where: Any = None


@dataclass(frozen=True)
class ExactQuantileOf(Agg):
    """Exact quantile with linear interpolation between closest ranks (position q·(n-1))."""
    column: str
    quantile: float
    where: Any = None


@dataclass(frozen=True)
class KLLOf(Agg):
    """A KLL sketch of the non-null, non-NaN values; the result is a ``KLLState``."""
    STREAM: ClassVar[bool] = True
    column: str
    k: int
    where: Any = None


# -- grouping -----------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupKey:
    """One frequency table: GROUP BY ``columns`` over the rows passing ``where``.
    ``sums`` lists extra columns whose per-group sums the table carries."""
    columns: tuple[str, ...]
    where: Any = None
    sums: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreqAgg:
    """An aggregation over a frequency table; unless said otherwise it ignores the all-NULL group."""


@dataclass(frozen=True)
class NumGroups(FreqAgg):
    pass


@dataclass(frozen=True)
class NumRowsNonNull(FreqAgg):
    """Σ count over groups with at least one non-NULL grouping value (Deequ's numRows)."""


@dataclass(frozen=True)
class NumSingletons(FreqAgg):
    pass


@dataclass(frozen=True)
class SumCountLnCount(FreqAgg):
    """Σ c·ln(c): entropy is ln N − Σ c ln c / N."""


@dataclass(frozen=True)
class DuplicateRows(FreqAgg):
    """Σ count over groups with count > 1."""


@dataclass(frozen=True)
class MutualInfo(FreqAgg):
    """Σ p(x,y)·ln(p(x,y)/(p(x)p(y))) over groups where *both* columns are non-NULL, with N, p(x) and
    p(y) taken over those same rows; result is (mi, n)."""
    x: str
    y: str


@dataclass(frozen=True)
class TopBins(FreqAgg):
    """The ``max_bins`` most frequent groups (count desc, then value text asc), *including* the
    all-NULL group; returns a ``TopBinsResult``. ``value_sum`` names a per-group sum to report."""
    max_bins: int
    value_sum: str | None = None


@dataclass(frozen=True)
class TopBinsResult:
    bins: tuple[tuple[str | None, int, float | None], ...]  # (value text or None for NULL, count, sum)
    number_of_bins: int
    total_count: int
    total_sum: float | None
