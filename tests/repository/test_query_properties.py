"""Property tests of the query builder on every implementation: filters commute (any order of
with_tag_values / for_analyzers / after / before gives the same results), they agree with a plain
Python reading of their documented semantics, and after/before are inclusive at the boundary."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from repo_helpers import KINDS, day, new_repo, summary

from dq.analyzers import AnalyzerOptions, Completeness, Size
from dq.metrics import Metric
from dq.repository import AnalysisResult, InMemoryMetricsRepository, ResultKey
from dq.runner import AnalyzerContext

US = dt.timedelta(microseconds=1)
ANALYZERS = [Size(), Size(where="y > 0"), Completeness("x"), Completeness("x", where="y > 0"),
             Completeness("x", where="y > 0", options=AnalyzerOptions(null_behavior="Fail"))]
TAG_SETS = [{}, {"dataset": "a"}, {"dataset": "b"}, {"dataset": "a", "region": "EU"},
            {"dataset": "a", "region": "US"}, {"region": "EU"}]
TIMES = [day(0), day(1), day(1) + US, day(2), day(3), day(3) + dt.timedelta(hours=5)]
#: bounds to query with: every stored time, its neighbours one microsecond away, and far away
BOUNDS = sorted({t + d for t in TIMES for d in (-US, dt.timedelta(0), US)} | {day(-400), day(400)})


def _dataset(seed: int) -> dict[ResultKey, AnalyzerContext]:
    rng = random.Random(seed)
    saved: dict[ResultKey, AnalyzerContext] = {}
    for _ in range(30):  # some keys come up twice: the later save replaces the earlier
        key = ResultKey(rng.choice(TIMES), rng.choice(TAG_SETS))
        chosen = [a for a in ANALYZERS if rng.random() < 0.6]
        saved[key] = AnalyzerContext({a: Metric(a.entity, a.instance, a.name, rng.randint(0, 100) / 4) for a in chosen})
    return saved


def _oracle(saved: dict[ResultKey, AnalyzerContext], filters) -> list[AnalysisResult]:
    """The documented semantics, read literally."""
    keep = list(saved.items())
    wanted = None
    for kind, arg in filters:
        if kind == "tags":
            keep = [(k, c) for k, c in keep if all(k.tags.get(n) == v for n, v in arg.items())]
        elif kind == "after":
            keep = [(k, c) for k, c in keep if k.timestamp >= arg]
        elif kind == "before":
            keep = [(k, c) for k, c in keep if k.timestamp <= arg]
        else:
            wanted = set(arg) if wanted is None else wanted & set(arg)
    out = [AnalysisResult(k, AnalyzerContext({a: m for a, m in c.metric_map.items() if wanted is None or a in wanted}))
           for k, c in keep]
    return sorted(out, key=lambda r: (r.key.timestamp, r.key.tags.canonical()))


def _apply(query, filters):
    for kind, arg in filters:
        query = {"tags": query.with_tag_values, "after": query.after, "before": query.before,
                 "analyzers": query.for_analyzers}[kind](arg)
    return query


FILTER = st.one_of(
    st.tuples(st.just("tags"), st.sampled_from(TAG_SETS)),
    st.tuples(st.just("analyzers"), st.lists(st.sampled_from(ANALYZERS), unique=True, max_size=3)),
    st.tuples(st.just("after"), st.sampled_from(BOUNDS)),
    st.tuples(st.just("before"), st.sampled_from(BOUNDS)),
)


@pytest.fixture(scope="module", params=KINDS)
def stored(request, tmp_path_factory):
    saved = _dataset(seed=7)
    repo = new_repo(request.param, tmp_path_factory.mktemp("props"))
    for key, ctx in saved.items():
        repo.save(key, ctx)
    return repo, saved


@settings(max_examples=40, deadline=None)
@given(filters=st.lists(FILTER, max_size=5), data=st.data())
def test_filters_commute_and_mean_what_they_say(stored, filters, data):
    repo, saved = stored
    reordered = data.draw(st.permutations(filters))
    got = summary(_apply(repo.load(), filters).get())
    assert got == summary(_apply(repo.load(), reordered).get())
    assert got == summary(_oracle(saved, filters))


@settings(max_examples=25, deadline=None)
@given(t=st.sampled_from(TIMES))
def test_after_and_before_are_inclusive(stored, t):
    repo, saved = stored
    at_t = {k for k in saved if k.timestamp == t}
    assert at_t
    q = repo.load()
    assert {r.key for r in q.after(t).before(t).get()} == at_t
    assert at_t <= {r.key for r in q.after(t).get()} and at_t <= {r.key for r in q.before(t).get()}
    assert not at_t & {r.key for r in q.after(t + US).get()}
    assert not at_t & {r.key for r in q.before(t - US).get()}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), filters=st.lists(FILTER, max_size=5), data=st.data())
def test_filters_commute_on_any_history(seed, filters, data):
    """The same on random histories (in memory, where building one costs nothing)."""
    saved = _dataset(seed)
    repo = InMemoryMetricsRepository()
    for key, ctx in saved.items():
        repo.save(key, ctx)
    reordered = data.draw(st.permutations(filters))
    got = summary(_apply(repo.load(), filters).get())
    assert got == summary(_apply(repo.load(), reordered).get()) == summary(_oracle(saved, filters))
