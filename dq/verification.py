"""VerificationSuite: run checks on data in one plan and report a verdict (Deequ's VerificationSuite).

``VerificationSuite().on_data(data).add_check(check).run()`` collects the analyzers of every
constraint and every required analyzer, deduplicates them (a metric needed by several constraints
or checks is computed once) and runs them as one analysis: one scan, one grouped query per
grouping set. Each check is then evaluated on the metrics.

The result's JSON form (``VerificationResult.to_json``) is versioned; see ``RESULT_SCHEMA`` and
the README section "Verification results as JSON".
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from dq.analyzers.base import Analyzer
from dq.checks.assertions import Assertion
from dq.checks.check import Check, CheckLevel, CheckStatus
from dq.checks.constraints import Constraint, ConstraintResult, ConstraintStatus
from dq.errors import InvalidOptionError
from dq.metrics import Metric
from dq.runner import AnalyzerContext, run_analysis
from dq.statestore import StateStore

__all__ = ["RESULT_SCHEMA", "AnomalyCheckConfig", "CheckResult", "VerificationResult", "VerificationRunBuilder", "VerificationSuite"]

#: name and version of the JSON document written by ``VerificationResult.to_json``
RESULT_SCHEMA = {"schema": "dq.verification_result", "version": 1}


@dataclass(frozen=True)
class AnomalyCheckConfig:
    """How an anomaly check is reported and which history it compares with (Deequ's
    AnomalyCheckConfig, all of it usable from Python). ``with_tag_values``: only results whose
    tags include these (give every tag of the series); ``after``/``before``: inclusive time
    bounds; ``include_failed_runs``: also compare with runs whose Error-level checks failed
    (left out by default, so one bad delivery does not become the baseline)."""

    level: CheckLevel = CheckLevel.WARNING
    description: str | None = None
    with_tag_values: tuple[tuple[str, str], ...] = ()
    after: Any = None
    before: Any = None
    include_failed_runs: bool = False

    def __post_init__(self) -> None:
        from dq.checks.check import parse_level

        object.__setattr__(self, "level", parse_level(self.level, owner="AnomalyCheckConfig"))
        tags = self.with_tag_values
        if isinstance(tags, dict):
            object.__setattr__(self, "with_tag_values", tuple(sorted(tags.items())))


@dataclass(frozen=True, eq=False)
class _NotAnomalous(Assertion):
    """The metric's new value is no anomaly against its history (``strategy``)."""

    strategy: Any
    history: tuple[tuple[Any, float], ...]
    metric: str

    def _verdict(self, value: Any):
        from dq.anomaly import check_newest_point

        return check_newest_point(self.strategy, list(self.history), value, metric=self.metric)

    def __call__(self, value: Any) -> bool:
        return bool(self._verdict(value).passed)

    def explain(self, value: Any) -> str | None:
        return self._verdict(value).message

    @property
    def text(self) -> str:
        return f"not anomalous ({type(self.strategy).__name__}, {len(self.history)} earlier values)"

    @property
    def serialisable(self) -> bool:
        return False


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: CheckStatus
    constraint_results: tuple[ConstraintResult, ...]


def evaluate_check(check: Check, ctx: AnalyzerContext) -> CheckResult:
    results = tuple(c.evaluate(ctx.metric_map.get(c.analyzer)) for c in check.constraints)
    if all(r.is_success for r in results):
        status = CheckStatus.SUCCESS
    else:
        status = CheckStatus.ERROR if check.level is CheckLevel.ERROR else CheckStatus.WARNING
    return CheckResult(check, status, results)


def _json_arg(v: Any) -> Any:
    from dq.checks.assertions import Assertion
    from dq.checks.constraints import ConstrainableDataTypes

    if isinstance(v, Assertion):
        return v.text
    if isinstance(v, ConstrainableDataTypes):
        return v.value
    if isinstance(v, tuple):
        return [_json_arg(x) for x in v]
    if hasattr(v, "to_dict"):
        return v.to_dict()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


