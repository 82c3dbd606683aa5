"""Row-level results and quarantine on a Spark DataFrame (``dq.checks.rowlevel_spark``).

The semantics are DuckDB's (tests/checks/test_rowlevel.py checks them against a plain-Python
reference, on Spark too): here every scenario runs on both engines and the outcomes must be the
same row by row (rows matched by a ``rid`` column: Spark keeps no order across a uniqueness
window). Data always spread over 2+ partitions. Then what is Spark's own: helper columns and
windows, evaluation errors on other data, Python assertions (incl. pyspark 4.0's pandas path),
quarantine into Parquet folders (counts, dq_failed_checks, atomic replacement, refused targets)
and bad options. ``test_parity_with_duckdb`` and ``test_split_rows_on_spark`` also run through
Spark Connect (tests/test_spark_connect.py).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import test_rowlevel
from spark_support import spark_session, to_spark
from test_rowlevel import (
    AGGREGATE_ONLY_CHECKS,
    ALL_NULL,
    ALL_NULL_CHECKS,
    EMPTY_STATE_CHECKS,
    FAILED_METRIC_CHECKS,
    FILTERED_ROW_CHECKS,
    NAME_CHECKS,
    NULL_BEHAVIOR_CHECKS,
    SMALL,
    UNIQUENESS,
    UNIQUENESS_CHECKS,
    _same_value,
    all_checks,
    check_against_reference,
    make_table,
    quarantine_checks,
    scale_checks,
    scale_table,
    verify,
)

from dq.checks import Check, CheckLevel, at_least, between
from dq.checks.rowlevel import FAILED_CHECKS_COLUMN, RowLevelPlan, plan_row_level, row_level_results, split_rows
from dq.errors import InvalidOptionError, UnsupportedDataError

pytest.importorskip("pyspark")

from pyspark import cloudpickle  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from dq.checks import rowlevel_spark  # noqa: E402
from dq.checks.rowlevel_spark import SparkRowLevelPlan  # noqa: E402

# Spark's Python workers cannot import the test modules: ship the assertions defined there by value
cloudpickle.register_pickle_by_value(test_rowlevel)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

RID = "rid"


def with_rid(table: pa.Table) -> pa.Table:
    return table.append_column(RID, pa.array(range(table.num_rows), pa.int64()))


def collected(out: Any) -> pa.Table:
    """A Spark result as Arrow, in ``rid`` order."""
    return out.toArrow().sort_by(RID)


def assert_same_outcomes(spark_out: pa.Table, duck_out: pa.Table, n_input: int) -> None:
    """Same columns, the same input values and the same check outcomes, row by row."""
    assert spark_out.column_names == duck_out.column_names
    for name in duck_out.column_names[:n_input]:
        got, want = spark_out.column(name).to_pylist(), duck_out.column(name).to_pylist()
        assert all(_same_value(a, b) for a, b in zip(got, want)), name
    for name in duck_out.column_names[n_input:]:
        assert spark_out.schema.field(name).type == pa.bool_()
        got, want = spark_out.column(name).to_pylist(), duck_out.column(name).to_pylist()
        bad = [i for i, (a, b) in enumerate(zip(got, want)) if a is not b]
        assert not bad, f"{name}: rows {bad[:5]} Spark {[got[i] for i in bad[:5]]}, DuckDB {[want[i] for i in bad[:5]]}"


def both(table: pa.Table, checks: list[Check], partitions: int = 3) -> tuple[pa.Table, pa.Table]:
    """Row-level results of ``checks`` verified on each engine: (Spark's, DuckDB's)."""
    duck = verify(table, checks).row_level_results()
    spark = collected(verify(to_spark(table, partitions), checks).row_level_results())
    return spark, duck


# -- the same outcomes as DuckDB ------------------------------------------------------------------

@pytest.mark.parametrize("seed", [40, 41])
def test_parity_with_duckdb(seed: int) -> None:
    """Every row-level constraint kind (filters, filtered_row NULL, null behaviours, Python
    assertions, the uniqueness family) on random data with NULLs, NaN, ±inf, -0.0, empty strings
    and unicode; also a DuckDB result evaluated on the Spark data and the other way round."""
    table = with_rid(make_table(seed, n=300))
    checks = all_checks()
    df = to_spark(table, 3)
    duck_result, spark_result = verify(table, checks), verify(df, checks)
    duck = duck_result.row_level_results()
    spark = collected(spark_result.row_level_results())
    assert_same_outcomes(spark, duck, table.num_columns)
    check_against_reference(spark_result, spark, table.column_names)
    # a result evaluated on the other engine's data: the same outcomes
    assert_same_outcomes(collected(duck_result.row_level_results(df)), duck, table.num_columns)
    assert_same_outcomes(spark_result.row_level_results(table), duck, table.num_columns)


SCENARIOS = {
    "failed metrics": (SMALL, lambda: FAILED_METRIC_CHECKS),
    "all NULL": (ALL_NULL, lambda: ALL_NULL_CHECKS),
    "empty state under where": (SMALL, lambda: EMPTY_STATE_CHECKS),
    "aggregates only": (SMALL, lambda: AGGREGATE_ONLY_CHECKS),
    "filtered rows": (SMALL, lambda: FILTERED_ROW_CHECKS),
    "null behaviours": (SMALL, lambda: NULL_BEHAVIOR_CHECKS + [
        Check(CheckLevel.ERROR, "py fail").has_max_length("s", lambda v: v < 2, options={"null_behavior": "Fail"}),
        Check(CheckLevel.ERROR, "py empty").has_min_length("s", lambda v: v > 0,
                                                           options={"null_behavior": "EmptyString"}),
    ]),
    "uniqueness": (UNIQUENESS, lambda: UNIQUENESS_CHECKS + [
        Check(CheckLevel.ERROR, "uf where").has_uniqueness(["f"], at_least(0)).where("a IS NULL"),
    ]),
    "names": (SMALL, lambda: NAME_CHECKS + [Check(CheckLevel.ERROR, "RID").is_complete("k"),
                                            Check(CheckLevel.ERROR, "`back` ticks").is_complete("k")]),
    "odd column names": (pa.table({"a.b": [1, None, 3, 3], "we`ird": ["x", "y", "x", "ä"],
                                   "select": [1.0, 2.0, 3.0, None]}), lambda: [
        Check(CheckLevel.ERROR, "odd").is_complete("a.b").is_unique("we`ird").has_pattern("we`ird", r"^\w$")
        .satisfies('"a.b" > 1', "ab above 1").has_max("select", lambda v: v < 3).where('"a.b" IS NOT NULL'),
    ]),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_deequ_semantics_as_on_duckdb(scenario: str) -> None:
    data, checks = SCENARIOS[scenario]
    table = with_rid(data)
    spark, duck = both(table, checks(), partitions=2)
    assert_same_outcomes(spark, duck, table.num_columns)


def test_python_assertions_on_dates_and_timestamps() -> None:
    """A callable gets the value as the metric does (a date, a wall-clock or zoned datetime); one
    that raises fails the row; NULL follows null_behavior."""
    day = [dt.date(2020, 1, d) for d in (1, 5, 9)] + [None]
    wall = [dt.datetime(2020, 1, d, 12) for d in (1, 5, 9)] + [None]
    table = with_rid(pa.table({
        "day": pa.array(day, pa.date32()),
        "ntz": pa.array(wall, pa.timestamp("us")),
        "ts": pa.array(wall, pa.timestamp("us", tz="UTC")),
    }))
    after = dt.datetime(2020, 1, 4, 12)

    def boom(v: Any) -> bool:
        raise RuntimeError("no")

    checks = [
        Check(CheckLevel.ERROR, "day ok").has_min("day", lambda d: d >= dt.date(2020, 1, 3)),
        Check(CheckLevel.ERROR, "ntz ok").has_max("ntz", lambda t: t.tzinfo is None and t > after),
        Check(CheckLevel.ERROR, "ts ok").has_max("ts", lambda t: t.tzinfo is not None
                                               and t > after.replace(tzinfo=dt.timezone.utc)),
        Check(CheckLevel.ERROR, "boom").has_min("day", boom, options={"null_behavior": "Fail"}),
        Check(CheckLevel.ERROR, "number on a date").has_min("day", at_least(0)),
    ]
    spark, duck = both(table, checks, partitions=2)
    assert_same_outcomes(spark, duck, table.num_columns)
    assert spark.column("day ok").to_pylist() == [False, True, True, True]
    assert spark.column("ntz ok").to_pylist() == [False, True, True, True]
    assert spark.column("ts ok").to_pylist() == [False, True, True, True]
    assert spark.column("boom").to_pylist() == [False] * 4


def test_python_assertions_through_pandas_on_pyspark_4_0(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyspark 4.0 has no arrow_udf: a pandas UDF runs the same vectorised function."""
    monkeypatch.delattr(F, "arrow_udf", raising=False)
    table = with_rid(pa.table({"v": pa.array([1.0, math.nan, None, 4.0, -0.0]),
                               "s": pa.array(["a", None, "", "日本語", "bb"])}))
    checks = [Check(CheckLevel.ERROR, "v ok").has_max("v", lambda v: v < 2),
              Check(CheckLevel.ERROR, "v fail").has_min("v", lambda v: v < 2, options={"null_behavior": "Fail"}),
              Check(CheckLevel.ERROR, "len").has_max_length("s", lambda n: n <= 2)]
    spark, duck = both(table, checks, partitions=2)
    assert_same_outcomes(spark, duck, table.num_columns)
    assert spark.column("v ok").to_pylist() == [True, False, True, False, True]


