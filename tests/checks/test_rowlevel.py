"""Row-level results and quarantine (``dq.checks.rowlevel``) against a plain-Python reference.

Every row-level constraint kind is evaluated per row here in plain Python, with DuckDB's SQL
semantics written out (three-valued logic; NaN equal to itself and greater than every number;
-0.0 equal to 0.0; lengths in code points), on seeded random tables holding NULLs, NaN, ±inf,
-0.0, empty strings and unicode. The check columns dq returns must equal the reference row by
row, on every input kind (pyarrow Table, pandas, one Parquet file, several files, a glob, a
hive-partitioned folder), and agree with the metrics the suite computed. Then the Deequ semantics
one by one (failed metrics, aggregate-only constraints, filtered rows, three-valued AND,
multi-file uniqueness: Deequ #753), names, scale (Deequ #576: hundreds of checks in one query),
one-shot inputs and quarantine (``split_rows``).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dq import VerificationSuite
from dq.analyzers import Patterns
from dq.backends.duckdb import DuckDBBackend
from dq.checks import (
    Check,
    CheckLevel,
    at_least,
    at_most,
    between,
    equals,
    greater_than,
    less_than,
    not_equal,
)
from dq.checks.rowlevel import FAILED_CHECKS_COLUMN, plan_row_level, row_level_results, split_rows
from dq.errors import InvalidOptionError, UnsupportedDataError

pd = pytest.importorskip("pandas")

Row = dict[str, Any]
Outcome = Any  # True, False or None

# -- SQL semantics in plain Python ------------------------------------------------------------


def _is_nan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _order_key(v: Any) -> tuple:
    """DuckDB's order of numbers: NaN above +inf, NaN equal to NaN, -0.0 equal to 0.0."""
    return (1, 0.0) if _is_nan(v) else (0, v)


def cmp(a: Any, op: str, b: Any) -> Outcome:
    if a is None or b is None:
        return None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        a, b = _order_key(a), _order_key(b)
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b}[op]


def and3(*xs: Outcome) -> Outcome:
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def or3(*xs: Outcome) -> Outcome:
    if any(x is True for x in xs):
        return True
    return None if any(x is None for x in xs) else False


def coalesce_false(x: Outcome) -> bool:
    return False if x is None else x


def key_of(v: Any) -> Any:
    """A hashable stand-in grouping values as DuckDB's GROUP BY does (NULL and NaN are two groups)."""
    if v is None:
        return ("null",)
    if _is_nan(v):
        return ("nan",)
    if isinstance(v, float):
        return ("num", v + 0.0)
    return ("v", v)


# -- random data --------------------------------------------------------------------------------

STRINGS = [None, None, "", "a", "b", "ab", "abc", "ABC", "é", "e\u0301", "日本語", "👍🏽", "a b", "x1", "zz",
           "me@example.com", "not an email", "ünïcödé", "a" * 7]
FLOATS = [None, None, math.nan, -0.0, 0.0, 1.5, -1.0, 2.0, 0.5, math.inf, -math.inf]


