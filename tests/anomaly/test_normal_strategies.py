"""OnlineNormalStrategy and BatchNormalStrategy against reference statistics written out from
their definitions (two-pass means and standard deviations over explicitly kept points), and
against the numbers Deequ's own OnlineNormalStrategyTest expects (its series rebuilt with
java.util.Random).

OnlineNormal uses the population standard deviation of the points so far *including* the judged
point; BatchNormal the sample standard deviation of the points outside the search interval
(DEEQU.md quirk 5).
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from java_random import JavaRandom

from dq.anomaly import BatchNormalStrategy, NotEnoughHistoryError, OnlineNormalStrategy


def online_reference(xs, lower, upper, ignore_start=0.1, ignore_anomalies=True, interval=(0, None)):
    """Flagged indices and the (mean, population sd) each point was judged with, recomputed from
    scratch at every point over the points the statistics still contain."""
    start, end = interval[0], (len(xs) if interval[1] is None else interval[1])
    kept: list[float] = []
    flagged, stats = [], []
    for i, x in enumerate(xs):
        pool = [*kept, x]
        mean = sum(pool) / len(pool)
        sd = math.sqrt(sum((v - mean) ** 2 for v in pool) / len(pool))
        lo = -math.inf if lower is None else mean - lower * sd
        hi = math.inf if upper is None else mean + upper * sd
        searched = i >= len(xs) * ignore_start and start <= i < end
        anomalous = searched and not (lo <= x <= hi)
        if anomalous:
            flagged.append(i)
        if not (anomalous and ignore_anomalies):
            kept.append(x)
        stats.append((mean, sd, kept[:-1] if not anomalous or not ignore_anomalies else list(kept)))
    return flagged, stats


def normal_series_with_outliers():
    rng = np.random.default_rng(7)
    xs = (100 + 5 * rng.standard_normal(60)).tolist()
    xs[30] += 60
    xs[45] -= 50
    return xs


# -- OnlineNormal ---------------------------------------------------------------------------------


def test_online_normal_flags_the_outliers_with_the_running_population_statistics():
    xs = normal_series_with_outliers()
    flagged, stats = online_reference(xs, 3.0, 3.0)
    assert flagged == [30, 45]
    found = OnlineNormalStrategy().detect(xs)
    assert [a.index for a in found] == flagged
    for a in found:
        mean, sd, _ = stats[a.index]
        assert a.expected_range == pytest.approx((mean - 3 * sd, mean + 3 * sd), rel=1e-12)
    assert found[0].detail.endswith("(OnlineNormal, 3.0 sd)")
    # the statistics of every point: Welford's update equals the two-pass reference
    computed = OnlineNormalStrategy().compute_stats(xs)
    assert [s.is_anomaly for s in computed] == [i in flagged for i in range(len(xs))]
    for got, (mean, sd, _) in zip(computed, stats):
        assert got.mean == pytest.approx(mean, rel=1e-12)
        assert got.std_dev == pytest.approx(sd, rel=1e-9)


def test_online_normal_std_dev_is_population():
    rng = np.random.default_rng(3)
    xs = (rng.standard_normal(1000) * 50).tolist()
    last = OnlineNormalStrategy(ignore_anomalies=False).compute_stats(xs)[-1]
    assert last.mean == pytest.approx(np.mean(xs), rel=1e-9)
    assert last.std_dev == pytest.approx(np.std(xs, ddof=0), rel=1e-9)
    assert last.std_dev != pytest.approx(np.std(xs, ddof=1), rel=1e-6)


def test_online_normal_ignore_start_percentage():
    # a spike at index 15 of 40 nearly constant points: points with i < 40 * p are never judged
    xs = [10.0 + 0.01 * (i % 3) for i in range(40)]
    xs[15] = 20.0
    assert online_reference(xs, 3, 3, ignore_start=0.375)[0] == [15]  # 15 < 15.0 is false: judged
    assert [a.index for a in OnlineNormalStrategy(ignore_start_percentage=0.375).detect(xs)] == [15]
    assert online_reference(xs, 3, 3, ignore_start=0.4)[0] == []  # 15 < 16: not judged
    assert OnlineNormalStrategy(ignore_start_percentage=0.4).detect(xs) == []
    # ignored points are not in the evaluations at all; the percentage counts the whole series
    evaluated = OnlineNormalStrategy(ignore_start_percentage=0.4).evaluate(xs, (10, 20))
    assert [e.index for e in evaluated] == [16, 17, 18, 19]
    assert OnlineNormalStrategy(ignore_start_percentage=1.0).detect(xs) == []


def test_online_normal_ignore_anomalies_keeps_outliers_out_of_the_running_stats():
    rng = np.random.default_rng(11)
    xs = (10 + 0.1 * rng.standard_normal(30)).tolist()
    xs[20] = xs[21] = xs[22] = 20.0
    # excluded: each outlier is judged against the 20 normal points (plus itself)
    kept_flags, kept_stats = online_reference(xs, 3, 3, ignore_anomalies=True)
    assert kept_flags == [20, 21, 22]
    assert [a.index for a in OnlineNormalStrategy().detect(xs)] == [20, 21, 22]
    # included: the first outliers widen the baseline until the third one passes
    all_flags, _ = online_reference(xs, 3, 3, ignore_anomalies=False)
    assert all_flags == [20, 21]
    assert [a.index for a in OnlineNormalStrategy(ignore_anomalies=False).detect(xs)] == [20, 21]
    # after the run the statistics hold the 27 normal points only
    last = OnlineNormalStrategy().compute_stats(xs)[-1]
    normal = [x for i, x in enumerate(xs) if i not in (20, 21, 22)]
    assert last.mean == pytest.approx(statistics.fmean(normal), rel=1e-12)
    assert last.std_dev == pytest.approx(statistics.pstdev(normal), rel=1e-9)
    # Deequ's own case: 2.0 among ones is excluded, leaving mean 1 and sd 0
    last = OnlineNormalStrategy(1.5, 1.5, 0.2).compute_stats([1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0])[-1]
    assert (last.mean, last.std_dev) == (1.0, 0.0)


def test_online_normal_search_interval_points_outside_feed_the_stats_but_are_not_flagged():
    xs = normal_series_with_outliers()
    # the outlier at 30 is outside [40, 60): not flagged, and (not being an anomaly) it stays in
    # the statistics, widening the band at 45
    flagged, stats = online_reference(xs, 3, 3, interval=(40, None))
    found = OnlineNormalStrategy().detect(xs, (40, None))
    assert [a.index for a in found] == flagged
    mean, sd, _ = stats[45]
    assert 45 in flagged
    assert found[0].expected_range == pytest.approx((mean - 3 * sd, mean + 3 * sd), rel=1e-12)
    assert OnlineNormalStrategy().detect(xs, (31, 45)) == []


def test_online_normal_one_sided_factors():
    xs = normal_series_with_outliers()  # +60 at 30, -50 at 45
    assert [a.index for a in OnlineNormalStrategy(None, 3.0).detect(xs)] == online_reference(xs, None, 3)[0] == [30]
    assert [a.index for a in OnlineNormalStrategy(3.0, None).detect(xs)] == online_reference(xs, 3, None)[0] == [45]
    low = OnlineNormalStrategy(3.0, None).detect(xs)[0]
    assert low.expected_range[1] == math.inf
    assert low.detail.endswith("(OnlineNormal, 3.0 sd below)")
    assert OnlineNormalStrategy(2.0, 3.5).detect(xs)[0].detail.endswith("(OnlineNormal, 2.0 sd below, 3.5 sd above)")


def deequ_test_series():
    """OnlineNormalStrategyTest.setupDefaultStrategyAndData: 51 gaussians from Random(1), with
    +i at even and -i at odd indices 20..30."""
    rng = JavaRandom(1)
    data = [rng.next_gaussian() for _ in range(51)]
    for i in range(20, 31):
        data[i] += i + (i % 2 * -2 * i)
    return data


# OnlineNormalStrategyTest ("with Extended Results"), factors 3.5, ignoreStartPercentage 0.2
DEEQU_BOUNDS_3_5 = {
    20: (-14.868489924421404, 14.255383455388895),
    21: (-13.6338479733374, 13.02074150430489),
    22: (-16.71733585267535, 16.104229383642842),
    23: (-17.346915620547467, 16.733809151514958),
    24: (-17.496117397890874, 16.883010928858365),
    25: (-17.90391150851199, 17.29080503947948),
    26: (-17.028892797350824, 16.415786328318315),
    27: (-17.720100310354653, 17.106993841322144),
    28: (-18.23663168508628, 17.62352521605377),
    29: (-19.32641622778204, 18.71330975874953),
    30: (-18.96540323993527, 18.35229677090276),
}


def test_online_normal_reproduces_deequs_own_test_expectations():
    data = deequ_test_series()
    assert [a.index for a in OnlineNormalStrategy(3.5, 3.5, 0.2).detect(data)] == list(range(20, 31))
    default = OnlineNormalStrategy(1.5, 1.5, 0.2)
    assert [a.index for a in default.detect(data, (25, 31))] == list(range(25, 31))
    assert [a.index for a in OnlineNormalStrategy(None, 1.5).detect(data)] == list(range(20, 31, 2))
    assert [a.index for a in OnlineNormalStrategy(1.5, None).detect(data)] == list(range(21, 30, 2))
    assert OnlineNormalStrategy(1.7976931348623157e308, 1.7976931348623157e308).detect(data) == []
    assert default.detect([]) == []

    # Deequ's reported bounds use the mean *after* undoing the anomalous point's update (the mean
    # of the points kept before it) with the sd the point was judged with, and Deequ divides the
    # sum of squares by index + 1 even when earlier anomalies were left out. Written out:
    _, ref = online_reference(data, 3.5, 3.5, ignore_start=0.2)
    for i, (lo, hi) in DEEQU_BOUNDS_3_5.items():
        kept_before = ref[i][2]
        mean_without = statistics.fmean(kept_before)
        # Deequ's update with weight 1 / (i + 1): S += (x - m)(x - m - (x - m) / (i + 1))
        sum_sq = sum((v - mean_without) ** 2 for v in kept_before)
        sum_sq += (data[i] - mean_without) ** 2 * i / (i + 1)
        deequ_sd = math.sqrt(sum_sq / (i + 1))
        assert (lo, hi) == pytest.approx((mean_without - 3.5 * deequ_sd, mean_without + 3.5 * deequ_sd), rel=1e-9)
    # dq's range is the one its decision used: mean and population sd of the points in the
    # statistics plus the judged point (the same sd as Deequ's for index 20, the first anomaly)
    found = OnlineNormalStrategy(3.5, 3.5, 0.2).detect(data)
    for a in found:
        mean, sd, _ = ref[a.index]
        assert a.expected_range == pytest.approx((mean - 3.5 * sd, mean + 3.5 * sd), rel=1e-12)
        assert not (a.expected_range[0] <= a.value <= a.expected_range[1])
    first = found[0].expected_range
    assert first[1] - first[0] == pytest.approx(DEEQU_BOUNDS_3_5[20][1] - DEEQU_BOUNDS_3_5[20][0], rel=1e-12)


# -- BatchNormal ----------------------------------------------------------------------------------


def test_batch_normal_uses_the_sample_statistics_of_the_points_outside_the_interval():
    xs = normal_series_with_outliers()[:50]  # outliers at 30 and 45
    outside = xs[:40]
    mean, sd = statistics.fmean(outside), statistics.stdev(outside)  # includes the outlier at 30
    strategy = BatchNormalStrategy()
    assert strategy.baseline(xs, (40, None)) == pytest.approx((mean, sd), rel=1e-12)
    assert sd != pytest.approx(statistics.pstdev(outside), rel=1e-6)
    expected = [i for i in range(40, 50) if not (mean - 3 * sd <= xs[i] <= mean + 3 * sd)]
    assert expected == [45]
    found = strategy.detect(xs, (40, None))
    assert [a.index for a in found] == expected
    assert found[0].expected_range == pytest.approx((mean - 3 * sd, mean + 3 * sd), rel=1e-12)
    assert found[0].detail.endswith("(BatchNormal, 3.0 sd)")


def test_batch_normal_interval_in_the_middle_and_include_interval():
    xs = normal_series_with_outliers()
    outside = xs[:25] + xs[35:]
    mean, sd = statistics.fmean(outside), statistics.stdev(outside)
    assert BatchNormalStrategy().baseline(xs, (25, 35)) == pytest.approx((mean, sd), rel=1e-12)
    assert [a.index for a in BatchNormalStrategy().detect(xs, (25, 35))] == [
        i for i in range(25, 35) if not (mean - 3 * sd <= xs[i] <= mean + 3 * sd)
    ] == [30]
    # include_interval: the baseline is every point, the outliers included
    mean_all, sd_all = statistics.fmean(xs), statistics.stdev(xs)
    included = BatchNormalStrategy(include_interval=True)
    assert included.baseline(xs, (25, 35)) == pytest.approx((mean_all, sd_all), rel=1e-12)
    assert [a.index for a in included.detect(xs, (25, 35))] == [
        i for i in range(25, 35) if not (mean_all - 3 * sd_all <= xs[i] <= mean_all + 3 * sd_all)
    ]


def test_batch_normal_zero_sd_and_one_sided_factors():
    xs = [5.0] * 10 + [4.0, 6.0]
    # sd 0: an explicit factor puts the bound on the mean itself (Deequ)
    found = BatchNormalStrategy().detect(xs, (10, None))
    assert [a.index for a in found] == [10, 11]
    assert found[0].expected_range == (5.0, 5.0)
    # a missing factor is no bound at all (Deequ's MaxValue * 0 would put it on the mean)
    assert [a.index for a in BatchNormalStrategy(None, 3.0).detect(xs, (10, None))] == [11]
    assert [a.index for a in BatchNormalStrategy(3.0, None).detect(xs, (10, None))] == [10]


def test_batch_normal_needs_two_baseline_points():
    with pytest.raises(NotEnoughHistoryError, match="at least 2 points outside the search interval"):
        BatchNormalStrategy().detect([1.0, 2.0, 3.0], (0, None))
    with pytest.raises(NotEnoughHistoryError, match="found 1"):
        BatchNormalStrategy().detect([1.0, 2.0, 3.0], (1, None))
    with pytest.raises(NotEnoughHistoryError):
        BatchNormalStrategy(include_interval=True).detect([1.0], (0, None))
    assert BatchNormalStrategy(include_interval=True).detect([1.0, 2.0, 3.0]) == []
    # missing values are not baseline points
    with pytest.raises(NotEnoughHistoryError):
        BatchNormalStrategy().detect([1.0, None, math.nan, 3.0], (3, None))
    assert BatchNormalStrategy().detect([1.0, None, 2.0, math.nan, 1.5, 100.0], (5, None))[0].index == 5