def test_uniqueness_counts_keys_across_partitions() -> None:
    """Duplicates in different partitions are duplicates (Deequ #753); one window per distinct
    (keys, filter), however many constraints share it."""
    spark = spark_session()
    df = spark.createDataFrame([(i, i % 4, "x" if i % 2 else None) for i in range(16)], "id long, k long, s string")
    df = df.repartition(4, "id")  # each key's rows spread over partitions
    checks = [Check(CheckLevel.ERROR, "unique k").is_unique("k"),
              Check(CheckLevel.ERROR, "unique k, s").is_primary_key("k", "s").has_uniqueness(["s", "k"], at_least(0))
              .has_duplicate_row_count(["k", "s"], at_least(0)),
              Check(CheckLevel.ERROR, "unique id").is_unique("id").where("k < 2")]
    result = verify(df, checks)
    plan = plan_row_level(result, df)
    assert isinstance(plan, SparkRowLevelPlan) and plan.num_windows == 3
    out = result.row_level_results().toArrow().sort_by("id")
    assert out.column("unique k").to_pylist() == [False] * 16
    assert out.column("unique k, s").to_pylist() == [False] * 16  # (k, s) repeats 2 times each
    assert out.column("unique id").to_pylist() == [True] * 16


def test_input_order_is_kept_without_windows() -> None:
    df = spark_session().range(0, 3000, numPartitions=3).withColumn("x", (F.col("id") % 7).cast("double"))
    result = verify(df, [Check(CheckLevel.ERROR, "c").has_max("x", lambda v: v < 6).has_min("id", at_least(5))])
    out = result.row_level_results()
    assert out.columns == ["id", "x", "c"]
    table = out.toArrow()
    assert table.column("id").to_pylist() == list(range(3000))
    assert table.column("c").to_pylist() == [i >= 5 and i % 7 < 6 for i in range(3000)]


