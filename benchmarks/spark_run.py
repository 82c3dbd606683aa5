"""dq on Spark versus hand-written Spark DataFrame queries, side by side, on the reviews Parquet file.

    python -m benchmarks.spark_run --rows 1000000 [--repeat 3] [--workloads W1,W2] [--master local[2]]

The workloads are benchmarks/run.py's (W1: the quick profile, W2: the full profile). For each,
two contenders compute the same metrics from the same ``spark.read.parquet`` DataFrame, in one
Spark session:

* **dq**: ``AnalysisRunner.on_data(df).add_analyzers([...]).run()``;
* **floor**: what a Spark expert would write: one ``df.agg`` with every scan-shareable metric,
  one ``groupBy`` per uniqueness metric, and one joint ``groupBy`` for entropy and mutual
  information, whose parts share its shuffle in one action. In two spellings: "builtin" (Spark's
  ``approx_count_distinct`` at 1% relative error, HLL++ with p = 14 as dq's, and
  ``percentile_approx``) and "sketch" (Spark 4's DataSketches aggregates ``hll_sketch_agg`` at
  lgK 14 and ``kll_sketch_agg_double``). The ratio is taken against the faster of the two.

Rounds are interleaved (one warm-up each, then ``--repeat`` alternating rounds) and medians are
compared. Each side's Spark actions (``queries``) and Spark jobs (the status tracker of a job
group) are reported. The floor's numbers are checked against dq's (exact metrics to 1e-9,
sketches within 3%), since a ratio between programs computing different things means nothing.

Results go to stdout and to ``benchmarks/results/spark_bench_<rows>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.run import (
    APPROX_RTOL,
    EXACT_RTOL,
    RESULTS_DIR,
    WORKLOADS,
    Spec,
    _differs,
    _parse_rows,
    _version,
    _write_atomic,
    machine_info,
)


def spark_session(master: str, shuffle_partitions: int, driver_memory: str):
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(master).appName("dq-spark-bench")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", driver_memory)
             .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


# --------------------------------------------------------------------------------------------
# The floor: hand-written DataFrame queries
# --------------------------------------------------------------------------------------------

def _c(name: str):
    from pyspark.sql import functions as F

    return F.col("`" + name.replace("`", "``") + "`")


def _hll_input(df, name: str):
    """hll_sketch_agg takes integers, strings and binaries: other types are cast."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    t = df.schema[name].dataType
    if isinstance(t, (T.IntegerType, T.LongType, T.StringType, T.BinaryType)):
        return _c(name)
    if isinstance(t, T.DateType):
        return F.unix_date(_c(name))
    return _c(name).cast("string")


def floor_expr(spec: Spec, df, style: str):
    """The Spark aggregate for one scan-shareable metric (None for a frequency family). ``style``
    "builtin": Spark's approx_count_distinct and percentile_approx; "sketch": Spark 4's
    DataSketches aggregates (hll_sketch_agg, kll_sketch_agg_double), usually faster."""
    from pyspark.sql import functions as F

    a, args = spec.analyzer, spec.args
    one = F.count(F.lit(1))
    sketch = style == "sketch"
    exprs: dict[str, Callable[[], Any]] = {
        "Size": lambda: one,
        "Completeness": lambda: F.count(_c(args[0])) / one,
        "ApproxCountDistinct": lambda: (F.hll_sketch_estimate(F.hll_sketch_agg(_hll_input(df, args[0]), 14))
                                        if sketch else F.approx_count_distinct(_c(args[0]), 0.01)),
        "Mean": lambda: F.avg(_c(args[0])),
        "Compliance": lambda: F.sum(F.expr(args[1]).cast("int")) / one,
        "Correlation": lambda: F.corr(_c(args[0]), _c(args[1])),
        "Minimum": lambda: F.min(_c(args[0])).cast("double"),
        "Maximum": lambda: F.max(_c(args[0])).cast("double"),
        "StandardDeviation": lambda: F.stddev_pop(_c(args[0])),
        "Sum": lambda: F.sum(_c(args[0])).cast("double"),
        "ApproxQuantile": lambda: (F.kll_sketch_get_quantile_double(
            F.kll_sketch_agg_double(_c(args[0]).cast("double")), F.lit(float(args[1]))) if sketch
            else F.percentile_approx(_c(args[0]), float(args[1])).cast("double")),
        "MinLength": lambda: F.min(F.length(_c(args[0]))).cast("double"),
        "MaxLength": lambda: F.max(F.length(_c(args[0]))).cast("double"),
    }
    return None if spec.family else exprs[a]().alias(spec.key)


