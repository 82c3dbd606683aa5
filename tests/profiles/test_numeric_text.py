"""Numbers as text: string columns whose values all parse as numbers get the numeric statistics.

From the exact value counts when the column has a histogram (no extra pass), from one more pass
over the cast values when asked (``with_numeric_text_statistics``). Checked against numbers parsed
here with ``decimal.Decimal`` and summed with numpy, on DuckDB and Spark; the query counts, the
JSON round trip and the merge of partition profiles."""

from __future__ import annotations

import decimal
import json
import math
import re

import numpy as np
import pyarrow as pa
import pytest

from dq.cli import main
from dq.errors import InvalidOptionError
from dq.profiles import PERCENTILES, ColumnProfiler, ColumnProfiles
from dq.profiles.profile import numeric_text_states, parse_numeric_text
from dq.profiles.profiler import profile

# Deequ's DataType expressions; re.ASCII: \d is [0-9] in RE2 and Java, not any Unicode digit
FRACTIONAL = re.compile(r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))\Z", re.ASCII)
INTEGRAL = re.compile(r"^(-|\+)? ?\d+\Z", re.ASCII)
NUMERIC_FIELDS = ("minimum", "maximum", "mean", "std_dev", "sum", "approx_percentiles")


def reference_number(text: str | None) -> float | None:
    if text is None or not (FRACTIONAL.match(text) or INTEGRAL.match(text)):
        return None
    return float(decimal.Decimal(text.replace(" ", "")))


def spellings(rng: np.random.Generator, numbers: np.ndarray) -> list[str]:
    """Each number as one of the texts Deequ's expressions accept (sign, one space, exponent)."""
    out = []
    for x, style in zip(numbers, rng.integers(0, 6, len(numbers))):
        if style == 0:
            out.append(f"{x:g}" if x != int(x) else str(int(x)))
        elif style == 1:
            out.append(("+ " if x >= 0 else "- ") + (f"{abs(x):.2f}"))
        elif style == 2:
            out.append(f" {abs(x):.1f}")  # a leading space: the optional space without a sign
        elif style == 3:
            out.append(f"{x:.3e}")
        elif style == 4:
            out.append(f"{x:.3E}".replace("E+0", "E"))
        else:
            out.append(("+" if x >= 0 else "") + f"{x:.4f}")
    return out


def numeric_text_table(n: int = 1200, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    null = rng.random(n) < 0.08
    lo_int = np.array(["12", " 12", "+3", "007", "-4", "+ 5", "0", "-0", "123456789012"], dtype=object)
    lo_frac = np.array(["1e3", "-3.5", "+ 2.25", "1E-2", "0.5", "42", "-7e-1", "3.0"], dtype=object)
    hi = spellings(rng, np.round(rng.normal(50, 30, n), 3))
    return pa.table({
        "lo_int": pa.array(lo_int[rng.integers(0, len(lo_int), n)], pa.string(), mask=null),
        "lo_frac": pa.array(lo_frac[rng.integers(0, len(lo_frac), n)], pa.string(), mask=rng.random(n) < 0.2),
        "hi_frac": pa.array(hi, pa.string(), mask=rng.random(n) < 0.05),
        "hi_int": pa.array([str(x) for x in rng.integers(-10**6, 10**6, n)], pa.string()),
        # not numbers: an empty string, unicode digits (not \d for RE2/Java), booleans, a trailing space
        "words": pa.array(np.array(["", "12", "é", "日本", "3.5"], dtype=object)[rng.integers(0, 5, n)], pa.string()),
        "arabic": pa.array(np.array(["١٢", "12"], dtype=object)[rng.integers(0, 2, n)], pa.string()),
        "flags": pa.array(np.array(["true", "false"], dtype=object)[rng.integers(0, 2, n)], pa.string()),
        "trailing": pa.array(np.array(["12 ", "13"], dtype=object)[rng.integers(0, 2, n)], pa.string()),
        "nothing": pa.array([None] * n, pa.string()),
        "num": pa.array(rng.integers(0, 5, n), pa.int64()),
    })


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return numeric_text_table()


def assert_quantiles(values: np.ndarray, got, eps: float = 0.02) -> None:
    """Each reported percentile is a q-quantile of ``values`` up to a rank error ``eps``."""
    assert got is not None and len(got) == len(PERCENTILES)
    for q, v in zip(PERCENTILES, got):
        below = np.searchsorted(values, v, side="left") / len(values)
        upto = np.searchsorted(values, v, side="right") / len(values)
        assert below <= q + eps and upto >= q - eps, (q, v, below, upto)


def assert_numeric_stats(p, texts: list, rel: float) -> None:
    values = np.array([x for x in map(reference_number, texts) if x is not None], dtype=np.float64)
    assert len(values) == sum(t is not None for t in texts)  # every non-NULL text is a number here
    assert p.minimum == values.min() and p.maximum == values.max(), p.column
    assert isinstance(p.minimum, float)
    assert p.sum == pytest.approx(values.sum(), rel=rel, abs=1e-9)
    assert p.mean == pytest.approx(values.mean(), rel=rel, abs=1e-9)
    assert p.std_dev == pytest.approx(values.std(ddof=0), rel=max(rel, 1e-9))  # population, as Deequ
    assert_quantiles(np.sort(values), p.approx_percentiles)


def assert_no_numeric_stats(p) -> None:
    assert all(getattr(p, f) is None for f in NUMERIC_FIELDS), p.column


# -- parsing --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "number"), [
    ("12", 12.0), (" 12", 12.0), ("+3", 3.0), ("+ 12", 12.0), ("- 3.5", -3.5), ("-3.5", -3.5), ("007", 7.0),
    ("1e3", 1000.0), ("1E-2", 0.01), ("2.5e+2", 250.0), ("-0", -0.0), ("1e999", math.inf),
    ("99999999999999999999999", 1e23),
    ("", None), ("12 ", None), ("+  1", None), ("1.", None), (".5", None), ("1e", None), ("1_000", None),
    ("١٢", None), ("１２", None), ("12\n", None), ("NaN", None), ("inf", None), ("true", None), (None, None),
])
def test_parse_numeric_text_accepts_what_the_type_inference_accepts(text, number):
    assert parse_numeric_text(text) == number
    assert (reference_number(text) is None) == (number is None)