def test_row_level_results_is_lazy_and_the_function_agrees_with_the_method() -> None:
    table = with_rid(SMALL)
    df = to_spark(table)
    result = verify(df, [Check(CheckLevel.ERROR, "c").is_complete("x").is_unique("id")])
    out = row_level_results(result, df)
    assert type(out).__name__ == "DataFrame" and out.columns == table.column_names + ["c"]
    assert_same_outcomes(collected(out), collected(result.row_level_results()), table.num_columns)
    assert collected(out).column("c").to_pylist() == [True, False, False, False, True]


@pytest.mark.slow
def test_hundreds_of_checks(tmp_path: Any) -> None:
    """Deequ #576: 300 checks (900 constraints, 5 windows) build and run; quarantine splits as
    DuckDB does (the failed-checks test is one flat array, not a 300-deep OR)."""
    table = scale_table(400)
    checks = scale_checks(300)
    df = to_spark(table)
    result = verify(df, checks)
    plan = plan_row_level(result, df)
    assert (plan.num_expressions, plan.num_windows) == (20 + 300 + 5, 5)
    duck = verify(table, checks)
    counts = result.split_rows(str(tmp_path / "p"), str(tmp_path / "f"), level="warning")
    assert counts == duck.split_rows(str(tmp_path / "dp"), str(tmp_path / "df"), level="warning")
    assert counts[1] > 0 and len(read_folder(str(tmp_path / "f")).column(FAILED_CHECKS_COLUMN)[0]) > 0


