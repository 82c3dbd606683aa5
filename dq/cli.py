"""Command line: ``dq analyze DATA [-a ANALYZER ...]``.

Without ``-a`` it profiles every column in one scan: size, completeness and approximate distinct
count; min, max, mean, standard deviation and sum of numeric columns; min and max of dates and
timestamps; min and max length of strings. ``-a`` adds analyzers written as Python calls, e.g.
``-a "Uniqueness(['review_id'])" -a "Compliance('good', 'star_rating >= 4')"``; they are parsed, not
evaluated, and only dq's analyzers with literal arguments are accepted.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
from collections.abc import Sequence

import dq.analyzers as analyzers_module
from dq.analyzers import (
    ApproxCountDistinct,
    Completeness,
    Maximum,
    MaxLength,
    Mean,
    Minimum,
    MinLength,
    Size,
    StandardDeviation,
    Sum,
)
from dq.analyzers.base import Analyzer
from dq.errors import DQError, InvalidOptionError, closest_names
from dq.runner import AnalysisRunner
from dq.schema import Kind

__all__ = ["default_analyzers", "main", "parse_analyzer"]


def parse_analyzer(text: str) -> Analyzer:
    """``"Completeness('a', where='b > 1')"`` -> Completeness('a', where='b > 1'), without eval."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        raise InvalidOptionError("analyzer", "a call such as Completeness('col')", text) from e
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise InvalidOptionError("analyzer", "a call such as Completeness('col')", text)
    name = node.func.id
    available = [n for n in analyzers_module.__all__ if isinstance(getattr(analyzers_module, n), type)
                 and issubclass(getattr(analyzers_module, n), Analyzer) and n != "Analyzer"]
    if name not in available:
        close = closest_names(name, available)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise InvalidOptionError("analyzer", f"one of dq's analyzers ({', '.join(available)})", name) from ValueError(hint)
    try:
        args = [ast.literal_eval(a) for a in node.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
    except ValueError:
        raise InvalidOptionError("analyzer", "literal arguments (strings, numbers, lists)", text) from None
    return getattr(analyzers_module, name)(*args, **kwargs)


def default_analyzers(schema) -> list[Analyzer]:
    out: list[Analyzer] = [Size()]
    for col in schema:
        if col.kind is Kind.NESTED:
            continue
        out += [Completeness(col.name), ApproxCountDistinct(col.name)]
        if col.kind.is_numeric:
            out += [Minimum(col.name), Maximum(col.name), Mean(col.name), StandardDeviation(col.name), Sum(col.name)]
        elif col.kind in (Kind.DATE, Kind.TIMESTAMP):
            out += [Minimum(col.name), Maximum(col.name)]
        elif col.kind is Kind.STRING:
            out += [MinLength(col.name), MaxLength(col.name)]
    return out


def _analyze(args: argparse.Namespace) -> int:
    from dq.backends import backend_for

    data = args.data if len(args.data) > 1 else args.data[0]
    extra = [parse_analyzer(a) for a in args.analyzer]
    chosen = extra if args.only else default_analyzers(backend_for(data).schema) + extra
    start = time.perf_counter()
    ctx = AnalysisRunner.on_data(data).add_analyzers(chosen).run(errors="record")
    elapsed = time.perf_counter() - start
    if args.format == "json":
        print(ctx.to_json(indent=2))
    elif args.format == "csv":
        import pyarrow.csv as pcsv

        pcsv.write_csv(ctx.metrics_as_table(), sys.stdout.buffer)
    else:
        print(ctx)
        print(f"\n{len(ctx)} metrics from {ctx.num_queries} queries in {elapsed:.2f} s")
    return 1 if ctx.failures() and args.strict else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dq", description="Data-quality metrics on DuckDB.")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="compute metrics of a dataset (Parquet/CSV/JSON files, globs, folders)")
    a.add_argument("data", nargs="+", help="file(s), glob or folder")
    a.add_argument("-a", "--analyzer", action="append", default=[],
                   help="an analyzer as a Python call, e.g. \"Uniqueness(['id'])\" (repeatable)")
    a.add_argument("--only", action="store_true", help="compute only the -a analyzers (no default profile)")
    a.add_argument("--format", choices=["table", "json", "csv"], default="table")
    a.add_argument("--strict", action="store_true", help="exit with status 1 if any metric failed")
    args = parser.parse_args(argv)
    try:
        return _analyze(args)
    except DQError as e:
        cause = f"{e.__cause__}" if e.__cause__ and str(e.__cause__).strip() else ""
        print(f"dq: error: {e}{cause}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
