"""The Spark backend itself: how it is chosen, what it reads, how many queries and Spark jobs a plan
costs, its sketches (HLL registers, KLL sketches) and their merges with DuckDB's states.

The analyzer semantics are the case table's (tests/test_analyzers_cases.py runs it on Spark too);
DuckDB and Spark are compared on random data in tests/test_spark_differential.py.
"""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
from spark_support import spark_session, to_spark
from test_merge_laws import assert_quantile_within_bound, kll_rank_bound

from dq import AnalysisRunner
from dq import aggregations as A
from dq.analyzers import (
    ApproxCountDistinct,
    ApproxQuantile,
    Completeness,
    Compliance,
    CountDistinct,
    CustomSql,
    Entropy,
    Histogram,
    KLLSketch,
    Maximum,
    Mean,
    MutualInformation,
    PatternMatch,
    Size,
    StandardDeviation,
    Uniqueness,
)
from dq.backends import backend_for, is_spark_dataframe
from dq.errors import InvalidOptionError, PredicateError, StateMergeError, UnsupportedDataError
from dq.schema import Kind
from dq.states.hll import HLLState
from dq.states.kll import KLLState

pytest.importorskip("pyspark")

from pyspark.sql import functions as F  # noqa: E402

from dq.backends.spark import SparkBackend  # noqa: E402
from dq.backends.duckdb_hll import HASH_NAME as DUCK_HASH  # noqa: E402
from dq.backends.spark_hll import HASH_NAME  # noqa: E402