# -- evaluation errors ------------------------------------------------------------------------------

def test_a_predicate_failing_on_other_data_fails_only_its_constraint(tmp_path: Any) -> None:
    spark = spark_session()
    digits = spark.createDataFrame([("1", 1, 0), ("2", 5, 1)], "s string, k long, rid long").repartition(2)
    letters = spark.createDataFrame([("7", 1, 0), ("x", 1, 1), ("8", 1, 2)], "s string, k long, rid long")
    letters = letters.repartition(2)
    checks = [Check(CheckLevel.ERROR, "p").satisfies("CAST(s AS INTEGER) > 1", "s above 1"),
              Check(CheckLevel.ERROR, "q").satisfies("k < 3", "k small"),
              Check(CheckLevel.ERROR, "u").is_unique("k").where("CAST(s AS INTEGER) > 0"),
              Check(CheckLevel.ERROR, "m").has_max("k", lambda v: v < 3).where("CAST(s AS INTEGER) > 0")]
    result = verify(digits, checks)
    assert result.is_success is False  # k = 5 is not small
    out = collected(result.row_level_results())
    assert [out.column(c).to_pylist() for c in "pqum"] == [[False, True], [True, False], [True, True],
                                                            [True, False]]
    # the verified data needs no probe
    assert SparkRowLevelPlan(result, digits).queries == []
    # on other data: 'x' cannot be cast (ANSI mode): the constraints reading s fail every row
    out = collected(result.row_level_results(letters))
    assert [out.column(c).to_pylist() for c in "pqum"] == [[False] * 3, [True] * 3, [False] * 3, [False] * 3]
    n_pass, n_fail = result.split_rows(str(tmp_path / "p"), str(tmp_path / "f"), letters)
    assert (n_pass, n_fail) == (0, 3)
    # other data on which every predicate evaluates: one probe query, then the rows as usual
    fine = spark.createDataFrame([("7", 1, 0), ("9", 1, 1)], "s string, k long, rid long")
    plan = SparkRowLevelPlan(result, fine)
    plan.check_evaluation()
    assert len(plan.queries) == 1
    out = collected(result.row_level_results(fine))
    assert [out.column(c).to_pylist() for c in "pqum"] == [[True] * 2, [True] * 2, [False] * 2, [True] * 2]


def test_an_error_that_is_not_about_the_data_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    df = to_spark(with_rid(SMALL))
    result = verify(df, [Check(CheckLevel.ERROR, "c").satisfies("k > 1", "k above 1")])
    other = df.where("k < 100")

    def down(self: SparkRowLevelPlan, probes: Any) -> None:
        raise ConnectionError("the cluster went away")

    monkeypatch.setattr(SparkRowLevelPlan, "_probe", down)
    with pytest.raises(ConnectionError):
        result.row_level_results(other)


# -- quarantine ---------------------------------------------------------------------------------------

