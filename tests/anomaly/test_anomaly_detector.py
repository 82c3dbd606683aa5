"""AnomalyDetector (Deequ's AnomalyDetectorTest cases, with a recording strategy in place of its
mock) and check_newest_point, the verdict an anomaly check gives on a new metric value.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pytest

from dq.anomaly import (
    AbsoluteChangeStrategy,
    AnomalyDetectionStrategy,
    AnomalyDetector,
    Evaluation,
    HoltWinters,
    NotEnoughHistoryError,
    OnlineNormalStrategy,
    SimpleThresholdStrategy,
    check_newest_point,
)
from dq.errors import InvalidOptionError


@dataclass(frozen=True)
class Recording(AnomalyDetectionStrategy):
    """Records what it is asked and flags the indices it is told to."""

    flag: tuple[int, ...] = ()
    calls: list = field(default_factory=list, compare=False)
    label = "Recording"

    def evaluate(self, values, search_interval=(0, None)):
        self.calls.append((list(values), tuple(search_interval)))
        return [Evaluation(i, values[i], (0.0, 0.0), True, "flagged") for i in self.flag]

    def _evaluate(self, series, start, end):  # pragma: no cover - evaluate is overridden
        raise AssertionError


DATA = [(0, -1.0), (1, 2.0), (2, 3.0), (3, 0.5)]


def test_missing_values_are_dropped_before_the_strategy_runs():
    fake = Recording(flag=(1,))
    result = AnomalyDetector(fake).detect_anomalies_in_history([(0, 1.0), (1, 2.0), (2, None), (3, 1.0)], (0, 4))
    assert fake.calls == [([1.0, 2.0, 1.0], (0, 3))]
    assert [(a.timestamp, a.value) for a in result.anomalies] == [(1, 2.0)]
    assert not result.passed


def test_time_interval_maps_to_indices_start_inclusive_end_exclusive():
    fake = Recording(flag=(2,))
    AnomalyDetector(fake).detect_anomalies_in_history(DATA, (2, 4))
    assert fake.calls[-1] == ([-1.0, 2.0, 3.0, 0.5], (2, 4))
    gaps = [(200 * i, 5.0) for i in range(1, 11)]
    fake = Recording(flag=(0, 1))
    result = AnomalyDetector(fake).detect_anomalies_in_history(gaps, (200, 401))
    assert fake.calls[-1][1] == (0, 2)
    assert [a.timestamp for a in result.anomalies] == [200, 400]
    with pytest.raises(InvalidOptionError, match="search_interval"):
        AnomalyDetector(fake).detect_anomalies_in_history(DATA, (4, 2))


def test_points_are_sorted_by_time():
    unordered = [(10, -1.0), (25, 2.0), (11, 3.0), (0, 0.5)]
    fake = Recording(flag=(1, 2, 3))
    result = AnomalyDetector(fake).detect_anomalies_in_history(unordered)
    assert fake.calls[-1] == ([0.5, -1.0, 3.0, 2.0], (0, 4))
    assert [a.timestamp for a in result.anomalies] == [10, 11, 25]
    real = AnomalyDetector(SimpleThresholdStrategy(-0.5, 1.0)).detect_anomalies_in_history(unordered)
    assert [(a.timestamp, a.value) for a in real.anomalies] == [(10, -1.0), (11, 3.0), (25, 2.0)]
    assert real.message.startswith("10: value -1 is outside the expected range [-0.5, 1] (SimpleThreshold)")


def test_newest_point_with_datetimes_and_missing_history_values():
    day = dt.datetime(2026, 11, 1)
    history = [(day + dt.timedelta(days=d), 100.0 + d) for d in range(10)][::-1]
    history.append((day + dt.timedelta(days=10), None))  # a failed run
    detector = AnomalyDetector(AbsoluteChangeStrategy(-5, 5))
    ok = detector.is_newest_point_non_anomalous(history, (day + dt.timedelta(days=11), 112.0))
    assert ok.passed
    assert ok.message == "value 112 is within the expected range [104, 114] (AbsoluteChange, order 1: change +3, allowed [-5, 5])"
    assert ok.expected_range == (104.0, 114.0)
    bad = detector.is_newest_point_non_anomalous(history, (day + dt.timedelta(days=11), 150.0))
    assert not bad.passed
    assert [a.timestamp for a in bad.anomalies] == [day + dt.timedelta(days=11)]
    assert bad.message.startswith("value 150 is outside the expected range [104, 114]")


def test_newest_point_requirements():
    detector = AnomalyDetector(OnlineNormalStrategy())
    with pytest.raises(NotEnoughHistoryError, match="previous results"):
        detector.is_newest_point_non_anomalous([], (1, 1.0))
    with pytest.raises(InvalidOptionError, match=r"later than the whole history \(0 to 3\)"):
        detector.is_newest_point_non_anomalous(DATA, (3, 1.0))
    missing = detector.is_newest_point_non_anomalous(DATA, (4, None))
    assert not missing.passed and "missing" in missing.message
    with pytest.raises(NotEnoughHistoryError):
        AnomalyDetector(HoltWinters("daily", "weekly")).is_newest_point_non_anomalous(DATA, (4, 1.0))
    with pytest.raises(InvalidOptionError, match="strategy"):
        AnomalyDetector("OnlineNormal")


def test_check_newest_point_gives_a_verdict_and_never_raises_for_the_data():
    history = [3.60e6, 3.70e6, 3.75e6, 3.80e6, 3.70e6, 3.65e6, 3.72e6, 3.68e6, 3.71e6, 3.74e6]
    strategy = OnlineNormalStrategy()
    failed = check_newest_point(strategy, history, 1_204_311, metric="Size")
    assert not failed.passed
    assert failed.message.startswith("Size 1,204,311 is outside the expected range [")
    assert failed.message.endswith("(OnlineNormal, 3.0 sd)")
    lo, hi = failed.expected_range
    assert failed.anomalies[0].expected_range == (lo, hi) and not lo <= 1_204_311 <= hi
    passed = check_newest_point(strategy, history, 3.7e6, metric="Size")
    assert passed.passed and passed.message.startswith("Size 3,700,000 is within the expected range")
    # (timestamp, value) pairs in any order, None for failed runs: same verdict
    pairs = [(t, v) for t, v in enumerate(history)][::-1] + [(99, None)]
    assert check_newest_point(strategy, pairs, 1_204_311, metric="Size").message == failed.message

    empty = check_newest_point(strategy, [], 1.0, metric="Size")
    assert not empty.passed and "there have to be previous results" in empty.message
    missing = check_newest_point(strategy, history, math.nan, metric="Size")
    assert not missing.passed and missing.message == "Size is missing: nothing to check against its history"
    short = check_newest_point(HoltWinters("daily", "weekly"), history, 1.0, metric="Size")
    assert not short.passed and "needs at least two full periods (14 points)" in short.message
    # a new point the strategy cannot judge passes, as in Deequ, and says so
    unjudged = check_newest_point(AbsoluteChangeStrategy(-1, 1, order=2), [5.0], 100.0, metric="Size")
    assert unjudged.passed and "was not judged" in unjudged.message
