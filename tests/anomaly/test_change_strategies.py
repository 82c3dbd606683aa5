"""SimpleThreshold, AbsoluteChange, RelativeRateOfChange and RateOfChange on series whose anomalies
are known by construction; expected changes and ranges written out from the definitions
(DEEQU.md section c), never by calling the strategy.
"""

from __future__ import annotations

import math
import sys

import pytest

from dq.anomaly import (
    AbsoluteChangeStrategy,
    Anomaly,
    RateOfChangeStrategy,
    RelativeRateOfChangeStrategy,
    SimpleThresholdStrategy,
)

# a linear series 10, 12, 14, ... with one spike of +30 at index 6
LINEAR = [10.0 + 2 * i for i in range(12)]
SPIKED = list(LINEAR)
SPIKED[6] += 30  # 22 -> 52


def indices(anomalies: list[Anomaly]) -> list[int]:
    return [a.index for a in anomalies]


# -- SimpleThreshold ------------------------------------------------------------------------------


def test_threshold_bounds_are_accepted_values_beyond_are_anomalies():
    # Deequ: anomaly iff v < lower or v > upper (strict), so the bounds themselves pass
    series = [0.0, 10.0, -0.001, 10.001, 5.0]
    found = SimpleThresholdStrategy(0, 10).detect(series)
    # equality ignores the detail text, as Deequ's Anomaly does
    assert found == [Anomaly(2, -0.001, expected_range=(0, 10)), Anomaly(3, 10.001, expected_range=(0, 10))]
    assert found[0].detail == "value -0.001 is outside the expected range [0, 10] (SimpleThreshold)"


def test_threshold_one_sided_and_search_interval():
    series = [100.0, 1.0, 200.0, 300.0, 2.0]
    assert indices(SimpleThresholdStrategy(upper_bound=150).detect(series)) == [2, 3]
    assert indices(SimpleThresholdStrategy(lower_bound=50).detect(series)) == [1, 4]
    # [start, end): index 3 is the end and is not searched
    assert indices(SimpleThresholdStrategy(upper_bound=150).detect(series, (1, 3))) == [2]
    assert SimpleThresholdStrategy(upper_bound=150).detect(series, (2, 2)) == []
    assert SimpleThresholdStrategy(upper_bound=150).detect(series, (10, None)) == []
    assert SimpleThresholdStrategy(upper_bound=150).detect(series, (0, 10_000)) == SimpleThresholdStrategy(
        upper_bound=150
    ).detect(series)


# -- AbsoluteChange -------------------------------------------------------------------------------


def test_absolute_change_order_1_flags_the_jump_up_and_the_jump_back():
    # first differences: 2 everywhere except 52 - 14... i.e. d[6] = 52 - 20 = 32, d[7] = 24 - 52 = -28
    strategy = AbsoluteChangeStrategy(-5, 5)
    found = strategy.detect(SPIKED)
    assert indices(found) == [6, 7]
    assert [a.value for a in found] == [52.0, 24.0]
    # expected range of x[i] = x[i-1] + [-5, 5]
    assert found[0].expected_range == (20 - 5, 20 + 5)
    assert found[1].expected_range == (52 - 5, 52 + 5)
    assert found[0].detail == "value 52 is outside the expected range [15, 25] (AbsoluteChange, order 1: change +32, allowed [-5, 5])"
    assert strategy.detect(LINEAR) == []


def test_absolute_change_order_2_flags_the_spike_and_its_two_neighbours():
    # second differences x[i] - 2 x[i-1] + x[i-2] of a linear series are 0; the spike s = 30 at 6
    # gives +s at 6, -2s at 7 and +s at 8
    second = {i: SPIKED[i] - 2 * SPIKED[i - 1] + SPIKED[i - 2] for i in range(2, len(SPIKED))}
    assert {i: d for i, d in second.items() if d} == {6: 30.0, 7: -60.0, 8: 30.0}
    found = AbsoluteChangeStrategy(-1, 1, order=2).detect(SPIKED)
    assert indices(found) == [6, 7, 8]
    # range of x[i]: the value for which the second difference is within [-1, 1]
    for a in found:
        i = a.index
        base = 2 * SPIKED[i - 1] - SPIKED[i - 2]
        assert a.expected_range == (base - 1, base + 1)
    # one-sided: only increases beyond 1 are anomalies
    assert indices(AbsoluteChangeStrategy(max_rate_increase=1, order=2).detect(SPIKED)) == [6, 8]
    assert indices(AbsoluteChangeStrategy(max_rate_decrease=-1, order=2).detect(SPIKED)) == [7]


def test_absolute_change_order_0_is_a_threshold():
    assert indices(AbsoluteChangeStrategy(0, 40, order=0).detect(SPIKED)) == [6]


def test_change_strategy_uses_points_before_the_interval_but_searches_only_inside():
    strategy = AbsoluteChangeStrategy(-5, 5)
    # interval [7, 12): index 7's change uses index 6 (before the interval), index 6 is not searched
    assert indices(strategy.detect(SPIKED, (7, None))) == [7]
    # order 2 with the interval starting at 8: slice from 6, first change at 8
    assert indices(AbsoluteChangeStrategy(-1, 1, order=2).detect(SPIKED, (8, 12))) == [8]
    # the first `order` points of the series have no change and are never searched
    assert AbsoluteChangeStrategy(-1, 1, order=2).evaluate([100.0, 0.0, 5.0], (0, None))[0].index == 2
    assert AbsoluteChangeStrategy(-1, 1, order=3).detect([1.0, 50.0, 1.0]) == []
    assert strategy.detect([]) == []


def test_missing_values_are_dropped_before_differencing():
    # None / NaN are not points: the change at index 3 is 24 - 20 across the gap
    series = [16.0, 18.0, 20.0, None, 24.0, math.nan, 100.0]
    found = AbsoluteChangeStrategy(-5, 5).detect(series)
    assert indices(found) == [6]  # 100 - 24; positions refer to the caller's list
    assert found[0].expected_range == (19.0, 29.0)
    # a search interval counts the caller's positions: [4, 7) holds 24 and 100
    assert indices(AbsoluteChangeStrategy(-5, 5).detect(series, (4, 7))) == [6]
    assert AbsoluteChangeStrategy(-5, 5).detect(series, (3, 4)) == []


# -- RelativeRateOfChange -------------------------------------------------------------------------


def test_relative_rate_of_change_order_1_and_2():
    series = [100.0, 105.0, 110.0, 55.0, 60.0, 63.0, 66.0]
    ratio1 = {i: series[i] / series[i - 1] for i in range(1, len(series))}
    expected1 = [i for i, r in ratio1.items() if r < 0.9 or r > 1.1]
    assert expected1 == [3]  # 55/110 = 0.5; 60/55 = 1.09 is within 10 %
    found = RelativeRateOfChangeStrategy(0.9, 1.1).detect(series)
    assert indices(found) == expected1
    assert found[0].expected_range == pytest.approx((0.9 * 110, 1.1 * 110), rel=1e-15)
    assert "ratio 0.5, allowed [0.9, 1.1]" in found[0].detail

    # order 2 is ONE ratio with the value two steps back, not a ratio of ratios
    ratio2 = {i: series[i] / series[i - 2] for i in range(2, len(series))}
    expected2 = [i for i, r in ratio2.items() if r < 0.9 or r > 1.1]
    assert expected2 == [3, 4, 5]  # 55/105, 60/110, 63/55 = 1.145 (66/60 = 1.1 is on the limit)
    assert indices(RelativeRateOfChangeStrategy(0.9, 1.1, order=2).detect(series)) == expected2


def test_relative_rate_of_change_division_by_zero():
    # x / 0 = inf: an anomaly even without an increase limit (Deequ compares with Double.MaxValue);
    # 0 / 0 = NaN: never an anomaly
    series = [5.0, 0.0, 0.0, 3.0]
    found = RelativeRateOfChangeStrategy(max_rate_decrease=0.5).detect(series)
    assert indices(found) == [1, 3]
    assert found[1].expected_range == (0.0, 0.0)
    # negative reference: x / -10 within [0.9, 1.1] means x in [-11, -9]
    found = RelativeRateOfChangeStrategy(0.9, 1.1).detect([-10.0, -20.0])
    assert found[0].expected_range == pytest.approx((-11.0, -9.0))


# -- RateOfChange (deprecated alias) --------------------------------------------------------------


def test_rate_of_change_is_absolute_change_and_warns():
    with pytest.warns(DeprecationWarning, match="AbsoluteChangeStrategy"):
        old = RateOfChangeStrategy(-5, 5)
    assert old.detect(SPIKED) == AbsoluteChangeStrategy(-5, 5).detect(SPIKED)
    with pytest.warns(DeprecationWarning):
        old2 = RateOfChangeStrategy(-1, 1, order=2)
    assert indices(old2.detect(SPIKED)) == [6, 7, 8]


def test_missing_limit_is_deequs_max_value():
    # an infinite change exceeds Double.MaxValue: flagged even on the side without a limit
    assert indices(AbsoluteChangeStrategy(max_rate_decrease=-5).detect([1.0, math.inf])) == [1]
    assert AbsoluteChangeStrategy(max_rate_decrease=-5).detect([1.0, sys.float_info.max / 2]) == []
