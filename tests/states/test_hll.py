"""HLL++ state and its DuckDB register computation.

The registers computed in SQL must be bit-for-bit what the reference convention (index = high p
bits, rank = 1 + trailing zeros of the low 64 - p bits) builds from the same 64-bit hashes, and
that convention must give ranks distributed as datasketch's, whose estimator reads them.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from datasketch import HyperLogLogPlusPlus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dq.backends.duckdb_hll import (
    HASH_NAME,
    NULL_HASH,
    hll_bitstring_sql,
    hll_hash_sql,
    hll_key_range,
    hll_key_sql,
    hll_state_from_bitstring,
)
from dq.errors import InvalidOptionError, StateFormatError, StateMergeError
from dq.states.base import State, dumps, loads
from dq.states.hll import MAX_PRECISION, MIN_PRECISION, HLLState, max_rank

U64 = (1 << 64) - 1
PRECISIONS = list(range(MIN_PRECISION, MAX_PRECISION + 1))


# -- pure-Python reference of the register convention --------------------------------------
def ref_index_rank(h: int, p: int) -> tuple[int, int]:
    """dq's convention, written out independently."""
    low = h & ((1 << (64 - p)) - 1)
    if low == 0:
        return h >> (64 - p), 65 - p
    return h >> (64 - p), ((low & -low).bit_length() - 1) + 1


def ref_registers(hashes: list[int], p: int) -> np.ndarray:
    reg = np.zeros(1 << p, dtype=np.uint8)
    for h in hashes:
        i, r = ref_index_rank(h, p)
        reg[i] = max(reg[i], r)
    return reg


def datasketch_registers(hashes: list[int], p: int) -> np.ndarray:
    """Registers built by datasketch itself, fed the hashes through an identity hash function."""
    sk = HyperLogLogPlusPlus(p=p, hashfunc=lambda h: h)
    for h in hashes:
        sk.update(h)
    return sk.digest().astype(np.uint8)


def bit_reverse(h: int) -> int:
    return int(f"{h:064b}"[::-1], 2)


def edge_hashes(p: int) -> list[int]:
    """64-bit values whose w = h >> p sits on every bit-length boundary, with varied indexes."""
    nbits = 64 - p
    ws = {0, 1, (1 << nbits) - 1}
    for k in range(1, nbits + 1):
        ws |= {(1 << k) - 1, 1 << (k - 1), (1 << k) - 2 if k > 1 else 0}
    ws = {w for w in ws if 0 <= w < (1 << nbits)}
    out = []
    for j, w in enumerate(sorted(ws)):
        idx = (j * 2654435761) & ((1 << p) - 1)  # spread over registers, include 0 and max below
        out.append((w << p) | idx)
    out += [0, U64, (1 << p) - 1, U64 ^ ((1 << p) - 1), 1 << 63, (1 << 63) - 1]
    out += [1 << j for j in range(64)] + [U64 ^ (1 << j) for j in range(64)]  # every trailing-zero count
    return out


def quoted(col: str) -> str:
    return '"' + col + '"'


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


def test_convention_is_datasketchs_on_bit_reversed_hashes():
    # Reversing the 64 bits of a hash maps dq's (high-bit index, trailing zeros) onto
    # datasketch's (low-bit index, leading zeros) up to a permutation of register indexes. So for
    # a uniform hash the registers have identical distributions, and datasketch's estimator, fed
    # dq's registers, gives exactly the estimate it would give on the bit-reversed hashes.
    rng = np.random.default_rng(3)
    for p in (4, 10, 14, 16):
        hashes = [int(x) for x in rng.integers(0, 2**63, 5000, dtype=np.uint64)] + edge_hashes(p)
        ours = ref_registers(hashes, p)
        theirs = datasketch_registers([bit_reverse(h) for h in hashes], p)
        assert sorted(ours.tolist()) == sorted(theirs.tolist())
        for h in edge_hashes(p):
            sk = HyperLogLogPlusPlus(p=p)
            assert ref_index_rank(h, p)[1] == sk._get_rank(bit_reverse(h) >> p)


