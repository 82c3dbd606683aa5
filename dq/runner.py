"""AnalysisRunner: plans analyzers into the fewest queries, runs them, and turns results into
states and metrics.

Plan for one run: 1 scan for every scan aggregation (deduplicated across analyzers), 1 grouped
query per distinct (grouping columns, where), 1 streaming pass shared by all KLL sketches (DuckDB;
Spark computes them in the scan), and 1 statement per CustomSql. Schema-only analyzers cost nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

from dq import aggregations as A
from dq.analyzers.base import Analyzer, MetricFailure, NeedsState, PlanContext
from dq.analyzers.grouping import GroupingAnalyzer
from dq.errors import DQError, InvalidOptionError
from dq.metrics import Metric
from dq.schema import Column, Kind, Schema
from dq.states.base import State
from dq.states.frequencies import Frequencies
from dq.statestore import StateStore

__all__ = ["AnalysisRunBuilder", "AnalysisRunner", "AnalyzerContext"]


def _short(e: BaseException) -> str:
    msg = str(e).strip()
    first = msg.splitlines()[0] if msg else type(e).__name__
    return first if len(first) < 500 else first[:497] + "..."


class AnalyzerContext:
    """The metrics of one run, keyed by analyzer."""

    def __init__(self, metrics: dict[Analyzer, Metric], *, num_queries: int = 0, queries: Sequence[str] = (),
                 states: dict[Analyzer, State] | None = None):
        self.metric_map = dict(metrics)
        self.num_queries = num_queries
        self.queries = list(queries)
        self.states = dict(states or {})

    def metric(self, analyzer: Analyzer) -> Metric:
        try:
            return self.metric_map[analyzer]
        except KeyError:
            raise KeyError(f"{analyzer!r} was not part of this run; it computed {len(self.metric_map)} metrics: "
                           f"{', '.join(repr(a) for a in list(self.metric_map)[:10])}") from None

    def all_metrics(self) -> list[Metric]:
        return list(self.metric_map.values())

    def __add__(self, other: AnalyzerContext) -> AnalyzerContext:
        return AnalyzerContext({**self.metric_map, **other.metric_map},
                               num_queries=self.num_queries + other.num_queries,
                               queries=self.queries + other.queries, states={**self.states, **other.states})

    def __len__(self) -> int:
        return len(self.metric_map)

    def _rows(self, for_analyzers: Iterable[Analyzer] | None) -> list[tuple[str, str, str, float]]:
        wanted = None if for_analyzers is None else set(for_analyzers)
        rows = []
        for a, m in self.metric_map.items():
            if wanted is not None and a not in wanted:
                continue
            where = a.where_text
            for e, i, n, v in m.flatten():
                rows.append((e, i, n if where is None else f"{n} (where: {where})", v))
        return rows

    def metrics_as_table(self, for_analyzers: Iterable[Analyzer] | None = None, *, pandas: bool = False):
        """Successful metrics, flattened (histograms expand to rows): entity, instance, name, value.
        A filtered metric's name says its filter: ``Completeness (where: year > 2000)``."""
        rows = self._rows(for_analyzers)
        table = pa.table({
            "entity": pa.array([r[0] for r in rows], pa.string()),
            "instance": pa.array([r[1] for r in rows], pa.string()),
            "name": pa.array([r[2] for r in rows], pa.string()),
            "value": pa.array([r[3] for r in rows], pa.float64()),
        })
        return table.to_pandas() if pandas else table

    def failures(self) -> list[Metric]:
        return [m for m in self.metric_map.values() if not m.is_success]

    def to_dicts(self, *, include_failures: bool = True) -> list[dict[str, Any]]:
        out = []
        for a, m in self.metric_map.items():
            if not m.is_success and not include_failures:
                continue
            d: dict[str, Any] = {"entity": str(m.entity), "instance": m.instance, "name": m.name,
                                 "analyzer": a.to_dict()}
            if m.is_success:
                d["value"] = m.value_for_json()
            else:
                d["error"] = m.error
            out.append(d)
        return out

    def to_json(self, *, include_failures: bool = True, indent: int | None = None) -> str:
        return json.dumps(self.to_dicts(include_failures=include_failures), indent=indent, default=str)

    def __str__(self) -> str:
        return render_metrics(self)

    def __repr__(self) -> str:
        return f"AnalyzerContext({len(self.metric_map)} metrics, {self.num_queries} queries)"


