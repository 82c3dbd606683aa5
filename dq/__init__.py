"""dq: a data-quality verification engine (Deequ's analyzers and checks) on DuckDB."""

from dq.checks import Check, CheckLevel, CheckStatus, ConstraintStatus
from dq.errors import (
    ColumnNotFoundError,
    ColumnTypeError,
    DQError,
    InvalidOptionError,
    PredicateError,
    StateFormatError,
    StateMergeError,
    UnsupportedDataError,
)
from dq.metrics import BucketDistribution, Distribution, DistributionValue, Entity, KeyedValues, Metric
from dq.gate import Gate, GateError, GateResult
from dq.profiles import ColumnProfiler
from dq.runner import AnalysisRunner, AnalyzerContext
from dq.statestore import DirectoryStateStore, InMemoryStateStore
from dq.suggest import ConstraintSuggestionRunner, Rules
from dq.verification import AnomalyCheckConfig, CheckResult, VerificationResult, VerificationSuite

__version__ = "0.1.0"

__all__ = [
    "Gate",
    "GateError",
    "GateResult",
    "Rules",
    "ConstraintSuggestionRunner",
    "ColumnProfiler",
    "AnomalyCheckConfig",
    "VerificationSuite",
    "VerificationResult",
    "ConstraintStatus",
    "CheckStatus",
    "CheckResult",
    "CheckLevel",
    "Check",
    "AnalysisRunner",
    "AnalyzerContext",
    "BucketDistribution",
    "ColumnNotFoundError",
    "ColumnTypeError",
    "DQError",
    "DirectoryStateStore",
    "Distribution",
    "DistributionValue",
    "Entity",
    "InMemoryStateStore",
    "InvalidOptionError",
    "KeyedValues",
    "Metric",
    "PredicateError",
    "StateFormatError",
    "StateMergeError",
    "UnsupportedDataError",
    "__version__",
]