@pytest.mark.parametrize("p", PRECISIONS)
def test_sql_index_rank_edge_cases(con, p):
    hashes = edge_hashes(p)
    rows = con.execute(
        f"SELECT h, {hll_key_sql('h', p)} AS k FROM (SELECT unnest($1::UBIGINT[]) AS h)", [hashes]
    ).fetchall()
    assert len(rows) == len(hashes)
    lo, hi = hll_key_range(p)
    for h, k in rows:
        idx, rank = ref_index_rank(h, p)
        assert (k % (1 << p), k // (1 << p)) == (idx, rank), f"p={p} h={h:#018x}"
        assert 1 <= rank <= max_rank(p) and lo <= k <= hi


@pytest.mark.parametrize("p", [4, 9, 14, 18])
def test_sql_bitstring_of_edge_hashes_decodes_to_reference_registers(con, p):
    hashes = edge_hashes(p)
    lo, hi = hll_key_range(p)
    bits = con.execute(
        f"SELECT bitstring_agg({hll_key_sql('h', p)}, {lo}, {hi}) "
        "FROM (SELECT unnest($1::UBIGINT[]) AS h)",
        [hashes],
    ).fetchone()[0]
    state = HLLState.from_bitstring(bits, p, "test")
    assert np.array_equal(state.register_array(), ref_registers(hashes, p))


@pytest.fixture(scope="module")
def mixed_table(con):
    rng = np.random.default_rng(7)
    n = 20_000
    ints = rng.integers(-(2**62), 2**62, n // 2).tolist() + list(range(n // 2))
    con.execute("CREATE OR REPLACE TABLE mixed (i BIGINT, s VARCHAR, d DOUBLE)")
    con.execute(
        """INSERT INTO mixed SELECT
               CASE WHEN i % 7 = 0 THEN NULL ELSE i END,
               CASE WHEN i % 5 = 0 THEN NULL ELSE md5(i::VARCHAR) END,
               CASE WHEN i % 3 = 0 THEN NULL ELSE i / 3.0 END
           FROM (SELECT unnest($1::BIGINT[]) AS i)""",
        [ints],
    )
    return "mixed"


@pytest.mark.parametrize("nulls_set_bit", [False, True])
@pytest.mark.parametrize("col", ["i", "s", "d"])
@pytest.mark.parametrize("p", [4, 12, 14, 16])
def test_duckdb_registers_equal_reference_registers(con, mixed_table, col, p, nulls_set_bit):
    # No FILTER: the expression itself ignores NULLs (hash(NULL) is a real number), or lets them
    # set the NULL slot, which decoding drops.
    expr = hll_bitstring_sql(quoted(col), p, nulls_set_bit=nulls_set_bit)
    bits = con.execute(f"SELECT {expr} FROM {mixed_table}").fetchone()[0]
    state = hll_state_from_bitstring(bits, p, drop_null_slot=nulls_set_bit)
    hashes = [
        h ^ NULL_HASH
        for (h,) in con.execute(
            f'SELECT hash("{col}") FROM {mixed_table} WHERE "{col}" IS NOT NULL'
        ).fetchall()
    ]
    assert np.array_equal(state.register_array(), ref_registers(hashes, p))
    assert state.hash == HASH_NAME


def test_duckdb_registers_equal_reference_at_max_precision(con, mixed_table):
    # datasketch refuses p > 16 in its constructor, so compare with the reference here.
    p = MAX_PRECISION
    bits = con.execute(f"SELECT {hll_bitstring_sql(quoted('s'), p)} FROM {mixed_table}").fetchone()[0]
    hashes = [
        h for (h,) in con.execute(
            f'SELECT {hll_hash_sql(quoted("s"))} FROM {mixed_table} WHERE "s" IS NOT NULL').fetchall()
    ]
    assert np.array_equal(hll_state_from_bitstring(bits, p).register_array(), ref_registers(hashes, p))


@pytest.mark.parametrize(
    "sql_type, literal",
    [
        ("BIGINT", "42"),
        ("VARCHAR", "'x'"),
        ("DOUBLE", "1.5"),
        ("BOOLEAN", "true"),
        ("DATE", "DATE '2024-01-02'"),
        ("INTEGER[]", "[1, 2]"),
        ("STRUCT(a INTEGER)", "{'a': 1}"),
    ],
)
def test_nulls_set_no_bit_for_any_type(con, sql_type, literal):
    only_null = con.execute(
        f"SELECT {hll_bitstring_sql('v', 10)} FROM (SELECT NULL::{sql_type} AS v)"
    ).fetchone()[0]
    assert only_null is None
    assert hll_state_from_bitstring(only_null, 10).is_empty
    with_null = con.execute(
        f"SELECT {hll_bitstring_sql('v', 10)} FROM (SELECT NULL::{sql_type} AS v UNION ALL SELECT {literal}::{sql_type})"
    ).fetchone()[0]
    alone = con.execute(
        f"SELECT {hll_bitstring_sql('v', 10)} FROM (SELECT {literal}::{sql_type} AS v)"
    ).fetchone()[0]
    assert with_null == alone and alone.count("1") == 1


@pytest.mark.parametrize(
    "sql_type, literal",
    [("BIGINT", "42"), ("VARCHAR", "'x'"), ("DOUBLE", "1.5"), ("BOOLEAN", "true"), ("DATE", "DATE '2024-01-02'"),
     ("DECIMAL(18,3)", "1.5"), ("TIMESTAMP", "TIMESTAMP '2024-01-02 03:04:05'"), ("BLOB", "'\\x00'::BLOB")],
)
def test_scalar_nulls_land_on_the_slot_decoding_drops(con, sql_type, literal):
    expr = hll_bitstring_sql("v", 10, nulls_set_bit=True)
    only_null = con.execute(f"SELECT {expr} FROM (SELECT NULL::{sql_type} AS v)").fetchone()[0]
    assert only_null is not None and only_null.count("1") == 1  # the NULL slot
    assert hll_state_from_bitstring(only_null, 10, drop_null_slot=True).is_empty
    with_null = con.execute(
        f"SELECT {expr} FROM (SELECT NULL::{sql_type} AS v UNION ALL SELECT {literal}::{sql_type})"
    ).fetchone()[0]
    alone = con.execute(f"SELECT {expr} FROM (SELECT {literal}::{sql_type} AS v)").fetchone()[0]
    a = hll_state_from_bitstring(alone, 10, drop_null_slot=True)
    assert hll_state_from_bitstring(with_null, 10, drop_null_slot=True) == a
    assert int((a.register_array() > 0).sum()) == 1


@pytest.mark.parametrize("literal", ["[]::INTEGER[]", "[NULL]::INTEGER[]", "{'a': NULL::INTEGER}"])
def test_nested_values_hashing_as_null_still_count(con, literal):
    # DuckDB hashes these exactly as NULL: the explicit NULL test keeps them apart.
    assert con.execute(f"SELECT hash({literal})").fetchone()[0] == NULL_HASH
    bits = con.execute(
        f"SELECT {hll_bitstring_sql('v', 10)} FROM (SELECT {literal} AS v UNION ALL SELECT NULL)"
    ).fetchone()[0]
    assert hll_state_from_bitstring(bits, 10).estimate() == pytest.approx(1, abs=0.01)


def test_zero_rows_and_filter_clause(con):
    expr = hll_bitstring_sql("x", 14)
    bits, n = con.execute(f"SELECT {expr}, count(*) FROM range(0) t(x)").fetchone()
    assert bits is None and n == 0
    state = hll_state_from_bitstring(bits, 14)
    assert state == HLLState.empty(14, HASH_NAME) and state.estimate() == 0.0
    # The caller appends FILTER; the expression sits next to other aggregates.
    none, some, total = con.execute(
        f"SELECT {expr} FILTER (WHERE x < 0), {expr} FILTER (WHERE x < 10), sum(x) FROM range(100) t(x)"
    ).fetchone()
    assert none is None and total == 4950
    assert hll_state_from_bitstring(some, 14).estimate() == pytest.approx(10, abs=0.01)


# -- state laws --------------------------------------------------------------------------
@st.composite
def hll_states(draw, p=None):
    p = draw(st.integers(4, 8)) if p is None else p
    ranks = draw(st.lists(st.integers(0, max_rank(p)), min_size=1 << p, max_size=1 << p))
    return HLLState(precision=p, registers=bytes(ranks), hash="h")


@st.composite
def same_precision_triples(draw):
    p = draw(st.integers(4, 8))
    return draw(hll_states(p)), draw(hll_states(p)), draw(hll_states(p))


@settings(max_examples=60, deadline=None)
@given(same_precision_triples())
def test_merge_laws(triple):
    a, b, c = triple
    empty = HLLState.empty(a.precision, "h")
    assert a.merge(empty) == a == empty.merge(a)
    assert a.merge(b) == b.merge(a)
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(a) == a  # idempotent: register-wise max
    assert empty.is_empty and (a.is_empty == (not any(a.registers)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1), st.none()), max_size=300),
    n_parts=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
    p=st.sampled_from([4, 6, 14]),
    as_text=st.booleans(),
)
def test_merge_of_random_splits_equals_whole(con, values, n_parts, seed, p, as_text):
    parts = np.random.default_rng(seed).integers(0, n_parts, len(values)).tolist()
    value_sql = "CAST(v AS VARCHAR)" if as_text else "v"
    aggs = ", ".join(
        [hll_bitstring_sql(value_sql, p)]
        + [f"{hll_bitstring_sql(value_sql, p)} FILTER (WHERE part = {k})" for k in range(n_parts)]
    )
    row = con.execute(
        f"SELECT {aggs} FROM (SELECT unnest($1::BIGINT[]) AS v, unnest($2::INTEGER[]) AS part)",
        [values, parts],
    ).fetchone()
    whole = hll_state_from_bitstring(row[0], p)
    merged = HLLState.empty(p, HASH_NAME)
    for bits in row[1:]:
        merged = merged.merge(hll_state_from_bitstring(bits, p))
    assert merged == whole
    assert whole.is_empty == all(v is None for v in values)


