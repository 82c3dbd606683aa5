"""One metric over time: ``metric_history`` (a table to look at) and ``series`` (the numbers the
anomaly detection reads)."""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import NamedTuple

from dq.analyzers.base import Analyzer
from dq.errors import InvalidOptionError
from dq.metrics import Metric
from dq.repository.base import MetricsRepository, ResultQuery, results_table
from dq.repository.result import AnalysisResult

__all__ = ["Series", "metric_history", "series"]

#: the run status of a run that failed: an Error-level check did not pass
FAILED_RUN = "Error"


def _query(repo: MetricsRepository, analyzer: Analyzer, tags: Mapping[str, str] | None,
           after: _dt.datetime | int | None, before: _dt.datetime | int | None) -> ResultQuery:
    if not isinstance(analyzer, Analyzer):
        raise InvalidOptionError("analyzer", "an Analyzer (e.g. Size())", analyzer)
    q = repo.load().for_analyzers([analyzer])
    if tags:
        q = q.with_tag_values(tags)
    if after is not None:
        q = q.after(after)
    if before is not None:
        q = q.before(before)
    return q


def metric_history(repo: MetricsRepository, analyzer: Analyzer, tags: Mapping[str, str] | None = None, *,
                   after: _dt.datetime | int | None = None, before: _dt.datetime | int | None = None,
                   pandas: bool = False):
    """The metric of ``analyzer`` (its full identity: a filtered Completeness is not the
    unfiltered one) in every saved result matching ``tags``, oldest first, with the columns of
    ``ResultQuery.as_table``. Failed metrics are included (value null, ``error`` says why) so a
    gap in the history is visible; ``run_status`` says whether the run's checks passed."""
    results = [r for r in _query(repo, analyzer, tags, after, before).get() if len(r.context)]
    return results_table(results, pandas=pandas, include_failures=True)


class Series(NamedTuple):
    """Timestamps (aware UTC datetimes, ascending) and the metric's values at those times."""

    timestamps: list[_dt.datetime]
    values: list[float]

    def points(self) -> list[tuple[_dt.datetime, float]]:
        """(timestamp, value) pairs, as ``dq.anomaly.AnomalyDetector`` takes them."""
        return list(zip(self.timestamps, self.values))


def _scalar(analyzer: Analyzer, m: Metric) -> float:
    rows = m.flatten()
    if len(rows) != 1:
        raise InvalidOptionError("analyzer", "an analyzer whose metric is one number per run (use "
                                 "metric_history for structured metrics)", analyzer)
    return rows[0][3]


def series(repo: MetricsRepository, analyzer: Analyzer, tags: Mapping[str, str] | None = None, *,
           after: _dt.datetime | int | None = None, before: _dt.datetime | int | None = None,
           include_failed_runs: bool = False, keep_gaps: bool = False) -> Series:
    """The values of one metric over time, for anomaly detection.

    A result contributes a point when it has a successful metric for ``analyzer``; a failed or
    missing metric is no point (Deequ drops missing values the same way). Results of runs that
    failed (``run_status`` "Error": an Error-level check did not pass) are left out unless
    ``include_failed_runs``, so one bad delivery does not become the baseline (Deequ #531).
    Dates and timestamps are days / seconds since the epoch. ``tags`` is a subset match: results
    of several tag sets interleave, ordered by (timestamp, tags); give all tags for one series.

    ``keep_gaps=True``: every matching result gives a point, NaN where the above leaves it out
    (for strategies that need evenly spaced points, such as seasonal baselines)."""
    points: list[tuple[AnalysisResult, float]] = []
    for r in _query(repo, analyzer, tags, after, before).get():
        m = r.metric(analyzer)
        if (r.run_status == FAILED_RUN and not include_failed_runs) or m is None or not m.is_success:
            if keep_gaps:
                points.append((r, math.nan))
            continue
        points.append((r, _scalar(analyzer, m)))
    return Series([r.key.timestamp for r, _ in points], [v for _, v in points])
