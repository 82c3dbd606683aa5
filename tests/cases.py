"""The analyzer case table: (id, data, analyzer, expected, tolerance), run on every backend.

Every expected value is derived by hand from the data above it (the derivation is in a comment
where it is not obvious) or quoted from Deequ / PyDeequ (``DEEQU.md``, PyDeequ's
``tests/test_analyzers.py``). A case whose metric must fail gives ``Fails("substring of the error")``
(``Rejected`` when the schema check rejects the analyzer before any query). A case that shows a
known dq bug carries ``bug="..."``: it is expected to fail (strict xfail) until the bug is fixed.

Tolerance: ``EXACT`` (bit-for-bit on every backend: counts, ratios of counts, sums of small integers),
``FLOAT`` (the backend's own floating-point tolerance, ``conftest.BACKEND_TOLERANCE``) or a number
(relative and absolute tolerance, never tighter than the backend's).

Datasets are small pyarrow tables defined here; all cases on the same table also run together in
one analysis run (``test_analyzers_cases.py``), so each table deliberately mixes many analyzers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dq.analyzers import (
    Analyzer,
    AnalyzerOptions,
    ApproxCountDistinct,
    ApproxQuantile,
    ApproxQuantiles,
    ColumnCount,
    ColumnExists,
    Completeness,
    Compliance,
    Correlation,
    CountDistinct,
    CustomSql,
    DataType,
    Distinctness,
    DuplicateRowCount,
    Entropy,
    ExactQuantile,
    Histogram,
    InterquartileRange,
    KLLSketch,
    Kurtosis,
    Maximum,
    MaxLength,
    Mean,
    Minimum,
    MinLength,
    MutualInformation,
    NullBehavior,
    PatternMatch,
    Patterns,
    Range,
    RatioOfSums,
    Size,
    Skewness,
    StandardDeviation,
    Sum,
    Uniqueness,
    UniqueValueRatio,
    Variance,
    ZerosCount,
)
from dq.metrics import BucketDistribution, Distribution, KeyedValues, Metric

EXACT = "exact"
FLOAT = "float"

NAN = math.nan
INF = math.inf
DOUBLE_MAX = 1.7976931348623157e308  # Deequ's NullBehavior.Fail extreme (Double.MaxValue)
EMPTY = "Empty state"  # Deequ's EmptyStateException message starts with this

IGNORE = AnalyzerOptions(null_behavior=NullBehavior.IGNORE)
AS_EMPTY = AnalyzerOptions(null_behavior=NullBehavior.EMPTY_STRING)
FAIL = AnalyzerOptions(null_behavior=NullBehavior.FAIL)


# -- expected-value vocabulary ------------------------------------------------------------------

@dataclass(frozen=True)
class Fails:
    """The metric fails; its error contains ``message``."""

    message: str


@dataclass(frozen=True)
class Rejected(Fails):
    """The schema check rejects the analyzer before any query (``run(errors="record")``)."""


@dataclass(frozen=True)
class Hist:
    """A Distribution: value -> (absolute, ratio), number_of_bins, tail_count."""

    values: dict[str, tuple[float, float]]
    bins: int
    tail: float = 0


@dataclass(frozen=True)
class Buckets:
    """A KLL BucketDistribution: (low, high, count) per bucket."""

    buckets: tuple[tuple[float, float, int], ...]


def types(unknown=0, fractional=0, integral=0, boolean=0, string=0) -> Hist:
    """DataType's distribution; ratios over all rows (0.0 each when there are no rows)."""
    n = {"Unknown": unknown, "Fractional": fractional, "Integral": integral, "Boolean": boolean, "String": string}
    total = sum(n.values())
    return Hist({k: (v, v / total if total else 0.0) for k, v in n.items()}, 5)


@dataclass(frozen=True)
class Case:
    id: str
    data: pa.Table = field(repr=False)
    analyzer: Analyzer
    expected: Any
    tol: float | str = EXACT
    bug: str | None = None


CASES: list[Case] = []


def case(id: str, data: pa.Table, analyzer: Analyzer, expected: Any, tol: float | str = EXACT, *,
         bug: str | None = None) -> None:
    CASES.append(Case(id, data, analyzer, expected, tol, bug))


# -- known dq bugs (see the report; each case carrying one is a strict xfail) --------------------


# (none open)

