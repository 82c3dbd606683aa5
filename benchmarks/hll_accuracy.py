"""Accuracy and cost of dq's in-DuckDB HLL++ (the expression dq uses for scalar columns) against DuckDB's own
``approx_count_distinct``.

    .venv/bin/python -m benchmarks.hll_accuracy [--max-n 1e8] [--points 25] [--timing-rows 1e7]

Values are generated inside DuckDB (``range(n)`` for integers, ``md5(range::VARCHAR)`` and
``range::VARCHAR`` for strings) so the benchmark measures the estimators, not data transfer.
Every cardinality is exact by construction (all values distinct). Results are printed and
written to ``benchmarks/results/hll_accuracy.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import duckdb
import numpy as np

from dq.backends.duckdb_hll import HASH_NAME, hll_bitstring_sql, hll_state_from_bitstring
from dq.states.hll import DEFAULT_PRECISION

#: value kinds: SQL of the value over range(n)'s column "range"
KINDS = {
    "int": "range",
    "str_md5": "md5(CAST(range AS VARCHAR))",
    "str_cast": "CAST(range AS VARCHAR)",
}

RESULTS = Path(__file__).resolve().parent / "results" / "hll_accuracy.json"


def cardinalities(max_n: int, points: int) -> list[int]:
    return np.unique(np.rint(np.logspace(0, np.log10(max_n), points)).astype(np.int64)).tolist()


def accuracy(con: duckdb.DuckDBPyConnection, ns: list[int], precision: int) -> list[dict]:
    rows = []
    for kind, value_sql in KINDS.items():
        expr = hll_bitstring_sql("v", precision, nulls_set_bit=True)
        for n in ns:
            t0 = time.perf_counter()
            bits, acd = con.execute(
                f"SELECT {expr}, approx_count_distinct(v) FROM (SELECT {value_sql} AS v FROM range({n}))"
            ).fetchone()
            est = hll_state_from_bitstring(bits, precision, drop_null_slot=True).estimate()
            rows.append(
                {
                    "kind": kind,
                    "n": n,
                    "dq": est,
                    "duckdb": int(acd),
                    "dq_rel_err": (est - n) / n,
                    "duckdb_rel_err": (acd - n) / n,
                    "seconds": time.perf_counter() - t0,
                }
            )
            r = rows[-1]
            print(
                f"{kind:9s} {n:>11,d}  dq {est:>14,.1f} ({r['dq_rel_err']:+.4%})  "
                f"duckdb {acd:>12,d} ({r['duckdb_rel_err']:+.4%})  [{r['seconds']:.2f}s]",
                flush=True,
            )
    return rows


def summarise(rows: list[dict]) -> dict:
    out = {}
    for kind in KINDS:
        sel = [r for r in rows if r["kind"] == kind]
        out[kind] = {
            who: {
                "mean_abs_rel_err": statistics.fmean(abs(r[f"{who}_rel_err"]) for r in sel),
                "max_abs_rel_err": max(abs(r[f"{who}_rel_err"]) for r in sel),
                "mean_signed_rel_err": statistics.fmean(r[f"{who}_rel_err"] for r in sel),
            }
            for who in ("dq", "duckdb")
        }
    return out


def best_of(con: duckdb.DuckDBPyConnection, sql: str, repeat: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = con.execute(sql).fetchone()[0]
        best = min(best, time.perf_counter() - t0)
    return best, value


def timing(con: duckdb.DuckDBPyConnection, n_rows: int, precision: int, repeat: int = 5) -> dict:
    """Wall time of one aggregate over an in-memory table: dq's expression vs approx_count_distinct."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE hll_t AS SELECT range AS i, md5(CAST(range AS VARCHAR)) AS s FROM range({n_rows})"
    )
    out = {}
    for col, kind in (("i", "int"), ("s", "str_md5")):
        t_dq, bits = best_of(con, f"SELECT {hll_bitstring_sql(col, precision, nulls_set_bit=True)} FROM hll_t", repeat)
        t_acd, _ = best_of(con, f"SELECT approx_count_distinct({col}) FROM hll_t", repeat)
        t_count, _ = best_of(con, f"SELECT count({col}) FROM hll_t", repeat)
        t0 = time.perf_counter()
        for _ in range(repeat):
            hll_state_from_bitstring(bits, precision, drop_null_slot=True).estimate()
        t_py = (time.perf_counter() - t0) / repeat
        out[kind] = {
            "rows": n_rows,
            "dq_sql_seconds": t_dq,
            "duckdb_approx_count_distinct_seconds": t_acd,
            "count_seconds": t_count,
            "dq_python_decode_and_estimate_seconds": t_py,
        }
        print(
            f"timing {kind:8s} {n_rows:,d} rows: dq SQL {t_dq * 1e3:7.1f} ms + decode/estimate {t_py * 1e3:5.1f} ms"
            f" | approx_count_distinct {t_acd * 1e3:7.1f} ms | count {t_count * 1e3:6.1f} ms",
            flush=True,
        )
    con.execute("DROP TABLE hll_t")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-n", type=float, default=1e8)
    ap.add_argument("--points", type=int, default=25)
    ap.add_argument("--precision", type=int, default=DEFAULT_PRECISION)
    ap.add_argument("--timing-rows", type=float, default=1e7)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    con = duckdb.connect()
    ns = cardinalities(int(args.max_n), args.points)
    rows = accuracy(con, ns, args.precision)
    summary = summarise(rows)
    print()
    print(f"{'kind':9s} {'dq mean':>9s} {'dq max':>9s} {'duckdb mean':>12s} {'duckdb max':>11s}")
    for kind, s in summary.items():
        print(
            f"{kind:9s} {s['dq']['mean_abs_rel_err']:9.4%} {s['dq']['max_abs_rel_err']:9.4%} "
            f"{s['duckdb']['mean_abs_rel_err']:12.4%} {s['duckdb']['max_abs_rel_err']:11.4%}"
        )
    print()
    times = timing(con, int(args.timing_rows), args.precision) if args.timing_rows > 0 else {}

    result = {
        "precision": args.precision,
        "hash": HASH_NAME,
        "duckdb_version": duckdb.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cardinalities": ns,
        "summary": summary,
        "timing": times,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
