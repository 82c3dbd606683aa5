"""KLL sketches built from (value, count) pairs (dq.states.kll_build) and the batched feeder.

A built sketch must be a valid DataSketches kll_doubles_sketch (it deserialises, merges with
ordinary sketches both ways, survives further updates), hold n, min and max exactly, and answer
quantile and rank queries within the sketch's documented rank error, alone and after merges.
"""

from __future__ import annotations

import random
import struct

import numpy as np
import pyarrow as pa
import pytest
from datasketches import kll_doubles_sketch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dq import AnalysisRunner
from dq.analyzers import ApproxQuantiles, KLLSketch
from dq.errors import InvalidOptionError
from dq.states import kll_build
from dq.states.kll import KLLState, _level_capacity, check_sketch_bytes
from dq.states.kll_build import KLLStream, kll_bytes_from_counts


def eps(k: int) -> float:
    return kll_doubles_sketch.get_normalized_rank_error(k, False)


def build(values, counts, k: int = 200, seed: int = 0) -> kll_doubles_sketch:
    return kll_doubles_sketch.deserialize(kll_bytes_from_counts(np.asarray(values, float), np.asarray(counts),
                                                                k, random.Random(seed)))


def ordinary(values, k: int = 200) -> kll_doubles_sketch:
    s = kll_doubles_sketch(k)
    s.update(np.array(values, dtype=np.float64))
    return s


def levels_of(raw: bytes) -> list[np.ndarray]:
    """The retained items of a full-form serialised sketch, level by level."""
    k, num_levels = struct.unpack_from("<H", raw, 4)[0], raw[18]
    starts = list(struct.unpack_from(f"<{num_levels}I", raw, 20))
    capacity = sum(_level_capacity(k, num_levels - h - 1, 8) for h in range(num_levels))
    items = np.frombuffer(raw, "<f8", offset=20 + 4 * num_levels + 16)
    bounds = [s - starts[0] for s in starts] + [capacity - starts[0]]
    return [items[bounds[h]:bounds[h + 1]] for h in range(num_levels)]


def max_rank_error(sk: kll_doubles_sketch, values: np.ndarray, counts: np.ndarray) -> float:
    """Largest rank error of ``sk`` against data given as distinct values with counts: over a grid
    of quantile queries (the answer must have an exact rank range within reach of q) and over rank
    queries at the distinct values (inclusive and exclusive)."""
    order = np.argsort(values)
    v, c = np.asarray(values, float)[order], np.asarray(counts, float)[order]
    n = c.sum()
    cum = np.concatenate(([0.0], np.cumsum(c)))

    def rank_lt(x):
        return cum[np.searchsorted(v, x, "left")] / n

    def rank_le(x):
        return cum[np.searchsorted(v, x, "right")] / n

    worst = 0.0
    for q in np.linspace(0.0, 1.0, 201):
        x = sk.get_quantile(float(q), True)
        lo, hi = rank_lt(x), rank_le(x)
        worst = max(worst, 0.0 if lo <= q <= hi else min(abs(q - lo), abs(q - hi)))
    probe = v if len(v) <= 400 else v[np.linspace(0, len(v) - 1, 400).astype(int)]
    for x in probe:
        worst = max(worst, abs(sk.get_rank(float(x), True) - rank_le(x)), abs(sk.get_rank(float(x), False) - rank_lt(x)))
    return worst


