"""The behaviour every metrics repository shares: one suite, run on the in-memory, DuckDB-file and
JSON-directory implementations (the ``make_repo`` fixture)."""

from __future__ import annotations

import datetime as dt
import json
import math

import pyarrow as pa
import pytest
from repo_helpers import context, day, reopen

from dq.analyzers import (
    AnalyzerOptions,
    ApproxQuantiles,
    Completeness,
    DataType,
    Histogram,
    KLLSketch,
    Maximum,
    Mean,
    Minimum,
    MinLength,
    Size,
    Uniqueness,
)
from dq.analyzers.base import analyzer_from_dict
from dq.checks.check import Check, CheckLevel
from dq.errors import InvalidOptionError
from dq.metrics import Entity, Metric
from dq.repository import RepositoryError, ResultKey
from dq.runner import AnalysisRunner, AnalyzerContext
from dq.verification import VerificationSuite


def test_save_then_load_by_key_gives_the_metrics_back(make_repo):
    repo = make_repo()
    key = ResultKey(day(0), {"dataset": "orders"})
    repo.save(key, context(100, 0.5))
    got = reopen(repo).load_by_key(key)
    assert got is not None and got.metric_map == context(100, 0.5).metric_map
    # the key is (timestamp, all tags): a neighbour is not the same result
    assert repo.load_by_key(ResultKey(day(1), {"dataset": "orders"})) is None
    assert repo.load_by_key(ResultKey(day(0), {"dataset": "orders", "region": "EU"})) is None
    assert repo.load_by_key(ResultKey(day(0))) is None


def test_saving_the_same_key_again_replaces_the_result(make_repo):
    repo = make_repo()
    key = ResultKey(day(0), {"dataset": "orders"})
    repo.save(key, context(100, 0.5))
    repo.save(key, context(7))  # Deequ semantics: the later save replaces, it does not merge
    repo = reopen(repo)
    assert repo.load_by_key(key).metric_map == context(7).metric_map
    assert len(repo.load().get()) == 1


def test_an_empty_context_is_a_result(make_repo):
    repo = make_repo()
    key = ResultKey(day(3))
    repo.save(key, AnalyzerContext({}))
    got = reopen(repo).load_by_key(key)
    assert got is not None and len(got) == 0


def _data() -> pa.Table:
    return pa.table({
        "x": [1, 2, None, 4, 4],
        "y": [1.5, -2.0, 3.0, 4.0, 0.5],
        "s": ["a", "b", "a", None, "bb"],
        "d": [dt.date(2020, 1, 1), None, dt.date(2021, 1, 1), dt.date(2020, 5, 5), dt.date(2020, 5, 6)],
        "t": [dt.datetime(2020, 1, 1, 12, 30, 0, 123456), None, None, dt.datetime(2020, 1, 2), None],
    })


ROUND_TRIP = [
    Size(),
    Size(where="y > 0"),
    Completeness("x"),
    Completeness("x", where="y > 0"),
    Completeness("x", where="y > 0", options=AnalyzerOptions(filtered_row="NULL")),
    MinLength("s", options=AnalyzerOptions(null_behavior="Fail")),
    MinLength("s", options=AnalyzerOptions(null_behavior="EmptyString")),
    Uniqueness(["s"], where="y > 0"),  # Deequ loses where for Uniqueness
    Histogram("s"),
    Histogram("s", aggregate_sum="y"),  # absolute values are float sums
    DataType("s"),
    ApproxQuantiles("y", [0.25, 0.5]),
    KLLSketch("y", number_of_buckets=4),
    Minimum("d"),
    Maximum("t"),
    Mean("s"),  # a failed metric: Mean of a string column
]


def test_every_kind_of_metric_and_analyzer_identity_round_trips(make_repo):
    ctx = AnalysisRunner.on_data(_data()).add_analyzers(ROUND_TRIP).run(errors="record")
    assert not ctx.metric(Mean("s")).is_success and ctx.metric(Completeness("x")).is_success
    repo = make_repo()
    key = ResultKey(day(0), {"dataset": "t"})
    repo.save(key, ctx)
    back = reopen(repo).load_by_key(key)
    assert list(back.metric_map) == list(ctx.metric_map)
    for a, m in ctx.metric_map.items():
        got = back.metric_map[a]
        assert got == m, a
        assert type(got.value) is type(m.value), a
    assert back.metric(Minimum("d")).value == dt.date(2020, 1, 1)
    assert back.metric(Maximum("t")).value == dt.datetime(2020, 1, 2)
    assert back.metric(Mean("s")).error == ctx.metric(Mean("s")).error


