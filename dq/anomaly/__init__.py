"""Anomaly detection on a metric's history (Deequ's ``anomalydetection``).

A strategy judges a series of metric values, oldest first::

    from dq.anomaly import OnlineNormalStrategy
    OnlineNormalStrategy().detect([3.6e6, 3.7e6, 3.8e6, ..., 1.2e6], search_interval=(20, None))
    # [Anomaly(index=24, value=1200000.0, expected_range=(3.41e6, 4.07e6), detail="value 1,200,000 is
    #   outside the expected range [3.41M, 4.07M] (OnlineNormal, 3.0 sd)")]

``AnomalyDetector(strategy)`` does the same on (timestamp, value) points, and
``check_newest_point(strategy, history, new_value, metric="Size")`` gives the pass/fail verdict and
message of an anomaly check.

Strategies (Deequ's parameters in snake_case; semantics in each docstring and in
../shared/reference/DEEQU.md section c): SimpleThresholdStrategy, AbsoluteChangeStrategy,
RelativeRateOfChangeStrategy, RateOfChangeStrategy (deprecated), OnlineNormalStrategy,
BatchNormalStrategy, HoltWinters; beyond Deequ SeasonalNormalStrategy (same hour of previous days
or weeks) and HoltWinters on hourly data (periods 24 and 168).
"""

from dq.anomaly.base import Anomaly, AnomalyDetectionStrategy, Evaluation, NotEnoughHistoryError
from dq.anomaly.change import AbsoluteChangeStrategy, RateOfChangeStrategy, RelativeRateOfChangeStrategy
from dq.anomaly.detector import AnomalyDetector, DetectionResult, check_newest_point
from dq.anomaly.holt_winters import NORMAL_95_FACTOR, HoltWinters, HoltWintersFit, MetricInterval, SeriesSeasonality
from dq.anomaly.normal import BatchNormalStrategy, OnlineNormalStrategy, RunningStats
from dq.anomaly.seasonal import SeasonalNormalStrategy
from dq.anomaly.threshold import SimpleThresholdStrategy

__all__ = [
    "AbsoluteChangeStrategy",
    "Anomaly",
    "AnomalyDetectionStrategy",
    "AnomalyDetector",
    "BatchNormalStrategy",
    "DetectionResult",
    "Evaluation",
    "HoltWinters",
    "HoltWintersFit",
    "MetricInterval",
    "NORMAL_95_FACTOR",
    "NotEnoughHistoryError",
    "OnlineNormalStrategy",
    "RateOfChangeStrategy",
    "RelativeRateOfChangeStrategy",
    "RunningStats",
    "SeasonalNormalStrategy",
    "SeriesSeasonality",
    "SimpleThresholdStrategy",
    "check_newest_point",
]