def test_import_dq_does_not_import_pyspark():
    code = ("import sys, pyarrow as pa, dq, dq.backends, dq.checks\n"
            "from dq import AnalysisRunner\nfrom dq.analyzers import Size\n"
            "AnalysisRunner.on_data(pa.table({'a': [1]})).add_analyzer(Size()).run()\n"
            "assert not [m for m in sys.modules if m.startswith('pyspark')]\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_backend_for_chooses_spark_for_a_dataframe_and_duckdb_otherwise():
    table = pa.table({"a": [1, 2]})
    df = to_spark(table)
    assert is_spark_dataframe(df) and not is_spark_dataframe(table) and not is_spark_dataframe(df.toArrow())
    assert isinstance(backend_for(df), SparkBackend)
    assert backend_for(table).name == "duckdb"
    with pytest.raises(InvalidOptionError, match="connection"):
        backend_for(df, connection=object())


def test_schema_kinds_from_spark_types():
    spark = spark_session()
    df = spark.sql("""SELECT CAST(1 AS TINYINT) t, CAST(1 AS SMALLINT) s, 1 i, 1L l, 1.5f f, 1.5d d,
                      CAST(1.5 AS DECIMAL(10, 2)) dec, 'x' str, CAST('x' AS VARCHAR(3)) vc, true b,
                      DATE'2024-01-01' day, TIMESTAMP'2024-01-01 00:00:00' ts,
                      TIMESTAMP_NTZ'2024-01-01 00:00:00' ntz, X'00' bin, array(1) arr, map(1, 2) m,
                      named_struct('a', 1) st, NULL n""")
    kinds = {c.name: c.kind for c in SparkBackend(df).schema}
    assert kinds == {
        "t": Kind.INTEGRAL, "s": Kind.INTEGRAL, "i": Kind.INTEGRAL, "l": Kind.INTEGRAL, "f": Kind.FRACTIONAL,
        "d": Kind.FRACTIONAL, "dec": Kind.DECIMAL, "str": Kind.STRING, "vc": Kind.STRING, "b": Kind.BOOLEAN,
        "day": Kind.DATE, "ts": Kind.TIMESTAMP, "ntz": Kind.TIMESTAMP, "bin": Kind.BINARY, "arr": Kind.NESTED,
        "m": Kind.NESTED, "st": Kind.NESTED, "n": Kind.OTHER,
    }


def test_columns_differing_only_in_case_are_refused():
    df = spark_session().sql("SELECT 1 AS Year, 2 AS year")
    with pytest.raises(UnsupportedDataError, match="differ only in case"):
        AnalysisRunner.on_data(df).add_analyzer(Size()).run()


def test_odd_column_names_are_quoted():
    table = pa.table({"a.b": [1, None, 3], "we`ird": ["x", "y", "x"], "select": [1.0, 2.0, 3.0]})
    analyzers = [Completeness("a.b"), CountDistinct("we`ird"), Mean("select"), Compliance("c", "`a.b` > 1"),
                 Histogram("we`ird")]
    ctx = AnalysisRunner.on_data(to_spark(table)).add_analyzers(analyzers).run()
    assert [ctx.metric(a).value for a in analyzers[:4]] == [2 / 3, 2.0, 2.0, 1 / 3]
    assert ctx.metric(analyzers[4]).value["x"].absolute == 2


def test_a_missing_rule_names_the_backend_and_the_aggregation():
    backend = SparkBackend(to_spark(pa.table({"a": [1]})))

    class Unknown(A.Agg):
        pass

    with pytest.raises(NotImplementedError, match="Spark backend has no rule for aggregation Unknown"):
        backend.run_scan([Unknown()])
    assert backend.num_queries == 0


# -- queries and jobs ----------------------------------------------------------------------------

REVIEWS = pa.table({
    "id": pa.array([f"r{i % 90}" for i in range(120)]),
    "stars": pa.array([1 + i % 5 for i in range(120)], pa.int64()),
    "votes": pa.array([None if i % 7 == 0 else i % 13 for i in range(120)], pa.int64()),
    "vine": pa.array([i % 3 == 0 for i in range(120)]),
})


def test_one_scan_for_every_scan_analyzer_and_one_query_per_grouping_set():
    scan = [Size(), Completeness("id"), Mean("stars"), StandardDeviation("votes"), Maximum("votes"),
            Compliance("top", "stars >= 4"), ApproxCountDistinct("id"), PatternMatch("id", "^r1")]
    grouped = [Uniqueness("id"), CountDistinct("id"), Entropy("stars"), MutualInformation(("stars", "vine")),
               Histogram("stars")]
    df = to_spark(REVIEWS)
    ctx = AnalysisRunner.on_data(df).add_analyzers(scan).run()
    assert ctx.num_queries == 1 and ctx.queries[0].startswith("scan:")
    # Uniqueness and CountDistinct share (id); Entropy(stars) and Histogram(stars) roll up from the
    # materialised (stars, vine) table of MutualInformation: 2 grouped queries
    ctx = AnalysisRunner.on_data(df).add_analyzers(scan + grouped).run()
    assert ctx.num_queries == 3, ctx.queries
    # KLL sketches join the scan (kll_sketch_agg_double); a custom statement is one more query
    ctx = AnalysisRunner.on_data(df).add_analyzers(scan + grouped + [ApproxQuantile("votes", 0.5),
                                                                     CustomSql("SELECT 1")]).run()
    assert ctx.num_queries == 4, ctx.queries
    assert "KLLOf" in ctx.queries[0] and ctx.queries[0].startswith("scan:")
    assert all(m.is_success for m in ctx.all_metrics())


_GROUPS = iter(range(1 << 30))


def _spark_jobs(run) -> int:
    """Spark jobs started while ``run()`` ran (classic Spark: the status tracker of a job group)."""
    sc = spark_session().sparkContext
    group = f"dq-test-{next(_GROUPS)}"
    sc.setJobGroup(group, "counted")
    try:
        run()
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    return len(sc.statusTracker().getJobIdsForGroup(group))


@pytest.mark.skipif(bool(__import__("os").environ.get("DQ_TEST_SPARK_REMOTE")), reason="status tracker: classic only")
def test_spark_jobs_per_query_match_a_hand_written_agg():
    """``num_queries`` counts Spark actions. Each action may start more than one job (adaptive
    execution runs the map side of a shuffle as a job of its own): a plan costs what the same
    hand-written DataFrame queries cost, job for job."""
    df = to_spark(REVIEWS)
    scan = [Size(), Completeness("id"), Mean("stars"), StandardDeviation("votes"), ApproxCountDistinct("id")]
    ctx = {}
    dq_jobs = _spark_jobs(lambda: ctx.setdefault("r", AnalysisRunner.on_data(df).add_analyzers(scan).run()))
    floor_jobs = _spark_jobs(lambda: df.agg(F.count(F.lit(1)), F.count("id"), F.avg("stars"), F.stddev_pop("votes"),
                                            F.hll_sketch_agg(F.xxhash64("id"), 14)).toArrow())
    assert ctx["r"].num_queries == 1
    assert dq_jobs == floor_jobs
    grouped_jobs = _spark_jobs(lambda: AnalysisRunner.on_data(df).add_analyzer(Uniqueness("id")).run())
    floor_grouped = _spark_jobs(lambda: df.where(F.col("id").isNotNull()).groupBy("id").count()
                                .agg(F.count(F.when(F.col("count") == 1, 1)), F.sum("count")).toArrow())
    assert grouped_jobs == floor_grouped


def test_plans_never_cache_or_persist(monkeypatch):
    from pyspark.sql import DataFrame

    def refuse(*args, **kwargs):
        raise AssertionError("dq must not cache or persist the user's data")

    monkeypatch.setattr(DataFrame, "cache", refuse)
    monkeypatch.setattr(DataFrame, "persist", refuse)
    analyzers = [Size(), Uniqueness("id"), MutualInformation(("stars", "vine")), Histogram("stars"),
                 KLLSketch("votes"), CustomSql("SELECT count(*) FROM dataset")]
    ctx = AnalysisRunner.on_data(to_spark(REVIEWS)).add_analyzers(analyzers).run()
    assert all(m.is_success for m in ctx.all_metrics())


def test_custom_sql_reads_a_temporary_view_that_is_dropped_after_the_run():
    spark = spark_session()
    before = {t.name for t in spark.catalog.listTables() if t.isTemporary}
    a = CustomSql("SELECT count(*) FROM dataset WHERE stars = 5")
    ctx = AnalysisRunner.on_data(to_spark(REVIEWS)).add_analyzer(a).run()
    assert ctx.metric(a).value == 24.0
    assert {t.name for t in spark.catalog.listTables() if t.isTemporary} == before


def test_a_predicate_spark_cannot_evaluate_as_boolean_is_refused_before_any_scan():
    df = to_spark(REVIEWS)
    with pytest.raises(PredicateError, match="not BOOLEAN"):
        AnalysisRunner.on_data(df).add_analyzer(Compliance("c", "stars + 1")).run()
    ctx = AnalysisRunner.on_data(df).add_analyzers([Compliance("c", "stars + 1"), Size()]).run(errors="record")
    assert not ctx.metric(Compliance("c", "stars + 1")).is_success
    assert ctx.metric(Size()).value == 120.0 and ctx.num_queries == 1


def test_a_regular_expression_java_rejects_fails_only_its_analyzer():
    bad = PatternMatch("id", "(?<x")  # not a valid group: a compile error in Java
    ctx = AnalysisRunner.on_data(to_spark(REVIEWS)).add_analyzers([bad, Size()]).run(errors="record")
    assert not ctx.metric(bad).is_success and ctx.metric(Size()).value == 120.0


def test_timestamps_keep_their_kind():
    # TIMESTAMP_NTZ is a wall-clock time: naive datetimes; TIMESTAMP an instant: aware, in UTC here
    naive = [dt.datetime(2024, 1, 1, 10), dt.datetime(2023, 5, 6, 7, 8, 9, 500000)]
    table = pa.table({"ntz": pa.array(naive, pa.timestamp("us")),
                      "ltz": pa.array(naive, pa.timestamp("us", tz="UTC"))})
    analyzers = [Maximum("ntz"), Maximum("ltz"), Histogram("ltz"), Histogram("ntz")]
    got = AnalysisRunner.on_data(to_spark(table)).add_analyzers(analyzers).run()
    want = AnalysisRunner.on_data(table).add_analyzers(analyzers).run()
    assert got.metric(analyzers[0]).value == dt.datetime(2024, 1, 1, 10)
    assert got.metric(analyzers[1]).value == dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone.utc)
    for a in analyzers[2:]:
        assert list(got.metric(a).value.values) == list(want.metric(a).value.values)