def test_refuses_to_merge_different_hash_or_precision():
    a = HLLState.empty(14, "duckdb.hash")
    with pytest.raises(StateMergeError, match=r"precision=14.*precision=12"):
        a.merge(HLLState.empty(12, "duckdb.hash"))
    with pytest.raises(StateMergeError, match=r"'duckdb.hash'.*'spark.xxhash64'"):
        a.merge(HLLState.empty(14, "spark.xxhash64"))
    with pytest.raises(StateMergeError):
        a.merge(object())  # type: ignore[arg-type]


# -- validation and serialisation ------------------------------------------------------------
@pytest.mark.parametrize("bad", [3, 19, 0, -1, 14.0, "14", True, None])
def test_precision_validation(bad):
    with pytest.raises(InvalidOptionError, match="an integer between 4 and 18"):
        HLLState.empty(bad)
    with pytest.raises(InvalidOptionError):
        hll_bitstring_sql("x", bad)


def test_from_bitstring_rejects_malformed_input():
    p = 4  # 61 ranks x 16 registers
    good = ["0"] * (61 * 16)
    good[(5 - 1) * 16 + 3] = "1"  # register 3 saw rank 5
    good[(2 - 1) * 16 + 3] = "1"  # and rank 2
    good[(61 - 1) * 16 + 0] = "1"  # register 0 saw the highest rank (the NULL slot)
    state = HLLState.from_bitstring("".join(good), p, "h")
    assert state.register_array()[3] == 5 and state.register_array()[0] == 61
    assert HLLState.from_bitstring("".join(good), p, "h", drop_null_slot=True).register_array()[0] == 0
    with pytest.raises(StateFormatError, match="must have 976 bits"):
        HLLState.from_bitstring("0" * 975, p, "h")
    with pytest.raises(StateFormatError, match="only '0' and '1'"):
        HLLState.from_bitstring("2" + "0" * 975, p, "h")
    with pytest.raises(StateFormatError, match="only '0' and '1'"):
        HLLState.from_bitstring("é" + "0" * 975, p, "h")
    with pytest.raises(StateFormatError, match="another precision"):
        HLLState.from_bitstring("0" * (1 << 14) * 51, p, "h")