class VerificationResult:
    """The verdict of a suite: ``status``, one ``CheckResult`` per check, every metric."""

    def __init__(self, check_results: Sequence[CheckResult], context: AnalyzerContext, *,
                 data: Any = None, connection: Any = None):
        self.check_results = list(check_results)
        self.context = context
        self._data = data
        self._connection = connection
        worst = max((r.status for r in self.check_results), key=lambda s: s.rank, default=CheckStatus.SUCCESS)
        self.status: CheckStatus = worst

    @property
    def metrics(self) -> dict[Analyzer, Metric]:
        return dict(self.context.metric_map)

    @property
    def num_queries(self) -> int:
        return self.context.num_queries

    @property
    def is_success(self) -> bool:
        return self.status is CheckStatus.SUCCESS

    def check_result(self, check: Check) -> CheckResult:
        for r in self.check_results:
            if r.check == check:
                return r
        raise KeyError(f"{check!r} was not part of this suite")

    def constraint_results(self) -> list[tuple[CheckResult, ConstraintResult]]:
        return [(cr, r) for cr in self.check_results for r in cr.constraint_results]

    # -- tables -----------------------------------------------------------------------------
    def _check_rows(self) -> list[dict[str, str]]:
        return [{
            "check": cr.check.description,
            "check_level": cr.check.level.value,
            "check_status": cr.status.value,
            "constraint": r.constraint.name,
            "constraint_status": r.status.value,
            "constraint_message": r.message or "",
        } for cr, r in self.constraint_results()]

    def check_results_as_table(self, *, pandas: bool = False):
        """One row per constraint: check, check_level, check_status, constraint,
        constraint_status, constraint_message ("" on success)."""
        rows = self._check_rows()
        names = ["check", "check_level", "check_status", "constraint", "constraint_status", "constraint_message"]
        table = pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names})
        return table.to_pandas() if pandas else table

    def success_metrics_as_table(self, for_analyzers: Iterable[Analyzer] | None = None, *, pandas: bool = False):
        """The successful metrics, flattened: entity, instance, name, value."""
        return self.context.metrics_as_table(for_analyzers, pandas=pandas)

    def check_results_as_dicts(self) -> list[dict[str, str]]:
        return self._check_rows()

    # -- JSON -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from dq import __version__

        checks = []
        for cr in self.check_results:
            cons = []
            for r in cr.constraint_results:
                c = r.constraint
                m = r.metric
                metric = None
                if m is not None:
                    metric = {"entity": str(m.entity), "instance": m.instance, "name": m.name,
                              "analyzer": c.analyzer.to_dict()}
                    if m.is_success:
                        metric["value"] = m.value_for_json()
                    else:
                        metric["error"] = m.error
                cons.append({
                    "constraint": c.name,
                    "method": c.method,
                    "arguments": {k: _json_arg(v) for k, v in c.args},
                    "requirement": c.assertion.text,
                    "constraint_status": r.status.value,
                    "constraint_message": r.message or "",
                    "metric": metric,
                })
            checks.append({"check": cr.check.description, "check_level": cr.check.level.value,
                           "check_status": cr.status.value, "constraints": cons})
        return {**RESULT_SCHEMA, "dq_version": __version__, "status": self.status.value,
                "num_queries": self.num_queries, "checks": checks,
                "metrics": self.context.to_dicts()}

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, default=str, ensure_ascii=False)

    # -- console ----------------------------------------------------------------------------
    def render(self) -> str:
        lines = [f"Verification: {self.status.value} ({len(self.check_results)} checks, "
                 f"{sum(len(c.constraint_results) for c in self.check_results)} constraints, "
                 f"{self.num_queries} queries)"]
        for cr in self.check_results:
            lines.append(f"  [{cr.status.value}] {cr.check.description} (level {cr.check.level.value})")
            for r in cr.constraint_results:
                mark = "ok  " if r.status is ConstraintStatus.SUCCESS else "FAIL"
                lines.append(f"    {mark} {r.constraint.name}: {r.constraint.assertion.text}")
                if r.message:
                    lines.append(f"         {r.message}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"VerificationResult({self.status.value}, {len(self.check_results)} checks)"

    # -- row level ----------------------------------------------------------------------------
    def row_level_results(self, data: Any = None, *, connection: Any = None):
        """The input with one boolean column per check (named by its description): the AND of its
        row-level constraints. See ``dq.checks.rowlevel``."""
        from dq.checks.rowlevel import row_level_results

        data = self._data if data is None else data
        return row_level_results(self, data, connection=self._connection_for(data, connection))

    def split_rows(self, passing_path: str, failing_path: str, data: Any = None, *, connection: Any = None,
                   level: CheckLevel | str = CheckLevel.ERROR) -> tuple[int, int]:
        """Write the rows that pass every row-level constraint of the checks at ``level`` (and
        worse) to ``passing_path`` and the others to ``failing_path`` (Parquet, quarantine).
        Returns (passing rows, failing rows)."""
        from dq.checks.rowlevel import split_rows

        data = self._data if data is None else data
        return split_rows(self, data, passing_path, failing_path, connection=self._connection_for(data, connection),
                          level=level)

    def _connection_for(self, data: Any, connection: Any) -> Any:
        """``connection`` if given; else the DuckDB connection the suite ran with, unless ``data``
        is a Spark DataFrame (which takes none)."""
        from dq.backends import is_spark_dataframe

        if connection is not None or is_spark_dataframe(data):
            return connection
        return self._connection


class VerificationRunBuilder:
    def __init__(self, data: Any, *, connection: Any = None):
        self._data = data
        self._connection = connection
        self._checks: list[Check] = []
        self._required: list[Analyzer] = []
        self._load: StateStore | None = None
        self._save: StateStore | None = None
        self._repository: Any = None
        self._save_key: Any = None
        self._reuse_key: Any = None
        self._reuse_must_exist = False
        self._anomaly: list[tuple[Any, Analyzer, AnomalyCheckConfig]] = []

    def add_check(self, check: Check) -> VerificationRunBuilder:
        if not isinstance(check, Check):
            raise InvalidOptionError("check", "a Check (e.g. Check(CheckLevel.ERROR, 'name').is_complete('id'))",
                                     check)
        self._checks.append(check)
        return self

    def add_checks(self, checks: Iterable[Check]) -> VerificationRunBuilder:
        for c in checks:
            self.add_check(c)
        return self

    def add_required_analyzer(self, analyzer: Analyzer) -> VerificationRunBuilder:
        """Compute this metric too (reported with the others), without a constraint on it."""
        if not isinstance(analyzer, Analyzer):
            raise InvalidOptionError("analyzer", "an Analyzer (e.g. Completeness('col'))", analyzer)
        self._required.append(analyzer)
        return self

    def add_required_analyzers(self, analyzers: Iterable[Analyzer]) -> VerificationRunBuilder:
        for a in analyzers:
            self.add_required_analyzer(a)
        return self

    def aggregate_with(self, store: StateStore) -> VerificationRunBuilder:
        self._load = store
        return self

    def save_states_with(self, store: StateStore) -> VerificationRunBuilder:
        self._save = store
        return self

    # -- metrics history (dq.repository) and anomaly checks (dq.anomaly) ----------------------
    def use_repository(self, repository: Any) -> VerificationRunBuilder:
        """The metrics repository for ``save_or_append_result``, ``reuse_existing_results_for_key``
        and anomaly checks."""
        from dq.repository import MetricsRepository

        if not isinstance(repository, MetricsRepository):
            raise InvalidOptionError("repository", "a MetricsRepository (e.g. DuckDBMetricsRepository('m.duckdb'))",
                                     repository)
        self._repository = repository
        return self

    def save_or_append_result(self, key: Any) -> VerificationRunBuilder:
        """Save this run's metrics and status under ``key`` (a ``ResultKey``), merged with any
        metrics already stored under it (new values win)."""
        self._save_key = _result_key(key)
        return self

    def reuse_existing_results_for_key(self, key: Any, fail_if_results_missing: bool = False
                                       ) -> VerificationRunBuilder:
        """Take the metrics already stored under ``key`` instead of recomputing them; only the
        missing ones are computed (or, with ``fail_if_results_missing``, the run raises)."""
        self._reuse_key = _result_key(key)
        self._reuse_must_exist = bool(fail_if_results_missing)
        return self

    def add_anomaly_check(self, strategy: Any, analyzer: Analyzer, config: AnomalyCheckConfig | None = None
                          ) -> VerificationRunBuilder:
        """Check that ``analyzer``'s new value is no anomaly against its history in the
        repository (``strategy`` from ``dq.anomaly``). Default level: Warning (as Deequ)."""
        if not isinstance(analyzer, Analyzer):
            raise InvalidOptionError("analyzer", "an Analyzer (e.g. Size())", analyzer, owner="add_anomaly_check")
        if not callable(getattr(strategy, "detect", None)):
            raise InvalidOptionError("strategy", "an anomaly detection strategy from dq.anomaly "
                                     "(e.g. OnlineNormalStrategy())", strategy, owner="add_anomaly_check")
        if config is not None and not isinstance(config, AnomalyCheckConfig):
            raise InvalidOptionError("config", "an AnomalyCheckConfig", config, owner="add_anomaly_check")
        self._anomaly.append((strategy, analyzer, config or AnomalyCheckConfig()))
        return self

    def analyzers(self) -> list[Analyzer]:
        """Every analyzer the suite needs, deduplicated (each computed once)."""
        found = [a for c in self._checks for a in c.required_analyzers()] + self._required
        found += [a for _, a, _ in self._anomaly]
        return list(dict.fromkeys(found))

    def _need_repository(self, what: str) -> Any:
        if self._repository is None:
            raise InvalidOptionError("repository", f"set with use_repository(...) before {what}", None)
        return self._repository

    def _anomaly_checks(self) -> list[Check]:
        from dq.checks.constraints import _short
        from dq.repository import series

        repo = self._need_repository("add_anomaly_check")
        checks = []
        for strategy, analyzer, cfg in self._anomaly:
            s = series(repo, analyzer, dict(cfg.with_tag_values) or None, after=cfg.after, before=cfg.before,
                       include_failed_runs=cfg.include_failed_runs)
            history = tuple((t, v) for t, v in s.points()
                            if self._save_key is None or t != self._save_key.timestamp)  # not this run's own
            assertion = _NotAnomalous(strategy, history, analyzer.name)
            name = f"AnomalyConstraint({_short(analyzer)})"
            constraint = Constraint("add_anomaly_check", (("analyzer", analyzer), ("strategy", strategy)), analyzer,
                                    assertion, name, None, "value", False)
            description = cfg.description or f"Anomaly check for {analyzer.name} of {analyzer.instance}"
            checks.append(Check(cfg.level, description, (constraint,)))
        return checks

    def run(self) -> VerificationResult:
        """Run the analysis (a user mistake in one constraint, such as a missing column, fails
        that constraint; the others are still evaluated), evaluate every check and anomaly
        check, and save the result to the repository when asked."""
        wanted = self.analyzers()
        reused: dict[Analyzer, Metric] = {}
        if self._reuse_key is not None:
            stored = self._need_repository("reuse_existing_results_for_key").load_by_key(self._reuse_key)
            if stored is not None:
                reused = {a: m for a, m in stored.metric_map.items() if a in wanted and m.is_success}
            missing = [a for a in wanted if a not in reused]
            if missing and self._reuse_must_exist:
                raise InvalidOptionError(
                    "reuse_existing_results_for_key",
                    f"a stored result with every metric the suite needs ({len(missing)} missing, e.g. "
                    f"{missing[0]!r})", self._reuse_key)
        todo = [a for a in wanted if a not in reused]
        ctx = run_analysis(self._data, todo, connection=self._connection, errors="record",
                           load_states=self._load, save_states=self._save) if todo else AnalyzerContext({})
        if reused:
            ctx = AnalyzerContext({a: reused.get(a) or ctx.metric_map[a] for a in wanted},
                                  num_queries=ctx.num_queries, queries=ctx.queries, states=ctx.states)
        checks = self._checks + (self._anomaly_checks() if self._anomaly else [])
        results = [evaluate_check(c, ctx) for c in checks]
        result = VerificationResult(results, ctx, data=self._data, connection=self._connection)
        if self._save_key is not None:
            self._need_repository("save_or_append_result").save(self._save_key, result, append=True)
        return result


def _result_key(key: Any) -> Any:
    from dq.repository import ResultKey

    if not isinstance(key, ResultKey):
        raise InvalidOptionError("key", "a ResultKey (e.g. ResultKey.now({'dataset': 'orders'}))", key)
    return key


class VerificationSuite:
    """Entry point: ``VerificationSuite().on_data(data).add_check(check).run()``."""

    def on_data(self, data: Any, *, connection: Any = None) -> VerificationRunBuilder:
        return VerificationRunBuilder(data, connection=connection)