def test_non_finite_and_integer_values_round_trip(make_repo):
    metrics = {
        Size(where="x > 0"): Metric(Entity.DATASET, "*", "Size", float("nan")),
        Size(where="x > 1"): Metric(Entity.DATASET, "*", "Size", float("inf")),
        Size(where="x > 2"): Metric(Entity.DATASET, "*", "Size", float("-inf")),
        Size(where="x > 3"): Metric(Entity.DATASET, "*", "Size", 12),
        Size(where="x > 4"): Metric(Entity.DATASET, "*", "Size", -1.7976931348623157e308),
        Size(where="x > 5"): Metric(Entity.DATASET, "*", "Size", True),
    }
    repo = make_repo()
    repo.save(ResultKey(0), AnalyzerContext(metrics))
    back = reopen(repo).load_by_key(ResultKey(0)).metric_map
    assert math.isnan(back[Size(where="x > 0")].value)
    assert back[Size(where="x > 1")].value == math.inf and back[Size(where="x > 2")].value == -math.inf
    assert back[Size(where="x > 3")].value == 12 and type(back[Size(where="x > 3")].value) is int
    assert back[Size(where="x > 4")].value == -1.7976931348623157e308
    assert back[Size(where="x > 5")].value is True
    doc = json.loads(repo.load().to_json())  # strict JSON: no bare NaN
    assert [d["value"] for d in doc][:3] == ["NaN", "Infinity", "-Infinity"]


def test_a_filtered_metric_history_is_found_again(make_repo):
    """Deequ #596: where and options are part of the identity, so the history of the filtered
    metric is not mixed up with the unfiltered one's."""
    plain, filtered = Completeness("x"), Completeness("x", where="y > 0")
    with_options = Completeness("x", where="y > 0", options=AnalyzerOptions(filtered_row="NULL"))
    repo = make_repo()
    for i in range(3):
        repo.save(ResultKey(day(i)), AnalyzerContext({
            plain: Metric(Entity.COLUMN, "x", "Completeness", 0.1 * i),
            filtered: Metric(Entity.COLUMN, "x", "Completeness", 0.5 + 0.1 * i),
            with_options: Metric(Entity.COLUMN, "x", "Completeness", 0.9),
        }))
    got = reopen(repo).load().for_analyzers([Completeness("x", where="y > 0")]).get()
    assert [list(r.context.metric_map) for r in got] == [[filtered]] * 3
    assert [r.metric(filtered).value for r in got] == pytest.approx([0.5, 0.6, 0.7])
    got = repo.load().for_analyzers([with_options]).get()
    assert [r.metric(with_options).value for r in got] == [0.9] * 3


def test_query_filters(make_repo):
    repo = make_repo()
    repo.save(ResultKey(day(0), {"dataset": "a", "region": "EU"}), context(1, 0.1))
    repo.save(ResultKey(day(1), {"dataset": "a", "region": "US"}), context(2))
    repo.save(ResultKey(day(2), {"dataset": "b"}), context(3, 0.3))
    repo.save(ResultKey(day(2), {"dataset": "a"}), context(4, 0.4))
    repo = reopen(repo)
    q = repo.load()

    def sizes(query):
        return [r.metric(Size()).value if r.metric(Size()) else None for r in query.get()]

    assert sizes(q) == [1, 2, 4, 3]  # by timestamp, then tags
    assert sizes(q.with_tag_values({"dataset": "a"})) == [1, 2, 4]  # a subset match
    assert sizes(q.with_tag_values({"dataset": "a", "region": "US"})) == [2]
    assert sizes(q.with_tag_values({"dataset": "a"}).with_tag_values({"dataset": "b"})) == []  # both must match
    assert sizes(q.after(day(1))) == [2, 4, 3]  # inclusive
    assert sizes(q.before(day(1))) == [1, 2]  # inclusive
    assert sizes(q.after(day(1)).before(day(1))) == [2]
    assert sizes(q.after(day(1) + dt.timedelta(microseconds=1)).before(day(2))) == [4, 3]
    assert sizes(q.after(day(2)).before(day(1))) == []
    assert sizes(q.after(day(0)).after(day(2))) == [4, 3]  # twice: the narrower bound
    # an int is milliseconds since the epoch (Deequ's dataSetDate)
    assert sizes(q.after(ResultKey(day(1)).epoch_ms)) == [2, 4, 3]
    # for_analyzers keeps only those metrics; a result without them stays, with no metrics (Deequ)
    only = q.for_analyzers([Completeness("x")]).get()
    assert [[m.value for m in r.context.all_metrics()] for r in only] == [[0.1], [], [0.4], [0.3]]
    assert [len(r.context) for r in q.for_analyzers([]).get()] == [0, 0, 0, 0]
    assert q.get() and q.get()[0].run_status is None


def test_query_is_immutable(make_repo):
    repo = make_repo()
    repo.save(ResultKey(day(0), {"dataset": "a"}), context(1))
    q = repo.load()
    narrowed = q.with_tag_values({"dataset": "b"})
    assert len(q.get()) == 1 and narrowed.get() == []