# ==================================================================================================
# NUMS: the general numeric dataset (5 rows)
# ==================================================================================================
NUMS = pa.table({
    "x": pa.array([1.0, 2.0, 3.0, 4.0, None], pa.float64()),
    "y": pa.array([2.0, 4.0, 6.0, 9.0, 1.0], pa.float64()),
    "z": pa.array([0, 0, 5, None, -5], pa.int64()),
    "g": pa.array(["a", "b", "a", "a", None], pa.string()),
})
N = NUMS
case("nums/size", N, Size(), 5.0)
case("nums/size-where", N, Size(where="x > 2"), 2.0)  # x = 3, 4; NULL predicate is not counted
case("nums/size-where-string", N, Size(where="g = 'a'"), 3.0)
case("nums/size-where-spark-sql", N, Size(where="`g` = \"a\""), 3.0)  # backticks: read as Spark SQL
case("nums/completeness", N, Completeness("x"), 4 / 5)
case("nums/completeness-case-insensitive-name", N, Completeness("X"), 4 / 5)
case("nums/completeness-string", N, Completeness("g"), 4 / 5)
case("nums/completeness-where", N, Completeness("x", where="y > 3"), 1.0)  # y=4,6,9 -> x=2,3,4
case("nums/compliance", N, Compliance("x>1", "x > 1"), 3 / 5)  # NULL predicate counts as non-compliant
case("nums/compliance-two-columns", N, Compliance("x<y", "x < y", columns=("x", "y")), 4 / 5)
case("nums/compliance-where", N, Compliance("x>1 | z=0", "x > 1", where="z = 0"), 1 / 2)  # x=1 no, x=2 yes
case("nums/sum", N, Sum("x"), 10.0)
case("nums/sum-int", N, Sum("z"), 0.0)
case("nums/sum-where", N, Sum("x", where="g = 'a'"), 8.0)  # 1 + 3 + 4
case("nums/mean", N, Mean("x"), 2.5)
case("nums/mean-int", N, Mean("z"), 0.0)  # (0 + 0 + 5 - 5) / 4
case("nums/mean-y", N, Mean("y"), 22 / 5, FLOAT)
case("nums/minimum", N, Minimum("x"), 1.0)
case("nums/maximum", N, Maximum("x"), 4.0)
case("nums/minimum-int", N, Minimum("z"), -5.0)
case("nums/maximum-int", N, Maximum("z"), 5.0)
case("nums/maximum-where", N, Maximum("y", where="x < 3"), 4.0)
case("nums/range", N, Range("x"), 3.0)
case("nums/range-int", N, Range("z"), 10.0)
# x = 1..4: mean 2.5, deviations ±0.5, ±1.5: M2 = 5, M4 = 2·1.5⁴ + 2·0.5⁴ = 10.25
case("nums/variance", N, Variance("x"), 5 / 4, FLOAT)
case("nums/stddev", N, StandardDeviation("x"), math.sqrt(5 / 4), FLOAT)
case("nums/variance-int", N, Variance("z"), 50 / 4, FLOAT)  # 0,0,5,-5: mean 0
case("nums/skewness-symmetric", N, Skewness("x"), 0.0, 1e-9)
case("nums/kurtosis", N, Kurtosis("x"), 4 * 10.25 / 5**2 - 3, 1e-9)  # n·M4/M2² − 3 = −1.36
# pairs with both non-null: (1,2) (2,4) (3,6) (4,9): Sxy = 11.5, Sxx = 5, Syy = 26.75
case("nums/correlation", N, Correlation("x", "y"), 11.5 / math.sqrt(5 * 26.75), FLOAT)
# pairs (1,0) (2,0) (3,5): Sxz = 5, Sxx = 2, Szz = 50/3 -> √3/2
case("nums/correlation-int", N, Correlation("x", "z"), math.sqrt(3) / 2, FLOAT)
case("nums/correlation-where", N, Correlation("x", "y", where="z = 0"), 1.0, FLOAT)  # (1,2), (2,4)
case("nums/ratio-of-sums", N, RatioOfSums("x", "y"), 10 / 22, FLOAT)
case("nums/ratio-of-sums-zero-denominator", N, RatioOfSums("x", "z"), INF)  # 10 / 0
case("nums/ratio-of-sums-zero-over-zero", N, RatioOfSums("z", "z"), NAN)
case("nums/ratio-of-sums-zero-numerator", N, RatioOfSums("z", "x"), 0.0)
case("nums/zeros", N, ZerosCount("z"), 2.0)
case("nums/zeros-none", N, ZerosCount("x"), 0.0)
case("nums/zeros-where", N, ZerosCount("z", where="g = 'a'"), 1.0)  # z = 0, 5, NULL
case("nums/approx-count-distinct", N, ApproxCountDistinct("g"), 2.0)
case("nums/approx-count-distinct-double", N, ApproxCountDistinct("x"), 4.0)
case("nums/approx-count-distinct-int", N, ApproxCountDistinct("z"), 3.0)
case("nums/approx-count-distinct-where", N, ApproxCountDistinct("g", where="z = 0"), 2.0)
# KLL keeps every item of so few; rank 0.3·4 = 1.2 -> the 2nd smallest
case("nums/approx-quantile", N, ApproxQuantile("x", 0.3), 2.0)
case("nums/approx-quantile-min", N, ApproxQuantile("x", 0.0), 1.0)
case("nums/approx-quantile-max", N, ApproxQuantile("x", 1.0), 4.0)
case("nums/approx-quantiles", N, ApproxQuantiles("x", (0.0, 0.3, 1.0)), {"0.0": 1.0, "0.3": 2.0, "1.0": 4.0})
case("nums/kll", N, KLLSketch("x", number_of_buckets=3), Buckets(((1.0, 2.0, 1), (2.0, 3.0, 1), (3.0, 4.0, 2))))
case("nums/exact-quantile-median", N, ExactQuantile("x", 0.5), 2.5)  # position 1.5 between 2 and 3
case("nums/exact-quantile-q1", N, ExactQuantile("x", 0.25), 1.75, FLOAT)  # position 0.75
case("nums/exact-quantile-int", N, ExactQuantile("z", 0.5), 0.0)  # -5, 0, 0, 5
case("nums/iqr", N, InterquartileRange("x"), 3.25 - 1.75, FLOAT)  # positions 0.75 and 2.25
case("nums/datatype-int", N, DataType("z"), types(unknown=1, integral=4))
case("nums/datatype-double", N, DataType("x"), types(unknown=1, fractional=4))  # "1.0" ... "4.0"
case("nums/datatype-string", N, DataType("g"), types(unknown=1, string=4))
case("nums/count-distinct", N, CountDistinct("g"), 2.0)
# groups with at least one non-NULL value: (a,0) (b,0) (a,5) (a,NULL) (NULL,-5)
case("nums/count-distinct-two-columns", N, CountDistinct(("g", "z")), 5.0)
case("nums/distinctness-two-columns", N, Distinctness(("g", "z")), 1.0)
case("nums/distinctness", N, Distinctness("g"), 2 / 4)
case("nums/uniqueness", N, Uniqueness("g"), 1 / 4)  # only "b" occurs once among 4 non-NULL rows
case("nums/unique-value-ratio", N, UniqueValueRatio("g"), 1 / 2)
case("nums/entropy", N, Entropy("g"), -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)), FLOAT)
case("nums/entropy-where", N, Entropy("g", where="z = 0"), math.log(2), FLOAT)  # a, b
# rows with both non-NULL: (a,0) (b,0) (a,5); p(a)=p(0)=2/3, p(b)=p(5)=1/3:
#   1/3·ln((1/3)/(4/9)) + 1/3·ln((1/3)/(2/9)) + 1/3·ln((1/3)/(2/9)) = ln(0.75·1.5·1.5)/3
case("nums/mutual-information", N, MutualInformation(("g", "z")), math.log(0.75 * 1.5 * 1.5) / 3, FLOAT)
case("nums/duplicate-rows", N, DuplicateRowCount("g"), 3.0)  # "a" three times
case("nums/duplicate-rows-all-columns", N, DuplicateRowCount(), 0.0)
case("nums/histogram", N, Histogram("g"), Hist({"a": (3, 3 / 5), "b": (1, 1 / 5), "NullValue": (1, 1 / 5)}, 3))
case("nums/histogram-int", N, Histogram("z"),
     Hist({"0": (2, 2 / 5), "5": (1, 1 / 5), "-5": (1, 1 / 5), "NullValue": (1, 1 / 5)}, 4))
case("nums/histogram-double", N, Histogram("x"),
     Hist({"1.0": (1, 0.2), "2.0": (1, 0.2), "3.0": (1, 0.2), "4.0": (1, 0.2), "NullValue": (1, 0.2)}, 5))
case("nums/custom-sql", N, CustomSql("SELECT count(*) FROM dataset WHERE z = 0"), 2.0)
case("nums/custom-sql-sum", N, CustomSql("SELECT sum(x) FROM dataset WHERE g = 'a'", "sum_a"), 8.0)
case("nums/custom-sql-null", N, CustomSql("SELECT sum(x) FROM dataset WHERE x > 100"), Fails("returned NULL"))
case("nums/custom-sql-many-rows", N, CustomSql("SELECT z FROM dataset"), Fails("exactly 1 row"))
case("nums/custom-sql-not-a-number", N, CustomSql("SELECT max(g) FROM dataset"), Fails("non-numeric"))
case("nums/custom-sql-alias", N, CustomSql("SELECT count(*) FROM dataset d WHERE d.z = 0", "alias"), 2.0)
case("nums/custom-sql-cte", N, CustomSql("WITH t AS (SELECT * FROM dataset) SELECT count(*) FROM t"), 5.0)
case("nums/custom-sql-unknown-column", N, CustomSql("SELECT count(nope) FROM dataset"), Fails("nope"))
case("nums/mutual-information-with-itself", N, MutualInformation(("g", "g")),
     -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)), FLOAT)  # I(g; g) = H(g)
case("nums/count-distinct-same-column-twice", N, CountDistinct(("g", "G")), 2.0)
case("nums/correlation-with-itself", N, Correlation("x", "x"), 1.0, FLOAT)
case("nums/duplicate-rows-where", N, DuplicateRowCount("g", where="z IS NOT NULL"), 2.0)  # a, b, a
# sums of y per x bin: 1.0->2 2.0->4 3.0->6 4.0->9 NULL->1 (total 22); the top 2 by sum, the rest in the tail
case("nums/histogram-sum-top-2", N, Histogram("x", max_detail_bins=2, aggregate_sum="y"),
     Hist({"4.0": (9, 9 / 22), "3.0": (6, 6 / 22)}, 5, 7))
case("nums/column-count", N, ColumnCount(), 4.0)
case("nums/column-exists", N, ColumnExists("x"), 1.0)
case("nums/column-exists-is-case-sensitive", N, ColumnExists("X"), 0.0)
case("nums/column-exists-missing", N, ColumnExists("nope"), 0.0)
# rejected by the schema check (no query)
case("nums/reject-mean-of-string", N, Mean("g"), Rejected("must be numeric"))
case("nums/reject-missing-column", N, Completeness("nope"), Rejected("does not exist"))
case("nums/reject-pattern-on-double", N, PatternMatch("x", "1"), Rejected("string"))
case("nums/reject-length-of-int", N, MinLength("z"), Rejected("string"))
case("nums/reject-histogram-sum-of-string", N, Histogram("z", aggregate_sum="g"), Rejected("numeric"))

