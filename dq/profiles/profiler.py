"""ColumnProfiler: the profile of every column in at most two passes over the data.

Pass 1 is ONE ``AnalysisRunner`` run: a single scan computes, for every column, completeness,
the HyperLogLog registers, the inferred-type counts and lengths of strings, and the extremes, sum
and moments of numbers and the extremes of dates; when quantiles are on, Spark computes every KLL
quantile sketch in that same scan, and DuckDB in one more pass that streams the values. Pass 2 is
ONE grouped statement computing the exact value counts of every column whose approximate distinct
count is within ``low_cardinality_histogram_threshold`` (``dq.profiles.histograms``). Deequ needs
three jobs and a grouping job per column (deequ#534).

Numbers as text. Deequ gives a string column whose inferred type is Integral or Fractional (every
non-NULL value matches the DataType analyzer's number expressions, e.g. "12", "+ 12", " 7",
"-3.5", "1e5") the statistics of a number column, in an extra pass over the values cast to numbers.
dq derives them without reading the data again when pass 2 counted the column's values: the
minimum, maximum, sum, mean and standard deviation are computed exactly from the (value, count)
pairs, the percentiles from a KLL sketch built from the weighted values
(``dq.profiles.profile.numeric_text_states``), all as the same mergeable states a number column
has. A numbers-as-text column with more distinct values than the threshold gets them only with
``with_numeric_text_statistics()``: ONE more ``AnalysisRunner`` run (one scan, plus on DuckDB its
KLL pass when quantiles are on) over those columns cast to double (``TRY_CAST`` on DuckDB, ``try_cast`` on
Spark, after removing the one space the expressions allow after the sign); ``num_queries`` counts
it. Values are doubles, also for Integral text (Deequ casts those to long): an integer beyond 2^53
is rounded, one beyond 2^63 is kept rather than lost, "1e999" is infinite.

Deviations from Deequ, deliberate: string lengths ignore NULLs (Deequ's profiler counts a NULL as
length 0); a numbers-as-text column with many distinct values has no numeric statistics unless
asked for (that pass would be a third scan); date and timestamp columns get their minimum and
maximum, and histograms when their cardinality is low, but their data type is "Unknown" (Deequ
says "String" for a timestamp). ``ColumnProfile.is_numeric`` is about the column's type, so the
suggestion rules for numbers (non-negative, min, max, mean) stay with number columns: their
constraints do not apply to a string column.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from dq.analyzers import Size
from dq.errors import InvalidOptionError
from dq.profiles.histograms import value_counts
from dq.profiles.profile import (
    HISTOGRAM_KINDS,
    NUMERIC_TEXT_TYPES,
    ColumnProfile,
    ColumnProfiles,
    column_analyzers,
    inferred_type,
    numeric_analyzers,
    numeric_text_states,
)
from dq.schema import Column, Kind
from dq.states.base import State

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
        self._numeric_text = False

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

    def with_numeric_text_statistics(self, enabled: bool = True) -> ColumnProfilerRunBuilder:
        """Numeric statistics (extremes, sum, mean, deviation, percentiles) also for string columns
        whose values all parse as numbers and that have too many distinct values for a histogram
        (those with a histogram get them anyway, from its counts): one more pass over those
        columns cast to double, as Deequ does. Off by default."""
        if not isinstance(enabled, bool):
            raise InvalidOptionError("enabled", "True or False", enabled, owner="with_numeric_text_statistics")
        self._numeric_text = enabled
        return self

    def run(self) -> ColumnProfiles:
        return profile(self._data, connection=self._connection, columns=self._columns, threshold=self._threshold,
                       quantiles=self._quantiles, relative_error=self._relative_error,
                       numeric_text_statistics=self._numeric_text)


class ColumnProfiler:
    """Entry point: ``ColumnProfiler.on_data(data).run()`` -> ``ColumnProfiles``."""

    @staticmethod
    def on_data(data: Any, *, connection: Any = None) -> ColumnProfilerRunBuilder:
        return ColumnProfilerRunBuilder(data, connection=connection)


def profile(data: Any, *, connection: Any = None, columns: list[str] | None = None,
            threshold: int = DEFAULT_THRESHOLD, quantiles: bool = True, relative_error: float = 0.01,
            numeric_text_statistics: bool = False) -> ColumnProfiles:
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
        _raise_engine_error(ctx)
        num_records = int(ctx.metric(size).value)

        low = [c for c in targets if c.kind in HISTOGRAM_KINDS and ctx.states.get(plan[c.name]["distinct"])
               is not None and ctx.metric(plan[c.name]["distinct"]).value <= threshold]
        num_queries, queries = ctx.num_queries, tuple(ctx.queries)

        # numbers as text: statistics from the value counts of pass 2, else (if asked) from one
        # more pass, run before pass 2 (which may leave DuckDB's view of the data on the connection,
        # a name the relation of the extra pass must not meet)
        numeric_text = [c for c in targets if c.kind is Kind.STRING
                        and inferred_type(c.name, ctx.states.get(plan[c.name]["types"])) in NUMERIC_TEXT_TYPES]
        extra: dict[str, dict[str, State]] = {}
        cast = [c for c in numeric_text if c not in low]
        if numeric_text_statistics and cast:
            extra, n, q = _numeric_text_pass(backend, cast, quantiles=quantiles, relative_error=relative_error)
            num_queries, queries = num_queries + n, queries + q

        counts = value_counts(backend, low) if low else {}
        num_queries, queries = num_queries + backend.num_queries, queries + tuple(backend.queries)
        for c in numeric_text:
            if c.name in counts:
                extra[c.name] = numeric_text_states(counts[c.name], quantiles=quantiles, relative_error=relative_error)

        profiles = {}
        for c in targets:
            states = {k: ctx.states[a] for k, a in plan[c.name].items() if a in ctx.states}
            states.update(extra.get(c.name, {}))
            profiles[c.name] = ColumnProfile.from_states(c.name, c.kind, c.engine_type, num_records, states,
                                                         counts.get(c.name), relative_error=relative_error)
        return ColumnProfiles(profiles, num_records, low_cardinality_histogram_threshold=threshold,
                              relative_error=relative_error, num_queries=num_queries, queries=queries)
    finally:
        backend.close()


def _raise_engine_error(ctx: Any) -> None:
    failed = [m for m in ctx.failures() if m.exception is not None and not _is_empty_failure(m)]
    if failed:
        raise failed[0].exception  # an engine error, not an empty column: say so


def _numeric_text_pass(backend: Any, columns: list[Column], *, quantiles: bool, relative_error: float
                       ) -> tuple[dict[str, dict[str, State]], int, tuple[str, ...]]:
    """The numeric statistics of ``columns`` (strings whose values all parse as numbers) in one
    ``AnalysisRunner`` run over the data with those columns cast to double: (states per column,
    statements run, their text). The DataType expressions allow one space after the sign ("+ 12"),
    which the engines' casts do not: spaces are removed first. The try-casts make NULL of anything
    else (nothing else is there: every non-NULL value matched an expression)."""
    from dq.runner import run_analysis

    if backend.name == "spark":
        from pyspark.sql import functions as F

        from dq.backends.spark import col

        derived = backend.df.select(*[F.regexp_replace(col(c.name), " ", "").try_cast("double").alias(c.name)
                                      for c in columns])
        connection = None
    else:
        from dq.predicates import quote_identifier as q

        derived = backend.rel.project(", ".join(f"TRY_CAST(replace({q(c.name)}, ' ', '') AS DOUBLE) AS {q(c.name)}"
                                                for c in columns))
        connection = backend.con
    plan = {c.name: numeric_analyzers(c.name, quantiles=quantiles, relative_error=relative_error) for c in columns}
    ctx = run_analysis(derived, [a for p in plan.values() for a in p.values()], connection=connection,
                       errors="record", need_states=True)
    _raise_engine_error(ctx)
    states = {name: {k: ctx.states[a] for k, a in p.items() if a in ctx.states} for name, p in plan.items()}
    return states, ctx.num_queries, tuple(ctx.queries)


def _is_empty_failure(metric: Any) -> bool:
    from dq.analyzers.base import MetricFailure

    return isinstance(metric.exception, MetricFailure)