def make_table(seed: int, n: int = 240) -> pa.Table:
    rng = random.Random(seed)

    def pick(pool: list, p_random: float, gen: Callable[[], Any]) -> Any:
        return gen() if rng.random() < p_random else rng.choice(pool)

    rows = {
        "id": [None if rng.random() < 0.05 else rng.randrange(n * 3 // 2) for _ in range(n)],
        "k": [None if rng.random() < 0.1 else rng.randrange(5) for _ in range(n)],
        "x": [pick(FLOATS, 0.5, lambda: round(rng.uniform(-3, 3), 1)) for _ in range(n)],
        "y": [pick(FLOATS, 0.5, lambda: round(rng.uniform(-3, 3), 1)) for _ in range(n)],
        "m": [None if rng.random() < 0.1 else rng.randrange(-5, 15) for _ in range(n)],
        "s": [pick(STRINGS, 0.3, lambda: "".join(rng.choice("abcé日") for _ in range(rng.randrange(6))))
              for _ in range(n)],
        "t": [rng.choice([None, "p", "q", "", "ß"]) for _ in range(n)],
        "day": [None if rng.random() < 0.1 else dt.date(2019, 12, 1) + dt.timedelta(days=rng.randrange(90))
                for _ in range(n)],
    }
    return pa.table({
        "id": pa.array(rows["id"], pa.int64()),
        "k": pa.array(rows["k"], pa.int32()),
        "x": pa.array(rows["x"], pa.float64()),
        "y": pa.array(rows["y"], pa.float64()),
        "m": pa.array(rows["m"], pa.int64()),
        "s": pa.array(rows["s"], pa.string()),
        "t": pa.array(rows["t"], pa.string()),
        "day": pa.array(rows["day"], pa.date32()),
    })


# -- the constraint catalogue: how dq builds it, how the reference evaluates it ------------------

@dataclass(frozen=True)
class Spec:
    label: str
    add: Callable[[Check], Check]
    #: per-row outcome for a row in scope (row-wise kinds) ...
    row: Callable[[Row], Outcome] | None = None
    #: ... or for the uniqueness family: the key columns
    keys: tuple[str, ...] = ()
    #: the constraint's ``where`` in Python (None: no filter) and the outcome of a filtered row
    where: Callable[[Row], Outcome] | None = None
    filtered: Outcome = True
    #: how the metric relates to the row outcomes: "ratio" (fraction TRUE among rows in scope),
    #: "unique" (Uniqueness: fraction TRUE among rows in scope with a non-NULL key), or None
    metric: str | None = None


def reference(spec: Spec, rows: list[Row]) -> list[Outcome]:
    in_scope = [True if spec.where is None else spec.where(r) is True for r in rows]
    if spec.keys:
        scoped = [tuple(key_of(r[c]) for c in spec.keys) for r, s in zip(rows, in_scope) if s]
        counts = Counter(scoped)
        out = []
        for r, s in zip(rows, in_scope):
            if not s:
                out.append(spec.filtered)
            elif all(r[c] is None for c in spec.keys):
                out.append(True)
            else:
                out.append(counts[tuple(key_of(r[c]) for c in spec.keys)] == 1)
        return out
    assert spec.row is not None
    return [spec.row(r) if s else spec.filtered for r, s in zip(rows, in_scope)]


def asserted(value: Any, test: Callable[[Any], bool], on_null: Outcome = True) -> Outcome:
    """A Min/Max/length assertion on one value: NULL -> on_null, an assertion that raises -> False."""
    if value is None:
        return on_null
    try:
        return bool(test(value))
    except Exception:  # noqa: BLE001
        return False


def py_compare(op: str, bound: float, tol: float = 0.0) -> Callable[[float], bool]:
    """dq's Compare assertion semantics in plain Python: NaN satisfies nothing."""
    def test(v: float) -> bool:
        if math.isnan(v):
            return False
        if tol and op in ("==", "!="):
            return (abs(v - bound) <= tol) == (op == "==")
        return {">=": v >= bound, ">": v > bound, "<=": v <= bound, "<": v < bound, "==": v == bound,
                "!=": v != bound}[op]
    return test


def num(v: Any) -> Any:
    return None if v is None else float(v)


def length(s: Any) -> Any:
    return None if s is None else float(len(s))


def raises(v: Any) -> bool:
    raise ValueError("no")


EMAIL = re.compile(Patterns.EMAIL)
K_AT_LEAST_2 = lambda r: cmp(r["k"], ">=", 2)  # noqa: E731
X_POSITIVE = lambda r: cmp(r["x"], ">", 0)  # noqa: E731
NULL_ROWS = {"filtered_row": "NULL"}

SPECS: list[Spec] = [
    # completeness
    Spec("complete x", lambda c: c.is_complete("x"), lambda r: r["x"] is not None, metric="ratio"),
    Spec("completeness s where k>=2", lambda c: c.has_completeness("s", at_least(0.5)).where("k >= 2"),
         lambda r: r["s"] is not None, where=K_AT_LEAST_2, metric="ratio"),
    Spec("complete s where x>0 (NULL)", lambda c: c.is_complete("s", options=NULL_ROWS).where("x > 0"),
         lambda r: r["s"] is not None, where=X_POSITIVE, filtered=None, metric="ratio"),
    # compliance family
    Spec("non-negative x", lambda c: c.is_non_negative("x"),
         lambda r: coalesce_false(cmp(0.0 if r["x"] is None else r["x"], ">=", 0)), metric="ratio"),
    Spec("positive y", lambda c: c.is_positive("y"),
         lambda r: coalesce_false(cmp(1.0 if r["y"] is None else r["y"], ">", 0)), metric="ratio"),
    Spec("x < y", lambda c: c.is_less_than("x", "y"), lambda r: coalesce_false(cmp(r["x"], "<", r["y"])),
         metric="ratio"),
    Spec("x >= m", lambda c: c.is_greater_than_or_equal_to("x", "m"),
         lambda r: coalesce_false(cmp(r["x"], ">=", r["m"])), metric="ratio"),
    Spec("s in list", lambda c: c.is_contained_in("s", ["a", "é", "", "日本語"]),
         lambda r: r["s"] is None or r["s"] in ("a", "é", "", "日本語"), metric="ratio"),
    Spec("x in range", lambda c: c.is_contained_in("x", lower_bound=-1, upper_bound=1.5, include_upper_bound=False),
         lambda r: r["x"] is None or coalesce_false(and3(cmp(r["x"], ">=", -1), cmp(r["x"], "<", 1.5))),
         metric="ratio"),
    Spec("x, s complete", lambda c: c.are_complete(["x", "s"]), lambda r: r["x"] is not None and r["s"] is not None,
         metric="ratio"),
    Spec("x or s complete", lambda c: c.are_any_complete(["x", "s"]),
         lambda r: r["x"] is not None or r["s"] is not None, metric="ratio"),
    Spec("satisfies", lambda c: c.satisfies("x > 0.5 OR s = 'a'", "x big or s a"),
         lambda r: coalesce_false(or3(cmp(r["x"], ">", 0.5), cmp(r["s"], "=", "a"))), metric="ratio"),
    Spec("satisfies where (NULL)",
         lambda c: c.satisfies("m BETWEEN 0 AND 9", "m digit", options=NULL_ROWS).where("k >= 2"),
         lambda r: coalesce_false(and3(cmp(r["m"], ">=", 0), cmp(r["m"], "<=", 9))), where=K_AT_LEAST_2,
         filtered=None, metric="ratio"),
    # patterns (search semantics; NULL does not match)
    Spec("pattern lower", lambda c: c.has_pattern("s", r"^[a-z]+$"),
         lambda r: r["s"] is not None and re.search(r"^[a-z]+$", r["s"]) is not None, metric="ratio"),
    Spec("pattern unicode", lambda c: c.has_pattern("s", "é|日"),
         lambda r: r["s"] is not None and re.search("é|日", r["s"]) is not None, metric="ratio"),
    Spec("email", lambda c: c.contains_email("s"),
         lambda r: r["s"] is not None and EMAIL.search(r["s"]) is not None, metric="ratio"),
    Spec("pattern where", lambda c: c.has_pattern("t", "p|q").where("x > 0"),
         lambda r: r["t"] is not None and re.search("p|q", r["t"]) is not None, where=X_POSITIVE, metric="ratio"),
    # minimum / maximum: the assertion per value
    Spec("min x >= -1", lambda c: c.has_min("x", at_least(-1)), lambda r: asserted(num(r["x"]), py_compare(">=", -1))),
    Spec("max y <= 1.5 (Fail)", lambda c: c.has_max("y", at_most(1.5), options={"null_behavior": "Fail"}),
         lambda r: asserted(num(r["y"]), py_compare("<=", 1.5), on_null=False)),
    Spec("min m between", lambda c: c.has_min("m", between(0, 10)),
         lambda r: asserted(num(r["m"]), lambda v: 0 <= v <= 10)),
    Spec("max x callable", lambda c: c.has_max("x", lambda v: v < 1), lambda r: asserted(num(r["x"]), lambda v: v < 1)),
    Spec("min x == 0 +- 0.5", lambda c: c.has_min("x", equals(0, tolerance=0.5)),
         lambda r: asserted(num(r["x"]), py_compare("==", 0, 0.5))),
    Spec("max x != 1.5", lambda c: c.has_max("x", not_equal(1.5)), lambda r: asserted(num(r["x"]), py_compare("!=", 1.5))),
    Spec("min x > -inf", lambda c: c.has_min("x", greater_than(-math.inf)),
         lambda r: asserted(num(r["x"]), py_compare(">", -math.inf))),
    Spec("max m huge bound", lambda c: c.has_max("m", less_than(2 ** 60 + 1)),
         lambda r: asserted(num(r["m"]), lambda v: v < 2 ** 60 + 1)),
    Spec("min day callable", lambda c: c.has_min("day", lambda d: d >= dt.date(2020, 1, 1)),
         lambda r: asserted(r["day"], lambda d: d >= dt.date(2020, 1, 1))),
    Spec("min day number", lambda c: c.has_min("day", at_least(0)), lambda r: asserted(r["day"], raises)),
    Spec("max x raises", lambda c: c.has_max("x", raises), lambda r: asserted(num(r["x"]), raises)),
    Spec("min x where (NULL)", lambda c: c.has_min("x", at_least(0), options=NULL_ROWS).where("k >= 2"),
         lambda r: asserted(num(r["x"]), py_compare(">=", 0)), where=K_AT_LEAST_2, filtered=None),
    # lengths
    Spec("min length s >= 1", lambda c: c.has_min_length("s", at_least(1)),
         lambda r: asserted(length(r["s"]), py_compare(">=", 1))),
    Spec("max length s <= 2 (EmptyString)",
         lambda c: c.has_max_length("s", at_most(2), options={"null_behavior": "EmptyString"}),
         lambda r: asserted(length(r["s"]) or 0.0, py_compare("<=", 2))),
    Spec("max length s callable (Fail)",
         lambda c: c.has_max_length("s", lambda v: v <= 3, options={"null_behavior": "Fail"}),
         lambda r: asserted(length(r["s"]), lambda v: v <= 3, on_null=False)),
    Spec("min length t where", lambda c: c.has_min_length("t", greater_than(0)).where("k = 1"),
         lambda r: asserted(length(r["t"]), py_compare(">", 0)), where=lambda r: cmp(r["k"], "=", 1)),
    # uniqueness family
    Spec("unique id", lambda c: c.is_unique("id"), keys=("id",), metric="unique"),
    Spec("unique k, s", lambda c: c.are_unique(["k", "s"]), keys=("k", "s"), metric="unique"),
    Spec("primary key x", lambda c: c.is_primary_key("x"), keys=("x",), metric="unique"),
    Spec("primary key s, t, x", lambda c: c.is_primary_key("s", "t", "x"), keys=("s", "t", "x"), metric="unique"),
    Spec("uniqueness s where", lambda c: c.has_uniqueness(["s"], at_least(0)).where("k >= 2"), keys=("s",),
         where=K_AT_LEAST_2, metric="unique"),
    Spec("uniqueness y where (NULL)", lambda c: c.has_uniqueness("y", at_least(0), options=NULL_ROWS).where("x > 0"),
         keys=("y",), where=X_POSITIVE, filtered=None, metric="unique"),
    Spec("unique value ratio t, k", lambda c: c.has_unique_value_ratio(["t", "k"], at_least(0)), keys=("t", "k")),
    Spec("duplicate rows k, t", lambda c: c.has_duplicate_row_count(["k", "t"], at_least(0)), keys=("k", "t")),
    Spec("duplicate rows day where", lambda c: c.has_duplicate_row_count(["day"], at_least(0)).where("x > 0"),
         keys=("day",), where=X_POSITIVE),
]

#: checks of several constraints: their column is the three-valued AND of the constraints'
COMBINED = [
    ("and: complete + unique", ["complete x", "unique id"]),
    ("and: NULL rows + lengths", ["complete s where x>0 (NULL)", "min length s >= 1"]),
    ("and: NULL + NULL + pattern", ["satisfies where (NULL)", "uniqueness y where (NULL)", "pattern lower"]),
    ("and: every kind", [s.label for s in SPECS[::4]]),
]
BY_LABEL = {s.label: s for s in SPECS}


def all_checks(level_of: Callable[[int], CheckLevel] = lambda i: CheckLevel.ERROR) -> list[Check]:
    checks = [s.add(Check(level_of(i), s.label)) for i, s in enumerate(SPECS)]
    for j, (label, members) in enumerate(COMBINED):
        c = Check(level_of(len(SPECS) + j), label)
        for m in members:
            c = BY_LABEL[m].add(c)
        checks.append(c)
    # an aggregate-only constraint next to a row-level one contributes nothing
    checks.append(Check(level_of(len(checks)), "and: with aggregates").has_size(at_least(1)).is_complete("x")
                  .has_mean("m", at_least(-100)))
    return checks


def expected_columns(rows: list[Row]) -> dict[str, list[Outcome]]:
    out = {s.label: reference(s, rows) for s in SPECS}
    for label, members in COMBINED:
        out[label] = [and3(*vals) for vals in zip(*(out[m] for m in members))]
    out["and: with aggregates"] = out["complete x"]
    return out


def assert_table_equal(got: pa.Table, want: pa.Table) -> None:
    """Equal schemas and values, NaN equal to NaN (pyarrow's ``equals`` says NaN != NaN)."""
    assert got.schema == want.schema
    for name in want.column_names:
        g, w = got.column(name).to_pylist(), want.column(name).to_pylist()
        assert len(g) == len(w) and all(_same_value(a, b) for a, b in zip(g, w)), name


def _same_value(a: Any, b: Any) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and (a == b or (_is_nan(a) and _is_nan(b))))


def rows_of(table: pa.Table) -> list[Row]:
    return table.to_pylist()


def assert_same(got: list[Outcome], want: list[Outcome], label: str, rows: list[Row]) -> None:
    bad = [i for i, (g, w) in enumerate(zip(got, want)) if g is not w]
    assert len(got) == len(want)
    assert not bad, (f"{label}: {len(bad)} rows differ, first {bad[:5]}: got {[got[i] for i in bad[:5]]}, "
                     f"expected {[want[i] for i in bad[:5]]}, rows {[rows[i] for i in bad[:3]]}")


def check_against_reference(result: Any, out: pa.Table, input_columns: list[str]) -> None:
    rows = rows_of(out.select(input_columns))
    want = expected_columns(rows)
    assert out.column_names == input_columns + list(want)
    for label, values in want.items():
        assert out.schema.field(label).type == pa.bool_()
        assert_same(out.column(label).to_pylist(), values, label, rows)
    # the metrics the suite computed say the same as the row outcomes
    for cr in result.check_results:
        spec = BY_LABEL.get(cr.check.description)
        if spec is None or spec.metric is None:
            continue
        (r,) = cr.constraint_results
        in_scope = [True if spec.where is None else spec.where(row) is True for row in rows]
        if spec.metric == "unique":
            in_scope = [s and not all(row[c] is None for c in spec.keys) for s, row in zip(in_scope, rows)]
        outcomes = [v for v, s in zip(want[spec.label], in_scope) if s]
        if not outcomes:
            assert not r.metric.is_success
            continue
        assert r.metric.value == pytest.approx(sum(v is True for v in outcomes) / len(outcomes), abs=1e-12), spec.label


def verify(data: Any, checks: list[Check] | None = None, **kw: Any):
    suite = VerificationSuite().on_data(data, **kw)
    for c in checks if checks is not None else all_checks():
        suite = suite.add_check(c)
    return suite.run()


# -- every constraint kind against the reference, on every input kind --------------------------

@pytest.mark.parametrize("seed", range(5))
def test_arrow_table_matches_reference(seed: int, backend: str, backend_data: Callable[[pa.Table], Any]) -> None:
    if backend == "spark":
        from pyspark import cloudpickle

        # Spark's Python workers cannot import this module: ship its assertions by value
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    table = make_table(seed)
    data = backend_data(table)
    result = verify(data)
    out = result.row_level_results()
    if backend == "spark":
        # a lazy Spark DataFrame, in Spark's order (a uniqueness window shuffles): the input rows,
        # as a multiset, each with its checks (tests/checks/test_rowlevel_spark.py has the rest)
        out = out.toArrow()
        assert sorted(map(repr, rows_of(out.select(table.column_names)))) == sorted(map(repr, rows_of(table)))
    else:
        assert_table_equal(out.select(table.column_names), table)  # the input, untouched and in order
    check_against_reference(result, out, table.column_names)


def test_row_level_results_function_and_method_agree() -> None:
    table = make_table(11)
    result = verify(table)
    assert_table_equal(row_level_results(result, table), result.row_level_results())
    assert_table_equal(row_level_results(result, table, connection=duckdb.connect()), result.row_level_results())


def test_pandas_input() -> None:
    table = make_table(5)
    frame = table.to_pandas()
    result = verify(frame)
    out = result.row_level_results()
    # pandas has no NULL in float columns: DuckDB reads NaN as NULL; the reference reads what dq read
    assert out.num_rows == table.num_rows
    assert out.column("id").to_pylist() == table.column("id").to_pylist()  # in order (as floats: pandas)
    check_against_reference(result, out, table.column_names)


def test_polars_input() -> None:
    pl = pytest.importorskip("polars")
    table = make_table(6)
    frame = pl.from_arrow(table)
    result = verify(frame)
    out = row_level_results(result, frame)
    check_against_reference(result, out, table.column_names)


def write_parts(table: pa.Table, folder: str, parts: int) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    paths = []
    step = -(-table.num_rows // parts)
    for i in range(parts):
        p = os.path.join(folder, f"part-{i:02d}.parquet")
        pq.write_table(table.slice(i * step, step), p, row_group_size=17)
        paths.append(p)
    return paths


@pytest.mark.parametrize("kind", ["file", "files", "glob", "folder"])
def test_parquet_inputs(tmp_path: Any, kind: str) -> None:
    table = make_table(7)
    if kind == "file":
        data: Any = str(tmp_path / "one.parquet")
        pq.write_table(table, data, row_group_size=50)
    else:
        paths = write_parts(table, str(tmp_path / "parts"), 4)
        data = {"files": paths, "glob": str(tmp_path / "parts" / "*.parquet"), "folder": str(tmp_path / "parts")}[kind]
    result = verify(data)
    out = result.row_level_results()
    assert_table_equal(out.select(table.column_names), table)
    check_against_reference(result, out, table.column_names)


def test_hive_partitioned_folder(tmp_path: Any) -> None:
    table = make_table(8)
    part = pa.array([i % 3 for i in range(table.num_rows)], pa.int64())
    folder = tmp_path / "hive"
    pieces = []
    for p in range(3):
        rows = table.filter(pa.compute.equal(part, p))
        os.makedirs(folder / f"part={p}")
        pq.write_table(rows, str(folder / f"part={p}" / "data.parquet"), row_group_size=20)
        pieces.append(rows.append_column("part", pa.array([p] * rows.num_rows, pa.int64())))
    expected = pa.concat_tables(pieces)  # DuckDB reads the folders in order, the key as a last column
    result = verify(str(folder))
    out = result.row_level_results()
    assert_table_equal(out.select(expected.column_names), expected)
    check_against_reference(result, out, expected.column_names)


def test_uniqueness_across_files_deequ_753(tmp_path: Any) -> None:
    """Deequ marks every row unique when the data has several partitions (#753): dq counts each
    key over the whole input, whichever file a row comes from."""
    a = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "v": ["a", "b", "c"]})
    b = pa.table({"id": pa.array([3, 4, 1], pa.int64()), "v": ["d", "e", "a"]})
    os.makedirs(tmp_path / "p")
    pq.write_table(a, str(tmp_path / "p" / "a.parquet"))
    pq.write_table(b, str(tmp_path / "p" / "b.parquet"))
    for data in (str(tmp_path / "p" / "*.parquet"), str(tmp_path / "p")):
        check = Check(CheckLevel.ERROR, "pk").is_primary_key("id")
        check2 = Check(CheckLevel.ERROR, "pk2").is_primary_key("id", "v")
        result = verify(data, [check, check2])
        out = result.row_level_results()
        assert out.column("id").to_pylist() == [1, 2, 3, 3, 4, 1]
        assert out.column("pk").to_pylist() == [False, True, False, False, True, False]
        assert out.column("pk2").to_pylist() == [False, True, True, True, True, False]