# a `where` that no row passes: an empty state, except for counts (0) and distributions (empty)
W0 = "x > 100"
case("nums/where-none/size", N, Size(where=W0), 0.0)
case("nums/where-none/completeness", N, Completeness("x", where=W0), Fails(EMPTY))
case("nums/where-none/compliance", N, Compliance("x>1 none", "x > 1", where=W0), Fails(EMPTY))
case("nums/where-none/pattern", N, PatternMatch("g", "a", where=W0), Fails(EMPTY))
case("nums/where-none/sum", N, Sum("x", where=W0), Fails(EMPTY))
case("nums/where-none/mean", N, Mean("x", where=W0), Fails(EMPTY))
case("nums/where-none/minimum", N, Minimum("x", where=W0), Fails(EMPTY))
case("nums/where-none/maximum", N, Maximum("x", where=W0), Fails(EMPTY))
case("nums/where-none/min-length", N, MinLength("g", where=W0), Fails(EMPTY))
case("nums/where-none/max-length", N, MaxLength("g", where=W0), Fails(EMPTY))
case("nums/where-none/max-length-fail", N, MaxLength("g", where=W0, options=FAIL), Fails(EMPTY))
case("nums/where-none/range", N, Range("x", where=W0), Fails(EMPTY))
case("nums/where-none/stddev", N, StandardDeviation("x", where=W0), Fails(EMPTY))
case("nums/where-none/variance", N, Variance("x", where=W0), Fails(EMPTY))
case("nums/where-none/skewness", N, Skewness("x", where=W0), Fails(EMPTY))
case("nums/where-none/kurtosis", N, Kurtosis("x", where=W0), Fails(EMPTY))
case("nums/where-none/correlation", N, Correlation("x", "y", where=W0), Fails(EMPTY))
case("nums/where-none/ratio-of-sums", N, RatioOfSums("x", "y", where=W0), Fails(EMPTY))
case("nums/where-none/zeros", N, ZerosCount("z", where=W0), 0.0)
case("nums/where-none/approx-count-distinct", N, ApproxCountDistinct("g", where=W0), 0.0)
case("nums/where-none/approx-quantile", N, ApproxQuantile("x", 0.5, where=W0), Fails(EMPTY))
case("nums/where-none/approx-quantiles", N, ApproxQuantiles("x", (0.5,), where=W0), Fails(EMPTY))
case("nums/where-none/kll", N, KLLSketch("x", where=W0), Fails(EMPTY))
case("nums/where-none/exact-quantile", N, ExactQuantile("x", 0.5, where=W0), Fails(EMPTY))
case("nums/where-none/iqr", N, InterquartileRange("x", where=W0), Fails(EMPTY))
# dq's choice for no rows: every type count 0 with ratio 0.0 (Deequ: 0/0 = NaN ratios)
case("nums/where-none/datatype", N, DataType("g", where=W0), types())
case("nums/where-none/count-distinct", N, CountDistinct("g", where=W0), 0.0)
case("nums/where-none/distinctness", N, Distinctness("g", where=W0), Fails(EMPTY))
case("nums/where-none/uniqueness", N, Uniqueness("g", where=W0), Fails(EMPTY))
case("nums/where-none/unique-value-ratio", N, UniqueValueRatio("g", where=W0), Fails(EMPTY))
case("nums/where-none/entropy", N, Entropy("g", where=W0), Fails(EMPTY))
case("nums/where-none/mutual-information", N, MutualInformation(("g", "z"), where=W0), Fails(EMPTY))
case("nums/where-none/duplicate-rows", N, DuplicateRowCount("g", where=W0), 0.0)
case("nums/where-none/histogram", N, Histogram("g", where=W0), Hist({}, 0))


# ==================================================================================================
# STRS: empty strings and unicode (lengths count code points: "😀😀" is 2, Java would say 4)
# ==================================================================================================
STRS = pa.table({
    "s": pa.array(["abc", "", "héllo", "日本語", "😀x", None], pa.string()),
    "t": pa.array(["ab", "abcd", None, "日本語x", "😀😀", "héé"], pa.string()),
    "contact": pa.array(["foo@example.com", "http://example.com/x", "not an email", "", None, "ftp://a.b"],
                        pa.string()),
})
S = STRS
case("strs/completeness", S, Completeness("s"), 5 / 6)  # "" is a value
case("strs/min-length", S, MinLength("s"), 0.0)  # ""
case("strs/max-length", S, MaxLength("s"), 5.0)  # "héllo"
case("strs/min-length-unicode", S, MinLength("t"), 2.0)  # "ab", "😀😀"
case("strs/max-length-unicode", S, MaxLength("t"), 4.0)  # "abcd", "日本語x"
case("strs/min-length-ignore", S, MinLength("t", options=IGNORE), 2.0)
case("strs/min-length-empty-string", S, MinLength("t", options=AS_EMPTY), 0.0)  # NULL counts as ""
case("strs/max-length-empty-string", S, MaxLength("t", options=AS_EMPTY), 4.0)
case("strs/max-length-fail", S, MaxLength("t", options=FAIL), DOUBLE_MAX)
case("strs/min-length-fail", S, MinLength("t", options=FAIL), -DOUBLE_MAX)
case("strs/min-length-fail-s", S, MinLength("s", options=FAIL), -DOUBLE_MAX)
case("strs/max-length-fail-where-no-nulls", S, MaxLength("t", where="t IS NOT NULL", options=FAIL), 4.0)
case("strs/min-length-where", S, MinLength("s", where="s <> ''"), 2.0)  # "😀x"
case("strs/max-length-where-unicode-literal", S, MaxLength("t", where="t = 'héé'"), 3.0)
case("strs/pattern", S, PatternMatch("s", r"^[a-z]+$"), 1 / 6)  # "abc" only
case("strs/pattern-code-points", S, PatternMatch("s", r"^.{3}$"), 2 / 6)  # "abc", "日本語"
case("strs/pattern-search", S, PatternMatch("s", "é"), 1 / 6)  # search, not full match
# dq deviation (documented): any match counts, so ^$ matches ""; Deequ requires a non-empty match (0.0)
case("strs/pattern-empty-match", S, PatternMatch("s", r"^$"), 1 / 6)
case("strs/pattern-where", S, PatternMatch("s", r"^.{3}$", where="s IS NOT NULL"), 2 / 5)
case("strs/pattern-email", S, PatternMatch("contact", Patterns.EMAIL), 1 / 6)
case("strs/pattern-url", S, PatternMatch("contact", Patterns.URL), 2 / 6)  # http://..., ftp://a.b
case("strs/datatype", S, DataType("s"), types(unknown=1, string=5))
case("strs/histogram", S, Histogram("s"),
     Hist({"abc": (1, 1 / 6), "": (1, 1 / 6), "héllo": (1, 1 / 6), "日本語": (1, 1 / 6), "😀x": (1, 1 / 6),
           "NullValue": (1, 1 / 6)}, 6))
case("strs/count-distinct", S, CountDistinct("s"), 5.0)
case("strs/approx-count-distinct", S, ApproxCountDistinct("s"), 5.0)
case("strs/uniqueness", S, Uniqueness("s"), 1.0)
case("strs/unique-value-ratio", S, UniqueValueRatio("t"), 1.0)
case("strs/entropy", S, Entropy("s"), math.log(5), FLOAT)
case("strs/distinctness-two-columns", S, Distinctness(("s", "t")), 1.0)
case("strs/duplicate-rows", S, DuplicateRowCount("s"), 0.0)
# 4 rows with both non-NULL, all pairs distinct: MI = H = ln 4
case("strs/mutual-information", S, MutualInformation(("s", "t")), math.log(4), FLOAT)


# a real value "NullValue" beside NULLs: Deequ fills NULL with "NullValue" before grouping, so both
# land in one bin (a 2, NullValue 2, 2 bins)
NULLVALUE = pa.table({"s": pa.array(["NullValue", None, "a", "a"], pa.string())})
case("nullvalue/histogram-collision", NULLVALUE, Histogram("s"), Hist({"a": (2, 0.5), "NullValue": (2, 0.5)}, 2))
case("nullvalue/count-distinct", NULLVALUE, CountDistinct("s"), 2.0)
case("nullvalue/completeness", NULLVALUE, Completeness("s"), 3 / 4)