def render_metrics(ctx: AnalyzerContext) -> str:
    """A readable console table: entity, instance, name, value (or the error)."""
    rows = [("entity", "instance", "name", "value")]
    for a, m in ctx.metric_map.items():
        name = m.name if a.where_text is None else f"{m.name} (where: {a.where_text})"
        if not m.is_success:
            val = f"FAILED: {m.error}"
        elif isinstance(m.value, float):
            val = f"{m.value:.6g}"
        elif hasattr(m.value, "to_dict"):
            val = json.dumps(m.value.to_dict(), default=str)
            val = val if len(val) <= 80 else val[:77] + "..."
        else:
            val = str(m.value)
        rows.append((str(m.entity), m.instance, name, val))
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(3)]
    lines = []
    for k, r in enumerate(rows):
        cells = [r[i][: widths[i]].ljust(widths[i]) for i in range(3)] + [r[3]]
        lines.append("  ".join(cells))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(lines)


class AnalysisRunBuilder:
    def __init__(self, data: Any, *, connection: Any = None):
        self._data = data
        self._connection = connection
        self._analyzers: list[Analyzer] = []
        self._load: StateStore | None = None
        self._save: StateStore | None = None

    def add_analyzer(self, analyzer: Analyzer) -> AnalysisRunBuilder:
        if not isinstance(analyzer, Analyzer):
            raise InvalidOptionError("analyzer", "an Analyzer (e.g. Completeness('col'))", analyzer)
        self._analyzers.append(analyzer)
        return self

    def add_analyzers(self, analyzers: Iterable[Analyzer]) -> AnalysisRunBuilder:
        for a in analyzers:
            self.add_analyzer(a)
        return self

    def aggregate_with(self, store: StateStore) -> AnalysisRunBuilder:
        """Merge the states computed on this data with the states in ``store`` (metrics for old ∪ new)."""
        self._load = store
        return self

    def save_states_with(self, store: StateStore) -> AnalysisRunBuilder:
        """Save each (merged) state to ``store``."""
        self._save = store
        return self

    def run(self, *, errors: str = "raise") -> AnalyzerContext:
        """Compute every metric. ``errors="raise"`` (default): a user mistake (unknown column, wrong
        type, bad predicate) raises before any query runs. ``errors="record"``: it becomes that
        analyzer's failed metric and the others are still computed."""
        return run_analysis(self._data, self._analyzers, connection=self._connection, errors=errors,
                            load_states=self._load, save_states=self._save)

    def compute_states(self, *, errors: str = "raise") -> dict[Analyzer, State]:
        """The state of every analyzer on this data (no metrics); failed analyzers are left out."""
        ctx = run_analysis(self._data, self._analyzers, connection=self._connection, errors=errors,
                           load_states=self._load, save_states=self._save, need_states=True)
        return ctx.states


class AnalysisRunner:
    """Entry point: ``AnalysisRunner.on_data(data).add_analyzer(Size()).run()``."""

    @staticmethod
    def on_data(data: Any, *, connection: Any = None) -> AnalysisRunBuilder:
        return AnalysisRunBuilder(data, connection=connection)

    @staticmethod
    def run_on_aggregated_states(analyzers: Iterable[Analyzer], state_stores: Sequence[StateStore], *,
                                 save_states_with: StateStore | None = None) -> AnalyzerContext:
        """Metrics from the merge of the states in ``state_stores`` (e.g. one store per partition),
        without reading any data. An analyzer with no state in any store gets a failed metric."""
        metrics: dict[Analyzer, Metric] = {}
        states: dict[Analyzer, State] = {}
        for a in dict.fromkeys(analyzers):
            try:
                merged: State | None = None
                for store in state_stores:
                    s = store.load(a)
                    if s is not None:
                        merged = s if merged is None else merged.merge(s)
                if merged is None:
                    raise MetricFailure(f"no state for {a!r} in any of the {len(state_stores)} state stores")
                states[a] = merged
                if save_states_with is not None:
                    save_states_with.save(a, merged)
                metrics[a] = _metric_from_state(a, merged, _ctx_for_state(merged))
            except (MetricFailure, DQError) as e:
                metrics[a] = _failed(a, e)
        return AnalyzerContext(metrics, num_queries=0, states=states)


