"""SeasonalNormalStrategy: each point against the same phase of previous cycles (beyond Deequ).

For hourly deliveries the natural baseline of 3 am is 3 am of previous days (period 24), or 3 am of
the same weekday in previous weeks (period 168): a row count normal at 3 pm can be a collapse at
3 pm and a flood at 3 am. OnlineNormal and BatchNormal pool all hours, so their band spans the whole
daily swing and misses both; HoltWinters(HOURLY, DAILY | WEEKLY) models level, trend and season but
needs two full periods and a fit. This strategy is the seasonal counterpart of BatchNormal:

* the baseline of index ``i`` is ``x[i - k * period]`` for ``k = 1 .. max_cycles`` (all previous
  cycles when None) that are present and, with ``ignore_anomalies``, were not flagged earlier in
  the same search (so one bad Monday 3 am does not widen every later 3 am, like OnlineNormal);
* ``x[i]`` is anomalous iff outside the normal prediction interval of the baseline's ``n`` values:
  ``mean ± t * sd * sqrt(1 + 1/n)`` with the sample mean and standard deviation and ``t`` the
  Student-t quantile (``n - 1`` degrees of freedom) of the same tail probability as the deviation
  factor has under the normal curve (factor 3.0: one-sided tail 0.135 %). With many cycles this is
  ``mean ± factor * sd``; with few it widens, because a standard deviation from 3 or 7 values is
  itself uncertain: a plain 3-sd band from 3 values flags about 12 % of normal points, this one
  0.27 % whatever ``n`` (for normal data). As in Deequ's normal strategies, ``sd == 0`` puts the
  bound at the mean.

Positions are time: missing values (None, NaN) are kept as gaps, never dropped, so phases stay
aligned; a missing value is not judged and is skipped in later baselines. The search interval
must start after ``min_cycles`` full periods (``NotEnoughHistoryError`` otherwise, as HoltWinters
requires two); a point whose baseline has fewer than 2 usable values (gaps, anomalies) is not
judged. With few cycles the sample sd is itself noisy: raise ``min_cycles`` or the factors for
noisy metrics.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dq.anomaly.base import (
    AnomalyDetectionStrategy,
    Evaluation,
    NotEnoughHistoryError,
    check_bool,
    check_int,
    factors_text,
)
from dq.anomaly.normal import _check_factors
from dq.errors import InvalidOptionError

__all__ = ["SeasonalNormalStrategy"]


@dataclass(frozen=True)
class SeasonalNormalStrategy(AnomalyDetectionStrategy):
    """``SeasonalNormalStrategy(period=24)`` for hourly data with a daily cycle,
    ``period=168`` for a weekly one (see the module doc)."""

    period: int = 24
    lower_deviation_factor: float | None = 3.0
    upper_deviation_factor: float | None = 3.0
    min_cycles: int = 3
    max_cycles: int | None = None
    ignore_anomalies: bool = True

    label: ClassVar[str] = "SeasonalNormal"
    drops_missing: ClassVar[bool] = False

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_int(owner, "period", self.period, minimum=2)
        _check_factors(owner, self.lower_deviation_factor, self.upper_deviation_factor)
        check_int(owner, "min_cycles", self.min_cycles, minimum=2)
        if self.max_cycles is not None:
            check_int(owner, "max_cycles", self.max_cycles, minimum=2)
            if self.max_cycles < self.min_cycles:
                raise InvalidOptionError(
                    "max_cycles", f"None or >= min_cycles ({self.min_cycles})", self.max_cycles, owner=owner
                )
        check_bool(owner, "ignore_anomalies", self.ignore_anomalies)

    def _evaluate(self, series: np.ndarray, start: int, end: int) -> list[Evaluation]:
        p = self.period
        needed = self.min_cycles * p
        if start < needed:
            raise NotEnoughHistoryError(
                f"SeasonalNormalStrategy(period={p})",
                f"at least {self.min_cycles} full periods ({needed} points) before the search interval",
                f"{start}",
                hint="Collect more history, start the search interval later, or lower min_cycles.",
            )
        usable = ~np.isnan(series)
        factors = factors_text(self.lower_deviation_factor, self.upper_deviation_factor)
        out = []
        for i in range(start, end):
            if not usable[i]:
                continue
            cycles = i // p if self.max_cycles is None else min(i // p, self.max_cycles)
            baseline = [float(series[j]) for j in range(i - p, i - (cycles + 1) * p, -p) if usable[j]]
            if len(baseline) < 2:
                continue
            mean = math.fsum(baseline) / len(baseline)
            std_dev = math.sqrt(math.fsum((v - mean) ** 2 for v in baseline) / (len(baseline) - 1))
            spread = std_dev * math.sqrt(1 + 1 / len(baseline))
            lo = mean - _width(self.lower_deviation_factor, len(baseline), spread)
            hi = mean + _width(self.upper_deviation_factor, len(baseline), spread)
            value = float(series[i])
            is_anomaly = bool(value < lo or value > hi)
            if is_anomaly and self.ignore_anomalies:
                usable[i] = False  # not part of any later baseline
            reason = f"{self.label}, period {p}: {len(baseline)} previous cycles, {factors} prediction interval"
            out.append(Evaluation(i, value, (lo, hi), is_anomaly, reason))
        return out


def _width(normal_factor: float | None, n: int, spread: float) -> float:
    """Half-width on one side: the Student-t quantile (n - 1 degrees of freedom) with the upper
    tail ``normal_factor`` has under the standard normal curve, times ``spread``; None or inf is
    no bound on that side."""
    if normal_factor is None or math.isinf(normal_factor):
        return math.inf
    return _t_quantile(float(normal_factor), n) * spread


@functools.lru_cache(maxsize=1024)
def _t_quantile(normal_factor: float, n: int) -> float:
    from scipy.stats import norm, t  # imported on first use: keeps `import dq.anomaly` light

    return float(t.isf(norm.sf(normal_factor), n - 1))
