"""HoltWinters: Deequ's own test expectations (HoltWintersTest.scala, its random series rebuilt
with java.util.Random), a synthetic weekly-seasonal daily series with an injected anomaly, hourly
periods, and the fitted model against a reference written from fpp2's component form with the
closed-form h-step forecast ``level + h * trend + season``.
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from java_random import JavaRandom

from dq.anomaly import (
    NORMAL_95_FACTOR,
    HoltWinters,
    MetricInterval,
    NotEnoughHistoryError,
    SeriesSeasonality,
    check_newest_point,
)
from dq.errors import InvalidOptionError

DAILY_WEEKLY = HoltWinters(MetricInterval.DAILY, SeriesSeasonality.WEEKLY)
MONTHLY_YEARLY = HoltWinters(MetricInterval.MONTHLY, SeriesSeasonality.YEARLY)


def reference_model(x, p, alpha, beta, gamma, horizon):
    """One-step residuals of x and the next `horizon` forecasts, fpp2 section 7.3 with Deequ's
    initial state (level: mean of period 1; trend: (mean of period 2 - mean of period 1) / p;
    season: period 1 minus the level)."""
    level = statistics.fmean(x[:p])
    trend = (statistics.fmean(x[p : 2 * p]) - level) / p
    season = {i: x[i] - level for i in range(p)}
    residuals = []
    for t, y in enumerate(x):
        residuals.append(y - (level + trend + season[t]))
        new_level = alpha * (y - season[t]) + (1 - alpha) * (level + trend)
        new_trend = beta * (new_level - level) + (1 - beta) * trend
        season[t + p] = gamma * (y - level - trend) + (1 - gamma) * season[t]
        level, trend = new_level, new_trend
    n = len(x)
    # season of time n + h - 1: the latest estimate of that phase, s_{n+h-1-p*k} with index < n + p
    forecasts = []
    for h in range(1, horizon + 1):
        t = n + h - 1
        while t >= n + p:
            t -= p
        forecasts.append(level + h * trend + season[t])
    return residuals, forecasts


def rss(x, p, params):
    residuals, _ = reference_model(x, p, *params, 0)
    return sum(r * r for r in residuals)


# -- Deequ's HoltWintersTest ----------------------------------------------------------------------


def two_weeks_of_data():
    rng = JavaRandom(42)
    return [v + rng.next_gaussian() for v in [1, 1, 1.2, 1.3, 1.5, 2.1, 1.9] * 2]


MILK = [  # monthly milk production, pounds per cow, Jan 62 - Dec 65 (Deequ's test data)
    589, 561, 640, 656, 727, 697, 640, 599, 568, 577, 553, 582,
    600, 566, 653, 673, 742, 716, 660, 617, 583, 587, 565, 598,
    628, 618, 688, 705, 770, 736, 678, 639, 604, 611, 594, 634,
    658, 622, 709, 722, 782, 756, 702, 653, 615, 621, 602, 635,
]  # fmt: skip
CARS = [  # monthly car sales in Quebec, 1960 - 1963 (Deequ's test data)
    6550, 8728, 12026, 14395, 14587, 13791, 9498, 8251, 7049, 9545, 9364, 8456,
    7237, 9374, 11837, 13784, 15926, 13821, 11143, 7975, 7610, 10015, 12759, 8816,
    10677, 10947, 15200, 17010, 20900, 16205, 12143, 8997, 5568, 11474, 12256, 10583,
    10862, 10965, 14405, 20379, 20128, 17816, 12268, 8642, 7962, 13932, 15936, 12628,
]  # fmt: skip


def test_deequ_expectations_daily_weekly():
    two_weeks = two_weeks_of_data()
    assert DAILY_WEEKLY.detect([*two_weeks, two_weeks[0]], (14, 15)) == []
    assert [a.index for a in DAILY_WEEKLY.detect([*two_weeks, 0.0], (14, None))] == [14]
    assert DAILY_WEEKLY.detect(two_weeks + two_weeks, (26, None)) == []
    assert DAILY_WEEKLY.detect([1.0] * 21, (14, None)) == []
    assert [a.index for a in DAILY_WEEKLY.detect([1.0] * 20 + [0.0], (14, None))] == [20]
    assert DAILY_WEEKLY.detect([float(t) for t in range(48)], (36, None)) == []
    seasonal_linear = [math.sin(2 * math.pi / 7 * t) + t for t in range(48)]
    assert DAILY_WEEKLY.detect(seasonal_linear, (36, None)) == []
    wrong_training = [0.0, 1, 1, 1, 1, 1, 1] * 2 + [1.0] * 7
    assert [a.index for a in DAILY_WEEKLY.detect(wrong_training, (14, 21))] == [14]
    # an interval beyond the series searches nothing
    assert DAILY_WEEKLY.detect(two_weeks, (100, 110)) == []


def test_deequ_expectations_monthly_yearly():
    assert len(MONTHLY_YEARLY.detect(MILK, (36, 48))) == 7
    assert len(MONTHLY_YEARLY.detect(CARS, (36, 48))) == 3


# -- the model against the reference --------------------------------------------------------------


def weekly_daily_series(weeks=8, seed=5):
    rng = np.random.default_rng(seed)
    pattern = [0, 40, 60, 50, 30, -120, -160]  # weekdays busy, weekend quiet
    return [1000 + 2 * t + pattern[t % 7] + 3 * rng.standard_normal() for t in range(7 * weeks)]


def test_fitted_model_matches_the_reference_and_is_a_local_optimum():
    x = weekly_daily_series()[:49]
    fit = DAILY_WEEKLY.fit(x, horizon=7)
    params = (fit.alpha, fit.beta, fit.gamma)
    assert all(0 <= v <= 1 for v in params)
    residuals, forecasts = reference_model(x, 7, *params, 7)
    assert fit.residuals.tolist() == pytest.approx(residuals, rel=1e-9, abs=1e-9)
    assert fit.forecasts.tolist() == pytest.approx(forecasts, rel=1e-9)
    # breeze.stats.stddev is the sample standard deviation, of the absolute residuals
    assert fit.threshold == pytest.approx(1.96 * statistics.stdev(abs(r) for r in residuals), rel=1e-9)
    # fitted: better than the starting point, and no better point nearby inside [0, 1]^3
    best = rss(x, 7, params)
    assert best < rss(x, 7, (0.3, 0.1, 0.1))
    for i in range(3):
        for step in (-0.02, 0.02):
            moved = list(params)
            moved[i] = min(1.0, max(0.0, moved[i] + step))
            assert best <= rss(x, 7, moved) * (1 + 1e-6)


def test_weekly_seasonal_daily_series_with_an_injected_anomaly():
    clean = weekly_daily_series()
    spiked = list(clean)
    spiked[52] -= 150  # a quiet Thursday
    found = DAILY_WEEKLY.detect(spiked, (49, 56))
    assert [a.index for a in found] == [52]
    # multi-step forecasts from the end of the training points, band 1.96 sd of |residuals|
    fit = DAILY_WEEKLY.fit(spiked[:49], horizon=7)
    forecast = fit.forecasts[52 - 49]
    assert found[0].expected_range == pytest.approx((forecast - fit.threshold, forecast + fit.threshold), rel=1e-12)
    assert "(HoltWinters, period 7: forecast" in found[0].detail
    # with the 95 % band the clean week has no anomaly and the injected one is still found
    band_95 = HoltWinters("daily", "weekly", NORMAL_95_FACTOR)
    assert band_95.detect(clean, (49, 56)) == []
    assert [a.index for a in band_95.detect(spiked, (49, 56))] == [52]
    # the newest-point check a suite runs: history then the new value
    assert not check_newest_point(DAILY_WEEKLY, spiked[:52], spiked[52], metric="Size").passed
    assert check_newest_point(band_95, clean[:52], clean[52], metric="Size").passed


def test_deequs_band_flags_a_quarter_of_clean_points_the_95_band_one_in_twenty():
    # sd(|r|) = σ sqrt(1 - 2/π) for normal residuals: Deequ's 1.96 sd(|r|) is ±1.18 σ, a two-sided
    # tail of 2 (1 - Φ(1.18)) = 24 %; NORMAL_95_FACTOR makes it ±1.96 σ (5 %). Newest-point checks
    # on 100 clean series; the bounds leave room for the sampling error (sd about 4 points).
    assert NORMAL_95_FACTOR == pytest.approx(3.2515, abs=1e-4)
    rng = np.random.default_rng(1)
    pattern = [0, 40, 60, 50, 30, -120, -160]
    deequ = band_95 = 0
    runs = 100
    for _ in range(runs):
        x = [1000 + 2 * t + pattern[t % 7] + 10 * rng.standard_normal() for t in range(57)]
        fit = DAILY_WEEKLY.fit(x[:56])
        deviation = abs(x[56] - fit.forecasts[0])
        deequ += deviation > fit.threshold
        band_95 += deviation > fit.threshold / 1.96 * NORMAL_95_FACTOR
    assert 0.13 < deequ / runs < 0.36
    assert band_95 / runs < 0.12


def hourly_daily_series(days, seed=9):
    rng = np.random.default_rng(seed)
    # a daily cycle: quiet at night, a peak at 15:00
    cycle = [200 + 800 * math.exp(-(((h - 15) / 4) ** 2)) for h in range(24)]
    return [cycle[t % 24] + 10 * rng.standard_normal() for t in range(24 * days)]


def test_hourly_daily_and_hourly_weekly_periods():
    hourly_daily = HoltWinters(MetricInterval.HOURLY, SeriesSeasonality.DAILY, deviation_factor=NORMAL_95_FACTOR)
    assert hourly_daily.period == 24
    x = hourly_daily_series(5)
    # newest-point checks (one-step forecasts) at 03:00 of day 5: the normal value passes, the
    # 15:00 volume at 03:00 fails
    assert check_newest_point(hourly_daily, x[:99], x[99]).passed
    result = check_newest_point(hourly_daily, x[:99], x[96 + 15])
    assert not result.passed
    assert result.expected_range[1] < 400 < x[96 + 15]
    # and over a whole day (multi-step forecasts, which widen nothing: Deequ's band is fixed)
    spiked = list(x)
    spiked[99] = x[96 + 15]
    assert 99 in [a.index for a in hourly_daily.detect(spiked, (96, 120))]

    hourly_weekly = HoltWinters("hourly", "weekly", NORMAL_95_FACTOR)
    assert hourly_weekly.period == 168
    with pytest.raises(NotEnoughHistoryError, match=r"two full periods \(336 points\).*found 335"):
        hourly_weekly.detect(hourly_daily_series(15), (335, None))
    assert hourly_weekly.detect(hourly_daily_series(15), (336, 340)) == []


def test_holt_winters_parameters_and_too_short_series():
    assert HoltWinters("daily", "weekly") == DAILY_WEEKLY
    assert HoltWinters("Monthly", "YEARLY") == MONTHLY_YEARLY
    with pytest.raises(InvalidOptionError, match="series_seasonality.*MONTHLY"):
        HoltWinters(MetricInterval.MONTHLY, SeriesSeasonality.WEEKLY)
    with pytest.raises(InvalidOptionError, match="metrics_interval.*MetricInterval.HOURLY"):
        HoltWinters("weekly", "daily")
    with pytest.raises(NotEnoughHistoryError, match=r"two full periods \(14 points\).*found 0"):
        DAILY_WEEKLY.detect([], (0, None))
    with pytest.raises(NotEnoughHistoryError, match="found 3"):
        DAILY_WEEKLY.detect([1.0, 2.0, 3.0, 4.0], (3, None))
    with pytest.raises(InvalidOptionError, match="start < end"):
        DAILY_WEEKLY.detect(two_weeks_of_data(), (1, 1))
    with pytest.raises(InvalidOptionError, match="search_interval"):
        DAILY_WEEKLY.detect(two_weeks_of_data(), (-2, -1))