def _ctx_for_state(state: State) -> PlanContext:
    """Without data, the only columns an analyzer can name are those its state carries: the
    grouping columns and the summed columns ("__sum:<col>") of a frequency table."""
    if isinstance(state, Frequencies):
        names = list(state.columns) + [c[len("__sum:"):] for c in state.table.column_names
                                       if c.startswith("__sum:")]
        return PlanContext(Schema(tuple(Column(c, Kind.OTHER, "?") for c in names)))
    return PlanContext(Schema(()))


def _failed(a: Analyzer, e: BaseException) -> Metric:
    return Metric(a.entity, a.instance, a.name, None, _short(e), e)


def _metric_from_state(a: Analyzer, state: State, ctx: PlanContext) -> Metric:
    try:
        if isinstance(a, GroupingAnalyzer):
            from dq.backends.duckdb import evaluate_frequency_aggregations

            fa = a.frequency_aggregations(ctx)
            res = evaluate_frequency_aggregations(state, list(dict.fromkeys(fa.values())))
            value = a.value_from_frequencies({k: res[v] for k, v in fa.items()})
        else:
            value = a.value_from_state(state)
        return Metric(a.entity, a.instance, a.name, value)
    except MetricFailure as e:
        return _failed(a, e)
    except ArithmeticError as e:  # e.g. moments of values so small that m2**1.5 underflows to 0
        return _failed(a, MetricFailure(f"cannot compute {a.name} in double precision: {e}"))


def run_analysis(data: Any, analyzers: Sequence[Analyzer], *, connection: Any = None, errors: str = "raise",
                 load_states: StateStore | None = None, save_states: StateStore | None = None,
                 need_states: bool = False) -> AnalyzerContext:
    from dq.backends import backend_for

    if errors not in ("raise", "record"):
        raise InvalidOptionError("errors", "'raise' or 'record'", errors)
    analyzers = list(dict.fromkeys(analyzers))  # the same analyzer twice is computed once
    backend = backend_for(data, connection=connection)
    try:
        return _run_on(backend, analyzers, errors=errors, load_states=load_states, save_states=save_states,
                       need_states=need_states)
    finally:
        backend.close()  # temporary objects made on a caller's connection do not outlive the run


