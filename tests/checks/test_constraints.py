"""Constraint semantics, table-driven and run on every backend (``conftest.BACKENDS``).

Each case is one ``Check`` method call on a small hand-made table with the expected constraint
status and, for a failure, the expected message (Deequ's ``Value: <v> does not meet the constraint
requirement! <hint>``; dq writes ``Requirement: <assertion text>.`` when there is no hint). Every
expected value is derived by hand in a comment next to the case. Null semantics follow Deequ
(reference/DEEQU.md section b and "Quirks" 6).

A case that shows a dq bug carries ``bug="..."``: a strict xfail until the bug is fixed.

Then the evaluation edge cases: an assertion that raises, a missing column, empty states with and
without ``where``, NaN metrics, ``.where()`` scoping and the options rejected when a check is built.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pytest

from dq import VerificationSuite
from dq.analyzers import Completeness, Mean, Size
from dq.checks import (
    Check,
    CheckLevel,
    CheckStatus,
    ConstrainableDataTypes,
    ConstraintStatus,
    at_least,
    at_most,
    between,
    bin_count,
    bin_ratio,
    bucket_count,
    equals,
    greater_than,
    less_than,
    not_equal,
    number_of_buckets,
)
from dq.checks.constraints import BUILDERS
from dq.errors import InvalidOptionError
from dq.metrics import Entity, Metric

SUCCESS = ConstraintStatus.SUCCESS
FAILURE = ConstraintStatus.FAILURE


def msg(value: str, requirement: str) -> str:
    """Deequ's failure message with dq's requirement tail."""
    return f"Value: {value} does not meet the constraint requirement! Requirement: {requirement}."


# -- expectations ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ok:
    """The constraint holds (message None)."""


OK = Ok()


@dataclass(frozen=True)
class Approx:
    """Fails with ``Value: <v> does not meet ... <tail>`` where v is ``value`` within ``rel``."""

    value: float
    tail: str
    rel: float = 1e-9


@dataclass(frozen=True)
class Contains:
    """Fails with a message containing every part."""

    parts: tuple[str, ...]

    def __init__(self, *parts: str):
        object.__setattr__(self, "parts", parts)


_VALUE = re.compile(r"^Value: (\S+) does not meet the constraint requirement! (.*)$")


def mismatch(status: ConstraintStatus, message: str | None, expected: Any) -> str | None:
    if isinstance(expected, Ok):
        return None if status is SUCCESS and message is None else f"expected success, got {status}: {message!r}"
    if status is not FAILURE:
        return f"expected a failure, got {status}"
    if isinstance(expected, str):
        return None if message == expected else f"message {message!r} != expected {expected!r}"
    if isinstance(expected, Contains):
        missing = [p for p in expected.parts if p not in (message or "")]
        return None if not missing else f"message {message!r} lacks {missing}"
    if isinstance(expected, Approx):
        m = _VALUE.match(message or "")
        if not m:
            return f"message {message!r} is not 'Value: ... does not meet the constraint requirement! ...'"
        v = float(m.group(1))
        if not math.isclose(v, expected.value, rel_tol=expected.rel, abs_tol=expected.rel):
            return f"value {v!r} != expected {expected.value!r} in {message!r}"
        return None if m.group(2) == expected.tail else f"tail {m.group(2)!r} != {expected.tail!r}"
    raise AssertionError(f"unknown expectation {expected!r}")


# -- the case table ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    id: str
    data: pa.Table = field(repr=False)
    method: str
    args: tuple
    kwargs: tuple[tuple[str, Any], ...]
    expected: Any
    where: str | None = None
    bug: str | None = None

    def check(self, level: CheckLevel = CheckLevel.ERROR, description: str | None = None) -> Check:
        c = getattr(Check(level, description or self.id), self.method)(*self.args, **dict(self.kwargs))
        return c.where(self.where) if self.where is not None else c


CASES: list[Case] = []


def case(id: str, data: pa.Table, method: str, *args: Any, expect: Any, where: str | None = None,
         bug: str | None = None, **kwargs: Any) -> None:
    CASES.append(Case(id, data, method, args, tuple(kwargs.items()), expect, where, bug))


def is_int(v: Any) -> bool:
    return type(v) is int


# ==================================================================================================
# T: the general table (5 rows, 7 columns)
# ==================================================================================================
T = pa.table({
    "a": pa.array([1, 2, 3, 4, 5], pa.int64()),
    "i": pa.array([10, 20, 30, 40, 50], pa.int64()),  # 10 * a
    "b": pa.array([2, 3, 1, None, 6], pa.int64()),
    "z": pa.array([0, 0, 1, 2, None], pa.int64()),
    "f": pa.array([1.5, -0.5, None, 2.0, 0.0], pa.float64()),
    "g": pa.array(["p", "p", "q", "q", "q"], pa.string()),
    "s": pa.array(["x", "y", "x", None, "O'Brien"], pa.string()),
})

# dataset
case("t/has_size/ok", T, "has_size", at_least(5), expect=OK)
case("t/has_size/fail", T, "has_size", greater_than(5), expect=msg("5", "> 5"))  # an integer, as Deequ's toLong
case("t/has_size/fail-hint", T, "has_size", equals(6), "Should be 6!",
     expect="Value: 5 does not meet the constraint requirement! Should be 6!")
case("t/has_size/asserts-on-int", T, "has_size", lambda v: is_int(v) and v == 5, expect=OK)
case("t/has_size/text-assertion", T, "has_size", ">= 5", expect=OK)
case("t/has_size/where", T, "has_size", equals(2), where="g = 'p'", expect=OK)
case("t/has_size/where-fail", T, "has_size", equals(5), where="b > 1", expect=msg("3", "== 5"))  # 2, 3, 6
case("t/has_column_count/ok", T, "has_column_count", equals(7), expect=OK)
case("t/has_column_count/fail", T, "has_column_count", less_than(3), expect=msg("7", "< 3"))
case("t/has_column_count/asserts-on-int", T, "has_column_count", lambda v: is_int(v) and v == 7, expect=OK)
case("t/has_column/ok", T, "has_column", "a", expect=OK)
case("t/has_column/fail", T, "has_column", "nope", expect=msg("0.0", "== 1"))
case("t/has_column/exact-name", T, "has_column", "A", expect=msg("0.0", "== 1"))
case("t/has_column/fail-hint", T, "has_column", "nope", "we need nope",
     expect="Value: 0.0 does not meet the constraint requirement! we need nope")

# completeness
case("t/is_complete/ok", T, "is_complete", "a", expect=OK)
case("t/is_complete/fail", T, "is_complete", "b", expect=msg("0.8", "== 1"))  # 4 of 5
case("t/is_complete/where", T, "is_complete", "b", where="a < 4", expect=OK)  # b = 2, 3, 1
case("t/has_completeness/ok", T, "has_completeness", "b", at_least(0.8), expect=OK)
case("t/has_completeness/fail-hint", T, "has_completeness", "b", greater_than(0.8), "too many NULLs",
     expect="Value: 0.8 does not meet the constraint requirement! too many NULLs")
case("t/are_complete/ok", T, "are_complete", ["a", "i"], expect=OK)
case("t/are_complete/fail", T, "are_complete", ["a", "b"], expect=msg("0.8", "== 1"))
# b NULL in row 4, z NULL in row 5: rows 1-3 have both
case("t/have_completeness/ok", T, "have_completeness", ["b", "z"], equals(0.6), expect=OK)
case("t/have_completeness/fail", T, "have_completeness", ["b", "z"], at_least(0.7), expect=msg("0.6", ">= 0.7"))
case("t/are_any_complete/ok", T, "are_any_complete", ["b", "z"], expect=OK)  # never both NULL
case("t/are_any_complete/fail", T, "are_any_complete", ["b", "s"], expect=msg("0.8", "== 1"))  # both NULL in row 4
case("t/have_any_completeness/ok", T, "have_any_completeness", ["b", "s"], equals(0.8), expect=OK)
case("t/have_any_completeness/fail", T, "have_any_completeness", ["b", "s"], at_most(0.5), expect=msg("0.8", "<= 0.5"))

# uniqueness family (NULL rows ignored; ratios over the non-NULL rows)
case("t/is_unique/ok", T, "is_unique", "a", expect=OK)
case("t/is_unique/ignores-null", T, "is_unique", "b", expect=OK)  # 2, 3, 1, 6 and a NULL
case("t/is_unique/fail", T, "is_unique", "s", expect=msg("0.5", "== 1"))  # y, O'Brien once among 4 non-NULL
case("t/is_unique/where", T, "is_unique", "s", where="a <= 2", expect=OK)  # x, y
# (s, z): (x,0) (y,0) (x,1) (NULL,2) (O'Brien,NULL): all different
case("t/are_unique/ok", T, "are_unique", ["s", "z"], expect=OK)
# (g, z): (p,0) twice, (q,1) (q,2) (q,NULL) once: 3 of 5
case("t/are_unique/fail", T, "are_unique", ["g", "z"], expect=msg("0.6", "== 1"))
case("t/is_primary_key/not-requiring-completeness", T, "is_primary_key", "b", expect=OK)
case("t/is_primary_key/two-columns", T, "is_primary_key", "s", "z", expect=OK)
case("t/is_primary_key/fail", T, "is_primary_key", "g", "z", expect=msg("0.6", "== 1"))
case("t/is_primary_key/fail-hint", T, "is_primary_key", "g", hint="g is no key",
     expect="Value: 0.0 does not meet the constraint requirement! g is no key")  # p twice, q three times
case("t/has_uniqueness/ok", T, "has_uniqueness", "s", equals(0.5), expect=OK)
case("t/has_uniqueness/fail", T, "has_uniqueness", ["g", "z"], at_least(0.9), expect=msg("0.6", ">= 0.9"))
case("t/has_distinctness/ok", T, "has_distinctness", "g", equals(0.4), expect=OK)  # 2 distinct / 5
case("t/has_distinctness/fail", T, "has_distinctness", ["g"], greater_than(0.5), expect=msg("0.4", "> 0.5"))
# s: x twice, y once, O'Brien once: 2 unique of 3 distinct
case("t/has_unique_value_ratio/ok", T, "has_unique_value_ratio", "s", between(0.66, 0.67), expect=OK)
case("t/has_unique_value_ratio/fail", T, "has_unique_value_ratio", "s", equals(1), expect=Approx(2 / 3, "Requirement: == 1."))
# NULL is a value of its own (Deequ's NullValue bin): b has 2, 3, 1, 6, NULL
case("t/has_number_of_distinct_values/null-counts", T, "has_number_of_distinct_values", "b", equals(5), expect=OK)
case("t/has_number_of_distinct_values/callable", T, "has_number_of_distinct_values", "s", lambda n: n == 4, expect=OK)
case("t/has_number_of_distinct_values/fail", T, "has_number_of_distinct_values", "s", equals(3),
     expect=msg("4", "== 3"))  # x, y, O'Brien, NULL; the value is the number of bins (Deequ's _.numberOfBins)
case("t/has_number_of_distinct_values/where", T, "has_number_of_distinct_values", "s", equals(2), where="a < 3",
     expect=OK)
case("t/has_histogram_values/ok", T, "has_histogram_values", "g", bin_ratio("p", equals(0.4)), expect=OK)
case("t/has_histogram_values/callable", T, "has_histogram_values", "s",
     lambda d: d["x"].absolute == 2 and d["NullValue"].ratio == 0.2, expect=OK)
case("t/has_histogram_values/fail", T, "has_histogram_values", "g", bin_count("q", equals(2)),
     expect="Value: Distribution(2 bins: q: 3 (0.6), p: 2 (0.4)) does not meet the constraint requirement! "
            "Requirement: absolute[q] == 2.")
# rows in groups occurring more than once (Deequ: sum of count over groups with count > 1): p p + q q q
case("t/has_duplicate_row_count/ok", T, "has_duplicate_row_count", ["g"], equals(5), expect=OK)
case("t/has_duplicate_row_count/asserts-on-int", T, "has_duplicate_row_count", ["g", "z"],
     lambda v: is_int(v) and v == 2, expect=OK)  # (p, 0) twice
case("t/has_duplicate_row_count/fail", T, "has_duplicate_row_count", ["g"], equals(0), expect=msg("5", "== 0"))

# information
H_G = -(0.4 * math.log(0.4) + 0.6 * math.log(0.6))
case("t/has_entropy/ok", T, "has_entropy", "g", between(0.67, 0.68), expect=OK)
case("t/has_entropy/fail", T, "has_entropy", "g", at_least(1), expect=Approx(H_G, "Requirement: >= 1."))
# pairs with both non-NULL: (p,0) (p,0) (q,1) (q,2): I = 1/2 ln(1/2 / 1/4) + 2 * 1/4 ln(1/4 / 1/8) = ln 2
case("t/has_mutual_information/ok", T, "has_mutual_information", "g", "z", equals(math.log(2), tolerance=1e-12),
     expect=OK)
case("t/has_mutual_information/fail", T, "has_mutual_information", "g", "z", less_than(0.5),
     expect=Approx(math.log(2), "Requirement: < 0.5."))

# quantiles (KLL keeps every item of 5 values)
case("t/kll_sketch_satisfies/ok", T, "kll_sketch_satisfies", "a", number_of_buckets(equals(2)), number_of_buckets=2,
     expect=OK)
case("t/kll_sketch_satisfies/fail", T, "kll_sketch_satisfies", "a", bucket_count(0, equals(5)), number_of_buckets=2,
     expect=Contains("does not meet the constraint requirement! Requirement: bucket_count[0] == 5."))
case("t/has_approx_quantile/ok", T, "has_approx_quantile", "a", 0.5, equals(3), expect=OK)
case("t/has_approx_quantile/fail", T, "has_approx_quantile", "a", 0.5, less_than(3), expect=msg("3.0", "< 3"))
case("t/has_exact_quantile/ok", T, "has_exact_quantile", "a", 0.5, equals(3), expect=OK)
case("t/has_exact_quantile/fail", T, "has_exact_quantile", "a", 0.25, equals(1.5), expect=msg("2.0", "== 1.5"))
case("t/has_interquartile_range/ok", T, "has_interquartile_range", "a", equals(2), expect=OK)  # 4 - 2
case("t/has_interquartile_range/fail", T, "has_interquartile_range", "a", greater_than(2), expect=msg("2.0", "> 2"))

# column statistics
case("t/has_min_length/ok", T, "has_min_length", "s", equals(1), expect=OK)
case("t/has_min_length/fail", T, "has_min_length", "s", at_least(2), expect=msg("1.0", ">= 2"))
case("t/has_max_length/ok", T, "has_max_length", "s", equals(7), expect=OK)  # O'Brien
case("t/has_max_length/fail", T, "has_max_length", "s", less_than(5), expect=msg("7.0", "< 5"))
case("t/has_min/ok", T, "has_min", "f", equals(-0.5), expect=OK)
case("t/has_min/fail", T, "has_min", "f", at_least(0), expect=msg("-0.5", ">= 0"))
case("t/has_min/where", T, "has_min", "f", at_least(0), where="a <> 2", expect=OK)
case("t/has_max/ok", T, "has_max", "f", equals(2), expect=OK)
case("t/has_max/fail", T, "has_max", "f", less_than(2), expect=msg("2.0", "< 2"))
case("t/has_range/ok", T, "has_range", "a", equals(4), expect=OK)
case("t/has_range/fail", T, "has_range", "a", less_than(4), expect=msg("4.0", "< 4"))
case("t/has_mean/ok", T, "has_mean", "a", equals(3), expect=OK)
case("t/has_mean/fail", T, "has_mean", "a", greater_than(3), expect=msg("3.0", "> 3"))
case("t/has_mean/fail-hint", T, "has_mean", "a", greater_than(3), "mean too low",
     expect="Value: 3.0 does not meet the constraint requirement! mean too low")
case("t/has_sum/ok", T, "has_sum", "a", equals(15), expect=OK)
case("t/has_sum/fail", T, "has_sum", "a", equals(14), expect=msg("15.0", "== 14"))
# 1..5: population variance 2, m4 = (16 + 1 + 0 + 1 + 16) / 5 = 6.8, kurtosis 6.8 / 4 - 3 = -1.3
case("t/has_standard_deviation/ok", T, "has_standard_deviation", "a", equals(math.sqrt(2), tolerance=1e-12), expect=OK)
case("t/has_standard_deviation/fail", T, "has_standard_deviation", "a", at_most(1),
     expect=Approx(math.sqrt(2), "Requirement: <= 1."))
case("t/has_variance/ok", T, "has_variance", "a", equals(2, tolerance=1e-12), expect=OK)
case("t/has_variance/fail", T, "has_variance", "a", less_than(1), expect=Approx(2.0, "Requirement: < 1."))
# z = 0, 0, 1, 2: mean 3/4, m2 = 11/16, m3 = 9/32
SKEW_Z = (9 / 32) / (11 / 16) ** 1.5
case("t/has_skewness/ok", T, "has_skewness", "a", equals(0, tolerance=1e-9), expect=OK)
case("t/has_skewness/fail", T, "has_skewness", "z", at_most(0), expect=Approx(SKEW_Z, "Requirement: <= 0."))
case("t/has_kurtosis/ok", T, "has_kurtosis", "a", equals(-1.3, tolerance=1e-9), expect=OK)
case("t/has_kurtosis/fail", T, "has_kurtosis", "a", at_least(0), expect=Approx(-1.3, "Requirement: >= 0."))
case("t/has_approx_count_distinct/ok", T, "has_approx_count_distinct", "s", equals(3), expect=OK)
case("t/has_approx_count_distinct/fail", T, "has_approx_count_distinct", "g", greater_than(2), expect=msg("2.0", "> 2"))
case("t/has_correlation/ok", T, "has_correlation", "a", "i", equals(1, tolerance=1e-12), expect=OK)
case("t/has_correlation/fail", T, "has_correlation", "a", "b", greater_than(0.9),  # pairs without a NULL
     expect=Approx(statistics.correlation([1, 2, 3, 5], [2, 3, 1, 6]), "Requirement: > 0.9."))
case("t/has_zeros_count/ok", T, "has_zeros_count", "z", equals(2), expect=OK)
case("t/has_zeros_count/asserts-on-int", T, "has_zeros_count", "z", lambda v: is_int(v) and v == 2, expect=OK)
case("t/has_zeros_count/fail", T, "has_zeros_count", "z", less_than(2), expect=msg("2", "< 2"))
case("t/has_zeros_count/where", T, "has_zeros_count", "z", equals(0), where="g = 'q'", expect=OK)

# predicates: a NULL predicate is a failure (Deequ's Compliance)
case("t/satisfies/ok", T, "satisfies", "a > 1", "a gt 1", at_least(0.8), expect=OK)  # 4 of 5
case("t/satisfies/default-is-one", T, "satisfies", "a > 0", "a positive", expect=OK)
case("t/satisfies/null-is-failure", T, "satisfies", "b > 0", "b positive", expect=msg("0.8", "== 1"))  # NULL row
case("t/satisfies/fail", T, "satisfies", "b > 1", "b gt 1", expect=msg("0.6", "== 1"))  # 2, 3, 6 of 5 rows
case("t/satisfies/where", T, "satisfies", "b > 0", "b pos where", where="b IS NOT NULL", expect=OK)
case("t/satisfies/sql-string", T, "satisfies", "s = 'O''Brien' OR s IN ('x', 'y')", "known s",
     at_least(0.8), expect=OK)
case("t/is_non_negative/null-passes", T, "is_non_negative", "z", expect=OK)  # 0, 0, 1, 2, NULL
case("t/is_non_negative/fail", T, "is_non_negative", "f", expect=msg("0.8", "== 1"))  # -0.5 fails, NULL passes
case("t/is_non_negative/assertion", T, "is_non_negative", "f", at_least(0.8), expect=OK)
case("t/is_positive/null-passes", T, "is_positive", "b", expect=OK)  # 2, 3, 1, 6, NULL
case("t/is_positive/fail", T, "is_positive", "z", expect=msg("0.6", "== 1"))  # the two zeros fail
case("t/is_positive/zero-fails", T, "is_positive", "f", expect=msg("0.6", "== 1"))  # -0.5 and 0.0 fail
case("t/is_less_than/ok", T, "is_less_than", "a", "i", expect=OK)
case("t/is_less_than/fail", T, "is_less_than", "a", "b", expect=msg("0.6", "== 1"))  # 3 < 1 false, 4 < NULL
case("t/is_less_than/null-left", T, "is_less_than", "b", "i", expect=msg("0.8", "== 1"))  # NULL < 40
case("t/is_less_than/null-right", T, "is_less_than", "a", "z", lambda v: v == 0, expect=OK)  # a > z, 5 vs NULL
case("t/is_less_than/where", T, "is_less_than", "a", "b", where="a <> 3 AND b IS NOT NULL", expect=OK)
case("t/is_less_than_or_equal_to/ok", T, "is_less_than_or_equal_to", "a", "i", expect=OK)
case("t/is_less_than_or_equal_to/equal", T, "is_less_than_or_equal_to", "a", "a", expect=OK)
case("t/is_less_than_or_equal_to/null-fails", T, "is_less_than_or_equal_to", "z", "a",
     expect=msg("0.8", "== 1"))  # 0<=1, 0<=2, 1<=3, 2<=4, NULL<=5
case("t/is_greater_than/ok", T, "is_greater_than", "i", "a", expect=OK)
case("t/is_greater_than/equal-fails", T, "is_greater_than", "a", "a", expect=msg("0.0", "== 1"))
case("t/is_greater_than/fail", T, "is_greater_than", "b", "a", expect=msg("0.6", "== 1"))  # 1 > 3, NULL > 4
case("t/is_greater_than_or_equal_to/ok", T, "is_greater_than_or_equal_to", "i", "a", expect=OK)
case("t/is_greater_than_or_equal_to/null-fails", T, "is_greater_than_or_equal_to", "a", "z",
     expect=msg("0.8", "== 1"))  # 5 >= NULL
case("t/is_greater_than_or_equal_to/assertion-hint", T, "is_greater_than_or_equal_to", "a", "z", equals(1),
     "z must not exceed a", expect="Value: 0.8 does not meet the constraint requirement! z must not exceed a")

# is_contained_in: NULL passes; values with quotes; numeric ranges
case("t/is_contained_in/ok-null-passes", T, "is_contained_in", "s", ["x", "y", "O'Brien"], expect=OK)
case("t/is_contained_in/fail", T, "is_contained_in", "s", ["x", "y"], expect=msg("0.8", "== 1"))  # O'Brien
case("t/is_contained_in/quote-only-value", T, "is_contained_in", "s", ["O'Brien"], equals(0.4), expect=OK)
case("t/is_contained_in/assertion", T, "is_contained_in", "g", ["p"], between(0.39, 0.41), expect=OK)
case("t/is_contained_in/hint", T, "is_contained_in", "g", ["p"], None, "only p",
     expect="Value: 0.4 does not meet the constraint requirement! only p")
case("t/is_contained_in/numbers", T, "is_contained_in", "b", [1, 2, 3, 6], expect=OK)
case("t/is_contained_in/number-strings", T, "is_contained_in", "a", ["1", "2", "3"], expect=msg("0.6", "== 1"))
case("t/is_contained_in/where", T, "is_contained_in", "s", ["x"], where="a IN (1, 3, 4)", expect=OK)
# f = 1.5, -0.5, NULL, 2.0, 0.0
case("t/is_contained_in/range-inclusive", T, "is_contained_in", "f", lower_bound=-0.5, upper_bound=2.0, expect=OK)
case("t/is_contained_in/range-exclusive-lower", T, "is_contained_in", "f", lower_bound=-0.5, upper_bound=2.0,
     include_lower_bound=False, expect=msg("0.8", "== 1"))
case("t/is_contained_in/range-exclusive-upper", T, "is_contained_in", "f", lower_bound=-0.5, upper_bound=2.0,
     include_upper_bound=False, expect=msg("0.8", "== 1"))
case("t/is_contained_in/range-exclusive-both", T, "is_contained_in", "f", lower_bound=-0.5, upper_bound=2.0,
     include_lower_bound=False, include_upper_bound=False, expect=msg("0.6", "== 1"))
case("t/is_contained_in/range-int-column", T, "is_contained_in", "z", lower_bound=0, upper_bound=1,
     expect=msg("0.8", "== 1"))  # 2 is out, NULL is in
case("t/is_contained_in/range-infinite", T, "is_contained_in", "f", lower_bound=-math.inf, upper_bound=math.inf,
     expect=OK)
case("t/is_contained_in/range-hint", T, "is_contained_in", "f", hint="f out of range", lower_bound=0,
     upper_bound=1, expect="Value: 0.4 does not meet the constraint requirement! f out of range")  # 0.0 and NULL

case("t/custom_sql/ok", T, "custom_sql", "SELECT count(*) FROM dataset WHERE g = 'q'", equals(3), expect=OK)
case("t/custom_sql/fail", T, "custom_sql", "SELECT count(*) FROM dataset WHERE g = 'q'", equals(2),
     expect=msg("3.0", "== 2"))
case("t/custom_sql/sql-error", T, "custom_sql", "SELECT count(nope) FROM dataset", equals(2), expect=Contains("nope"))

# ==================================================================================================
# TYPES: has_data_type ratios (Null over all rows; the others over the non-NULL rows)
# ==================================================================================================
TYPES = pa.table({
    "s": pa.array(["1", "2.5", "true", "abc", None], pa.string()),  # Integral, Fractional, Boolean, String, NULL
    "n": pa.array([1, 2, None, 4, 5], pa.int64()),
    "d": pa.array([1.5, None, None, 2.0, 3.25], pa.float64()),
    "nul": pa.array([None] * 5, pa.string()),
})
Y = TYPES
case("types/null/ratio-over-all-rows", Y, "has_data_type", "s", "Null", equals(0.2), expect=OK)
case("types/null/fail", Y, "has_data_type", "s", "Null", expect=msg("0.2", "== 1"))
case("types/null/all-null", Y, "has_data_type", "nul", ConstrainableDataTypes.NULL, expect=OK)
case("types/integral/ratio-over-non-null", Y, "has_data_type", "s", "Integral", equals(0.25), expect=OK)
case("types/integral/int-column-with-nulls", Y, "has_data_type", "n", "Integral", expect=OK)
case("types/integral/fail", Y, "has_data_type", "d", "Integral", expect=msg("0.0", "== 1"))
case("types/fractional/ok", Y, "has_data_type", "d", ConstrainableDataTypes.FRACTIONAL, expect=OK)
case("types/fractional/string", Y, "has_data_type", "s", "fractional", at_most(0.25), expect=OK)
case("types/fractional/fail", Y, "has_data_type", "n", "Fractional", expect=msg("0.0", "== 1"))
case("types/numeric/is-fractional-plus-integral", Y, "has_data_type", "s", "Numeric", equals(0.5), expect=OK)
case("types/numeric/int", Y, "has_data_type", "n", "Numeric", expect=OK)
case("types/numeric/double", Y, "has_data_type", "d", "Numeric", expect=OK)
case("types/numeric/fail", Y, "has_data_type", "s", "Numeric", at_least(0.6), expect=msg("0.5", ">= 0.6"))
case("types/boolean/ok", Y, "has_data_type", "s", "Boolean", equals(0.25), expect=OK)
case("types/boolean/fail", Y, "has_data_type", "s", "Boolean", expect=msg("0.25", "== 1"))
case("types/string/ok", Y, "has_data_type", "s", "String", equals(0.25), expect=OK)
case("types/string/no-values", Y, "has_data_type", "nul", "String", expect=msg("0.0", "== 1"))
case("types/string/fail-hint", Y, "has_data_type", "s", "String", None, "mostly not text",
     expect="Value: 0.25 does not meet the constraint requirement! mostly not text")

# ==================================================================================================
# PATTERNS: has_pattern and the built-in patterns (NULL never matches: ratios over all rows)
# ==================================================================================================
PATTERNS = pa.table({
    "email": pa.array(["ann@example.com", "bob.smith@mail.org", "no email here", None], pa.string()),
    "url": pa.array(["https://example.com/path", "ftp://files.example.org/x", "example.com", None], pa.string()),
    "cc": pa.array(["4111111111111111", "4111 1111 1111 1111", "1234 5678", None], pa.string()),
    "ssn": pa.array(["123-45-6789", "123 45 6789", "000-12-3456", None], pa.string()),  # area 000 is invalid
    "code": pa.array(["AB-1", "CD-2", "EF-3", None], pa.string()),
})
P = PATTERNS
case("patterns/has_pattern/null-is-non-match", P, "has_pattern", "code", r"^[A-Z]{2}-\d$", expect=msg("0.75", "== 1"))
case("patterns/has_pattern/where", P, "has_pattern", "code", r"^[A-Z]{2}-\d$", where="code IS NOT NULL", expect=OK)
case("patterns/has_pattern/search", P, "has_pattern", "code", r"\d", equals(0.75), expect=OK)
case("patterns/has_pattern/named", P, "has_pattern", "code", "-", at_least(0.75), name="has a dash", expect=OK)
case("patterns/has_pattern/fail", P, "has_pattern", "email", "@", greater_than(0.5), expect=msg("0.5", "> 0.5"))
case("patterns/contains_email/ok", P, "contains_email", "email", equals(0.5), expect=OK)
case("patterns/contains_email/fail", P, "contains_email", "email", expect=msg("0.5", "== 1"))
case("patterns/contains_url/ok", P, "contains_url", "url", equals(0.5), expect=OK)
case("patterns/contains_url/fail", P, "contains_url", "url", expect=msg("0.5", "== 1"))
case("patterns/contains_credit_card_number/ok", P, "contains_credit_card_number", "cc", equals(0.5), expect=OK)
case("patterns/contains_credit_card_number/fail", P, "contains_credit_card_number", "cc", None, "no card numbers",
     expect="Value: 0.5 does not meet the constraint requirement! no card numbers")
case("patterns/contains_social_security_number/ok", P, "contains_social_security_number", "ssn", equals(0.5),
     expect=OK)
case("patterns/contains_social_security_number/fail", P, "contains_social_security_number", "ssn",
     expect=msg("0.5", "== 1"))


# ==================================================================================================
# DATES: has_min / has_max on date and timestamp columns compare with date and timestamp bounds
# ==================================================================================================
DATES = pa.table({
    "d": pa.array([dt.date(2020, 1, 5), dt.date(2021, 3, 1), None], pa.date32()),
    "ts": pa.array([dt.datetime(2020, 1, 5, 10, 30), dt.datetime(2021, 3, 1), None], pa.timestamp("us")),
})
DT = DATES
case("dates/has_min/ok", DT, "has_min", "d", at_least(dt.date(2020, 1, 1)), expect=OK)
case("dates/has_min/text", DT, "has_min", "d", "== 2020-01-05", expect=OK)
case("dates/has_min/fail", DT, "has_min", "d", ">= 2020-01-06", expect=msg("2020-01-05", ">= 2020-01-06"))
case("dates/has_max/between", DT, "has_max", "d", between(dt.date(2021, 1, 1), dt.date(2021, 12, 31)), expect=OK)
case("dates/has_max/where", DT, "has_max", "d", equals(dt.date(2020, 1, 5)), where="ts < '2021-01-01'", expect=OK)
case("dates/has_min/timestamp", DT, "has_min", "ts", at_least(dt.datetime(2020, 1, 5, 10, 30)), expect=OK)
case("dates/has_min/timestamp-fail", DT, "has_min", "ts", "> 2020-01-05T10:30:00",
     expect=msg("2020-01-05 10:30:00", "> 2020-01-05T10:30:00"))
case("dates/has_max/number-bound", DT, "has_max", "d", at_least(5),
     expect="Can't execute the assertion: expected a number, got date datetime.date(2021, 3, 1)!")


def _param(c: Case):
    marks = [pytest.mark.xfail(strict=True, reason=f"dq bug: {c.bug}")] if c.bug else []
    return pytest.param(c, id=c.id, marks=marks)


def run(backend_data, data: pa.Table, *checks: Check):
    suite = VerificationSuite().on_data(backend_data(data))
    for c in checks:
        suite = suite.add_check(c)
    return suite.run()


# -- the table itself --------------------------------------------------------------------------------

CHECK_METHODS = sorted(BUILDERS)


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_check_method_is_a_builder():
    public = {n for n in dir(Check) if not n.startswith("_") and callable(getattr(Check, n))}
    plumbing = {"add", "add_constraint", "where", "required_analyzers"}
    assert public - plumbing == set(BUILDERS)


@pytest.mark.parametrize("method", CHECK_METHODS)
def test_every_check_method_has_a_passing_and_a_failing_case(method: str):
    mine = [c for c in CASES if c.method == method and not c.bug]
    assert any(isinstance(c.expected, Ok) for c in mine), f"{method}: no passing case"
    assert any(not isinstance(c.expected, Ok) for c in mine), f"{method}: no failing case"


# -- every case alone ------------------------------------------------------------------------------

@pytest.mark.parametrize("c", [_param(c) for c in CASES])
def test_constraint_case(c: Case, backend_data):
    check = c.check()
    assert len(check.constraints) == 1
    result = run(backend_data, c.data, check)
    (cr,) = result.check_results
    (r,) = cr.constraint_results
    problem = mismatch(r.status, r.message, c.expected)
    assert problem is None, f"{c.id} {r.constraint.name}: {problem}"
    failed = r.status is FAILURE
    assert cr.status is (CheckStatus.ERROR if failed else CheckStatus.SUCCESS)
    assert result.status is cr.status
    assert r.metric is not None and r.metric is result.metrics[r.constraint.analyzer]


# -- all cases of a table in one suite ---------------------------------------------------------------

BY_TABLE: dict[str, list[Case]] = {}
for _c in CASES:
    BY_TABLE.setdefault(_c.id.split("/")[0], []).append(_c)


@pytest.mark.parametrize("name", sorted(BY_TABLE))
def test_cases_in_one_suite(name: str, backend_data):
    """A constraint's result does not depend on what else the suite computes; each case is its
    own check, Warning and Error alternating."""
    cases = [c for c in BY_TABLE[name] if not c.bug]
    levels = [CheckLevel.WARNING if k % 2 else CheckLevel.ERROR for k in range(len(cases))]
    checks = [c.check(lv) for c, lv in zip(cases, levels)]
    result = run(backend_data, cases[0].data, *checks)
    problems = []
    for c, lv, cr in zip(cases, levels, result.check_results):
        (r,) = cr.constraint_results
        p = mismatch(r.status, r.message, c.expected)
        if p:
            problems.append(f"{c.id}: {p}")
        want = CheckStatus.SUCCESS if r.status is SUCCESS else CheckStatus(lv.value)
        if cr.status is not want:
            problems.append(f"{c.id}: check status {cr.status} != {want}")
    assert not problems, "\n".join(problems)
    statuses = {cr.status for cr in result.check_results}
    worst = max(statuses, key=lambda s: s.rank)
    assert result.status is worst


# -- .where() rebuilds exactly the last constraint's analyzer with the filter ---------------------------

@pytest.mark.parametrize("c", [pytest.param(c, id=c.id) for c in CASES if c.where is None and not c.bug])
def test_where_filters_the_analyzer(c: Case):
    check = c.check()
    (con,) = check.constraints
    if not con.filterable:
        with pytest.raises(InvalidOptionError, match="where"):
            check.where("TRUE")
        return
    (filtered,) = check.where("a_col > 1").constraints
    assert filtered.analyzer == dataclasses.replace(con.analyzer, where="a_col > 1")
    assert filtered.where == "a_col > 1"
    assert filtered.method == con.method and filtered.assertion == con.assertion and filtered.hint == con.hint


# ==================================================================================================
# Evaluation edge cases
# ==================================================================================================

def _results(result) -> list[tuple[str, str, str | None]]:
    return [(cr.check.description, r.status.value, r.message) for cr, r in result.constraint_results()]


def test_raising_assertion_fails_only_its_constraint(backend_data):
    def boom(v):
        raise ValueError("no good")

    check = (Check(CheckLevel.ERROR, "c").has_size(equals(5)).has_mean("a", boom).has_max("a", equals(5))
             .has_min("a", lambda v: 1 / 0))
    other = Check(CheckLevel.WARNING, "other").is_complete("a")
    result = run(backend_data, T, check, other)
    assert _results(result) == [
        ("c", "Success", None),
        ("c", "Failure", "Can't execute the assertion: no good!"),
        ("c", "Success", None),
        ("c", "Failure", "Can't execute the assertion: division by zero!"),
        ("other", "Success", None),
    ]
    assert result.status is CheckStatus.ERROR


def test_wrong_kind_of_value_is_an_assertion_error(backend_data):
    # a histogram given to '>= 0.5': the assertion cannot compare it
    result = run(backend_data, T, Check(CheckLevel.ERROR, "c").has_histogram_values("g", at_least(0.5)))
    (r,) = result.check_results[0].constraint_results
    assert r.status is FAILURE
    assert r.message.startswith("Can't execute the assertion: expected a number, got Distribution")
    assert r.message.endswith("!")


def test_missing_column_fails_only_its_constraint(backend_data):
    check = (Check(CheckLevel.ERROR, "c").is_complete("a").is_complete("sx").has_mean("a", equals(3))
             .is_less_than("a", "bb").is_unique("g"))
    other = Check(CheckLevel.WARNING, "other").has_max("i", equals(50)).has_min("zz", equals(0))
    result = run(backend_data, T, check, other)
    rows = _results(result)
    assert [s for _, s, _ in rows] == ["Success", "Failure", "Success", "Failure", "Failure", "Success", "Failure"]
    m_sx, m_bb, m_zz = rows[1][2], rows[3][2], rows[6][2]
    assert "column 'sx' does not exist" in m_sx and "Did you mean 's'" in m_sx
    assert "column 'bb' does not exist" in m_bb and "Did you mean 'b'" in m_bb
    assert "column 'zz' does not exist" in m_zz and "Did you mean 'z'" in m_zz
    assert rows[4][2] == msg("0.0", "== 1")  # g is not unique: evaluated although its neighbours failed
    assert [cr.status for cr in result.check_results] == [CheckStatus.ERROR, CheckStatus.WARNING]


def test_missing_column_in_a_predicate(backend_data):
    result = run(backend_data, T, Check(CheckLevel.ERROR, "c").satisfies("sz > 0", "sz pos").has_size(equals(5)))
    (bad, good) = result.check_results[0].constraint_results
    assert bad.status is FAILURE and "column 'sz' does not exist" in bad.message
    assert "Did you mean 'z' or 's'?" in bad.message
    assert good.status is SUCCESS


def test_runtime_error_fails_only_its_constraint(backend_data):
    # the cast fails at run time on 'x' (or 'y': a distributed engine names the first malformed
    # value one of its tasks met); the constraints sharing its scan still get their values
    check = (Check(CheckLevel.ERROR, "c").satisfies("CAST(s AS INTEGER) > 0", "s numeric").is_complete("b")
             .has_size(equals(5)))
    rows = _results(run(backend_data, T, check))
    assert rows[0][1] == "Failure" and ("'x'" in rows[0][2] or "'y'" in rows[0][2])
    assert rows[1:] == [("c", "Failure", msg("0.8", "== 1")), ("c", "Success", None)]


def test_bad_where_predicate_fails_only_its_constraint(backend_data):
    check = Check(CheckLevel.ERROR, "c").is_complete("a").where("a >>> 1").is_complete("a")
    rows = _results(run(backend_data, T, check))
    assert rows[0][1] == "Failure" and "a >>> 1" in rows[0][2]
    assert rows[1] == ("c", "Success", None)


NONE = "a > 100"  # keeps no row of T

EMPTY_UNDER_WHERE = [
    ("is_complete", ("b",)),
    ("has_completeness", ("b", at_least(0.9))),
    ("are_complete", (["a", "b"],)),
    ("is_unique", ("s",)),
    ("is_primary_key", ("g",)),
    ("has_uniqueness", ("g", equals(1))),
    ("has_distinctness", ("g", equals(1))),
    ("has_unique_value_ratio", ("g", equals(1))),
    ("has_entropy", ("g", equals(1))),
    ("has_mutual_information", ("g", "z", equals(1))),
    ("has_approx_quantile", ("a", 0.5, equals(100))),
    ("has_exact_quantile", ("a", 0.5, equals(100))),
    ("has_interquartile_range", ("a", equals(100))),
    ("has_min_length", ("s", equals(100))),
    ("has_max_length", ("s", equals(100))),
    ("has_min", ("a", equals(100))),
    ("has_max", ("a", equals(100))),
    ("has_range", ("a", equals(100))),
    ("has_mean", ("a", equals(100))),
    ("has_sum", ("a", equals(100))),
    ("has_standard_deviation", ("a", equals(100))),
    ("has_variance", ("a", equals(100))),
    ("has_skewness", ("a", equals(100))),
    ("has_kurtosis", ("a", equals(100))),
    ("has_correlation", ("a", "i", equals(100))),
    ("satisfies", ("a < 0", "never")),
    ("has_pattern", ("s", "^never$")),
    ("is_non_negative", ("f",)),
    ("is_positive", ("z",)),
    ("is_less_than", ("i", "a")),
    ("is_contained_in", ("s", ["nothing"])),
]


@pytest.mark.parametrize("method,args", [pytest.param(m, a, id=m) for m, a in EMPTY_UNDER_WHERE])
def test_empty_state_under_where_is_success(method: str, args: tuple, backend_data):
    """Deequ: when the filter keeps no row, no row violates the constraint (the metric itself
    fails with an empty state); without the filter the same constraint fails."""
    check = getattr(Check(CheckLevel.ERROR, "c"), method)(*args)
    filtered = check.where(NONE)
    result = run(backend_data, T, check, filtered)
    unfiltered_r, = result.check_results[0].constraint_results
    filtered_r, = result.check_results[1].constraint_results
    assert unfiltered_r.status is FAILURE, unfiltered_r
    assert filtered_r.status is SUCCESS and filtered_r.message is None
    assert not filtered_r.metric.is_success and "Empty state" in filtered_r.metric.error


def test_counts_under_an_empty_where_are_zero(backend_data):
    check = (Check(CheckLevel.ERROR, "c").has_size(equals(0)).where(NONE).has_size(at_least(1)).where(NONE)
             .has_zeros_count("z", equals(0)).where(NONE).has_number_of_distinct_values("g", equals(0)).where(NONE)
             .has_duplicate_row_count(["g"], equals(0)).where(NONE))
    rows = _results(run(backend_data, T, check))
    assert rows == [("c", "Success", None), ("c", "Failure", msg("0", ">= 1")), ("c", "Success", None),
                    ("c", "Success", None), ("c", "Success", None)]


EMPTY = pa.table({"a": pa.array([], pa.int64()), "s": pa.array([], pa.string())})


def test_empty_table_without_where_fails_with_a_reason(backend_data):
    check = (Check(CheckLevel.ERROR, "c").has_size(equals(0)).is_complete("a").has_mean("a", at_least(0))
             .is_unique("s").has_min("a", at_least(0)).satisfies("a > 0", "a pos").has_zeros_count("a", equals(0)))
    rows = _results(run(backend_data, EMPTY, check))
    assert rows[0] == ("c", "Success", None)
    assert rows[-1] == ("c", "Success", None)
    for (_, status, message), name in zip(rows[1:-1], ["Completeness", "Mean", "Uniqueness", "Minimum", "Compliance"]):
        assert status == "Failure"
        assert message.startswith(f"Empty state for analyzer {name}(") and "all input values were NULL" in message


def test_all_null_column_without_where_fails_with_a_reason(backend_data):
    data = pa.table({"a": pa.array([None, None], pa.int64())})
    check = Check(CheckLevel.ERROR, "c").has_mean("a", at_least(0)).is_complete("a").has_max("a", at_most(1))
    rows = _results(run(backend_data, data, check))
    assert rows[0][1] == "Failure" and rows[0][2].startswith("Empty state for analyzer Mean(")
    assert rows[1] == ("c", "Failure", msg("0.0", "== 1"))
    assert rows[2][1] == "Failure" and rows[2][2].startswith("Empty state for analyzer Maximum(")


NAN_DATA = pa.table({"x": pa.array([1.0, math.nan, 3.0], pa.float64()), "y": pa.array([1.0, 2.0, 3.0])})


@pytest.mark.parametrize("assertion,text", [
    (at_least(0), ">= 0"), (at_most(10), "<= 10"), (greater_than(-1), "> -1"), (less_than(1e9), "< 1000000000"),
    (equals(2), "== 2"), (equals(2, tolerance=1e9), "== 2 +- 1000000000"), (not_equal(2), "!= 2"),
    (between(-1e9, 1e9), "between -1000000000 and 1000000000"),
    (between(0, 10, include_lower=False), "in (0, 10]"),
])
def test_nan_metric_fails_every_comparison(assertion, text, backend_data):
    result = run(backend_data, NAN_DATA, Check(CheckLevel.ERROR, "c").has_mean("x", assertion).has_sum("x", text))
    for r in result.check_results[0].constraint_results:
        assert r.status is FAILURE
        assert r.message == msg("NaN", text)


def test_callable_sees_nan(backend_data):
    result = run(backend_data, NAN_DATA, Check(CheckLevel.ERROR, "c").has_max("x", math.isnan))
    assert result.status is CheckStatus.SUCCESS


def test_where_applies_only_to_the_last_constraint(backend_data):
    check = (Check(CheckLevel.ERROR, "c").is_complete("b").is_complete("b").where("b IS NOT NULL")
             .has_size(equals(5)).has_size(equals(3)).where("b > 1"))
    assert [c.where for c in check.constraints] == [None, "b IS NOT NULL", None, "b > 1"]
    rows = _results(run(backend_data, T, check))
    assert rows == [("c", "Failure", msg("0.8", "== 1")), ("c", "Success", None), ("c", "Success", None),
                    ("c", "Success", None)]


def test_where_twice_replaces_the_filter():
    check = Check(CheckLevel.ERROR, "c").has_size(equals(1)).where("a > 1").where("a > 2")
    assert check.constraints[0].analyzer == Size(where="a > 2")


def test_where_leaves_the_original_check_unchanged():
    base = Check(CheckLevel.ERROR, "c").is_complete("b")
    filtered = base.where("a > 1")
    assert base.constraints[0].analyzer == Completeness("b")
    assert filtered.constraints[0].analyzer == Completeness("b", where="a > 1")


@pytest.mark.parametrize("build,method", [
    (lambda c: c.has_column("a"), "has_column"),
    (lambda c: c.has_column_count(equals(7)), "has_column_count"),
    (lambda c: c.kll_sketch_satisfies("a", number_of_buckets(equals(2))), "kll_sketch_satisfies"),
    (lambda c: c.custom_sql("SELECT 1", equals(1)), "custom_sql"),
])
def test_where_on_an_unfilterable_constraint_raises(build, method):
    check = build(Check(CheckLevel.ERROR, "c").is_complete("a"))
    with pytest.raises(InvalidOptionError, match=rf"'where'.*{method} cannot be filtered") as e:
        check.where("a > 1")
    assert e.value.option == "where"


def test_where_without_a_constraint_raises():
    with pytest.raises(InvalidOptionError, match="'where' must be called after a constraint") as e:
        Check(CheckLevel.ERROR, "c").where("a > 1")
    assert e.value.option == "where"


def test_missing_metric_and_unreadable_value():
    con = Check(CheckLevel.ERROR, "c").has_data_type("a", "Integral").constraints[0]
    missing = con.evaluate(None)
    assert (missing.status, missing.message) == (FAILURE, "Missing Analysis, can't run the constraint!")
    scalar = Metric(Entity.COLUMN, "a", "Histogram", 0.5)  # not a type distribution
    bad = con.evaluate(scalar)
    assert bad.status is FAILURE and bad.message.startswith("Can't retrieve the value to assert on: ")
    assert bad.message.endswith("!")
    failed = Metric(Entity.COLUMN, "a", "Mean", error="it broke")
    r = Check(CheckLevel.ERROR, "c").has_mean("a", at_least(0)).constraints[0].evaluate(failed)
    assert (r.status, r.message, r.metric) == (FAILURE, "it broke", failed)


# -- options rejected when the check is built ---------------------------------------------------------

@pytest.mark.parametrize("build,option,found", [
    (lambda c: c.has_data_type("a", "integer"), "data_type", "integer"),
    (lambda c: c.has_data_type("a", 3), "data_type", 3),
    (lambda c: c.is_contained_in("a", ["1"], lower_bound=0, upper_bound=1), "allowed_values", ["1"]),
    (lambda c: c.is_contained_in("a", ["1"], upper_bound=1), "allowed_values", ["1"]),
    (lambda c: c.is_contained_in("a"), "allowed_values", None),
    (lambda c: c.is_contained_in("a", lower_bound=0), "allowed_values", None),
    (lambda c: c.is_contained_in("a", "abc"), "allowed_values", "abc"),
    (lambda c: c.is_contained_in("a", []), "allowed_values", []),
    (lambda c: c.is_contained_in("a", lower_bound="0", upper_bound=1), "lower_bound", "0"),
    (lambda c: c.is_contained_in("a", lower_bound=0, upper_bound=math.nan), "upper_bound", math.nan),
    (lambda c: c.is_contained_in("a", lower_bound=0, upper_bound=1, assertion=equals(1)), "assertion", equals(1)),
    (lambda c: c.has_size("=> 3"), "assertion", "=> 3"),
    (lambda c: c.has_size(None), "assertion", None),
    (lambda c: c.has_mean("a", 3), "assertion", 3),
    (lambda c: c.is_complete("a", hint=3), "hint", 3),
    (lambda c: c.is_complete("a", options={"null_behavior": "Nope"}), "null_behavior", None),
    (lambda c: c.add("has_siz", assertion=equals(1)), "constraint", "has_siz"),
    (lambda c: c.add_constraint("is_complete"), "constraint", "is_complete"),
])
def test_bad_options_name_the_option(build, option, found):
    with pytest.raises(InvalidOptionError) as e:
        build(Check(CheckLevel.ERROR, "c"))
    assert e.value.option == option, str(e.value)
    assert f"'{option}'" in str(e.value)
    if found is not None and not (isinstance(found, float) and math.isnan(found)):
        assert e.value.found in (found, getattr(found, "text", found))


def test_bad_data_type_lists_the_valid_names():
    with pytest.raises(InvalidOptionError) as e:
        Check(CheckLevel.ERROR, "c").has_data_type("a", "integer")
    for t in ConstrainableDataTypes:
        assert repr(t.value) in str(e.value)
    assert "'integer'" in str(e.value)


def test_unknown_method_suggests_the_closest():
    with pytest.raises(InvalidOptionError, match="did you mean 'has_size'"):
        Check(CheckLevel.ERROR, "c").add("has_siz", assertion=equals(1))


@pytest.mark.parametrize("level,expected", [
    ("error", CheckLevel.ERROR), ("Warning", CheckLevel.WARNING), ("WARNING", CheckLevel.WARNING),
    (CheckLevel.ERROR, CheckLevel.ERROR),
])
def test_level_names(level, expected):
    assert Check(level, "c").level is expected


@pytest.mark.parametrize("level", ["fatal", 1, None])
def test_bad_level(level):
    with pytest.raises(InvalidOptionError) as e:
        Check(level, "c")
    assert e.value.option == "level"


def test_check_is_immutable_and_builders_return_new_checks():
    base = Check(CheckLevel.ERROR, "c")
    one = base.is_complete("a")
    two = one.has_size(equals(5))
    assert (len(base.constraints), len(one.constraints), len(two.constraints)) == (0, 1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.description = "other"  # type: ignore[misc]
    assert two.required_analyzers() == [Completeness("a"), Size()]
    assert Check(CheckLevel.ERROR, "c").has_mean("a", equals(1)).has_mean("a", equals(2)).required_analyzers() == [
        Mean("a")]


@pytest.mark.parametrize("build,name", [
    (lambda c: c.has_size(equals(1)), "SizeConstraint(Size())"),
    (lambda c: c.has_size(equals(1)).where("a > 1"), "SizeConstraint(Size(where='a > 1'))"),
    (lambda c: c.is_complete("a"), "CompletenessConstraint(Completeness(a))"),
    (lambda c: c.is_unique("a"), "UniquenessConstraint(Uniqueness(a))"),
    (lambda c: c.is_primary_key("a", "b"), "UniquenessConstraint(Uniqueness(a,b))"),
    (lambda c: c.has_mean("a", equals(1)), "MeanConstraint(Mean(a))"),
    (lambda c: c.has_column("a"), "ColumnExistsConstraint(a)"),
    (lambda c: c.contains_email("e"), "containsEmail(e)"),
    (lambda c: c.contains_url("e"), "containsURL(e)"),
    (lambda c: c.has_pattern("code", "-", name="has a dash"), "has a dash"),  # the given name is the whole name
    (lambda c: c.has_pattern("code", "-", name="has a dash").where("a > 1"), "has a dash"),
])
def test_constraint_names(build, name):
    (con,) = build(Check(CheckLevel.ERROR, "c")).constraints
    assert con.name == str(con) == name