# ==================================================================================================
# MIXED: DataType's classification of text, booleans
# ==================================================================================================
MIXED = pa.table({
    #            Int   Frac    Bool    Frac   Int    Str    Unk   Str  Str     Str
    "v": pa.array(["1", "-2.5", "true", "1e5", "+ 3", "abc", None, "", "TRUE", "3."], pa.string()),
    "flag": pa.array([True, False, None, True, True, False, True, True, True, True], pa.bool_()),
    "n": pa.array(range(10), pa.int64()),
})
M = MIXED
case("mixed/datatype", M, DataType("v"), types(unknown=1, fractional=2, integral=2, boolean=1, string=4))
case("mixed/datatype-where", M, DataType("v", where="n < 5"), types(fractional=2, integral=2, boolean=1))
case("mixed/datatype-bool", M, DataType("flag"), types(unknown=1, boolean=9))
case("mixed/datatype-int", M, DataType("n"), types(integral=10))
case("mixed/histogram-bool", M, Histogram("flag"),
     Hist({"true": (7, 7 / 10), "false": (2, 2 / 10), "NullValue": (1, 1 / 10)}, 3))
case("mixed/count-distinct-bool", M, CountDistinct("flag"), 2.0)
case("mixed/completeness-bool", M, Completeness("flag"), 9 / 10)
case("mixed/compliance-bool", M, Compliance("flag", "flag = true"), 7 / 10)
# ordering ties by value as text: "0" < "1" < "2"
case("mixed/histogram-top-by-text", M, Histogram("n", max_detail_bins=2), Hist({"0": (1, 0.1), "1": (1, 0.1)}, 10, 8))


# ==================================================================================================
# SPECIAL: NaN and ±Inf (engine order: NaN above every number, as in Spark)
# ==================================================================================================
SPECIAL = pa.table({
    "fn": pa.array([1.0, NAN, 3.0, None, 2.0], pa.float64()),
    "fi": pa.array([1.0, INF, 2.0, None, 3.0], pa.float64()),
    "fm": pa.array([-INF, INF, 0.0, None, -0.0], pa.float64()),
})
F = SPECIAL
case("special/completeness-nan-is-a-value", F, Completeness("fn"), 4 / 5)
case("special/sum-nan", F, Sum("fn"), NAN)
case("special/mean-nan", F, Mean("fn"), NAN)
case("special/maximum-nan", F, Maximum("fn"), NAN)
case("special/minimum-nan", F, Minimum("fn"), 1.0)
case("special/range-nan", F, Range("fn"), NAN)
case("special/variance-nan", F, Variance("fn"), NAN)
case("special/skewness-nan", F, Skewness("fn"), NAN)
case("special/correlation-nan", F, Correlation("fn", "fi"), NAN)
# NaN > 1.5 is TRUE in the engines (NaN is the largest double): 1 no, NaN yes, 3 yes, NULL no, 2 yes
case("special/compliance-nan", F, Compliance("fn>1.5", "fn > 1.5"), 3 / 5)
case("special/size-where-nan", F, Size(where="fn > 1.5"), 3.0)  # the same rows pass a where
# exact quantiles sort NaN last: 1, 2, 3, NaN -> position 1.5 = 2.5; the maximum is NaN
case("special/exact-quantile-nan", F, ExactQuantile("fn", 0.5), 2.5)
case("special/exact-quantile-max-nan", F, ExactQuantile("fn", 1.0), NAN)
# KLL sketches drop NaN: 1, 2, 3
case("special/approx-quantile-nan", F, ApproxQuantile("fn", 0.5), 2.0)
case("special/kll-nan", F, KLLSketch("fn", number_of_buckets=2), Buckets(((1.0, 2.0, 1), (2.0, 3.0, 2))))
case("special/kll-infinite-range", F, KLLSketch("fi", number_of_buckets=2), Fails("finite range"))
case("special/approx-count-distinct-nan", F, ApproxCountDistinct("fn"), 4.0)
case("special/count-distinct-nan", F, CountDistinct("fn"), 4.0)
case("special/datatype-nan", F, DataType("fn"), types(unknown=1, fractional=3, string=1))  # NaN is a String
case("special/datatype-inf", F, DataType("fi"), types(unknown=1, fractional=3, string=1))  # so is Infinity
case("special/sum-inf", F, Sum("fi"), INF)
case("special/mean-inf", F, Mean("fi"), INF)
case("special/maximum-inf", F, Maximum("fi"), INF)
case("special/minimum-inf", F, Minimum("fi"), 1.0)
case("special/range-inf", F, Range("fi"), INF)
case("special/variance-inf", F, Variance("fi"), NAN)
case("special/sum-both-infinities", F, Sum("fm"), NAN)
case("special/minimum-neg-inf", F, Minimum("fm"), -INF)
case("special/maximum-pos-inf", F, Maximum("fm"), INF)
case("special/range-both-infinities", F, Range("fm"), INF)
case("special/zeros-signed", F, ZerosCount("fm"), 2.0)  # 0.0 and -0.0
# DuckDB spells NaN "nan" (Spark/Deequ: "NaN"): a backend must decide; this pins DuckDB's text
case("special/histogram-nan", F, Histogram("fn"),
     Hist({"1.0": (1, 0.2), "nan": (1, 0.2), "3.0": (1, 0.2), "2.0": (1, 0.2), "NullValue": (1, 0.2)}, 5))

# one non-NULL value that is NaN (or ±Inf): moments are NaN as with two such values (numpy, Spark)
ONE_NAN = pa.table({"x": pa.array([NAN, None], pa.float64()), "y": pa.array([INF, 1.0], pa.float64())})
case("one-nan/mean", ONE_NAN, Mean("x"), NAN)
case("one-nan/variance", ONE_NAN, Variance("x"), NAN)
case("one-nan/stddev-inf", ONE_NAN, StandardDeviation("y", where="x IS NOT NULL"), NAN)
case("one-nan/variance-two-values", ONE_NAN, Variance("y"), NAN)  # inf, 1

# ==================================================================================================
# DATES: Minimum / Maximum of date and timestamp columns (values keep their type)
# ==================================================================================================
DATES = pa.table({
    "d": pa.array([dt.date(2024, 1, 15), dt.date(2023, 12, 31), None, dt.date(2024, 2, 29)], pa.date32()),
    "ts": pa.array([dt.datetime(2024, 1, 1, 10), dt.datetime(2024, 1, 1, 9, 59, 59, 500000), None,
                    dt.datetime(2025, 6, 30, 23, 59, 59)], pa.timestamp("us")),
    "n": pa.array([1, 2, 3, 4], pa.int64()),
})
D = DATES
case("dates/minimum-date", D, Minimum("d"), dt.date(2023, 12, 31))
case("dates/maximum-date", D, Maximum("d"), dt.date(2024, 2, 29))
case("dates/maximum-date-where", D, Maximum("d", where="n <= 2"), dt.date(2024, 1, 15))
case("dates/minimum-timestamp", D, Minimum("ts"), dt.datetime(2024, 1, 1, 9, 59, 59, 500000))
case("dates/maximum-timestamp", D, Maximum("ts"), dt.datetime(2025, 6, 30, 23, 59, 59))
case("dates/minimum-timestamp-where-only-null", D, Minimum("ts", where="n = 3"), Fails(EMPTY))
case("dates/completeness", D, Completeness("d"), 3 / 4)
case("dates/count-distinct", D, CountDistinct("d"), 3.0)
case("dates/approx-count-distinct", D, ApproxCountDistinct("ts"), 3.0)
case("dates/histogram", D, Histogram("d"),
     Hist({"2024-01-15": (1, 0.25), "2023-12-31": (1, 0.25), "2024-02-29": (1, 0.25), "NullValue": (1, 0.25)}, 4))
case("dates/datatype", D, DataType("d"), types(unknown=1, string=3))  # "2024-01-15" is text
case("dates/reject-range-of-date", D, Range("d"), Rejected("numeric"))
case("dates/reject-mean-of-timestamp", D, Mean("ts"), Rejected("numeric"))

TZ = pa.table({
    "tz": pa.array([dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc),
                    dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)], pa.timestamp("us", tz="UTC")),
})
case("tz/maximum-timestamp-tz", TZ, Maximum("tz"), dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc))


