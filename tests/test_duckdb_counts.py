"""DuckDB's cheaper spellings of counts (dq/backends/duckdb_counts.py) and exact integer variance.

Every rewrite must count exactly what ``count_if(predicate)`` counts: random predicates of the
shapes the rules handle (and near misses they must leave alone) run both ways on random data with
NULLs, NaN, infinities, empty strings and unicode.
"""

from __future__ import annotations

import statistics
from fractions import Fraction

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dq import Check, CheckLevel, VerificationSuite
from dq import aggregations as A
from dq.backends.duckdb import DuckDBBackend
from dq.backends.duckdb_counts import MAX_LIST, count_true_sql
from dq.predicates import parse_predicate, sql_literal

COLUMNS = ["i", "d", "s"]
WORDS = ["A", "B", "", "é", "日本", "a b", "O'Brien", "B "]


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(3)
    n = 4000
    i = rng.integers(-20, 20, n)
    d = rng.normal(0, 10, n).round(1)
    d[rng.random(n) < 0.03] = np.nan
    d[rng.random(n) < 0.01] = np.inf
    d[rng.random(n) < 0.01] = -np.inf
    s = np.array(WORDS, dtype=object)[rng.integers(0, len(WORDS), n)]
    table = pa.table({
        "i": pa.array(i, mask=rng.random(n) < 0.1),
        "d": pa.array(d, mask=rng.random(n) < 0.1),
        "s": pa.array(s, pa.string(), mask=rng.random(n) < 0.1),
    })
    return table


@pytest.fixture(scope="module")
def con(table):
    c = duckdb.connect()
    c.register("t", table)
    return c


TYPED = (frozenset({"i", "d"}), frozenset({"s"}))  # t's numeric and byte-compared string columns


def both(con, text: str, typed: bool = True) -> tuple[int, int, str]:
    p = parse_predicate(text, COLUMNS)
    fast = count_true_sql(p, *TYPED) if typed else count_true_sql(p)
    got, want = con.execute(f"SELECT {fast}, count_if({p.sql()}) FROM t").fetchone()
    return got, want, fast


numbers = st.one_of(st.integers(-25, 25), st.floats(-25, 25).map(lambda x: round(x, 1)))
ops = st.sampled_from([">=", ">", "<=", "<", "=", "<>"])


@st.composite
def atoms(draw):
    kind = draw(st.sampled_from(["cmp", "range", "in_int", "in_str", "coalesce", "between", "other"]))
    col = draw(st.sampled_from(["i", "d"]))
    if kind == "cmp":
        return f"{col} {draw(ops)} {sql_literal(draw(numbers))}"
    if kind == "range":
        lo_op, hi_op = draw(st.sampled_from([">=", ">"])), draw(st.sampled_from(["<=", "<"]))
        lo, hi = draw(numbers), draw(numbers)
        parts = [f"{col} {lo_op} {sql_literal(lo)}", f"{col} {hi_op} {sql_literal(hi)}"]
        if draw(st.booleans()):
            parts.reverse()
        return f"({parts[0]} AND {parts[1]})"
    if kind == "in_int":
        vals = draw(st.lists(st.integers(-25, 25), min_size=1, max_size=6))
        return f"{col} IN ({', '.join(sql_literal(v) for v in vals)})"
    if kind == "in_str":
        vals = draw(st.lists(st.sampled_from(WORDS + ["zz", "Ä"]), min_size=1, max_size=6))
        return f"s IN ({', '.join(sql_literal(v) for v in vals)})"
    if kind == "coalesce":
        cast = draw(st.booleans())
        inner = f"CAST({col} AS DOUBLE)" if cast else col
        return f"COALESCE({inner}, {sql_literal(draw(numbers))}) {draw(ops)} {sql_literal(draw(numbers))}"
    if kind == "between":
        return f"{col} BETWEEN {sql_literal(draw(numbers))} AND {sql_literal(draw(numbers))}"
    return draw(st.sampled_from(["s LIKE 'A%'", "length(s) > 0", "i IS NOT NULL", "d <> d"]))


