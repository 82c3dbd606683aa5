"""The one-scan plan: how many statements a run costs, what is shared, and that results are mapped
back by name (never by position).

Plan of one run on DuckDB: 1 scan for every scan aggregation (deduplicated across analyzers), 1
grouped statement per distinct (grouping columns, where), 1 streaming pass shared by all KLL
sketches, 1 statement per CustomSql; schema analyzers cost nothing.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dq import AnalysisRunner
from dq.analyzers import (
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
    PatternMatch,
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
from dq.metrics import BucketDistribution, Distribution, KeyedValues

_rng = np.random.default_rng(7)
N = 200
DATA = pa.table({
    "a": pa.array(_rng.integers(0, 10, N), pa.int64()),
    "b": pa.array(_rng.integers(1, 5, N), pa.int64()),
    "x": pa.array([None if i % 13 == 0 else float(v) for i, v in enumerate(_rng.normal(50, 10, N))]),
    "y": pa.array(_rng.normal(0, 1, N)),
    "z": pa.array(_rng.exponential(3.0, N)),
    "s": pa.array([None if i % 11 == 0 else f"v{v}" for i, v in enumerate(_rng.integers(0, 15, N))]),
    "t": pa.array([f"{v}" for v in _rng.integers(0, 3, N)]),
})
NP = {c: DATA[c].to_numpy(zero_copy_only=False) for c in ("a", "b", "y", "z")}


def run(*analyzers, data=DATA, errors="raise"):
    return AnalysisRunner.on_data(data).add_analyzers(analyzers).run(errors=errors)


def scan_queries(ctx) -> list[str]:
    return [q for q in ctx.queries if "GROUP BY" not in q and not re.search(r'AS "k\d+"', q)
            and "__dq_freq" not in q]


def grouped_queries(ctx) -> list[str]:
    return [q for q in ctx.queries if "GROUP BY" in q]


def stream_queries(ctx) -> list[str]:
    return [q for q in ctx.queries if re.search(r'AS "k0"', q)]


SCAN_ANALYZERS = [
    Size(), Completeness("x"), Completeness("s"), Mean("x"), Sum("a"), Minimum("y"), Maximum("z"), Range("a"),
    StandardDeviation("x"), Variance("y"), Skewness("z"), Kurtosis("y"), Correlation("x", "y"),
    RatioOfSums("a", "b"), ZerosCount("a"), ApproxCountDistinct("s"), DataType("t"), MinLength("s"), MaxLength("s"),
    PatternMatch("s", r"^v1\d$"), Compliance("pos", "y > 0"), ExactQuantile("z", 0.5), InterquartileRange("z"),
    Mean("x", where="a > 3"), Size(where="t = '1'"),
]


# -------------------------------------------------------------------------------------------------
# Query counts
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 5, len(SCAN_ANALYZERS)])
def test_any_number_of_scan_analyzers_is_one_query(n):
    ctx = run(*SCAN_ANALYZERS[:n])
    assert ctx.num_queries == 1
    assert len(ctx.queries) == 1
    assert all(m.is_success for m in ctx.all_metrics()), ctx.failures()


def test_a_hundred_analyzers_are_one_query():
    analyzers = []
    for c in ("a", "b", "x", "y", "z"):
        analyzers += [Completeness(c), Mean(c), Sum(c), Minimum(c), Maximum(c), Range(c), StandardDeviation(c),
                      Variance(c), ZerosCount(c), ApproxCountDistinct(c), DataType(c),
                      Compliance(f"{c}-pos", f"{c} > 0"), Mean(c, where="t = '0'"), Mean(c, where="t = '1'"),
                      Completeness(c, where="t = '2'"), Size(where=f"{c} IS NULL"), Maximum(c, where="b = 1"),
                      Minimum(c, where="b = 2"), Sum(c, where="b > 2"), Compliance(f"{c}-small", f"{c} < 5")]
    assert len(set(analyzers)) == 100
    ctx = run(*analyzers)
    assert len(ctx) == 100
    assert ctx.num_queries == 1
    assert all(m.is_success for m in ctx.all_metrics()), ctx.failures()
    assert ctx.metric(Mean("a")).value == pytest.approx(NP["a"].mean())
    assert ctx.metric(Sum("b", where="b > 2")).value == float(NP["b"][NP["b"] > 2].sum())


def test_the_same_analyzer_twice_is_computed_once():
    ctx = run(Mean("x"), Mean("x"), Uniqueness(["s"]), Uniqueness("s"), ApproxQuantile("y", 0.5),
              ApproxQuantile("y", 0.5))
    assert len(ctx) == 3  # Uniqueness("s") is Uniqueness(["s"])
    assert ctx.num_queries == 3  # scan, grouped, KLL pass
    assert scan_queries(ctx)[0].count('sum("x")') == 1


def test_analyzers_sharing_aggregations_compute_them_once():
    ctx = run(Mean("x"), Sum("x"), Completeness("x"), Size(), StandardDeviation("y"), Variance("y"))
    assert ctx.num_queries == 1
    (scan,) = scan_queries(ctx)
    assert scan.count('sum("x")') == 1  # Mean and Sum
    assert scan.count('count("x")') == 1  # Mean, Sum, Completeness
    assert scan.count("count(*)") == 1  # Completeness and Size
    assert scan.count('var_pop("y")') == 1  # StandardDeviation and Variance
    assert scan.count('sum("y")') == 1  # the mean of the moments comes from the shared sum
    assert ctx.metric(Sum("x")).value == pytest.approx(ctx.metric(Mean("x")).value * 184)
    assert ctx.metric(StandardDeviation("y")).value == pytest.approx(math.sqrt(ctx.metric(Variance("y")).value))


def test_filtered_and_unfiltered_aggregations_are_distinct():
    ctx = run(Mean("x"), Mean("x", where="a > 3"), Sum("x", where="a > 3"))
    (scan,) = scan_queries(ctx)
    assert scan.count('sum("x")') == 1  # the plain one
    # the filtered one (filters are CASE WHEN inside the aggregate), shared by Mean and Sum
    assert scan.count('sum(CASE WHEN ("a" > 3) THEN "x" END)') == 1
    assert scan.count('"a" > 3') == 2  # the filter of the sum and of the count of the filtered pair


def test_grouping_analyzers_with_the_same_columns_and_where_share_one_query():
    analyzers = [CountDistinct(["s"]), Distinctness(["s"]), Uniqueness(["s"]), UniqueValueRatio(["s"]),
                 Entropy("s"), Histogram("s"), Histogram("s", max_detail_bins=3)]
    ctx = run(*analyzers)
    assert ctx.num_queries == 1
    assert len(grouped_queries(ctx)) == 1
    assert all(m.is_success for m in ctx.all_metrics())


def test_histogram_with_a_sum_shares_the_frequency_query():
    ctx = run(Histogram("t"), Histogram("t", aggregate_sum="a"), CountDistinct(["t"]))
    assert ctx.num_queries == 1
    counts = pd_counts("t")
    sums = {k: float(NP["a"][DATA["t"].to_numpy(zero_copy_only=False) == k].sum()) for k in counts}
    assert ctx.metric(Histogram("t")).value.absolutes() == counts
    assert {k: v.absolute for k, v in ctx.metric(Histogram("t", aggregate_sum="a")).value.values.items()} == sums


def pd_counts(col: str) -> dict[str, int]:
    vals, counts = np.unique(DATA[col].to_numpy(zero_copy_only=False).astype(str), return_counts=True)
    return {str(v): int(c) for v, c in zip(vals, counts)}


def test_different_where_means_a_separate_grouped_query():
    ctx = run(CountDistinct(["s"]), CountDistinct(["s"], where="a > 3"), Uniqueness(["s"], where="a > 3"),
              Entropy("s", where="a <= 3"))
    assert ctx.num_queries == 3
    assert len(grouped_queries(ctx)) == 3


def test_column_order_does_not_split_the_frequency_table():
    ab = [Uniqueness(["a", "b"]), Distinctness(["b", "a"]), MutualInformation(["a", "b"]),
          MutualInformation(["b", "a"]), CountDistinct(["b", "a"]), DuplicateRowCount(["a", "b"])]
    ctx = run(*ab)
    assert ctx.num_queries == 1
    assert ctx.metric(MutualInformation(["a", "b"])).value == pytest.approx(
        ctx.metric(MutualInformation(["b", "a"])).value)
    pairs = set(zip(NP["a"].tolist(), NP["b"].tolist()))
    assert ctx.metric(CountDistinct(["b", "a"])).value == len(pairs)
    assert ctx.metric(Distinctness(["b", "a"])).value == pytest.approx(len(pairs) / N)


def test_one_grouped_query_per_distinct_column_set():
    ctx = run(CountDistinct(["a"]), CountDistinct(["b"]), CountDistinct(["a", "b"]), Entropy("a"),
              Uniqueness(["b", "a"]), DuplicateRowCount(), DuplicateRowCount(list(DATA.column_names)))
    # {a}, {b}, {a,b}, all columns (twice: DuplicateRowCount() is over every column)
    assert ctx.num_queries == 4


def test_kll_analyzers_share_one_pass():
    kll = [ApproxQuantile("y", 0.5), ApproxQuantile("y", 0.9), ApproxQuantiles("y", [0.1, 0.5]),
           ApproxQuantiles("z", [0.25, 0.75]), KLLSketch("z", number_of_buckets=5), ApproxQuantile("x", 0.5),
           ApproxQuantile("x", 0.5, where="a > 3")]
    ctx = run(*kll)
    assert ctx.num_queries == 1
    (stream,) = stream_queries(ctx)
    # the same column with the same sketch size is streamed (and sketched) once
    assert stream.count('CAST("y" AS DOUBLE)') == 1
    assert all(m.is_success for m in ctx.all_metrics())
    y = np.sort(NP["y"])
    med = ctx.metric(ApproxQuantile("y", 0.5)).value
    assert med == ctx.metric(ApproxQuantiles("y", [0.1, 0.5])).value["0.5"]
    assert 0.45 <= np.searchsorted(y, med, side="right") / N <= 0.55


def test_kll_with_scan_and_grouping_is_three_queries():
    ctx = run(Mean("x"), Size(), CountDistinct(["s"]), ApproxQuantile("y", 0.5), KLLSketch("z"))
    assert ctx.num_queries == 3
    assert (len(scan_queries(ctx)), len(grouped_queries(ctx)), len(stream_queries(ctx))) == (1, 1, 1)


def test_schema_analyzers_cost_nothing():
    ctx = run(ColumnCount(), ColumnExists("a"), ColumnExists("nope"), ColumnExists("A"))
    assert ctx.num_queries == 0 and ctx.queries == []
    assert [m.value for m in ctx.all_metrics()] == [7.0, 1.0, 0.0, 0.0]
    # ... and add nothing to a run that has queries
    assert run(Mean("x"), ColumnCount(), ColumnExists("a")).num_queries == 1


def test_custom_sql_is_one_statement_each():
    c1 = CustomSql("SELECT count(*) FROM dataset WHERE a > 3", "c1")
    c2 = CustomSql("SELECT max(y) FROM dataset", "c2")
    ctx = run(Mean("x"), c1, c2, c1)
    assert ctx.num_queries == 3
    assert ctx.metric(c1).value == float((NP["a"] > 3).sum())
    assert ctx.metric(c2).value == pytest.approx(NP["y"].max())


def test_a_full_plan():
    ctx = run(*SCAN_ANALYZERS, CountDistinct(["s"]), Histogram("s"), Uniqueness(["a", "b"]), Entropy("t"),
              Entropy("t", where="a > 3"), ApproxQuantile("y", 0.5), KLLSketch("z"), ColumnCount(),
              CustomSql("SELECT count(*) FROM dataset"))
    # 1 scan + 4 grouped ({s}, {a,b}, {t}, {t} where a > 3) + 1 KLL pass + 1 custom
    assert ctx.num_queries == 7
    assert all(m.is_success for m in ctx.all_metrics()), ctx.failures()


def test_no_analyzers_no_queries():
    ctx = run()
    assert ctx.num_queries == 0 and len(ctx) == 0


# -------------------------------------------------------------------------------------------------
# Results are mapped by name, not position
# -------------------------------------------------------------------------------------------------

MIXED = [
    *SCAN_ANALYZERS, RatioOfSums("b", "a"), RatioOfSums("z", "y"), Sum("b"), Mean("a"),
    CountDistinct(["s"]), Histogram("t"), Uniqueness(["a", "b"]), Entropy("s", where="b > 1"),
    MutualInformation(["a", "t"]), ApproxQuantile("y", 0.5), ApproxQuantiles("z", [0.1, 0.9]),
    KLLSketch("y", number_of_buckets=4), ColumnCount(), CustomSql("SELECT sum(a) FROM dataset"),
]
REFERENCE = run(*MIXED)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)
    if isinstance(a, Distribution):
        return a.absolutes() == b.absolutes() and a.number_of_bins == b.number_of_bins and all(
            _same(a.values[k].ratio, b.values[k].ratio) for k in a.values)
    if isinstance(a, (KeyedValues, BucketDistribution)):
        # KLL compaction is randomised only beyond the sketch size; 200 rows stay exact
        return a == b
    return a == b


@settings(max_examples=25, deadline=None)
@given(st.permutations(MIXED))
def test_shuffling_the_analyzers_gives_identical_metrics(order):
    ctx = run(*order)
    assert list(ctx.metric_map) == list(dict.fromkeys(order))  # reported in the order given
    for a in MIXED:
        got, want = ctx.metric(a), REFERENCE.metric(a)
        assert got.is_success and _same(got.value, want.value), (a, got.value, want.value)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(MIXED), min_size=1, max_size=12))
def test_any_subset_gives_the_same_metrics_as_the_whole(subset):
    ctx = run(*subset)
    for a in subset:
        assert _same(ctx.metric(a).value, REFERENCE.metric(a).value), a


def test_ratio_of_sums_is_right_when_not_first_in_the_scan():
    # Deequ reads RatioOfSums' two sums by position and gets it wrong whenever other aggregations come
    # first in the shared scan (its quirk 3); dq maps each result by its alias.
    sa, sb, sy, sz = (float(NP[c].sum()) for c in ("a", "b", "y", "z"))
    analyzers = [Sum("b"), Mean("z"), Completeness("x"), StandardDeviation("y"), RatioOfSums("a", "b"),
                 Sum("a"), RatioOfSums("b", "a"), RatioOfSums("z", "y"), RatioOfSums("a", "b", where="t = '1'")]
    ctx = run(*analyzers)
    assert ctx.num_queries == 1
    assert ctx.metric(RatioOfSums("a", "b")).value == pytest.approx(sa / sb)
    assert ctx.metric(RatioOfSums("b", "a")).value == pytest.approx(sb / sa)
    assert ctx.metric(RatioOfSums("z", "y")).value == pytest.approx(sz / sy)
    sel = DATA["t"].to_numpy(zero_copy_only=False) == "1"
    assert ctx.metric(RatioOfSums("a", "b", where="t = '1'")).value == pytest.approx(
        NP["a"][sel].sum() / NP["b"][sel].sum())
    # and the same alone
    assert run(RatioOfSums("a", "b")).metric(RatioOfSums("a", "b")).value == pytest.approx(sa / sb)


def test_aliases_are_positional_only_in_name():
    # every expression in the scan is aliased; the metric of an analyzer never depends on its index
    ctx = run(Minimum("y"), Maximum("y"), Minimum("z"), Maximum("z"))
    (scan,) = scan_queries(ctx)
    assert len(re.findall(r'AS "a\d+_\d+"', scan)) == 4
    assert ctx.metric(Minimum("y")).value == pytest.approx(NP["y"].min())
    assert ctx.metric(Maximum("y")).value == pytest.approx(NP["y"].max())
    assert ctx.metric(Minimum("z")).value == pytest.approx(NP["z"].min())
    assert ctx.metric(Maximum("z")).value == pytest.approx(NP["z"].max())


def test_scan_values_match_numpy():
    ctx = run(*SCAN_ANALYZERS)
    x = DATA["x"].to_numpy(zero_copy_only=False).astype(float)
    xs = x[~np.isnan(x)]
    m = ctx.metric
    assert m(Size()).value == N
    assert m(Completeness("x")).value == pytest.approx(len(xs) / N)
    assert m(Mean("x")).value == pytest.approx(xs.mean())
    assert m(StandardDeviation("x")).value == pytest.approx(xs.std())
    assert m(Variance("y")).value == pytest.approx(NP["y"].var())
    z = NP["z"]
    assert m(Skewness("z")).value == pytest.approx(((z - z.mean()) ** 3).mean() / z.std() ** 3)
    y = NP["y"]
    assert m(Kurtosis("y")).value == pytest.approx(((y - y.mean()) ** 4).mean() / y.var() ** 2 - 3)
    mask = ~np.isnan(x)
    assert m(Correlation("x", "y")).value == pytest.approx(np.corrcoef(x[mask], y[mask])[0, 1])
    assert m(ExactQuantile("z", 0.5)).value == pytest.approx(np.quantile(z, 0.5))
    assert m(InterquartileRange("z")).value == pytest.approx(np.quantile(z, 0.75) - np.quantile(z, 0.25))
    assert m(ZerosCount("a")).value == float((NP["a"] == 0).sum())
    assert m(Mean("x", where="a > 3")).value == pytest.approx(np.nanmean(x[NP["a"] > 3]))
    assert m(Compliance("pos", "y > 0")).value == pytest.approx((y > 0).mean())
