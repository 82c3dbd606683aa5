"""SimpleThresholdStrategy: a fixed range (Deequ's ``SimpleThresholdStrategy``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from dq.anomaly.base import AnomalyDetectionStrategy, Evaluation, check_number
from dq.errors import InvalidOptionError

__all__ = ["SimpleThresholdStrategy"]


@dataclass(frozen=True)
class SimpleThresholdStrategy(AnomalyDetectionStrategy):
    """A value is anomalous iff ``value < lower_bound`` or ``value > upper_bound``: the bounds
    themselves are accepted (Deequ compares strictly).

    Deequ's ``lowerBound`` defaults to ``Double.MinValue`` and ``upperBound`` is required; here
    either side may be left out (None = no bound on that side), but not both.
    """

    lower_bound: float | None = None
    upper_bound: float | None = None

    label: ClassVar[str] = "SimpleThreshold"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_number(owner, "lower_bound", self.lower_bound, optional=True)
        check_number(owner, "upper_bound", self.upper_bound, optional=True)
        if self.lower_bound is None and self.upper_bound is None:
            raise InvalidOptionError("upper_bound", "a number when lower_bound is None (at least one bound)", None, owner=owner)
        if self.lower_bound is not None and self.upper_bound is not None and self.lower_bound > self.upper_bound:
            raise InvalidOptionError(
                "lower_bound", f"<= upper_bound ({self.upper_bound!r})", self.lower_bound, owner=owner
            )

    def _evaluate(self, series: np.ndarray, start: int, end: int) -> list[Evaluation]:
        lo = -math.inf if self.lower_bound is None else float(self.lower_bound)
        hi = math.inf if self.upper_bound is None else float(self.upper_bound)
        return [
            Evaluation(i, float(series[i]), (lo, hi), bool(series[i] < lo or series[i] > hi), self.label)
            for i in range(start, min(end, len(series)))
        ]