def test_input_order_kept_with_threads(tmp_path: Any) -> None:
    """Input order survives windows, several files, many row groups, chunked tables and threads."""
    n = 60_000
    ids = pa.array(range(n), pa.int64())
    table = pa.table({"id": ids, "k": pa.array([i % 1000 for i in range(n)], pa.int64()),
                      "x": pa.array([float(i % 97) for i in range(n)])})
    chunked = pa.concat_tables([table.slice(i, 7_000) for i in range(0, n, 7_000)])
    paths = write_parts(table, str(tmp_path / "order"), 5)
    con = duckdb.connect()
    con.execute("SET threads = 4")
    con.execute("SET preserve_insertion_order = false")
    check = (Check(CheckLevel.ERROR, "c").is_unique("k").has_max("x", lambda v: v < 90)
             .has_min("id", at_least(5)))
    for data in (chunked, paths):
        result = verify(data, [check], connection=con)
        out = result.row_level_results()
        assert out.column("id").to_pylist() == list(range(n))
        assert out.column("c").to_pylist() == [False] * n  # k repeats every 1000 rows
        check2 = Check(CheckLevel.ERROR, "d").has_max("x", lambda v: v < 90).has_min("id", at_least(5))
        out = verify(data, [check2], connection=con).row_level_results()
        assert out.column("d").to_pylist() == [i >= 5 and (i % 97) < 90 for i in range(n)]