def read_folder(path: str) -> pa.Table:
    return pq.read_table(path)


@pytest.mark.parametrize("level", ["error", CheckLevel.WARNING])
def test_split_rows_on_spark(tmp_path: Any, level: Any) -> None:
    table = with_rid(make_table(21))
    df = to_spark(table, 3)
    checks = quarantine_checks()
    result = verify(df, checks)
    levels = {CheckLevel.ERROR} if level == "error" else {CheckLevel.ERROR, CheckLevel.WARNING}
    out = collected(result.row_level_results())
    names = out.column_names[table.num_columns:]
    considered = [n for n, c in zip(names, checks) if c.level in levels]
    failed_by_row = {r[RID]: [n for n in considered if r[n] is False] for r in out.to_pylist()}

    passing, failing = str(tmp_path / "pass.parquet"), str(tmp_path / "fail.parquet")
    pq.write_table(pa.table({"old": [1]}), passing)  # a file: replaced by the folder
    n_pass, n_fail = result.split_rows(passing, failing, level=level)
    assert n_pass + n_fail == table.num_rows and 0 < n_pass < table.num_rows
    assert os.path.isdir(passing) and os.path.isdir(failing)
    good, bad = read_folder(passing), read_folder(failing)
    assert (good.num_rows, bad.num_rows) == (n_pass, n_fail)
    assert good.column_names == table.column_names
    assert bad.column_names == table.column_names + [FAILED_CHECKS_COLUMN]
    failed_type = bad.schema.field(FAILED_CHECKS_COLUMN).type
    assert pa.types.is_list(failed_type) and pa.types.is_string(failed_type.value_type)
    assert sorted(good.column(RID).to_pylist()) == sorted(r for r, f in failed_by_row.items() if not f)
    for r in bad.to_pylist():
        assert r[FAILED_CHECKS_COLUMN] == failed_by_row[r[RID]] and r[FAILED_CHECKS_COLUMN]
    # rows carry their values unchanged
    by_row = {r[RID]: r for r in table.to_pylist()}
    for r in good.to_pylist() + bad.to_pylist():
        assert all(_same_value(r[c], by_row[r[RID]][c]) for c in table.column_names)
    # the same split as DuckDB's
    duck_pass, duck_fail = str(tmp_path / "dp.parquet"), str(tmp_path / "df.parquet")
    assert verify(table, checks).split_rows(duck_pass, duck_fail, level=level) == (n_pass, n_fail)
    assert sorted(pq.read_table(duck_fail).column(RID).to_pylist()) == sorted(bad.column(RID).to_pylist())
    # a previous output folder is replaced; nothing else is left in the folder
    assert result.split_rows(passing, failing, level=level) == (n_pass, n_fail)
    assert sorted(os.listdir(tmp_path)) == ["df.parquet", "dp.parquet", "fail.parquet", "pass.parquet"]


def test_split_rows_without_considered_checks_and_a_clashing_column(tmp_path: Any) -> None:
    table = with_rid(SMALL).append_column(FAILED_CHECKS_COLUMN, pa.array(["u", "v", "w", "x", "y"]))
    result = verify(to_spark(table), [Check(CheckLevel.WARNING, "w").is_complete("x")])
    passing, failing = str(tmp_path / "p"), str(tmp_path / "f")
    assert result.split_rows(passing, failing) == (5, 0)
    bad = read_folder(failing)  # no rows, but the schema
    assert bad.num_rows == 0 and bad.column_names == table.column_names + [FAILED_CHECKS_COLUMN + " (2)"]
    assert result.split_rows(passing, failing, level="warning") == (4, 1)
    bad = read_folder(failing)
    assert bad.column(FAILED_CHECKS_COLUMN + " (2)").to_pylist() == [["w"]]
    assert bad.column(FAILED_CHECKS_COLUMN).to_pylist() == ["x"]


