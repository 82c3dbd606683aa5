"""dq versus the hand-written DuckDB floor, side by side, on the synthetic reviews file.

    python -m benchmarks.run --rows 10000000 [--repeat 5] [--workloads W1,W2] [--data-dir data]

For each workload this times two contenders that compute the same metrics from the same Parquet
file (both read it directly with DuckDB's Parquet reader):

* **dq**: ``AnalysisRunner.on_data(path).add_analyzers([...]).run()``;
* **floor**: the SQL a DuckDB expert would hand-write for the same numbers: one aggregate
  statement for every scan-shareable metric, plus one grouped statement per frequency-based
  family (uniqueness; entropy and mutual information share one joint count table).

The two are interleaved in one process (one warm-up each, then ``--repeat`` alternating rounds)
and medians are compared, so drift of the machine hits both alike. Peak RSS is measured by
running each contender once more in a fresh child process. The floor's numbers are checked
against dq's: a speed ratio between two programs that compute different things is worthless.

Results go to stdout and to ``benchmarks/results/bench_<rows>.{json,md}``.

Keep the module's top-level imports light (no numpy/pyarrow/dq): the RSS children import this
module, and whatever it imports would be charged to both contenders.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

RESULTS_DIR = Path(__file__).resolve().parent / "results"

#: Tolerances of the agreement check: exact metrics must match to 1e-9 relative (only float
#: summation order may differ), sketch-based ones within 3% (dq and DuckDB may use different
#: sketches, both well inside that).
EXACT_RTOL = 1e-9
APPROX_RTOL = 0.03

ALL_COLUMNS = (
    "marketplace", "customer_id", "review_id", "product_id", "product_title", "star_rating",
    "helpful_votes", "total_votes", "vine", "verified_purchase", "review_date", "year",
)
NUMERIC_COLUMNS = ("star_rating", "helpful_votes", "total_votes", "year")
STRING_COLUMNS = (
    "marketplace", "customer_id", "review_id", "product_id", "product_title", "vine", "verified_purchase",
)
MARKETPLACES = ("US", "UK", "DE", "JP", "FR")  # = benchmarks.generate_reviews.MARKETPLACES


# --------------------------------------------------------------------------------------------
# Metric specs: one dq analyzer and the floor's SQL for the same number
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One metric: how dq is asked for it and how the floor computes it.

    ``floor`` is an aggregate expression for the shared single-scan statement; ``None`` marks a
    frequency-based metric (``family`` says which), which needs a GROUP BY of its own."""

    key: str
    analyzer: str
    args: tuple
    floor: str | None
    approx: bool = False
    family: str | None = None  # "uniqueness" | "entropy" | "mi"
    columns: tuple[str, ...] = ()
    #: For approximate metrics: the exact aggregate, run (untimed) only when dq and the floor
    #: disagree, to show which of the two sketches is off.
    exact: str | None = None

    def make(self, analyzers_module: Any) -> Any:
        return getattr(analyzers_module, self.analyzer)(*self.args)


