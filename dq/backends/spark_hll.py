"""HLL++ registers computed inside Spark's aggregate scan.

Spark 4's ``hll_sketch_agg`` is a native aggregate (Apache DataSketches' ``HllSketch``), as fast
as a plain ``max`` and mergeable across partitions. dq does not keep its bytes as the state: it
decodes them into the dense register array :class:`dq.states.hll.HLLState` holds, so the state,
its merge and its estimator (datasketch's HLL++) are the same as on DuckDB.

What is hashed: ``xxhash64`` of the value (integers widened to BIGINT first, so every integer
width hashes alike; ``x + 0.0`` for floats, so -0.0 and 0.0 are one value as in the engines'
grouping), fed as a BIGINT to ``hll_sketch_agg``, which hashes it again with MurmurHash3. The
first hash is there because ``hll_sketch_agg`` accepts only integers, strings and binaries *and
silently skips empty strings* (DataSketches' ``update("")`` is a no-op), while ``""`` is a value
like any other for ApproxCountDistinct. A 64-bit hash of a 64-bit hash is still uniform, so the
estimator's error bounds are unchanged.

Register convention (DataSketches, HLL_8): a coupon is ``value << 26 | slot`` with ``slot`` the
low 26 bits of the first half of the 128-bit Murmur3 hash and ``value`` = 1 + the number of
leading zeros of the second half; register ``slot mod 2**p`` holds the largest value. The index
is independent of the value and P(value = r) = 2^-r, exactly the distribution datasketch's
estimator assumes (see :mod:`dq.states.hll`), so it applies unchanged. DataSketches caps a value
at 63; a 64-bit hash never gives more than 65 - p in dq's convention, so a value above that
(probability 2^-(64-p) per distinct value) is clamped to it.

The hash name recorded in the state is :data:`HASH_NAME`; DuckDB's states carry another, and
merging the two is refused (their registers are unrelated).

Serialised sketch layout (datasketches-java ``PreambleUtil``; little-endian)::

    byte 0 preamble ints (2 LIST, 3 SET, 10 HLL)   byte 1 serial version (1)   byte 2 family (7)
    byte 3 lgK   byte 4 lgArr   byte 5 flags (bit 2 empty, bit 3 compact)   byte 6 list count
    byte 7 mode: bits 0-1 current mode (0 LIST, 1 SET, 2 HLL), bits 2-3 target type (2 = HLL_8)
    LIST: coupons (int32) from byte 8; SET: coupon count at 8, coupons from byte 12;
    HLL: registers (one byte each for HLL_8) from byte 40.
An updatable (non-compact) LIST or SET array has ``2**lgArr`` slots, 0 meaning empty.
"""

from __future__ import annotations

import struct

import numpy as np

from dq.errors import StateFormatError
from dq.states.hll import HLLState, check_precision, max_rank

__all__ = ["HASH_NAME", "hll_state_from_sketch"]

#: Name recorded in every state built here; states merge only with states of the same hash.
HASH_NAME = "spark.xxhash64+datasketches.hll"

_FAMILY = 7
_LIST, _SET, _HLL = 0, 1, 2
_HLL_8 = 2
_KEY_BITS = 26


def _bad(why: str) -> StateFormatError:
    return StateFormatError(f"not a DataSketches HLL sketch as Spark's hll_sketch_agg writes it ({why})")


def hll_state_from_sketch(raw: bytes | None, precision: int) -> HLLState:
    """The dense-register state for the bytes ``hll_sketch_agg(..., precision)`` returned
    (None, as some engines return over zero rows, is the empty state)."""
    p = check_precision(precision)
    if raw is None:
        return HLLState.empty(p, HASH_NAME)
    raw = bytes(raw)
    if len(raw) < 8:
        raise _bad(f"{len(raw)} bytes")
    pre_ints, _ver, family, lg_k, lg_arr, flags, list_count, mode = raw[:8]
    if family != _FAMILY:
        raise _bad(f"family {family}, expected {_FAMILY}")
    if lg_k != p:
        raise _bad(f"lgK {lg_k}, expected the precision {p}")
    cur_mode, tgt_type = mode & 3, (mode >> 2) & 3
    m = 1 << p
    top = max_rank(p)
    if flags & 4:  # empty
        return HLLState.empty(p, HASH_NAME)
    if cur_mode == _HLL:
        if tgt_type != _HLL_8:
            raise _bad(f"target type {tgt_type}; dq asks for HLL_8")
        start = pre_ints * 4
        if len(raw) < start + m:
            raise _bad(f"{len(raw)} bytes for {m} registers")
        regs = np.frombuffer(raw, dtype=np.uint8, count=m, offset=start)
        return HLLState.from_registers(np.minimum(regs, top), p, HASH_NAME)
    if cur_mode == _LIST:
        start, count = 8, (list_count if flags & 8 else 1 << lg_arr)
    elif cur_mode == _SET:
        start = 12
        count = struct.unpack_from("<i", raw, 8)[0] if flags & 8 else 1 << lg_arr
    else:
        raise _bad(f"mode {cur_mode}")
    if count < 0 or len(raw) < start + 4 * count:
        raise _bad(f"{len(raw)} bytes for {count} coupons")
    coupons = np.frombuffer(raw, dtype="<u4", count=count, offset=start)
    coupons = coupons[coupons != 0]
    regs = np.zeros(m, dtype=np.uint8)
    # np.maximum.at: several coupons may land in one register; the register keeps the largest
    np.maximum.at(regs, (coupons & ((1 << _KEY_BITS) - 1)) & (m - 1),
                  np.minimum(coupons >> _KEY_BITS, top).astype(np.uint8))
    return HLLState.from_registers(regs, p, HASH_NAME)