def test_states_from_value_counts_against_numpy():
    counts = (("1", 5), ("+ 2", 3), (" 3.5", 2), ("1e2", 1), (None, 4))
    states = numeric_text_states(counts, quantiles=True, relative_error=0.01)
    values = np.repeat([1.0, 2.0, 3.5, 100.0], [5, 3, 2, 1])
    assert states["minimum"].value == 1.0 and states["maximum"].value == 100.0
    assert states["sum"].sum == values.sum() and states["sum"].count == 11 == states["mean"].count
    assert states["std_dev"].n == 11 and states["std_dev"].m2 == pytest.approx(((values - values.mean()) ** 2).sum())
    sketch = states["quantiles"].to_sketch()
    assert sketch.n == 11 and sketch.get_min_value() == 1.0 and sketch.get_max_value() == 100.0
    assert "quantiles" not in numeric_text_states(counts, quantiles=False, relative_error=0.01)
    # nothing to read: empty states (no values), still of the numeric columns' types
    empty = numeric_text_states(((None, 3),), quantiles=True, relative_error=0.01)
    assert empty["minimum"].is_empty and empty["std_dev"].is_empty and empty["quantiles"].is_empty
    # infinities: as the engines' casts and sums make them
    inf = numeric_text_states((("1e999", 1), ("-1e999", 1), ("1", 2)), quantiles=True, relative_error=0.01)
    assert inf["maximum"].value == math.inf and inf["minimum"].value == -math.inf
    assert math.isnan(inf["sum"].sum) and math.isnan(inf["std_dev"].m2)


# -- the profile -----------------------------------------------------------------------------------

def test_default_derives_the_statistics_of_low_cardinality_numbers_as_text(backend, backend_data,
                                                                          backend_tolerance, table):
    p = ColumnProfiler.on_data(backend_data(table)).run()
    for col in ("lo_int", "lo_frac"):
        assert p[col].value_counts is not None and p[col].is_numeric_text and not p[col].is_numeric
        assert_numeric_stats(p[col], table[col].to_pylist(), rel=1e-12)
    assert p["lo_int"].data_type == "Integral" and p["lo_frac"].data_type == "Fractional"
    assert p["lo_int"].maximum == 123456789012.0
    # many values: no histogram, so no statistics without the extra pass
    for col in ("hi_frac", "hi_int"):
        assert p[col].is_numeric_text and p[col].value_counts is None
        assert_no_numeric_stats(p[col])
    # text that is not (all) numbers, and no values at all
    assert [p[c].data_type for c in ("words", "arabic", "flags", "trailing", "nothing")] == [
        "String", "String", "Boolean", "String", "Unknown"]
    for col in ("words", "arabic", "flags", "trailing", "nothing"):
        assert_no_numeric_stats(p[col])
    # lengths are still those of the text
    assert p["lo_int"].min_length == 1 and p["lo_int"].max_length == 12
    # the two passes (+ the KLL pass of the number column on DuckDB; Spark sketches in the scan)
    assert p.num_queries == (3 if backend == "duckdb" else 2)


