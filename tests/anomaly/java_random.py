"""``java.util.Random`` in Python, to rebuild the random series of Deequ's own anomaly tests
(Scala's ``util.Random(seed)`` is ``java.util.Random``) and check dq against the numbers those
tests expect. The algorithm is specified in the ``java.util.Random`` Javadoc: a 48-bit linear
congruential generator; ``nextGaussian`` is the polar method, caching the second value.
"""

from __future__ import annotations

import math

_MASK = (1 << 48) - 1
_MULTIPLIER = 0x5DEECE66D


class JavaRandom:
    def __init__(self, seed: int):
        self._seed = (seed ^ _MULTIPLIER) & _MASK
        self._next_gaussian: float | None = None

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * _MULTIPLIER + 0xB) & _MASK
        return self._seed >> (48 - bits)

    def next_double(self) -> float:
        return ((self._next(26) << 27) + self._next(27)) * 2.0**-53

    def next_gaussian(self) -> float:
        if self._next_gaussian is not None:
            value, self._next_gaussian = self._next_gaussian, None
            return value
        while True:
            v1 = 2 * self.next_double() - 1
            v2 = 2 * self.next_double() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        multiplier = math.sqrt(-2 * math.log(s) / s)
        self._next_gaussian = v2 * multiplier
        return v1 * multiplier