def _q(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def size() -> Spec:
    return Spec("Size", "Size", (), "count(*)")


def completeness(c: str) -> Spec:
    return Spec(f"Completeness({c})", "Completeness", (c,), f"count({_q(c)})::DOUBLE / count(*)")


def approx_count_distinct(c: str) -> Spec:
    return Spec(
        f"ApproxCountDistinct({c})", "ApproxCountDistinct", (c,), f"approx_count_distinct({_q(c)})",
        approx=True, exact=f"count(DISTINCT {_q(c)})",
    )


def compliance(name: str, predicate: str) -> Spec:
    # Deequ's Compliance is (rows where the predicate is TRUE) / (all rows): a NULL predicate
    # counts as not compliant, hence sum over the nullable 0/1 cast divided by count(*), not
    # avg(). Of the equivalent spellings (FILTER, CASE, count_if, sum of a cast) this was the
    # fastest on DuckDB 2.0 at 10M rows.
    return Spec(
        f"Compliance({name})", "Compliance", (name, predicate), f"sum(({predicate})::INTEGER)::DOUBLE / count(*)"
    )


def correlation(a: str, b: str) -> Spec:
    # corr() skips rows where either side is NULL, as Deequ's Pearson correlation does.
    return Spec(f"Correlation({a},{b})", "Correlation", (a, b), f"corr({_q(a)}, {_q(b)})")


def minimum(c: str) -> Spec:
    return Spec(f"Minimum({c})", "Minimum", (c,), f"min({_q(c)})::DOUBLE")


def maximum(c: str) -> Spec:
    return Spec(f"Maximum({c})", "Maximum", (c,), f"max({_q(c)})::DOUBLE")


def mean(c: str) -> Spec:
    return Spec(f"Mean({c})", "Mean", (c,), f"avg({_q(c)})")


def standard_deviation(c: str) -> Spec:
    # Deequ's StandardDeviation is the population one.
    return Spec(f"StandardDeviation({c})", "StandardDeviation", (c,), f"stddev_pop({_q(c)})")


def total(c: str) -> Spec:
    return Spec(f"Sum({c})", "Sum", (c,), f"sum({_q(c)})::DOUBLE")


def approx_quantile(c: str, q: float) -> Spec:
    return Spec(
        f"ApproxQuantile({c},{q})", "ApproxQuantile", (c, q), f"approx_quantile({_q(c)}, {q})::DOUBLE",
        approx=True, exact=f"quantile_disc({_q(c)}, {q})::DOUBLE",
    )


def min_length(c: str) -> Spec:
    # length() counts characters (code points), not bytes; NULLs are ignored.
    return Spec(f"MinLength({c})", "MinLength", (c,), f"min(length({_q(c)}))::DOUBLE")


def max_length(c: str) -> Spec:
    return Spec(f"MaxLength({c})", "MaxLength", (c,), f"max(length({_q(c)}))::DOUBLE")


def uniqueness(cols: list[str]) -> Spec:
    return Spec(
        f"Uniqueness({','.join(cols)})", "Uniqueness", (list(cols),), None, family="uniqueness", columns=tuple(cols)
    )


def entropy(c: str) -> Spec:
    return Spec(f"Entropy({c})", "Entropy", (c,), None, family="entropy", columns=(c,))


def mutual_information(a: str, b: str) -> Spec:
    return Spec(
        f"MutualInformation({a},{b})", "MutualInformation", ([a, b],), None, family="mi", columns=(a, b)
    )


# --------------------------------------------------------------------------------------------
# Workloads (from the issue)
# --------------------------------------------------------------------------------------------


def workload_w1() -> list[Spec]:
    in_list = ", ".join(f"'{m}'" for m in MARKETPLACES)
    return [
        size(),
        completeness("review_id"),
        approx_count_distinct("review_id"),
        mean("star_rating"),
        compliance("star_rating >= 4", "star_rating >= 4"),
        correlation("total_votes", "star_rating"),
        correlation("total_votes", "helpful_votes"),
        minimum("star_rating"),
        maximum("star_rating"),
        completeness("marketplace"),
        compliance("marketplace in US/UK/DE/JP/FR", f"marketplace IN ({in_list})"),
        compliance("year >= 0", "year >= 0"),
        uniqueness(["review_id"]),
    ]


def workload_w2() -> list[Spec]:
    specs: list[Spec] = []
    for c in ALL_COLUMNS:
        specs += [completeness(c), approx_count_distinct(c)]
    for c in NUMERIC_COLUMNS:
        specs += [minimum(c), maximum(c), mean(c), standard_deviation(c), total(c), approx_quantile(c, 0.5)]
    for c in STRING_COLUMNS:
        specs += [min_length(c), max_length(c)]
    specs += [uniqueness(["review_id"]), entropy("star_rating"), mutual_information("star_rating", "vine")]
    return specs


WORKLOADS: dict[str, tuple[str, Callable[[], list[Spec]]]] = {
    "W1": ("the issue's quick profile: size, completeness, compliance, correlation, uniqueness", workload_w1),
    "W2": ("full profile: every column + numeric stats + lengths + frequency metrics", workload_w2),
}


# --------------------------------------------------------------------------------------------
# The floor: hand-written DuckDB SQL
# --------------------------------------------------------------------------------------------


def _source(path: str) -> str:
    return "read_parquet('" + str(path).replace("'", "''") + "')"


def _uniqueness_sql(spec: Spec, src: str) -> str:
    cols = ", ".join(_q(c) for c in spec.columns)
    # Groups over rows where at least one grouping column is non-NULL (Deequ's rule); only the
    # counts are projected, which lets DuckDB drop the (long, non-inlined) keys early: ~25%
    # faster than also selecting them.
    not_all_null = " OR ".join(f"{_q(c)} IS NOT NULL" for c in spec.columns)
    return (
        f'SELECT count(*) FILTER (WHERE c = 1)::DOUBLE / sum(c) AS "{spec.key}"\n'
        f"FROM (SELECT count(*) AS c FROM {src} WHERE {not_all_null} GROUP BY {cols})"
    )


def _entropy_mi_sql(mi: Spec | None, ents: list[Spec], src: str) -> str:
    """Entropy of x (and/or y) and MI(x, y) from ONE joint count table, one scan of two columns.

    Entropy(x) = -sum p ln p over groups of non-null x, p = count / non-null count.
    MI(x, y) = sum p(x,y) ln(p(x,y) / (p(x) p(y))) over rows where both are non-null, with the
    marginals taken over those same rows (window sums over the joint counts)."""
    if mi is None:
        (e,) = ents
        x = _q(e.columns[0])
        return (
            f'SELECT -sum(c / n * ln(c / n)) AS "{e.key}" FROM (\n'
            f"  SELECT count(*)::DOUBLE AS c, sum(count(*)) OVER ()::DOUBLE AS n\n"
            f"  FROM {src} WHERE {x} IS NOT NULL GROUP BY {x})"
        )
    a, b = mi.columns
    qa, qb = _q(a), _q(b)
    # The joint table keeps rows where either column is set, so it also serves the entropies.
    ctes = [
        (
            f"j AS MATERIALIZED (SELECT {qa} AS x, {qb} AS y, count(*)::DOUBLE AS c FROM {src}\n"
            f"    WHERE {qa} IS NOT NULL OR {qb} IS NOT NULL GROUP BY ALL)"
        ),
        (
            f'm AS (SELECT sum(c / n * ln((c / n) / ((cx / n) * (cy / n)))) AS "{mi.key}" FROM (\n'
            f"    SELECT c, sum(c) OVER (PARTITION BY x) AS cx, sum(c) OVER (PARTITION BY y) AS cy,\n"
            f"           sum(c) OVER () AS n FROM j WHERE x IS NOT NULL AND y IS NOT NULL))"
        ),
    ]
    names = ["m"]
    for i, e in enumerate(ents):
        v = "x" if e.columns[0] == a else "y"
        ctes.append(
            f'e{i} AS (SELECT -sum(c / n * ln(c / n)) AS "{e.key}" FROM (\n'
            f"    SELECT sum(c) AS c, sum(sum(c)) OVER () AS n FROM j WHERE {v} IS NOT NULL GROUP BY {v}))"
        )
        names.append(f"e{i}")
    return "WITH " + ",\n".join(ctes) + "\nSELECT * FROM " + ", ".join(names)


def floor_statements(specs: list[Spec], path: str) -> list[str]:
    """The fewest statements an expert would send: one aggregate scan with every
    scan-shareable metric, then one grouped statement per frequency family. (Sending them as one
    statement of cross-joined subqueries was measured ~4% slower, not faster: DuckDB runs the
    pieces one after another either way.)"""
    src = _source(path)
    stmts = []
    aggs = [s for s in specs if s.floor is not None]
    if aggs:
        stmts.append("SELECT\n  " + ",\n  ".join(f'{s.floor} AS "{s.key}"' for s in aggs) + f"\nFROM {src}")
    for s in specs:
        if s.family == "uniqueness":
            stmts.append(_uniqueness_sql(s, src))
    ents = [s for s in specs if s.family == "entropy"]
    for mi in (s for s in specs if s.family == "mi"):
        mine = [e for e in ents if e.columns[0] in mi.columns]
        ents = [e for e in ents if e not in mine]
        stmts.append(_entropy_mi_sql(mi, mine, src))
    for e in ents:
        stmts.append(_entropy_mi_sql(None, [e], src))
    return stmts


def _as_float(v: Any) -> float | None:
    if v is None:
        return None
    return float(v)


def run_floor(specs: list[Spec], path: str, statements: list[str]) -> dict[str, Any]:
    """One floor run on a fresh connection (as dq's run makes its own): default settings, so
    DuckDB uses all cores."""
    values: dict[str, float | None] = {}
    con = duckdb.connect()
    try:
        for sql in statements:
            cur = con.execute(sql)
            row = cur.fetchone()
            for (name, *_), v in zip(cur.description, row):
                values[name] = _as_float(v)
    finally:
        con.close()
    return {"values": values, "errors": {}, "queries": len(statements)}


# --------------------------------------------------------------------------------------------
# dq
# --------------------------------------------------------------------------------------------


def run_dq(specs: list[Spec], path: str) -> dict[str, Any]:
    from dq import AnalysisRunner
    from dq import analyzers as A

    built = [s.make(A) for s in specs]
    ctx = AnalysisRunner.on_data(path).add_analyzers(built).run()
    values: dict[str, float | None] = {}
    errors: dict[str, str] = {}
    for s, a in zip(specs, built):
        m = ctx.metric(a)
        values[s.key] = _as_float(m.value)
        if m.value is None:
            errors[s.key] = str(getattr(m, "error", "no value"))
    return {"values": values, "errors": errors, "queries": ctx.num_queries}


# --------------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------------


def _timed(fn: Callable[[], dict[str, Any]]) -> tuple[float, dict[str, Any]]:
    gc.collect()  # so one contender's garbage is not collected on the other's clock
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _differs(a: float | None, b: float | None, rtol: float) -> bool:
    if a is None or b is None:
        return a is not b
    if math.isnan(a) or math.isnan(b):
        return not (math.isnan(a) and math.isnan(b))
    scale = max(abs(a), abs(b))
    return scale > 0 and abs(a - b) / scale > rtol


def compare(specs: list[Spec], dq_vals: dict, floor_vals: dict, path: str) -> list[dict[str, Any]]:
    out = []
    for s in specs:
        a, b = dq_vals.get(s.key), floor_vals.get(s.key)
        tol = APPROX_RTOL if s.approx else EXACT_RTOL
        if _differs(a, b, tol):
            rel = None
            if a is not None and b is not None and max(abs(a), abs(b)) > 0:
                rel = abs(a - b) / max(abs(a), abs(b))
            row = {"metric": s.key, "dq": a, "floor": b, "rel_diff": rel, "tolerance": tol}
            if s.exact:
                with duckdb.connect() as con:
                    row["exact"] = _as_float(con.execute(f"SELECT {s.exact} FROM {_source(path)}").fetchone()[0])
            out.append(row)
    return out


def _peak_rss_mb() -> float | None:
    """This process's peak RSS since exec (VmHWM), in MB.

    Not ru_maxrss: Linux carries a child's maxrss over exec, so a child forked from this
    benchmark (hundreds of MB after a few runs) would report at least the parent's size."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource  # not Linux: ru_maxrss is the best available (KB on Linux, bytes on macOS)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024.0


def _rss_probe(args: argparse.Namespace, workload: str, side: str) -> dict[str, Any]:
    """Run one contender once in a fresh interpreter, which reports its own peak RSS."""
    cmd = [
        sys.executable, "-m", "benchmarks.run", "--rows", str(args.rows), "--data-dir", str(args.data_dir),
        "--seed", str(args.seed), "--workloads", workload, f"--{side}-only", "--rss-probe",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1:]
        return {"rss_mb": None, "error": last[0] if last else f"exit code {proc.returncode}"}
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"rss_mb": child["rss_mb"], "seconds": child["seconds"]}


def _baseline_rss() -> float | None:
    """Peak RSS of an interpreter that only imports duckdb (and this module) and runs a trivial
    query: the part of both contenders' RSS that is not their work."""
    code = (
        "import duckdb, json; from benchmarks.run import _peak_rss_mb; "
        "duckdb.connect().execute('select 1').fetchall(); print(json.dumps(_peak_rss_mb()))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dq": _version("dq"),
        "numpy": _version("numpy"),
        "pyarrow": _version("pyarrow"),
    }
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        info["memory_gib"] = round(kb / 2**20, 1)
        with open("/proc/cpuinfo") as f:
            info["cpu_model"] = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), None)
    except (OSError, StopIteration):
        pass
    try:
        git = ["git", "-C", str(Path(__file__).resolve().parent.parent)]
        commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        # dq is benchmarked from the work tree: mark uncommitted changes to it, or the commit
        # would claim numbers for code it does not contain.
        dirty = subprocess.run([*git, "status", "--porcelain", "--", "dq"], capture_output=True, text=True, check=True)
        info["git_commit"] = commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        info["git_commit"] = None
    return info


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def _fmt(v: Any, spec: str = ".3f") -> str:
    return "-" if v is None else format(v, spec)