def test_bad_arguments_are_clear_errors(make_repo):
    repo = make_repo()
    with pytest.raises(InvalidOptionError, match="ResultKey"):
        repo.save((day(0), {}), context(1))
    with pytest.raises(RepositoryError, match="AnalyzerContext or a VerificationResult"):
        repo.save(ResultKey(day(0)), {"Size": 1})
    with pytest.raises(InvalidOptionError, match="after"):
        repo.load().after("2024-01-01")
    with pytest.raises(InvalidOptionError, match="Analyzer"):
        repo.load().for_analyzers(["Size"])
    with pytest.raises(InvalidOptionError, match="tag"):
        repo.load().with_tag_values({"dataset": 1})


def test_a_value_that_cannot_be_stored_stores_nothing(make_repo):
    repo = make_repo()
    bad = AnalyzerContext({Size(): Metric(Entity.DATASET, "*", "Size", object())})
    with pytest.raises(RepositoryError, match="cannot store a metric value of type object"):
        repo.save(ResultKey(day(0)), bad)
    assert repo.load().get() == []


def test_saving_a_verification_result_keeps_its_status(make_repo):
    data = pa.table({"id": [1, 2, None]})
    ok = VerificationSuite().on_data(data).add_check(Check(CheckLevel.ERROR, "rows").has_size(lambda n: n == 3)).run()
    bad = VerificationSuite().on_data(data).add_check(Check(CheckLevel.ERROR, "ids").is_complete("id")).run()
    warn = VerificationSuite().on_data(data).add_check(Check(CheckLevel.WARNING, "ids").is_complete("id")).run()
    repo = make_repo()
    for i, result in enumerate([ok, bad, warn]):
        repo.save(ResultKey(day(i)), result)
    got = reopen(repo).load().get()
    assert [r.run_status for r in got] == ["Success", "Error", "Warning"]
    assert got[1].metric(Completeness("id")).value == pytest.approx(2 / 3)
    assert repo.load_result(ResultKey(day(1))).run_status == "Error"


def test_as_table(make_repo):
    repo = make_repo()
    hist = Histogram("s")
    ctx = AnalysisRunner.on_data(pa.table({"s": ["a", "a", "b"]})).add_analyzers(
        [Size(), Completeness("s", where="s <> 'b'"), hist, Mean("s")]).run(errors="record")
    repo.save(ResultKey(day(0), {"dataset": "a", "name": "clash"}), ctx)
    repo.save(ResultKey(day(1), {"region": "EU"}), context(5))
    table = reopen(repo).load().as_table()
    assert table.column_names == ["timestamp", "entity", "instance", "name", "value", "error", "run_status",
                                  "analyzer", "dataset", "name_2", "region"]
    assert table.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    rows = table.to_pylist()
    names = [r["name"] for r in rows]
    assert names == ["Size", "Completeness (where: s <> 'b')", "Histogram.bins", "Histogram.abs.a",
                     "Histogram.ratio.a", "Histogram.abs.b", "Histogram.ratio.b", "Size"]
    assert [r["dataset"] for r in rows] == ["a"] * 7 + [None]
    assert [r["name_2"] for r in rows] == ["clash"] * 7 + [None]
    assert [r["region"] for r in rows] == [None] * 7 + ["EU"]
    assert rows[0]["timestamp"] == day(0) and rows[-1]["value"] == 5.0
    assert analyzer_from_dict(json.loads(rows[2]["analyzer"])) == hist
    assert all(r["error"] is None for r in rows)
    with_failures = repo.load().as_table(include_failures=True).to_pylist()
    failed = [r for r in with_failures if r["error"] is not None]
    assert [(r["name"], r["value"]) for r in failed] == [("Mean", None)]
    df = repo.load().with_tag_values({"region": "EU"}).as_table(pandas=True)
    assert list(df["value"]) == [5.0]


def test_to_json(make_repo):
    repo = make_repo()
    repo.save(ResultKey(day(0), {"dataset": "a"}), context(3, 0.5, where="y > 0"))
    doc = json.loads(reopen(repo).load().to_json())
    assert doc == [
        {"timestamp": "2024-01-01T00:00:00.000000+00:00", "dataset_date": 1704067200000, "tags": {"dataset": "a"},
         "run_status": None, "entity": "Dataset", "instance": "*", "name": "Size", "value": 3.0,
         "analyzer": {"analyzer": "Size", "where": None}},
        {"timestamp": "2024-01-01T00:00:00.000000+00:00", "dataset_date": 1704067200000, "tags": {"dataset": "a"},
         "run_status": None, "entity": "Column", "instance": "x", "name": "Completeness (where: y > 0)",
         "value": 0.5, "analyzer": {"analyzer": "Completeness", "column": "x", "where": "y > 0", "options": None}},
    ]


