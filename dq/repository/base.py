"""The MetricsRepository interface, its query builder, and result tables.

Semantics shared by every implementation (one test suite runs on all of them):

- ``save(key, result)`` stores an AnalyzerContext or a VerificationResult under ``key``; saving
  the same key again **replaces** the earlier result (Deequ semantics). Failed metrics are stored
  with their error (Deequ drops them), and a VerificationResult also stores its status as the
  result's ``run_status``, so a baseline can leave out runs that failed.
- ``load().with_tag_values(...).for_analyzers(...).after(t).before(t).get()``: ``after`` and
  ``before`` are **inclusive** (``after <= timestamp <= before``), as in Deequ's in-memory and
  file-system repositories (Deequ's SparkTable repository uses exclusive bounds; dq does not).
  The query is immutable and the filters commute: each call returns a new query, calling a filter
  twice keeps both (tags: every pair must match; analyzers: the intersection; after/before: the
  narrower bound). ``with_tag_values`` is a subset match on the key's tags. ``for_analyzers``
  keeps only those metrics of each result, and keeps results that have none of them with an empty
  context, as Deequ does. Results come sorted by (timestamp, tags).
"""

from __future__ import annotations

import abc
import datetime as _dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from dq.analyzers.base import Analyzer
from dq.errors import InvalidOptionError
from dq.repository.key import ResultKey, Tags, to_utc
from dq.repository.result import AnalysisResult, run_status_of
from dq.runner import AnalyzerContext

__all__ = ["MetricsRepository", "ResultQuery"]

#: fixed columns of ``as_table``; a tag with one of these names gets the column "<tag>_2" (Deequ's rule)
TABLE_COLUMNS = ("timestamp", "entity", "instance", "name", "value", "error", "run_status", "analyzer")


def _sort_key(r: AnalysisResult) -> tuple[_dt.datetime, str]:
    return r.key.timestamp, r.key.tags.canonical()


