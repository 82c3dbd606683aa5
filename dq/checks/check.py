"""``Check``: an immutable, fluent list of constraints at one level (Deequ's ``Check``).

Every method returns a new Check; ``.where(predicate)`` filters the last constraint added.
Assertions are named assertion objects (``at_least(0.9)``), their text (``">= 0.9"``) or a plain
callable (``lambda v: v >= 0.9``). Null semantics follow Deequ and are stated per method.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dq.analyzers.base import Analyzer
from dq.checks.constraints import Constraint, build_constraint
from dq.errors import InvalidOptionError

__all__ = ["Check", "CheckLevel", "CheckStatus"]


class CheckLevel(str, enum.Enum):
    ERROR = "Error"
    WARNING = "Warning"

    def __str__(self) -> str:
        return self.value


class CheckStatus(str, enum.Enum):
    """Ordered: SUCCESS < WARNING < ERROR (a suite's status is the worst of its checks)."""

    SUCCESS = "Success"
    WARNING = "Warning"
    ERROR = "Error"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        return ("Success", "Warning", "Error").index(self.value)


def parse_level(level: Any, *, owner: str | None = None) -> CheckLevel:
    """A CheckLevel from itself or its name ('error' / 'Warning', any case)."""
    if isinstance(level, CheckLevel):
        return level
    if isinstance(level, str):
        for lv in CheckLevel:
            if level.lower() in (lv.value.lower(), lv.name.lower()):
                return lv
    raise InvalidOptionError("level", "CheckLevel.ERROR or CheckLevel.WARNING ('error' / 'warning')", level,
                             owner=owner)


@dataclass(frozen=True)
class Check:
    """``Check(CheckLevel.ERROR, "reviews").has_size(at_least(3_000_000)).is_complete("review_id")``"""

    level: CheckLevel
    description: str
    constraints: tuple[Constraint, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", parse_level(self.level))
        if not isinstance(self.description, str):
            raise InvalidOptionError("description", "a string", self.description, owner="Check")
        object.__setattr__(self, "constraints", tuple(self.constraints))

    # -- composition ---------------------------------------------------------------------
    def add(self, method: str, **arguments: Any) -> Check:
        """Add the constraint that the Check method ``method`` builds from ``arguments``."""
        return Check(self.level, self.description, self.constraints + (build_constraint(method, arguments),))

    def add_constraint(self, constraint: Constraint) -> Check:
        if not isinstance(constraint, Constraint):
            raise InvalidOptionError("constraint", "a Constraint", constraint, owner="Check")
        return Check(self.level, self.description, self.constraints + (constraint,))

    def where(self, predicate: str) -> Check:
        """Filter the last constraint added: only rows where ``predicate`` holds are considered."""
        if not self.constraints:
            raise InvalidOptionError("where", "called after a constraint", predicate, owner="Check")
        last = self.constraints[-1].with_where(predicate)
        return Check(self.level, self.description, self.constraints[:-1] + (last,))

    def required_analyzers(self) -> list[Analyzer]:
        return list(dict.fromkeys(c.analyzer for c in self.constraints))

    def __repr__(self) -> str:
        return f"Check({self.level}, {self.description!r}, {len(self.constraints)} constraints)"

    # -- dataset --------------------------------------------------------------------------
    def has_size(self, assertion: Any, hint: str | None = None) -> Check:
        """Number of rows (passing the filter)."""
        return self.add("has_size", assertion=assertion, hint=hint)

    def has_column_count(self, assertion: Any, hint: str | None = None) -> Check:
        """Number of columns (not filterable)."""
        return self.add("has_column_count", assertion=assertion, hint=hint)

    def has_column(self, column: str, hint: str | None = None) -> Check:
        """The column exists (exact name); a missing column fails this constraint, not the run."""
        return self.add("has_column", column=column, hint=hint)

    # -- completeness ----------------------------------------------------------------------
    def is_complete(self, column: str, hint: str | None = None, *, options: Any = None) -> Check:
        """No NULL in the column (Completeness == 1)."""
        return self.add("is_complete", column=column, hint=hint, options=options)

    def has_completeness(self, column: str, assertion: Any, hint: str | None = None, *, options: Any = None) -> Check:
        """Fraction of non-NULL values."""
        return self.add("has_completeness", column=column, assertion=assertion, hint=hint, options=options)

    def are_complete(self, columns: Sequence[str], hint: str | None = None) -> Check:
        """Every row has all the columns non-NULL."""
        return self.add("are_complete", columns=columns, hint=hint)

    def have_completeness(self, columns: Sequence[str], assertion: Any, hint: str | None = None) -> Check:
        """Fraction of rows with all the columns non-NULL."""
        return self.add("have_completeness", columns=columns, assertion=assertion, hint=hint)

    def are_any_complete(self, columns: Sequence[str], hint: str | None = None) -> Check:
        """Every row has at least one of the columns non-NULL."""
        return self.add("are_any_complete", columns=columns, hint=hint)

    def have_any_completeness(self, columns: Sequence[str], assertion: Any, hint: str | None = None) -> Check:
        """Fraction of rows with at least one of the columns non-NULL."""
        return self.add("have_any_completeness", columns=columns, assertion=assertion, hint=hint)

    # -- uniqueness ------------------------------------------------------------------------
    def is_unique(self, column: str, hint: str | None = None, *, options: Any = None) -> Check:
        """Every non-NULL value occurs once (Uniqueness == 1; NULLs are ignored, as in Deequ)."""
        return self.add("is_unique", column=column, hint=hint, options=options)

    def are_unique(self, columns: Sequence[str], hint: str | None = None, *, options: Any = None) -> Check:
        """Every combination of the columns occurs once (rows whose columns are all NULL ignored)."""
        return self.add("are_unique", columns=columns, hint=hint, options=options)

    def is_primary_key(self, column: str, *columns: str, hint: str | None = None, options: Any = None) -> Check:
        """The columns together are unique. As in Deequ this does not also require completeness:
        add ``are_complete`` for that."""
        return self.add("is_primary_key", columns=(column, *columns), hint=hint, options=options)

    def has_uniqueness(self, columns: str | Sequence[str], assertion: Any, hint: str | None = None, *,
                       options: Any = None) -> Check:
        """Fraction of rows whose value (combination) occurs exactly once."""
        return self.add("has_uniqueness", columns=columns, assertion=assertion, hint=hint, options=options)

    def has_distinctness(self, columns: str | Sequence[str], assertion: Any, hint: str | None = None) -> Check:
        """Distinct values over rows."""
        return self.add("has_distinctness", columns=columns, assertion=assertion, hint=hint)

    def has_unique_value_ratio(self, columns: str | Sequence[str], assertion: Any, hint: str | None = None, *,
                               options: Any = None) -> Check:
        """Values occurring once over distinct values."""
        return self.add("has_unique_value_ratio", columns=columns, assertion=assertion, hint=hint, options=options)

    def has_number_of_distinct_values(self, column: str, assertion: Any, hint: str | None = None, *,
                                      max_bins: int = 1000) -> Check:
        """Number of distinct values, NULL counting as one (Deequ's histogram bins)."""
        return self.add("has_number_of_distinct_values", column=column, assertion=assertion, hint=hint,
                        max_bins=max_bins)

    def has_histogram_values(self, column: str, assertion: Any, hint: str | None = None, *,
                             max_bins: int = 1000) -> Check:
        """An assertion on the histogram (e.g. ``bin_ratio("US", at_least(0.5))`` or a callable
        taking the ``Distribution``)."""
        return self.add("has_histogram_values", column=column, assertion=assertion, hint=hint, max_bins=max_bins)

    def has_duplicate_row_count(self, columns: Sequence[str], assertion: Any, hint: str | None = None, *,
                                options: Any = None) -> Check:
        """Rows whose value combination occurs more than once (Deequ: the sum of the counts of the
        groups with count > 1, so p, p, q, q, q gives 5)."""
        return self.add("has_duplicate_row_count", columns=columns, assertion=assertion, hint=hint, options=options)

    # -- information ---------------------------------------------------------------------
    def has_entropy(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_entropy", column=column, assertion=assertion, hint=hint)

    def has_mutual_information(self, column_a: str, column_b: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_mutual_information", column_a=column_a, column_b=column_b, assertion=assertion,
                        hint=hint)

    # -- quantiles -----------------------------------------------------------------------
    def kll_sketch_satisfies(self, column: str, assertion: Any, hint: str | None = None, *, sketch_size: int = 2048,
                             number_of_buckets: int = 100) -> Check:
        """An assertion on the KLL bucket distribution (e.g. ``number_of_buckets(equals(10))``)."""
        return self.add("kll_sketch_satisfies", column=column, assertion=assertion, hint=hint,
                        sketch_size=sketch_size, number_of_buckets=number_of_buckets)

    def has_approx_quantile(self, column: str, quantile: float, assertion: Any, hint: str | None = None, *,
                            relative_error: float = 0.01) -> Check:
        return self.add("has_approx_quantile", column=column, quantile=quantile, assertion=assertion, hint=hint,
                        relative_error=relative_error)

    def has_exact_quantile(self, column: str, quantile: float, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_exact_quantile", column=column, quantile=quantile, assertion=assertion, hint=hint)

    def has_interquartile_range(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_interquartile_range", column=column, assertion=assertion, hint=hint)

    # -- column statistics ---------------------------------------------------------------
    def has_min_length(self, column: str, assertion: Any, hint: str | None = None, *, options: Any = None) -> Check:
        """Shortest string (NULLs ignored, or as '' with ``options={'null_behavior': 'EmptyString'}``)."""
        return self.add("has_min_length", column=column, assertion=assertion, hint=hint, options=options)

    def has_max_length(self, column: str, assertion: Any, hint: str | None = None, *, options: Any = None) -> Check:
        return self.add("has_max_length", column=column, assertion=assertion, hint=hint, options=options)

    def has_min(self, column: str, assertion: Any, hint: str | None = None, *, options: Any = None) -> Check:
        """Smallest value. On a date or timestamp column the bound is a date or timestamp too
        (``at_least(datetime.date(2020, 1, 1))``, ``">= 2020-01-01"``)."""
        return self.add("has_min", column=column, assertion=assertion, hint=hint, options=options)

    def has_max(self, column: str, assertion: Any, hint: str | None = None, *, options: Any = None) -> Check:
        return self.add("has_max", column=column, assertion=assertion, hint=hint, options=options)

    def has_range(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_range", column=column, assertion=assertion, hint=hint)

    def has_mean(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_mean", column=column, assertion=assertion, hint=hint)

    def has_sum(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_sum", column=column, assertion=assertion, hint=hint)

    def has_standard_deviation(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        """Population standard deviation (as Deequ)."""
        return self.add("has_standard_deviation", column=column, assertion=assertion, hint=hint)

    def has_variance(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_variance", column=column, assertion=assertion, hint=hint)

    def has_skewness(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_skewness", column=column, assertion=assertion, hint=hint)

    def has_kurtosis(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_kurtosis", column=column, assertion=assertion, hint=hint)

    def has_approx_count_distinct(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_approx_count_distinct", column=column, assertion=assertion, hint=hint)

    def has_correlation(self, column_a: str, column_b: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_correlation", column_a=column_a, column_b=column_b, assertion=assertion, hint=hint)

    def has_zeros_count(self, column: str, assertion: Any, hint: str | None = None) -> Check:
        return self.add("has_zeros_count", column=column, assertion=assertion, hint=hint)

    # -- predicates ----------------------------------------------------------------------
    def satisfies(self, predicate: str, constraint_name: str, assertion: Any = None, hint: str | None = None, *,
                  columns: Sequence[str] = (), options: Any = None) -> Check:
        """Fraction of rows for which the SQL ``predicate`` is true (default: all). A NULL
        predicate counts as false, as in Deequ."""
        return self.add("satisfies", predicate=predicate, constraint_name=constraint_name, assertion=assertion,
                        hint=hint, columns=columns, options=options)

    def has_pattern(self, column: str, pattern: str, assertion: Any = None, hint: str | None = None, *,
                    name: str | None = None, options: Any = None) -> Check:
        """Fraction of rows containing a match of ``pattern`` (RE2; search semantics; NULL does
        not match)."""
        return self.add("has_pattern", column=column, pattern=pattern, assertion=assertion, hint=hint, name=name,
                        options=options)

    def contains_credit_card_number(self, column: str, assertion: Any = None, hint: str | None = None) -> Check:
        return self.add("contains_credit_card_number", column=column, assertion=assertion, hint=hint)

    def contains_email(self, column: str, assertion: Any = None, hint: str | None = None) -> Check:
        return self.add("contains_email", column=column, assertion=assertion, hint=hint)

    def contains_url(self, column: str, assertion: Any = None, hint: str | None = None) -> Check:
        return self.add("contains_url", column=column, assertion=assertion, hint=hint)

    def contains_social_security_number(self, column: str, assertion: Any = None, hint: str | None = None) -> Check:
        return self.add("contains_social_security_number", column=column, assertion=assertion, hint=hint)

    def has_data_type(self, column: str, data_type: Any, assertion: Any = None, hint: str | None = None) -> Check:
        """Fraction of the non-NULL values of ``data_type`` (``ConstrainableDataTypes`` or its
        name: Null, Fractional, Integral, Boolean, String, Numeric)."""
        return self.add("has_data_type", column=column, data_type=data_type, assertion=assertion, hint=hint)

    def is_non_negative(self, column: str, assertion: Any = None, hint: str | None = None, *,
                        options: Any = None) -> Check:
        """Values >= 0; NULL passes (Deequ)."""
        return self.add("is_non_negative", column=column, assertion=assertion, hint=hint, options=options)

    def is_positive(self, column: str, assertion: Any = None, hint: str | None = None, *,
                    options: Any = None) -> Check:
        """Values > 0; NULL passes (Deequ)."""
        return self.add("is_positive", column=column, assertion=assertion, hint=hint, options=options)

    def is_less_than(self, column_a: str, column_b: str, assertion: Any = None, hint: str | None = None, *,
                     options: Any = None) -> Check:
        """``column_a < column_b``; a NULL on either side fails the row (Deequ)."""
        return self.add("is_less_than", column_a=column_a, column_b=column_b, assertion=assertion, hint=hint,
                        options=options)

    def is_less_than_or_equal_to(self, column_a: str, column_b: str, assertion: Any = None,
                                 hint: str | None = None, *, options: Any = None) -> Check:
        """``column_a <= column_b``; a NULL on either side fails the row."""
        return self.add("is_less_than_or_equal_to", column_a=column_a, column_b=column_b, assertion=assertion,
                        hint=hint, options=options)

    def is_greater_than(self, column_a: str, column_b: str, assertion: Any = None, hint: str | None = None, *,
                        options: Any = None) -> Check:
        """``column_a > column_b``; a NULL on either side fails the row."""
        return self.add("is_greater_than", column_a=column_a, column_b=column_b, assertion=assertion, hint=hint,
                        options=options)

    def is_greater_than_or_equal_to(self, column_a: str, column_b: str, assertion: Any = None,
                                    hint: str | None = None, *, options: Any = None) -> Check:
        """``column_a >= column_b``; a NULL on either side fails the row."""
        return self.add("is_greater_than_or_equal_to", column_a=column_a, column_b=column_b, assertion=assertion,
                        hint=hint, options=options)

    def is_contained_in(self, column: str, allowed_values: Sequence[Any] | None = None, assertion: Any = None,
                        hint: str | None = None, *, lower_bound: float | None = None,
                        upper_bound: float | None = None, include_lower_bound: bool = True,
                        include_upper_bound: bool = True, options: Any = None) -> Check:
        """Values in ``allowed_values``, or in the numeric range ``lower_bound``..``upper_bound``
        (inclusive unless said otherwise; every row must comply). NULL passes (Deequ)."""
        return self.add("is_contained_in", column=column, allowed_values=allowed_values, assertion=assertion,
                        hint=hint, lower_bound=lower_bound, upper_bound=upper_bound,
                        include_lower_bound=include_lower_bound, include_upper_bound=include_upper_bound,
                        options=options)

    def custom_sql(self, expression: str, assertion: Any, hint: str | None = None) -> Check:
        """A SQL query over the data (table name ``dataset``) returning one number."""
        return self.add("custom_sql", expression=expression, assertion=assertion, hint=hint)
