"""ColumnProfiler: numbers against an independent pandas/numpy computation, the query count, the
JSON round trip and the merge of partition profiles."""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dq.errors import ColumnNotFoundError, InvalidOptionError, StateFormatError, StateMergeError
from dq.profiles import PERCENTILES, ColumnProfiler, ColumnProfiles
from dq.schema import Kind

pd = pytest.importorskip("pandas")

FRACTIONAL = re.compile(r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$")
INTEGRAL = re.compile(r"^(-|\+)? ?\d+$")
BOOLEAN = re.compile(r"^(true|false)$")


def random_table(n: int = 3000, seed: int = 1) -> pa.Table:
    """Every kind, with NULLs; NaN in one float column; empty strings, unicode and numbers-as-text."""
    rng = np.random.default_rng(seed)
    null = lambda p: rng.random(n) < p  # noqa: E731
    words = np.array(["", "a", "é", "日本", "😀x", "O'Brien", "NullValue ", "tab\t", "12", "3.5", "true", "zz"],
                     dtype=object)
    floats = rng.normal(5, 3, n)
    with_nan = rng.normal(0, 1, n)
    with_nan[rng.random(n) < 0.05] = np.nan
    return pa.table({
        "small_int": pa.array(rng.integers(-3, 9, n), pa.int64(), mask=null(0.1)),
        "big_int": pa.array(rng.integers(0, 10**9, n), pa.int64(), mask=null(0.02)),
        "flt": pa.array(floats, pa.float64(), mask=null(0.05)),
        "nan_flt": pa.array(with_nan, pa.float64(), mask=null(0.05)),
        "word": pa.array(words[rng.integers(0, len(words), n)], pa.string(), mask=null(0.07)),
        "digits": pa.array([str(x) for x in rng.integers(0, 50, n)], pa.string(), mask=null(0.01)),
        "free_text": pa.array([f"t{x}-ü" for x in rng.integers(0, 10**6, n)], pa.string()),
        "flag": pa.array(rng.random(n) < 0.3, pa.bool_(), mask=null(0.2)),
        "day": pa.array(np.datetime64("2020-01-01") + rng.integers(0, 400, n).astype("timedelta64[D]"),
                        pa.date32(), mask=null(0.03)),
        "dec": pa.array([None if i % 11 == 0 else __import__("decimal").Decimal(f"{i % 97}.25") for i in range(n)],
                        pa.decimal128(10, 2)),
    })


def assert_quantiles(values: np.ndarray, got, eps: float = 0.02) -> None:
    """Each reported percentile is a q-quantile of ``values`` up to a rank error ``eps`` (KLL's
    bound at relative_error 0.01, doubled): the share of values below it is at most q + eps and
    the share at or below it at least q - eps (ties make both needed)."""
    for q, v in zip(PERCENTILES, got):
        below = np.searchsorted(values, v, side="left") / len(values)
        upto = np.searchsorted(values, v, side="right") / len(values)
        assert below <= q + eps and upto >= q - eps, (q, v, below, upto)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return random_table()


@pytest.fixture(scope="module")
def profiles(table) -> ColumnProfiles:
    return ColumnProfiler.on_data(table).run()


def test_numbers_against_pandas(table, profiles):
    df = table.to_pandas()
    n = len(df)
    assert profiles.num_records == n
    for col in table.column_names:
        p = profiles[col]
        s = df[col]
        assert p.completeness == pytest.approx(s.notna().sum() / n if col != "nan_flt" else
                                               table[col].is_valid().to_numpy(zero_copy_only=False).sum() / n)
        values = table[col].drop_null().to_pylist()
        nan = any(isinstance(v, float) and math.isnan(v) for v in values)  # all NaNs are one value
        exact = len({v for v in values if not (isinstance(v, float) and math.isnan(v))}) + nan
        assert abs(p.approximate_num_distinct_values - exact) <= max(2, 0.03 * exact), col
    for col in ("small_int", "big_int", "flt"):
        p, s = profiles[col], df[col].dropna().astype(float)
        assert p.data_type == ("Fractional" if col == "flt" else "Integral") and not p.is_data_type_inferred
        assert p.minimum == s.min() and p.maximum == s.max()
        assert p.sum == pytest.approx(s.sum(), rel=1e-12)
        assert p.mean == pytest.approx(s.mean(), rel=1e-12)
        assert p.std_dev == pytest.approx(s.std(ddof=0), rel=1e-9)  # population, as Deequ
        # KLL percentiles: each one's rank in the data is within the sketch's error of its quantile
        assert len(p.approx_percentiles) == 100
        assert_quantiles(np.sort(s.to_numpy()), p.approx_percentiles)
    # NaN is the largest value in the engines, and it makes the moments NaN
    p = profiles["nan_flt"]
    assert math.isnan(p.maximum) and math.isnan(p.mean)
    assert p.minimum == df["nan_flt"].min()
    # decimals are numbers too
    dec = df["dec"].dropna().astype(float)
    assert profiles["dec"].data_type == "Fractional" and profiles["dec"].sum == pytest.approx(dec.sum())
    # dates: min and max, no moments
    day = profiles["day"]
    assert day.minimum == min(d for d in table["day"].to_pylist() if d) and day.mean is None
    assert isinstance(day.maximum, dt.date)


def test_strings_against_python(table, profiles):
    for col in ("word", "digits", "free_text"):
        p = profiles[col]
        values = [v for v in table[col].to_pylist() if v is not None]
        assert p.is_data_type_inferred and p.kind is Kind.STRING
        assert p.min_length == min(len(v) for v in values) and p.max_length == max(len(v) for v in values)
        frac = sum(bool(FRACTIONAL.match(v)) for v in values)
        integ = sum(bool(INTEGRAL.match(v)) for v in values)
        boolean = sum(bool(BOOLEAN.match(v)) for v in values)
        assert p.type_counts == {"Unknown": table.num_rows - len(values), "Fractional": frac, "Integral": integ,
                                 "Boolean": boolean, "String": len(values) - frac - integ - boolean}
    assert profiles["word"].data_type == "String"
    assert profiles["digits"].data_type == "Integral"
    assert profiles["word"].min_length == 0  # the empty string is a value, not a NULL


def test_histograms_are_exact_value_counts(table, profiles):
    for col in ("small_int", "word", "digits", "flag"):
        expected: dict = {}
        for v in table[col].to_pylist():
            key = None if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
            expected[key] = expected.get(key, 0) + 1
        assert dict(profiles[col].value_counts) == expected, col
        hist = profiles[col].histogram
        assert sum(x.absolute for x in hist.values.values()) == table.num_rows
        if None in expected:
            assert hist["NullValue"].ratio == pytest.approx(expected[None] / table.num_rows)
    # high-cardinality columns get none
    for col in ("big_int", "flt", "free_text"):
        assert profiles[col].value_counts is None and profiles[col].histogram is None


def test_two_passes_whatever_the_width():
    rng = np.random.default_rng(3)
    wide = pa.table({f"c{i}": pa.array(rng.integers(0, 5 + i, 500)) for i in range(60)}
                    | {f"s{i}": pa.array([f"v{x}" for x in rng.integers(0, 3 + i, 500)]) for i in range(40)})
    p = ColumnProfiler.on_data(wide).with_quantiles(False).run()
    assert p.num_queries == 2  # one scan, one grouped statement for the 100 low-cardinality columns
    assert sum("GROUPING SETS" in q for q in p.queries) == 1
    assert all(p[c].value_counts is not None for c in wide.column_names)
    with_q = ColumnProfiler.on_data(wide).run()
    assert with_q.num_queries == 3  # + the one streaming pass shared by all 60 KLL sketches
    no_hist = ColumnProfiler.on_data(wide).with_low_cardinality_histogram_threshold(0).with_quantiles(False).run()
    assert no_hist.num_queries == 1 and all(x.value_counts is None for x in no_hist)


def test_profile_a_parquet_file_in_two_statements(tmp_path, table):
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(table, path)
    p = ColumnProfiler.on_data(str(path)).with_quantiles(False).run()
    assert p.num_queries == 2
    q = ColumnProfiler.on_data(table).with_quantiles(False).run()
    assert [_exact_parts(x) for x in p] == [_exact_parts(x) for x in q]


def test_restrict_to_columns_and_bad_options(table):
    p = ColumnProfiler.on_data(table).restrict_to_columns(["word", "flt"]).run()
    assert [x.column for x in p] == ["word", "flt"]
    with pytest.raises(ColumnNotFoundError, match="wrod"):
        ColumnProfiler.on_data(table).restrict_to_columns(["wrod"]).run()
    with pytest.raises(InvalidOptionError):
        ColumnProfiler.on_data(table).with_low_cardinality_histogram_threshold(-1)
    with pytest.raises(InvalidOptionError):
        ColumnProfiler.on_data(table).with_quantiles(relative_error=2.0)


def test_empty_and_all_null_columns():
    t = pa.table({"x": pa.array([None, None], pa.float64()), "s": pa.array([None, None], pa.string())})
    p = ColumnProfiler.on_data(t).run()
    assert p["x"].completeness == 0.0 and p["x"].minimum is None and p["x"].mean is None
    assert p["s"].data_type == "Unknown" and p["s"].min_length is None
    assert p["x"].value_counts == ((None, 2),)
    empty = ColumnProfiler.on_data(t.slice(0, 0)).run()
    assert empty.num_records == 0 and empty["x"].completeness is None


def test_json_round_trip(profiles):
    text = profiles.to_json()
    doc = json.loads(text)
    assert doc["format"] == "dq.column_profiles" and doc["version"] == 1
    assert doc["columns"][0]["column"] == "small_int" and "histogram" in doc["columns"][0]
    back = ColumnProfiles.from_json(text)
    assert back == profiles
    assert back["word"].histogram == profiles["word"].histogram
    assert back["flt"].approx_percentiles == profiles["flt"].approx_percentiles
    assert back.to_json() == text
    doc["version"] = 99
    with pytest.raises(StateFormatError, match="version 99"):
        ColumnProfiles.from_dict(doc)
    with pytest.raises(StateFormatError):
        ColumnProfiles.from_json("{}")


def _exact_parts(p):
    nan = lambda x: "NaN" if isinstance(x, float) and math.isnan(x) else x  # noqa: E731
    return (p.completeness, nan(p.minimum), nan(p.maximum), p.type_counts, p.value_counts, p.min_length,
            p.max_length, p.data_type, p.num_records)


def test_merge_of_partitions_equals_profile_of_union(table):
    a, b = table.slice(0, 1000), table.slice(1000)
    merged = ColumnProfiler.on_data(a).run().merge(ColumnProfiler.on_data(b).run())
    whole = ColumnProfiler.on_data(table).run()
    assert merged.num_records == whole.num_records
    for col in table.column_names:
        m, w = merged[col], whole[col]
        assert _exact_parts(m) == _exact_parts(w), col
        # HLL registers merge exactly: the same estimate as the union's
        assert m.approximate_num_distinct_values == w.approximate_num_distinct_values
        for x, y in ((m.sum, w.sum), (m.mean, w.mean), (m.std_dev, w.std_dev)):
            assert (x is None and y is None) or (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-9)
        if w.approx_percentiles is not None and col != "nan_flt":
            values = np.sort(np.array([v for v in table[col].to_pylist() if v is not None], dtype=float))
            assert_quantiles(values, m.approx_percentiles)


def test_merge_drops_a_histogram_the_union_would_not_have():
    a = pa.table({"x": pa.array(range(0, 100))})
    b = pa.table({"x": pa.array(range(100, 200))})
    pa_, pb = ColumnProfiler.on_data(a).run(), ColumnProfiler.on_data(b).run()
    assert pa_["x"].value_counts is not None and pb["x"].value_counts is not None
    merged = pa_.merge(pb)
    assert merged["x"].value_counts is None
    assert ColumnProfiler.on_data(pa.concat_tables([a, b])).run()["x"].value_counts is None
    # a JSON-loaded profile merges like the original
    assert ColumnProfiles.from_json(pa_.to_json()).merge(pb) == merged


def test_merge_refuses_other_columns(table):
    p = ColumnProfiler.on_data(table).restrict_to_columns(["word"]).run()
    q = ColumnProfiler.on_data(table).restrict_to_columns(["flt"]).run()
    with pytest.raises(StateMergeError):
        p.merge(q)


def test_render_is_a_table(profiles):
    text = str(profiles)
    assert "small_int" in text and "10 columns" in text


def test_spark_profile_matches_duckdb():
    """The same profile on Spark (the two statements go through the Spark backend; Spark's
    HyperLogLog hashes differently, so only the distinct estimates differ, within their error)."""
    pytest.importorskip("pyspark")
    from spark_support import to_spark

    from dq.suggest import ConstraintSuggestionRunner, Rules
    from dq.verification import VerificationSuite

    t = random_table(600).drop_columns(["dec"])
    sdf = to_spark(t)
    on_spark = ColumnProfiler.on_data(sdf).run()
    on_duckdb = ColumnProfiler.on_data(t).run()
    assert on_spark.num_queries == 2  # the KLL sketches are in the scan on Spark
    for a, b in zip(on_spark, on_duckdb):
        assert (a.completeness, a.value_counts, a.type_counts, a.min_length, a.max_length, a.data_type) == (
            b.completeness, b.value_counts, b.type_counts, b.min_length, b.max_length, b.data_type), a.column
        assert abs(a.approximate_num_distinct_values - b.approximate_num_distinct_values) <= \
            max(2, 0.03 * b.approximate_num_distinct_values)
    result = ConstraintSuggestionRunner.on_data(sdf).add_constraint_rules(Rules.EXTENDED).run()
    assert VerificationSuite().on_data(sdf).add_checks(result.to_checks()).run().status.value == "Success"


def test_table_on_a_callers_connection():
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT i, i % 3 AS k, 'x' || (i % 5) AS s FROM range(1000) r(i)")
    p = ColumnProfiler.on_data("t", connection=con).run()
    assert p.num_queries == 3 and p["k"].value_counts == (("0", 334), ("1", 333), ("2", 333))
    # nothing of dq's is left on the caller's connection
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(0, 600), min_size=1, max_size=3), st.integers(0, 10**6))
def test_merge_law_on_random_splits(cuts, seed):
    """merge(profile(parts)) == profile(whole) for the exact parts, in any grouping of the merges."""
    t = random_table(600, seed).drop_columns(["nan_flt"])
    bounds = sorted(set([0, *cuts, 600]))
    parts = [ColumnProfiler.on_data(t.slice(a, b - a)).with_quantiles(False).run() for a, b in zip(bounds, bounds[1:])]
    left = parts[0]
    for p in parts[1:]:
        left = left.merge(p)
    right = parts[-1]
    for p in reversed(parts[:-1]):
        right = p.merge(right)
    whole = ColumnProfiler.on_data(t).with_quantiles(False).run()
    for m, r, w in zip(left, right, whole):
        assert _exact_parts(m) == _exact_parts(w) == _exact_parts(r), w.column
        assert m.approximate_num_distinct_values == w.approximate_num_distinct_values