def test_opt_in_pass_covers_the_others(backend, backend_data, backend_tolerance, table):
    data = backend_data(table)
    p = ColumnProfiler.on_data(data).with_numeric_text_statistics().run()
    for col in ("lo_int", "lo_frac"):  # from the histogram, as without the option
        assert_numeric_stats(p[col], table[col].to_pylist(), rel=1e-12)
    for col in ("hi_frac", "hi_int"):  # from the cast values
        assert p[col].value_counts is None
        assert_numeric_stats(p[col], table[col].to_pylist(), rel=backend_tolerance)
    for col in ("words", "arabic", "flags", "trailing", "nothing"):
        assert_no_numeric_stats(p[col])
    # the same numbers through profile(...)
    same = profile(data, numeric_text_statistics=True, quantiles=False)
    assert same["hi_int"].minimum == p["hi_int"].minimum and same["hi_int"].approx_percentiles is None
    assert same["hi_int"].sum == pytest.approx(p["hi_int"].sum, rel=backend_tolerance)


def test_query_counts(backend, backend_data, table):
    data = backend_data(table)
    base = ColumnProfiler.on_data(data).with_quantiles(False).run()
    assert base.num_queries == 2 == len(base.queries)  # one scan, one grouped statement
    opt = ColumnProfiler.on_data(data).with_quantiles(False).with_numeric_text_statistics().run()
    assert opt.num_queries == 3 == len(opt.queries)  # + exactly one scan over the cast columns
    with_q = ColumnProfiler.on_data(data).run()
    opt_q = ColumnProfiler.on_data(data).with_numeric_text_statistics().run()
    # with percentiles each AnalysisRunner run on DuckDB has its KLL pass: 1 + 1 for the numbers,
    # 1 + 1 for the text (Spark computes the sketches in the scan)
    kll = int(backend == "duckdb")
    assert with_q.num_queries == 2 + kll and opt_q.num_queries == 3 + 2 * kll
    # nothing to cast (all numbers-as-text columns have histograms): no extra pass
    low_only = ColumnProfiler.on_data(data).restrict_to_columns(["lo_int", "words"]).with_numeric_text_statistics()
    r = low_only.run()
    assert r.num_queries == 2 and r["lo_int"].approx_percentiles is not None


def test_options_are_checked(table):
    with pytest.raises(InvalidOptionError):
        ColumnProfiler.on_data(table).with_numeric_text_statistics("yes")


def test_json_round_trip(table):
    p = ColumnProfiler.on_data(table).with_numeric_text_statistics().run()
    text = p.to_json()
    doc = {c["column"]: c for c in json.loads(text)["columns"]}
    assert doc["lo_int"]["minimum"] == -4.0 and {"minimum", "std_dev", "quantiles"} <= set(doc["lo_int"]["states"])
    assert "minimum" in doc["hi_frac"] and "minimum" not in doc["words"]
    back = ColumnProfiles.from_json(text)
    assert back == p and back.to_json() == text
    for col in ("lo_int", "lo_frac", "hi_frac"):
        assert [getattr(back[col], f) for f in NUMERIC_FIELDS] == [getattr(p[col], f) for f in NUMERIC_FIELDS]
    # the table shows the numbers (not the lengths) of numbers-as-text
    line = next(x for x in str(p).splitlines() if x.startswith("lo_int"))
    assert "-4" in line and "1.23457e+11" in line


def _close(x, y, rel=1e-9):
    return (x is None and y is None) or x == pytest.approx(y, rel=rel, abs=1e-9)


def assert_merged_like_whole(merged, whole, table, columns):
    for col in columns:
        m, w = merged[col], whole[col]
        assert (m.minimum, m.maximum, m.data_type) == (w.minimum, w.maximum, w.data_type), col
        assert _close(m.sum, w.sum) and _close(m.mean, w.mean) and _close(m.std_dev, w.std_dev), col
        if w.approx_percentiles is not None:
            values = [reference_number(v) for v in table[col].to_pylist() if v is not None]
            assert_quantiles(np.sort(np.array(values)), m.approx_percentiles)