# -- HLL -----------------------------------------------------------------------------------------

CARDINALITIES = [1, 2, 10, 100, 1000, 5000, 20000, 100000, 1000000]


@pytest.mark.parametrize("kind", ["int", "str"])
def test_hll_accuracy_over_cardinalities(kind: str):
    """Each cardinality's estimate within 3% (2 when n <= 100: linear counting), the mean error
    within 1%: the bounds of DuckDB's registers (tests/states/test_hll.py), from one query."""
    spark = spark_session()
    value = F.col("id") if kind == "int" else F.md5(F.col("id").cast("string"))
    df = spark.range(0, max(CARDINALITIES), numPartitions=2).select(F.col("id"), value.alias("v"))
    analyzers = [ApproxCountDistinct("v", where=f"id < {n}") for n in CARDINALITIES]
    ctx = AnalysisRunner.on_data(df).add_analyzers(analyzers).run()
    assert ctx.num_queries == 1
    errors = []
    for n, a in zip(CARDINALITIES, analyzers):
        est = ctx.metric(a).value
        assert abs(est - n) <= (2 if n <= 100 else 0.03 * n), (kind, n, est)
        errors.append(abs(est - n) / n)
    assert np.mean(errors) <= 0.01, errors


def _hll_states(data, analyzer):
    return AnalysisRunner.on_data(data).add_analyzer(analyzer).compute_states()[analyzer]


def test_hll_registers_of_parts_merge_to_the_registers_of_the_whole():
    spark = spark_session()
    df = spark.range(0, 30000, numPartitions=3).select((F.col("id") % 7919).alias("v"), F.col("id"))
    a = ApproxCountDistinct("v")
    parts = [df.where(F.col("id") < 10000), df.where((F.col("id") >= 10000) & (F.col("id") < 25000)),
             df.where(F.col("id") >= 25000)]
    states = [_hll_states(p, a) for p in parts]
    whole = _hll_states(df, a)
    merged = states[0].merge(states[1]).merge(states[2])
    assert merged == whole and whole.hash == HASH_NAME
    assert abs(whole.estimate() - 7919) <= 0.03 * 7919


