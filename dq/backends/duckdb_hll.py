"""HLL++ registers computed inside DuckDB's aggregate scan.

No column value reaches Python: DuckDB hashes each value, derives its HLL register index and
rank, and ``bitstring_agg`` sets bit ``(rank - 1) * 2**p + index``. Python receives one bitstring
of ``(65 - p) * 2**p`` bits and :meth:`dq.states.hll.HLLState.from_bitstring` takes, per register,
the highest rank whose bit is set. The register convention is datasketch's (see
:mod:`dq.states.hll`), so its HLL++ estimator applies unchanged.

The hash the registers come from is ``hash(v) XOR hash(NULL)``: DuckDB's ``hash()`` gives every
NULL the same number (:data:`NULL_HASH`, whatever the type), so a NULL's register hash is 0,
which lands on one fixed bit, the "NULL slot" (index 0, the highest rank). For a column of
scalar values the expression therefore needs no NULL test at all (``nulls_set_bit=True``): the
decoder clears the NULL slot (``drop_null_slot=True``). A non-NULL value reaches that slot only
if its 64-bit hash equals ``hash(NULL)`` (a chance of 2**-64 for a scalar), and is then not
counted. Nested values are different: DuckDB hashes ``[]``, ``[NULL]`` and ``{'a': NULL}`` to
``hash(NULL)`` too, so for them the expression keeps NULLs out explicitly and the slot is kept.

Usage::

    expr = hll_bitstring_sql('"review_id"', 14, nulls_set_bit=True)
    bits = con.execute(f"SELECT {expr} FROM t").fetchone()[0]
    state = hll_state_from_bitstring(bits, 14, drop_null_slot=True)

Cost (200 columns x 1M rows, CPU seconds per 40 columns): the NULL test and the register-major
layout it replaced cost 1.0-1.75 s; without the test and with the rank-major layout (most values
have rank 1 or 2, so the bits they set sit in the first few 2**p-bit rows and stay in cache)
0.6-0.8 s. DuckDB's own ``approx_count_distinct``, which keeps no mergeable state, costs 0.2-0.35 s.

DuckDB's ``hash()`` depends on the value's type: integers of every width hash alike, but
``hash(1)``, ``hash(1.0)`` and ``hash('1')`` differ, so states only merge meaningfully when
built from columns of the same kind. Its values are also not promised stable across DuckDB
releases; the test suite pins a few so an upgrade that changes them is noticed before old and
new states are merged.
"""

from __future__ import annotations

from dq.states.hll import HLLState, check_precision, max_rank

__all__ = ["HASH_NAME", "NULL_HASH", "hll_bitstring_sql", "hll_hash_sql", "hll_key_range", "hll_key_sql",
           "hll_state_from_bitstring"]

#: Name recorded in every state built here; states merge only with states of the same hash.
#: (Earlier builds of dq took the registers from ``hash(v)`` itself and recorded "duckdb.hash";
#: such states are refused by a merge with these, with an error naming both.)
HASH_NAME = "duckdb.hash^null"

#: DuckDB's ``hash()`` of NULL, the same for every type (pinned by the tests)
NULL_HASH = 13787848793156543929


def hll_hash_sql(value_sql: str) -> str:
    """The 64-bit (UBIGINT) register hash of ``value_sql``: ``hash(v) XOR hash(NULL)`` (0 for NULL)."""
    return f"xor(hash({value_sql}), {NULL_HASH})"


def hll_key_range(precision: int) -> tuple[int, int]:
    """The smallest and largest key :func:`hll_key_sql` produces (``bitstring_agg``'s bounds)."""
    m = 1 << check_precision(precision)
    return m, (max_rank(precision) + 1) * m - 1


def hll_key_sql(hash_sql: str, precision: int) -> str:
    """INTEGER SQL ``rank * 2**p + index`` for a UBIGINT register hash expression ``hash_sql``.

    index = the high ``p`` bits of the hash; rank = 1 + the number of trailing zeros of the low
    ``64 - p`` bits (``65 - p`` when they are all zero). See :mod:`dq.states.hll` for why this
    convention. Exposed separately so the arithmetic can be tested on chosen 64-bit values.
    """
    p = check_precision(precision)
    h = f"({hash_sql})"
    low_bits = 64 - p
    # w = the hash with a sentinel bit at position 64 - p: bits above it do not matter, as
    # w xor (w - 1) sets exactly the trailing zeros of w plus its lowest one bit, and the lowest
    # one bit is at most the sentinel. Its popcount is the rank. Nothing underflows (w > 0).
    w = f"({h} | {1 << low_bits})"
    # the rank is a TINYINT: an INTEGER factor keeps the product from overflowing at small p
    return f"(bit_count(xor({w}, {w} - 1)) * CAST({1 << p} AS INTEGER) + CAST({h} >> {low_bits} AS INTEGER))"


def hll_bitstring_sql(value_sql: str, precision: int, *, nulls_set_bit: bool = False) -> str:
    """A DuckDB aggregate expression whose value (a BIT) encodes the HLL++ registers of ``value_sql``.

    ``value_sql`` is an already-quoted SQL expression. With ``nulls_set_bit`` (for scalar values
    only, see the module docstring) NULLs set the NULL slot, which the decoder must drop
    (``hll_state_from_bitstring(..., drop_null_slot=True)``); otherwise NULLs set no bit. The
    result ends with the aggregate's closing parenthesis so a ``FILTER (WHERE ...)`` clause can be
    appended.
    """
    if not isinstance(value_sql, str) or not value_sql.strip():
        raise TypeError(f"value_sql must be a non-empty SQL expression string, found {value_sql!r}")
    p = check_precision(precision)
    key = hll_key_sql(hll_hash_sql(value_sql), p)
    lo, hi = hll_key_range(p)
    if not nulls_set_bit:
        # nullif(x IS NULL, true) is NULL for a NULL x and FALSE (0) otherwise, for every type;
        # unlike CASE it does not stop DuckDB from sharing the hash subexpression. bitstring_agg
        # skips NULL keys, and returns NULL when it saw none.
        key = f"{key} + CAST(nullif(({value_sql}) IS NULL, true) AS INTEGER)"
    return f"bitstring_agg({key}, {lo}, {hi})"


def hll_state_from_bitstring(bits: str | None, precision: int, *, drop_null_slot: bool = False) -> HLLState:
    """The state for what DuckDB returned for :func:`hll_bitstring_sql` (None over zero rows);
    ``drop_null_slot`` when it was built with ``nulls_set_bit``."""
    return HLLState.from_bitstring(bits, precision, HASH_NAME, drop_null_slot=drop_null_slot)
