"""dq.anomaly's public surface: the pinned ``__all__``, frozen strategies, parameter validation
(InvalidOptionError naming the parameter, what was expected and what was found), search
intervals, values, missing values and message formatting.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

import dq.anomaly as anomaly
from dq.anomaly import (
    AbsoluteChangeStrategy,
    Anomaly,
    AnomalyDetector,
    BatchNormalStrategy,
    Evaluation,
    HoltWinters,
    OnlineNormalStrategy,
    RelativeRateOfChangeStrategy,
    SeasonalNormalStrategy,
    SimpleThresholdStrategy,
)
from dq.anomaly._format import compact, full
from dq.errors import InvalidOptionError


def test_public_api_is_pinned():
    assert sorted(anomaly.__all__) == [
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
    for name in anomaly.__all__:
        assert hasattr(anomaly, name)


def test_strategies_are_frozen_values():
    strategy = OnlineNormalStrategy(2.0, 2.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        strategy.lower_deviation_factor = 1.0
    assert strategy == OnlineNormalStrategy(lower_deviation_factor=2.0, upper_deviation_factor=2.5)
    assert len({strategy, OnlineNormalStrategy(2.0, 2.5), BatchNormalStrategy(2.0, 2.5)}) == 2
    assert AnomalyDetector(strategy) == AnomalyDetector(OnlineNormalStrategy(2.0, 2.5))


# (constructor, parameter named in the error, expected text in the message)
BAD_PARAMETERS = [
    (lambda: SimpleThresholdStrategy(), "upper_bound", "at least one bound"),
    (lambda: SimpleThresholdStrategy(5, 1), "lower_bound", "<= upper_bound (1)"),
    (lambda: SimpleThresholdStrategy("0", 1), "lower_bound", "a number"),
    (lambda: SimpleThresholdStrategy(math.nan, 1), "lower_bound", "a number"),
    (lambda: AbsoluteChangeStrategy(), "max_rate_increase", "at least one limit"),
    (lambda: AbsoluteChangeStrategy(5, 1), "max_rate_decrease", "<= max_rate_increase (1)"),
    (lambda: AbsoluteChangeStrategy(-1, 1, order=-1), "order", "an integer >= 0"),
    (lambda: AbsoluteChangeStrategy(-1, 1, order=1.0), "order", "an integer >= 0"),
    (lambda: AbsoluteChangeStrategy(-1, 1, order=True), "order", "an integer >= 0"),
    (lambda: RelativeRateOfChangeStrategy(0.9, 1.1, order=0), "order", "an integer >= 1"),
    (lambda: OnlineNormalStrategy(None, None), "upper_deviation_factor", "at least one factor"),
    (lambda: OnlineNormalStrategy(-1.0, 3.0), "lower_deviation_factor", "a number >= 0 or None"),
    (lambda: OnlineNormalStrategy(ignore_start_percentage=1.5), "ignore_start_percentage", "in [0, 1]"),
    (lambda: OnlineNormalStrategy(ignore_start_percentage=-0.1), "ignore_start_percentage", "in [0, 1]"),
    (lambda: OnlineNormalStrategy(ignore_anomalies="yes"), "ignore_anomalies", "True or False"),
    (lambda: BatchNormalStrategy(3.0, -1.0), "upper_deviation_factor", ">= 0"),
    (lambda: BatchNormalStrategy(include_interval=1), "include_interval", "True or False"),
    (lambda: HoltWinters("daily", "fortnightly"), "series_seasonality", "SeriesSeasonality.WEEKLY"),
    (lambda: HoltWinters("daily", "weekly", deviation_factor=-1), "deviation_factor", ">= 0"),
    (lambda: HoltWinters("daily", "weekly", deviation_factor=math.inf), "deviation_factor", "a finite number"),
    (lambda: SeasonalNormalStrategy(period=1), "period", "an integer >= 2"),
    (lambda: SeasonalNormalStrategy(min_cycles=1), "min_cycles", "an integer >= 2"),
    (lambda: SeasonalNormalStrategy(min_cycles=4, max_cycles=3), "max_cycles", ">= min_cycles (4)"),
    (lambda: SeasonalNormalStrategy(lower_deviation_factor=None, upper_deviation_factor=None), "upper_deviation_factor", "at least one"),
]


@pytest.mark.parametrize("make, option, expected", BAD_PARAMETERS)
def test_invalid_parameters_name_the_option_expected_and_found(make, option, expected):
    with pytest.raises(InvalidOptionError) as info:
        make()
    assert info.value.option == option
    assert expected in str(info.value)
    assert "but found" in str(info.value)


STRATEGIES = [
    SimpleThresholdStrategy(0, 10),
    AbsoluteChangeStrategy(-1, 1),
    RelativeRateOfChangeStrategy(0.9, 1.1),
    OnlineNormalStrategy(),
    BatchNormalStrategy(),
    HoltWinters("daily", "weekly"),
    SeasonalNormalStrategy(period=2, min_cycles=2),
]


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("interval", [(3, 1), (-1, None), (0.5, 2), (0,), "0:5", (0, -1)])
def test_invalid_search_intervals(strategy, interval):
    with pytest.raises(InvalidOptionError) as info:
        strategy.detect([1.0] * 20, interval)
    assert info.value.option == "search_interval"


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: type(s).__name__)
def test_invalid_values(strategy):
    with pytest.raises(InvalidOptionError, match="values"):
        strategy.detect("1,2,3")
    with pytest.raises(InvalidOptionError, match=r"values\[1\]"):
        strategy.detect([1.0, "2"])
    with pytest.raises(InvalidOptionError, match=r"values\[0\]"):
        strategy.detect([True, 1.0])


@pytest.mark.parametrize(
    "strategy", [s for s in STRATEGIES if s.drops_missing], ids=lambda s: type(s).__name__
)
def test_missing_values_are_not_points(strategy):
    # the result on a series with gaps is the result on the series without them, at the caller's
    # positions
    base = [10.0, 11.0, 10.5, 10.8, 11.2, 10.9, 10.4, 11.1, 10.7, 10.6, 11.0, 10.9, 10.8, 10.5, 11.3, 10.9, 25.0]
    with_gaps = [*base[:5], None, *base[5:10], math.nan, *base[10:]]
    positions = [i for i, v in enumerate(with_gaps) if v is not None and not math.isnan(v)]
    start = 14
    expected = strategy.detect(base, (start, None))
    got = strategy.detect(with_gaps, (positions[start], None))
    assert [a.index for a in got] == [positions[a.index] for a in expected]
    assert [(a.value, a.expected_range) for a in got] == [(a.value, a.expected_range) for a in expected]


def test_anomaly_equality_ignores_detail_and_messages_format_numbers():
    assert Anomaly(3, 1.0, detail="a") == Anomaly(3, 1.0, detail="b")
    e = Evaluation(7, 1_204_311.0, (3_412_345.6, 4_070_000.0), True, "OnlineNormal, 3.0 sd")
    assert e.message("Size") == "Size 1,204,311 is outside the expected range [3.41M, 4.07M] (OnlineNormal, 3.0 sd)"
    assert e.to_anomaly().expected_range == (3_412_345.6, 4_070_000.0)  # full precision kept
    assert [compact(v) for v in (999_600, 12_345, 1_234, 0.0012345, -2.5e9, 3e12, math.inf, -math.inf, 0)] == [
        "1M", "12.3K", "1,234", "0.00123", "-2.5B", "3T", "inf", "-inf", "0",
    ]  # fmt: skip
    assert [full(v) for v in (1_204_311, 0.953125, 1.5e-7, -42.0, math.nan)] == [
        "1,204,311", "0.953125", "1.5e-07", "-42", "NaN",
    ]  # fmt: skip