def test_arrow_types_of_the_input_are_kept() -> None:
    table = pa.table({
        "s": pa.array(["a", None, "bb"], pa.large_string()),
        "d": pa.array(["x", "y", "x"]).dictionary_encode(),
        "ts": pa.array([1, 2, None], pa.timestamp("ns")),
        "dec": pa.array([1, 2, 3], pa.decimal128(10, 2)),
    })
    result = verify(table, [Check(CheckLevel.ERROR, "c").is_complete("s").has_min("dec", at_least(2))])
    out = result.row_level_results()
    assert out.schema.remove(out.schema.get_field_index("c")) == table.schema
    assert out.column("c").to_pylist() == [False, False, True]


# -- Deequ's semantics, one by one ---------------------------------------------------------------

SMALL = pa.table({
    "id": pa.array([1, 2, 2, None, 5], pa.int64()),
    "x": pa.array([1.0, -2.0, math.nan, None, 3.0]),
    "s": pa.array(["a", "bb", None, "", "日本"]),
    "k": pa.array([1, 2, 3, 4, 5], pa.int64()),
})


def small_results(*checks: Check, data: Any = SMALL) -> pa.Table:
    return verify(data, list(checks)).row_level_results()


def col(out: pa.Table, name: str) -> list[Outcome]:
    return out.column(name).to_pylist()