# ==================================================================================================
# DECIMALS: Deequ's numeric analyzers accept decimals (computed as doubles)
# ==================================================================================================
DEC = decimal.Decimal
DECIMALS = pa.table({
    "dec": pa.array([DEC("1.10"), DEC("2.25"), DEC("0.00"), None], pa.decimal128(10, 2)),
    "k": pa.array([1, 2, 3, 4], pa.int64()),
})
DC = DECIMALS
_dec_mean = 3.35 / 3
_dec_m2 = (1.10 - _dec_mean) ** 2 + (2.25 - _dec_mean) ** 2 + (0.0 - _dec_mean) ** 2
case("decimals/sum", DC, Sum("dec"), 3.35, FLOAT)
case("decimals/mean", DC, Mean("dec"), 3.35 / 3, FLOAT)
case("decimals/minimum", DC, Minimum("dec"), 0.0)
case("decimals/maximum", DC, Maximum("dec"), 2.25)
case("decimals/range", DC, Range("dec"), 2.25)
case("decimals/stddev", DC, StandardDeviation("dec"), math.sqrt(_dec_m2 / 3), FLOAT)
case("decimals/zeros", DC, ZerosCount("dec"), 1.0)
# pairs (1.10,1) (2.25,2) (0.00,3): Sxy = Σ x·(y − 2) = −1.1, Syy = 2
case("decimals/correlation", DC, Correlation("dec", "k"), -1.1 / math.sqrt(_dec_m2 * 2), FLOAT)
case("decimals/ratio-of-sums", DC, RatioOfSums("dec", "k"), 3.35 / 10, FLOAT)
case("decimals/exact-quantile-median", DC, ExactQuantile("dec", 0.5), 1.1, FLOAT)  # 0.00, 1.10, 2.25
case("decimals/exact-quantile-interpolated", DC, ExactQuantile("dec", 0.75), 1.675, FLOAT)  # position 1.5
case("decimals/iqr", DC, InterquartileRange("dec"), 1.675 - 0.55, FLOAT)
case("decimals/kll", DC, KLLSketch("dec", number_of_buckets=1), Buckets(((0.0, 2.25, 3),)))
case("decimals/approx-count-distinct", DC, ApproxCountDistinct("dec"), 3.0)
case("decimals/datatype", DC, DataType("dec"), types(unknown=1, fractional=3))  # "1.10", "2.25", "0.00"
case("decimals/histogram", DC, Histogram("dec"),
     Hist({"1.10": (1, 0.25), "2.25": (1, 0.25), "0.00": (1, 0.25), "NullValue": (1, 0.25)}, 4))


# ==================================================================================================
# ALL_NULL: typed columns with only NULLs (3 rows)
# ==================================================================================================
ALL_NULL = pa.table({
    "nd": pa.array([None, None, None], pa.float64()),
    "ns": pa.array([None, None, None], pa.string()),
    "ni": pa.array([None, None, None], pa.int64()),
})
A0 = ALL_NULL
case("all-null/size", A0, Size(), 3.0)
case("all-null/completeness", A0, Completeness("nd"), 0.0)
case("all-null/compliance", A0, Compliance("nd>0", "nd > 0"), 0.0)  # NULL predicate = non-compliant
case("all-null/pattern", A0, PatternMatch("ns", "a"), 0.0)  # NULL = non-match; denominator = all rows
case("all-null/sum", A0, Sum("nd"), Fails(EMPTY))
case("all-null/mean", A0, Mean("ni"), Fails(EMPTY))
case("all-null/minimum", A0, Minimum("nd"), Fails(EMPTY))
case("all-null/maximum", A0, Maximum("ni"), Fails(EMPTY))
case("all-null/range", A0, Range("nd"), Fails(EMPTY))
case("all-null/min-length", A0, MinLength("ns"), Fails(EMPTY))
case("all-null/max-length", A0, MaxLength("ns"), Fails(EMPTY))
case("all-null/min-length-empty-string", A0, MinLength("ns", options=AS_EMPTY), 0.0)
case("all-null/max-length-empty-string", A0, MaxLength("ns", options=AS_EMPTY), 0.0)
case("all-null/min-length-fail", A0, MinLength("ns", options=FAIL), -DOUBLE_MAX)
case("all-null/max-length-fail", A0, MaxLength("ns", options=FAIL), DOUBLE_MAX)
case("all-null/stddev", A0, StandardDeviation("nd"), Fails(EMPTY))
case("all-null/variance", A0, Variance("ni"), Fails(EMPTY))
case("all-null/skewness", A0, Skewness("nd"), Fails(EMPTY))
case("all-null/kurtosis", A0, Kurtosis("nd"), Fails(EMPTY))
case("all-null/correlation", A0, Correlation("nd", "ni"), Fails(EMPTY))
case("all-null/ratio-of-sums", A0, RatioOfSums("nd", "ni"), Fails(EMPTY))
case("all-null/zeros", A0, ZerosCount("nd"), 0.0)
case("all-null/approx-count-distinct", A0, ApproxCountDistinct("ns"), 0.0)
case("all-null/approx-quantile", A0, ApproxQuantile("nd", 0.5), Fails(EMPTY))
case("all-null/approx-quantiles", A0, ApproxQuantiles("ni", (0.1, 0.9)), Fails(EMPTY))
case("all-null/kll", A0, KLLSketch("nd"), Fails(EMPTY))
case("all-null/exact-quantile", A0, ExactQuantile("nd", 0.5), Fails(EMPTY))
case("all-null/iqr", A0, InterquartileRange("ni"), Fails(EMPTY))
case("all-null/datatype", A0, DataType("ns"), types(unknown=3))
case("all-null/datatype-int", A0, DataType("ni"), types(unknown=3))
case("all-null/count-distinct", A0, CountDistinct("ns"), 0.0)
case("all-null/distinctness", A0, Distinctness("ns"), Fails(EMPTY))
case("all-null/uniqueness", A0, Uniqueness("nd"), Fails(EMPTY))
case("all-null/unique-value-ratio", A0, UniqueValueRatio("ni"), Fails(EMPTY))
case("all-null/entropy", A0, Entropy("ns"), Fails(EMPTY))
case("all-null/mutual-information", A0, MutualInformation(("nd", "ns")), Fails(EMPTY))
case("all-null/duplicate-rows", A0, DuplicateRowCount("ns"), 0.0)
case("all-null/duplicate-rows-all-columns", A0, DuplicateRowCount(), 0.0)  # all-NULL rows are left out
case("all-null/histogram", A0, Histogram("ns"), Hist({"NullValue": (3, 1.0)}, 1))
case("all-null/custom-sql", A0, CustomSql("SELECT count(nd) FROM dataset"), 0.0)


# ==================================================================================================
# EMPTY: no rows at all, typed schema
# ==================================================================================================
EMPTY_TABLE = pa.table({
    "x": pa.array([], pa.float64()),
    "s": pa.array([], pa.string()),
    "i": pa.array([], pa.int64()),
})
E = EMPTY_TABLE
case("empty/size", E, Size(), 0.0)
case("empty/completeness", E, Completeness("x"), Fails(EMPTY))
case("empty/compliance", E, Compliance("x>0", "x > 0"), Fails(EMPTY))
case("empty/pattern", E, PatternMatch("s", "a"), Fails(EMPTY))
case("empty/sum", E, Sum("x"), Fails(EMPTY))
case("empty/mean", E, Mean("i"), Fails(EMPTY))
case("empty/minimum", E, Minimum("x"), Fails(EMPTY))
case("empty/maximum", E, Maximum("i"), Fails(EMPTY))
case("empty/range", E, Range("x"), Fails(EMPTY))
case("empty/min-length", E, MinLength("s"), Fails(EMPTY))
case("empty/max-length-empty-string", E, MaxLength("s", options=AS_EMPTY), Fails(EMPTY))
case("empty/max-length-fail", E, MaxLength("s", options=FAIL), Fails(EMPTY))
case("empty/stddev", E, StandardDeviation("x"), Fails(EMPTY))
case("empty/variance", E, Variance("x"), Fails(EMPTY))
case("empty/skewness", E, Skewness("i"), Fails(EMPTY))
case("empty/kurtosis", E, Kurtosis("x"), Fails(EMPTY))
case("empty/correlation", E, Correlation("x", "i"), Fails(EMPTY))
case("empty/ratio-of-sums", E, RatioOfSums("x", "i"), Fails(EMPTY))
case("empty/zeros", E, ZerosCount("i"), 0.0)
case("empty/approx-count-distinct", E, ApproxCountDistinct("s"), 0.0)
case("empty/approx-quantile", E, ApproxQuantile("x", 0.5), Fails(EMPTY))
case("empty/approx-quantiles", E, ApproxQuantiles("x", (0.5,)), Fails(EMPTY))
case("empty/kll", E, KLLSketch("i"), Fails(EMPTY))
case("empty/exact-quantile", E, ExactQuantile("x", 0.5), Fails(EMPTY))
case("empty/iqr", E, InterquartileRange("x"), Fails(EMPTY))
case("empty/datatype", E, DataType("s"), types())  # dq: ratio 0.0 when there are no rows
case("empty/count-distinct", E, CountDistinct("s"), 0.0)
case("empty/distinctness", E, Distinctness("s"), Fails(EMPTY))
case("empty/uniqueness", E, Uniqueness("i"), Fails(EMPTY))
case("empty/unique-value-ratio", E, UniqueValueRatio("s"), Fails(EMPTY))
case("empty/entropy", E, Entropy("x"), Fails(EMPTY))
case("empty/mutual-information", E, MutualInformation(("s", "i")), Fails(EMPTY))
case("empty/duplicate-rows", E, DuplicateRowCount("s"), 0.0)
case("empty/duplicate-rows-all-columns", E, DuplicateRowCount(), 0.0)
case("empty/histogram", E, Histogram("s"), Hist({}, 0))
case("empty/column-count", E, ColumnCount(), 3.0)
case("empty/column-exists", E, ColumnExists("s"), 1.0)
case("empty/custom-sql", E, CustomSql("SELECT count(*) FROM dataset"), 0.0)
case("empty/custom-sql-null", E, CustomSql("SELECT max(x) FROM dataset"), Fails("returned NULL"))