def test_constructor_rejects_inconsistent_registers():
    with pytest.raises(StateFormatError, match="needs 16 registers"):
        HLLState(precision=4, registers=bytes(15), hash="h")
    with pytest.raises(StateFormatError, match="at most 51"):
        HLLState(precision=14, registers=bytes([52]) + bytes((1 << 14) - 1), hash="h")
    with pytest.raises(StateFormatError, match="non-empty string"):
        HLLState(precision=4, registers=bytes(16), hash="")


@settings(max_examples=25, deadline=None)
@given(hll_states())
def test_serialisation_round_trip(state):
    assert loads(dumps(state)) == state
    assert State.from_dict(state.to_dict()) == state
    assert HLLState.from_dict(state.to_dict()) == state
    d = state.to_dict()
    assert d["type"] == "HLL" and d["version"] == 1 and isinstance(d["registers"], str)


def test_round_trip_of_a_real_state_preserves_estimate(con):
    bits = con.execute(f"SELECT {hll_bitstring_sql('x', 14)} FROM range(12345) t(x)").fetchone()[0]
    state = hll_state_from_bitstring(bits, 14)
    again = loads(dumps(state))
    assert again == state and again.estimate() == state.estimate()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("registers"),
        lambda d: d.update(registers="not base64!"),
        lambda d: d.update(registers=d["registers"][:-8]),
        lambda d: d.update(precision=3),
        lambda d: d.update(precision="14"),
        lambda d: d.update(hash=7),
        lambda d: d.update(version=2),
    ],
)
def test_corrupt_payloads_are_format_errors(mutate):
    d = HLLState.empty(6, "h").to_dict()
    mutate(d)
    with pytest.raises(StateFormatError):
        State.from_dict(d)


