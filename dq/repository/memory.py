"""InMemoryMetricsRepository: results kept in this process (tests, notebooks, one-off runs)."""

from __future__ import annotations

import datetime as _dt
import json
import threading
from collections.abc import Iterable, Sequence

from dq.analyzers.base import Analyzer
from dq.repository.base import MetricsRepository
from dq.repository.key import ResultKey
from dq.repository.result import AnalysisResult, decode_result, dumps, encode_result
from dq.runner import AnalyzerContext

__all__ = ["InMemoryMetricsRepository"]


class InMemoryMetricsRepository(MetricsRepository):
    """Results in a dict, stored as the same JSON documents the file repository writes, so a
    saved context is a copy (changing it later does not change the history) and every
    implementation has the same round-trip behaviour. Thread-safe."""

    def __init__(self, *, max_age: _dt.timedelta | None = None, max_count: int | None = None):
        super().__init__(max_age=max_age, max_count=max_count)
        self._docs: dict[ResultKey, str] = {}
        self._lock = threading.Lock()

    def _write(self, key: ResultKey, ctx: AnalyzerContext, run_status: str | None) -> None:
        text = dumps(encode_result(key, ctx, run_status))
        with self._lock:
            self._docs[key] = text

    def _read(self, key: ResultKey) -> AnalysisResult | None:
        with self._lock:
            text = self._docs.get(key)
        return None if text is None else decode_result(json.loads(text))

    def _scan(self, after: _dt.datetime | None, before: _dt.datetime | None,
              analyzers: Sequence[Analyzer] | None, *, on_corrupt: str | None = None) -> Iterable[AnalysisResult]:
        with self._lock:
            items = list(self._docs.items())
        for key, text in items:
            if (after is None or key.timestamp >= after) and (before is None or key.timestamp <= before):
                yield decode_result(json.loads(text))

    def _remove(self, keys: Sequence[ResultKey]) -> None:
        with self._lock:
            for k in keys:
                self._docs.pop(k, None)

    def __len__(self) -> int:
        return len(self._docs)

    def __repr__(self) -> str:
        return f"InMemoryMetricsRepository({len(self._docs)} results)"
