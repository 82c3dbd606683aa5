"""What every anomaly detection strategy shares: the result records, the search interval, missing
values, parameter validation and the error for too little history.

A strategy looks at a series of metric values (oldest first) and decides, for each index of a
search interval ``[start, end)``, whether the value there is anomalous (Deequ's
``AnomalyDetectionStrategy.detect(series, searchInterval)``). Indices are positions in the series
the caller passed; ``end=None`` (Deequ: ``Int.MaxValue``) means "to the end of the series".
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from dq.anomaly._format import compact, full
from dq.errors import DQError, InvalidOptionError

__all__ = [
    "Anomaly",
    "AnomalyDetectionStrategy",
    "Evaluation",
    "NotEnoughHistoryError",
]


class NotEnoughHistoryError(DQError, ValueError):
    """A strategy cannot judge the search interval from the history it was given (Deequ raises
    ``IllegalArgumentException`` from a ``require``): too few points before the interval, or no
    point left outside it to estimate a baseline from."""

    def __init__(self, strategy: str, needed: str, found: str, *, hint: str = ""):
        self.strategy = strategy
        self.needed = needed
        self.found = found
        more = f" {hint}" if hint else ""
        super().__init__(f"{strategy} needs {needed}, but found {found}.{more}")


@dataclass(frozen=True)
class Anomaly:
    """One anomalous point.

    ``index`` is its position in the series given to ``detect`` (``timestamp`` is set when the
    point came through ``AnomalyDetector``). ``expected_range`` is the closed range of values the
    strategy would have accepted at that point (``-inf``/``inf`` for a side without a bound).
    As in Deequ, ``confidence`` is always 1.0 and equality ignores ``detail``.
    """

    index: int
    value: float
    confidence: float = 1.0
    detail: str = field(default="", compare=False)
    expected_range: tuple[float, float] = (-math.inf, math.inf)
    timestamp: Any = None


@dataclass(frozen=True)
class Evaluation:
    """A strategy's verdict on one point of the search interval, anomalous or not (Deequ's
    ``AnomalyDetectionDataPoint``): the value, the range it was held to, and why."""

    index: int
    value: float
    expected_range: tuple[float, float]
    is_anomaly: bool
    #: what the range is, e.g. "OnlineNormal, 3.0 sd" or "AbsoluteChange, order 1: change of +490"
    reason: str = field(compare=False)
    timestamp: Any = None

    def message(self, subject: str = "value") -> str:
        """``"value 1,204,311 is outside the expected range [3.41M, 4.07M] (OnlineNormal, 3.0 sd)"``;
        ``subject`` names the metric instead ("Size 1,204,311 ...")."""
        lo, hi = self.expected_range
        verdict = "is outside" if self.is_anomaly else "is within"
        return (
            f"{subject} {full(self.value)} {verdict} the expected range "
            f"[{compact(lo)}, {compact(hi)}] ({self.reason})"
        )

    @property
    def detail(self) -> str:
        return self.message()

    def to_anomaly(self) -> Anomaly:
        return Anomaly(
            index=self.index,
            value=self.value,
            confidence=1.0,
            detail=self.detail,
            expected_range=self.expected_range,
            timestamp=self.timestamp,
        )


class AnomalyDetectionStrategy(ABC):
    """Base of every strategy. Subclasses are frozen dataclasses that implement ``_evaluate``.

    Missing values (``None`` or NaN) are not points: like Deequ's ``AnomalyDetector``, which drops
    metrics without a value before it calls a strategy, they are removed before the strategy runs
    (so they are never flagged and never part of a baseline) and the results are mapped back to
    the caller's positions. A search interval counts the caller's positions too. Strategies whose
    model needs regular spacing (``SeasonalNormalStrategy``) keep missing values as gaps instead.
    ``inf`` is a value, not a missing one.
    """

    #: short name used in messages ("OnlineNormal")
    label: ClassVar[str] = ""
    #: False for strategies that need positions to stay aligned with time (seasonal phases)
    drops_missing: ClassVar[bool] = True

    def detect(self, values: Sequence[float | None], search_interval: tuple[int, int | None] = (0, None)) -> list[Anomaly]:
        """The anomalies among ``values[start:end]``, oldest first."""
        return [e.to_anomaly() for e in self.evaluate(values, search_interval) if e.is_anomaly]

    def evaluate(
        self, values: Sequence[float | None], search_interval: tuple[int, int | None] = (0, None)
    ) -> list[Evaluation]:
        """Every non-missing point of ``values[start:end]`` with the range it was held to.
        Points the strategy cannot judge (e.g. the first ``order`` points of a change strategy,
        the ignored start of OnlineNormal) are not in the list."""
        series = as_series(values, owner=type(self).__name__)
        start, end = check_interval(search_interval, owner=type(self).__name__)
        if not self.drops_missing:
            return self._evaluate(series, start, min(end, len(series)))
        present = ~np.isnan(series)
        positions = np.flatnonzero(present)
        # interval bounds in the compacted series: the number of present values before each bound
        c_start = int(present[:start].sum())
        c_end = int(present[: min(end, len(series))].sum())
        results = self._evaluate(series[present], c_start, c_end)
        return [_reindex(e, int(positions[e.index])) for e in results]

    @abstractmethod
    def _evaluate(self, series: np.ndarray, start: int, end: int) -> list[Evaluation]:
        """Evaluate ``series[start:end]``; ``0 <= start``, ``start <= end <= len(series)`` unless
        the caller asked for an interval beyond the series (``start > len``: nothing to search)."""


def _reindex(e: Evaluation, index: int) -> Evaluation:
    if e.index == index:
        return e
    return Evaluation(index, e.value, e.expected_range, e.is_anomaly, e.reason, e.timestamp)


# -- input and parameter checks ---------------------------------------------------------------------


def as_series(values: Any, *, owner: str) -> np.ndarray:
    """``values`` as a float array with NaN for ``None``; an error naming the first bad item."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise InvalidOptionError("values", "a sequence of numbers (None or NaN for a missing value)", values, owner=owner)
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        if v is None:
            out[i] = math.nan
        elif isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise InvalidOptionError(f"values[{i}]", "a number or None", v, owner=owner)
        else:
            out[i] = float(v)
    return out


