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


def _level_capacity(k: int, depth: int, m: int) -> int:
    # DataSketches' kll_helper::int_cap_aux(_aux): k·(2/3)^depth with its exact integer rounding
    def aux(k: int, depth: int) -> int:
        return ((((2 * k) << depth) // 3**depth) + 1) >> 1

    cap = aux(k, depth) if depth <= 30 else aux(aux(k, depth // 2), depth - depth // 2)
    return max(m, cap)


def check_sketch_bytes(raw: bytes) -> None:
    """Validate a serialised kll_doubles_sketch's header against its length *before* DataSketches
    parses it: its deserialiser trusts the header and reads past the end of a short buffer (a
    crash, not an exception). Layout (datasketches-cpp kll_sketch::serialize): 8-byte preamble
    (preamble ints, serial version, family 15, flags, k, m); empty = 8 bytes; one item = 16;
    else n, min_k, num_levels, the levels array (uint32 each), min, max and the retained items,
    whose count is the total level capacity minus levels[0]."""
    import struct

    def bad(why: str) -> StateFormatError:
        return StateFormatError(f"KLL state: not a valid DataSketches KLL doubles sketch ({why})")

    if len(raw) < 8:
        raise bad(f"{len(raw)} bytes")
    pre, _ver, family, flags = raw[0], raw[1], raw[2], raw[3]
    k, m = struct.unpack_from("<H", raw, 4)[0], raw[6]
    if family != 15:
        raise bad(f"family {family}, expected 15")
    if flags & 1:  # empty
        if len(raw) != 8:
            raise bad("empty sketch of wrong length")
        return
    if flags & 4:  # single item
        if len(raw) != 16:
            raise bad("single-item sketch of wrong length")
        return
    if pre != 5 or len(raw) < 20:
        raise bad("truncated preamble")
    num_levels = raw[18]
    if not 1 <= num_levels <= 61 or not 8 <= k <= 65535 or m < 2:
        raise bad(f"k={k}, m={m}, levels={num_levels}")
    if len(raw) < 20 + 4 * num_levels:
        raise bad("truncated levels")
    levels = struct.unpack_from(f"<{num_levels}I", raw, 20)
    capacity = sum(_level_capacity(k, num_levels - h - 1, m) for h in range(num_levels))
    if any(a > b for a, b in zip(levels, levels[1:])) or levels[0] > capacity or levels[-1] > capacity:
        raise bad("inconsistent levels")
    expected = 20 + 4 * num_levels + 16 + 8 * (capacity - levels[0])
    if len(raw) != expected:
        raise bad(f"{len(raw)} bytes, the header says {expected}")
    # n must be the total weight of the retained items (level h weighs 2**h); DataSketches trusts
    # it and a wrong n makes later merges hang or fail
    bounds = (*levels, capacity)
    weight = sum((bounds[h + 1] - bounds[h]) << h for h in range(num_levels))
    n = struct.unpack_from("<Q", raw, 8)[0]
    if n != weight:
        raise bad(f"n = {n}, but the levels hold a weight of {weight}")


@register_state
@dataclass(frozen=True)
class KLLState(State):
    """Serialised ``kll_doubles_sketch``. NaN values are never added (DataSketches ignores them).

    Merging is the sketch merge: min, max and n merge exactly; quantiles carry the sketch's rank
    error bound (compaction is randomised, so a merge is not byte-identical to the whole)."""

    TYPE = "KLL"
    sketch: bytes

    def __post_init__(self) -> None:
        check_sketch_bytes(self.sketch)

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
        return cls(raw)  # the constructor checks the header before anything parses the bytes
