"""Column profiling: ``ColumnProfiler.on_data(data).run()`` -> ``ColumnProfiles`` (one scan, one
grouped statement for the histograms of low-cardinality columns). Profiles serialise to JSON and
profiles of partitions merge."""

from dq.profiles.profile import FORMAT_VERSION, PERCENTILES, ColumnProfile, ColumnProfiles
from dq.profiles.profiler import ColumnProfiler, ColumnProfilerRunBuilder

__all__ = ["FORMAT_VERSION", "PERCENTILES", "ColumnProfile", "ColumnProfiler", "ColumnProfilerRunBuilder",
           "ColumnProfiles"]
