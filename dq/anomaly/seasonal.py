"""SeasonalNormalStrategy: each point against the same phase of previous cycles (beyond Deequ).

For hourly deliveries the natural baseline of 3 am is 3 am of previous days (period 24), or 3 am of
the same weekday in previous weeks (period 168): a row count normal at 3 pm can be a collapse at
3 pm and a flood at 3 am. OnlineNormal and BatchNormal pool all hours, so their band spans the whole
daily swing and misses both; HoltWinters(HOURLY, DAILY | WEEKLY) models level, trend and season but
needs two full periods and a fit. This strategy is the seasonal counterpart of BatchNormal:

* the baseline of index ``i`` is ``x[i - k * period]`` for ``k = 1 .. max_cycles`` (all previous
  cycles when None) that are present and, with ``ignore_anomalies``, were not flagged earlier in
  the same search (so one bad Monday 3 am does not widen every later 3 am, like OnlineNormal);
* ``x[i]`` is anomalous iff outside ``[mean - lower * sd, mean + upper * sd]`` (closed), with the
  baseline's mean and *sample* standard deviation (as BatchNormal: the baseline is a sample of the
  phase's distribution). As in Deequ's normal strategies, ``sd == 0`` puts the bound at the mean.

Positions are time: missing values (None, NaN) are kept as gaps, never dropped, so phases stay
aligned; a missing value is not judged and is skipped in later baselines. The search interval
must start after ``min_cycles`` full periods (``NotEnoughHistoryError`` otherwise, as HoltWinters
requires two); a point whose baseline has fewer than 2 usable values (gaps, anomalies) is not
judged. With few cycles the sample sd is itself noisy: raise ``min_cycles`` or the factors for
noisy metrics.
"""

from __future__ import annotations

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
    deviation_bounds,
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
            lo, hi = deviation_bounds(mean, std_dev, self.lower_deviation_factor, self.upper_deviation_factor)
            value = float(series[i])
            is_anomaly = bool(value < lo or value > hi)
            if is_anomaly and self.ignore_anomalies:
                usable[i] = False  # not part of any later baseline
            reason = f"{self.label}, same phase in {len(baseline)} previous cycles of {p}, {factors}"
            out.append(Evaluation(i, value, (lo, hi), is_anomaly, reason))
        return out
