"""Anomaly detection on a metric's history (Deequ's ``anomalydetection``).

A strategy judges a series of metric values, oldest first::

    from dq.anomaly import BatchNormalStrategy, check_newest_point
    sizes = [3.62e6, 3.71e6, 3.68e6, 3.75e6, 3.70e6, 3.66e6, 3.73e6, 3.69e6, 3.72e6, 3.74e6, 1.2e6]
    BatchNormalStrategy().detect(sizes, search_interval=(10, None))
    # [Anomaly(index=10, value=1200000.0, expected_range=(3581678.4..., 3818321.5...),
    #   detail='value 1,200,000 is outside the expected range [3.58M, 3.82M] (BatchNormal, 3.0 sd)')]
    check_newest_point(BatchNormalStrategy(), sizes[:-1], 1_204_311, metric="Size").message
    # 'Size 1,204,311 is outside the expected range [3.58M, 3.82M] (BatchNormal, 3.0 sd)'

``AnomalyDetector(strategy)`` does the same on (timestamp, value) points, and
``check_newest_point(strategy, history, new_value, metric="Size")`` gives the pass/fail verdict and
message of an anomaly check (``DetectionResult.passed`` / ``.message`` / ``.expected_range``).

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