def floor_frames(specs: list[Spec], df, style: str) -> list:
    """One-row DataFrames, one action each: the scan, each uniqueness, each entropy/MI family."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    frames = []
    scan = [e for e in (floor_expr(s, df, style) for s in specs) if e is not None]
    if scan:
        frames.append(df.agg(*scan))
    for s in specs:
        if s.family == "uniqueness":
            cols = [_c(c) for c in s.columns]
            nn = cols[0].isNotNull()
            for c in cols[1:]:
                nn = nn | c.isNotNull()
            counts = df.where(nn).groupBy(*cols).agg(F.count(F.lit(1)).alias("c"))
            frames.append(counts.agg((F.count(F.when(F.col("c") == 1, 1)) / F.sum("c")).alias(s.key)))
    ents = [s for s in specs if s.family == "entropy"]
    for mi in (s for s in specs if s.family == "mi"):
        x, y = mi.columns
        joint = (df.where(_c(x).isNotNull() | _c(y).isNotNull()).groupBy(_c(x).alias("x"), _c(y).alias("y"))
                 .agg(F.count(F.lit(1)).cast("double").alias("c")))
        both = joint.where(F.col("x").isNotNull() & F.col("y").isNotNull())
        w = both.select("c", F.sum("c").over(Window.partitionBy("x")).alias("cx"),
                        F.sum("c").over(Window.partitionBy("y")).alias("cy"), F.sum("c").over(Window.partitionBy()).alias("n"))
        part = w.agg(F.sum(F.col("c") / F.col("n") * F.log((F.col("c") * F.col("n")) / (F.col("cx") * F.col("cy"))))
                     .alias(mi.key))
        for e in [e for e in ents if e.columns[0] in mi.columns]:
            ents.remove(e)
            v = "x" if e.columns[0] == x else "y"
            marg = joint.where(F.col(v).isNotNull()).groupBy(v).agg(F.sum("c").alias("c"))
            n = F.sum("c").over(Window.partitionBy())
            part = part.crossJoin(marg.select((F.col("c") / n).alias("p"))
                                  .agg((-F.sum(F.col("p") * F.log("p"))).alias(e.key)))
        frames.append(part)
    for e in ents:
        counts = df.where(_c(e.columns[0]).isNotNull()).groupBy(_c(e.columns[0])).agg(F.count(F.lit(1)).alias("c"))
        n = F.sum("c").over(Window.partitionBy())
        frames.append(counts.select((F.col("c") / n).alias("p")).agg((-F.sum(F.col("p") * F.log("p"))).alias(e.key)))
    return frames


def run_floor(specs: list[Spec], df, style: str) -> dict[str, Any]:
    values: dict[str, float | None] = {}
    frames = floor_frames(specs, df, style)
    for frame in frames:
        row = frame.toArrow().to_pylist()[0]
        values.update({k: None if v is None else float(v) for k, v in row.items()})
    return {"values": values, "queries": len(frames)}


def run_dq(specs: list[Spec], df) -> dict[str, Any]:
    from dq import AnalysisRunner
    from dq import analyzers as A

    built = [s.make(A) for s in specs]
    ctx = AnalysisRunner.on_data(df).add_analyzers(built).run()
    values = {s.key: None if ctx.metric(a).value is None else float(ctx.metric(a).value) for s, a in zip(specs, built)}
    return {"values": values, "queries": ctx.num_queries}


_GROUP = iter(range(1 << 30))


def timed_with_jobs(spark, fn: Callable[[], dict[str, Any]]) -> tuple[float, int, dict[str, Any]]:
    sc = spark.sparkContext
    group = f"bench-{next(_GROUP)}"
    sc.setJobGroup(group, group)
    try:
        t0 = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - t0
    finally:
        sc.setLocalProperty("spark.jobGroup.id", None)
    return seconds, len(sc.statusTracker().getJobIdsForGroup(group)), out


def bench(spark, df, name: str, specs: list[Spec], repeat: int) -> dict[str, Any]:
    sides = {"dq": lambda: run_dq(specs, df), "builtin": lambda: run_floor(specs, df, "builtin"),
             "sketch": lambda: run_floor(specs, df, "sketch")}
    times: dict[str, list[float]] = {k: [] for k in sides}
    info: dict[str, dict[str, Any]] = {}
    for rnd in range(repeat + 1):  # round 0 warms up (JIT, file cache)
        for side, fn in sides.items():
            seconds, jobs, out = timed_with_jobs(spark, fn)
            info[side] = {"queries": out["queries"], "spark_jobs": jobs, "values": out["values"]}
            if rnd:
                times[side].append(seconds)
            print(f"  {name} {side:5s} round {rnd}: {seconds:.2f} s, {out['queries']} queries, {jobs} jobs",
                  flush=True)
    disagreements = []
    for floor in ("builtin", "sketch"):
        for s in specs:
            a, b = info["dq"]["values"].get(s.key), info[floor]["values"].get(s.key)
            tol = APPROX_RTOL if s.approx else EXACT_RTOL
            if _differs(a, b, tol):
                disagreements.append({"floor": floor, "metric": s.key, "dq": a, "floor_value": b, "tolerance": tol})
    med = {k: statistics.median(v) for k, v in times.items()}
    best = min(("builtin", "sketch"), key=lambda k: med[k])
    out: dict[str, Any] = {"metrics": len(specs), "floor": best, "ratio": med["dq"] / med[best],
                           "agreement": disagreements}
    for side in sides:
        out[side] = {"median_s": med[side], "times_s": times[side], "queries": info[side]["queries"],
                     "spark_jobs": info[side]["spark_jobs"]}
    out["ratio_builtin"] = med["dq"] / med["builtin"]
    out["ratio_sketch"] = med["dq"] / med["sketch"]
    return out


def render(result: dict[str, Any]) -> str:
    rows = [["workload", "metrics", "dq s", "floor s (builtin)", "floor s (sketch)", "dq/best floor",
             "dq queries", "floor queries", "dq jobs", "floor jobs (sketch)", "disagreements"]]
    for name, w in result["workloads"].items():
        rows.append([name, str(w["metrics"]), f"{w['dq']['median_s']:.2f}", f"{w['builtin']['median_s']:.2f}",
                     f"{w['sketch']['median_s']:.2f}", f"{w['ratio']:.2f}", str(w["dq"]["queries"]),
                     str(w["sketch"]["queries"]), str(w["dq"]["spark_jobs"]), str(w["sketch"]["spark_jobs"]),
                     str(len(w["agreement"]))])
    head = "| " + " | ".join(rows[0]) + " |\n|" + "---|" * len(rows[0])
    return head + "\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows[1:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.spark_run", description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=_parse_rows, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--data-dir", type=Path, default=Path("data"))
    p.add_argument("--master", default="local[2]")
    p.add_argument("--shuffle-partitions", type=int, default=8)
    p.add_argument("--driver-memory", default="4g")
    p.add_argument("--no-save", action="store_true")
    args = p.parse_args(argv)

    path = args.data_dir / f"reviews_{args.rows}.parquet"
    if not path.exists():
        from benchmarks.generate_reviews import main as generate

        generate(["--rows", str(args.rows), "--out", str(path)])
    spark = spark_session(args.master, args.shuffle_partitions, args.driver_memory)
    df = spark.read.parquet(str(path))
    result: dict[str, Any] = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data": {"path": str(path), "rows": args.rows},
        "spark": {"master": args.master, "shuffle_partitions": args.shuffle_partitions,
                  "pyspark": _version("pyspark")},
        "machine": machine_info(), "repeat": args.repeat, "workloads": {},
    }
    for name in args.workloads.split(","):
        _, make = WORKLOADS[name]
        print(f"{name}:", flush=True)
        result["workloads"][name] = bench(spark, df, name, make(), args.repeat)
    table = render(result)
    print(table)
    for name, w in result["workloads"].items():
        for d in w["agreement"]:
            print(f"  {name} disagreement: {d}")
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        stem = RESULTS_DIR / f"spark_bench_{args.rows}"
        _write_atomic(stem.with_suffix(".json"), json.dumps(result, indent=2, default=str))
        m = result["machine"]
        md = (f"# dq on Spark vs hand-written Spark DataFrame queries, {args.rows:,} rows\n\n"
              f"Spark {result['spark']['pyspark']} {args.master}, {args.shuffle_partitions} shuffle partitions; "
              f"median of {args.repeat} interleaved rounds after one warm-up each; {m.get('cpu_model') or '?'}, "
              f"{m['usable_cpus']} usable cores; dq commit {m.get('git_commit') or '?'}; {result['timestamp']}.\n\n"
              f"{table}\n")
        notes = [f"- {name}, {d['floor']} floor: {d['metric']} = {d['floor_value']} (dq: {d['dq']})"
                 for name, w in result["workloads"].items() for d in w["agreement"]]
        if notes:
            md += ("\nDisagreements (hll_sketch_agg skips empty strings, which dq counts as a value; dq hashes "
                   "every value with xxhash64 first):\n\n" + "\n".join(notes) + "\n")
        _write_atomic(stem.with_suffix(".md"), md)
    spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
