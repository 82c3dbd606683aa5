"""Differential tests: every analyzer against an independent reference in plain Python / numpy / scipy.

Random tables (hypothesis) hold NULLs in every column, NaN and ±Inf in one double column, empty and
unicode strings. The references never touch DuckDB: ``collections.Counter`` for the frequency
metrics, ``numpy`` / ``scipy.stats`` for moments and quantiles, ``re`` for patterns and Deequ's
data-type regexes, ``len(str)`` for lengths (code points). Sketches are checked against bounds.

Engine semantics the references mirror deliberately: NaN is the largest double (so ``NaN > 0`` is
TRUE, Maximum is NaN when a NaN is present) and sums/means with a NaN are NaN; a NULL predicate is
non-compliant; grouping metrics take the rows with at least one non-NULL grouping value.
"""

from __future__ import annotations

import bisect
import math
import re
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import scipy.stats
from cases import EMPTY, Fails, Hist, mismatch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dq import AnalysisRunner
from dq.analyzers import (
    AnalyzerOptions,
    ApproxCountDistinct,
    ApproxQuantile,
    ApproxQuantiles,
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
from dq.metrics import Metric

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=False)

# -- random tables ---------------------------------------------------------------------------------
WORDS = ["", "a", "ab", "b", "é", "日本", "😀", "a😀", "1", "-2.5", "true", "false", "TRUE", "1e5", "+ 3", "3.",
         " 7", "0.25"]
ALPHABET = "ab é日😀1.-"
finite = st.one_of(
    st.integers(-20, 20).map(lambda k: k / 4),  # repeated values (duplicates, constant columns)
    st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, allow_subnormal=False).filter(
        lambda v: v == 0 or abs(v) > 1e-3),
)
special = st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0])
strings = st.one_of(st.sampled_from(WORDS), st.text(alphabet=ALPHABET, max_size=4))


def nullable(s: st.SearchStrategy, p_null: int = 4) -> st.SearchStrategy:
    return st.one_of(st.none(), *([s] * p_null))


@st.composite
def tables(draw: Any, min_rows: int = 0, max_rows: int = 40) -> pa.Table:
    n = draw(st.integers(min_rows, max_rows))
    col = lambda s: draw(st.lists(s, min_size=n, max_size=n))
    return pa.table({
        "d": pa.array(col(nullable(finite)), pa.float64()),
        "d2": pa.array(col(nullable(finite)), pa.float64()),
        "dn": pa.array(col(nullable(st.one_of(finite, special))), pa.float64()),
        "i": pa.array(col(nullable(st.integers(-3, 3))), pa.int64()),
        "s": pa.array(col(nullable(strings)), pa.string()),
    })


def run(table: Any, analyzers: list) -> dict:
    ctx = AnalysisRunner.on_data(table).add_analyzers(analyzers).run()
    return ctx.metric_map


def check_all(metrics: dict, expected: list[tuple[Any, Any, Any]], table: pa.Table) -> None:
    problems = []
    for a, exp, tol in expected:
        p = mismatch(metrics[a], exp, tol, 0.0)
        if p:
            problems.append(f"{a!r}: {p}")
    assert not problems, f"{len(problems)} metrics differ on {table.to_pydict()}:\n" + "\n".join(problems)


# -- reference helpers -------------------------------------------------------------------------------
def nonnull(xs: list) -> list:
    return [x for x in xs if x is not None]


def ratio(num: int, den: int) -> Any:
    return Fails(EMPTY) if den == 0 else num / den


def engine_sum(xs: list[float]) -> float:
    """Sum with IEEE special values as an engine adds them (NaN absorbs, inf + -inf = NaN)."""
    if any(math.isnan(x) for x in xs) or (math.inf in xs and -math.inf in xs):
        return math.nan
    if math.inf in xs or -math.inf in xs:
        return math.inf if math.inf in xs else -math.inf
    return math.fsum(xs)


def engine_max(xs: list[float]) -> float:
    return math.nan if any(math.isnan(x) for x in xs) else max(xs)


def engine_min(xs: list[float]) -> float:
    numbers = [x for x in xs if not math.isnan(x)]
    return min(numbers) if numbers else math.nan


def conditioning(xs: list[float]) -> float:
    """1 + |mean| / stddev: how much a one-pass (power-sum) moment loses to cancellation."""
    sd = float(np.std(xs))
    return math.inf if sd == 0 else 1 + abs(float(np.mean(xs))) / sd