# ==================================================================================================
# HIST: histogram truncation, ties, where-ratios, aggregate_sum
# ==================================================================================================
HIST = pa.table({
    "h": pa.array(["a", "a", "a", "a", "b", "b", "b", None, None, "c", "d"], pa.string()),
    "amt": pa.array([1.0, 2.0, 3.0, 4.0, 1.0, 1.0, 1.0, 2.0, None, 5.0, 10.0], pa.float64()),
})
H = HIST
# counts: a 4, b 3, NULL 2, c 1, d 1 (11 rows); bins ordered by count desc, then value asc
case("hist/histogram", H, Histogram("h"),
     Hist({"a": (4, 4 / 11), "b": (3, 3 / 11), "NullValue": (2, 2 / 11), "c": (1, 1 / 11), "d": (1, 1 / 11)}, 5))
case("hist/histogram-top-1", H, Histogram("h", max_detail_bins=1), Hist({"a": (4, 4 / 11)}, 5, 7))
case("hist/histogram-top-3", H, Histogram("h", max_detail_bins=3),
     Hist({"a": (4, 4 / 11), "b": (3, 3 / 11), "NullValue": (2, 2 / 11)}, 5, 2))
case("hist/histogram-top-4-tie-by-value", H, Histogram("h", max_detail_bins=4),
     Hist({"a": (4, 4 / 11), "b": (3, 3 / 11), "NullValue": (2, 2 / 11), "c": (1, 1 / 11)}, 5, 1))
# amt >= 2 keeps a(2,3,4), NULL(2), c(5), d(10): ratios over the 6 rows that pass (Deequ: over all 11)
case("hist/histogram-where", H, Histogram("h", where="amt >= 2"),
     Hist({"a": (3, 3 / 6), "NullValue": (1, 1 / 6), "c": (1, 1 / 6), "d": (1, 1 / 6)}, 4))
case("hist/histogram-where-none", H, Histogram("h", where="amt > 100"), Hist({}, 0))
# sums of amt per bin: a 10, b 3, NULL 2 (2 + NULL), c 5, d 10; total 30
case("hist/histogram-sum", H, Histogram("h", aggregate_sum="amt"),
     Hist({"a": (10, 10 / 30), "b": (3, 3 / 30), "NullValue": (2, 2 / 30), "c": (5, 5 / 30), "d": (10, 10 / 30)}, 5))
case("hist/histogram-sum-top-2", H, Histogram("h", max_detail_bins=2, aggregate_sum="amt"),
     Hist({"a": (10, 10 / 30), "d": (10, 10 / 30)}, 5, 10))  # a and d tie at 10: value asc
case("hist/histogram-sum-where", H, Histogram("h", where="amt >= 2", aggregate_sum="amt"),
     Hist({"a": (9, 9 / 26), "NullValue": (2, 2 / 26), "c": (5, 5 / 26), "d": (10, 10 / 26)}, 4))
case("hist/histogram-absolute-only", H, Histogram("h", compute_frequencies_as_ratio=False),
     Hist({"a": (4, 4.0), "b": (3, 3.0), "NullValue": (2, 2.0), "c": (1, 1.0), "d": (1, 1.0)}, 5))
case("hist/count-distinct", H, CountDistinct("h"), 4.0)
case("hist/distinctness", H, Distinctness("h"), 4 / 9)
case("hist/distinctness-where", H, Distinctness("h", where="amt < 3"), 2 / 5)  # a a b b b
case("hist/uniqueness", H, Uniqueness("h"), 2 / 9)  # c, d
case("hist/unique-value-ratio", H, UniqueValueRatio("h"), 2 / 4)
case("hist/entropy", H, Entropy("h"),
     -(4 / 9 * math.log(4 / 9) + 3 / 9 * math.log(3 / 9) + 2 * (1 / 9 * math.log(1 / 9))), FLOAT)
case("hist/duplicate-rows", H, DuplicateRowCount("h"), 7.0)  # a 4 + b 3; the NULL group is left out
case("hist/duplicate-rows-all-columns", H, DuplicateRowCount(), 3.0)  # (b, 1.0) three times
# (h, amt) groups: (a,1) (a,2) (a,3) (a,4) (b,1)x3 (NULL,2) (c,5) (d,10); (NULL,NULL) left out: 7 of 10
case("hist/uniqueness-two-columns", H, Uniqueness(("h", "amt")), 7 / 10)


# ==================================================================================================
# MULTI: NULL inside multi-column groups (Deequ: a row counts if any grouping column is non-NULL)
# ==================================================================================================
MULTI = pa.table({
    "p": pa.array(["x", "x", "y", None, None, "y"], pa.string()),
    "q": pa.array([1, 1, 2, None, None, None], pa.int64()),
})
MU = MULTI
# rows: (x,1) (x,1) (y,2) (N,N) (N,N) (y,N): 4 rows take part, groups (x,1) (y,2) (y,N)
case("multi/count-distinct", MU, CountDistinct(("p", "q")), 3.0)
case("multi/distinctness", MU, Distinctness(("p", "q")), 3 / 4)
case("multi/uniqueness", MU, Uniqueness(("p", "q")), 2 / 4)
case("multi/unique-value-ratio", MU, UniqueValueRatio(("q", "p")), 2 / 3)
case("multi/uniqueness-where", MU, Uniqueness(("p", "q"), where="q IS NOT NULL"), 1 / 3)
case("multi/duplicate-rows", MU, DuplicateRowCount(("p", "q")), 2.0)
case("multi/duplicate-rows-all-columns", MU, DuplicateRowCount(), 2.0)  # (N,N) twice is not a duplicate
case("multi/count-distinct-one-column", MU, CountDistinct("p"), 2.0)
case("multi/uniqueness-one-column", MU, Uniqueness("p"), 0.0)
case("multi/entropy", MU, Entropy("p"), math.log(2), FLOAT)
# both non-NULL: (x,1) (x,1) (y,2): fully dependent, MI = H(2/3, 1/3)
case("multi/mutual-information", MU, MutualInformation(("p", "q")),
     -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)), FLOAT)
case("multi/histogram", MU, Histogram("p"), Hist({"x": (2, 2 / 6), "y": (2, 2 / 6), "NullValue": (2, 2 / 6)}, 3))
case("multi/column-count", MU, ColumnCount(), 2.0)