def _table(result: dict[str, Any]) -> list[list[str]]:
    rows = [["workload", "metrics", "dq s", "floor s", "dq/floor", "dq queries", "floor stmts",
             "dq RSS MB", "floor RSS MB", "disagreements"]]
    for name, w in result["workloads"].items():
        dq, fl = w.get("dq") or {}, w.get("floor") or {}
        if w.get("agreement") is not None:
            agree = str(len(w["agreement"]))
        else:
            agree = "n/a"
        rows.append([
            name, str(w["metrics"]), _fmt(dq.get("median_s")), _fmt(fl.get("median_s")),
            _fmt(w.get("ratio"), ".2f"), _fmt(dq.get("queries"), "d"), _fmt(fl.get("queries"), "d"),
            _fmt(dq.get("rss_mb"), ".0f"), _fmt(fl.get("rss_mb"), ".0f"), agree,
        ])
    return rows


def render_text(result: dict[str, Any]) -> str:
    rows = _table(result)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(result: dict[str, Any]) -> str:
    m, d = result["machine"], result["data"]
    rows = _table(result)
    out = [
        f"# dq vs hand-written DuckDB floor, {d['rows']:,} rows",
        "",
        (
            f"Data: `{d['path']}` ({d['size_mib']:.0f} MiB, seed {d['seed']}). Timing: median of "
            f"{result['repeat']} interleaved runs after one warm-up each; RSS: peak of one run in a fresh "
            f"process (an idle `python + duckdb` is {_fmt(m.get('baseline_rss_mb'), '.0f')} MB of it)."
        ),
        "",
        (
            f"Machine: {m.get('cpu_model') or '?'}, {m['usable_cpus']} usable cores, "
            f"{m.get('memory_gib', '?')} GiB; Python {m['python']}, DuckDB {m['duckdb']}, "
            f"dq {m.get('dq') or '?'} (commit {m.get('git_commit') or '?'}); {result['timestamp']}."
        ),
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(rows[0]))) + "|",
    ]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    for name, w in result["workloads"].items():
        if w.get("agreement"):
            out += ["", f"Disagreements in {name} (dq vs floor):", ""]
            out += [
                f"- `{x['metric']}`: dq={x['dq']!r} floor={x['floor']!r}"
                + (f" (exact {x['exact']!r})" if "exact" in x else "")
                for x in w["agreement"]
            ]
        for side in ("dq", "floor"):
            if (w.get(side) or {}).get("crash"):
                out += ["", f"{side} crashed in {name}: `{w[side]['crash']}`"]
        if (w.get("dq") or {}).get("errors"):
            out += ["", f"dq failed metrics in {name}:", ""]
            out += [f"- `{k}`: {v}" for k, v in w["dq"]["errors"].items()]
    return "\n".join(out) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def _parse_rows(text: str) -> int:
    t = text.strip().replace("_", "").replace(",", "")
    mult = {"k": 10**3, "m": 10**6, "g": 10**9}.get(t[-1:].lower(), 1)
    value = float(t[:-1] if mult != 1 else t) * mult
    if value != int(value) or value < 1:
        raise argparse.ArgumentTypeError(f"not a positive row count: {text!r}")
    return int(value)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=_parse_rows, default=10_000_000, help="rows in the dataset (10000000, 10M)")
    p.add_argument("--repeat", type=int, default=5, help="timed rounds per contender (after one warm-up)")
    p.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated subset of " + ",".join(WORKLOADS))
    p.add_argument("--data-dir", type=Path, default=Path("data"))
    p.add_argument("--seed", type=int, default=42, help="generator seed (only used if the data is missing)")
    side = p.add_mutually_exclusive_group()
    side.add_argument("--dq-only", action="store_true", help="time dq alone (no floor, no agreement check)")
    side.add_argument("--floor-only", action="store_true", help="time the hand-written SQL alone")
    p.add_argument("--no-rss", action="store_true", help="skip the peak-RSS subprocess runs")
    p.add_argument("--show-sql", action="store_true", help="print the floor's SQL for each workload")
    p.add_argument("--no-save", action="store_true", help="do not write benchmarks/results/")
    # Internal: one run of one side in this fresh process, result as JSON on stdout.
    p.add_argument("--rss-probe", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    a.workloads = [w.strip().upper() for w in a.workloads.split(",") if w.strip()]
    unknown = [w for w in a.workloads if w not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    if a.repeat < 1:
        p.error("--repeat must be >= 1")
    if a.rss_probe and not (a.dq_only or a.floor_only):
        p.error("--rss-probe needs --dq-only or --floor-only")
    return a


def _data_path(args: argparse.Namespace) -> Path:
    return args.data_dir / f"reviews_{args.rows}.parquet"


def _probe_main(args: argparse.Namespace) -> int:
    (name,) = args.workloads
    specs = WORKLOADS[name][1]()
    path = str(_data_path(args))
    if args.dq_only:
        secs, _ = _timed(lambda: run_dq(specs, path))
    else:
        stmts = floor_statements(specs, path)
        secs, _ = _timed(lambda: run_floor(specs, path, stmts))
    print(json.dumps({"seconds": secs, "rss_mb": _peak_rss_mb()}))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.rss_probe:
        return _probe_main(args)

    path = _data_path(args)
    # Imported here, not at the top: it pulls in numpy and pyarrow, which would inflate the RSS
    # children of both contenders.
    from benchmarks.generate_reviews import generate_reviews

    generate_reviews(path, args.rows, args.seed, verbose=True)
    sides = ["dq"] * (not args.floor_only) + ["floor"] * (not args.dq_only)
    if "dq" in sides:
        try:
            import dq  # noqa: F401
            from dq import AnalysisRunner  # noqa: F401
        except ImportError as e:
            print(f"cannot import dq ({e}); use --floor-only to time the SQL floor alone", file=sys.stderr)
            return 2

    machine = machine_info()
    if not args.no_rss:
        machine["baseline_rss_mb"] = _baseline_rss()
    result: dict[str, Any] = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "data": {"path": str(path), "rows": args.rows, "seed": args.seed, "size_mib": path.stat().st_size / 2**20},
        "repeat": args.repeat,
        "sides": sides,
        "tolerances": {"exact_rtol": EXACT_RTOL, "approx_rtol": APPROX_RTOL},
        "workloads": {},
    }
    print(
        f"{args.rows:,} rows, {result['data']['size_mib']:.0f} MiB, DuckDB {duckdb.__version__}, "
        f"{machine['usable_cpus']} cores; {args.repeat} rounds after a warm-up"
    )
    # Both contenders use every core, so anything else running skews (and unsteadies) the
    # numbers; the load average is recorded so a noisy result can be recognised afterwards.
    machine["loadavg_at_start"] = os.getloadavg()[0]
    if machine["loadavg_at_start"] > 1.0:
        print(f"warning: 1-min load average is {machine['loadavg_at_start']:.2f} before starting; "
              "if other work is running, it will distort the timings")

    for name in args.workloads:
        desc, make_specs = WORKLOADS[name]
        specs = make_specs()
        stmts = floor_statements(specs, str(path))
        if args.show_sql:
            print(f"\n-- floor SQL for {name}\n" + ";\n\n".join(stmts) + ";\n")
        runners = {
            "dq": lambda specs=specs: run_dq(specs, str(path)),
            "floor": lambda specs=specs, stmts=stmts: run_floor(specs, str(path), stmts),
        }
        print(f"\n{name}: {desc} ({len(specs)} metrics)", flush=True)
        w: dict[str, Any] = {"description": desc, "metrics": len(specs), "floor_sql": stmts}
        active = list(sides)
        last: dict[str, dict[str, Any]] = {}
        for s in sides:  # warm-up: page cache, imports, DuckDB's first-query costs
            try:
                _, last[s] = _timed(runners[s])
            except Exception as e:  # noqa: BLE001 - a crash of one side must not hide the other's numbers
                print(f"  {s} FAILED: {type(e).__name__}: {e}", flush=True)
                w[s] = {"crash": f"{type(e).__name__}: {e}"}
                active.remove(s)
        times: dict[str, list[float]] = {s: [] for s in active}
        for r in range(args.repeat if active else 0):
            # Alternate which side goes first, so neither always runs right after the other.
            for s in active if r % 2 == 0 else active[::-1]:
                secs, last[s] = _timed(runners[s])
                times[s].append(secs)
            print(f"  round {r + 1}: " + "  ".join(f"{s} {times[s][-1]:.3f}s" for s in active), flush=True)

        for s in active:
            w[s] = {
                "median_s": statistics.median(times[s]),
                "min_s": min(times[s]),
                "times_s": times[s],
                "queries": last[s]["queries"],
                "values": last[s]["values"],
                "errors": last[s]["errors"],
            }
            if not args.no_rss:
                probe = _rss_probe(args, name, s)
                w[s]["rss_mb"] = probe["rss_mb"]
                if probe.get("error"):
                    w[s]["rss_error"] = probe["error"]
        # Includes this benchmark's own load (~cores); well above that means competition.
        w["loadavg_after"] = os.getloadavg()[0]
        w["agreement"] = None
        if len(active) == 2:
            w["ratio"] = w["dq"]["median_s"] / w["floor"]["median_s"]
            w["agreement"] = compare(specs, w["dq"]["values"], w["floor"]["values"], str(path))
            for x in w["agreement"]:
                exact = f", exact={x['exact']!r}" if "exact" in x else ""
                print(f"  DISAGREE {x['metric']}: dq={x['dq']!r} floor={x['floor']!r}{exact}"
                      f" (rel {_fmt(x['rel_diff'], '.2e')})")
            if not w["agreement"]:
                print(f"  dq and floor agree on all {len(specs)} metrics")
        elif active:
            vals = w[active[0]]["values"]
            print("  " + ", ".join(f"{k}={_fmt(v, '.6g')}" for k, v in vals.items()))
        if "dq" in active and w["dq"]["errors"]:
            for k, v in w["dq"]["errors"].items():
                print(f"  dq FAILED {k}: {v}")
        result["workloads"][name] = w

    print()
    print(render_text(result))
    if not args.no_save:
        suffix = "" if len(sides) == 2 else f"_{sides[0]}-only"
        if args.workloads != list(WORKLOADS):
            suffix += "_" + "-".join(args.workloads)
        stem = RESULTS_DIR / f"bench_{args.rows}{suffix}"
        _write_atomic(stem.with_suffix(".json"), json.dumps(result, indent=2) + "\n")
        _write_atomic(stem.with_suffix(".md"), render_markdown(result))
        print(f"\nwrote {stem}.json and {stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
