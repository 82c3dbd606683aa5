"""Merge laws on Spark, and states crossing engines.

The merge-law analyzers and comparisons of tests/test_merge_laws.py, with states computed by the
Spark backend (test data spread over several partitions, so every state is itself already a merge
of partial aggregates):

* the merge of the parts' states is the whole's state (HLL registers, counts, extremes and
  frequency tables exactly; sums and moments within rounding; KLL within its rank bound), with the
  empty state as identity, in any order;
* metrics from the merged states equal the metrics of a direct Spark run;
* a state made on DuckDB merges with one made on Spark (every state but HLL, whose hashes differ:
  that merge is refused), and the result describes the union.

The property test draws few examples (each costs a Spark run per part); the deterministic test
beside it covers a larger table where KLL sketches compact.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from spark_support import to_spark
from hypothesis import HealthCheck, given, settings
from test_merge_laws import (
    ANALYZERS,
    Truth,
    assert_metrics_agree,
    assert_states_agree,
    empty_like,
    make_table,
    merge_all,
    split_tables,
)

from dq import AnalysisRunner, InMemoryStateStore
from dq.errors import StateMergeError
from dq.states.hll import HLLState

pytest.importorskip("pyspark")


def spark_states(table: pa.Table, store: InMemoryStateStore | None = None) -> dict:
    builder = AnalysisRunner.on_data(to_spark(table)).add_analyzers(ANALYZERS)
    if store is not None:
        builder = builder.save_states_with(store)
    states = builder.compute_states()
    assert set(states) == set(ANALYZERS), set(ANALYZERS) - set(states)
    return states


def check_spark_laws(table: pa.Table, parts: list[pa.Table]) -> None:
    stores = [InMemoryStateStore() for _ in parts]
    part_states = [spark_states(p, s) for p, s in zip(parts, stores)]
    whole = spark_states(table)
    truth = Truth(table)
    k = len(parts)
    for a in ANALYZERS:
        ps, w = [s[a] for s in part_states], whole[a]
        assert_states_agree(a, w.merge(empty_like(a, w)), w, truth)
        assert_states_agree(a, empty_like(a, w).merge(w), w, truth)
        assert_states_agree(a, merge_all(ps), w, truth)
        assert_states_agree(a, merge_all(ps[::-1]), w, truth)
        x, y = ps[0], ps[1 % k]
        assert_states_agree(a, x.merge(y), y.merge(x), Truth(pa.concat_tables([parts[0], parts[1 % k]])))
    aggregated = AnalysisRunner.run_on_aggregated_states(ANALYZERS, stores)
    direct = AnalysisRunner.on_data(to_spark(table)).add_analyzers(ANALYZERS).run()
    for a in ANALYZERS:
        assert_metrics_agree(a, aggregated.metric(a), direct.metric(a), truth)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(split_tables())
def test_merge_laws_on_random_splits_on_spark(data):
    table, parts = data
    if len(parts) > 3:  # at most 3 parts (a Spark run each): the last ones are joined into one
        parts = parts[:2] + [pa.concat_tables(parts[2:])]
    check_spark_laws(table, parts)


def larger_table(n: int = 3000) -> pa.Table:
    return make_table([(None if r % 97 == 0 else (r * 7919) % 1000 - 500,
                        float("nan") if r % 101 == 0 else ((r * 104729) % 10007) / 8 - 600,
                        None if r % 13 == 0 else f"v{(r * 31) % 211}é") for r in range(n)])


def test_merge_laws_on_a_larger_table_on_spark():
    table = larger_table()
    check_spark_laws(table, [table.slice(0, 700), table.slice(700)])


def test_states_cross_engines():
    """Part 1 on DuckDB, part 2 on Spark: their merge describes the whole (HLL excepted: refused)."""
    table = larger_table()
    left, right = table.slice(0, 1200), table.slice(1200)
    duck_left = AnalysisRunner.on_data(left).add_analyzers(ANALYZERS).compute_states()
    spark_right = spark_states(right)
    duck_whole = AnalysisRunner.on_data(table).add_analyzers(ANALYZERS).compute_states()
    truth = Truth(table)
    for a in ANALYZERS:
        x, y, w = duck_left[a], spark_right[a], duck_whole[a]
        if isinstance(w, HLLState):
            with pytest.raises(StateMergeError, match="hash"):
                x.merge(y)
            continue
        assert_states_agree(a, x.merge(y), w, truth)
        assert_states_agree(a, y.merge(x), w, truth)