@st.composite
def predicates(draw, depth=2):
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(atoms())
    shape = draw(st.sampled_from(["null_or", "null_or", "and", "or", "not"]))
    if shape == "null_or":
        col = draw(st.sampled_from(COLUMNS))
        inner = draw(predicates(depth=depth - 1))
        return f"({col} IS NULL OR {inner})" if draw(st.booleans()) else f"({inner} OR {col} IS NULL)"
    if shape == "not":
        return f"NOT ({draw(predicates(depth=depth - 1))})"
    a, b = draw(predicates(depth=depth - 1)), draw(predicates(depth=depth - 1))
    return f"({a} {shape.upper()} {b})"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=predicates(), typed=st.booleans())
def test_rewritten_count_equals_count_if(con, text, typed):
    got, want, fast = both(con, text, typed)
    assert got == want, (text, fast)


@pytest.mark.parametrize("text, absent", [
    ("s IS NULL OR s IN ('A', 'B', 'C')", " IN ("),
    ("COALESCE(CAST(i AS DOUBLE), 0.0) >= 0", "COALESCE"),
    ("d IS NULL OR (d >= (-1000) AND d <= 10000)", " OR "),
    ("i IN (1, 2, 2, -3)", " IN ("),
])
def test_constraint_shapes_are_rewritten(con, text, absent):
    got, want, fast = both(con, text)
    assert got == want
    assert absent not in fast


def test_duplicate_values_count_once(con):
    got, want, fast = both(con, "s IN ('A', 'A', 'B')")
    assert got == want and fast.count("count_if") == 2


def test_lists_without_type_facts_are_or_chains_or_kept(con):
    got, want, fast = both(con, "s IN ('A', 'A', 'B')", typed=False)
    assert got == want and fast == "count_if(\"s\" = 'A' OR \"s\" = 'B')"
    got, want, fast = both(con, "i IN (1, 2)", typed=False)
    assert got == want and " IN (" in fast


@pytest.mark.parametrize("make", ["column", "default"])
def test_collations_never_count_a_row_twice(make, tmp_path):
    """Under NOCASE 'a' and 'A' are one value: a sum of equality counts would count 'a' twice."""
    con = duckdb.connect()
    if make == "column":
        con.execute("CREATE TABLE words (s VARCHAR COLLATE NOCASE)")
        con.execute("INSERT INTO words VALUES ('a'), ('A'), ('b'), (NULL)")
        data = con.table("words")
    else:
        path = tmp_path / "w.parquet"
        import pyarrow.parquet as pq
        pq.write_table(pa.table({"s": ["a", "A", "b", None]}), path)
        con.execute("SET default_collation = 'nocase'")
        data = str(path)
    check = Check(CheckLevel.ERROR, "c").is_contained_in("s", ["a", "A"], lambda v: True)
    result = VerificationSuite().on_data(data, connection=con).add_check(check).run()
    assert result.check_results[0].constraint_results[0].metric.value == 0.75  # a, A, NULL
    assert any("OR" in q for q in result.context.queries)


def test_strings_on_a_date_column_never_count_twice():
    t = pa.table({"day": pa.array([None, 0, 1], pa.date32())})  # 1970-01-01, -02
    check = Check(CheckLevel.ERROR, "c").is_contained_in("day", ["1970-01-01", "1970-1-1"], lambda v: True)
    result = VerificationSuite().on_data(t).add_check(check).run()
    assert result.check_results[0].constraint_results[0].metric.value == pytest.approx(2 / 3)


def test_integers_on_a_boolean_column_never_count_twice():
    t = pa.table({"b": [True, False, None]})
    check = Check(CheckLevel.ERROR, "c").satisfies("b IN (1, 2)", "b is 1 or 2", lambda v: True)
    result = VerificationSuite().on_data(t).add_check(check).run()
    assert result.check_results[0].constraint_results[0].metric.value == pytest.approx(1 / 3)