def check_interval(search_interval: Any, *, owner: str) -> tuple[int, int]:
    """``(start, end)`` with ``end=None`` meaning the end of the series; Deequ requires
    ``start <= end``. Negative indices are refused (Python would count them from the end, Deequ
    clamps or refuses depending on the strategy: neither is what a caller means)."""
    expected = "(start, end) with 0 <= start <= end, end None for 'to the end'"
    if not isinstance(search_interval, (tuple, list)) or len(search_interval) != 2:
        raise InvalidOptionError("search_interval", expected, search_interval, owner=owner)
    start, end = search_interval
    if not _is_int(start) or start < 0 or (end is not None and (not _is_int(end) or end < start)):
        raise InvalidOptionError("search_interval", expected, tuple(search_interval), owner=owner)
    return int(start), (int(end) if end is not None else np.iinfo(np.int64).max)


def _is_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    optional: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    finite: bool = False,
) -> None:
    """Refuse anything but a real number in ``[minimum, maximum]`` (NaN and bool are refused)."""
    if value is None and optional:
        return
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    ok = ok and not math.isnan(value) and not (finite and math.isinf(value))
    ok = ok and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
    if not ok:
        parts = ["a finite number" if finite else "a number"]
        if minimum is not None and maximum is not None:
            parts.append(f"in [{minimum:g}, {maximum:g}]")
        elif minimum is not None:
            parts.append(f">= {minimum:g}")
        elif maximum is not None:
            parts.append(f"<= {maximum:g}")
        if optional:
            parts.append("or None")
        raise InvalidOptionError(name, " ".join(parts), value, owner=owner)


def check_int(owner: str, name: str, value: Any, *, minimum: int) -> None:
    if not _is_int(value) or value < minimum:
        raise InvalidOptionError(name, f"an integer >= {minimum}", value, owner=owner)


def check_bool(owner: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidOptionError(name, "True or False", value, owner=owner)


def deviation_bounds(mean: float, std_dev: float, lower_factor: float | None, upper_factor: float | None) -> tuple[float, float]:
    """``[mean - lower*sd, mean + upper*sd]``; a factor of None (or inf) is no bound on that side.

    Deequ substitutes ``Double.MaxValue`` for a missing factor, which is "no bound" except when
    ``sd == 0``: ``MaxValue * 0 = 0`` puts the bound at the mean, so a one-sided check on a
    constant history flags every move to the unchecked side. dq means "no bound" (the documented
    intent, "ignore lower factor if none is given"). An explicit factor with ``sd == 0`` keeps
    Deequ's semantics: the bound is the mean itself.
    """
    lo = -math.inf if lower_factor is None or math.isinf(lower_factor) else mean - lower_factor * std_dev
    hi = math.inf if upper_factor is None or math.isinf(upper_factor) else mean + upper_factor * std_dev
    return lo, hi


def factors_text(lower: float | None, upper: float | None) -> str:
    """``"3.0 sd"``, ``"2.0 sd below, 3.0 sd above"``, ``"3.0 sd above"``."""
    if lower is not None and upper is not None and lower == upper:
        return f"{_factor(lower)} sd"
    parts = []
    if lower is not None:
        parts.append(f"{_factor(lower)} sd below")
    if upper is not None:
        parts.append(f"{_factor(upper)} sd above")
    return ", ".join(parts)


def _factor(f: float) -> str:
    f = float(f)
    if math.isinf(f):
        return "inf"
    return f"{f:.1f}" if f == int(f) else f"{f:g}"
