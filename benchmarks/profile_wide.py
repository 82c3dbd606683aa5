"""Profiling a wide table: dq's ColumnProfiler against a hand-written DuckDB floor.

    python -m benchmarks.profile_wide [--rows 1000000] [--repeat 3] [--data-dir data]

A 200-column table (see ``generate_wide200``) is written to ``data/wide200_<rows>.parquet`` once.
Two workloads, each timed for dq and for the floor, interleaved in one process after a warm-up,
median of ``--repeat`` runs:

* **profile** (quantiles on): dq = ``ColumnProfiler.on_data(path).run()`` (1 scan + 1 streaming
  KLL pass + 1 grouped statement); floor = one aggregate statement with the same metrics (counts,
  HyperLogLog ``approx_count_distinct``, min/max/sum/avg/stddev_pop, ``approx_quantile`` of 100
  percentiles, string lengths and the three type-inference regex counts) + one GROUPING SETS
  statement for the low-cardinality columns' value counts;
* **no quantiles**: the same without percentiles on both sides (dq: 1 scan + 1 grouped statement).

The floor is what a person would write by hand for these numbers in DuckDB; it keeps no mergeable
state (DuckDB's own HLL and t-digest), so it is a lower bound for dq, not an equal.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

RESULTS_DIR = Path(__file__).resolve().parent / "results"
N_INT, N_FLOAT, N_STRING, N_DATE, N_BOOL = 50, 50, 80, 10, 10
PERCENTILES = [i / 100 for i in range(1, 101)]


def generate_wide200(path: Path, rows: int, seed: int = 11) -> Path:
    """200 columns: int_00..49 (int32; every third low-cardinality 0..k, others 0..10^6), flt_00..49
    (normal floats), str_00..79 (codes from vocabularies of 3 to ~8,000 values; a few hold numbers
    as text), dt_00..09 (dates over 20 years), bool_00..09. NULLs in every column (0.5-5%).
    Deterministic: chunk i draws only from default_rng([seed, i])."""
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == rows:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    vocab_rng = np.random.default_rng(seed)
    alphabet = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    vocab = np.array(["".join(vocab_rng.choice(alphabet, size=vocab_rng.integers(1, 16))) for _ in range(8000)],
                     dtype=object)
    numbers = np.array([str(i) for i in range(8000)], dtype=object)
    base = np.datetime64("2000-01-01")
    writer = None
    step = 250_000
    for chunk, start in enumerate(range(0, rows, step)):
        rng = np.random.default_rng([seed, chunk])
        n = min(step, rows - start)
        cols: dict[str, pa.Array] = {}
        for i in range(N_INT):
            mask = rng.random(n) < 0.005 * (1 + i % 10)
            hi = 3 + 10 * i if i % 3 == 0 else 1_000_000
            cols[f"int_{i:02d}"] = pa.array(rng.integers(0, hi, n).astype(np.int32), pa.int32(), mask=mask)
        for i in range(N_FLOAT):
            mask = rng.random(n) < 0.02
            cols[f"flt_{i:02d}"] = pa.array(rng.normal(100 * i, 30, n), pa.float64(), mask=mask)
        for i in range(N_STRING):
            mask = rng.random(n) < 0.01
            size = min(8000, 3 + i * i)
            source = numbers if i % 10 == 9 else vocab
            cols[f"str_{i:02d}"] = pa.array(source[rng.integers(0, size, n)], pa.string(), mask=mask)
        for i in range(N_DATE):
            mask = rng.random(n) < 0.01
            days = rng.integers(0, 7300, n)
            cols[f"dt_{i:02d}"] = pa.array(base + days.astype("timedelta64[D]"), pa.date32(), mask=mask)
        for i in range(N_BOOL):
            mask = rng.random(n) < 0.03
            cols[f"bool_{i:02d}"] = pa.array(rng.random(n) < 0.1 * (i + 1) / 2, pa.bool_(), mask=mask)
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=step)
    writer.close()
    tmp.replace(path)
    return path


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def floor_statements(path: str, schema: pa.Schema, quantiles: bool, threshold: int = 120):
    """The hand-written floor: (aggregate statement, function making the grouped statement from its row)."""
    src = f"read_parquet('{path}')"
    exprs = ["count(*)"]
    for f in schema:
        c = _q(f.name)
        exprs += [f"count({c})", f"approx_count_distinct({c})"]
        if pa.types.is_integer(f.type) or pa.types.is_floating(f.type):
            exprs += [f"min({c})", f"max({c})", f"sum({c})", f"avg({c})", f"stddev_pop({c})"]
            if quantiles:
                exprs.append(f"approx_quantile({c}, {PERCENTILES})")
        elif pa.types.is_string(f.type):
            exprs += [f"min(length({c}))", f"max(length({c}))"]
            for rx in (r"^(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))$", r"^(-|\+)? ?\d+$", r"^(true|false)$"):
                # sum(CAST(...)), not FILTER: DuckDB slices the input once per filtered aggregate
                exprs.append(f"sum(CAST(regexp_full_match({c}, '{rx}') AS INTEGER))")
        elif pa.types.is_date(f.type):
            exprs += [f"min({c})", f"max({c})"]
    scan = f"SELECT {', '.join(exprs)} FROM {src}"

    def grouped(row: tuple) -> str | None:
        # approx_count_distinct is the second of each column's expressions
        low, k = [], 1
        for f in schema:
            distinct = row[k + 1]
            if distinct <= threshold:
                low.append(f.name)
            k += 2
            if pa.types.is_integer(f.type) or pa.types.is_floating(f.type):
                k += 5 + (1 if quantiles else 0)
            elif pa.types.is_string(f.type):
                k += 5
            elif pa.types.is_date(f.type):
                k += 2
        if not low:
            return None
        which = " ".join(f"WHEN grouping({_q(c)}) = 0 THEN {i}" for i, c in enumerate(low))
        value = " ".join(f"WHEN grouping({_q(c)}) = 0 THEN CAST({_q(c)} AS VARCHAR)" for c in low)
        sets = ", ".join(f"({_q(c)})" for c in low)
        return (f"SELECT CASE {which} END, CASE {value} END, count(*) FROM {src} "
                f"GROUP BY GROUPING SETS ({sets})")

    return scan, grouped


def run_floor(path: str, schema: pa.Schema, quantiles: bool) -> tuple[float, int]:
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    t = time.perf_counter()
    scan, grouped = floor_statements(path, schema, quantiles)
    row = con.execute(scan).fetchone()
    n = 1
    g = grouped(row)
    if g is not None:
        con.execute(g).fetchall()
        n += 1
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed, n


def run_dq(path: str, quantiles: bool) -> tuple[float, int]:
    from dq.profiles import ColumnProfiler

    t = time.perf_counter()
    p = ColumnProfiler.on_data(path).with_quantiles(quantiles).run()
    return time.perf_counter() - t, p.num_queries


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--data-dir", default="data")
    p.add_argument("--no-save", action="store_true")
    args = p.parse_args(argv)
    path = str(generate_wide200(Path(args.data_dir) / f"wide200_{args.rows}.parquet", args.rows))
    schema = pq.read_schema(path)
    runners = {
        ("profile", "dq"): lambda: run_dq(path, True),
        ("profile", "floor"): lambda: run_floor(path, schema, True),
        ("no_quantiles", "dq"): lambda: run_dq(path, False),
        ("no_quantiles", "floor"): lambda: run_floor(path, schema, False),
    }
    for fn in runners.values():  # warm-up (file cache, imports)
        fn()
    times: dict[tuple[str, str], list[float]] = {k: [] for k in runners}
    queries: dict[tuple[str, str], int] = {}
    keys = list(runners)
    for i in range(args.repeat):
        for k in (keys if i % 2 == 0 else keys[::-1]):
            t, queries[k] = runners[k]()
            times[k].append(t)
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {"rows": args.rows, "columns": len(schema), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "load_average": os.getloadavg()[0], "repeat": args.repeat}
    for w in ("profile", "no_quantiles"):
        d, f = med[(w, "dq")], med[(w, "floor")]
        out[w] = {"dq_median_s": d, "floor_median_s": f, "ratio": d / f, "dq_runs": times[(w, "dq")],
                  "floor_runs": times[(w, "floor")], "dq_queries": queries[(w, "dq")],
                  "floor_queries": queries[(w, "floor")]}
        print(f"{w:13s} dq {d:6.2f} s ({queries[(w, 'dq')]} queries)   floor {f:6.2f} s "
              f"({queries[(w, 'floor')]} statements)   ratio {d / f:.2f}x")
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        (RESULTS_DIR / f"profile_wide_{args.rows}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