def test_integer_widths_and_float_zeros_hash_alike():
    table = pa.table({"i8": pa.array([1, 2, None], pa.int8()), "i64": pa.array([1, 2, None], pa.int64()),
                      "f": pa.array([0.0, -0.0, 1.5], pa.float64())})
    df = to_spark(table)
    small, big = _hll_states(df, ApproxCountDistinct("i8")), _hll_states(df, ApproxCountDistinct("i64"))
    assert small == big and np.count_nonzero(small.register_array()) == 2
    assert AnalysisRunner.on_data(df).add_analyzer(ApproxCountDistinct("f")).run().metric(
        ApproxCountDistinct("f")).value == 2.0


def test_merging_duckdb_and_spark_hll_states_is_refused():
    table = pa.table({"v": list(range(100))})
    a = ApproxCountDistinct("v")
    spark_state, duck_state = _hll_states(to_spark(table), a), _hll_states(table, a)
    assert (spark_state.hash, duck_state.hash) == (HASH_NAME, DUCK_HASH)
    for x, y in ((spark_state, duck_state), (duck_state, spark_state)):
        with pytest.raises(StateMergeError, match="hash") as e:
            x.merge(y)
        assert HASH_NAME in str(e.value) and DUCK_HASH in str(e.value)
    # an empty state of the other hash is refused too: the hash is part of what a state is
    with pytest.raises(StateMergeError):
        spark_state.merge(HLLState.empty(14, DUCK_HASH))


# -- KLL -----------------------------------------------------------------------------------------

def test_kll_states_from_spark_and_duckdb_merge_within_the_rank_bound_of_the_union():
    rng = np.random.default_rng(7)
    left = pa.table({"x": pa.array(rng.normal(0, 1, 30000))})
    right = pa.table({"x": pa.array(rng.exponential(2, 20000))})
    a = KLLSketch("x")
    from_spark = AnalysisRunner.on_data(to_spark(left, partitions=3)).add_analyzer(a).compute_states()[a]
    from_duck = AnalysisRunner.on_data(right).add_analyzer(a).compute_states()[a]
    assert isinstance(from_spark, KLLState) and from_spark.n == 30000
    union = sorted(np.concatenate([left["x"].to_numpy(), right["x"].to_numpy()]).tolist())
    eps = kll_rank_bound(200)
    for merged in (from_spark.merge(from_duck), from_duck.merge(from_spark)):
        sketch = merged.to_sketch()
        assert sketch.n == 50000
        assert sketch.get_min_value() == union[0] and sketch.get_max_value() == union[-1]
        for q in (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
            assert_quantile_within_bound(sketch.get_quantile(q), q, union, eps)


def test_kll_skips_nan_and_null_and_an_empty_input_is_the_empty_state():
    table = pa.table({"x": pa.array([1.0, float("nan"), None, 3.0, 2.0]), "k": pa.array([1, 1, 1, 1, 2])})
    a, none = KLLSketch("x"), KLLSketch("x", where="k > 5")
    states = AnalysisRunner.on_data(to_spark(table)).add_analyzers([a, none]).compute_states()
    assert states[a].n == 3 and states[none].is_empty


# -- frequency states -----------------------------------------------------------------------------

def test_frequency_states_equal_duckdbs_for_every_key_type():
    table = pa.table({
        "s": pa.array(["a", "", None, "a", "é"]),
        "i": pa.array([1, None, 1, 2, 2], pa.int32()),
        "d": pa.array([0.0, -0.0, float("nan"), None, 1.5]),
        "dec": pa.array([decimal.Decimal("1.10"), None, decimal.Decimal("1.10"), decimal.Decimal("0.00"), None],
                        pa.decimal128(10, 2)),
        "day": pa.array([dt.date(2024, 1, 1), None, dt.date(2024, 1, 1), dt.date(2023, 1, 1), None]),
        "b": pa.array([True, None, True, False, None]),
    })
    analyzers = [CountDistinct(c) for c in table.column_names] + [CountDistinct(("s", "i")),
                                                                  Histogram("i", aggregate_sum="d")]
    got = AnalysisRunner.on_data(to_spark(table)).add_analyzers(analyzers).compute_states()
    want = AnalysisRunner.on_data(table).add_analyzers(analyzers).compute_states()
    for a in analyzers:
        assert got[a] == want[a], (a, got[a].table, want[a].table)
        assert got[a].table.schema.types == want[a].table.schema.types
        assert got[a].merge(want[a]).num_rows == 2 * want[a].num_rows  # cross-engine merge
