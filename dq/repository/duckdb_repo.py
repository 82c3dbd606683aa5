"""DuckDBMetricsRepository: the history in one DuckDB database file (the persistent default).

Tables (format version 1; the version is in ``dq_repository``)::

    dq_repository (format VARCHAR, version INTEGER)            -- one row: 'dq.metrics_result', 1
    dq_results    ("timestamp" TIMESTAMPTZ, tags_key VARCHAR, tags JSON, run_status VARCHAR,
                   dq_version VARCHAR, saved_at TIMESTAMPTZ)   -- one row per result; key (timestamp, tags_key)
    dq_metrics    ("timestamp" TIMESTAMPTZ, tags_key VARCHAR, position INTEGER, analyzer JSON,
                   analyzer_key VARCHAR, entity VARCHAR, instance VARCHAR, name VARCHAR,
                   value_type VARCHAR, value JSON, error VARCHAR)  -- one row per metric

``tags_key`` is the tags as sorted compact JSON; ``analyzer`` is the analyzer's full identity
(``Analyzer.to_dict()``) and ``analyzer_key`` the same as sorted compact JSON; ``value`` and
``value_type`` are as in the JSON document (``dq.repository.result``), so a double metric is
``value::DOUBLE`` in SQL.

Safety:
- a save is one transaction (delete the key's rows, insert the new ones, commit): a writer killed
  mid-save leaves the database as it was before that save;
- DuckDB lets one process at a time open a database file for writing. Every operation opens the
  file, does its work and closes it again; when another process holds the file, the operation
  retries with exponential backoff (5 ms doubling to 250 ms, with jitter) for up to
  ``lock_timeout`` seconds and then raises ``RepositoryLockedError`` naming the file and the
  other process. So concurrent savers wait for each other and nothing is lost. The lock is not
  fair: a process saving in a tight loop can keep another one waiting, up to ``lock_timeout``;
- a file that is not a DuckDB database, or a row that does not decode, is reported with the
  path (``RepositoryCorruptError``) and never written to.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import random
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from dq.analyzers.base import Analyzer
from dq.errors import InvalidOptionError
from dq.repository.base import MetricsRepository
from dq.repository.errors import (
    RepositoryCorruptError,
    RepositoryCorruptWarning,
    RepositoryError,
    RepositoryLockedError,
)
from dq.repository.filesystem import _check_on_corrupt
from dq.repository.key import ResultKey, Tags
from dq.repository.result import FORMAT, VERSION, AnalysisResult, _Bad, decode_metric, encode_result
from dq.runner import AnalyzerContext

__all__ = ["DuckDBMetricsRepository"]

T = TypeVar("T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS dq_repository (format VARCHAR NOT NULL, version INTEGER NOT NULL)",
    'CREATE TABLE IF NOT EXISTS dq_results ("timestamp" TIMESTAMPTZ NOT NULL, tags_key VARCHAR NOT NULL, '
    "tags JSON NOT NULL, run_status VARCHAR, dq_version VARCHAR, saved_at TIMESTAMPTZ NOT NULL, "
    'PRIMARY KEY ("timestamp", tags_key))',
    'CREATE TABLE IF NOT EXISTS dq_metrics ("timestamp" TIMESTAMPTZ NOT NULL, tags_key VARCHAR NOT NULL, '
    "position INTEGER NOT NULL, analyzer JSON NOT NULL, analyzer_key VARCHAR NOT NULL, entity VARCHAR NOT NULL, "
    "instance VARCHAR NOT NULL, name VARCHAR NOT NULL, value_type VARCHAR, value JSON, error VARCHAR)",
)

_KEY = '"timestamp" = ? AND tags_key = ?'


def _is_lock_error(e: BaseException) -> bool:
    return isinstance(e, duckdb.IOException) and "lock" in str(e).lower()


class DuckDBMetricsRepository(MetricsRepository):
    """Results in the DuckDB database file ``path`` (created with its tables if missing; an
    existing database keeps its other tables untouched)."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = 30.0, on_corrupt: str = "raise",
                 max_age: _dt.timedelta | None = None, max_count: int | None = None):
        super().__init__(max_age=max_age, max_count=max_count)
        if isinstance(lock_timeout, bool) or not isinstance(lock_timeout, (int, float)) or lock_timeout < 0:
            raise InvalidOptionError("lock_timeout", "a non-negative number of seconds", lock_timeout)
        self.path = Path(path)
        if str(path) == ":memory:" or not str(path):
            raise InvalidOptionError("path", "the path of a database file (use InMemoryMetricsRepository "
                                     "for a history that lives in this process)", str(path))
        self.lock_timeout = float(lock_timeout)
        self.on_corrupt = _check_on_corrupt(on_corrupt)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._run(self._init_schema)

    # -- connections -------------------------------------------------------------------------
    def _run(self, op: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Open the file, run ``op`` (in one transaction when it writes), close. Retries while
        another process holds the file or another thread's transaction conflicts."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.005
        while True:
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.IOException as e:
                if "not a valid DuckDB database" in str(e):
                    raise RepositoryCorruptError(str(self.path), f"cannot open the database ({e}); the file was "
                                                                 f"left as it is") from None
                if not _is_lock_error(e):
                    raise RepositoryError(f"{self.path}: cannot open the database: {e}") from None
                last: BaseException = e
            else:
                try:
                    return op(con)
                except duckdb.TransactionException as e:  # a conflicting write by another thread
                    last = e
                finally:
                    con.close()
            if time.monotonic() >= deadline:
                raise RepositoryLockedError(f"{self.path}: could not get the database for {self.lock_timeout:g} s "
                                            f"because another process or thread is using it ({last}). Retry later, "
                                            f"or give a longer lock_timeout.") from None
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.25)

    def _init_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()}
        if "dq_repository" in tables:
            self._check_version(con)
            return
        if tables & {"dq_results", "dq_metrics"}:
            raise RepositoryCorruptError(str(self.path), "has dq_results/dq_metrics tables but no dq_repository "
                                                         "table with their format version; the file was left as it is")
        con.execute("BEGIN TRANSACTION")
        try:
            for stmt in _SCHEMA:
                con.execute(stmt)
            if con.execute("SELECT count(*) FROM dq_repository").fetchone()[0] == 0:
                con.execute("INSERT INTO dq_repository VALUES (?, ?)", [FORMAT, VERSION])
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise

    def _check_version(self, con: duckdb.DuckDBPyConnection) -> None:
        rows = con.execute("SELECT format, version FROM dq_repository").fetchall()
        if len(rows) != 1 or rows[0][0] != FORMAT or not isinstance(rows[0][1], int):
            raise RepositoryCorruptError(str(self.path), f"dq_repository should hold one row ({FORMAT!r}, version), "
                                                         f"found {rows!r}; the file was left as it is")
        if rows[0][1] > VERSION:
            raise RepositoryCorruptError(str(self.path), f"written in format version {rows[0][1]} by a newer dq; "
                                                         f"this dq reads versions up to {VERSION}: upgrade dq")

    # -- operations --------------------------------------------------------------------------
    def _write(self, key: ResultKey, ctx: AnalyzerContext, run_status: str | None) -> None:
        doc = encode_result(key, ctx, run_status)  # validates every analyzer and value first
        ts, tk = key.timestamp, key.tags.canonical()
        rows = []
        for pos, m in enumerate(doc["metrics"]):
            value = None if "value" not in m or m["value"] is None else json.dumps(m["value"], allow_nan=False)
            rows.append([ts, tk, pos, json.dumps(m["analyzer"], ensure_ascii=False),
                         json.dumps(m["analyzer"], sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                         m["entity"], m["instance"], m["name"], m.get("value_type"), value, m.get("error")])

        def op(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(f"DELETE FROM dq_metrics WHERE {_KEY}", [ts, tk])
                con.execute(f"DELETE FROM dq_results WHERE {_KEY}", [ts, tk])
                con.execute("INSERT INTO dq_results VALUES (?, ?, ?, ?, ?, now())",
                            [ts, tk, tk, run_status, doc["dq_version"]])
                if rows:  # one statement for all rows (executemany runs one statement per row)
                    con.execute("INSERT INTO dq_metrics SELECT ?, ?, unnest(?), unnest(?), unnest(?), unnest(?), "
                                "unnest(?), unnest(?), unnest(?), unnest(?), unnest(?)",
                                [ts, tk, *([r[i] for r in rows] for i in range(2, 11))])
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise

        self._run(op)

    def _read(self, key: ResultKey) -> AnalysisResult | None:
        found = self._select(["r.\"timestamp\" = ?", "r.tags_key = ?"], [key.timestamp, key.tags.canonical()],
                             None, on_corrupt="raise")
        return found[0] if found else None

    def _scan(self, after: _dt.datetime | None, before: _dt.datetime | None,
              analyzers: Sequence[Analyzer] | None, *, on_corrupt: str | None = None) -> Iterable[AnalysisResult]:
        where, params = [], []
        if after is not None:
            where.append('r."timestamp" >= ?')
            params.append(after)
        if before is not None:
            where.append('r."timestamp" <= ?')
            params.append(before)
        return self._select(where, params, analyzers, on_corrupt=on_corrupt or self.on_corrupt)

    def _select(self, where: list[str], params: list[Any], analyzers: Sequence[Analyzer] | None, *,
                on_corrupt: str) -> list[AnalysisResult]:
        # only fixed SQL fragments are joined here; every value is a parameter
        cond = (" WHERE " + " AND ".join(where)) if where else ""
        if analyzers is not None and not analyzers:
            sql = (f'SELECT epoch_us(r."timestamp"), r.tags_key, r.run_status FROM dq_results r{cond} '
                   f'ORDER BY r."timestamp", r.tags_key')
            return [self._decode(row[:3], []) for row in self._run(lambda c: c.execute(sql, params).fetchall())]
        on, on_params = "", []
        if analyzers is not None:
            # narrowed by analyzer class only; the caller compares full identities in Python
            # (dataclass equality: 1 == 1.0 in an option, where the JSON texts would differ)
            on = " AND list_contains(?, m.analyzer->>'analyzer')"
            on_params = [sorted({type(a).__name__ for a in analyzers})]
        sql = ('SELECT epoch_us(r."timestamp"), r.tags_key, r.run_status, m.analyzer, m.entity, m.instance, '
               "m.name, m.value_type, m.value, m.error FROM dq_results r LEFT JOIN dq_metrics m "
               f'ON m."timestamp" = r."timestamp" AND m.tags_key = r.tags_key{on}{cond} '
               'ORDER BY r."timestamp", r.tags_key, m.position')
        rows = self._run(lambda c: c.execute(sql, on_params + params).fetchall())
        out: list[AnalysisResult] = []
        i = 0
        while i < len(rows):
            j = i
            while j < len(rows) and rows[j][:2] == rows[i][:2]:
                j += 1
            group = rows[i:j]
            try:
                out.append(self._decode(group[0][:3], [r[3:] for r in group if r[3] is not None]))
            except RepositoryCorruptError as e:
                if on_corrupt == "raise":
                    raise
                warnings.warn(str(e), RepositoryCorruptWarning, stacklevel=4)
            i = j
        return out

    def _decode(self, head: Sequence[Any], metrics: list[Sequence[Any]]) -> AnalysisResult:
        us, tags_key, run_status = head
        where = f"{self.path} (result at {us} µs since the epoch, tags {tags_key})"
        try:
            key = ResultKey(_dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(microseconds=us),
                            Tags(json.loads(tags_key)))
            entries = []
            for analyzer, entity, instance, name, value_type, value, error in metrics:
                d = {"analyzer": json.loads(analyzer), "entity": entity, "instance": instance, "name": name}
                if error is not None:
                    d["error"] = error
                else:
                    d["value_type"] = value_type
                    d["value"] = None if value is None else json.loads(value)
                entries.append(decode_metric(d))
        except (_Bad, ValueError, TypeError) as e:
            raise RepositoryCorruptError(where, f"{e}; the database was left as it is") from None
        return AnalysisResult(key, AnalyzerContext(dict(entries)), run_status)

    def _remove(self, keys: Sequence[ResultKey]) -> None:
        if not keys:
            return

        def op(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("BEGIN TRANSACTION")
            try:
                for k in keys:
                    con.execute(f"DELETE FROM dq_metrics WHERE {_KEY}", [k.timestamp, k.tags.canonical()])
                    con.execute(f"DELETE FROM dq_results WHERE {_KEY}", [k.timestamp, k.tags.canonical()])
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise

        self._run(op)

    def __repr__(self) -> str:
        return f"DuckDBMetricsRepository({str(self.path)!r})"


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass
