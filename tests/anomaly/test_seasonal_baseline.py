"""SeasonalNormalStrategy on hourly series: each hour against the same hour of previous days
(period 24) or of the same weekday in previous weeks (period 168). Expected ranges computed in
the test from the definition: the values at i - period, i - 2 period, ... and the normal
prediction interval mean ± t(n-1) * sd * sqrt(1 + 1/n) at the factor's tail probability.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats

from dq.anomaly import AnomalyDetector, NotEnoughHistoryError, OnlineNormalStrategy, SeasonalNormalStrategy, check_newest_point


def daily_cycle(hour: int) -> float:
    """Deliveries per hour: about 200 at night, 1,000 at 15:00."""
    return 200 + 800 * math.exp(-(((hour - 15) / 4) ** 2))


def hourly_series(days: int, seed: int = 3, weekend_factor: float = 1.0) -> list[float]:
    rng = np.random.default_rng(seed)
    out = []
    for t in range(24 * days):
        day, hour = divmod(t, 24)
        level = daily_cycle(hour) * (weekend_factor if day % 7 in (5, 6) else 1.0)
        out.append(level * (1 + 0.03 * rng.standard_normal()))
    return out


def same_phase(xs, i, period, cycles=None):
    k_max = i // period if cycles is None else min(i // period, cycles)
    return [xs[i - k * period] for k in range(1, k_max + 1) if not math.isnan(xs[i - k * period])]


def prediction_interval(values, factor=3.0):
    n = len(values)
    mean, sd = statistics.fmean(values), statistics.stdev(values)
    half = stats.t.ppf(stats.norm.cdf(factor), n - 1) * sd * math.sqrt(1 + 1 / n)
    return mean - half, mean + half


def test_a_value_normal_at_3pm_is_anomalous_at_3am():
    history = hourly_series(7)  # one week, ends at 23:00 of day 7
    three_am, three_pm = 7 * 24 + 3, 7 * 24 + 15
    peak = daily_cycle(15)  # the 15:00 volume
    series = history + [daily_cycle(h) for h in range(24)]  # day 8, normal values
    series[three_am] = peak
    strategy = SeasonalNormalStrategy(period=24)

    found = strategy.detect(series, (7 * 24, None))
    assert [a.index for a in found] == [three_am]
    baseline = same_phase(series, three_am, 24)
    assert len(baseline) == 7
    assert found[0].expected_range == pytest.approx(prediction_interval(baseline), rel=1e-9)
    assert found[0].detail.endswith("(SeasonalNormal, period 24: 7 previous cycles, 3.0 sd prediction interval)")
    # the same value at 15:00 is normal
    evaluations = {e.index: e for e in strategy.evaluate(series, (7 * 24, None))}
    assert not evaluations[three_pm].is_anomaly
    assert evaluations[three_pm].value == peak

    # why a seasonal baseline: OnlineNormal pools all hours and finds nothing wrong at 03:00
    assert check_newest_point(OnlineNormalStrategy(), series[:three_am], peak).passed
    result = check_newest_point(strategy, series[:three_am], peak, metric="Size")
    assert not result.passed
    assert result.message.startswith("Size 1,000 is outside the expected range [")


def test_weekly_period_compares_saturday_with_saturdays():
    # four weeks with quiet weekends (30 % of the weekday volume); day 28 is a Monday... so the
    # newest point is Saturday 15:00 of week 4 (day 26) with a weekday's volume
    series = hourly_series(27, seed=8, weekend_factor=0.3)
    i = 26 * 24 + 15
    assert (i // 24) % 7 == 5  # a Saturday
    history, new = series[:i], daily_cycle(15)

    weekly = SeasonalNormalStrategy(period=168)
    saturdays = same_phase([*history, new], i, 168)
    assert len(saturdays) == 3
    lo, hi = prediction_interval(saturdays)
    assert not (lo <= new <= hi)
    assert not check_newest_point(weekly, history, new).passed

    # against every previous day at 15:00 (weekdays and weekends mixed) the value looks normal
    daily = SeasonalNormalStrategy(period=24)
    every_day = same_phase([*history, new], i, 24)
    lo, hi = prediction_interval(every_day)
    assert lo <= new <= hi
    assert check_newest_point(daily, history, new).passed


def test_max_cycles_and_ignore_anomalies():
    series = hourly_series(10)
    series[8 * 24 + 3] = series[9 * 24 + 3] = 1000.0  # two nights in a row
    interval = (8 * 24, None)
    # both nights flagged: the first one is kept out of the second one's baseline
    assert [a.index for a in SeasonalNormalStrategy().detect(series, interval)] == [8 * 24 + 3, 9 * 24 + 3]
    evaluation = {e.index: e for e in SeasonalNormalStrategy().evaluate(series, interval)}[9 * 24 + 3]
    assert "period 24: 8 previous cycles," in evaluation.reason
    clean_nights = [series[d * 24 + 3] for d in range(8)]
    assert evaluation.expected_range == pytest.approx(prediction_interval(clean_nights), rel=1e-9)
    # without ignore_anomalies the first night joins the baseline of the second
    kept = {e.index: e for e in SeasonalNormalStrategy(ignore_anomalies=False).evaluate(series, interval)}[9 * 24 + 3]
    nights = same_phase(series, 9 * 24 + 3, 24)
    assert len(nights) == 9
    assert kept.expected_range == pytest.approx(prediction_interval(nights), rel=1e-9)
    # max_cycles: only the 4 latest same-hour values
    recent = {e.index: e for e in SeasonalNormalStrategy(max_cycles=4).evaluate(series, interval)}[8 * 24 + 10]
    last4 = same_phase(series, 8 * 24 + 10, 24, cycles=4)
    assert recent.expected_range == pytest.approx(prediction_interval(last4), rel=1e-9)


def test_missing_values_keep_phases_aligned():
    series: list[float | None] = list(hourly_series(5))
    series[2 * 24 + 3] = None  # a missing night in the baseline
    series[4 * 24 + 5] = math.nan  # a missing point in the search interval
    series[4 * 24 + 3] = 1000.0
    strategy = SeasonalNormalStrategy(period=24)
    evaluations = {e.index: e for e in strategy.evaluate(series, (4 * 24, None))}
    assert 4 * 24 + 5 not in evaluations  # missing: not judged
    night = evaluations[4 * 24 + 3]
    assert night.is_anomaly
    assert "period 24: 3 previous cycles," in night.reason  # 4 days minus the missing one
    # every hour still compares with its own hour (positions were not shifted by the gaps)
    as_floats = [math.nan if v is None else v for v in series]
    for i, e in evaluations.items():
        assert e.expected_range == pytest.approx(prediction_interval(same_phase(as_floats, i, 24)), rel=1e-9)
    # AnomalyDetector keeps gaps for this strategy too
    points = [(t, v) for t, v in enumerate(series)]
    detected = AnomalyDetector(strategy).detect_anomalies_in_history(points, (96, None)).anomalies
    assert [a.timestamp for a in detected] == [a.index for a in strategy.detect(series, (96, None))]


def test_needs_min_cycles_before_the_interval():
    series = hourly_series(4)
    with pytest.raises(NotEnoughHistoryError, match=r"at least 3 full periods \(72 points\).*found 71"):
        SeasonalNormalStrategy().detect(series, (71, None))
    assert SeasonalNormalStrategy().detect(series, (72, None)) == []
    with pytest.raises(NotEnoughHistoryError, match=r"2 full periods \(336 points\)"):
        SeasonalNormalStrategy(period=168, min_cycles=2).detect(series, (90, None))
    result = check_newest_point(SeasonalNormalStrategy(), series[:50], 1.0, metric="Size")
    assert not result.passed
    assert "Size: SeasonalNormalStrategy(period=24) needs at least 3 full periods" in result.message
