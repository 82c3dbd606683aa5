"""Change strategies: AbsoluteChangeStrategy, RelativeRateOfChangeStrategy and the deprecated
RateOfChangeStrategy (Deequ's ``BaseChangeStrategy`` family).

For each searched index ``i`` a change is computed from ``i`` and the ``order`` points before it
and compared with ``[max_rate_decrease, max_rate_increase]`` (a change outside, strictly, is an
anomaly). The first ``order`` points of the series have no change and are never flagged; points
before the search interval are used to compute the changes of the interval's first points (Deequ
takes the slice ``[max(start - order, 0), end)``).
"""

from __future__ import annotations

import math
import sys
import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dq.anomaly._format import compact, full
from dq.anomaly.base import AnomalyDetectionStrategy, Evaluation, check_int, check_number
from dq.errors import InvalidOptionError

__all__ = ["AbsoluteChangeStrategy", "RateOfChangeStrategy", "RelativeRateOfChangeStrategy"]

# Deequ replaces a missing bound with Double.MaxValue / Double.MinValue (the most negative double),
# so an infinite change (a jump from 0 for the relative strategy, an inf value) is flagged even on
# the side without a bound. dq keeps that for the verdict; the expected range shows the missing
# side as -inf/inf, which is what it means for every finite value.
_MAX = sys.float_info.max


@dataclass(frozen=True)
class _ChangeStrategy(AnomalyDetectionStrategy):
    max_rate_decrease: float | None = None
    max_rate_increase: float | None = None
    order: int = 1

    _min_order: ClassVar[int] = 0
    _what: ClassVar[str] = "change"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_number(owner, "max_rate_decrease", self.max_rate_decrease, optional=True)
        check_number(owner, "max_rate_increase", self.max_rate_increase, optional=True)
        check_int(owner, "order", self.order, minimum=self._min_order)
        if self.max_rate_decrease is None and self.max_rate_increase is None:
            raise InvalidOptionError(
                "max_rate_increase", "a number when max_rate_decrease is None (at least one limit)", None, owner=owner
            )
        if (
            self.max_rate_decrease is not None
            and self.max_rate_increase is not None
            and self.max_rate_decrease > self.max_rate_increase
        ):
            raise InvalidOptionError(
                "max_rate_decrease", f"<= max_rate_increase ({self.max_rate_increase!r})", self.max_rate_decrease, owner=owner
            )

    def _changes(self, data: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _value_range(self, value: float, change: float, previous: np.ndarray) -> tuple[float, float]:
        raise NotImplementedError

    def _evaluate(self, series: np.ndarray, start: int, end: int) -> list[Evaluation]:
        slice_start = max(start - self.order, 0)
        data = series[slice_start:end]
        if len(data) <= self.order:
            return []
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            changes = self._changes(data)
        dec = -_MAX if self.max_rate_decrease is None else float(self.max_rate_decrease)
        inc = _MAX if self.max_rate_increase is None else float(self.max_rate_increase)
        allowed = (
            f"[{_bound(self.max_rate_decrease, -math.inf)}, {_bound(self.max_rate_increase, math.inf)}]"
        )
        out = []
        for k, change in enumerate(changes):
            i = k + slice_start + self.order
            value = float(series[i])
            # NaN changes (0/0, inf - inf) are never anomalous: every comparison with NaN is false
            is_anomaly = bool(change < dec or change > inc)
            reason = f"{self.label}, order {self.order}: {self._what} {_signed(change, self._what)}, allowed {allowed}"
            out.append(Evaluation(i, value, self._value_range(value, float(change), series[i - self.order : i]), is_anomaly, reason))
        return out


def _bound(b: float | None, missing: float) -> str:
    return compact(missing if b is None else b)


def _signed(x: float, what: str) -> str:
    if what == "change" and x > 0:
        return "+" + full(x)
    return full(x)


@dataclass(frozen=True)
class AbsoluteChangeStrategy(_ChangeStrategy):
    """Flags ``Δ^order x[i]`` outside ``[max_rate_decrease, max_rate_increase]``.

    ``Δ`` is the first difference applied ``order`` times (order 1: ``x[i] - x[i-1]``; order 2:
    ``x[i] - 2 x[i-1] + x[i-2]``); order 0 is a threshold on the values themselves. At least one
    limit is required and ``max_rate_decrease <= max_rate_increase`` (a decrease limit is usually
    negative: ``AbsoluteChangeStrategy(-1000, 1000)``).

    The expected range of a point is the values that would have kept its change within the
    limits, the ``order`` previous values being what they are.
    """

    label: ClassVar[str] = "AbsoluteChange"

    def _changes(self, data: np.ndarray) -> np.ndarray:
        return np.diff(data, n=self.order) if self.order else data

    def _value_range(self, value: float, change: float, previous: np.ndarray) -> tuple[float, float]:
        # Δ^k x[i] = x[i] + (terms of earlier points): the change moves one for one with x[i]
        base = value - change
        lo = -math.inf if self.max_rate_decrease is None else base + self.max_rate_decrease
        hi = math.inf if self.max_rate_increase is None else base + self.max_rate_increase
        if math.isnan(base):  # an inf among the points: no finite range to state
            return (-math.inf, math.inf)
        return (lo, hi)


@dataclass(frozen=True)
class RelativeRateOfChangeStrategy(_ChangeStrategy):
    """Flags the ratio ``x[i] / x[i-order]`` outside ``[max_rate_decrease, max_rate_increase]``;
    e.g. ``RelativeRateOfChangeStrategy(0.9, 1.1)`` allows ±10 % from one point to the next.

    One ratio with the point ``order`` steps back, not an iterated one (Deequ); ``order >= 1``.
    Division by zero gives ±inf, which is outside any limit (even a missing one, as in Deequ);
    ``0 / 0`` is NaN and never flagged. Deequ labels these anomalies "[AbsoluteChangeStrategy]";
    dq names the strategy that found them.
    """

    label: ClassVar[str] = "RelativeRateOfChange"
    _min_order: ClassVar[int] = 1
    _what: ClassVar[str] = "ratio"

    def _changes(self, data: np.ndarray) -> np.ndarray:
        return data[self.order :] / data[: -self.order]

    def _value_range(self, value: float, change: float, previous: np.ndarray) -> tuple[float, float]:
        ref = float(previous[0])
        lo_ratio = -math.inf if self.max_rate_decrease is None else self.max_rate_decrease
        hi_ratio = math.inf if self.max_rate_increase is None else self.max_rate_increase
        if ref == 0 or math.isnan(ref) or math.isinf(ref):
            # x / 0 is ±inf for any x != 0 (an anomaly) and NaN for x == 0 (accepted)
            return (0.0, 0.0) if ref == 0 else (-math.inf, math.inf)
        with np.errstate(invalid="ignore", over="ignore"):
            a, b = lo_ratio * ref, hi_ratio * ref
        return (a, b) if ref > 0 else (b, a)


@dataclass(frozen=True)
class RateOfChangeStrategy(AbsoluteChangeStrategy):
    """Deprecated (as in Deequ): the old name of ``AbsoluteChangeStrategy``, which it is in every
    respect but the name; it warns once per construction. For relative changes use
    ``RelativeRateOfChangeStrategy``."""

    def __post_init__(self) -> None:
        warnings.warn(
            "RateOfChangeStrategy is deprecated: it detects absolute changes; use AbsoluteChangeStrategy "
            "(same parameters), or RelativeRateOfChangeStrategy for changes relative to the previous value.",
            DeprecationWarning,
            stacklevel=3,
        )
        super().__post_init__()