def test_merge_of_partitions_equals_profile_of_union(backend, backend_data, table):
    a, b = table.slice(0, 500), table.slice(500)
    whole = ColumnProfiler.on_data(backend_data(table)).with_numeric_text_statistics().run()
    pa_ = ColumnProfiler.on_data(backend_data(a)).with_numeric_text_statistics().run()
    pb = ColumnProfiler.on_data(backend_data(b)).with_numeric_text_statistics().run()
    merged = pa_.merge(pb)
    assert_merged_like_whole(merged, whole, table, ["lo_int", "lo_frac", "hi_frac", "hi_int"])
    for col in ("words", "arabic", "flags", "nothing"):
        assert_no_numeric_stats(merged[col])
    # through JSON, the same
    again = ColumnProfiles.from_json(pa_.to_json()).merge(ColumnProfiles.from_json(pb.to_json()))
    assert_merged_like_whole(again, whole, table, ["lo_int", "lo_frac", "hi_frac", "hi_int"])
    # without the option the low-cardinality columns merge their derived statistics alike
    d = ColumnProfiler.on_data(backend_data(a)).run().merge(ColumnProfiler.on_data(backend_data(b)).run())
    assert_merged_like_whole(d, ColumnProfiler.on_data(backend_data(table)).run(), table, ["lo_int", "lo_frac"])
    assert_no_numeric_stats(d["hi_frac"])


def _prof(values, threshold=120):
    t = pa.table({"x": pa.array(values, pa.string())})
    return ColumnProfiler.on_data(t).with_low_cardinality_histogram_threshold(threshold).run()


def test_merge_when_the_sides_differ():
    nums = _prof(["1", "2", "+ 3", None])
    # a side with no number at all (only NULLs): the other side's statistics
    only_null = _prof([None, None])
    for m in (nums.merge(only_null), only_null.merge(nums)):
        assert (m["x"].minimum, m["x"].maximum, m["x"].sum) == (1.0, 3.0, 6.0) and m["x"].data_type == "Integral"
    # a text that is no number: the union is String, no numeric statistics
    text = _prof(["1", "abc"])
    assert text["x"].data_type == "String"
    assert_no_numeric_stats(nums.merge(text)["x"])
    # Integral + Fractional -> Fractional, statistics of both
    frac = _prof(["0.5", "1e1"])
    m = nums.merge(frac)["x"]
    assert m.data_type == "Fractional" and (m.minimum, m.maximum, m.sum) == (0.5, 10.0, 16.5)
    # a side with numbers but no statistics (too many values for its histogram): none for the union
    many = _prof([str(i) for i in range(50)], threshold=10)
    assert_no_numeric_stats(many["x"])
    assert_no_numeric_stats(nums.merge(many)["x"])
    # both sides with histograms, the union beyond the threshold: the statistics still merge
    a, b = _prof([str(i) for i in range(8)], threshold=10), _prof([str(i) for i in range(8, 16)], threshold=10)
    m = a.merge(b)["x"]
    assert m.value_counts is None and (m.minimum, m.maximum, m.sum) == (0.0, 15.0, 120.0)


def test_cli_flag(tmp_path, table, capsys):
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(table.select(["lo_int", "hi_int"]), path)
    assert main(["profile", str(path), "--format", "json", "--no-quantiles"]) == 0
    doc = {c["column"]: c for c in json.loads(capsys.readouterr().out)["columns"]}
    assert "minimum" in doc["lo_int"] and "minimum" not in doc["hi_int"]
    assert main(["profile", str(path), "--format", "json", "--numeric-text-statistics"]) == 0
    doc = {c["column"]: c for c in json.loads(capsys.readouterr().out)["columns"]}
    values = [int(v) for v in table["hi_int"].to_pylist()]
    assert doc["hi_int"]["minimum"] == min(values) and doc["hi_int"]["maximum"] == max(values)


def test_odd_column_names(backend, backend_data):
    name = 'odd "name".x`y'
    t = pa.table({name: pa.array([str(i) for i in range(300)] + [None, "+ 7"], pa.string()),
                  "Lo": pa.array(["1", "2"] * 151, pa.string())})
    p = ColumnProfiler.on_data(backend_data(t)).with_numeric_text_statistics().run()
    assert (p[name].minimum, p[name].maximum, p[name].sum) == (0.0, 299.0, sum(range(300)) + 7.0)
    assert (p["Lo"].minimum, p["Lo"].mean) == (1.0, 1.5)


def test_table_on_a_callers_connection():
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT CAST(i AS VARCHAR) AS s, CAST(i % 3 AS VARCHAR) AS k FROM range(1000) r(i)")
    p = ColumnProfiler.on_data("t", connection=con).with_numeric_text_statistics().with_quantiles(False).run()
    assert p.num_queries == 3
    assert (p["s"].minimum, p["s"].maximum, p["s"].sum) == (0.0, 999.0, 499500.0)
    assert (p["k"].minimum, p["k"].maximum, p["k"].sum) == (0.0, 2.0, 999.0)
    # nothing of dq's is left on the caller's connection
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall() == [(0,)]
    # and a relation of the caller's
    rel = con.table("t")
    assert ColumnProfiler.on_data(rel).with_numeric_text_statistics().run()["s"].mean == 499.5