# the checks of the tests below, on SMALL unless said (tests/checks/test_rowlevel_spark.py runs
# them on Spark and compares with DuckDB)
FAILED_METRIC_CHECKS = [
    Check(CheckLevel.ERROR, "missing column").is_complete("nope"),
    Check(CheckLevel.ERROR, "wrong type").has_min_length("x", at_least(1)),
    Check(CheckLevel.ERROR, "not a boolean").satisfies("x + 1", "x plus one"),
    Check(CheckLevel.ERROR, "bad pattern").has_pattern("s", "(unclosed"),
    Check(CheckLevel.ERROR, "missing in uniqueness").is_unique("nope"),
    Check(CheckLevel.ERROR, "fine").is_complete("k"),
]
ALL_NULL = pa.table({"n": pa.array([None, None], pa.float64())})
ALL_NULL_CHECKS = [Check(CheckLevel.ERROR, "all NULL").has_min("n", at_least(0))]
EMPTY_STATE_CHECKS = [
    Check(CheckLevel.ERROR, "none").has_min("x", at_least(0)).where("k > 100"),
    Check(CheckLevel.ERROR, "none null").is_complete("s", options=NULL_ROWS).where("k > 100"),
]
AGGREGATE_ONLY_CHECKS = [
    Check(CheckLevel.ERROR, "aggregates").has_size(equals(100)).has_mean("x", at_least(100))
    .has_distinctness(["id"], at_least(1)).has_number_of_distinct_values("s", at_most(1)),
    Check(CheckLevel.ERROR, "empty"),
]
FILTERED_ROW_CHECKS = [
    Check(CheckLevel.ERROR, "true").is_complete("s").where("k <= 2"),
    Check(CheckLevel.ERROR, "null").is_complete("s", options=NULL_ROWS).where("k <= 2"),
    Check(CheckLevel.ERROR, "null and false").is_complete("s", options=NULL_ROWS).where("k <= 2")
    .is_non_negative("x").where("k >= 2"),
    Check(CheckLevel.ERROR, "null where").is_complete("s").where("id > 1"),
]
NULL_BEHAVIOR_CHECKS = [
    Check(CheckLevel.ERROR, "ignore").has_min("x", at_least(-10)),
    Check(CheckLevel.ERROR, "fail").has_min("x", at_least(-10), options={"null_behavior": "Fail"}),
    Check(CheckLevel.ERROR, "empty").has_max("x", at_least(-10), options={"null_behavior": "EmptyString"}),
    Check(CheckLevel.ERROR, "len ignore").has_min_length("s", at_least(1)),
    Check(CheckLevel.ERROR, "len empty").has_min_length("s", at_least(1), options={"null_behavior": "EmptyString"}),
    Check(CheckLevel.ERROR, "len fail").has_max_length("s", at_most(5), options={"null_behavior": "Fail"}),
]
UNIQUENESS = pa.table({"a": pa.array([1, 1, None, None, 2, None], pa.int64()),
                       "b": pa.array(["x", "y", None, None, "z", "w"]),
                       "f": pa.array([0.0, -0.0, math.nan, math.nan, None, 1.0])})
UNIQUENESS_CHECKS = [
    Check(CheckLevel.ERROR, "ua").is_unique("a"),
    Check(CheckLevel.ERROR, "uab").are_unique(["a", "b"]),
    Check(CheckLevel.ERROR, "uf").is_unique("f"),
    Check(CheckLevel.ERROR, "shared").is_unique("a").has_uniqueness(["a"], at_least(0))
    .has_unique_value_ratio(["a"], at_least(0)).has_duplicate_row_count(["a"], at_least(0)),
]
NAME_CHECKS = [
    Check(CheckLevel.ERROR, "same").is_complete("x"),
    Check(CheckLevel.ERROR, "same").is_complete("s"),
    Check(CheckLevel.ERROR, "same (2)").is_complete("id"),
    Check(CheckLevel.ERROR, "id").is_complete("k"),
    Check(CheckLevel.WARNING, "X").is_complete("k"),
    Check(CheckLevel.ERROR, "with \"quotes\" and 'ticks'; --").is_complete("k"),
    Check(CheckLevel.ERROR, ""),
]


def test_failed_metric_is_false_for_every_row() -> None:
    out = small_results(*FAILED_METRIC_CHECKS)
    for name in ("missing column", "wrong type", "not a boolean", "bad pattern", "missing in uniqueness"):
        assert col(out, name) == [False] * 5, name
    assert col(out, "fine") == [True] * 5
    # an empty state without a filter fails the metric (every value NULL): FALSE, although each
    # NULL value alone would be ignored
    result = verify(ALL_NULL, ALL_NULL_CHECKS)
    assert not result.is_success
    assert col(result.row_level_results(), "all NULL") == [False, False]


def test_empty_state_under_where_is_evaluated() -> None:
    """No row passes the filter: the constraint succeeds (no row violates it), so its rows are the
    filtered-row outcome, not FALSE."""
    result = verify(SMALL, EMPTY_STATE_CHECKS)
    assert all(r.is_success for _, r in result.constraint_results())
    out = result.row_level_results()
    assert col(out, "none") == [True] * 5
    assert col(out, "none null") == [None] * 5


