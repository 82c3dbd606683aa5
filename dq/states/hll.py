"""HyperLogLog++ state for ApproxCountDistinct.

The state is the dense register array of an HLL++ sketch: one rank per register, 0 meaning
"no value seen". Registers are built by a backend (DuckDB computes them inside its aggregate
scan, see :mod:`dq.backends.duckdb_hll`) and estimated here with ``datasketch``'s
bias-corrected ``HyperLogLogPlusPlus``, so the estimator is a maintained implementation of
the published algorithm rather than ours.

Register convention: for a 64-bit hash ``h`` and precision ``p``, the register index is the
high ``p`` bits of ``h`` and the rank is 1 + the number of trailing zeros of the low ``64 - p``
bits (``65 - p`` when they are all zero). With a uniform hash this rank has exactly the
distribution of datasketch's (1 + leading zeros of ``h >> p``), P(rank = r) = 2^-r, and the index
is independent of it, so datasketch's estimator applies unchanged to these registers; the
trailing-zero form costs four integer operations in SQL instead of a dozen. The hash name in the
state records which convention and hash built it ("duckdb.hash^null" = DuckDB's ``hash(v) XOR
hash(NULL)`` with this convention); states built otherwise never merge with these.

Two states merge only when both precision and hash function agree: registers built from
different hashes of the same values are unrelated, and their max would silently double-count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from datasketch import HyperLogLogPlusPlus

from dq.errors import InvalidOptionError, StateFormatError, StateMergeError
from dq.states.base import State, b64, register_state, unb64

__all__ = ["DEFAULT_PRECISION", "MAX_PRECISION", "MIN_PRECISION", "HLLState", "check_precision", "max_rank"]

MIN_PRECISION = 4
# datasketch's bias tables (and thresholds) cover p = 4..18; beyond that we would have no HLL++
# small-range correction, and 2**18 registers is already 256 KiB per state.
MAX_PRECISION = 18
DEFAULT_PRECISION = 14

def check_precision(precision: object) -> int:
    """Return ``precision`` if it is an int in [4, 18], else raise InvalidOptionError."""
    # bool is an int subclass; precision=True is a mistake, not 1.
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)):
        raise InvalidOptionError(
            "precision", f"an integer between {MIN_PRECISION} and {MAX_PRECISION}", precision
        )
    if not MIN_PRECISION <= int(precision) <= MAX_PRECISION:
        raise InvalidOptionError(
            "precision", f"an integer between {MIN_PRECISION} and {MAX_PRECISION}", precision
        )
    return int(precision)


def max_rank(precision: int) -> int:
    """The largest rank a register can hold: that of an all-zero ``h >> p``."""
    return 64 - precision + 1


class _HLLPP(HyperLogLogPlusPlus):
    """datasketch's HLL++ estimator, accepting p = 17 and 18.

    datasketch's ``_get_alpha`` rejects p > 16 although its HLL++ bias tables go to p = 18;
    for p >= 7 alpha is the same closed form (Flajolet et al.), so extending it is exact.
    """

    __slots__ = ()

    def _get_alpha(self, p: int) -> float:
        if 16 < p <= MAX_PRECISION:
            return 0.7213 / (1.0 + 1.079 / (1 << p))
        return super()._get_alpha(p)


@register_state
@dataclass(frozen=True)
class HLLState(State):
    """Dense HLL++ registers: ``registers[i]`` is the max rank seen in register ``i`` (uint8)."""

    TYPE: ClassVar[str] = "HLL"

    precision: int
    registers: bytes
    hash: str

    def __post_init__(self) -> None:
        # Normalise numpy integers to int: the payload must stay JSON-serialisable.
        object.__setattr__(self, "precision", check_precision(self.precision))
        if not isinstance(self.hash, str) or not self.hash:
            raise StateFormatError(
                f"HLL state: hash must be a non-empty string naming the hash function, found {self.hash!r}"
            )
        if not isinstance(self.registers, bytes):
            raise StateFormatError(
                f"HLL state: registers must be bytes, found {type(self.registers).__name__}"
            )
        m = 1 << self.precision
        if len(self.registers) != m:
            raise StateFormatError(
                f"HLL state: precision {self.precision} needs {m} registers, found {len(self.registers)}"
            )
        # A rank above 65 - p cannot come from a 64-bit hash: the registers were built with
        # another precision (or are corrupt), and the estimate would be garbage.
        top = int(np.frombuffer(self.registers, dtype=np.uint8).max())
        if top > max_rank(self.precision):
            raise StateFormatError(
                f"HLL state: a register holds rank {top}, but precision {self.precision} allows at most "
                f"{max_rank(self.precision)}"
            )

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def empty(cls, precision: int = DEFAULT_PRECISION, hash: str = "duckdb.hash^null") -> HLLState:
        p = check_precision(precision)
        return cls(precision=p, registers=bytes(1 << p), hash=hash)

    @classmethod
    def from_registers(cls, registers: np.ndarray, precision: int, hash: str) -> HLLState:
        """From an integer array of ranks (length ``2**precision``)."""
        arr = np.asarray(registers)
        if arr.ndim != 1 or (arr.size and (arr.min() < 0 or arr.max() > 255)):
            raise StateFormatError("HLL state: registers must be a 1-d array of ranks in 0..255")
        return cls(precision=check_precision(precision), registers=arr.astype(np.uint8).tobytes(), hash=hash)

    @classmethod
    def from_bitstring(cls, bits: str | None, precision: int, hash: str, *, drop_null_slot: bool = False
                       ) -> HLLState:
        """Decode DuckDB's ``bitstring_agg(rank * 2**p + index, 2**p, (66 - p) * 2**p - 1)``.

        DuckDB hands a BIT value to Python as a ``str`` of '0'/'1' characters, leftmost
        character = position 0 = the aggregate's minimum. So row ``r - 1`` of ``2**p`` characters
        holds rank ``r``, and character ``i`` of it set means register ``i`` saw rank ``r``; the
        register is the largest such ``r``. ``None`` is what the aggregate returns over zero
        (non-NULL) rows: the empty sketch. ``drop_null_slot`` ignores register 0's highest rank,
        where NULLs land when the expression does not filter them (``dq.backends.duckdb_hll``).
        """
        p = check_precision(precision)
        if bits is None:
            return cls.empty(p, hash)
        if not isinstance(bits, str):
            raise StateFormatError(
                f"HLL bitstring must be a str of '0'/'1' (DuckDB BIT), found {type(bits).__name__}"
            )
        m, ranks = 1 << p, max_rank(p)
        if len(bits) != m * ranks:
            raise StateFormatError(
                f"HLL bitstring for precision {p} must have {m * ranks} bits ({ranks} ranks x {m} registers), "
                f"found {len(bits)}: built with another precision?"
            )
        try:
            raw = bits.encode("ascii")
        except UnicodeEncodeError:
            raise StateFormatError("HLL bitstring must contain only '0' and '1'") from None
        # A few numpy passes over the ~800k characters of a p=14 bitstring (~0.1 ms): the bits
        # as 0/1, each row times its rank, the maximum down each register's column.
        grid = np.frombuffer(raw, dtype=np.uint8).reshape(ranks, m) - ord("0")
        if grid.max() > 1:  # uint8 wrap-around makes any char below '0' large too
            raise StateFormatError("HLL bitstring must contain only '0' and '1'")
        grid *= np.arange(1, ranks + 1, dtype=np.uint8)[:, None]
        if drop_null_slot:
            grid[ranks - 1, 0] = 0
        registers = grid.max(axis=0)
        return cls(precision=p, registers=registers.tobytes(), hash=hash)

    # -- state laws ------------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not self.registers.strip(b"\x00")

    def merge(self, other: HLLState) -> HLLState:
        self._check_mergeable(other)
        if self.precision != other.precision or self.hash != other.hash:
            raise StateMergeError(
                "cannot merge HLL states built differently: "
                f"left has precision={self.precision}, hash={self.hash!r}; "
                f"right has precision={other.precision}, hash={other.hash!r}. "
                "Registers of different precisions or hash functions are unrelated."
            )
        merged = np.maximum(self.register_array(), other.register_array())
        return HLLState(precision=self.precision, registers=merged.tobytes(), hash=self.hash)

    def register_array(self) -> np.ndarray:
        """The registers as a read-only uint8 array (no copy)."""
        return np.frombuffer(self.registers, dtype=np.uint8)

    def estimate(self) -> float:
        """HLL++ estimate of the number of distinct values (0.0 for the empty state)."""
        if self.is_empty:
            return 0.0
        # datasketch keeps registers as int8; ranks are <= 61 so the cast is lossless. The
        # default hashfunc is never called: we only ask the sketch to count.
        sketch = _HLLPP(reg=self.register_array().astype(np.int8))
        return float(sketch.count())

    # -- serialisation ---------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        return {"precision": self.precision, "hash": self.hash, "registers": b64(self.registers)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> HLLState:
        try:
            precision = payload["precision"]
            hash_name = payload["hash"]
            registers = payload["registers"]
        except KeyError as e:
            raise StateFormatError(f"HLL state is missing field {e}") from None
        if isinstance(precision, bool) or not isinstance(precision, int):
            raise StateFormatError(f"HLL state: precision must be an integer, found {precision!r}")
        if not isinstance(registers, str):
            raise StateFormatError("HLL state: registers must be a base64 string")
        return cls(precision=precision, registers=unb64(registers), hash=hash_name)
