"""Strategies assuming normally distributed values: OnlineNormalStrategy (running mean and
population standard deviation) and BatchNormalStrategy (mean and sample standard deviation of the
points outside the search interval). DEEQU.md quirk 5: Deequ's OnlineNormal is population, its
BatchNormal sample; dq keeps both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from dq.anomaly.base import (
    AnomalyDetectionStrategy,
    Evaluation,
    NotEnoughHistoryError,
    as_series,
    check_bool,
    check_interval,
    check_number,
    deviation_bounds,
    factors_text,
)
from dq.errors import InvalidOptionError

__all__ = ["BatchNormalStrategy", "OnlineNormalStrategy", "RunningStats"]


def _check_factors(owner: str, lower: float | None, upper: float | None) -> None:
    check_number(owner, "lower_deviation_factor", lower, optional=True, minimum=0)
    check_number(owner, "upper_deviation_factor", upper, optional=True, minimum=0)
    if lower is None and upper is None:
        raise InvalidOptionError(
            "upper_deviation_factor", "a number >= 0 when lower_deviation_factor is None (at least one factor)", None, owner=owner
        )


class RunningStats(NamedTuple):
    """OnlineNormal's state after one point (Deequ's ``OnlineCalculationResult``): the mean and
    population standard deviation the point was judged with, which include the point itself."""

    mean: float
    std_dev: float
    is_anomaly: bool


@dataclass(frozen=True)
class OnlineNormalStrategy(AnomalyDetectionStrategy):
    """Running mean and population standard deviation, in one pass over the whole series.

    At index ``i`` (0-based) the mean and ``S`` are updated with ``x[i]`` (Welford:
    ``mean += (x - mean) / (i + 1)``, ``S += (x - old_mean) * (x - mean)``, ``sd = sqrt(S / (i + 1))``),
    *then* ``x[i]`` is judged against ``[mean - lower * sd, mean + upper * sd]`` (closed): the
    point is part of its own baseline, as in Deequ. Points with ``i < len(series) *
    ignore_start_percentage`` and points outside the search interval are never anomalous (and
    always feed the statistics). With ``ignore_anomalies`` an anomalous point's update is undone,
    so it does not widen the baseline of the points after it.

    A factor of None means no bound on that side (Deequ's ``Double.MaxValue`` stand-in differs
    only when ``sd == 0``; see ``deviation_bounds``). The expected range of a point is the range
    it was judged with.

    Deliberate difference from Deequ, which divides by ``index + 1`` whether or not earlier
    anomalies were excluded: once an anomaly has been left out its mean moves too slowly and its
    variance ``S / (index + 1)`` is too small (k excluded points shrink it by ``(i + 1 - k) / (i + 1)``),
    so after a run of anomalies (a level shift) every later point is judged against an ever
    narrower band. dq divides by the number of points actually in the statistics; without
    excluded anomalies (or with ``ignore_anomalies=False``) both are the same. Deequ's reported
    bounds also mix the mean *without* the point with the sd *with* it; dq reports the range the
    decision used.
    """

    lower_deviation_factor: float | None = 3.0
    upper_deviation_factor: float | None = 3.0
    ignore_start_percentage: float = 0.1
    ignore_anomalies: bool = True

    label: ClassVar[str] = "OnlineNormal"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        _check_factors(owner, self.lower_deviation_factor, self.upper_deviation_factor)
        check_number(owner, "ignore_start_percentage", self.ignore_start_percentage, minimum=0, maximum=1)
        check_bool(owner, "ignore_anomalies", self.ignore_anomalies)

    def compute_stats(self, values, search_interval=(0, None)) -> list[RunningStats]:
        """The statistics each point of ``values`` (no missing values) was judged with, one per
        point (Deequ's ``computeStatsAndAnomalies``)."""
        series = as_series(values, owner=type(self).__name__)
        if np.isnan(series).any():
            raise InvalidOptionError("values", "no missing values (drop them first)", values, owner=type(self).__name__)
        start, end = check_interval(search_interval, owner=type(self).__name__)
        return self._stats(series, start, end)

    def _stats(self, series: np.ndarray, start: int, end: int) -> list[RunningStats]:
        out: list[RunningStats] = []
        mean = 0.0
        s_n = 0.0
        n = 0  # points in the statistics (Deequ uses index + 1; see the class docstring)
        n_skip = len(series) * self.ignore_start_percentage
        for i, x in enumerate(series.tolist()):
            last_mean, last_s_n, last_n = mean, s_n, n
            n += 1
            mean = x if n == 1 else last_mean + (x - last_mean) / n
            s_n += (x - last_mean) * (x - mean)
            std_dev = math.sqrt(s_n / n)
            lo, hi = deviation_bounds(mean, std_dev, self.lower_deviation_factor, self.upper_deviation_factor)
            if i < n_skip or i < start or i >= end or lo <= x <= hi:
                out.append(RunningStats(mean, std_dev, False))
            else:
                out.append(RunningStats(mean, std_dev, True))
                if self.ignore_anomalies:
                    mean, s_n, n = last_mean, last_s_n, last_n
        return out

    def _evaluate(self, series: np.ndarray, start: int, end: int) -> list[Evaluation]:
        stats = self._stats(series, start, end)
        n_skip = len(series) * self.ignore_start_percentage
        reason = f"{self.label}, {factors_text(self.lower_deviation_factor, self.upper_deviation_factor)}"
        out = []
        for i in range(max(start, math.ceil(n_skip)), min(end, len(series))):
            st = stats[i]
            bounds = deviation_bounds(st.mean, st.std_dev, self.lower_deviation_factor, self.upper_deviation_factor)
            out.append(Evaluation(i, float(series[i]), bounds, st.is_anomaly, reason))
        return out


@dataclass(frozen=True)
class BatchNormalStrategy(AnomalyDetectionStrategy):
    """Mean and sample standard deviation (n - 1) of the points outside the search interval, or of
    all points with ``include_interval``; a point of the interval is anomalous iff it is outside
    ``[mean - lower * sd, mean + upper * sd]`` (closed).

    The baseline needs at least two points (a sample standard deviation of one point is
    undefined; Deequ only requires one). The search interval is clamped to the series first, so
    ``(start, None)`` works; Deequ compares the unclamped length and refuses it.
    """

    lower_deviation_factor: float | None = 3.0
    upper_deviation_factor: float | None = 3.0
    include_interval: bool = False

    label: ClassVar[str] = "BatchNormal"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        _check_factors(owner, self.lower_deviation_factor, self.upper_deviation_factor)
        check_bool(owner, "include_interval", self.include_interval)

    def baseline(self, values, search_interval=(0, None)) -> tuple[float, float]:
        """``(mean, sample std dev)`` the interval's points are judged against (missing values
        dropped)."""
        series = as_series(values, owner=type(self).__name__)
        start, end = check_interval(search_interval, owner=type(self).__name__)
        present = ~np.isnan(series)
        end = min(end, len(series))
        return self._baseline(series[present], int(present[:start].sum()), int(present[:end].sum()))

    def _baseline(self, series: np.ndarray, start: int, end: int) -> tuple[float, float]:
        start = min(start, len(series))
        if self.include_interval:
            reference = series
            where = "points"
        else:
            reference = np.concatenate([series[:start], series[end:]])
            where = "points outside the search interval"
        if len(reference) < 2:
            raise NotEnoughHistoryError(
                f"{type(self).__name__}",
                f"at least 2 {where} for a mean and sample standard deviation",
                f"{len(reference)} (search interval [{start}, {end}) of {len(series)} points)",
                hint="" if self.include_interval else "Start the search interval later, or use include_interval=True.",
            )
        return float(np.mean(reference)), float(np.std(reference, ddof=1))

    def _evaluate(self, series: np.ndarray, start: int, end: int) -> list[Evaluation]:
        mean, std_dev = self._baseline(series, start, end)
        lo, hi = deviation_bounds(mean, std_dev, self.lower_deviation_factor, self.upper_deviation_factor)
        reason = f"{self.label}, {factors_text(self.lower_deviation_factor, self.upper_deviation_factor)}"
        return [
            Evaluation(i, float(series[i]), (lo, hi), bool(series[i] < lo or series[i] > hi), reason)
            for i in range(start, end)
        ]
