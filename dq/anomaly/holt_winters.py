"""HoltWinters: additive Holt-Winters (ETS(A, A, A)) forecasts, parameters fitted like Deequ.

Model (Deequ's ``additiveHoltWinters``; Hyndman & Athanasopoulos, *Forecasting: Principles and
Practice*, 2nd ed., section 7.3, https://otexts.com/fpp2/holt-winters.html), period ``p``:

* initial state from the first two periods: ``level_0 = mean(x[0:p])``,
  ``trend_0 = (sum(x[p:2p]) - sum(x[0:p])) / p^2``, ``season_i = x[i] - level_0`` for ``i < p``;
* for ``t = 0 .. n-1``: the one-step forecast of ``x_t`` is ``level_t + trend_t + s_t``, then
  ``level_{t+1} = α (x_t - s_t) + (1-α)(level_t + trend_t)``,
  ``trend_{t+1} = β (level_{t+1} - level_t) + (1-β) trend_t``,
  ``s_{t+p} = γ (x_t - level_t - trend_t) + (1-γ) s_t`` (level and trend before this step's
  update, fpp2's ``ℓ_{t-1} + b_{t-1}``);
* beyond the series the forecast of each next point is ``level + trend + s`` of its season, and
  the model is updated with that forecast as if observed (so ``h``-step forecasts follow the
  trend from the last observed state).

Fit: α, β, γ minimise the sum of squared one-step residuals over the training points, by
L-BFGS-B in ``[0, 1]^3`` from ``(0.3, 0.1, 0.1)`` with a forward finite-difference gradient of
step 1e-5, at most 100 iterations and 5 correction pairs (breeze's ``LBFGSB`` and
``ApproximateGradientFunction`` defaults, which Deequ uses); here scipy's L-BFGS-B. The stopping
tests are scipy's (breeze stops on a relative function improvement over its last 10 iterations),
so fitted parameters can differ from Deequ's in late digits; every HoltWinters expectation of
Deequ's test suite is reproduced (tests/anomaly/test_holt_winters.py).

Detection (Deequ's ``detect``): train on ``series[:start]``; forecast ``min(end, n) - start``
points (1 if ``start >= n``); a point is anomalous iff ``|x - forecast| > 1.96 * sd`` where ``sd``
is the sample standard deviation of the absolute training residuals. Needs ``start >= 2p``.

Note on the band: 1.96 suggests a 95 % interval, but for normal residuals with standard deviation
σ, ``sd(|r|) = σ sqrt(1 - 2/π) ≈ 0.60 σ``, so Deequ's band is about ±1.18 σ and flags about 24 %
of the points of a clean series (measured in tests/anomaly/test_holt_winters.py). dq keeps 1.96 as
the default for parity and exposes ``deviation_factor``: ``1.96 / sqrt(1 - 2/π) ≈ 3.25`` gives
the two-sided 95 % band Deequ's constant was meant to.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from dq.anomaly._format import compact
from dq.anomaly.base import AnomalyDetectionStrategy, Evaluation, NotEnoughHistoryError, as_series, check_number
from dq.errors import InvalidOptionError

__all__ = ["DEEQU_FACTOR", "NORMAL_95_FACTOR", "HoltWinters", "HoltWintersFit", "MetricInterval", "SeriesSeasonality"]

#: Deequ's factor on sd(|residuals|) (see the module doc: a ±1.18 σ band, not 95 %)
DEEQU_FACTOR = 1.96
#: the factor on sd(|residuals|) that gives a two-sided 95 % band for normal residuals
NORMAL_95_FACTOR = 1.96 / math.sqrt(1 - 2 / math.pi)


class MetricInterval(enum.Enum):
    """How often the metric is computed."""

    HOURLY = "hourly"
    DAILY = "daily"
    MONTHLY = "monthly"


class SeriesSeasonality(enum.Enum):
    """The longest cycle the metric repeats."""

    DAILY = "daily"
    WEEKLY = "weekly"
    YEARLY = "yearly"


#: (interval, seasonality) -> period. Deequ: (Daily, Weekly) = 7, (Monthly, Yearly) = 12, and in
#: its latest version (Hourly, Daily) = 24. (Hourly, Weekly) = 168 is dq's: hourly deliveries with
#: a weekly rhythm (weekends) need two full weeks of history to start.
PERIODS: dict[tuple[MetricInterval, SeriesSeasonality], int] = {
    (MetricInterval.DAILY, SeriesSeasonality.WEEKLY): 7,
    (MetricInterval.MONTHLY, SeriesSeasonality.YEARLY): 12,
    (MetricInterval.HOURLY, SeriesSeasonality.DAILY): 24,
    (MetricInterval.HOURLY, SeriesSeasonality.WEEKLY): 168,
}


class HoltWintersFit(NamedTuple):
    """A fitted model: smoothing parameters, forecasts beyond the training points, one-step
    residuals of the training points, and the detection threshold
    ``deviation_factor * sd(|residuals|)``."""

    alpha: float
    beta: float
    gamma: float
    forecasts: np.ndarray
    residuals: np.ndarray
    threshold: float


def additive_holt_winters(
    series: np.ndarray, period: int, horizon: int, alpha: float, beta: float, gamma: float
) -> tuple[np.ndarray, np.ndarray]:
    """``(forecasts of the next horizon points, one-step residuals of the series)``."""
    x = series.tolist()
    n = len(x)
    p = period
    level = sum(x[:p]) / p
    trend = (sum(x[p : 2 * p]) - sum(x[:p])) / (p * p)
    season = [v - level for v in x[:p]]  # season[t] is s_t; step t appends s_{t+p}
    residuals = []
    forecasts = []
    for t in range(n + horizon):
        one_step = level + trend + season[t]
        if t < n:
            y = x[t]
            residuals.append(y - one_step)
        else:  # beyond the series: the forecast stands in for the observation
            y = one_step
            forecasts.append(y)
        new_level = alpha * (y - season[t]) + (1 - alpha) * (level + trend)
        new_trend = beta * (new_level - level) + (1 - beta) * trend
        season.append(gamma * (y - level - trend) + (1 - gamma) * season[t])
        level, trend = new_level, new_trend
    return np.asarray(forecasts, dtype=float), np.asarray(residuals, dtype=float)


#: breeze ApproximateGradientFunction's default step (forward differences)
_GRADIENT_STEP = 1e-5


def fit_parameters(series: np.ndarray, period: int) -> tuple[float, float, float]:
    """α, β, γ in [0, 1] minimising the sum of squared one-step residuals (see module doc)."""
    from scipy.optimize import minimize  # imported on first fit: keeps `import dq.anomaly` light

    def rss(params: np.ndarray) -> float:
        _, residuals = additive_holt_winters(series, period, 0, *params)
        return float(np.dot(residuals, residuals))

    def rss_and_gradient(params: np.ndarray) -> tuple[float, np.ndarray]:
        f0 = rss(params)
        grad = np.empty(3)
        for i in range(3):
            shifted = params.copy()
            shifted[i] += _GRADIENT_STEP  # may step just past 1, as breeze does
            grad[i] = (rss(shifted) - f0) / _GRADIENT_STEP
        return f0, grad

    result = minimize(
        rss_and_gradient,
        x0=np.array([0.3, 0.1, 0.1]),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * 3,
        options={"maxiter": 100, "maxcor": 5},
    )
    alpha, beta, gamma = (float(min(max(v, 0.0), 1.0)) for v in result.x)
    return alpha, beta, gamma


def _to_enum(owner: str, name: str, value: object, enum_type: type[enum.Enum]) -> enum.Enum:
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        for member in enum_type:
            if value.lower() in (member.value, member.name.lower()):
                return member
    names = ", ".join(f"{enum_type.__name__}.{m.name}" for m in enum_type)
    raise InvalidOptionError(name, f"one of {names}", value, owner=owner)


@dataclass(frozen=True)
class HoltWinters(AnomalyDetectionStrategy):
    """Additive Holt-Winters forecasts with a 95 % residual band (Deequ's ``HoltWinters``; see
    the module doc for the model, the fit and the detection rule).

    ``HoltWinters(MetricInterval.DAILY, SeriesSeasonality.WEEKLY)`` (period 7),
    ``(MONTHLY, YEARLY)`` (12), ``(HOURLY, DAILY)`` (24) and, beyond Deequ, ``(HOURLY, WEEKLY)``
    (168); both are required, as in Deequ (a wrong period is a silently wrong model). Strings
    ("daily", "weekly") are accepted too. The model trains on the points before
    the search interval, at least two full periods (``NotEnoughHistoryError`` otherwise), and
    forecasts every point of the interval from there (multi-step forecasts, as Deequ, with the
    same band at every step: points far from the training end are flagged more often; the
    newest-point check of an anomaly check is a one-step forecast).

    Missing values are dropped like in every Deequ strategy, which shifts the season of the points
    after a gap: give HoltWinters gap-free series (or use ``SeasonalNormalStrategy``, which keeps
    gaps as gaps).
    """

    metrics_interval: MetricInterval
    series_seasonality: SeriesSeasonality
    #: the band is ``deviation_factor * sd(|residuals|)``; Deequ's 1.96 by default,
    #: ``NORMAL_95_FACTOR`` (3.25) for a true 95 % band (module doc)
    deviation_factor: float = DEEQU_FACTOR

    label: ClassVar[str] = "HoltWinters"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_number(owner, "deviation_factor", self.deviation_factor, minimum=0, finite=True)
        interval = _to_enum(owner, "metrics_interval", self.metrics_interval, MetricInterval)
        seasonality = _to_enum(owner, "series_seasonality", self.series_seasonality, SeriesSeasonality)
        object.__setattr__(self, "metrics_interval", interval)
        object.__setattr__(self, "series_seasonality", seasonality)
        if (interval, seasonality) not in PERIODS:
            known = "; ".join(f"({i.name}, {s.name})" for i, s in PERIODS)
            raise InvalidOptionError(
                "series_seasonality", f"a seasonality for {interval.name} metrics, one of: {known}", seasonality.name, owner=owner
            )

    @property
    def period(self) -> int:
        return PERIODS[(self.metrics_interval, self.series_seasonality)]

    def evaluate(self, values, search_interval=(0, None)) -> list[Evaluation]:
        if (
            isinstance(search_interval, (tuple, list))
            and len(search_interval) == 2
            and search_interval[1] is not None
            and search_interval[0] == search_interval[1]
        ):
            # Deequ requires start < end for this strategy
            raise InvalidOptionError("search_interval", "(start, end) with start < end", tuple(search_interval), owner="HoltWinters")
        return super().evaluate(values, search_interval)

    def fit(self, training, horizon: int = 1) -> HoltWintersFit:
        """The model fitted on ``training`` (no missing values) and its next ``horizon`` forecasts."""
        series = as_series(training, owner="HoltWinters")
        if np.isnan(series).any():
            raise InvalidOptionError("training", "no missing values (drop them first)", training, owner="HoltWinters")
        self._require_history(len(series))
        alpha, beta, gamma = fit_parameters(series, self.period)
        forecasts, residuals = additive_holt_winters(series, self.period, horizon, alpha, beta, gamma)
        # breeze.stats.stddev is the sample standard deviation
        threshold = self.deviation_factor * float(np.std(np.abs(residuals), ddof=1))
        return HoltWintersFit(alpha, beta, gamma, forecasts, residuals, threshold)

    def _require_history(self, n_training: int) -> None:
        if n_training < 2 * self.period:
            raise NotEnoughHistoryError(
                f"HoltWinters({self.metrics_interval.name}, {self.series_seasonality.name})",
                f"at least two full periods ({2 * self.period} points) before the search interval to fit its model",
                f"{n_training}",
                hint="Collect more history, or use OnlineNormalStrategy or BatchNormalStrategy meanwhile.",
            )

    def _evaluate(self, series: np.ndarray, start: int, end: int) -> list[Evaluation]:
        self._require_history(start)
        n = len(series)
        if start >= n:
            return []  # nothing to search (Deequ fits a model and finds nothing)
        model = self.fit(series[:start], horizon=min(end, n) - start)
        sd_abs = float(np.std(np.abs(model.residuals), ddof=1))
        out = []
        for k, forecast in enumerate(model.forecasts.tolist()):
            i = start + k
            value = float(series[i])
            band = (forecast - model.threshold, forecast + model.threshold)
            reason = (
                f"{self.label}, period {self.period}: forecast {compact(forecast)} "
                f"± {self.deviation_factor:g} × sd of |residuals| {compact(sd_abs)}"
            )
            out.append(Evaluation(i, value, band, bool(abs(value - forecast) > model.threshold), reason))
        return out