def _run_on(backend: Any, analyzers: list[Analyzer], *, errors: str, load_states: StateStore | None,
            save_states: StateStore | None, need_states: bool) -> AnalyzerContext:
    ctx = PlanContext(backend.schema)
    want_states = need_states or load_states is not None or save_states is not None

    metrics: dict[Analyzer, Metric] = {}
    valid: list[Analyzer] = []
    for a in analyzers:
        try:
            a.check_schema(ctx)
            valid.append(a)
        except DQError as e:
            if errors == "raise":
                raise
            metrics[a] = _failed(a, e)

    valid = _bind_check(backend, ctx, valid, metrics, errors)

    states: dict[Analyzer, State] = {}
    values: dict[Analyzer, Any] = {}

    # schema-only analyzers: no query
    for a in (a for a in valid if a.KIND == "schema"):
        values[a] = a.value_from_schema(ctx)

    # scan + stream analyzers
    scan = [a for a in valid if a.KIND == "scan"]
    direct = {} if want_states else {a: m for a in scan if (m := a.metric_aggregations(ctx)) is not None}
    plans = {a: direct.get(a) or a.aggregations(ctx) for a in scan}
    # a backend whose engine has the sketch as an aggregate (Spark) computes stream aggregations
    # in the one scan; the others (DuckDB) stream their values once through Arrow
    in_scan = backend.STREAM_IN_SCAN
    scan_aggs = list(dict.fromkeys(g for p in plans.values() for g in p.values() if in_scan or not g.STREAM))
    stream_aggs = [] if in_scan else list(dict.fromkeys(g for p in plans.values() for g in p.values() if g.STREAM))
    results: dict[Any, Any] = {}
    failed: dict[Analyzer, BaseException] = {}
    if scan_aggs:
        try:
            results.update(backend.run_scan(scan_aggs))
        except Exception as e:  # an engine error inside the shared scan: isolate the culprits
            if isinstance(e, DQError) and errors == "raise":
                raise
            _isolate(backend, scan, plans, results, failed, e)
    if stream_aggs:
        try:
            results.update(backend.run_stream(stream_aggs))
        except Exception as e:
            for a in scan:
                if any(g.STREAM for g in plans[a].values()):
                    failed.setdefault(a, e)
    redo: list[Analyzer] = []
    for a in scan:
        if a in failed:
            metrics[a] = _failed(a, failed[a])
            continue
        try:
            got = {k: results[g] for k, g in plans[a].items()}
            if a in direct:
                values[a] = a.value_from_metric_results(got)
            else:
                states[a] = a.state_from(got)
        except NeedsState:
            redo.append(a)
        except MetricFailure as e:
            metrics[a] = _failed(a, e)
    if redo:  # rare (e.g. a NaN correlation): one more scan for the full states of these only
        full = {a: a.aggregations(ctx) for a in redo}
        try:
            more = backend.run_scan(list(dict.fromkeys(g for p in full.values() for g in p.values())))
            for a in redo:
                try:
                    states[a] = a.state_from({k: more[g] for k, g in full[a].items()})
                except MetricFailure as e:
                    metrics[a] = _failed(a, e)
        except Exception as e:
            for a in redo:
                metrics[a] = _failed(a, e)

    # grouping analyzers: one query per (columns, where)
    groups: dict[A.GroupKey, list[GroupingAnalyzer]] = {}
    for a in (a for a in valid if a.KIND == "grouping"):
        groups.setdefault(a.group_key(ctx), []).append(a)
    fplans = {a: a.frequency_aggregations(ctx) for ms in groups.values() for a in ms}

    def needs(members: list[GroupingAnalyzer]) -> tuple[tuple[str, ...], list[A.FreqAgg]]:
        sums = tuple(dict.fromkeys(g.value_sum for a in members for g in fplans[a].values()
                                   if isinstance(g, A.TopBins) and g.value_sum))
        return sums, list(dict.fromkeys(g for a in members for g in fplans[a].values()))

    def finish(members: list[GroupingAnalyzer], fres: dict[A.FreqAgg, Any]) -> None:
        for a in members:
            try:
                values[a] = a.value_from_frequencies({k: fres[g] for k, g in fplans[a].items()})
            except MetricFailure as e:
                metrics[a] = _failed(a, e)

    rides = {} if want_states else _rollups(groups, lambda ms: needs(ms)[1])
    for key, members in groups.items():
        if any(key in subs for subs in rides.values()):
            continue  # computed with the grouping set it rolls up from
        sums, aggs = needs(members)
        try:
            if want_states:
                _, freq = backend.run_grouped(key, sums, None)
                for a in members:
                    states[a] = a.project(freq)
            elif key in rides:
                subs = rides[key]
                all_sums = tuple(dict.fromkeys(sums + tuple(s for k in subs for s in needs(groups[k])[0])))
                results = backend.run_grouped_rollup(key, all_sums, aggs,
                                                     [(k, needs(groups[k])[0], needs(groups[k])[1]) for k in subs])
                finish(members, results[0])
                for k, fres in zip(subs, results[1:]):
                    finish(groups[k], fres)
            else:
                fres, _ = backend.run_grouped(key, sums, aggs)
                finish(members, fres)
        except Exception as e:
            for k in [key, *rides.get(key, [])]:
                for a in groups[k]:
                    metrics[a] = _failed(a, e)

    # custom statements
    for a in (a for a in valid if a.KIND == "custom"):
        try:
            rows = backend.run_custom(a.render(backend.source_name()))
            if len(rows) != 1 or len(rows[0]) != 1:
                raise MetricFailure(f"Custom SQL did not return exactly 1 row and 1 column "
                                    f"(got {len(rows)} rows of {len(rows[0]) if rows else 0} columns)")
            v = rows[0][0]
            try:
                v = None if v is None else float(v)
            except (TypeError, ValueError):
                raise MetricFailure(f"Custom SQL returned a non-numeric value {v!r}") from None
            states[a] = a.state_from({"value": v})
        except MetricFailure as e:
            metrics[a] = _failed(a, e)
        except Exception as e:
            metrics[a] = _failed(a, e)

    # merge with stored states, persist, finalize
    for a in list(states):
        state = states[a]
        try:
            if load_states is not None:
                old = load_states.load(a)
                if old is not None:
                    state = old.merge(state)
                    states[a] = state
            if save_states is not None:
                save_states.save(a, state)
        except DQError as e:
            metrics[a] = _failed(a, e)
            del states[a]
            continue
        metrics[a] = _metric_from_state(a, state, ctx)
    for a, v in values.items():
        metrics[a] = Metric(a.entity, a.instance, a.name, v)

    ordered = {a: metrics[a] for a in analyzers if a in metrics}
    return AnalyzerContext(ordered, num_queries=backend.num_queries, queries=backend.queries,
                           states=states if want_states else None)