def test_aggregate_only_checks_are_true() -> None:
    out = small_results(*AGGREGATE_ONLY_CHECKS)
    assert col(out, "aggregates") == [True] * 5
    assert col(out, "empty") == [True] * 5


def test_filtered_rows_and_three_valued_and() -> None:
    out = small_results(*FILTERED_ROW_CHECKS)
    assert col(out, "true") == [True, True, True, True, True]
    assert col(out, "null") == [True, True, None, None, None]
    # row 2: NULL (filtered) AND FALSE (-2 < 0) = FALSE; rows 3-5: NULL AND TRUE = NULL (NaN >= 0 in SQL)
    assert col(out, "null and false") == [True, False, None, None, None]
    # a filter that is NULL (id NULL) excludes the row, as the metric does
    assert col(out, "null where") == [True, True, False, True, True]


def test_null_behaviors() -> None:
    out = small_results(*NULL_BEHAVIOR_CHECKS)
    assert col(out, "ignore") == [True, True, False, True, True]  # NaN satisfies nothing
    assert col(out, "fail") == [True, True, False, False, True]
    assert col(out, "empty") == [True, True, False, True, True]
    assert col(out, "len ignore") == [True, True, True, False, True]
    assert col(out, "len empty") == [True, True, False, False, True]
    assert col(out, "len fail") == [True, True, False, True, True]


def test_uniqueness_semantics() -> None:
    t = UNIQUENESS
    out = small_results(*UNIQUENESS_CHECKS, data=t)
    assert col(out, "ua") == [False, False, True, True, True, True]  # NULL keys are ignored: they pass
    assert col(out, "uab") == [True, True, True, True, True, True]  # (NULL, 'w') is a key of its own
    assert col(out, "uf") == [False, False, False, False, True, True]  # -0.0 = 0.0, NaN = NaN
    assert col(out, "shared") == col(out, "ua")
    plan = plan_row_level(verify(t, [Check(CheckLevel.ERROR, "shared").is_unique("a")
                                     .has_uniqueness(["a"], at_least(0)).has_duplicate_row_count(["a"], at_least(0))
                                     .are_unique(["a", "b"]).is_primary_key("b", "a")]), t)
    assert plan.num_windows == 2  # one partition per distinct key set, however many constraints use it


def test_python_assertions_are_vectorised_and_safe() -> None:
    calls: list[float] = []

    def spy(v: float) -> bool:
        calls.append(v)
        if v > 1e9:
            raise OverflowError("too big")
        return v % 2 == 0

    n = 20_000
    t = pa.table({"v": pa.array([float(i % 4) for i in range(n - 2)] + [None, 2e9])})
    out = small_results(Check(CheckLevel.ERROR, "even").has_max("v", spy), data=t)
    assert col(out, "even") == [i % 2 == 0 for i in range(n - 2)] + [True, False]
    assert len(calls) < n / 100  # one call per distinct value of a batch, not one per row


def test_relation_inputs_with_python_assertions() -> None:
    t = pa.table({"v": pa.array([1.0, 2.0, None])})
    check = Check(CheckLevel.ERROR, "c").has_max("v", lambda v: v < 2)
    rel = duckdb.from_arrow(t)  # on DuckDB's default connection
    assert col(verify(rel, [check]).row_level_results(), "c") == [True, False, True]
    con = duckdb.connect()
    rel = con.from_arrow(t)
    assert col(verify(rel, [check], connection=con).row_level_results(), "c") == [True, False, True]
    with pytest.raises(UnsupportedDataError, match="connection="):
        verify(rel, [check]).row_level_results()
    # the functions are registered only while the query runs
    assert con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name LIKE '__dq_rl%'").fetchone() \
        == (0,)


