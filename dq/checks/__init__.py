"""Checks: constraints on metrics at an Error or Warning level (Deequ's ``Check``).

``Check(CheckLevel.ERROR, "reviews").has_size(at_least(3_000_000)).is_complete("review_id")``;
YAML check files load to the same Checks (``load``, ``dump``).
"""

from dq.checks.assertions import (
    Assertion,
    Between,
    Compare,
    Picked,
    Satisfies,
    at_least,
    at_most,
    between,
    bin_count,
    bin_ratio,
    bucket_count,
    equals,
    greater_than,
    is_one,
    is_zero,
    less_than,
    not_equal,
    number_of_bins,
    number_of_buckets,
    parse_assertion,
)
from dq.checks.check import Check, CheckLevel, CheckStatus
from dq.checks.constraints import ConstrainableDataTypes, Constraint, ConstraintResult, ConstraintStatus
from dq.checks.yaml_io import CheckFileError, dump, dumps, load, loads

__all__ = [
    "Assertion",
    "Between",
    "Check",
    "CheckFileError",
    "CheckLevel",
    "CheckStatus",
    "Compare",
    "ConstrainableDataTypes",
    "Constraint",
    "ConstraintResult",
    "ConstraintStatus",
    "Picked",
    "Satisfies",
    "at_least",
    "at_most",
    "between",
    "bin_count",
    "bin_ratio",
    "bucket_count",
    "dump",
    "dumps",
    "equals",
    "greater_than",
    "is_one",
    "is_zero",
    "less_than",
    "load",
    "loads",
    "not_equal",
    "number_of_bins",
    "number_of_buckets",
    "parse_assertion",
]
