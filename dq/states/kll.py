"""KLL quantile sketch state in Apache DataSketches' serialisation (``kll_doubles_sketch``), so a
sketch made here merges with one made by any DataSketches implementation (Spark 4's
``kll_sketch_agg_double``, Java, C++)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from datasketches import kll_doubles_sketch

from dq.errors import InvalidOptionError, StateFormatError, StateMergeError
from dq.states.base import State, b64, register_state, unb64

__all__ = ["DEFAULT_K", "KLLState"]

#: DataSketches' default; normalised rank error about 1.33% (single quantile, 99% confidence).
DEFAULT_K = 200


def check_k(k: int, owner: str | None = None) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or not 8 <= k <= 65535:
        raise InvalidOptionError("sketch_size", "an integer between 8 and 65535", k, owner=owner)
    return k


@register_state
@dataclass(frozen=True)
class KLLState(State):
    """Serialised ``kll_doubles_sketch``. NaN values are never added (DataSketches ignores them).

    Merging is the sketch merge: min, max and n merge exactly; quantiles carry the sketch's rank
    error bound (compaction is randomised, so a merge is not byte-identical to the whole)."""

    TYPE = "KLL"
    sketch: bytes

    @classmethod
    def empty(cls, k: int = DEFAULT_K) -> KLLState:
        return cls(kll_doubles_sketch(check_k(k)).serialize())

    @classmethod
    def of_values(cls, values: np.ndarray, k: int = DEFAULT_K) -> KLLState:
        s = kll_doubles_sketch(check_k(k))
        s.update(np.ascontiguousarray(values, dtype=np.float64))
        return cls(s.serialize())

    def to_sketch(self) -> kll_doubles_sketch:
        return kll_doubles_sketch.deserialize(self.sketch)

    @property
    def is_empty(self) -> bool:
        return self.to_sketch().is_empty()

    @property
    def n(self) -> int:
        return self.to_sketch().n

    def merge(self, other: KLLState) -> KLLState:
        if type(other) is not type(self):
            raise StateMergeError(f"cannot merge a KLLState with a {type(other).__name__}")
        a = self.to_sketch()
        a.merge(other.to_sketch())
        return KLLState(a.serialize())

    def payload(self) -> dict[str, Any]:
        return {"sketch": b64(self.sketch), "sha256": hashlib.sha256(self.sketch).hexdigest()}

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> KLLState:
        raw = unb64(p["sketch"])
        # DataSketches' deserialiser trusts the lengths in the sketch header and reads past the
        # end of a truncated buffer (a crash, not an exception), so the bytes are checked against
        # the digest written with them before the sketch is ever parsed.
        if hashlib.sha256(raw).hexdigest() != p.get("sha256"):
            raise StateFormatError("KLL state: the sketch bytes do not match their sha256 digest (truncated or corrupt)")
        kll_doubles_sketch.deserialize(raw)
        return cls(raw)
