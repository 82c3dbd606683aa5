"""Helpers shared by the repository tests (imported as ``repo_helpers``)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from dq.analyzers import Completeness, Size
from dq.metrics import Entity, Metric
from dq.repository import (
    DuckDBMetricsRepository,
    FileSystemMetricsRepository,
    InMemoryMetricsRepository,
    MetricsRepository,
)
from dq.runner import AnalyzerContext

KINDS = ["memory", "duckdb", "filesystem"]
_counter = itertools.count()


def new_repo(kind: str, where: Path, **options) -> MetricsRepository:
    n = next(_counter)
    if kind == "memory":
        return InMemoryMetricsRepository(**options)
    if kind == "duckdb":
        return DuckDBMetricsRepository(where / f"metrics{n}.duckdb", **options)
    if kind == "filesystem":
        return FileSystemMetricsRepository(where / f"metrics{n}", **options)
    raise ValueError(kind)


def context(size: float, completeness: float | None = None, *, where: str | None = None) -> AnalyzerContext:
    """A small AnalyzerContext without running anything: Size and (optionally) Completeness('x')."""
    metrics = {Size(): Metric(Entity.DATASET, "*", "Size", float(size))}
    if completeness is not None:
        metrics[Completeness("x", where=where)] = Metric(Entity.COLUMN, "x", "Completeness", completeness)
    return AnalyzerContext(metrics)


def day(n: int) -> dt.datetime:
    return dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=n)


def reopen(repo: MetricsRepository) -> MetricsRepository:
    """A new repository object on the same storage (the same object for the in-memory one), so a
    test reads what is on disk rather than anything cached in the object."""
    if isinstance(repo, DuckDBMetricsRepository):
        return DuckDBMetricsRepository(repo.path)
    if isinstance(repo, FileSystemMetricsRepository):
        return FileSystemMetricsRepository(repo.directory)
    return repo


def summary(results) -> list[tuple]:
    """Results as comparable plain data: (timestamp, tags, run_status, sorted metrics)."""
    out = []
    for r in results:
        metrics = sorted((repr(a), m.entity, m.instance, m.name, repr(m.value), m.error)
                         for a, m in r.context.metric_map.items())
        out.append((r.key.timestamp, dict(r.key.tags), r.run_status, metrics))
    return out