def test_other_data_is_evaluated_on_its_own(tmp_path: Any) -> None:
    result = verify(SMALL, [Check(CheckLevel.ERROR, "u").is_unique("id").is_complete("s")])
    other = pa.table({"id": pa.array([7, 7, 8], pa.int64())})
    assert col(result.row_level_results(other), "u") == [False, False, False]  # column s is missing there
    other = pa.table({"id": pa.array([7, 7, 8], pa.int64()), "s": ["a", "b", "c"]})
    assert col(result.row_level_results(other), "u") == [False, False, True]
    # a predicate the engine cannot evaluate on the other data fails only its own constraint
    result = verify(SMALL, [Check(CheckLevel.ERROR, "p").satisfies("s < 'b'", "s before b"),
                            Check(CheckLevel.ERROR, "q").satisfies("k < 3", "k small")])
    other = pa.table({"s": pa.array([1, 2], pa.int64()), "k": pa.array([1, 5], pa.int64())})
    out = result.row_level_results(other)
    assert (col(out, "p"), col(out, "q")) == ([False, False], [True, False])
    # ... also when only reading the rows shows it (a cast of a value), and in quarantine
    digits = pa.table({"s": ["1", "2"], "k": pa.array([1, 5], pa.int64())})
    result = verify(digits, [Check(CheckLevel.ERROR, "p").satisfies("CAST(s AS INTEGER) > 1", "s above 1"),
                             Check(CheckLevel.ERROR, "q").satisfies("k < 3", "k small")])
    assert (col(result.row_level_results(), "p"), col(result.row_level_results(), "q")) == ([False, True],
                                                                                           [True, False])
    letters = pa.table({"s": ["7", "x"], "k": pa.array([1, 1], pa.int64())})
    out = result.row_level_results(letters)
    assert (col(out, "p"), col(out, "q")) == ([False, False], [True, True])
    assert result.split_rows(str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet"), letters) == (0, 2)
    assert sorted(os.listdir(tmp_path)) == ["f.parquet", "p.parquet"]


# -- names ------------------------------------------------------------------------------------------

def test_column_names() -> None:
    out = small_results(*NAME_CHECKS)
    assert out.column_names == ["id", "x", "s", "k", "same", "same (2)", "same (2) (2)", "id (2)", "X (2)",
                                "with \"quotes\" and 'ticks'; --", ""]
    assert col(out, "same") == [True, True, True, False, True]
    assert col(out, "same (2)") == [True, True, False, True, True]
    assert col(out, "id (2)") == [True] * 5


# -- scale: hundreds of checks in one query (Deequ #576) -----------------------------------------

def scale_table(n: int = 10_000) -> pa.Table:
    rng = random.Random(3)
    cols: dict[str, pa.Array] = {}
    for j in range(20):
        cols[f"c{j}"] = pa.array([None if rng.random() < 0.01 else rng.random() for _ in range(n)])
    for j in range(5):
        cols[f"k{j}"] = pa.array([rng.randrange(n * (j + 1)) for _ in range(n)], pa.int64())
    return pa.table(cols)


def scale_checks(n_checks: int) -> list[Check]:
    return [Check(CheckLevel.ERROR if i % 2 else CheckLevel.WARNING, f"check {i}")
            .is_complete(f"c{i % 20}").has_min(f"c{(i + 1) % 20}", at_least(i / 1000)).is_unique(f"k{i % 5}")
            for i in range(n_checks)]


@pytest.mark.slow
def test_hundreds_of_checks_in_one_query(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    table = scale_table()
    checks = scale_checks(300)
    result = verify(table, checks)
    statements: list[str] = []
    real = DuckDBBackend._run

    def counting(self: DuckDBBackend, sql: str) -> Any:
        statements.append(sql)
        return real(self, sql)

    monkeypatch.setattr(DuckDBBackend, "_run", counting)
    out = result.row_level_results()
    assert len(statements) == 1
    (sql,) = statements
    # identical expressions are computed once: 20 completeness, 300 minimums, 5 uniqueness windows
    assert sql.count('("c0" IS NOT NULL)') == 1
    assert sql.count("count(*) OVER") == 5
    plan = plan_row_level(result, table)
    assert plan.num_expressions == 20 + 300 + 5
    assert out.num_columns == 25 + 300
    rows = table.to_pydict()
    for i in (0, 7, 150, 299):
        a, b = rows[f"c{i % 20}"], rows[f"c{(i + 1) % 20}"]
        keys = Counter(rows[f"k{i % 5}"])
        want = [x is not None and (y is None or y >= i / 1000) and keys[k] == 1
                for x, y, k in zip(a, b, rows[f"k{i % 5}"])]
        assert col(out, f"check {i}") == want
    # quarantine: two COPY statements, whatever the number of checks
    statements.clear()
    n_pass, n_fail = result.split_rows(str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet"), level="warning")
    assert len(statements) == 2
    every = [all(r[f"check {i}"] for i in range(300)) for r in out.select(out.column_names[25:]).to_pylist()]
    assert (n_pass, n_fail) == (sum(every), len(every) - sum(every))


@pytest.mark.slow
def test_sql_grows_linearly() -> None:
    table = scale_table(200)
    sizes = {}
    for n in (100, 200, 400):
        result = verify(table, scale_checks(n))
        plan = plan_row_level(result, table)
        sizes[n] = len(plan.select_sql()) + sum(len(s) for s in plan.copy_sql(CheckLevel.WARNING, "/a", "/b"))
    assert 1.6 < sizes[200] / sizes[100] < 2.4
    assert 1.6 < sizes[400] / sizes[200] < 2.4


# -- one-shot inputs ----------------------------------------------------------------------------

def test_record_batch_reader_is_refused(tmp_path: Any) -> None:
    reader = pa.RecordBatchReader.from_batches(SMALL.schema, SMALL.to_batches())
    result = verify(reader, [Check(CheckLevel.ERROR, "c").is_complete("x")])
    assert result.check_results  # the run itself reads the stream once
    with pytest.raises(UnsupportedDataError, match="re-readable"):
        result.row_level_results()
    with pytest.raises(UnsupportedDataError, match="re-readable"):
        result.split_rows(str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet"))
    assert not os.listdir(tmp_path)
    # the same result on a re-readable copy of the data works
    assert col(result.row_level_results(SMALL), "c") == [True, True, True, False, True]


# -- quarantine -----------------------------------------------------------------------------------

QUARANTINE = [  # milder checks, so that both files get rows
    (CheckLevel.ERROR, ["complete x", "x or s complete"]),
    (CheckLevel.ERROR, ["complete s where x>0 (NULL)"]),  # NULL outcomes pass
    (CheckLevel.ERROR, ["min length s >= 1", "primary key s, t, x"]),
    (CheckLevel.WARNING, ["max x != 1.5", "min length t where"]),
    (CheckLevel.WARNING, ["satisfies where (NULL)", "completeness s where k>=2"]),
    (CheckLevel.ERROR, []),
]


def quarantine_checks() -> list[Check]:
    checks = []
    for i, (level, labels) in enumerate(QUARANTINE):
        c = Check(level, f"q{i}")
        for label in labels:
            c = BY_LABEL[label].add(c)
        checks.append(c)
    return checks


@pytest.mark.parametrize("level", ["error", CheckLevel.WARNING])
@pytest.mark.parametrize("source", ["table", "parquet"])
def test_split_rows(tmp_path: Any, level: Any, source: str) -> None:
    table = make_table(21)
    table = table.append_column("row", pa.array(range(table.num_rows), pa.int64()))
    data: Any = table
    if source == "parquet":
        data = write_parts(table, str(tmp_path / "in"), 3)
    checks = quarantine_checks()
    result = verify(data, checks)
    levels = {CheckLevel.ERROR} if level == "error" else {CheckLevel.ERROR, CheckLevel.WARNING}
    out = result.row_level_results()
    names = out.column_names[table.num_columns:]
    considered = [n for n, c in zip(names, checks) if c.level in levels]
    failed_by_row = {r["row"]: [n for n in considered if r[n] is False] for r in out.to_pylist()}

    passing, failing = str(tmp_path / "pass.parquet"), str(tmp_path / "fail.parquet")
    pq.write_table(pa.table({"old": [1]}), passing)  # replaced, not appended to
    n_pass, n_fail = result.split_rows(passing, failing, level=level)
    assert n_pass + n_fail == table.num_rows
    good, bad = pq.read_table(passing), pq.read_table(failing)
    assert (good.num_rows, bad.num_rows) == (n_pass, n_fail)
    assert good.column_names == table.column_names
    assert bad.column_names == table.column_names + [FAILED_CHECKS_COLUMN]
    assert bad.schema.field(FAILED_CHECKS_COLUMN).type == pa.list_(pa.string())
    assert sorted(good.column("row").to_pylist()) == sorted(r for r, f in failed_by_row.items() if not f)
    for r in bad.to_pylist():
        assert r[FAILED_CHECKS_COLUMN] == failed_by_row[r["row"]]
        assert r[FAILED_CHECKS_COLUMN]
    # rows carry their values unchanged
    by_row = {r["row"]: r for r in table.to_pylist()}
    for r in good.to_pylist():
        assert all(_same_value(r[c], by_row[r["row"]][c]) for c in table.column_names)
    assert sorted(os.listdir(tmp_path)) == sorted(["fail.parquet", "pass.parquet"] + (["in"] if source != "table"
                                                                                         else []))
    assert 0 < n_pass < table.num_rows


def test_split_rows_counts_add_up_and_passing_rows_pass(tmp_path: Any) -> None:
    table = make_table(22)
    checks = [Check(CheckLevel.ERROR, "e").is_complete("x").is_unique("k"),
              Check(CheckLevel.ERROR, "filtered").is_complete("s", options=NULL_ROWS).where("k >= 2"),
              Check(CheckLevel.WARNING, "w").has_min("x", at_least(0))]
    result = verify(table, checks)
    passing, failing = str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet")
    n_pass, n_fail = result.split_rows(passing, failing)
    assert n_pass + n_fail == table.num_rows
    # a NULL outcome (filtered row, not evaluated) passes; the warning check does not count
    good = row_level_results(result, pq.read_table(passing))
    assert all(v is not False for v in col(good, "filtered"))
    expected = row_level_results(result, table)
    assert n_fail == sum(e is False or f is False for e, f in zip(col(expected, "e"), col(expected, "filtered")))


def test_split_rows_without_considered_checks(tmp_path: Any) -> None:
    result = verify(SMALL, [Check(CheckLevel.WARNING, "w").is_complete("x")])
    passing, failing = str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet")
    assert result.split_rows(passing, failing) == (5, 0)
    bad = pq.read_table(failing)
    assert bad.num_rows == 0 and bad.schema.field(FAILED_CHECKS_COLUMN).type == pa.list_(pa.string())
    assert result.split_rows(passing, failing, level="warning") == (4, 1)
    assert pq.read_table(failing).column(FAILED_CHECKS_COLUMN).to_pylist() == [["w"]]


def test_split_rows_does_not_clobber_an_input_column(tmp_path: Any) -> None:
    t = SMALL.append_column(FAILED_CHECKS_COLUMN, pa.array(["u", "v", "w", "x", "y"]))
    result = verify(t, [Check(CheckLevel.ERROR, "c").is_complete("x")])
    passing, failing = str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet")
    assert result.split_rows(passing, failing) == (4, 1)
    bad = pq.read_table(failing)
    assert bad.column_names == t.column_names + [FAILED_CHECKS_COLUMN + " (2)"]
    assert bad.column(FAILED_CHECKS_COLUMN).to_pylist() == ["x"]


def test_split_rows_streams_with_copy(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = write_parts(make_table(23), str(tmp_path / "in"), 2)
    result = verify(paths, [Check(CheckLevel.ERROR, "c").is_complete("x").has_max("x", lambda v: v < 2)])
    statements: list[str] = []
    real = DuckDBBackend._run
    monkeypatch.setattr(DuckDBBackend, "_run", lambda self, sql: statements.append(sql) or real(self, sql))
    result.split_rows(str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet"))
    assert len(statements) == 2 and all(s.startswith("COPY (") and "(FORMAT parquet)" in s for s in statements)


def test_split_rows_is_atomic(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing leaves the targets as they were and no temporary file behind."""
    result = verify(SMALL, [Check(CheckLevel.ERROR, "c").is_complete("x")])
    passing, failing = str(tmp_path / "p.parquet"), str(tmp_path / "f.parquet")
    pq.write_table(pa.table({"old": [1]}), passing)
    real = DuckDBBackend._run
    seen: list[str] = []

    def second_fails(self: DuckDBBackend, sql: str) -> Any:
        seen.append(sql)
        if len(seen) == 2:
            raise duckdb.IOException("disk full")
        return real(self, sql)

    monkeypatch.setattr(DuckDBBackend, "_run", second_fails)
    with pytest.raises(duckdb.IOException):
        result.split_rows(passing, failing)
    assert sorted(os.listdir(tmp_path)) == ["p.parquet"]
    assert pq.read_table(passing).column_names == ["old"]


def test_split_rows_options(tmp_path: Any) -> None:
    result = verify(SMALL, [Check(CheckLevel.ERROR, "c").is_complete("x")])
    p = str(tmp_path / "p.parquet")
    with pytest.raises(InvalidOptionError, match="level"):
        result.split_rows(p, str(tmp_path / "f.parquet"), level="fatal")
    with pytest.raises(InvalidOptionError, match="different file"):
        result.split_rows(p, p)
    with pytest.raises(InvalidOptionError, match="existing folder"):
        result.split_rows(str(tmp_path / "no" / "p.parquet"), str(tmp_path / "f.parquet"))
    with pytest.raises(UnsupportedDataError, match="data="):
        split_rows(result, None, p, str(tmp_path / "f.parquet"))
    assert os.listdir(tmp_path) == []


def test_end_to_end_on_parquet(tmp_path: Any) -> None:
    """The whole flow on files: verify, row-level results from the data the suite remembers,
    quarantine; passing rows are TRUE for every Error check, failing rows FALSE for one."""
    table = make_table(31)
    table = table.append_column("row", pa.array(range(table.num_rows), pa.int64()))
    data = write_parts(table, str(tmp_path / "in"), 4)
    checks = [Check(CheckLevel.ERROR, "keys").is_primary_key("id").is_complete("id"),
              Check(CheckLevel.ERROR, "values").has_min("x", at_least(-2)).has_max_length("s", at_most(4)),
              Check(CheckLevel.WARNING, "soft").contains_email("s", at_least(0.5))]
    result = verify(data, checks)
    out = result.row_level_results()
    assert col(out, "row") == list(range(table.num_rows))
    passing, failing = str(tmp_path / "pass.parquet"), str(tmp_path / "fail.parquet")
    n_pass, n_fail = result.split_rows(passing, failing)
    assert n_pass + n_fail == table.num_rows
    good = row_level_results(result, pq.read_table(passing))
    assert col(good, "values") == [True] * n_pass
    # uniqueness is a property of the whole input: look the passing rows up in the full result
    full = {r["row"]: r for r in out.to_pylist()}
    assert all(full[r]["keys"] is True and full[r]["values"] is True for r in col(good, "row"))
    bad = pq.read_table(failing).to_pylist()
    assert all(full[r["row"]]["keys"] is False or full[r["row"]]["values"] is False for r in bad)
    assert {r["row"] for r in bad} | set(col(good, "row")) == set(range(table.num_rows))
