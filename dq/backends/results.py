"""Engine results to dq values, the same for every backend: numbers as Python floats/ints (a
DECIMAL becomes a float), Minimum/Maximum of integers as floats (dates and timestamps kept), and
an aggregation with several outputs as a tuple. Only the HLL register encoding differs per engine,
so each backend passes its own decoder."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from typing import Any

from dq import aggregations as A

__all__ = ["convert_result", "number"]


def number(v: Any) -> Any:
    """A DECIMAL as a float; anything else as it is."""
    return float(v) if isinstance(v, decimal.Decimal) else v


def convert_result(agg: A.Agg, values: list[Any], hll: Callable[[Any, int], Any]) -> Any:
    """The value of ``agg`` from the engine's output columns ``values``; ``hll(raw, precision)``
    turns the engine's HLL output into an HLLState."""
    if isinstance(agg, A.HLLOf):
        return hll(values[0], agg.precision)
    if isinstance(agg, (A.MinOf, A.MaxOf)):
        v = values[0]
        if isinstance(v, (int, decimal.Decimal)) and not isinstance(v, bool):
            return float(v)
        return v  # float, date, datetime or None
    if agg.ARITY == 1:
        return number(values[0])
    return tuple(number(v) for v in values)