FRACTIONAL = re.compile(r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$", re.ASCII)
INTEGRAL = re.compile(r"^(-|\+)? ?\d+$", re.ASCII)
BOOLEAN = re.compile(r"^(true|false)$")


def classify_text(v: str | None) -> str:
    if v is None:
        return "Unknown"
    for name, rx in (("Fractional", FRACTIONAL), ("Integral", INTEGRAL), ("Boolean", BOOLEAN)):
        if rx.fullmatch(v):
            return name
    return "String"


def classify_double(v: float | None) -> str:
    # any finite double's text form (1.0, 1e+20, -0.0; Spark 1.0E20) is Fractional; NaN/Infinity are text
    if v is None:
        return "Unknown"
    return "Fractional" if math.isfinite(v) else "String"


def type_hist(kinds: list[str]) -> Hist:
    c = Counter(kinds)
    n = len(kinds)
    return Hist({k: (c[k], c[k] / n if n else 0.0)
                 for k in ("Unknown", "Fractional", "Integral", "Boolean", "String")}, 5)


def key(v: Any) -> Any:
    """Grouping key as the engine groups: one NaN, and -0.0 equal to 0.0."""
    if isinstance(v, float):
        if math.isnan(v):
            return "<NaN>"
        return v + 0.0
    return v


def frequencies(rows: list[tuple]) -> Counter:
    """Counts of the rows with at least one non-NULL grouping value (Deequ)."""
    return Counter(tuple(key(v) for v in r) for r in rows if any(v is not None for v in r))


def ref_histogram(values: list, max_bins: int, text=str) -> Hist:
    c = Counter(None if v is None else text(v) for v in values)
    total = len(values)
    order = sorted(c.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))[:max_bins]
    shown = {("NullValue" if k is None else k): (n, n / total) for k, n in order}
    return Hist(shown, len(c), total - sum(n for _, n in order))


def ref_exact_quantile(xs: list[float], q: float) -> Any:
    return Fails(EMPTY) if not xs else float(np.quantile(np.array(xs), q, method="linear"))