@pytest.mark.parametrize("step", ["_write_parquet", "_count_rows"])
def test_split_rows_is_atomic(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """A failure while writing (or counting) leaves the previous outputs as they were and no
    temporary folder behind."""
    table = with_rid(SMALL)
    result = verify(to_spark(table), [Check(CheckLevel.ERROR, "c").is_complete("x")])
    targets = [str(tmp_path / "p"), str(tmp_path / "f")]
    assert result.split_rows(*targets) == (4, 1)
    before = {t: sorted(os.listdir(t)) for t in targets}
    real = getattr(rowlevel_spark, step)
    calls: list[str] = []

    def fails_the_second_time(*args: Any) -> Any:
        calls.append(args[-1])
        out = real(*args)
        if len(calls) == 2:
            raise OSError(f"disk full in {step}")
        return out

    monkeypatch.setattr(rowlevel_spark, step, fails_the_second_time)
    with pytest.raises(OSError, match="disk full"):
        result.split_rows(*targets, data=to_spark(table.slice(0, 2)))
    assert len(calls) == 2 and sorted(os.listdir(tmp_path)) == ["f", "p"]
    assert {t: sorted(os.listdir(t)) for t in targets} == before
    assert read_folder(targets[0]).num_rows == 4


def test_split_rows_targets(tmp_path: Any) -> None:
    result = verify(to_spark(SMALL), [Check(CheckLevel.ERROR, "c").is_complete("x")])
    other = tmp_path / "notes"
    other.mkdir()
    (other / "README.txt").write_text("mine")
    with pytest.raises(InvalidOptionError, match=r"passing_path.*folder of Parquet part files.*README\.txt"):
        result.split_rows(str(other), str(tmp_path / "f"))
    assert os.listdir(other) == ["README.txt"]
    with pytest.raises(InvalidOptionError, match=r"failing_path.*local file-system path.*s3a://bucket/bad"):
        result.split_rows(str(tmp_path / "p"), "s3a://bucket/bad")
    assert result.split_rows(f"file://{tmp_path}/p", tmp_path / "f with space") == (4, 1)
    assert read_folder(str(tmp_path / "f with space")).column("x").to_pylist() == [None]
    assert sorted(os.listdir(tmp_path)) == ["f with space", "notes", "p"]


def test_options_and_errors(tmp_path: Any) -> None:
    df = to_spark(SMALL)
    result = verify(df, [Check(CheckLevel.ERROR, "c").is_complete("x").has_min("x", between(0, 1))])
    p, f = str(tmp_path / "p"), str(tmp_path / "f")
    with pytest.raises(InvalidOptionError, match="level"):
        result.split_rows(p, f, level="fatal")
    with pytest.raises(InvalidOptionError, match="different file"):
        result.split_rows(p, p)
    with pytest.raises(InvalidOptionError, match="existing folder"):
        result.split_rows(str(tmp_path / "no" / "p"), f)
    with pytest.raises(InvalidOptionError, match="connection"):
        row_level_results(result, df, connection=object())
    with pytest.raises(InvalidOptionError, match="connection"):
        split_rows(result, df, p, f, connection=object())
    with pytest.raises(UnsupportedDataError, match="plan_row_level"):
        RowLevelPlan(result, df)  # the DuckDB plan
    assert os.listdir(tmp_path) == []


def test_a_suite_run_with_a_duckdb_connection_evaluates_a_spark_frame(tmp_path: Any) -> None:
    # the connection the suite ran with belongs to its DuckDB data, not to a Spark DataFrame
    import duckdb

    con = duckdb.connect()
    table = with_rid(SMALL)
    rel = con.from_arrow(table)
    check = Check(CheckLevel.ERROR, "c").is_complete("x").is_unique("id")
    from dq import VerificationSuite

    result = VerificationSuite().on_data(rel, connection=con).add_check(check).run()
    df = to_spark(table)
    assert_same_outcomes(collected(result.row_level_results(df)), result.row_level_results().sort_by(RID),
                         table.num_columns)
    passing, failing = result.split_rows(str(tmp_path / "p"), str(tmp_path / "f"), df)
    assert passing + failing == table.num_rows