def test_duckdb_hash_values_are_pinned(con):
    # States persisted under HASH_NAME merge with new ones only if DuckDB still hashes the same
    # way. If this fails after a DuckDB upgrade, HASH_NAME must change.
    assert con.execute("SELECT hash(1::BIGINT), hash(1::INTEGER), hash('a')").fetchone() == (
        4717996019076358352,
        4717996019076358352,
        12561829011207016135,
    )
    # NULL hashes alike for every type: the register hash of a NULL is 0 (the NULL slot)
    types = ["INTEGER", "BIGINT", "VARCHAR", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN", "DECIMAL(18,3)", "BLOB",
             "INTEGER[]", "STRUCT(a INTEGER)"]
    row = con.execute("SELECT " + ", ".join(f"hash(NULL::{t})" for t in types)).fetchone()
    assert set(row) == {NULL_HASH}


# -- accuracy ------------------------------------------------------------------------------
CARDINALITIES = np.unique(np.rint(np.logspace(0, 6, 25)).astype(np.int64)).tolist()
VALUE_SQL = {"int": "x", "str": "md5(CAST(x AS VARCHAR))"}


@pytest.mark.parametrize("kind", sorted(VALUE_SQL))
def test_accuracy_log_spaced_cardinalities(con, kind):
    # Deterministic (DuckDB's hash is fixed), so these are checks of one draw each; the
    # bounds are ~4 standard errors of HLL++ at p=14 (1.04/sqrt(16384) = 0.81%).
    exprs = ", ".join(
        f"{hll_bitstring_sql(VALUE_SQL[kind], 14)} FILTER (WHERE x < {n})" for n in CARDINALITIES
    )
    row = con.execute(f"SELECT {exprs} FROM range({max(CARDINALITIES)}) t(x)").fetchone()
    rel = []
    for n, bits in zip(CARDINALITIES, row):
        est = hll_state_from_bitstring(bits, 14).estimate()
        if n <= 100:
            # Linear counting: with 16384 registers, at most a register collision or two.
            assert abs(est - n) <= 2, (kind, n, est)
        assert abs(est - n) / n <= 0.03, (kind, n, est)
        rel.append(abs(est - n) / n)
    assert np.mean(rel) <= 0.01


def test_estimate_at_precision_18_uses_hllpp(con):
    # datasketch itself rejects p > 16; HLLState extends alpha to 17..18 (its bias tables go there).
    bits = con.execute(f"SELECT {hll_bitstring_sql('x', 18)} FROM range(200000) t(x)").fetchone()[0]
    assert hll_state_from_bitstring(bits, 18).estimate() == pytest.approx(200_000, rel=0.01)
    bits = con.execute(f"SELECT {hll_bitstring_sql('x', 18)} FROM range(37) t(x)").fetchone()[0]
    assert hll_state_from_bitstring(bits, 18).estimate() == pytest.approx(37, abs=0.5)
