"""Command line: ``dq analyze DATA [-a ANALYZER ...]``, ``dq verify DATA --checks FILE`` and
``dq gate DATA --checks FILE|--pack PACK --publish-to TARGET`` (``dq.gate``: exit 0 published, 1 blocked,
2 error);
``dq profile DATA [--format table|json]`` and ``dq suggest DATA [--rules default|extended|...]
[--out checks.yaml]`` (column profiles and suggested checks, ``dq.profiles`` / ``dq.suggest``).

``verify`` runs the checks of a YAML checks file (``dq.checks.load``) as one suite, prints the
verdict, optionally writes the result JSON and splits the rows into passing and failing Parquet
files; its exit status is 0 when no Error-level check failed (1 also on warnings with
``--fail-on-warning``), 1 when one did, 2 on a usage error (bad file, unknown column, ...).

Without ``-a`` it profiles every column in one scan: size, completeness and approximate distinct
count; min, max, mean, standard deviation and sum of numeric columns; min and max of dates and
timestamps; min and max length of strings. ``-a`` adds analyzers written as Python calls, e.g.
``-a "Uniqueness(['review_id'])" -a "Compliance('good', 'star_rating >= 4')"``; they are parsed, not
evaluated, and only dq's analyzers with literal arguments are accepted.
"""

from __future__ import annotations

import argparse
import ast
import json
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


def _verify(args: argparse.Namespace) -> int:
    from dq.checks import load
    from dq.verification import VerificationSuite

    data = args.data if len(args.data) > 1 else args.data[0]
    checks = [c for f in args.checks for c in load(f)]
    start = time.perf_counter()
    result = VerificationSuite().on_data(data).add_checks(checks).run()
    elapsed = time.perf_counter() - start
    if args.results:
        from dq._files import write_atomic

        write_atomic(args.results, result.to_json())
    if args.format == "json":
        print(result.to_json())
    else:
        print(result)
        print(f"\n{len(result.metrics)} metrics from {result.num_queries} queries in {elapsed:.2f} s")
    if args.passing or args.failing:
        if not (args.passing and args.failing):
            raise InvalidOptionError("--passing/--failing", "both paths (quarantine split)", args.passing or args.failing)
        n_pass, n_fail = result.split_rows(args.passing, args.failing)
        print(f"{n_pass} passing rows -> {args.passing}; {n_fail} failing rows -> {args.failing}",
              file=sys.stderr if args.format == "json" else sys.stdout)
    failed = result.status.value == "Error" or (args.fail_on_warning and result.status.value == "Warning")
    return 1 if failed else 0


def _gate(args: argparse.Namespace) -> int:
    from dq.gate import Gate, move_into_place

    if args.publish_to and len(args.data) > 1:
        raise InvalidOptionError("--publish-to", "one staged file or folder to move into place",
                                 f"{len(args.data)} data paths")
    data = args.data if len(args.data) > 1 else args.data[0]
    checks, preflight = list(args.checks or []), []
    if args.pack:
        kind, _, table = args.pack.partition(":")
        if kind != "redshift-stl" or not table:
            raise InvalidOptionError("--pack", "redshift-stl:<table>, e.g. redshift-stl:stl_query", args.pack)
        from dq.packs.redshift_stl import stl_checks, stl_preflight

        checks += stl_checks(table)
        preflight.append(stl_preflight(table))
    if not checks:
        raise InvalidOptionError("--checks/--pack", "a YAML checks file or a dataset pack", None)
    gate = Gate(checks, fail_on=args.fail_on, report=args.report, preflight=preflight)
    publish = move_into_place(data, args.publish_to, replace=not args.no_replace) if args.publish_to else None
    result = gate.run(data, publish=publish)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        print(result)
        print(f"\n{'published to ' + args.publish_to if result.published and args.publish_to else result.decision}"
              f" in {result.seconds:.2f} s")
    if result.published:
        return 0
    return 1 if result.decision in ("failed checks", "failed preflight") else 2