def analyzer_identity(a: Analyzer) -> str:
    """Canonical JSON of an analyzer's full identity (equal analyzers give equal text)."""
    return json.dumps(a.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class MetricsRepository(abc.ABC):
    """Where metrics of recurring runs are kept, keyed by ``ResultKey``.

    ``max_age`` / ``max_count`` (optional) apply ``retain`` after every save."""

    def __init__(self, *, max_age: _dt.timedelta | None = None, max_count: int | None = None):
        _check_retention(max_age, max_count)
        self._max_age = max_age
        self._max_count = max_count

    # -- what an implementation provides -----------------------------------------------------
    @abc.abstractmethod
    def _write(self, key: ResultKey, ctx: AnalyzerContext, run_status: str | None) -> None:
        """Store atomically, replacing any result under ``key``."""

    @abc.abstractmethod
    def _read(self, key: ResultKey) -> AnalysisResult | None:
        """The result under ``key``; raises RepositoryCorruptError when it cannot be read."""

    @abc.abstractmethod
    def _scan(self, after: _dt.datetime | None, before: _dt.datetime | None,
              analyzers: Sequence[Analyzer] | None, *, on_corrupt: str | None = None) -> Iterable[AnalysisResult]:
        """Results with ``after <= timestamp <= before``; an implementation may also drop metrics
        of other analyzers (the caller filters again). ``on_corrupt`` ("raise" or "warn")
        overrides the repository's policy for results that cannot be read."""

    @abc.abstractmethod
    def _remove(self, keys: Sequence[ResultKey]) -> None:
        """Delete these results (missing ones are ignored)."""

    # -- public API --------------------------------------------------------------------------
    def save(self, key: ResultKey, result: Any, *, append: bool = False) -> None:
        """Store an AnalyzerContext or a VerificationResult (its metrics and its status) under
        ``key``, replacing what was saved under the same key before.

        ``append=True`` is Deequ's ``saveOrAppendResult``: the metrics already saved under
        ``key`` are kept, except those of analyzers in ``result`` (the new values win), and the
        run status is the worse of the two (a re-run does not hide that a run of this delivery
        failed). The read and the write are not one transaction: two processes appending to
        the *same* key at the same time can lose one side's metrics."""
        if not isinstance(key, ResultKey):
            raise InvalidOptionError("key", "a ResultKey (e.g. ResultKey.now({'dataset': 'orders'}))", key)
        ctx, status = run_status_of(result)
        if append:
            old = self._read(key)
            if old is not None:
                ctx = AnalyzerContext({**old.context.metric_map, **ctx.metric_map})
                status = _worse(old.run_status, status)
        self._write(key, ctx, status)
        if self._max_age is not None or self._max_count is not None:
            self.retain(max_age=self._max_age, max_count=self._max_count)

    def load_by_key(self, key: ResultKey) -> AnalyzerContext | None:
        """The metrics saved under exactly this key (timestamp and tags), or None."""
        r = self.load_result(key)
        return None if r is None else r.context

    def load_result(self, key: ResultKey) -> AnalysisResult | None:
        """Like ``load_by_key`` but with the key and the run status."""
        if not isinstance(key, ResultKey):
            raise InvalidOptionError("key", "a ResultKey", key)
        return self._read(key)

    def load(self) -> ResultQuery:
        """A query over every saved result; narrow it with with_tag_values / for_analyzers /
        after / before, then ``get()``, ``as_table()`` or ``to_json()``."""
        return ResultQuery(self)

    def delete(self, key: ResultKey) -> None:
        self._remove([key])

    def retain(self, *, max_age: _dt.timedelta | None = None, max_count: int | None = None,
               now: _dt.datetime | int | None = None, with_tag_values: Mapping[str, str] | None = None) -> int:
        """Delete the oldest results: those older than ``now - max_age`` (``now`` defaults to the
        current time) and all but the newest ``max_count``. With ``with_tag_values`` only results
        matching those tags are considered (e.g. keep 90 per dataset). Results that cannot be read
        are never deleted (a RepositoryCorruptWarning names each). Returns the number of results deleted."""
        _check_retention(max_age, max_count)
        tags = Tags(with_tag_values)
        keys = sorted((r.key for r in self._scan(None, None, (), on_corrupt="warn") if r.key.tags.matches(tags)),
                      key=lambda k: (k.timestamp, k.tags.canonical()))
        doomed: list[ResultKey] = []
        if max_age is not None:
            limit = to_utc(_dt.datetime.now(_dt.timezone.utc) if now is None else now, "now") - max_age
            doomed = [k for k in keys if k.timestamp < limit]
        if max_count is not None and len(keys) > max_count:
            doomed = list(dict.fromkeys(doomed + keys[: len(keys) - max_count]))
        if doomed:
            self._remove(doomed)
        return len(doomed)


_RANK = {"Success": 0, "Warning": 1, "Error": 2}


def _worse(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return b if a is None else a
    return max(a, b, key=lambda s: _RANK.get(s, 3))


def _check_retention(max_age: Any, max_count: Any) -> None:
    if max_age is not None and (not isinstance(max_age, _dt.timedelta) or max_age < _dt.timedelta(0)):
        raise InvalidOptionError("max_age", "a non-negative datetime.timedelta or None", max_age)
    if max_count is not None and (isinstance(max_count, bool) or not isinstance(max_count, int) or max_count < 0):
        raise InvalidOptionError("max_count", "a non-negative int or None", max_count)


class ResultQuery:
    """An immutable query over a repository (Deequ's MetricsRepositoryMultipleResultsLoader)."""

    def __init__(self, repo: MetricsRepository, *, tags: tuple[Tags, ...] = (),
                 analyzers: tuple[Analyzer, ...] | None = None, after: _dt.datetime | None = None,
                 before: _dt.datetime | None = None):
        self._repo = repo
        self._tags = tags  # every one must match
        self._analyzers = analyzers
        self._after = after
        self._before = before

    def _with(self, **changes: Any) -> ResultQuery:
        args = {"tags": self._tags, "analyzers": self._analyzers, "after": self._after, "before": self._before}
        args.update(changes)
        return ResultQuery(self._repo, **args)

    def with_tag_values(self, tags: Mapping[str, str]) -> ResultQuery:
        """Only results whose key has every one of these (name, value) pairs."""
        return self._with(tags=(*self._tags, Tags(tags)))

    def for_analyzers(self, analyzers: Iterable[Analyzer]) -> ResultQuery:
        """Only the metrics of these analyzers (equal in full identity: where and options count)."""
        wanted = tuple(dict.fromkeys(analyzers))
        for a in wanted:
            if not isinstance(a, Analyzer):
                raise InvalidOptionError("analyzers", "Analyzer objects (e.g. Completeness('id'))", a)
        if self._analyzers is not None:
            wanted = tuple(a for a in wanted if a in set(self._analyzers))
        return self._with(analyzers=wanted)

    def after(self, t: _dt.datetime | _dt.date | int) -> ResultQuery:
        """Only results with timestamp >= t (inclusive). An int is milliseconds since the epoch."""
        t = to_utc(t, "after")
        return self._with(after=t if self._after is None else max(self._after, t))

    def before(self, t: _dt.datetime | _dt.date | int) -> ResultQuery:
        """Only results with timestamp <= t (inclusive). An int is milliseconds since the epoch."""
        t = to_utc(t, "before")
        return self._with(before=t if self._before is None else min(self._before, t))

    def get(self) -> list[AnalysisResult]:
        tags = self._tags
        wanted = None if self._analyzers is None else set(self._analyzers)
        out = []
        for r in self._repo._scan(self._after, self._before, self._analyzers):
            ts = r.key.timestamp
            if (self._after is not None and ts < self._after) or (self._before is not None and ts > self._before):
                continue
            if not all(r.key.tags.matches(t) for t in tags):
                continue
            if wanted is not None:
                r = AnalysisResult(r.key, AnalyzerContext({a: m for a, m in r.context.metric_map.items()
                                                           if a in wanted}), r.run_status)
            out.append(r)
        out.sort(key=_sort_key)
        return out

    def as_table(self, *, pandas: bool = False, include_failures: bool = False):
        """One row per metric (histograms and other structured values flatten to several rows,
        named as in ``AnalyzerContext.metrics_as_table``): timestamp (UTC), entity, instance,
        name, value, error, run_status, analyzer (the identity as JSON), then one column per tag
        (null where a result lacks that tag; a tag named like a fixed column gets "<tag>_2").
        Failed metrics are left out unless ``include_failures`` (then value is null and error says
        why)."""
        return results_table(self.get(), pandas=pandas, include_failures=include_failures)

    def to_json(self, *, include_failures: bool = False, indent: int | None = None) -> str:
        """The rows of ``as_table`` as a JSON list of objects, with the tags as one object
        ("tags") and ``dataset_date`` (Deequ's milliseconds since the epoch). Non-finite values
        are the strings "NaN", "Infinity", "-Infinity"."""
        return json.dumps(result_dicts(self.get(), include_failures=include_failures), indent=indent,
                          ensure_ascii=False, allow_nan=False)


def _rows(results: Sequence[AnalysisResult], include_failures: bool) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        for a, m in r.context.metric_map.items():
            where = a.where_text
            ident = analyzer_identity(a)
            base = {"timestamp": r.key.timestamp, "tags": r.key.tags, "run_status": r.run_status, "analyzer": ident}
            if not m.is_success:
                if include_failures:
                    name = m.name if where is None else f"{m.name} (where: {where})"
                    rows.append({**base, "entity": str(m.entity), "instance": m.instance, "name": name,
                                 "value": None, "error": m.error})
                continue
            for e, i, n, v in m.flatten():
                rows.append({**base, "entity": e, "instance": i, "name": n if where is None else f"{n} (where: {where})",
                             "value": v, "error": None})
    return rows


def _tag_columns(rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    """tag name -> column name."""
    names = sorted({k for row in rows for k in row["tags"]})
    taken = set(TABLE_COLUMNS)
    out = {}
    for t in names:
        col, n = t, 2
        while col in taken:
            col, n = f"{t}_{n}", n + 1
        taken.add(col)
        out[t] = col
    return out


def results_table(results: Sequence[AnalysisResult], *, pandas: bool = False, include_failures: bool = False):
    rows = _rows(results, include_failures)
    cols: dict[str, pa.Array] = {
        "timestamp": pa.array([r["timestamp"] for r in rows], pa.timestamp("us", tz="UTC")),
        **{c: pa.array([r[c] for r in rows], pa.string()) for c in ("entity", "instance", "name")},
        "value": pa.array([r["value"] for r in rows], pa.float64()),
        **{c: pa.array([r[c] for r in rows], pa.string()) for c in ("error", "run_status", "analyzer")},
    }
    for tag, col in _tag_columns(rows).items():
        cols[col] = pa.array([r["tags"].get(tag) for r in rows], pa.string())
    table = pa.table(cols)
    return table.to_pandas() if pandas else table


def _json_num(v: float | None) -> Any:
    if v is None or math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def result_dicts(results: Sequence[AnalysisResult], *, include_failures: bool = False) -> list[dict[str, Any]]:
    out = []
    for r in _rows(results, include_failures):
        key = ResultKey(r["timestamp"], r["tags"])
        d = {"timestamp": key.timestamp.isoformat(timespec="microseconds"), "dataset_date": key.epoch_ms,
             "tags": dict(r["tags"]), "run_status": r["run_status"], "entity": r["entity"],
             "instance": r["instance"], "name": r["name"], "value": _json_num(r["value"]),
             "analyzer": json.loads(r["analyzer"])}
        if r["error"] is not None:
            d["error"] = r["error"]
        out.append(d)
    return out