# -- scan metrics -------------------------------------------------------------------------------------
def scan_expectations(t: pa.Table) -> list[tuple[Any, Any, Any]]:
    cols = t.to_pydict()
    d, d2, dn, i, s = cols["d"], cols["d2"], cols["dn"], cols["i"], cols["s"]
    n = t.num_rows
    out: list[tuple[Any, Any, Any]] = []
    add = lambda a, e, tol="exact": out.append((a, e, tol))

    add(Size(), float(n))
    pos = [k for k in range(n) if i[k] is not None and i[k] > 0]  # rows passing where "i > 0"
    add(Size(where="i > 0"), float(len(pos)))
    for c, xs in cols.items():
        add(Completeness(c), ratio(len(nonnull(xs)), n))
    add(Completeness("s", where="i > 0"), ratio(sum(s[k] is not None for k in pos), len(pos)))

    # compliance: a NULL predicate is non-compliant; NaN > 0 is TRUE in the engines
    add(Compliance("d>0.5", "d > 0.5"), ratio(sum(x is not None and x > 0.5 for x in d), n))
    add(Compliance("i>=0 and d<100", "i >= 0 AND d < 100"),
        ratio(sum(a is not None and b is not None and a >= 0 and b < 100 for a, b in zip(i, d)), n))
    add(Compliance("dn>0", "dn > 0"), ratio(sum(x is not None and (math.isnan(x) or x > 0) for x in dn), n))
    add(Compliance("s='a'", "s = 'a'", where="i > 0"), ratio(sum(s[k] == "a" for k in pos), len(pos)))

    # pattern match: regex search, NULL never matches, denominator = all rows
    for pattern in (r"^a", "é", r"^.{2}$", r"\d", "b|日", r"^$"):
        add(PatternMatch("s", pattern), ratio(sum(x is not None and re.search(pattern, x) is not None for x in s), n))

    # sums, means, extremes
    for c, xs in (("d", nonnull(d)), ("i", [float(x) for x in nonnull(i)]), ("dn", nonnull(dn))):
        scale = 1e-12 * max(1.0, math.fsum(abs(x) for x in xs if math.isfinite(x)))
        empty = not xs
        add(Sum(c), Fails(EMPTY) if empty else engine_sum(xs), scale)
        add(Mean(c), Fails(EMPTY) if empty else engine_sum(xs) / len(xs), scale)
        add(Minimum(c), Fails(EMPTY) if empty else engine_min(xs))
        add(Maximum(c), Fails(EMPTY) if empty else engine_max(xs))
        add(Range(c), Fails(EMPTY) if empty else engine_max(xs) - engine_min(xs))
        add(ZerosCount(c), float(sum(x == 0 for x in xs)))
    dpos = [d[k] for k in pos if d[k] is not None]
    add(Mean("d", where="i > 0"), Fails(EMPTY) if not dpos else math.fsum(dpos) / len(dpos), 1e-9)
    add(Maximum("d", where="i > 0"), Fails(EMPTY) if not dpos else max(dpos))

    # ratio of sums (each sum ignores its own NULLs); no non-NULL numerator is an empty state (Deequ)
    if not nonnull(d):
        add(RatioOfSums("d", "i"), Fails(EMPTY))
    else:
        num, den = math.fsum(nonnull(d)), float(sum(nonnull(i)))
        if den == 0:
            expected = math.nan if num == 0 else math.copysign(math.inf, num)
        else:
            expected = num / den
        add(RatioOfSums("d", "i"), expected, 1e-9)

    # population moments of d (numpy ddof=0, scipy bias=True; 0 for a constant column, Deequ)
    xs = nonnull(d)
    if not xs:
        for a in (Variance("d"), StandardDeviation("d"), Skewness("d"), Kurtosis("d")):
            add(a, Fails(EMPTY))
    else:
        arr = np.array(xs)
        cond = conditioning(xs)
        add(Variance("d"), float(np.var(arr)), 1e-9)
        add(StandardDeviation("d"), float(np.std(arr)), 1e-9)
        if cond == math.inf:
            add(Skewness("d"), 0.0)
            add(Kurtosis("d"), 0.0)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # scipy warns about cancellation on nearly constant data
                sk = float(scipy.stats.skew(arr, bias=True))
                ku = float(scipy.stats.kurtosis(arr, fisher=True, bias=True))
            add(Skewness("d"), sk, 1e-9 * cond**3)
            add(Kurtosis("d"), ku, 1e-9 * cond**4)
    # a single non-finite value is the known bug BUG_MOMENTS_SINGLE_NONFINITE (case one-nan/variance)
    if not (len(nonnull(dn)) == 1 and not math.isfinite(nonnull(dn)[0])):
        add(Variance("dn"), Fails(EMPTY) if not nonnull(dn) else (
            math.nan if any(not math.isfinite(x) for x in nonnull(dn)) else float(np.var(nonnull(dn)))), 1e-9)

    # Pearson correlation on the rows where both are non-NULL
    pairs = [(a, b) for a, b in zip(d, d2) if a is not None and b is not None]
    if not pairs:
        add(Correlation("d", "d2"), Fails(EMPTY))
    else:
        xa, ya = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        if np.ptp(xa) == 0 or np.ptp(ya) == 0:
            add(Correlation("d", "d2"), Fails("constant"))
        else:
            r = float(np.corrcoef(xa, ya)[0, 1])
            cx, cy = conditioning(list(xa)), conditioning(list(ya))
            add(Correlation("d", "d2"), max(-1.0, min(1.0, r)), 1e-9 * cx * cx * cy * cy)

    # string lengths in code points
    lens = [len(x) for x in nonnull(s)]
    has_null = len(lens) < n
    add(MinLength("s"), Fails(EMPTY) if not lens else float(min(lens)))
    add(MaxLength("s"), Fails(EMPTY) if not lens else float(max(lens)))
    as_empty = AnalyzerOptions(null_behavior=NullBehavior.EMPTY_STRING)
    fail = AnalyzerOptions(null_behavior=NullBehavior.FAIL)
    lens0 = [len(x) if x is not None else 0 for x in s]
    add(MinLength("s", options=as_empty), Fails(EMPTY) if not n else float(min(lens0)))
    add(MaxLength("s", options=as_empty), Fails(EMPTY) if not n else float(max(lens0)))
    add(MinLength("s", options=fail), Fails(EMPTY) if not n else (-1.7976931348623157e308 if has_null else float(min(lens))))
    add(MaxLength("s", options=fail), Fails(EMPTY) if not n else (1.7976931348623157e308 if has_null else float(max(lens))))

    # exact quantiles: numpy's linear interpolation at q·(n−1)
    for q in (0.0, 0.1, 0.5, 0.77, 1.0):
        add(ExactQuantile("d", q), ref_exact_quantile(xs, q), 1e-9)
    add(InterquartileRange("d"), Fails(EMPTY) if not xs else
        float(np.quantile(xs, 0.75, method="linear") - np.quantile(xs, 0.25, method="linear")), 1e-9)
    add(ExactQuantile("i", 0.5, where="i > 0"), ref_exact_quantile([float(i[k]) for k in pos], 0.5), 1e-9)

    # data types (Deequ's regexes on the text form)
    add(DataType("s"), type_hist([classify_text(x) for x in s]))
    add(DataType("d"), type_hist([classify_double(x) for x in d]))
    add(DataType("dn"), type_hist([classify_double(x) for x in dn]))
    add(DataType("i"), type_hist(["Unknown" if x is None else "Integral" for x in i]))
    add(DataType("s", where="i > 0"), type_hist([classify_text(s[k]) for k in pos]))

    add(CustomSql("SELECT count(*) FROM dataset WHERE i > 0 AND s IS NOT NULL"),
        float(sum(s[k] is not None for k in pos)))
    return out


