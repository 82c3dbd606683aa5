"""Analyzers: frozen, hashable descriptions of metrics (Deequ's catalogue and names)."""

from dq.analyzers.base import Analyzer, AnalyzerOptions, FilteredRowOutcome, NullBehavior, analyzer_from_dict
from dq.analyzers.basic import (
    ColumnCount,
    ColumnExists,
    Completeness,
    Compliance,
    DataType,
    Maximum,
    MaxLength,
    Mean,
    Minimum,
    MinLength,
    PatternMatch,
    Patterns,
    Range,
    RatioOfSums,
    Size,
    Sum,
    ZerosCount,
)
from dq.analyzers.custom import CustomSql
from dq.analyzers.grouping import (
    CountDistinct,
    Distinctness,
    DuplicateRowCount,
    Entropy,
    Histogram,
    MutualInformation,
    UniqueValueRatio,
    Uniqueness,
)
from dq.analyzers.moments import Correlation, Kurtosis, Skewness, StandardDeviation, Variance
from dq.analyzers.sketches import (
    ApproxCountDistinct,
    ApproxQuantile,
    ApproxQuantiles,
    ExactQuantile,
    InterquartileRange,
    KLLSketch,
)

__all__ = [
    "Analyzer", "AnalyzerOptions", "NullBehavior", "FilteredRowOutcome", "analyzer_from_dict", "Patterns",
    "Size", "Completeness", "Compliance", "PatternMatch", "Sum", "Mean", "Minimum", "Maximum", "MinLength",
    "MaxLength", "Range", "StandardDeviation", "Variance", "Skewness", "Kurtosis", "Correlation", "RatioOfSums",
    "ZerosCount", "ApproxCountDistinct", "ApproxQuantile", "ApproxQuantiles", "KLLSketch", "ExactQuantile",
    "InterquartileRange", "DataType", "CountDistinct", "Distinctness", "Uniqueness", "UniqueValueRatio",
    "Entropy", "MutualInformation", "DuplicateRowCount", "Histogram", "ColumnCount", "ColumnExists", "CustomSql",
]