def _rollups(groups: dict[A.GroupKey, list], aggs_of) -> dict[A.GroupKey, list[A.GroupKey]]:
    """Which grouping sets to compute from another one's table: K rides with S when K's columns
    are a proper subset of S's, the filter is the same, and S's table is materialised anyway (it
    has aggregations beyond counts: mutual information, histograms). Rolling a materialised table
    up costs at most one pass over its groups, never more than a scan of the data."""
    from dq.backends.duckdb import _COUNT_ONLY

    materialised = [k for k, ms in groups.items() if not all(isinstance(g, _COUNT_ONLY) for g in aggs_of(ms))]
    rides: dict[A.GroupKey, list[A.GroupKey]] = {}
    taken: set[A.GroupKey] = set()
    for sup in sorted(materialised, key=lambda k: -len(k.columns)):
        if sup in taken:
            continue
        for k in groups:
            if k is not sup and k not in taken and k not in rides and k.where == sup.where \
                    and set(k.columns) < set(sup.columns):
                rides.setdefault(sup, []).append(k)
                taken.add(k)
    return rides


def _bind_check(backend: Any, ctx: PlanContext, analyzers: list[Analyzer], metrics: dict[Analyzer, Metric],
                errors: str) -> list[Analyzer]:
    """Have the engine bind every predicate and regular expression before any scan, so a type
    error in one predicate is reported on its analyzer instead of failing the shared scan."""
    from dq.errors import PredicateError

    own = {a: (a.predicates(ctx), a.patterns()) for a in analyzers}
    if not backend.bind_problems([p for ps, _ in own.values() for p in ps],
                                 [r for _, rs in own.values() for r in rs]):
        return analyzers
    ok = []
    for a, (preds, pats) in own.items():
        problems = backend.bind_problems(preds, pats) if (preds or pats) else []
        if not problems:
            ok.append(a)
            continue
        shown = preds[0].text if preds else pats[0]
        err = PredicateError(shown, f"the engine cannot evaluate it for {a!r}: {problems[0]}")
        if errors == "raise":
            raise err
        metrics[a] = _failed(a, err)
    return ok


def _isolate(backend: Any, scan: list[Analyzer], plans: dict[Analyzer, dict[str, Any]], results: dict,
             failed: dict, error: BaseException) -> None:
    """The shared scan failed at run time (e.g. a cast inside one predicate). Re-run each
    analyzer's aggregations on their own so only the culprits fail (Deequ fails them all).
    Failures are recorded per analyzer: an aggregation a culprit shares with others (count(*))
    is not blamed for the culprit's error."""
    in_scan = backend.STREAM_IN_SCAN
    for a in scan:
        own = [g for g in dict.fromkeys(plans[a].values()) if (in_scan or not g.STREAM) and g not in results]
        if not own:
            continue
        try:
            results.update(backend.run_scan(own))
        except Exception as e:
            failed[a] = e
