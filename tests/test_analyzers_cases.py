"""Runs the case table (``cases.py``) on every backend: each analyzer alone, then all analyzers of
one dataset together in a single run (a metric must not depend on what else shares the scan) with
the number of queries the plan promises."""

from __future__ import annotations

from collections.abc import Sequence

import math
import pyarrow as pa
import pytest
from cases import CASES, Case, Fails, Rejected, cases_by_dataset, mismatch, same_metric

import dq.analyzers as dqa
from dq import AnalysisRunner, InMemoryStateStore
from dq.analyzers import Analyzer

# -- the plan, written out independently of the runner -------------------------------------------
SCAN = {"Size", "Completeness", "Compliance", "PatternMatch", "Sum", "Mean", "Minimum", "Maximum", "MinLength",
        "MaxLength", "Range", "StandardDeviation", "Variance", "Skewness", "Kurtosis", "Correlation", "RatioOfSums",
        "ZerosCount", "ApproxCountDistinct", "ExactQuantile", "InterquartileRange", "DataType"}
KLL = {"ApproxQuantile", "ApproxQuantiles", "KLLSketch"}
GROUPING = {"CountDistinct", "Distinctness", "Uniqueness", "UniqueValueRatio", "Entropy", "MutualInformation",
            "DuplicateRowCount", "Histogram"}
CUSTOM = {"CustomSql"}
SCHEMA_ONLY = {"ColumnCount", "ColumnExists"}
NOT_ANALYZERS = {"Analyzer", "AnalyzerOptions", "NullBehavior", "FilteredRowOutcome", "analyzer_from_dict", "Patterns"}
ANALYZER_NAMES = set(dqa.__all__) - NOT_ANALYZERS


def _resolve(name: str, columns: Sequence[str]) -> str:
    if name in columns:
        return name
    folded = [c for c in columns if c.lower() == name.lower()]
    assert len(folded) == 1, f"cannot resolve column {name!r} in {list(columns)}"
    return folded[0]


def _grouping_key(a: Analyzer, columns: Sequence[str]) -> tuple[frozenset[str], str | None]:
    kind = type(a).__name__
    if kind in ("Histogram", "Entropy"):
        cols = (a.column,)
    elif kind == "DuplicateRowCount" and not a.columns:
        cols = tuple(columns)
    else:
        cols = tuple(a.columns)
    return frozenset(_resolve(c, columns) for c in cols), a.where


def _undefined_correlation(c: Case) -> bool:
    """A Correlation case whose answer is NaN or a failure other than an empty input."""
    if not isinstance(c.analyzer, dqa.Correlation) or isinstance(c.expected, Rejected):
        return False
    if isinstance(c.expected, Fails):
        return "Empty state" not in c.expected.message
    return isinstance(c.expected, float) and math.isnan(c.expected)


def expected_num_queries(analyzers: Sequence[Analyzer], table: pa.Table, rejected: Sequence[Analyzer] = (),
                         *, states: bool = False, undefined: bool = False, kll_in_scan: bool = False) -> int:
    """1 scan if any scan analyzer, +1 per distinct (grouping columns, where), +1 if any KLL analyzer
    (on Spark, ``kll_in_scan``, KLL sketches join the scan instead), +1 per CustomSql; schema-only
    analyzers and analyzers rejected by the schema check cost nothing.
    Without states, a grouping set whose columns are a proper subset of another set's with the same
    where is free when that other set's table is materialised anyway (it has a MutualInformation or
    Histogram): it is rolled up from that table in the same statement. Without states, an undefined
    (NaN or constant-column) Correlation costs one more scan (``undefined``), which computes its
    co-moments to say why."""
    planned = [a for a in dict.fromkeys(analyzers) if a not in set(rejected)]
    names = [type(a).__name__ for a in planned]
    unknown = set(names) - SCAN - KLL - GROUPING - CUSTOM - SCHEMA_ONLY
    assert not unknown, f"no plan rule for {unknown}"
    members: dict[tuple[frozenset[str], str | None], set[str]] = {}
    for a in planned:
        if type(a).__name__ in GROUPING:
            members.setdefault(_grouping_key(a, table.column_names), set()).add(type(a).__name__)
    groups = set(members)
    if not states:
        materialised = [k for k, kinds in members.items() if kinds & {"MutualInformation", "Histogram"}]
        groups = {k for k in groups if not any(k[1] == m[1] and k[0] < m[0] for m in materialised)}
    scans = SCAN | KLL if kll_in_scan else SCAN
    return (int(any(n in scans for n in names)) + len(groups) + int(not kll_in_scan and any(n in KLL for n in names))
            + int(undefined and not states)
            + sum(n in CUSTOM for n in names))


