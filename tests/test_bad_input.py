"""A catalogue of bad inputs, each with the error dq must give.

A user mistake (unknown column, wrong type, bad option, bad predicate, unreadable data) is an
exception naming what was expected, what was found and the closest valid name, raised before any
query reads the data. With ``errors="record"`` it becomes that analyzer's failed metric and every
other metric is still computed. Degenerate data (empty, all NULL, NaN/±Inf, huge strings) is never
a mistake: it gives defined metrics, or failed metrics that say why.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dq import AnalysisRunner
from dq.analyzers import (
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
from dq.backends.duckdb import DuckDBBackend
from dq.errors import (
    ColumnNotFoundError,
    ColumnTypeError,
    DQError,
    InvalidOptionError,
    PredicateError,
    UnsupportedDataError,
)

REVIEWS = pa.table({
    "review_id": ["R1", "R2", "R3", "R4", None],
    "star_rating": pa.array([5, 3, 4, 1, 2], pa.int64()),
    "helpful_votes": pa.array([10, 0, 3, None, 7], pa.int64()),
    "title": ["great", "meh", "good", None, "bad"],
    "price": [9.99, 19.5, None, 5.0, 12.25],
    "review_date": [dt.date(2020, 1, 1), dt.date(2020, 2, 1), None, dt.date(2021, 3, 1), dt.date(2021, 4, 1)],
    "tags": [["a"], [], None, ["b", "c"], ["a"]],
})
COLUMNS = REVIEWS.column_names


def run(*analyzers, data=REVIEWS, errors="raise", connection=None):
    return AnalysisRunner.on_data(data, connection=connection).add_analyzers(analyzers).run(errors=errors)


@pytest.fixture
def no_queries(monkeypatch):
    """Fail the test if any statement reading the data is run (DESCRIBE binds are not reads)."""
    def refuse(self, sql):
        raise AssertionError(f"a query ran before the mistake was reported: {sql[:200]}")

    monkeypatch.setattr(DuckDBBackend, "_run", refuse)


# -------------------------------------------------------------------------------------------------
# The catalogue: (id, call, expected exception, substrings of its message)
# -------------------------------------------------------------------------------------------------

CATALOGUE = [
    # --- columns ---------------------------------------------------------------------------------
    ("unknown-column", lambda: run(Completeness("review_idd")), ColumnNotFoundError,
     ["'review_idd'", "does not exist", "Available columns", "'star_rating'", "Did you mean 'review_id'"]),
    ("unknown-column-names-analyzer", lambda: run(Mean("prise")), ColumnNotFoundError,
     ["Mean(column='prise'", "Did you mean 'price'"]),
    ("unknown-column-second-of-pair", lambda: run(Correlation("star_rating", "helpfull_votes")), ColumnNotFoundError,
     ["'helpfull_votes'", "'helpful_votes'"]),
    ("unknown-column-grouping", lambda: run(Uniqueness(["review_id", "titel"])), ColumnNotFoundError,
     ["'titel'", "Did you mean 'title'"]),
    ("unknown-column-mutual-information", lambda: run(MutualInformation(["title", "star"])), ColumnNotFoundError,
     ["'star'", "'star_rating'"]),
    ("unknown-column-histogram-sum", lambda: run(Histogram("title", aggregate_sum="votes")), ColumnNotFoundError,
     ["'votes'", "'helpful_votes'"]),
    ("unknown-column-ratio-of-sums", lambda: run(RatioOfSums("price", "star_ratin")), ColumnNotFoundError,
     ["'star_ratin'", "'star_rating'"]),
    ("unknown-column-compliance-columns", lambda: run(Compliance("c", "price > 0", columns=["pricee"])),
     ColumnNotFoundError, ["'pricee'", "'price'"]),
    ("unknown-column-no-close-match", lambda: run(Completeness("zzzzzz")), ColumnNotFoundError,
     ["'zzzzzz'", "Available columns"]),
    # --- types -----------------------------------------------------------------------------------
    ("mean-of-string", lambda: run(Mean("title")), ColumnTypeError,
     ["'title'", "numeric", "VARCHAR"]),
    ("sum-of-date", lambda: run(Sum("review_date")), ColumnTypeError, ["'review_date'", "numeric", "DATE"]),
    ("stddev-of-string", lambda: run(StandardDeviation("review_id")), ColumnTypeError,
     ["'review_id'", "numeric", "VARCHAR"]),
    ("minimum-of-string", lambda: run(Minimum("title")), ColumnTypeError,
     ["'title'", "numeric, date or timestamp", "VARCHAR"]),
    ("correlation-of-string", lambda: run(Correlation("price", "title")), ColumnTypeError,
     ["'title'", "numeric", "VARCHAR"]),
    ("approx-quantile-of-string", lambda: run(ApproxQuantile("title", 0.5)), ColumnTypeError,
     ["'title'", "numeric", "VARCHAR"]),
    ("pattern-of-integer", lambda: run(PatternMatch("star_rating", r"\d")), ColumnTypeError,
     ["'star_rating'", "string", "BIGINT"]),
    ("max-length-of-double", lambda: run(MaxLength("price")), ColumnTypeError, ["'price'", "string", "DOUBLE"]),
    ("completeness-of-nested", lambda: run(Completeness("tags")), ColumnTypeError,
     ["'tags'", "non-nested", "VARCHAR[]"]),
    ("histogram-of-nested", lambda: run(Histogram("tags")), ColumnTypeError, ["'tags'", "non-nested"]),
    ("histogram-sum-of-string", lambda: run(Histogram("star_rating", aggregate_sum="title")), ColumnTypeError,
     ["'title'", "numeric", "VARCHAR"]),
    # --- options, checked when the analyzer is made ----------------------------------------------
    ("quantile-1.5", lambda: ApproxQuantile("price", 1.5), InvalidOptionError,
     ["ApproxQuantile", "'quantile'", "[0, 1]", "1.5"]),
    ("quantile-negative", lambda: ApproxQuantile("price", -0.1), InvalidOptionError, ["'quantile'", "-0.1"]),
    ("quantile-not-a-number", lambda: ApproxQuantile("price", "median"), InvalidOptionError,
     ["'quantile'", "'median'"]),
    ("quantiles-one-bad", lambda: ApproxQuantiles("price", [0.5, 2]), InvalidOptionError,
     ["ApproxQuantiles", "'quantiles'", "2"]),
    ("quantiles-empty", lambda: ApproxQuantiles("price", []), InvalidOptionError, ["'quantiles'", "non-empty"]),
    ("relative-error-zero", lambda: ApproxQuantile("price", 0.5, relative_error=0.0), InvalidOptionError,
     ["'relative_error'"]),
    ("exact-quantile-2", lambda: ExactQuantile("price", 2.0), InvalidOptionError, ["ExactQuantile", "'quantile'"]),
    ("hll-precision-30", lambda: ApproxCountDistinct("title", precision=30), InvalidOptionError,
     ["ApproxCountDistinct", "'precision'", "between 4 and 18", "30"]),
    ("hll-precision-3", lambda: ApproxCountDistinct("title", precision=3), InvalidOptionError, ["'precision'", "3"]),
    ("hll-precision-float", lambda: ApproxCountDistinct("title", precision=14.0), InvalidOptionError,
     ["'precision'", "14.0"]),
    ("histogram-bins-0", lambda: Histogram("title", max_detail_bins=0), InvalidOptionError,
     ["Histogram", "'max_detail_bins'", "between 1 and 1000", "0"]),
    ("histogram-bins-5000", lambda: Histogram("title", max_detail_bins=5000), InvalidOptionError,
     ["'max_detail_bins'", "5000"]),
    ("histogram-bins-bool", lambda: Histogram("title", max_detail_bins=True), InvalidOptionError,
     ["'max_detail_bins'", "True"]),
    ("kll-buckets-0", lambda: KLLSketch("price", number_of_buckets=0), InvalidOptionError,
     ["KLLSketch", "'number_of_buckets'", "between 1 and 100", "0"]),
    ("kll-buckets-101", lambda: KLLSketch("price", number_of_buckets=101), InvalidOptionError,
     ["'number_of_buckets'", "101"]),
    ("kll-sketch-size-4", lambda: KLLSketch("price", sketch_size=4), InvalidOptionError, ["'sketch_size'", "4"]),
    ("mutual-information-3-columns", lambda: MutualInformation(["title", "price", "star_rating"]),
     InvalidOptionError, ["MutualInformation", "exactly two", "'star_rating'"]),
    ("mutual-information-1-column", lambda: MutualInformation(["title"]), InvalidOptionError, ["exactly two"]),
    ("empty-column-list", lambda: CountDistinct([]), InvalidOptionError,
     ["CountDistinct", "'columns'", "at least one column"]),
    ("empty-column-list-uniqueness", lambda: Uniqueness(()), InvalidOptionError, ["Uniqueness", "at least one"]),
    ("non-string-column-in-list", lambda: Distinctness(["title", 3]), InvalidOptionError,
     ["Distinctness", "'columns'", "strings", "3"]),
    ("non-string-column", lambda: Completeness(42), InvalidOptionError,
     ["Completeness", "'column'", "non-empty string", "42"]),
    ("none-column", lambda: Mean(None), InvalidOptionError, ["Mean", "'column'", "None"]),
    ("empty-column-name", lambda: Entropy(""), InvalidOptionError, ["Entropy", "'column'", "''"]),
    ("columns-not-iterable", lambda: CountDistinct(5), InvalidOptionError, ["'columns'", "5"]),
    ("where-empty", lambda: Size(where=""), InvalidOptionError, ["Size", "'where'", "''"]),
    ("where-blank", lambda: Completeness("title", where="   "), InvalidOptionError, ["Completeness", "'where'"]),
    ("where-not-a-string", lambda: Mean("price", where=True), InvalidOptionError, ["Mean", "'where'", "True"]),
    ("compliance-empty-predicate", lambda: Compliance("c", ""), InvalidOptionError, ["Compliance", "'predicate'"]),
    ("null-behavior-unknown", lambda: AnalyzerOptions(null_behavior="skip"), InvalidOptionError,
     ["'null_behavior'", "'Ignore'", "'skip'"]),
    ("errors-mode-unknown", lambda: run(Size(), errors="ignore"), InvalidOptionError,
     ["'errors'", "'raise' or 'record'", "'ignore'"]),
    ("add-analyzer-not-an-analyzer", lambda: AnalysisRunner.on_data(REVIEWS).add_analyzer("Size"),
     InvalidOptionError, ["'analyzer'", "Analyzer", "'Size'"]),
    # --- predicates (where, Compliance), rejected before any query -------------------------------
    ("predicate-two-statements", lambda: run(Size(where="1=1; DROP TABLE t")), PredicateError,
     ["1=1; DROP TABLE t", "statement", "Size("]),
    ("predicate-trailing-semicolon", lambda: run(Size(where="price > 1;")), PredicateError, ["';'"]),
    ("predicate-subquery", lambda: run(Size(where="star_rating IN (SELECT 1)")), PredicateError,
     ["subquery", "SELECT 1"]),
    ("predicate-exists", lambda: run(Compliance("c", "EXISTS (SELECT * FROM t)")), PredicateError,
     ["subquery"]),
    ("predicate-unknown-column", lambda: run(Mean("price", where="star_ratng >= 4")), ColumnNotFoundError,
     ["'star_ratng'", "Available columns", "Did you mean 'star_rating'", "Mean(column='price'"]),
    ("compliance-unknown-column", lambda: run(Compliance("positive", "prce > 0")), ColumnNotFoundError,
     ["'prce'", "Did you mean 'price'", "Compliance("]),
    ("predicate-quoted-wrong-case", lambda: run(Size(where='"PRICE" > 0')), ColumnNotFoundError,
     ["'PRICE'", "Did you mean 'price'"]),
    ("predicate-aggregate", lambda: run(Size(where="sum(price) > 10")), PredicateError,
     ["aggregate function", "sum(price) > 10"]),
    ("compliance-aggregate", lambda: run(Compliance("c", "price > avg(price)")), PredicateError,
     ["aggregate function"]),
    ("predicate-window", lambda: run(Size(where="row_number() OVER () > 1")), PredicateError, ["window function"]),
    ("predicate-plain-value", lambda: run(Size(where="'abc'")), PredicateError, ["not a condition"]),
    ("predicate-not-boolean", lambda: run(Compliance("c", "star_rating + 1")), PredicateError,
     ["star_rating + 1", "BIGINT", "not BOOLEAN"]),
    ("predicate-string-as-condition", lambda: run(Size(where="title")), PredicateError, ["VARCHAR", "BOOLEAN"]),
    ("predicate-syntax", lambda: run(Size(where="price >")), PredicateError, ["price >"]),
    ("predicate-unbalanced", lambda: run(Size(where="price > 1) OR (1=1")), PredicateError, ["price > 1) OR (1=1"]),
    ("predicate-positional", lambda: run(Size(where="#1 > 1")), PredicateError, ["positional"]),
    ("predicate-qualified", lambda: run(Size(where="t.price > 1")), PredicateError, ["qualified name"]),
    ("predicate-placeholder", lambda: run(Size(where="price > ?")), PredicateError, ["placeholder"]),
    ("predicate-unknown-function", lambda: run(Size(where="no_such_fn(price) > 1")), PredicateError,
     ["no_such_fn"]),
    ("pattern-invalid-regex", lambda: run(PatternMatch("title", "(unclosed")), PredicateError, ["(unclosed"]),
    # --- CustomSql -------------------------------------------------------------------------------
    ("custom-sql-other-table", lambda: CustomSql("SELECT count(*) FROM secrets"), PredicateError,
     ["may read only the table 'dataset'", "secrets"]),
    ("custom-sql-join-other-table", lambda: CustomSql("SELECT count(*) FROM dataset JOIN users USING (id)"),
     PredicateError, ["only the table 'dataset'", "users"]),
    ("custom-sql-subquery-other-table",
     lambda: CustomSql("SELECT count(*) FROM dataset WHERE id IN (SELECT id FROM users)"), PredicateError,
     ["only the table 'dataset'"]),
    ("custom-sql-qualified-table", lambda: CustomSql("SELECT count(*) FROM main.dataset"), PredicateError,
     ["only the table 'dataset'"]),
    ("custom-sql-file", lambda: CustomSql("SELECT count(*) FROM '/etc/passwd'"), PredicateError,
     ["only the table 'dataset'"]),
    ("custom-sql-table-function", lambda: CustomSql("SELECT count(*) FROM read_csv('/etc/passwd')"),
     PredicateError, ["only the table 'dataset'"]),
    ("custom-sql-cte-over-other-table",
     lambda: CustomSql("WITH dataset AS (SELECT * FROM secrets) SELECT count(*) FROM dataset"), PredicateError,
     ["only the table 'dataset'"]),
    ("custom-sql-two-statements", lambda: CustomSql("SELECT count(*) FROM dataset; DROP TABLE dataset"),
     PredicateError, ["exactly one SELECT statement", "found 2"]),
    ("custom-sql-two-selects", lambda: CustomSql("SELECT 1 FROM dataset; SELECT 2 FROM dataset"),
     PredicateError, ["exactly one SELECT statement"]),
    ("custom-sql-not-a-select", lambda: CustomSql("DELETE FROM dataset"), PredicateError,
     ["expected a SELECT statement"]),
    ("custom-sql-syntax", lambda: CustomSql("SELECT count(* FROM dataset"), PredicateError, ["not valid SQL"]),
    ("custom-sql-empty", lambda: CustomSql(""), InvalidOptionError, ["CustomSql", "'expression'"]),
    # --- data objects ----------------------------------------------------------------------------
    ("data-int", lambda: run(Size(), data=42), UnsupportedDataError,
     ["builtins.int", "file path", "folder", "Parquet", "DuckDB relation", "pyarrow Table", "pandas", "polars"]),
    ("data-dict", lambda: run(Size(), data={"x": [1, 2]}), UnsupportedDataError,
     ["builtins.dict", "pyarrow Table", "pandas or polars DataFrame"]),
    ("data-none", lambda: run(Size(), data=None), UnsupportedDataError, ["NoneType"]),
    ("data-list-of-ints", lambda: run(Size(), data=[1, 2, 3]), UnsupportedDataError, ["builtins.list"]),
    ("data-empty-list", lambda: run(Size(), data=[]), UnsupportedDataError, ["builtins.list"]),
    ("data-numpy-array", lambda: run(Size(), data=np.arange(3)), UnsupportedDataError, ["numpy.ndarray"]),
    ("data-bytes", lambda: run(Size(), data=b"a,b\n1,2\n"), UnsupportedDataError, ["builtins.bytes"]),
]


@pytest.mark.parametrize(("call", "exc", "parts"), [pytest.param(c, e, p, id=i) for i, c, e, p in CATALOGUE])
def test_catalogue(no_queries, call, exc, parts):
    with pytest.raises(exc) as info:
        call()
    assert isinstance(info.value, DQError)
    msg = str(info.value)
    for part in parts:
        assert part in msg, f"{part!r} not in {msg!r}"


def test_catalogue_ids_are_unique():
    ids = [c[0] for c in CATALOGUE]
    assert len(ids) == len(set(ids))


def test_unknown_column_error_carries_structured_fields():
    with pytest.raises(ColumnNotFoundError) as info:
        run(Completeness("review_idd"))
    e = info.value
    assert e.column == "review_idd"
    assert e.available == COLUMNS
    assert e.suggestions[0] == "review_id"
    # it is also a KeyError (as a dict lookup would raise) whose str is the plain message
    assert isinstance(e, KeyError) and not str(e).startswith('"')


def test_column_type_error_carries_structured_fields():
    with pytest.raises(ColumnTypeError) as info:
        run(Mean("title"))
    assert (info.value.column, info.value.found) == ("title", "VARCHAR (string)")
    assert isinstance(info.value, TypeError)


def test_unknown_column_in_a_wide_table_lists_30_and_says_how_many():
    t = pa.table({f"col_{i:03d}": [1] for i in range(45)})
    with pytest.raises(ColumnNotFoundError) as info:
        run(Completeness("col_0044x"), data=t)
    msg = str(info.value)
    assert "'col_000'" in msg and "'col_029'" in msg and "'col_030'" not in msg.split("Did you mean")[0]
    assert "45 in all" in msg
    assert "Did you mean 'col_044'" in msg


# -------------------------------------------------------------------------------------------------
# Names resolve case-insensitively (DuckDB's rule) and exactly when quoted
# -------------------------------------------------------------------------------------------------

def test_case_insensitive_column_resolution():
    ctx = run(Completeness("REVIEW_ID"), Mean("Price"), Size(where="STAR_RATING >= 3"),
              Compliance("c", "Helpful_Votes > 0"), Uniqueness(["Title", "Review_Id"]))
    assert ctx.metric(Completeness("REVIEW_ID")).value == pytest.approx(0.8)
    assert ctx.metric(Mean("Price")).value == pytest.approx((9.99 + 19.5 + 5.0 + 12.25) / 4)
    assert ctx.metric(Size(where="STAR_RATING >= 3")).value == 3.0
    assert ctx.metric(Compliance("c", "Helpful_Votes > 0")).value == pytest.approx(3 / 5)
    assert ctx.metric(Uniqueness(["Title", "Review_Id"])).value == 1.0


def test_columns_differing_only_in_case_are_not_silently_confused():
    t = pa.table({"Year": [1, 2, 3], "year": [10, 20, 30]})
    try:
        ctx = run(Mean("Year"), Mean("year"), data=t)
    except DQError as e:
        assert "year" in str(e) and "Year" in str(e)
        return
    assert ctx.metric(Mean("Year")).value == 2.0
    assert ctx.metric(Mean("year")).value == 20.0


def test_exact_name_wins_over_case_insensitive_match():
    t = pa.table({"Year": [1, 2, 3], "year_x": [10, 20, 30]})
    ctx = run(Mean("Year"), Mean("YEAR"), Size(where="YEAR > 1"), Size(where="year_X > 15"), data=t)
    assert ctx.metric(Mean("Year")).value == 2.0
    assert ctx.metric(Mean("YEAR")).value == 2.0
    assert ctx.metric(Size(where="YEAR > 1")).value == 2.0
    assert ctx.metric(Size(where="year_X > 15")).value == 2.0


# -------------------------------------------------------------------------------------------------
# Mistakes are reported before any query; errors="record" isolates them
# -------------------------------------------------------------------------------------------------

GOOD = [Size(), Completeness("title"), Mean("price"), Maximum("star_rating"), CountDistinct(["title"]),
        ApproxQuantile("price", 0.5), ColumnCount()]
BAD = [Completeness("review_idd"), Mean("title"), Size(where="1=1; DROP TABLE t"), Compliance("c", "prce > 0"),
       Size(where="sum(price) > 1"), Uniqueness(["titel"]), Compliance("n", "star_rating + 1"),
       PatternMatch("title", "(x")]


@pytest.mark.parametrize("bad", BAD, ids=repr)
def test_raise_mode_reports_the_first_mistake_before_any_query(no_queries, bad):
    with pytest.raises(DQError):
        run(*GOOD[:3], bad, *GOOD[3:])


@pytest.mark.parametrize("bad", BAD, ids=repr)
def test_record_mode_fails_only_the_bad_analyzer(bad):
    alone = run(*GOOD)
    mixed = run(*GOOD[:3], bad, *GOOD[3:], errors="record")
    m = mixed.metric(bad)
    assert not m.is_success and m.value is None
    assert isinstance(m.exception, DQError) and m.error == str(m.exception).splitlines()[0]
    for a in GOOD:
        assert mixed.metric(a) == alone.metric(a)
    # the bad analyzer cost nothing: same statements as without it
    assert mixed.num_queries == alone.num_queries
    # each backend reads its data under a name of its own
    same_source = lambda qs: [re.sub(r"__dq_source_[0-9a-f]+", "__dq_source", q) for q in qs]  # noqa: E731
    assert same_source(mixed.queries) == same_source(alone.queries)


def test_record_mode_a_suite_of_many_mistakes_and_good_analyzers():
    ctx = run(*BAD, *GOOD, errors="record")
    assert [m.is_success for m in ctx.all_metrics()] == [False] * len(BAD) + [True] * len(GOOD)
    assert ctx.metric(Size()).value == 5.0
    assert {type(ctx.metric(b).exception) for b in BAD} == {ColumnNotFoundError, ColumnTypeError, PredicateError}
    assert len(ctx.failures()) == len(BAD)
    # failures are left out of the flat table but kept (with their reason) in JSON
    assert set(ctx.metrics_as_table()["instance"].to_pylist()) >= {"*", "title", "price"}
    failed = [d for d in ctx.to_dicts() if "error" in d]
    assert len(failed) == len(BAD) and all(d["error"] for d in failed)


def test_record_mode_only_mistakes_runs_no_query(no_queries):
    ctx = run(*BAD, errors="record")
    assert ctx.num_queries == 0 and ctx.queries == []
    assert all(not m.is_success for m in ctx.all_metrics())


# -------------------------------------------------------------------------------------------------
# Run-time failures inside the shared scan: only the culprit fails
# -------------------------------------------------------------------------------------------------

MIXED = pa.table({"s": ["1", "2", "x", None], "x": [1.0, 2.0, None, 4.0]})
BAD_CAST = Compliance("c", "CAST(s AS INTEGER) > 0")


@pytest.mark.parametrize("errors", ["raise", "record"])
def test_runtime_failure_in_shared_scan_fails_only_that_metric(errors):
    # The predicate binds (it is a valid boolean expression); it fails only when it meets 'x'.
    ctx = run(Mean("x"), BAD_CAST, Maximum("x"), StandardDeviation("x"), data=MIXED, errors=errors)
    m = ctx.metric(BAD_CAST)
    assert not m.is_success and "Could not convert string 'x'" in m.error
    assert ctx.metric(Mean("x")).value == pytest.approx(7 / 3)
    assert ctx.metric(Maximum("x")).value == 4.0
    assert ctx.metric(StandardDeviation("x")).value == pytest.approx(np.std([1.0, 2.0, 4.0]))
    # the shared scan failed and was re-run analyzer by analyzer
    assert ctx.num_queries > 1


def test_runtime_failure_in_where_of_a_grouping_analyzer_fails_only_its_group():
    t = pa.table({"s": ["1", "2", "x", "4"], "x": [1.0, 2.0, 3.0, 4.0]})
    bad = CountDistinct(["x"], where="CAST(s AS INTEGER) > 0")
    ctx = run(bad, CountDistinct(["s"]), Histogram("s"), Mean("x"), data=t, errors="record")
    assert "Could not convert" in ctx.metric(bad).error
    assert ctx.metric(CountDistinct(["s"])).value == 4.0
    assert ctx.metric(Histogram("s")).value.number_of_bins == 4
    assert ctx.metric(Mean("x")).value == 2.5


def test_runtime_failure_does_not_fail_analyzers_sharing_an_aggregation_with_the_culprit():
    # Compliance needs count(*), which Size and Completeness need too.
    ctx = run(BAD_CAST, Size(), Completeness("x"), data=MIXED, errors="record")
    assert not ctx.metric(BAD_CAST).is_success
    assert ctx.metric(Size()).error is None
    assert ctx.metric(Size()).value == 4.0
    assert ctx.metric(Completeness("x")).value == 0.75


def test_runtime_failure_with_innocents_listed_first():
    ctx = run(Size(), Completeness("x"), BAD_CAST, data=MIXED, errors="record")
    assert not ctx.metric(BAD_CAST).is_success
    assert ctx.metric(Size()).value == 4.0
    assert ctx.metric(Completeness("x")).value == 0.75


def test_custom_sql_engine_errors_fail_only_that_metric_even_in_raise_mode():
    bad_column = CustomSql("SELECT max(nope) FROM dataset", "a")
    many_rows = CustomSql("SELECT price FROM dataset", "b")
    not_number = CustomSql("SELECT 'abc' FROM dataset LIMIT 1", "c")
    null = CustomSql("SELECT max(price) FROM dataset WHERE price > 1000", "d")
    good = CustomSql("SELECT count(*) FROM dataset WHERE price > 10", "e")
    ctx = run(bad_column, many_rows, not_number, null, good, Size())
    assert "nope" in ctx.metric(bad_column).error
    assert "exactly 1 row and 1 column" in ctx.metric(many_rows).error
    assert "non-numeric" in ctx.metric(not_number).error
    assert "NULL" in ctx.metric(null).error
    assert ctx.metric(good).value == 2.0
    assert ctx.metric(Size()).value == 5.0


def test_custom_sql_cte_name_does_not_leak_out_of_its_scope():
    con = duckdb.connect()
    con.execute("CREATE TABLE secrets AS SELECT 42 AS v")
    sql = "SELECT (WITH secrets AS (SELECT 1 AS v) SELECT max(v) FROM secrets) + (SELECT max(v) FROM secrets)"
    try:
        a = CustomSql(sql)
    except PredicateError:
        return  # rejected when made: what we want
    value = run(a, data=REVIEWS, connection=con).metric(a).value
    assert value != 43.0, "CustomSql read the table 'secrets' on the user's connection"
    pytest.fail("a statement reading a table other than 'dataset' must be rejected")


def test_custom_sql_can_use_its_own_ctes():
    a = CustomSql("WITH hi AS (SELECT * FROM dataset WHERE star_rating >= 4) SELECT count(*) FROM hi")
    assert run(a).metric(a).value == 2.0


# -------------------------------------------------------------------------------------------------
# Files and folders that cannot be read
# -------------------------------------------------------------------------------------------------

def test_missing_file(tmp_path, no_queries):
    path = tmp_path / "nope.parquet"
    with pytest.raises(UnsupportedDataError, match="no such file or folder") as info:
        run(Size(), data=str(path))
    assert str(path) in str(info.value)


def test_missing_file_as_pathlike(tmp_path):
    with pytest.raises(UnsupportedDataError, match="no such file or folder"):
        run(Size(), data=tmp_path / "nope.csv")


def test_missing_file_in_a_list(tmp_path):
    good = tmp_path / "a.parquet"
    pq.write_table(REVIEWS.drop(["tags"]), good)
    with pytest.raises(UnsupportedDataError, match="missing.parquet"):
        run(Size(), data=[str(good), str(tmp_path / "missing.parquet")])


def test_folder_without_data_files(tmp_path, no_queries):
    (tmp_path / "README.md").write_text("no data here")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notes.xlsx").write_bytes(b"\x00")
    with pytest.raises(UnsupportedDataError) as info:
        run(Size(), data=str(tmp_path))
    msg = str(info.value)
    assert str(tmp_path) in msg and "holds no Parquet, CSV or JSON files" in msg


def test_empty_folder(tmp_path):
    with pytest.raises(UnsupportedDataError, match="holds no Parquet, CSV or JSON files"):
        run(Size(), data=str(tmp_path))


def test_glob_matching_nothing(tmp_path):
    with pytest.raises(UnsupportedDataError, match="no file matches"):
        run(Size(), data=str(tmp_path / "*.parquet"))


def test_unknown_extension_names_the_accepted_ones(tmp_path):
    p = tmp_path / "data.xlsx"
    p.write_bytes(b"\x00")
    with pytest.raises(UnsupportedDataError) as info:
        run(Size(), data=str(p))
    msg = str(info.value)
    assert ".xlsx" in msg and ".parquet" in msg and ".csv" in msg and ".json" in msg


def test_mixed_file_kinds(tmp_path):
    pq.write_table(REVIEWS.drop(["tags"]), tmp_path / "a.parquet")
    (tmp_path / "b.csv").write_text("x\n1\n")
    with pytest.raises(UnsupportedDataError, match="must all be Parquet"):
        run(Size(), data=[str(tmp_path / "a.parquet"), str(tmp_path / "b.csv")])


def test_unknown_table_name_on_a_connection():
    con = duckdb.connect()
    con.execute("CREATE TABLE reviews AS SELECT 1 AS x")
    with pytest.raises(UnsupportedDataError, match="neither a file nor a table or view"):
        run(Size(), data="reviewz", connection=con)


def test_corrupt_parquet_file_is_an_engine_error_not_a_crash(tmp_path):
    p = tmp_path / "broken.parquet"
    p.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(duckdb.Error):
        run(Size(), data=str(p))


# -------------------------------------------------------------------------------------------------
# Odd identifiers work end to end
# -------------------------------------------------------------------------------------------------

ODD = ["my col", "a.b", 'quote"d', "ünï", "select", "1abc", "back`tick", "Mixed Case", "semi;colon", "--dash"]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def odd_table():
    cols = {n: pa.array([1.0, 2.0, 3.0, None, 3.0]) for n in ODD}
    cols["label"] = pa.array(["a", "b", "b", None, "c"])
    return pa.table(cols)


def test_odd_identifiers_in_analyzers_and_predicates(odd_table):
    per_column = {}
    for n in ODD:
        q = _quoted(n)
        per_column[n] = {
            "completeness": Completeness(n), "mean": Mean(n), "min": Minimum(n), "std": StandardDeviation(n),
            "median": ApproxQuantile(n, 0.5), "exact_median": ExactQuantile(n, 0.5),
            "distinct": CountDistinct([n]), "hist": Histogram(n), "hll": ApproxCountDistinct(n),
            "uniq2": Uniqueness([n, "label"]), "corr": Correlation(n, "my col"), "dtype": DataType(n),
            "mi": MutualInformation([n, "label"]), "ratio": RatioOfSums(n, "my col"),
            "size_where": Size(where=f"{q} > 1"), "compliance": Compliance(f"c_{n}", f"{q} >= 2"),
            "mean_where": Mean(n, where=f"{q} < 3"), "distinct_where": CountDistinct([n], where=f"{q} > 1"),
            "kll": KLLSketch(n, number_of_buckets=2), "exists": ColumnExists(n),
            "custom": CustomSql(f"SELECT count({q}) FROM dataset", n),
        }
    ctx = run(*[a for d in per_column.values() for a in d.values()], data=odd_table)
    for n, a in per_column.items():
        v = {k: ctx.metric(an) for k, an in a.items()}
        assert all(m.is_success for m in v.values()), (n, {k: m.error for k, m in v.items() if m.error})
        assert v["completeness"].value == 0.8
        assert v["mean"].value == pytest.approx(2.25)
        assert v["min"].value == 1.0
        assert v["std"].value == pytest.approx(np.std([1.0, 2.0, 3.0, 3.0]))
        assert v["median"].value in (2.0, 3.0)
        assert v["exact_median"].value == 2.5
        assert v["distinct"].value == 3.0
        assert v["hist"].value.absolutes() == {"3.0": 2, "1.0": 1, "2.0": 1, "NullValue": 1}
        assert v["hll"].value == 3.0
        assert v["uniq2"].value == 1.0  # the all-NULL row takes no part; the other 4 pairs are distinct
        assert v["corr"].value == pytest.approx(1.0)
        assert v["dtype"].value["Fractional"].absolute == 4
        assert v["mi"].value > 0
        assert v["ratio"].value == 1.0
        assert v["size_where"].value == 3.0
        assert v["compliance"].value == pytest.approx(3 / 5)
        assert v["mean_where"].value == 1.5
        assert v["distinct_where"].value == 2.0
        assert sum(b.count for b in v["kll"].value.buckets) == 4
        assert v["exists"].value == 1.0
        assert v["custom"].value == 4.0
        # the metric is named by the column exactly as given
        assert v["mean"].instance == n


def test_odd_identifiers_unquoted_in_a_predicate_are_rejected_not_misread(odd_table):
    # "my col > 1" would read as the column "my" aliased "col": must be an error, never a silent misread.
    for text in ["my col > 1", "a.b > 1", "select > 1"]:
        with pytest.raises(DQError):
            run(Size(where=text), data=odd_table)


def test_odd_identifiers_from_a_parquet_file(odd_table, tmp_path):
    p = tmp_path / "odd.parquet"
    pq.write_table(odd_table, p)
    analyzers = [Mean(n) for n in ODD] + [Size(where=f"{_quoted(n)} IS NULL") for n in ODD]
    ctx = run(*analyzers, data=str(p))
    assert all(m.value == pytest.approx(2.25) for m in ctx.all_metrics()[: len(ODD)])
    assert all(m.value == 1.0 for m in ctx.all_metrics()[len(ODD):])


# -------------------------------------------------------------------------------------------------
# Degenerate data: defined metrics or failed metrics with a reason, never a crash
# -------------------------------------------------------------------------------------------------

def every_analyzer(num: str, text: str) -> list:
    return [
        Size(), Completeness(num), Completeness(text), Mean(num), Sum(num), Minimum(num), Maximum(num),
        Range(num), StandardDeviation(num), Variance(num), Skewness(num), Kurtosis(num), Correlation(num, num),
        ApproxQuantile(num, 0.5), ApproxQuantiles(num, [0.1, 0.9]), KLLSketch(num, number_of_buckets=3),
        ExactQuantile(num, 0.5), InterquartileRange(num), ApproxCountDistinct(num), ApproxCountDistinct(text),
        CountDistinct([num]), CountDistinct([text]), Distinctness([text]), Uniqueness([text]), UniqueValueRatio([text]), Entropy(text),
        MutualInformation([num, text]), DuplicateRowCount(), Histogram(text), Histogram(num), DataType(text),
        DataType(num), MinLength(text), MaxLength(text), PatternMatch(text, "a"),
        Compliance("positive", f"{num} > 0"), ZerosCount(num), RatioOfSums(num, num), ColumnCount(),
        ColumnExists(num), CustomSql("SELECT count(*) FROM dataset"), Size(where=f"{num} > 0"),
    ]


def _check_never_crashes(ctx):
    for a, m in ctx.metric_map.items():
        if m.is_success:
            assert m.exception is None, a
        else:
            assert m.value is None and m.error and len(m.error) > 10, a
            assert not isinstance(m.exception, DQError), (a, m.error)  # data is not a user mistake
    ctx.to_json()  # every value serialises
    ctx.metrics_as_table()
    str(ctx)


def _values(ctx):
    return {type(a).__name__ + ("" if i == 0 else str(i)): m for i, (a, m) in enumerate(ctx.metric_map.items())}


def test_empty_table():
    t = pa.table({"x": pa.array([], pa.float64()), "s": pa.array([], pa.string())})
    ctx = run(*every_analyzer("x", "s"), data=t)
    _check_never_crashes(ctx)
    m = {a: ctx.metric(a) for a in ctx.metric_map}
    assert m[Size()].value == 0.0
    assert m[Size(where="x > 0")].value == 0.0
    for a in (Completeness("x"), Mean("x"), Sum("x"), Minimum("x"), StandardDeviation("x"), Correlation("x", "x"),
              ApproxQuantile("x", 0.5), ExactQuantile("x", 0.5), Distinctness(["s"]), Entropy("s"),
              MinLength("s"), PatternMatch("s", "a"), RatioOfSums("x", "x")):
        assert "Empty state" in m[a].error, a
    for a in (CountDistinct(["x"]), ApproxCountDistinct("x"), DuplicateRowCount(), ZerosCount("x")):
        assert m[a].value == 0.0, a
    assert m[Histogram("s")].value.values == {} and m[Histogram("s")].value.number_of_bins == 0
    assert m[DataType("s")].value["Unknown"].absolute == 0
    assert m[ColumnCount()].value == 2.0
    assert m[CustomSql("SELECT count(*) FROM dataset")].value == 0.0


def test_single_row():
    t = pa.table({"x": [7]})
    ctx = run(StandardDeviation("x"), Skewness("x"), Kurtosis("x"), Correlation("x", "x"), ExactQuantile("x", 0.3),
              InterquartileRange("x"), Entropy("x"), Uniqueness(["x"]), KLLSketch("x", number_of_buckets=3), data=t)
    _check_never_crashes(ctx)
    assert ctx.metric(StandardDeviation("x")).value == 0.0
    assert ctx.metric(Skewness("x")).value == 0.0
    assert "constant" in ctx.metric(Correlation("x", "x")).error
    assert ctx.metric(ExactQuantile("x", 0.3)).value == 7.0
    assert ctx.metric(InterquartileRange("x")).value == 0.0
    assert ctx.metric(Entropy("x")).value == 0.0
    assert ctx.metric(Uniqueness(["x"])).value == 1.0
    assert sum(b.count for b in ctx.metric(KLLSketch("x", number_of_buckets=3)).value.buckets) == 1


def test_all_null_columns():
    t = pa.table({"x": pa.array([None] * 3, pa.float64()), "s": pa.array([None] * 3, pa.string())})
    ctx = run(*every_analyzer("x", "s"), data=t)
    _check_never_crashes(ctx)
    m = ctx.metric
    assert m(Size()).value == 3.0
    assert m(Completeness("x")).value == 0.0 and m(Completeness("s")).value == 0.0
    for a in (Mean("x"), Sum("x"), Minimum("x"), Maximum("x"), StandardDeviation("x"), Kurtosis("x"),
              ApproxQuantile("x", 0.5), KLLSketch("x", number_of_buckets=3), InterquartileRange("x"),
              Uniqueness(["s"]), Entropy("s"), MutualInformation(["x", "s"]), MinLength("s")):
        assert "all input values were NULL" in m(a).error, a
    assert m(Histogram("s")).value.absolutes() == {"NullValue": 3}
    assert m(Histogram("s")).value["NullValue"].ratio == 1.0
    assert m(DataType("x")).value["Unknown"].absolute == 3
    assert DataType.determine(m(DataType("s")).value) == "Unknown"
    assert m(PatternMatch("s", "a")).value == 0.0
    assert m(Compliance("positive", "x > 0")).value == 0.0  # NULL predicate is non-compliant
    assert m(CountDistinct(["x"])).value == 0.0
    assert m(ApproxCountDistinct("s")).value == 0.0
    # no non-null numerator: an empty state, as Deequ (its sums are NULL, so no state at all)
    assert "all input values were NULL" in m(RatioOfSums("x", "x")).error
    assert m(Size(where="x > 0")).value == 0.0


def test_where_that_keeps_no_rows():
    ctx = run(Size(where="price > 1000"), Mean("price", where="price > 1000"),
              Completeness("title", where="price > 1000"), CountDistinct(["title"], where="price > 1000"),
              Histogram("title", where="price > 1000"), ApproxQuantile("price", 0.5, where="price > 1000"))
    _check_never_crashes(ctx)
    assert ctx.metric(Size(where="price > 1000")).value == 0.0
    assert "Empty state" in ctx.metric(Mean("price", where="price > 1000")).error
    assert "Empty state" in ctx.metric(Completeness("title", where="price > 1000")).error
    assert ctx.metric(CountDistinct(["title"], where="price > 1000")).value == 0.0
    assert ctx.metric(Histogram("title", where="price > 1000")).value.values == {}


NON_FINITE = pa.table({
    "x": pa.array([1.0, float("nan"), float("inf"), float("-inf"), 2.0], pa.float64()),
    "s": ["a", "b", "c", "d", "e"],
})


def test_nan_and_infinities():
    ctx = run(*[a for a in every_analyzer("x", "s") if not isinstance(a, KLLSketch)], data=NON_FINITE)
    _check_never_crashes(ctx)
    m = ctx.metric
    assert m(Completeness("x")).value == 1.0  # NaN is a value, not a NULL (Deequ)
    assert m(Minimum("x")).value == -math.inf
    assert math.isnan(m(Maximum("x")).value)  # NaN sorts above every number (documented)
    for a in (Mean("x"), Sum("x"), StandardDeviation("x"), Variance("x"), Range("x")):
        assert math.isnan(m(a).value), a
    assert m(CountDistinct(["x"])).value == 5.0
    assert m(ApproxCountDistinct("x")).value == 5.0
    assert set(m(Histogram("x")).value.values) == {"1.0", "2.0", "nan", "inf", "-inf"}
    assert m(ExactQuantile("x", 0.5)).value == 2.0
    assert m(ApproxQuantile("x", 0.5)).value in (1.0, 2.0)  # KLL ignores NaN
    q = m(ApproxQuantiles("x", [0.1, 0.9])).value
    assert q["0.1"] == -math.inf and q["0.9"] == math.inf
    # NaN is larger than every number in DuckDB (and Spark): 1, 2, inf and NaN are > 0
    assert m(Compliance("positive", "x > 0")).value == pytest.approx(4 / 5)
    dt_ = m(DataType("x")).value
    assert dt_["Fractional"].absolute == 2 and dt_["String"].absolute == 3  # 'nan', 'inf', '-inf' as text
    js = ctx.to_json()
    assert "NaN" in js and "Infinity" in js


@pytest.mark.parametrize("values", [[1.0, float("nan"), float("inf"), float("-inf"), 2.0], [1.0, 1e308, -1e308]],
                         ids=["infinite", "overflowing-range"])
def test_kll_sketch_buckets_with_extreme_values(values):
    t = pa.table({"x": pa.array(values, pa.float64())})
    a = KLLSketch("x", number_of_buckets=2)
    m = run(a, data=t).metric(a)
    if m.is_success:
        buckets = m.value.buckets
        assert all(math.isfinite(b.low_value) and math.isfinite(b.high_value) for b in buckets), buckets
        assert sum(b.count for b in buckets) == sum(1 for v in values if not math.isnan(v))
    else:
        assert m.error


def test_only_nan_values():
    t = pa.table({"x": pa.array([float("nan")] * 2, pa.float64())})
    ctx = run(Mean("x"), Minimum("x"), Histogram("x"), ApproxQuantile("x", 0.5), CountDistinct(["x"]),
              Completeness("x"), data=t)
    _check_never_crashes(ctx)
    assert math.isnan(ctx.metric(Mean("x")).value)
    assert ctx.metric(Histogram("x")).value.absolutes() == {"nan": 2}
    assert ctx.metric(CountDistinct(["x"])).value == 1.0
    assert ctx.metric(Completeness("x")).value == 1.0
    assert not ctx.metric(ApproxQuantile("x", 0.5)).is_success  # KLL never sees NaN: empty sketch


def test_very_long_strings():
    long_a, long_e = "a" * 100_000, "é" * 100_000
    t = pa.table({"x": [1.0, 2.0, 3.0], "s": [long_a, long_e, long_a + "!"]})
    ctx = run(*every_analyzer("x", "s"), PatternMatch("s", "^a+!$"), Compliance("long", "length(s) >= 100000"),
              data=t)
    _check_never_crashes(ctx)
    m = ctx.metric
    assert m(MaxLength("s")).value == 100_001.0
    assert m(MinLength("s")).value == 100_000.0  # characters, not bytes
    assert m(CountDistinct(["s"])).value == 3.0
    assert m(ApproxCountDistinct("s")).value == 3.0
    assert m(Uniqueness(["s"])).value == 1.0
    assert set(m(Histogram("s")).value.values) == {long_a, long_e, long_a + "!"}
    assert m(PatternMatch("s", "^a+!$")).value == pytest.approx(1 / 3)
    assert m(Compliance("long", "length(s) >= 100000")).value == 1.0
    assert m(DataType("s")).value["String"].absolute == 3


def test_wide_table_of_many_columns():
    t = pa.table({f"c{i}": pa.array(np.arange(10, dtype=np.float64) + i) for i in range(300)})
    analyzers = [Mean(f"c{i}") for i in range(300)] + [Completeness(f"c{i}") for i in range(300)]
    ctx = run(*analyzers, data=t)
    assert ctx.num_queries == 1
    assert [ctx.metric(Mean(f"c{i}")).value for i in range(300)] == [4.5 + i for i in range(300)]


def test_temporal_and_decimal_extremes():
    from decimal import Decimal

    t = pa.table({
        "d": pa.array([dt.date(1, 1, 1), dt.date(9999, 12, 31), None]),
        "ts": pa.array([dt.datetime(1970, 1, 1), dt.datetime(2262, 4, 11), None], pa.timestamp("us")),
        "dec": pa.array([Decimal("99999999999999999999999999999999999.999"), Decimal("-1.001"), None],
                        pa.decimal128(38, 3)),
    })
    ctx = run(Minimum("d"), Maximum("d"), Maximum("ts"), Sum("dec"), Mean("dec"), Maximum("dec"), Completeness("d"),
              CountDistinct(["dec"]), Histogram("d"), DataType("dec"), data=t)
    _check_never_crashes(ctx)
    assert ctx.metric(Minimum("d")).value == dt.date(1, 1, 1)
    assert ctx.metric(Maximum("d")).value == dt.date(9999, 12, 31)
    assert ctx.metric(Maximum("ts")).value == dt.datetime(2262, 4, 11)
    assert ctx.metric(Maximum("dec")).value == pytest.approx(1e35)
    assert ctx.metric(CountDistinct(["dec"])).value == 2.0
    assert ctx.metric(Histogram("d")).value.number_of_bins == 3


def test_pandas_nullable_and_object_columns():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({
        "i": pd.array([1, None, 3], dtype="Int64"),
        "o": pd.Series(["x", None, "z"], dtype=object),
        "f": [1.0, np.nan, 3.0],  # pandas' NaN in a float column reaches DuckDB as NULL
    })
    ctx = run(Completeness("i"), Completeness("o"), Completeness("f"), Mean("i"), Mean("f"), MaxLength("o"),
              data=df)
    assert ctx.metric(Completeness("i")).value == pytest.approx(2 / 3)
    assert ctx.metric(Completeness("o")).value == pytest.approx(2 / 3)
    assert ctx.metric(Mean("i")).value == 2.0
    assert ctx.metric(MaxLength("o")).value == 1.0
    assert ctx.metric(Completeness("f")).value == pytest.approx(2 / 3)
    assert ctx.metric(Mean("f")).value == 2.0


def test_data_file_with_only_a_header(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("a,b\n")
    ctx = run(Size(), Completeness("a"), ColumnCount(), data=str(p))
    assert ctx.metric(Size()).value == 0.0
    assert "Empty state" in ctx.metric(Completeness("a")).error
    assert ctx.metric(ColumnCount()).value == 2.0


def test_zero_byte_file_is_an_error_not_a_crash(tmp_path):
    p = tmp_path / "nothing.csv"
    p.write_bytes(b"")
    try:
        ctx = run(Size(), data=str(p))
    except (DQError, duckdb.Error):
        return
    assert ctx.metric(Size()).value == 0.0