@SETTINGS
@given(tables())
def test_scan_analyzers_match_reference(table: pa.Table):
    expected = scan_expectations(table)
    check_all(run(table, [a for a, _, _ in expected]), expected, table)


# -- frequency metrics -------------------------------------------------------------------------------
def frequency_expectations(t: pa.Table) -> list[tuple[Any, Any, Any]]:
    cols = t.to_pydict()
    n = t.num_rows
    out: list[tuple[Any, Any, Any]] = []
    add = lambda a, e, tol="exact": out.append((a, e, tol))
    pos = [k for k in range(n) if cols["i"][k] is not None and cols["i"][k] > 0]

    for names, where in ((("s",), None), (("i",), None), (("dn",), None), (("s", "i"), None), (("s",), "i > 0"),
                         (("i", "d"), None)):
        idx = range(n) if where is None else pos
        freq = frequencies([tuple(cols[c][k] for c in names) for k in idx])
        rows, groups = sum(freq.values()), len(freq)
        singles = sum(1 for v in freq.values() if v == 1)
        add(CountDistinct(names, where=where), float(groups))
        add(Distinctness(names, where=where), ratio(groups, rows))
        add(Uniqueness(names, where=where), ratio(singles, rows))
        add(UniqueValueRatio(names, where=where), ratio(singles, groups))
        add(DuplicateRowCount(names, where=where), float(sum(v for v in freq.values() if v > 1)))
        if len(names) == 1:
            ent = -sum(c / rows * math.log(c / rows) for c in freq.values()) if rows else None
            add(Entropy(names[0], where=where), Fails(EMPTY) if not rows else ent, 1e-12)
    add(DuplicateRowCount(), float(sum(v for v in frequencies(list(zip(*cols.values()))).values() if v > 1)))

    # mutual information over the rows where both are non-NULL (natural log)
    for x, y in (("s", "i"), ("i", "dn")):
        both = [(key(a), key(b)) for a, b in zip(cols[x], cols[y]) if a is not None and b is not None]
        if not both:
            add(MutualInformation((x, y)), Fails(EMPTY))
            continue
        m = len(both)
        pxy, px, py = Counter(both), Counter(a for a, _ in both), Counter(b for _, b in both)
        mi = sum(c / m * math.log((c / m) / ((px[a] / m) * (py[b] / m))) for (a, b), c in pxy.items())
        add(MutualInformation((x, y)), max(0.0, mi), 1e-12)

    # histograms: text keys, NULL as NullValue, top bins by count desc then text asc
    for bins in (1, 3, 1000):
        add(Histogram("s", max_detail_bins=bins), ref_histogram(cols["s"], bins))
        add(Histogram("i", max_detail_bins=bins), ref_histogram(cols["i"], bins))
    add(Histogram("s", where="i > 0"), ref_histogram([cols["s"][k] for k in pos], 1000))
    # sums of d per s bin (NULL d adds nothing); ratios over the total sum
    sums: dict[Any, float] = {}
    for sv, dv in zip(cols["s"], cols["d"]):
        sums[sv] = sums.get(sv, 0.0) + (dv or 0.0)
    total = math.fsum(x for x in cols["d"] if x is not None)
    add(Histogram("s", aggregate_sum="d"),
        Hist({("NullValue" if k is None else k): (v, v / total if total else 0.0) for k, v in sums.items()}, len(sums)),
        1e-9)
    return out


