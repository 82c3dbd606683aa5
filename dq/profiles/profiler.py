"""ColumnProfiler: the profile of every column in at most two passes over the data.

Pass 1 is ONE ``AnalysisRunner`` run: a single scan computes, for every column, completeness,
the HyperLogLog registers, the inferred-type counts and lengths of strings, and the extremes, sum
and moments of numbers and the extremes of dates (plus, on DuckDB, the one streaming pass shared by
every KLL quantile sketch when quantiles are on). Pass 2 is ONE grouped statement computing the
exact value counts of every column whose approximate distinct count is within
``low_cardinality_histogram_threshold`` (``dq.profiles.histograms``). Deequ needs three jobs and
a grouping job per column (deequ#534).

Deviations from Deequ, deliberate: string lengths ignore NULLs (Deequ's profiler counts a NULL as
length 0); string columns whose values all parse as numbers get their inferred type, but not the
numeric statistics Deequ computes in an extra pass over the cast values (that pass would be a
third scan); date and timestamp columns get their minimum and maximum, and histograms when their
cardinality is low, but their data type is "Unknown" (Deequ says "String" for a timestamp).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from dq.analyzers import Size
from dq.errors import InvalidOptionError
from dq.profiles.histograms import value_counts
from dq.profiles.profile import HISTOGRAM_KINDS, ColumnProfile, ColumnProfiles, column_analyzers
from dq.schema import Kind

__all__ = ["ColumnProfiler", "ColumnProfilerRunBuilder"]

DEFAULT_THRESHOLD = 120


class ColumnProfilerRunBuilder:
    def __init__(self, data: Any, *, connection: Any = None):
        self._data = data
        self._connection = connection
        self._columns: list[str] | None = None
        self._threshold = DEFAULT_THRESHOLD
        self._quantiles = True
        self._relative_error = 0.01

    def restrict_to_columns(self, columns: Iterable[str]) -> ColumnProfilerRunBuilder:
        if isinstance(columns, str):
            columns = [columns]
        cols = list(columns)
        if not all(isinstance(c, str) and c for c in cols):
            raise InvalidOptionError("columns", "a list of column names", cols, owner="restrict_to_columns")
        self._columns = cols
        return self

    def with_low_cardinality_histogram_threshold(self, threshold: int) -> ColumnProfilerRunBuilder:
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
            raise InvalidOptionError("low_cardinality_histogram_threshold", "an integer >= 0 (0: no histograms)",
                                     threshold, owner="ColumnProfiler")
        self._threshold = threshold
        return self

    low_cardinality_histogram_threshold = with_low_cardinality_histogram_threshold

    def with_quantiles(self, enabled: bool = True, *, relative_error: float = 0.01) -> ColumnProfilerRunBuilder:
        """Approximate percentiles of numeric columns from KLL sketches (on by default; DuckDB
        computes them in one extra streaming pass shared by all columns). ``relative_error``
        chooses the sketch size (as ``ApproxQuantiles``)."""
        from dq.analyzers.sketches import k_for_relative_error

        k_for_relative_error(relative_error, "ColumnProfiler")
        self._quantiles = bool(enabled)
        self._relative_error = float(relative_error)
        return self

    def run(self) -> ColumnProfiles:
        return profile(self._data, connection=self._connection, columns=self._columns, threshold=self._threshold,
                       quantiles=self._quantiles, relative_error=self._relative_error)


class ColumnProfiler:
    """Entry point: ``ColumnProfiler.on_data(data).run()`` -> ``ColumnProfiles``."""

    @staticmethod
    def on_data(data: Any, *, connection: Any = None) -> ColumnProfilerRunBuilder:
        return ColumnProfilerRunBuilder(data, connection=connection)


def profile(data: Any, *, connection: Any = None, columns: list[str] | None = None,
            threshold: int = DEFAULT_THRESHOLD, quantiles: bool = True, relative_error: float = 0.01
            ) -> ColumnProfiles:
    from dq.backends import backend_for
    from dq.runner import run_analysis

    if isinstance(data, pa.RecordBatchReader):
        data = data.read_all()  # one-shot stream; the two passes read it twice
    backend = backend_for(data, connection=connection)
    try:
        schema = backend.schema
        if columns is None:
            targets = [c for c in schema if c.kind not in (Kind.NESTED, Kind.BINARY, Kind.OTHER, Kind.TIME)]
        else:
            targets = [schema.column(c, context="ColumnProfiler.restrict_to_columns") for c in columns]
        size = Size()
        plan = {c.name: column_analyzers(c.name, c.kind, quantiles=quantiles, relative_error=relative_error)
                for c in targets}
        analyzers = [size] + [a for p in plan.values() for a in p.values()]
        # data, not the backend's relation: a path or a table keeps its fast view path in the runner
        ctx = run_analysis(data, analyzers, connection=connection, errors="record", need_states=True)
        failed = [m for m in ctx.failures() if m.exception is not None and not _is_empty_failure(m)]
        if failed:
            raise failed[0].exception  # an engine error, not an empty column: say so
        num_records = int(ctx.metric(size).value)

        low = [c for c in targets if c.kind in HISTOGRAM_KINDS and ctx.states.get(plan[c.name]["distinct"])
               is not None and ctx.metric(plan[c.name]["distinct"]).value <= threshold]
        counts = value_counts(backend, low) if low else {}
        profiles = {}
        for c in targets:
            states = {k: ctx.states[a] for k, a in plan[c.name].items() if a in ctx.states}
            profiles[c.name] = ColumnProfile.from_states(c.name, c.kind, c.engine_type, num_records, states,
                                                         counts.get(c.name), relative_error=relative_error)
        return ColumnProfiles(profiles, num_records, low_cardinality_histogram_threshold=threshold,
                              relative_error=relative_error, num_queries=ctx.num_queries + backend.num_queries,
                              queries=tuple(ctx.queries) + tuple(backend.queries))
    finally:
        backend.close()


def _is_empty_failure(metric: Any) -> bool:
    from dq.analyzers.base import MetricFailure

    return isinstance(metric.exception, MetricFailure)