def run(backend_data, table: pa.Table, analyzers: Sequence[Analyzer], *, states: bool = False):
    builder = AnalysisRunner.on_data(backend_data(table)).add_analyzers(analyzers)
    if states:  # the state path: every metric computed from a (saved) state
        builder = builder.save_states_with(InMemoryStateStore())
    return builder.run(errors="record")


def _rejected(cases: Sequence[Case]) -> list[Analyzer]:
    return [c.analyzer for c in cases if isinstance(c.expected, Rejected)]


# -- the table itself ----------------------------------------------------------------------------

def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_analyzer_has_cases():
    covered = {type(c.analyzer).__name__ for c in CASES}
    assert ANALYZER_NAMES <= covered, f"analyzers without a case: {sorted(ANALYZER_NAMES - covered)}"
    assert ANALYZER_NAMES == SCAN | KLL | GROUPING | CUSTOM | SCHEMA_ONLY, "the plan rules miss an analyzer"


def test_every_where_capable_analyzer_has_a_where_removing_every_row():
    with_where = {type(c.analyzer).__name__ for c in CASES if c.id.startswith("nums/where-none/")}
    capable = {n for n in ANALYZER_NAMES if "where" in getattr(dqa, n).__dataclass_fields__}
    assert capable <= with_where, sorted(capable - with_where)


# -- every case alone ----------------------------------------------------------------------------

def _case_param(c: Case):
    marks = [pytest.mark.xfail(strict=True, reason=c.bug)] if c.bug else []
    return pytest.param(c, id=c.id, marks=marks)


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_case_alone(case: Case, backend_data, backend_tolerance):
    ctx = run(backend_data, case.data, [case.analyzer])
    problem = mismatch(ctx.metric(case.analyzer), case.expected, case.tol, backend_tolerance)
    assert problem is None, f"{case.id} {case.analyzer!r}: {problem}"
    assert ctx.num_queries == expected_num_queries([case.analyzer], case.data, _rejected([case]),
                                                   undefined=_undefined_correlation(case)), ctx.queries


# -- all cases of a dataset in one run -----------------------------------------------------------

GROUPS = cases_by_dataset()


def _group_param(name: str):
    cases = GROUPS[name]
    bugs = [c.bug for c in cases if c.bug]
    marks = [pytest.mark.xfail(strict=True, reason=bugs[0])] if len(bugs) == len(cases) else []
    return pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("name", [_group_param(n) for n in GROUPS])
def test_cases_shared_run(name: str, backend, backend_data, backend_tolerance):
    cases = GROUPS[name]
    table = cases[0].data
    analyzers = [c.analyzer for c in cases]
    ctx = run(backend_data, table, analyzers)
    problems = []
    for c in cases:
        m = ctx.metric(c.analyzer)
        if c.bug:
            # a known bug: at least the shared run must agree with the analyzer run alone
            alone = run(backend_data, table, [c.analyzer]).metric(c.analyzer)
            if not same_metric(m, alone):
                problems.append(f"{c.id}: shared {m} != alone {alone}")
            continue
        p = mismatch(m, c.expected, c.tol, backend_tolerance)
        if p:
            problems.append(f"{c.id}: {p}")
    assert not problems, "\n".join(problems)
    assert ctx.num_queries == expected_num_queries(
        analyzers, table, _rejected(cases), undefined=any(map(_undefined_correlation, cases)),
        kll_in_scan=backend == "spark"), "\n".join(ctx.queries)


@pytest.mark.parametrize("name", [_group_param(n) for n in GROUPS])
def test_cases_shared_run_through_states(name: str, backend, backend_data, backend_tolerance):
    """The same expectations when every metric is computed from its state (as when states are saved
    or merged): an analyzer may compute its metric more directly without states, never differently."""
    cases = GROUPS[name]
    table = cases[0].data
    ctx = run(backend_data, table, [c.analyzer for c in cases], states=True)
    problems = [f"{c.id}: {p}" for c in cases if not c.bug
                and (p := mismatch(ctx.metric(c.analyzer), c.expected, c.tol, backend_tolerance))]
    assert not problems, "\n".join(problems)
    assert ctx.num_queries == expected_num_queries([c.analyzer for c in cases], table, _rejected(cases), states=True,
                                                   kll_in_scan=backend == "spark")
