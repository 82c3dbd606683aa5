"""Metrics repositories: the history of a recurring dataset's metrics (Deequ's MetricsRepository).

``repo.save(ResultKey.now({"dataset": "orders"}), verification_result)`` stores the metrics of a
run (and its status); ``repo.load().with_tag_values({...}).for_analyzers([...]).after(t).before(t)``
queries them. Three implementations share one behaviour (and one test suite):
``InMemoryMetricsRepository``, ``DuckDBMetricsRepository(path)`` (one database file, the
persistent default) and ``FileSystemMetricsRepository(directory)`` (one JSON file per result).
See ``dq.repository.base`` for the query semantics and each module for its on-disk format.
"""

from dq.repository.base import MetricsRepository, ResultQuery
from dq.repository.duckdb_repo import DuckDBMetricsRepository
from dq.repository.errors import (
    RepositoryCorruptError,
    RepositoryCorruptWarning,
    RepositoryError,
    RepositoryLockedError,
)
from dq.repository.filesystem import FileSystemMetricsRepository
from dq.repository.history import Series, metric_history, series
from dq.repository.key import ResultKey, Tags
from dq.repository.memory import InMemoryMetricsRepository
from dq.repository.result import AnalysisResult

__all__ = [
    "AnalysisResult",
    "DuckDBMetricsRepository",
    "FileSystemMetricsRepository",
    "InMemoryMetricsRepository",
    "MetricsRepository",
    "RepositoryCorruptError",
    "RepositoryCorruptWarning",
    "RepositoryError",
    "RepositoryLockedError",
    "ResultKey",
    "ResultQuery",
    "Series",
    "Tags",
    "metric_history",
    "series",
]
