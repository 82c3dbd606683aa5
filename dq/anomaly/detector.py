"""AnomalyDetector: strategies over time-stamped points (Deequ's ``AnomalyDetector``), and
``check_newest_point``, the pass/fail verdict an anomaly check needs.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from dq.anomaly._format import full
from dq.anomaly.base import Anomaly, AnomalyDetectionStrategy, Evaluation, NotEnoughHistoryError
from dq.errors import InvalidOptionError

__all__ = ["AnomalyDetector", "DetectionResult", "check_newest_point"]


@dataclass(frozen=True)
class DetectionResult:
    """The outcome of a detection: ``passed`` iff no anomaly was found and a verdict could be
    reached; ``message`` says why in one line; ``anomalies`` carry their timestamps;
    ``evaluations`` are all points judged, anomalous or not (the newest point's expected range is
    there even when it passed)."""

    passed: bool
    message: str
    anomalies: tuple[Anomaly, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()

    @property
    def expected_range(self) -> tuple[float, float] | None:
        """The last judged point's expected range (for a newest-point check: the new value's)."""
        return self.evaluations[-1].expected_range if self.evaluations else None


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _points(points: Any, name: str) -> list[tuple[Any, Any]]:
    try:
        pairs = [(t, v) for t, v in points]
    except (TypeError, ValueError):
        raise InvalidOptionError(name, "a sequence of (timestamp, value) pairs", points, owner="AnomalyDetector") from None
    return pairs


@dataclass(frozen=True)
class AnomalyDetector:
    """Runs ``strategy`` on (timestamp, value) points: points without a value (None, NaN) are
    dropped (kept as gaps for ``SeasonalNormalStrategy``), the rest sorted by time (stable for equal times), and a time interval is mapped to
    indices by binary search (Deequ's insertion points: ``[start, end)`` on times)."""

    strategy: AnomalyDetectionStrategy

    def __post_init__(self) -> None:
        if not isinstance(self.strategy, AnomalyDetectionStrategy):
            raise InvalidOptionError("strategy", "an anomaly detection strategy (dq.anomaly)", self.strategy, owner="AnomalyDetector")

    def detect_anomalies_in_history(
        self, points: Sequence[tuple[Any, float | None]], search_interval: tuple[Any, Any] = (None, None)
    ) -> DetectionResult:
        """The anomalies among the points with ``start <= time < end`` (None = unbounded)."""
        # Deequ drops points without a value; a strategy that keeps gaps (seasonal phases) gets
        # them as NaN so positions stay aligned with time
        keep_gaps = not self.strategy.drops_missing
        pairs = [
            (t, math.nan if _missing(v) else v) for t, v in _points(points, "points") if keep_gaps or not _missing(v)
        ]
        pairs.sort(key=lambda p: p[0])
        times = [t for t, _ in pairs]
        start, end = search_interval
        if start is not None and end is not None and start > end:
            raise InvalidOptionError("search_interval", "(start, end) times with start <= end", search_interval, owner="AnomalyDetector")
        lo = 0 if start is None else bisect.bisect_left(times, start)
        hi = len(times) if end is None else bisect.bisect_left(times, end)
        evaluations = [
            replace(e, timestamp=times[e.index])
            for e in self.strategy.evaluate([v for _, v in pairs], (lo, hi))
        ]
        anomalies = tuple(e.to_anomaly() for e in evaluations if e.is_anomaly)
        if anomalies:
            message = "; ".join(f"{a.timestamp}: {a.detail}" for a in anomalies)
        else:
            message = f"no anomaly among {len(evaluations)} points judged by {self.strategy.label}"
        return DetectionResult(not anomalies, message, anomalies, tuple(evaluations))

    def is_newest_point_non_anomalous(
        self, history: Sequence[tuple[Any, float | None]], new: tuple[Any, float | None]
    ) -> DetectionResult:
        """Whether ``new`` (time, value) is normal given ``history`` (Deequ's
        ``isNewPointAnomalous``): the strategy runs on history + new, searching only the new
        point. ``history`` must not be empty and ``new`` must be later than all of it.

        A missing new value fails (Deequ drops it and so passes; a gate should not pass a metric
        it could not compute). A new point the strategy cannot judge passes, as in Deequ (e.g.
        OnlineNormal's ignored start, a change strategy without enough previous points); the
        message says so. Too little history for the strategy raises ``NotEnoughHistoryError``.
        """
        pairs = _points(history, "history")
        if not pairs:
            raise NotEnoughHistoryError(
                f"AnomalyDetector({self.strategy.label})", "at least one previous point", "none",
                hint="There have to be previous results in the metrics repository.",
            )
        try:
            new_time, new_value = new
        except (TypeError, ValueError):
            raise InvalidOptionError("new", "a (timestamp, value) pair", new, owner="AnomalyDetector") from None
        last_time = max(t for t, _ in pairs)
        if not new_time > last_time:
            first_time = min(t for t, _ in pairs)
            raise InvalidOptionError(
                "new",
                f"a point later than the whole history ({first_time} to {last_time})",
                new_time,
                owner="AnomalyDetector",
            )
        if _missing(new_value):
            return DetectionResult(False, f"the new value is missing ({new_value}): nothing to check")
        result = self.detect_anomalies_in_history([*pairs, (new_time, new_value)], (new_time, None))
        if result.passed and not result.evaluations:
            return replace(
                result,
                message=f"value {full(float(new_value))} was not judged: too little history for {self.strategy.label} "
                "(passing, as Deequ does)",
            )
        if result.passed:
            return replace(result, message=result.evaluations[-1].message())
        return replace(result, message=result.anomalies[-1].detail)


def check_newest_point(
    strategy: AnomalyDetectionStrategy,
    history: Sequence[tuple[Any, float | None]] | Sequence[float | None],
    new_value: float | None,
    *,
    metric: str = "value",
) -> DetectionResult:
    """The verdict of an anomaly check on a freshly computed metric: ``passed`` and a ``message``
    naming the metric, its value and the expected range ("Size 1,204,311 is outside the expected
    range [3.41M, 4.07M] (OnlineNormal, 3.0 sd)").

    ``history`` is the metric's earlier values, as (timestamp, value) pairs in any order or as
    plain values oldest first; None/NaN for runs whose metric failed. As in Deequ's anomaly
    constraint the new value is placed after the newest history point (its own timestamp is not
    used). Never raises for the data: an empty history, too little history for the strategy, or a
    missing new value give ``passed=False`` with the reason (Deequ: "There have to be previous
    results in the MetricsRepository!").
    """
    items = list(history)
    if items and not all(isinstance(p, (tuple, list)) for p in items):
        items = list(enumerate(items))
    if not items:
        return DetectionResult(
            False, f"{metric}: there have to be previous results in the metrics repository to detect anomalies"
        )
    if _missing(new_value):
        return DetectionResult(False, f"{metric} is missing: nothing to check against its history")
    detector = AnomalyDetector(strategy)
    ordered = sorted(_points(items, "history"), key=lambda p: p[0])
    values = [v for _, v in ordered] + [new_value]
    try:
        evaluations = strategy.evaluate(values, (len(ordered), None))
    except NotEnoughHistoryError as e:
        return DetectionResult(False, f"{metric}: {e}")
    if not evaluations:
        return DetectionResult(
            True, f"{metric} {full(float(new_value))} was not judged: too little history for {detector.strategy.label} (passing, as Deequ does)"
        )
    last = evaluations[-1]
    anomalies = (last.to_anomaly(),) if last.is_anomaly else ()
    return DetectionResult(not last.is_anomaly, last.message(metric), anomalies, (last,))