@SETTINGS
@given(tables())
def test_frequency_analyzers_match_reference(table: pa.Table):
    expected = frequency_expectations(table)
    check_all(run(table, [a for a, _, _ in expected]), expected, table)


# -- sketches: within bounds ----------------------------------------------------------------------------
def rank_error_ok(sorted_xs: list[float], v: float, q: float, eps: float) -> bool:
    """``v`` is an element whose rank range [lo, hi] comes within eps·n of q·n."""
    n = len(sorted_xs)
    lo, hi = bisect.bisect_left(sorted_xs, v), bisect.bisect_right(sorted_xs, v)
    return hi > lo and lo - eps * n <= q * n <= hi + eps * n


def count_distinct_ok(estimate: float, exact: int) -> bool:
    # HLL++ linear counting is (nearly) exact for small sets; 3% relative beyond
    return abs(estimate - exact) <= (1 if exact < 100 else 0.03 * exact)


def kll_buckets(xs: list[float], number: int) -> list[tuple[float, float, int]]:
    lo, hi = min(xs), max(xs)
    width = (hi - lo) / number
    edges = [lo + k * width for k in range(number)] + [hi]
    out = []
    for k in range(number):
        a, b = edges[k], edges[k + 1]
        last = k == number - 1
        out.append((a, b, sum(1 for x in xs if a <= x and (x <= b if last else x < b))))
    return out


QS = (0.0, 0.1, 0.25, 0.5, 0.77, 0.9, 1.0)


def check_sketches(table: pa.Table, eps: float, exact_kll: bool) -> None:
    cols = table.to_pydict()
    xs = sorted(x for x in cols["d"] if x is not None)
    analyzers = [ApproxCountDistinct(c) for c in cols] + [ApproxQuantile("d", q) for q in QS] + [
        ApproxQuantiles("d", QS), KLLSketch("d", number_of_buckets=4)]
    m = run(table, analyzers)
    problems = []
    for c in cols:
        exact = len({key(v) for v in cols[c] if v is not None})
        est = m[ApproxCountDistinct(c)].value
        if not count_distinct_ok(est, exact):
            problems.append(f"ApproxCountDistinct({c}) = {est}, exact {exact}")
    kll_metrics: list[tuple[str, Metric]] = [(f"ApproxQuantile {q}", m[ApproxQuantile("d", q)]) for q in QS]
    if not xs:
        for name, metric in kll_metrics + [("ApproxQuantiles", m[ApproxQuantiles("d", QS)]),
                                           ("KLLSketch", m[KLLSketch("d", number_of_buckets=4)])]:
            if metric.is_success or EMPTY not in metric.error:
                problems.append(f"{name}: expected an empty state, got {metric}")
    else:
        for q in QS:
            v = m[ApproxQuantile("d", q)].value
            if not rank_error_ok(xs, v, q, eps):
                problems.append(f"ApproxQuantile({q}) = {v} outside rank error {eps} of n={len(xs)}")
            vs = m[ApproxQuantiles("d", QS)].value[str(q)]
            if not rank_error_ok(xs, vs, q, eps):
                problems.append(f"ApproxQuantiles[{q}] = {vs} outside rank error {eps} of n={len(xs)}")
        got = [(b.low_value, b.high_value, b.count) for b in m[KLLSketch("d", number_of_buckets=4)].value.buckets]
        ref = kll_buckets(xs, 4)
        if sum(g[2] for g in got) != len(xs):
            problems.append(f"KLL bucket counts {got} do not sum to n={len(xs)}")
        for g, r in zip(got, ref):
            if not (math.isclose(g[0], r[0], abs_tol=1e-9) and math.isclose(g[1], r[1], abs_tol=1e-9)) or (
                    g[2] != r[2] if exact_kll else abs(g[2] - r[2]) > eps * len(xs)):
                problems.append(f"KLL bucket {g} != reference {r}")
    assert not problems, "\n".join(problems)


@SETTINGS
@given(tables())
def test_sketches_within_bounds_small(table: pa.Table):
    # below the sketch sizes KLL keeps every item: bucket counts are exact
    check_sketches(table, eps=0.02, exact_kll=True)