def test_long_lists_and_empty_ranges_keep_count_if(con):
    many = ", ".join(sql_literal(f"v{k}") for k in range(MAX_LIST + 1))
    for text in (f"s IN ({many})", "i > 3 AND i < 3", "i >= 4 AND i <= 3", "d IN (1.5, 2.5)"):
        got, want, fast = both(con, text)
        assert got == want and fast.startswith("count_if("), (text, fast)


def test_suite_compliance_metrics_unchanged_by_the_rewrite(table):
    """The constraint family that produces these shapes, end to end, against numpy."""
    t = table
    check = (Check(CheckLevel.ERROR, "c")
             .is_contained_in("s", ["A", "B", "A", "日本"], lambda v: True)
             .is_contained_in("d", lower_bound=-5, upper_bound=5, include_upper_bound=False)
             .is_non_negative("i").is_positive("d"))
    result = VerificationSuite().on_data(t).add_check(check).run()
    values = [c.metric.value for c in result.check_results[0].constraint_results]
    s = t["s"].to_pylist()
    d = np.array([np.nan if v is None else v for v in t["d"].to_pylist()])
    d_null = np.array([v is None for v in t["d"].to_pylist()])
    i = t["i"].to_pylist()
    n = len(s)
    want = [
        sum(v is None or v in ("A", "B", "日本") for v in s) / n,
        (d_null.sum() + ((d >= -5) & (d < 5) & ~d_null).sum()) / n,
        sum(v is None or v >= 0 for v in i) / n,
        (d_null.sum() + ((d > 0) | (np.isnan(d) & ~d_null)).sum()) / n,  # NaN > 0 in DuckDB
    ]
    assert values == pytest.approx(want, abs=0, rel=1e-12)


# -- exact variance of small integer columns ----------------------------------------------------

def _exact_var(values) -> float | None:
    xs = [v for v in values if v is not None]
    if not xs:
        return None
    n = len(xs)
    return float(Fraction(sum(x * x for x in xs) * n - sum(xs) ** 2, n * n))


@pytest.mark.parametrize("arrow_type, lo, hi", [
    (pa.int8(), -128, 127), (pa.int16(), -32768, 32767), (pa.int32(), -2**31, 2**31 - 1),
    (pa.uint8(), 0, 255), (pa.uint16(), 0, 65535),
])
def test_small_integer_variance_is_exact(arrow_type, lo, hi):
    rng = np.random.default_rng(5)
    # extreme values and a huge mean next to a tiny spread: var_pop's update loses digits there
    values = [hi, lo, None, hi, hi - 1] + rng.integers(lo, hi, 500, endpoint=True).tolist()
    near = [hi - k % 2 for k in range(300)] + [None]
    table = pa.table({"x": pa.array(values, arrow_type), "y": pa.array(near + [None] * (len(values) - len(near)),
                                                                       arrow_type)})
    backend = DuckDBBackend(table)
    where = parse_predicate("x > 0", ["x", "y"])
    aggs = [A.VarPopOf("x"), A.VarPopOf("y"), A.VarPopOf("x", where)]
    out = backend.run_scan(aggs)
    assert any("BIGINT" in sql for sql in backend.queries)  # the exact form ran
    assert "var_pop" not in backend.queries[-1]
    assert out[aggs[0]] == _exact_var(values)
    assert out[aggs[1]] == _exact_var(near)
    assert out[aggs[2]] == _exact_var([v for v in values if v is not None and v > 0])
    assert out[aggs[0]] == pytest.approx(statistics.pvariance([v for v in values if v is not None]), rel=1e-12)


def test_integer_variance_of_no_values_is_null():
    table = pa.table({"x": pa.array([None, None], pa.int32())})
    backend = DuckDBBackend(table)
    out = backend.run_scan([A.VarPopOf("x")])
    assert out[A.VarPopOf("x")] is None
