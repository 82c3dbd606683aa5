"""One metric over time: metric_history (a table) and series (what anomaly detection reads)."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest
from repo_helpers import day

from dq.analyzers import Completeness, Histogram, Minimum, Size
from dq.errors import InvalidOptionError
from dq.metrics import Distribution, DistributionValue, Entity, Metric
from dq.repository import ResultKey, metric_history, series
from dq.runner import AnalyzerContext


class _Verified:
    """Stands in for a VerificationResult: what ``save`` reads from one (context and status)."""

    def __init__(self, ctx: AnalyzerContext, status: str):
        self.context, self.status = ctx, status


def _size(v: float | None, error: str | None = None) -> AnalyzerContext:
    return AnalyzerContext({Size(): Metric(Entity.DATASET, "*", "Size", v, error)})


@pytest.fixture
def history(make_repo):
    """Six daily results of dataset "orders" (day 2's metric failed, day 3's run failed its
    Error checks, day 4 has no Size), and one result of another dataset."""
    repo = make_repo()
    t = {"dataset": "orders"}
    repo.save(ResultKey(day(0), t), _Verified(_size(100.0), "Success"))
    repo.save(ResultKey(day(1), t), _Verified(_size(110.0), "Warning"))
    repo.save(ResultKey(day(2), t), _Verified(_size(None, "table not found"), "Error"))
    repo.save(ResultKey(day(3), t), _Verified(_size(3.0), "Error"))
    repo.save(ResultKey(day(4), t), AnalyzerContext({Completeness("x"): Metric(Entity.COLUMN, "x", "Completeness", 1.0)}))
    repo.save(ResultKey(day(5), t), _size(120.0))
    repo.save(ResultKey(day(1), {"dataset": "other"}), _size(9.0))
    return repo


def test_series_leaves_out_failed_runs_and_failed_metrics(history):
    s = series(history, Size(), {"dataset": "orders"})
    assert s.timestamps == [day(0), day(1), day(5)]
    assert s.values == [100.0, 110.0, 120.0]
    timestamps, values = series(history, Size(), {"dataset": "orders"}, include_failed_runs=True)
    assert values == [100.0, 110.0, 3.0, 120.0]  # the failed metric of day 2 is still no point
    assert series(history, Size(), {"dataset": "orders"}, after=day(1), before=day(4)).values == [110.0]
    assert series(history, Size()).values == [100.0, 110.0, 9.0, 120.0]  # both datasets, by time
    assert series(history, Completeness("x", where="x > 0")).values == []
    # with gaps: one point per result, NaN for the failed metric, the failed run and the missing metric
    gaps = series(history, Size(), {"dataset": "orders"}, keep_gaps=True)
    assert gaps.timestamps == [day(i) for i in range(6)]
    assert [None if math.isnan(v) else v for v in gaps.values] == [100.0, 110.0, None, None, None, 120.0]
    assert gaps.points()[0] == (day(0), 100.0)


def test_metric_history_shows_the_gaps(history):
    table = metric_history(history, Size(), {"dataset": "orders"})
    assert isinstance(table, pa.Table)
    rows = table.to_pylist()
    assert [(r["timestamp"], r["value"], r["error"], r["run_status"]) for r in rows] == [
        (day(0), 100.0, None, "Success"),
        (day(1), 110.0, None, "Warning"),
        (day(2), None, "table not found", "Error"),
        (day(3), 3.0, None, "Error"),
        (day(5), 120.0, None, None),
    ]
    assert set(r["dataset"] for r in rows) == {"orders"}
    df = metric_history(history, Size(), {"dataset": "other"}, pandas=True)
    assert list(df["value"]) == [9.0]


def test_series_of_dates_and_of_structured_metrics(make_repo):
    repo = make_repo()
    hist = Histogram("s")
    for i in range(2):
        repo.save(ResultKey(day(i)), AnalyzerContext({
            Minimum("d"): Metric(Entity.COLUMN, "d", "Minimum", dt.date(1970, 1, 11 + i)),
            hist: Metric(Entity.COLUMN, "s", "Histogram", Distribution({"a": DistributionValue(1, 1.0)}, 1)),
        }))
    assert series(repo, Minimum("d")).values == [10.0, 11.0]  # days since the epoch
    with pytest.raises(InvalidOptionError, match="metric_history"):
        series(repo, hist)
    assert len(metric_history(repo, hist)) == 2 * 3  # bins, abs.a, ratio.a per result