def _profile(args: argparse.Namespace) -> int:
    from dq.profiles import ColumnProfiler

    data = args.data if len(args.data) > 1 else args.data[0]
    builder = ColumnProfiler.on_data(data).with_low_cardinality_histogram_threshold(args.threshold)
    if args.columns:
        builder = builder.restrict_to_columns(args.columns)
    if args.no_quantiles:
        builder = builder.with_quantiles(False)
    if args.numeric_text_statistics:
        builder = builder.with_numeric_text_statistics(True)
    start = time.perf_counter()
    profiles = builder.run()
    elapsed = time.perf_counter() - start
    if args.format == "json":
        print(profiles.to_json(indent=2))
    else:
        print(profiles)
        print(f"profiled in {elapsed:.2f} s")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    from dq.suggest import ConstraintSuggestionRunner, Rules

    data = args.data if len(args.data) > 1 else args.data[0]
    builder = ConstraintSuggestionRunner.on_data(data).with_low_cardinality_histogram_threshold(args.threshold)
    for name in args.rules:
        builder = builder.add_constraint_rules(Rules.by_name(name))
    if args.columns:
        builder = builder.restrict_to_columns(args.columns)
    if args.test_ratio is not None:
        builder = builder.use_train_test_split_with_testset_ratio(args.test_ratio, args.seed)
    result = builder.run()
    yaml_text = result.to_yaml(include_fragile=not args.no_fragile)
    if args.out:
        from dq._files import write_atomic

        write_atomic(args.out, yaml_text)
    if args.format == "json":
        print(result.to_json())
    elif args.format == "yaml":
        print(yaml_text, end="")
    else:
        print(result)
        if args.out:
            print(f"checks written to {args.out} (dq verify DATA --checks {args.out})")
    return 0


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
    v = sub.add_parser("verify", help="run the checks of a YAML checks file on a dataset (exit 1 on an Error)")
    v.add_argument("data", nargs="+", help="file(s), glob or folder")
    v.add_argument("-c", "--checks", action="append", required=True, help="YAML checks file (repeatable)")
    v.add_argument("--format", choices=["table", "json"], default="table")
    v.add_argument("--results", help="also write the result JSON to this file (atomically)")
    v.add_argument("--passing", help="write the rows passing every Error-level check here (Parquet)")
    v.add_argument("--failing", help="write the other rows here (Parquet), with the checks they failed")
    v.add_argument("--fail-on-warning", action="store_true", help="exit with status 1 on warnings too")
    g = sub.add_parser("gate", help="verify a staged dataset and publish it only if it passed (exit 0 published, "
                                    "1 blocked by the checks or the preflight, 2 error)")
    g.add_argument("data", nargs="+", help="the staged file(s), glob or folder")
    g.add_argument("-c", "--checks", action="append", help="YAML checks file (repeatable)")
    g.add_argument("--pack", help="a dataset pack's checks and preflight, e.g. redshift-stl:stl_query "
                                  "(the export folder of one STL table)")
    g.add_argument("--publish-to", help="on success, move the staged file or folder here (atomic rename)")
    g.add_argument("--no-replace", action="store_true", help="refuse to publish over an existing target")
    g.add_argument("--fail-on", choices=["error", "warning"], default="error",
                   help="the verdict that blocks publishing (default: error)")
    g.add_argument("--report", help="write the gate's JSON report here (atomically, also when it fails)")
    g.add_argument("--format", choices=["table", "json"], default="table")
    pr = sub.add_parser("profile", help="profile every column (one scan + one grouped query for histograms)")
    pr.add_argument("data", nargs="+", help="file(s), glob or folder")
    pr.add_argument("--format", choices=["table", "json"], default="table")
    pr.add_argument("--columns", nargs="+", help="profile only these columns")
    pr.add_argument("--threshold", type=int, default=120,
                    help="histograms for columns with at most this many distinct values (default 120)")
    pr.add_argument("--no-quantiles", action="store_true", help="skip the percentiles of numeric columns")
    pr.add_argument("--numeric-text-statistics", action="store_true",
                    help="numeric statistics also for numbers-as-text columns with too many values for a histogram "
                         "(one more pass; those with a histogram get them anyway)")
    sg = sub.add_parser("suggest", help="suggest checks the data satisfies; write them as a YAML checks file")
    sg.add_argument("data", nargs="+", help="file(s), glob or folder")
    sg.add_argument("--rules", nargs="+", default=["default"],
                    choices=["default", "string", "numerical", "common", "extended"],
                    help="rule sets (default: default)")
    sg.add_argument("--out", help="write the suggested checks to this YAML checks file")
    sg.add_argument("--format", choices=["table", "json", "yaml"], default="table")
    sg.add_argument("--columns", nargs="+", help="suggest for these columns only")
    sg.add_argument("--threshold", type=int, default=120, help="low-cardinality histogram threshold (default 120)")
    sg.add_argument("--no-fragile", action="store_true", help="leave fragile suggestions out of the checks file")
    sg.add_argument("--test-ratio", type=float, help="derive on a random train split, evaluate on this fraction")
    sg.add_argument("--seed", type=int, default=None, help="seed of the train/test split")
    args = parser.parse_args(argv)
    try:
        commands = {"analyze": _analyze, "verify": _verify, "gate": _gate, "profile": _profile, "suggest": _suggest}
        return commands[args.command](args)
    except DQError as e:
        cause = f"{e.__cause__}" if e.__cause__ and str(e.__cause__).strip() else ""
        print(f"dq: error: {e}{cause}", file=sys.stderr)
        return 2
    except OSError as e:  # a checks file or output path that cannot be read or written
        print(f"dq: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