# ==================================================================================================
# CONST: constant columns (moments 0, correlation undefined) and a skewed column
# ==================================================================================================
CONST = pa.table({
    "k": pa.array([7.0, 7.0, 7.0, 7.0], pa.float64()),
    "w": pa.array([1.0, 2.0, 3.0, 4.0], pa.float64()),
    "w2": pa.array([8.0, 6.0, 4.0, 2.0], pa.float64()),
    "w3": pa.array([1.0, 2.0, 3.0, 10.0], pa.float64()),
})
K = CONST
# Deequ reports NaN; dq fails the metric and names the constant column
case("const/correlation-constant", K, Correlation("k", "w"), Fails("'k' is constant"))
case("const/correlation-constant-second", K, Correlation("w", "k"), Fails("'k' is constant"))
case("const/correlation-both-constant-where", K, Correlation("w", "w3", where="w <= 1"),
     Fails("'w' and 'w3' are constant"))
case("const/correlation-negative", K, Correlation("w", "w2"), -1.0, FLOAT)
case("const/stddev-constant", K, StandardDeviation("k"), 0.0, FLOAT)
case("const/variance-constant", K, Variance("k"), 0.0, FLOAT)
case("const/skewness-constant", K, Skewness("k"), 0.0)  # Deequ: 0 when M2 = 0
case("const/kurtosis-constant", K, Kurtosis("k"), 0.0)
# w3 = 1, 2, 3, 10: mean 4, deviations -3 -2 -1 6: M2 = 50, M3 = 180, M4 = 1394
case("const/variance", K, Variance("w3"), 50 / 4, FLOAT)
case("const/skewness", K, Skewness("w3"), math.sqrt(4) * 180 / 50**1.5, 1e-9)
case("const/kurtosis", K, Kurtosis("w3"), 4 * 1394 / 50**2 - 3, 1e-9)
case("const/exact-quantile", K, ExactQuantile("w3", 0.5), 2.5)
case("const/count-distinct-constant", K, CountDistinct("k"), 1.0)
case("const/entropy-constant", K, Entropy("k"), 0.0, FLOAT)
case("const/kll-constant", K, KLLSketch("k", number_of_buckets=2), Buckets(((7.0, 7.0, 0), (7.0, 7.0, 4))))


# ==================================================================================================
# Deequ's documented examples (DEEQU.md a.1 / quirks)
# ==================================================================================================
ONE_TO_TEN = pa.table({"v": pa.array(range(1, 11), pa.int64())})
T10 = ONE_TO_TEN
case("1-10/exact-quantile-median", T10, ExactQuantile("v", 0.5), 5.5)  # Deequ: median of 1..10 = 5.5
case("1-10/exact-quantile-0", T10, ExactQuantile("v", 0.0), 1.0)
case("1-10/exact-quantile-1", T10, ExactQuantile("v", 1.0), 10.0)
case("1-10/exact-quantile-0.9", T10, ExactQuantile("v", 0.9), 9.1, FLOAT)  # position 8.1
case("1-10/exact-quantile-where", T10, ExactQuantile("v", 0.5, where="v > 5"), 8.0)
case("1-10/iqr", T10, InterquartileRange("v"), 7.75 - 3.25)  # positions 2.25 and 6.75
# Deequ's ApproxQuantile returns an element, the lower median (quirk 4): 5 for 1..10
case("1-10/approx-quantile-median", T10, ApproxQuantile("v", 0.5), 5.0)
case("1-10/approx-quantile-0.25", T10, ApproxQuantile("v", 0.25), 3.0)  # rank 2.5 -> 3rd
case("1-10/approx-quantiles", T10, ApproxQuantiles("v", (0.0, 0.25, 0.55, 1.0)),
     {"0.0": 1.0, "0.25": 3.0, "0.55": 6.0, "1.0": 10.0})
case("1-10/kll", T10, KLLSketch("v", number_of_buckets=3),
     Buckets(((1.0, 4.0, 3), (4.0, 7.0, 3), (7.0, 10.0, 4))))  # [1,4) [4,7) [7,10]
case("1-10/kll-one-bucket", T10, KLLSketch("v", number_of_buckets=1), Buckets(((1.0, 10.0, 10),)))
case("1-10/mean", T10, Mean("v"), 5.5)
case("1-10/sum", T10, Sum("v"), 55.0)
case("1-10/stddev", T10, StandardDeviation("v"), math.sqrt(99 / 12), FLOAT)  # (n²-1)/12
case("1-10/skewness", T10, Skewness("v"), 0.0, 1e-9)
# excess kurtosis of the discrete uniform 1..n: -6(n²+1) / (5(n²-1))
case("1-10/kurtosis", T10, Kurtosis("v"), -6 * 101 / (5 * 99), 1e-9)
case("1-10/approx-count-distinct", T10, ApproxCountDistinct("v"), 10.0)

ONE_TO_SIX = pa.table({"v": pa.array(range(1, 7), pa.int64())})
case("1-6/iqr", ONE_TO_SIX, InterquartileRange("v"), 2.5)  # Deequ: 4.75 - 2.25
case("1-6/exact-quantile-median", ONE_TO_SIX, ExactQuantile("v", 0.5), 3.5)
case("1-6/approx-quantile-median", ONE_TO_SIX, ApproxQuantile("v", 0.5), 3.0)  # Deequ: 3.0

# PyDeequ's tests/test_analyzers.py dataset and expected values
PYDEEQU = pa.table({
    "a": pa.array(["foo", "bar", "baz"], pa.string()),
    "b": pa.array([1, 2, 3], pa.int64()),
    "c": pa.array([5, 6, None], pa.int64()),
    "d": pa.array([1, 3, 1], pa.int64()),
})
P = PYDEEQU
case("pydeequ/approx-count-distinct-b", P, ApproxCountDistinct("b"), 3.0)
case("pydeequ/approx-count-distinct-c", P, ApproxCountDistinct("c"), 2.0)
case("pydeequ/approx-quantile-b", P, ApproxQuantile("b", 0.5), 2.0)
case("pydeequ/approx-quantile-c", P, ApproxQuantile("c", 0.5), 5.0)
case("pydeequ/approx-quantile-b-0.25", P, ApproxQuantile("b", 0.25), 1.0)
case("pydeequ/approx-quantiles-b", P, ApproxQuantiles("b", (0.25, 0.5, 0.75)), {"0.25": 1.0, "0.5": 2.0, "0.75": 3.0})
case("pydeequ/approx-quantiles-c", P, ApproxQuantiles("c", (0.25, 0.5, 0.75)), {"0.25": 5.0, "0.5": 5.0, "0.75": 6.0})
case("pydeequ/completeness-b", P, Completeness("b"), 1.0)
case("pydeequ/completeness-c", P, Completeness("c"), 2 / 3)
case("pydeequ/compliance-b", P, Compliance("top b", "b >= 2"), 2 / 3)
case("pydeequ/compliance-c", P, Compliance("c", "c >= 2"), 2 / 3)
case("pydeequ/compliance-b-and-d", P, Compliance("b, e value", "b >=2 AND d >= 2"), 1 / 3)
case("pydeequ/compliance-a", P, Compliance("find a", "a = 'foo'"), 1 / 3)  # PyDeequ writes "foo" (Spark SQL)
case("pydeequ/compliance-a-spark-sql", P, Compliance("find a spark", "`a` = \"foo\""), 1 / 3)
case("pydeequ/correlation-b-c", P, Correlation("b", "c"), 1.0, FLOAT)
case("pydeequ/correlation-b-d", P, Correlation("b", "d"), 0.0, FLOAT)
case("pydeequ/correlation-b-a", P, Correlation("b", "a"), Rejected("numeric"))  # PyDeequ: no metric
case("pydeequ/count-distinct-b", P, CountDistinct("b"), 3.0)
case("pydeequ/count-distinct-b-c", P, CountDistinct(("b", "c")), 3.0)
case("pydeequ/count-distinct-b-d", P, CountDistinct(("b", "d")), 3.0)
case("pydeequ/datatype-b", P, DataType("b"), types(integral=3))
case("pydeequ/datatype-c", P, DataType("c"), types(unknown=1, integral=2))
case("pydeequ/distinctness-b", P, Distinctness("b"), 1.0)
case("pydeequ/distinctness-b-c", P, Distinctness(("b", "c")), 1.0)
case("pydeequ/distinctness-b-d", P, Distinctness(("b", "d")), 1.0)
case("pydeequ/entropy-b", P, Entropy("b"), 1.0986122886681096, FLOAT)
case("pydeequ/entropy-a", P, Entropy("a"), 1.0986122886681096, FLOAT)
case("pydeequ/entropy-c", P, Entropy("c"), 0.6931471805599453, FLOAT)
case("pydeequ/histogram-b", P, Histogram("b"), Hist({"1": (1, 1 / 3), "2": (1, 1 / 3), "3": (1, 1 / 3)}, 3))
case("pydeequ/histogram-c", P, Histogram("c"), Hist({"5": (1, 1 / 3), "6": (1, 1 / 3), "NullValue": (1, 1 / 3)}, 3))
case("pydeequ/histogram-b-max-bins", P, Histogram("b", max_detail_bins=2),
     Hist({"1": (1, 1 / 3), "2": (1, 1 / 3)}, 3, 1))  # Deequ >= 2.0.10: tailCount 1