def counted(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.unique(data, return_counts=True)


# -- data sets ----------------------------------------------------------------------------
def low_card(rng, n):
    return rng.integers(1, 6, n).astype(float)


def zipf(rng, n):
    return np.minimum(rng.zipf(1.3, n), 10**6).astype(float)


def votes(rng, n):  # 55% zeros, a heavy tail
    return np.where(rng.random(n) < 0.55, 0.0, np.floor(rng.pareto(1.2, n) * 3))


def mixed(rng, n):  # many distinct floats among a few ints
    return np.concatenate([rng.standard_normal(n // 3), rng.integers(0, 50, n - n // 3)]).astype(float)


def floats(rng, n):
    return rng.standard_normal(n)


def negative(rng, n):
    return -np.floor(rng.exponential(30.0, n)) - 0.5


def zeros(rng, n):  # -0.0 and 0.0 compare equal
    return np.where(rng.random(n) < 0.5, -0.0, 0.0) + np.where(rng.random(n) < 0.2, rng.integers(-3, 4, n), 0)


DATA = {"low_card": low_card, "zipf": zipf, "votes": votes, "mixed": mixed, "floats": floats,
        "negative": negative, "zeros": zeros}


# -- format --------------------------------------------------------------------------------
def test_empty_and_single_item_bytes_are_datasketches_own():
    assert kll_bytes_from_counts(np.array([]), np.array([], dtype=int), 200) == kll_doubles_sketch(200).serialize()
    one = kll_doubles_sketch(200)
    one.update(3.5)
    assert kll_bytes_from_counts(np.array([3.5]), np.array([1]), 200) == one.serialize()
    # NaN and non-positive counts are dropped before anything else
    assert kll_bytes_from_counts(np.array([np.nan, 3.5, 9.0]), np.array([4, 1, 0]), 200) == one.serialize()
    assert kll_bytes_from_counts(np.array([np.nan]), np.array([7]), 64) == kll_doubles_sketch(64).serialize()


def test_few_distinct_values_are_kept_exactly():
    # at most m = 8 distinct values fit every level: no compaction, every rank exact
    values, counts = np.array([5.0, 1.0, 3.0, 2.0, 4.0]), np.array([5_775_870, 992_606, 805_304, 498_494, 1_922_878])
    sk = build(values, counts)
    assert sk.n == counts.sum() and sk.get_min_value() == 1.0 and sk.get_max_value() == 5.0
    assert max_rank_error(sk, values, counts) == 0.0
    assert sk.get_quantile(0.1, True) == 2.0  # rank of 1 is 0.0993
    raw = kll_bytes_from_counts(values, counts, 200)
    assert raw[3] == 2  # level zero sorted
    for lvl in levels_of(raw):
        assert list(lvl) == sorted(lvl)


def test_huge_counts():
    values, counts = np.array([1.0, 2.0, 3.0, -7.5]), np.array([10**8, 5, 1000, 3 * 10**12])
    sk = build(values, counts)
    assert sk.n == counts.sum() and sk.get_min_value() == -7.5 and sk.get_max_value() == 3.0
    assert max_rank_error(sk, values, counts) == 0.0
    # and among many distinct values
    rng = np.random.default_rng(5)
    v = np.concatenate([[0.0], rng.standard_normal(20_000)])
    c = np.concatenate([[10**8], rng.integers(1, 100, 20_000)])
    sk = build(v, c, seed=5)
    assert sk.n == c.sum() and sk.get_min_value() == v.min() and sk.get_max_value() == v.max()
    assert max_rank_error(sk, v, c) <= 2 * eps(200)
    assert sk.num_retained <= sum(_level_capacity(200, d, 8) for d in range(60))
    with pytest.raises(OverflowError):
        kll_bytes_from_counts(np.array([1.0, 2.0]), np.array([2**59, 2**59]), 200)


def test_single_distinct_value():
    for count in (2, 3, 1000, 2**40 + 12345):
        sk = build([-4.25], [count])
        assert sk.n == count and sk.get_min_value() == sk.get_max_value() == -4.25
        assert sk.get_quantile(0.5, True) == -4.25 and sk.get_rank(-4.25, True) == 1.0


def test_bad_arguments():
    with pytest.raises(InvalidOptionError):
        kll_bytes_from_counts(np.array([1.0]), np.array([1]), 7)
    with pytest.raises(ValueError):
        kll_bytes_from_counts(np.array([1.0, 2.0]), np.array([1]), 200)
    with pytest.raises(TypeError):
        kll_bytes_from_counts(np.array([1.0]), np.array([1.5]), 200)


def test_same_seed_same_bytes():
    rng = np.random.default_rng(2)
    v, c = counted(zipf(rng, 100_000))
    assert kll_bytes_from_counts(v, c, 200, random.Random(9)) == kll_bytes_from_counts(v, c, 200, random.Random(9))


# -- accuracy -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DATA))
@pytest.mark.parametrize("k", [200, 50])
def test_rank_error_single_sketch(name, k):
    rng = np.random.default_rng(11)
    data = DATA[name](rng, 300_000)
    v, c = counted(data)
    sk = build(v, c, k, seed=1)
    assert sk.n == len(data) and sk.get_min_value() == data.min() and sk.get_max_value() == data.max()
    assert max_rank_error(sk, v, c) <= 2 * eps(k)


@pytest.mark.parametrize("name", sorted(DATA))
def test_rank_error_after_merges(name):
    """Twenty batches: built sketches merged into one another, and built and ordinary sketches
    alternately merged into a running one (both directions)."""
    rng = np.random.default_rng(12)
    batches = [DATA[name](rng, 50_000) for _ in range(20)]
    built = [build(*counted(b), seed=i) for i, b in enumerate(batches)]
    data = np.concatenate(batches)
    v, c = counted(data)

    only_built = kll_doubles_sketch(200)
    for s in built:
        only_built.merge(s)
    mixed_run = kll_doubles_sketch(200)
    for i, (b, s) in enumerate(zip(batches, built)):
        if i % 2:
            mixed_run.merge(s)  # ordinary <- built
        else:
            o = ordinary(b)
            o.merge(mixed_run)  # built-containing sketch into an ordinary one
            mixed_run = o
    for sk in (only_built, mixed_run):
        assert sk.n == len(data) and sk.get_min_value() == data.min() and sk.get_max_value() == data.max()
        assert max_rank_error(sk, v, c) <= 2 * eps(200)


def test_built_sketch_takes_updates_and_merges_into_ordinary():
    rng = np.random.default_rng(3)
    data = votes(rng, 200_000)
    sk = build(*counted(data))
    more = floats(rng, 50_000)
    sk.update(more)  # the deserialised sketch keeps working as a sketch
    other = ordinary(mixed(rng, 30_000))
    other.merge(sk)
    all_data = np.concatenate([data, more])
    assert sk.n == len(all_data) and sk.get_min_value() == all_data.min()
    assert max_rank_error(sk, *counted(all_data)) <= 2 * eps(200)
    assert other.n == len(all_data) + 30_000


def test_kll_state_accepts_and_merges_built_bytes():
    rng = np.random.default_rng(4)
    a, b = low_card(rng, 10_000), zipf(rng, 10_000)
    sa = KLLState(kll_bytes_from_counts(*counted(a), 200))
    sb = KLLState.of_values(b)
    for merged in (sa.merge(sb), sb.merge(sa), sa.merge(sa)):
        check_sketch_bytes(merged.sketch)
    assert sa.merge(sb).n == sb.merge(sa).n == 20_000
    assert sa.merge(sa).to_sketch().get_max_value() == 5.0
    assert KLLState.from_payload(sa.payload()) == sa


# -- properties on small inputs ----------------------------------------------------------------
finite_or_not = st.floats(allow_nan=True, allow_infinity=True, width=64)
pairs = st.lists(st.tuples(finite_or_not, st.integers(0, 2**40)), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs=pairs, k=st.sampled_from([8, 9, 20, 200]), seed=st.integers(0, 2**32))
def test_built_sketch_is_valid_and_exact_in_n_min_max(pairs, k, seed):
    values = np.array([p[0] for p in pairs], dtype=float)
    counts = np.array([p[1] for p in pairs], dtype=np.int64)
    raw = kll_bytes_from_counts(values, counts, k, random.Random(seed))
    check_sketch_bytes(raw)
    KLLState(raw)
    sk = kll_doubles_sketch.deserialize(raw)
    live = ~np.isnan(values) & (counts > 0)
    assert sk.n == int(counts[live].sum()) and sk.k == k
    if not live.any():
        assert sk.is_empty()
        return
    assert sk.get_min_value() == values[live].min() and sk.get_max_value() == values[live].max()
    if sk.n >= 2:
        for lvl in levels_of(raw):
            assert not np.isnan(lvl).any() and list(lvl) == sorted(lvl)
    assert kll_doubles_sketch.deserialize(sk.serialize()).n == sk.n
    o = ordinary(values[:5], k)
    o.merge(sk)
    sk.merge(ordinary(values[:5], k))
    extra = int((~np.isnan(values[:5])).sum())
    assert o.n == sk.n == int(counts[live].sum()) + extra


@settings(max_examples=100, deadline=None)
@given(data=st.lists(st.integers(-5, 5).map(float) | st.floats(-1e3, 1e3), min_size=1, max_size=3000),
       k=st.sampled_from([8, 40]))
def test_small_random_inputs_within_rank_error(data, k):
    data = np.array(data)
    sk = build(*counted(data), k)
    assert sk.n == len(data) and sk.get_min_value() == data.min() and sk.get_max_value() == data.max()
    assert max_rank_error(sk, *counted(data)) <= 3 * eps(k)  # many examples: a wider margin


# -- the batched feeder and the streaming pass ---------------------------------------------------
def test_stream_policy(monkeypatch):
    calls = []
    real = kll_build.kll_bytes_from_counts
    monkeypatch.setattr(kll_build, "kll_bytes_from_counts", lambda *a: calls.append(len(a[0])) or real(*a))
    rng = np.random.default_rng(6)
    s = KLLStream(200)
    s.add(low_card(rng, 100))  # short: updated
    s.add(low_card(rng, 10_000))  # built from 5 counts
    assert calls == [5]
    for _ in range(kll_build.BACKOFF_BATCHES + 1):
        s.add(floats(rng, 10_000))  # too distinct: updated, then counting is skipped for a while
    assert calls == [5]
    s.add(np.append(low_card(rng, 10_000), np.nan))  # counting again; NaN dropped before counting
    assert calls == [5, 5]
    assert s.sketch.n == 100 + 10_000 * (kll_build.BACKOFF_BATCHES + 3)


def test_runner_quantiles_through_built_sketches():
    rng = np.random.default_rng(8)
    n = 600_000
    stars = low_card(rng, n)
    v = votes(rng, n)
    v[rng.random(n) < 0.01] = np.nan
    mask = rng.random(n) < 0.05
    table = pa.table({"stars": pa.array(stars.astype(np.int32), mask=mask), "votes": v})
    qs = [0.05, 0.1, 0.5, 0.9, 0.99]
    ctx = AnalysisRunner.on_data(table).add_analyzers(
        [ApproxQuantiles("stars", qs), ApproxQuantiles("votes", qs), KLLSketch("votes", sketch_size=200),
         ApproxQuantiles("stars", [0.5], where="votes > 2")]).run()
    for m in ctx.metric_map.values():
        assert m.is_success, m.error
    for col, data in (("stars", stars[~mask]), ("votes", v[~np.isnan(v)])):
        vals, cnts = counted(data)
        n_ = cnts.sum()
        for q, x in ctx.metric(ApproxQuantiles(col, qs)).value.values.items():
            lo, hi = cnts[vals < x].sum() / n_, cnts[vals <= x].sum() / n_
            assert lo - 2 * eps(200) <= float(q) <= hi + 2 * eps(200), (col, q, x, lo, hi)
    assert sum(b.count for b in ctx.metric(KLLSketch("votes", sketch_size=200)).value.buckets) == (~np.isnan(v)).sum()