def test_delete(make_repo):
    repo = make_repo()
    repo.save(ResultKey(day(0)), context(1))
    repo.save(ResultKey(day(1)), context(2))
    repo.delete(ResultKey(day(0)))
    repo.delete(ResultKey(day(7)))  # missing: nothing happens
    assert [r.key.timestamp for r in reopen(repo).load().get()] == [day(1)]


def test_retention_by_count_and_age(make_repo):
    repo = make_repo()
    for i in range(6):
        repo.save(ResultKey(day(i), {"dataset": "a" if i % 2 else "b"}), context(i))
    assert repo.retain(max_count=4) == 2
    assert [r.key.timestamp for r in repo.load().get()] == [day(2), day(3), day(4), day(5)]
    # by age, relative to ``now``; results exactly max_age old are kept
    assert repo.retain(max_age=dt.timedelta(days=2), now=day(5)) == 1
    assert [r.key.timestamp for r in repo.load().get()] == [day(3), day(4), day(5)]
    # only among results with these tags: keep the newest 1 of dataset "a" (days 3 and 5)
    assert repo.retain(max_count=1, with_tag_values={"dataset": "a"}) == 1
    assert [r.key.timestamp for r in reopen(repo).load().get()] == [day(4), day(5)]
    assert repo.retain(max_count=0) == 2 and repo.load().get() == []
    with pytest.raises(InvalidOptionError, match="max_count"):
        repo.retain(max_count=-1)


def test_retention_as_a_repository_option(make_repo):
    repo = make_repo(max_count=3)
    for i in range(5):
        repo.save(ResultKey(day(i)), context(i))
    assert [r.key.timestamp for r in repo.load().get()] == [day(2), day(3), day(4)]
    with pytest.raises(InvalidOptionError, match="max_age"):
        make_repo(max_age=5)


def test_public_api():
    import dq.repository

    assert sorted(dq.repository.__all__) == [
        "AnalysisResult", "DuckDBMetricsRepository", "FileSystemMetricsRepository", "InMemoryMetricsRepository",
        "MetricsRepository", "RepositoryCorruptError", "RepositoryCorruptWarning", "RepositoryError",
        "RepositoryLockedError", "ResultKey", "ResultQuery", "Series", "Tags", "metric_history", "series"]


def test_append_keeps_the_earlier_metrics_of_the_key(make_repo):
    """Deequ's saveOrAppendResult: earlier metrics stay unless recomputed; the worse status stays."""
    class Verified:
        def __init__(self, ctx, status):
            self.context, self.status = ctx, status

    repo = make_repo()
    key = ResultKey(day(0), {"dataset": "a"})
    repo.save(key, Verified(context(10, 0.5), "Error"))
    repo.save(key, Verified(AnalyzerContext({Size(): Metric(Entity.DATASET, "*", "Size", 11.0)}), "Success"),
              append=True)
    got = reopen(repo).load_result(key)
    assert got.context.metric_map == {Size(): Metric(Entity.DATASET, "*", "Size", 11.0),
                                      Completeness("x"): Metric(Entity.COLUMN, "x", "Completeness", 0.5)}
    assert got.run_status == "Error"
    repo.save(ResultKey(day(1)), context(1), append=True)  # nothing to append to: a plain save
    assert repo.load_by_key(ResultKey(day(1))).metric_map == context(1).metric_map


def test_threads_saving_at_the_same_time_lose_nothing(make_repo):
    from concurrent.futures import ThreadPoolExecutor

    repo = make_repo()

    def saves(w: int) -> None:
        for i in range(10):
            repo.save(ResultKey(day(i), {"writer": str(w)}), context(w * 100 + i))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(saves, range(4)))
    got = reopen(repo).load().get()
    assert sorted(r.metric(Size()).value for r in got) == sorted(float(w * 100 + i) for w in range(4) for i in range(10))


def test_extreme_timestamps_and_unusual_tags(make_repo):
    repo = make_repo()
    tags = {"dataset": "o'rders/\"x\"\\..", "ключ": "значение 🚀", "a b": "{}"}
    keys = [ResultKey(dt.datetime(1, 1, 1), tags), ResultKey(dt.datetime(9999, 12, 31, 23, 59, 59, 999999), tags),
            ResultKey(dt.datetime(2024, 2, 29, 12, 0, 0, 1), tags)]
    for i, k in enumerate(keys):
        repo.save(k, context(i))
    repo = reopen(repo)
    for i, k in enumerate(keys):
        assert repo.load_by_key(k).metric_map == context(i).metric_map
    assert [r.key for r in repo.load().with_tag_values({"ключ": "значение 🚀"}).get()] == sorted(
        keys, key=lambda k: k.timestamp)
