"""Scan sharing in a VerificationSuite: 1,000 constraints over 100 columns against 100.

    python -m benchmarks.checks_scaling [--rows 1000000] [--repeat 5] [--data-dir data]
    python -m benchmarks.checks_scaling --spark [--master local[2]] [--repeat 3]

A wide synthetic table (100 columns: 60 numeric, 40 string; NULLs in every column) is written to
``data/wide_<rows>.parquet`` once. Two suites run on it, interleaved in one process after a
warm-up each, and their median times are compared:

* **small**: 100 constraints, one per column (completeness for strings, non-negativity for
  numbers: the kind of check every pipeline starts with);
* **large**: 1,000 constraints, ten per column: the same one plus nine more of the usual kinds
  (completeness thresholds, min/max/mean/sum/standard deviation bounds, lengths, value sets,
  patterns, filtered variants), spread over 10 checks.

The claim under test (issue 3): the large suite costs at most 2x the small one, because every
constraint's aggregation joins the one shared scan. Both suites are scan-only (no grouping
constraints), so both cost one query: the number printed next to the time.

Two references are timed in the same loop, on a plain DuckDB connection:

* **hand**: the very statement dq sent for each suite, sent by hand (dq's own overhead is the
  difference);
* **cheapest**: as many distinct aggregates as the large suite's statement holds, each of the
  cheapest kind DuckDB has (``sum(num_xx + k)``, plus ``count(str_xx)`` so every column is read),
  against the small suite's statement: the ratio the large suite would reach if each of its
  metrics cost what ``sum(x)`` costs. The gap between it and **hand** is the per-value work of the
  metrics themselves (variance, range and set-membership predicates, filtered counts, lengths),
  which no sharing of the scan removes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RESULTS_DIR = Path(__file__).resolve().parent / "results"
N_NUMERIC, N_STRING = 60, 40


def generate_wide(path: Path, rows: int, seed: int = 7) -> Path:
    """100 columns: num_00..num_59 (int32 and float64 alternating, ~2% NULL), str_00..str_39
    (categorical codes of 1..12 characters, ~1% NULL). Written in 250k-row row groups."""
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == rows:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    rng = np.random.default_rng(seed)
    vocab = np.array(["".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), size=rng.integers(1, 13)))
                      for _ in range(500)], dtype=object)
    writer = None
    step = 250_000
    for start in range(0, rows, step):
        n = min(step, rows - start)
        cols = {}
        for i in range(N_NUMERIC):
            mask = rng.random(n) < 0.02
            if i % 2:
                vals = rng.normal(100, 30, n)
                cols[f"num_{i:02d}"] = pa.array(vals, pa.float64(), mask=mask)
            else:
                vals = rng.integers(0, 1000, n).astype(np.int32)
                cols[f"num_{i:02d}"] = pa.array(vals, pa.int32(), mask=mask)
        for i in range(N_STRING):
            mask = rng.random(n) < 0.01
            cols[f"str_{i:02d}"] = pa.array(vocab[rng.integers(0, 50 + 10 * i, n)], pa.string(), mask=mask)
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=step)
    writer.close()
    tmp.replace(path)
    return path


def suites(kind: str):
    """The Checks of one suite: "small" (one constraint per column), "large" (ten per column, the
    usual kinds, no regular expressions) or "patterns" (ten per column, two of them regular
    expressions on every string column)."""
    from dq import Check, CheckLevel
    from dq.checks import at_least, at_most, between, less_than

    numeric = [f"num_{i:02d}" for i in range(N_NUMERIC)]
    strings = [f"str_{i:02d}" for i in range(N_STRING)]
    if kind == "small":
        c = Check(CheckLevel.ERROR, "basic")
        for col in numeric:
            c = c.is_non_negative(col)
        for col in strings:
            c = c.has_completeness(col, at_least(0.95))
        return [c]
    checks = []
    for k in range(10):
        c = Check(CheckLevel.ERROR if k % 2 == 0 else CheckLevel.WARNING, f"check {k}")
        for col in numeric[k * 6:(k + 1) * 6]:
            c = (c.is_non_negative(col).is_complete(col).has_completeness(col, at_least(0.95))
                 .has_min(col, at_least(0)).has_max(col, less_than(10_000)).has_mean(col, between(0, 1000))
                 .has_sum(col, at_least(0)).has_standard_deviation(col, at_most(1000))
                 .is_contained_in(col, lower_bound=-1000, upper_bound=10_000)
                 .has_completeness(col, at_least(0.9)).where("num_00 > 10"))
        for col in strings[k * 4:(k + 1) * 4]:
            c = (c.has_completeness(col, at_least(0.95)).is_complete(col).has_min_length(col, at_least(1))
                 .has_max_length(col, at_most(12)).has_max_length(col, at_most(100))
                 .is_contained_in(col, ["A", "B", "C"], at_most(0.5))
                 .satisfies(f"length({col}) > 0", f"{col} non-empty", at_least(0.9))
                 .has_completeness(col, at_least(0.9)).where("num_00 > 10"))
            if kind == "patterns":
                c = c.has_pattern(col, "^[A-Z0-9]+$").contains_email(col, at_most(0.0))
            else:
                c = c.is_contained_in(col, ["D", "E"], at_most(0.5)).has_min_length(col, less_than(5))
        checks.append(c)
    return checks


def run_suite(path: str, checks) -> tuple[float, int, list[str]]:
    from dq import VerificationSuite

    t = time.perf_counter()
    r = VerificationSuite().on_data(path).add_checks(checks).run()
    return time.perf_counter() - t, r.num_queries, list(r.context.queries)


def count_aggregates(sql: str) -> int:
    """The number of top-level select items of ``sql`` (one aggregate each in dq's scan)."""
    import sqlglot

    return len(sqlglot.parse_one(sql, read="duckdb").expressions)


def cheapest_sql(n: int) -> str:
    """``n`` distinct aggregates of the cheapest kind over every column of the wide table."""
    aggs = ["count(*)"] + [f'count("str_{i:02d}")' for i in range(N_STRING)]
    k = 0
    while len(aggs) < n:
        aggs += [f'sum("num_{i:02d}" + {k})' for i in range(N_NUMERIC)]
        k += 1
    return f"SELECT {', '.join(aggs[:n])} FROM __dq_source"


def timed(con, sql: str) -> float:
    t = time.perf_counter()
    con.execute(sql).fetchall()
    return time.perf_counter() - t


def spark_main(path: str, args: argparse.Namespace) -> int:
    """The small and large suites on a local Spark session (``--spark``), beside Spark's own floor:
    as many trivial aggregates (``sum(x + k)``) as dq's large scan holds, in one ``agg``."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import functions as F

    from benchmarks.spark_run import spark_session
    from dq import VerificationSuite

    spark = spark_session(args.master, 4, "4g")
    df = spark.read.parquet(path)
    kinds = ("small", "large")
    checks = {k: suites(k) for k in kinds}
    runs: dict[str, list[float]] = {k: [] for k in (*kinds, "cheapest")}

    def run(k: str) -> float:
        t = time.perf_counter()
        VerificationSuite().on_data(df).add_checks(checks[k]).run()
        return time.perf_counter() - t

    # as many as the large suite's DuckDB statement holds (Spark's plan holds about as many)
    n_aggs = sum(count_aggregates(q) for q in run_suite(path, checks["large"])[2])
    cheapest = [F.count(F.lit(1))] + [F.count(f"str_{i:02d}") for i in range(N_STRING)]
    k = 0
    while len(cheapest) < n_aggs:
        cheapest += [F.sum(F.col(f"num_{i:02d}") + k) for i in range(N_NUMERIC)]
        k += 1

    def floor() -> float:
        t = time.perf_counter()
        df.agg(*cheapest[:n_aggs]).collect()
        return time.perf_counter() - t

    for k in kinds:
        run(k)
    floor()
    for i in range(args.repeat):
        for k in (kinds if i % 2 == 0 else kinds[::-1]):
            runs[k].append(run(k))
        runs["cheapest"].append(floor())
    med = {k: statistics.median(v) for k, v in runs.items()}
    out = {"rows": args.rows, "engine": f"spark {args.master}",
           "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "load_average": os.getloadavg()[0],
           **{k: {"median_s": med[k], "runs": runs[k], "ratio_to_small": med[k] / med["small"]} for k in runs}}
    for k in runs:
        print(f"spark {k:9s}: {med[k]:.2f} s, {med[k] / med['small']:.2f}x the small suite")
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / f"checks_scaling_spark_{args.rows}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--data-dir", default="data")
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--spark", action="store_true", help="run the small and large suites on Spark instead")
    p.add_argument("--master", default="local[2]", help="the Spark master for --spark")
    args = p.parse_args(argv)
    path = str(generate_wide(Path(args.data_dir) / f"wide_{args.rows}.parquet", args.rows))
    if args.spark:
        return spark_main(path, args)
    import duckdb

    kinds = ("small", "large", "patterns")
    checks = {k: suites(k) for k in kinds}
    counts = {k: sum(len(c.constraints) for c in checks[k]) for k in kinds}
    sqls: dict[str, list[str]] = {}
    for k in kinds:  # warm-up, and the statements dq sends
        _, _, sqls[k] = run_suite(path, checks[k])
    # dq reads the data under a name of its own per run: the same view, by hand
    sqls = {k: [re.sub(r'"__dq_source_[0-9a-f]+"', "__dq_source", q) for q in v] for k, v in sqls.items()}
    n_aggs = {k: sum(count_aggregates(q) for q in sqls[k]) for k in kinds}
    con = duckdb.connect()
    con.execute(f"CREATE VIEW __dq_source AS SELECT * FROM read_parquet('{path}')")
    cheapest = cheapest_sql(n_aggs["large"])
    timed(con, cheapest)
    times: dict[str, list[float]] = {k: [] for k in kinds}
    hand: dict[str, list[float]] = {k: [] for k in kinds}
    cheap: list[float] = []
    queries: dict[str, int] = {}
    for i in range(args.repeat):
        for k in (kinds if i % 2 == 0 else kinds[::-1]):
            t, queries[k], _ = run_suite(path, checks[k])
            times[k].append(t)
            hand[k].append(sum(timed(con, q) for q in sqls[k]))
        cheap.append(timed(con, cheapest))
    med = {k: statistics.median(v) for k, v in times.items()}
    hmed = {k: statistics.median(v) for k, v in hand.items()}
    out = {
        "rows": args.rows, "columns": N_NUMERIC + N_STRING,
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "load_average": os.getloadavg()[0],
        **{k: {"constraints": counts[k], "aggregates": n_aggs[k], "median_s": med[k], "runs": times[k],
               "queries": queries[k], "ratio_to_small": med[k] / med["small"], "hand_median_s": hmed[k],
               "hand_runs": hand[k], "hand_ratio_to_small": hmed[k] / hmed["small"]} for k in kinds},
        "cheapest": {"aggregates": n_aggs["large"], "median_s": statistics.median(cheap), "runs": cheap,
                     "ratio_to_small_hand": statistics.median(cheap) / hmed["small"]},
    }
    for k in kinds:
        print(f"{k:9s} {counts[k]:5d} constraints, {n_aggs[k]:4d} aggregates: {med[k]:.3f} s ({queries[k]} queries), "
              f"{med[k] / med['small']:.2f}x the small suite; by hand {hmed[k]:.3f} s, "
              f"{hmed[k] / hmed['small']:.2f}x")
    c = out["cheapest"]
    print(f"cheapest  {c['aggregates']:4d} trivial aggregates by hand: {c['median_s']:.3f} s, "
          f"{c['ratio_to_small_hand']:.2f}x the small suite by hand (the ratio if every metric cost what sum(x) costs)")
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / f"checks_scaling_{args.rows}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