@pytest.mark.parametrize("seed", [0, 1])
def test_sketches_within_bounds_large(seed: int):
    rng = np.random.default_rng(seed)
    n = 60_000
    d = rng.normal(50, 20, n)
    d[rng.random(n) < 0.05] = np.nan  # -> NULL below
    table = pa.table({
        "d": pa.array(d, pa.float64(), from_pandas=True),
        "i": pa.array(rng.integers(0, 5_000, n), pa.int64()),
        "s": pa.array([f"k{v}é" for v in rng.integers(0, 40_000, n)], pa.string()),
    })
    check_sketches(table, eps=0.02, exact_kll=False)


# -- the same data through every input kind ----------------------------------------------------------
def input_table(seed: int, empty_strings: bool) -> pa.Table:
    rng = np.random.default_rng(seed)
    n = 240  # below ApproxQuantile's sketch size (k=269): KLL keeps every item, so its answer is deterministic
    d = list(np.round(rng.normal(0, 10, n), 3))
    for k, v in zip(rng.choice(n, 12, replace=False), [math.nan] * 4 + [math.inf] * 2 + [-math.inf] * 2 + [None] * 4):
        d[k] = v
    d[0] = 1.5  # a fraction, so CSV type inference keeps the column DOUBLE
    ints = [None if rng.random() < 0.1 else int(v) for v in rng.integers(-50, 50, n)]
    words = ["alpha", "béta", "日本語", "😀 smile", "x", "ab", "Zeta"] + ([""] if empty_strings else [])
    s = [None if rng.random() < 0.1 else words[int(k)] for k in rng.integers(0, len(words), n)]
    return pa.table({"d": pa.array(d, pa.float64()), "i": pa.array(ints, pa.int64()), "s": pa.array(s, pa.string())})


INPUT_ANALYZERS = [
    Size(), Completeness("d"), Completeness("i"), Completeness("s"), Sum("d"), Sum("i"), Mean("i"), Minimum("d"),
    Maximum("i"), StandardDeviation("i"), ExactQuantile("i", 0.5), MinLength("s"), MaxLength("s"),
    PatternMatch("s", "é|😀"), Compliance("i>0", "i > 0"), DataType("s"), DataType("i"), DataType("d"),
    Histogram("s"), Histogram("i", max_detail_bins=5), CountDistinct("s"), Uniqueness(("s", "i")), Entropy("s"),
    MutualInformation(("s", "i")), DuplicateRowCount(), ApproxCountDistinct("s"), ApproxQuantile("i", 0.5),
    KLLSketch("i", number_of_buckets=5), ZerosCount("d"), Correlation("i", "d"), CustomSql("SELECT count(*) FROM dataset"),
]


def as_input(kind: str, table: pa.Table, tmp_path) -> Any:
    if kind == "pyarrow":
        return table
    if kind == "arrow-reader":
        return table.to_reader(max_chunksize=64)
    if kind == "pandas":
        return table.to_pandas(types_mapper=pd.ArrowDtype)  # numpy dtypes cannot tell NaN from NULL
    if kind == "polars":
        return pl.from_arrow(table)
    if kind == "parquet":
        path = tmp_path / "data.parquet"
        pq.write_table(table, path, row_group_size=100)
        return str(path)
    if kind == "csv":
        path = tmp_path / "data.csv"
        pacsv.write_csv(table, path)
        return str(path)
    raise ValueError(kind)


def flat(metric: Metric) -> list:
    return sorted(metric.flatten(), key=lambda r: r[:3]) if metric.is_success else [metric.error]


def same_flat(a: list, b: list) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, str) or isinstance(y, str):
            if x != y:
                return False
        elif x[:3] != y[:3] or not (x[3] == y[3] or (math.isnan(x[3]) and math.isnan(y[3]))
                                    or math.isclose(x[3], y[3], rel_tol=1e-12, abs_tol=1e-12)):
            return False
    return True


@pytest.mark.parametrize("kind,empty_strings", [
    ("arrow-reader", True), ("pandas", True), ("polars", True), ("parquet", True), ("csv", False),
    # a quoted "" in a CSV must stay an empty string, not become NULL
    pytest.param("csv", True, id="csv-empty-strings"),
])
def test_input_kinds_give_the_same_metrics(kind: str, empty_strings: bool, tmp_path):
    table = input_table(7, empty_strings)
    base = run(table, INPUT_ANALYZERS)
    other = run(as_input(kind, table, tmp_path), INPUT_ANALYZERS)
    problems = [f"{a!r}: pyarrow {flat(base[a])} vs {kind} {flat(other[a])}"
                for a in INPUT_ANALYZERS if not same_flat(flat(base[a]), flat(other[a]))]
    assert not problems, "\n".join(problems)