case("pydeequ/maximum-b", P, Maximum("b"), 3.0)
case("pydeequ/max-length-a", P, MaxLength("a"), 3.0)
case("pydeequ/mean-b", P, Mean("b"), 2.0)
case("pydeequ/mean-c", P, Mean("c"), 11 / 2)
case("pydeequ/minimum-b", P, Minimum("b"), 1.0)
case("pydeequ/minimum-c", P, Minimum("c"), 5.0)
case("pydeequ/min-length-a", P, MinLength("a"), 3.0)
# Deequ: (2/3)·ln 3 = 0.7324 (quirk 2: N counts the (3, NULL) row its sum drops); dq uses the 2 rows
# where both are non-NULL: (1,5) (2,6) -> ln 2
case("pydeequ/mutual-information-b-c", P, MutualInformation(("b", "c")), math.log(2), FLOAT)
case("pydeequ/mutual-information-b-d", P, MutualInformation(("b", "d")), 0.6365141682948128, FLOAT)
case("pydeequ/pattern-match", P, PatternMatch("a", "ba(r|z)"), 2 / 3)
case("pydeequ/size", P, Size(), 3.0)
case("pydeequ/stddev-b", P, StandardDeviation("b"), 0.816496580927726, FLOAT)
case("pydeequ/stddev-c", P, StandardDeviation("c"), 0.5, FLOAT)
case("pydeequ/sum-b", P, Sum("b"), 6.0)
case("pydeequ/sum-c", P, Sum("c"), 11.0)
case("pydeequ/uniqueness-b-c", P, Uniqueness(("b", "c")), 1.0)
case("pydeequ/uniqueness-b-d", P, Uniqueness(("b", "d")), 1.0)
case("pydeequ/uniqueness-a-a", P, Uniqueness(("a", "a")), 1.0)
case("pydeequ/unique-value-ratio-b-d", P, UniqueValueRatio(("b", "d")), 1.0)
case("pydeequ/unique-value-ratio-b", P, UniqueValueRatio("b"), 1.0)
case("pydeequ/kll", P, KLLSketch("b", number_of_buckets=2), Buckets(((1.0, 2.0, 1), (2.0, 3.0, 2))))


# -- the datasets, named (for test ids) ----------------------------------------------------------
DATASETS: dict[str, pa.Table] = {
    "nums": NUMS, "strs": STRS, "mixed": MIXED, "special": SPECIAL, "dates": DATES, "tz": TZ,
    "all-null": ALL_NULL, "empty": EMPTY_TABLE, "hist": HIST, "multi": MULTI, "const": CONST,
    "1-10": ONE_TO_TEN, "1-6": ONE_TO_SIX, "pydeequ": PYDEEQU, "decimals": DECIMALS, "nullvalue": NULLVALUE, "one-nan": ONE_NAN,
}


def dataset_name(table: pa.Table) -> str:
    for name, t in DATASETS.items():
        if t is table or (t.schema == table.schema and t.equals(table)):
            return name
    raise KeyError("a case uses a table that is not in DATASETS")


def cases_by_dataset() -> dict[str, list[Case]]:
    """Cases grouped by (equal) data, in table order."""
    groups: dict[str, list[Case]] = {}
    for c in CASES:
        groups.setdefault(dataset_name(c.data), []).append(c)
    return groups


# ==================================================================================================
# comparison
# ==================================================================================================

def _tol(tol: float | str, backend_tol: float) -> float | None:
    if tol == EXACT:
        return None
    if tol == FLOAT:
        return backend_tol
    return max(float(tol), backend_tol)


def _same_number(actual: Any, expected: float, tol: float | None) -> bool:
    if not isinstance(actual, (int, float)) or isinstance(actual, bool):
        return False
    a, e = float(actual), float(expected)
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    if math.isinf(e) or math.isinf(a):
        return a == e
    if tol is None:
        return a == e
    return math.isclose(a, e, rel_tol=tol, abs_tol=tol)


def mismatch(metric: Metric, expected: Any, tol: float | str, backend_tol: float) -> str | None:
    """Why ``metric`` does not match ``expected`` (None when it does)."""
    t = _tol(tol, backend_tol)
    if isinstance(expected, Fails):
        if metric.is_success:
            return f"expected a failure containing {expected.message!r}, got value {metric.value!r}"
        if expected.message not in (metric.error or ""):
            return f"expected an error containing {expected.message!r}, got {metric.error!r}"
        return None
    if not metric.is_success:
        return f"expected {expected!r}, the metric failed: {metric.error}"
    v = metric.value
    if isinstance(expected, Hist):
        if not isinstance(v, Distribution):
            return f"expected a Distribution, got {v!r}"
        problems = []
        if set(v.values) != set(expected.values):
            problems.append(f"bins {sorted(v.values)} != expected {sorted(expected.values)}")
        for k in set(v.values) & set(expected.values):
            ea, er = expected.values[k]
            if not _same_number(v.values[k].absolute, ea, t):
                problems.append(f"{k!r}.absolute {v.values[k].absolute!r} != {ea!r}")
            if not _same_number(v.values[k].ratio, er, t):
                problems.append(f"{k!r}.ratio {v.values[k].ratio!r} != {er!r}")
        if v.number_of_bins != expected.bins:
            problems.append(f"number_of_bins {v.number_of_bins} != {expected.bins}")
        if not _same_number(v.tail_count, expected.tail, t):
            problems.append(f"tail_count {v.tail_count!r} != {expected.tail!r}")
        return "; ".join(problems) or None
    if isinstance(expected, Buckets):
        if not isinstance(v, BucketDistribution):
            return f"expected a BucketDistribution, got {v!r}"
        got = tuple((b.low_value, b.high_value, b.count) for b in v.buckets)
        if len(got) != len(expected.buckets) or not all(
                _same_number(g[0], e[0], t) and _same_number(g[1], e[1], t) and g[2] == e[2]
                for g, e in zip(got, expected.buckets)):
            return f"buckets {got} != expected {expected.buckets}"
        return None
    if isinstance(expected, dict):
        if not isinstance(v, KeyedValues):
            return f"expected KeyedValues, got {v!r}"
        if set(v.values) != set(expected) or not all(_same_number(v.values[k], expected[k], t) for k in expected):
            return f"{v.values} != expected {expected}"
        return None
    if isinstance(expected, (dt.date, dt.datetime)):
        if type(v) is not type(expected) or v != expected:
            return f"{v!r} != expected {expected!r}"
        return None
    if not isinstance(v, float):
        return f"expected a float, got {type(v).__name__} {v!r}"
    if not _same_number(v, expected, t):
        return f"{v!r} != expected {expected!r} (tolerance {tol})"
    return None


def _same_value(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return type(x) is type(y) and x == y


def same_metric(a: Metric, b: Metric) -> bool:
    """Two runs' metrics for one analyzer are identical (NaN equal to NaN)."""
    if a.is_success != b.is_success:
        return False
    if not a.is_success:
        return a.error == b.error
    if not isinstance(a.value, (Distribution, BucketDistribution, KeyedValues)):
        return _same_value(a.value, b.value)
    ra, rb = sorted(a.flatten(), key=lambda r: r[:3]), sorted(b.flatten(), key=lambda r: r[:3])
    return len(ra) == len(rb) and all(x[:3] == y[:3] and _same_value(x[3], y[3]) for x, y in zip(ra, rb))
