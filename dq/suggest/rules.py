"""Constraint suggestion rules (Deequ's ``suggestions/rules``), read as sentences.

Each rule says whether it applies to a column profile (``should_be_applied(profile, num_records)``)
and builds its suggestion (``candidate(profile, num_records)``). Thresholds and interval
strategies are Deequ's. Where Deequ suggests a constraint that may fail on the very data it was
derived from (deequ#116, python-deequ#142), dq suggests one that holds, and says why in the rule:

* RetainType on a Fractional column checks the Numeric ratio (Fractional + Integral): Deequ's
  Fractional ratio is below 1 as soon as one value looks like an integer ("2" among "1.5"s).
* HasMean suggests a bound on the mean (Deequ suggests the maximum, its quirk 8), and HasMean /
  HasStandardDeviation suggest an interval (mean ± z·sd/√n, sd ± z·sd/√2n, and at least a 1e-9
  relative margin for the engine's summation order) instead of an exact equality.
* HasMin / HasMax suggest ``>= min`` / ``<= max`` (what their descriptions say; Deequ's code asks
  for equality).
* The rules for numbers (NonNegativeNumbers, HasMin, HasMax, HasMean, HasStandardDeviation) apply
  to number columns only (``ColumnProfile.is_numeric``). Deequ applies them to a string column whose
  values all parse as numbers too, whose profile has the numeric statistics (dq's has them as well);
  but Minimum and the other analyzers refuse a string column, and ``is_non_negative`` casts the text
  to double, which "+ 5" (a number for the type inference) does not survive.

Suggestions that hold on the data but are likely to break on the next batch are ``fragile``, with
a reason, and go to a Warning-level check: value ranges and length ranges of columns with more
distinct values than the low-cardinality threshold, value lists of more than 120 values (possible
with a raised threshold), uniqueness inferred from an approximate distinct count (the runner
confirms it with one exact statement: confirmed claims become robust, refuted ones are dropped),
and bounds on the mean and standard deviation.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dq.checks import Check, CheckLevel, at_least, at_most, between
from dq.checks.constraints import Constraint
from dq.profiles.profile import ColumnProfile
from dq.schema import Kind
from dq.suggest.intervals import IntervalStrategy, WaldIntervalStrategy

__all__ = [
    "CategoricalRangeRule",
    "CompleteIfCompleteRule",
    "ConstraintRule",
    "ConstraintSuggestion",
    "FractionalCategoricalRangeRule",
    "HasMax",
    "HasMaxLength",
    "HasMean",
    "HasMin",
    "HasMinLength",
    "HasStandardDeviation",
    "NonNegativeNumbersRule",
    "RetainCompletenessRule",
    "RetainTypeRule",
    "Rules",
    "UniqueIfApproximatelyUniqueRule",
]

#: the low-cardinality threshold the fragility heuristics use unless the runner says otherwise
DEFAULT_FRAGILE_DISTINCT = 120
#: a categorical value list longer than this is fragile (Deequ's default histogram threshold)
MAX_ROBUST_CATEGORIES = 120


@dataclass(frozen=True)
class ConstraintSuggestion:
    """One suggested constraint. ``code`` is the Python to add it to a Check
    (``.is_complete('c')``); ``constraint`` is the Constraint itself; ``yaml`` its check-file form."""

    column: str
    description: str
    current_value: str
    rule_name: str
    rule_description: str
    code: str
    constraint: Constraint
    fragile: bool = False
    fragile_reason: str | None = None
    #: "Success" / "Failure" on the held-out test split, when a train/test split was asked for
    test_set_outcome: str | None = None
    test_set_message: str | None = field(default=None, compare=False)

    @property
    def level(self) -> CheckLevel:
        """Error for a constraint that should keep holding; Warning for a fragile one."""
        return CheckLevel.WARNING if self.fragile else CheckLevel.ERROR

    def to_check(self, description: str | None = None) -> Check:
        return Check(self.level, description or f"suggested: {self.description}").add_constraint(self.constraint)

    @property
    def yaml(self) -> str:
        """The suggestion as a YAML check file of one check with this one constraint."""
        from dq.checks import dumps

        return dumps(self.to_check())

    def to_dict(self) -> dict[str, Any]:
        """Deequ's suggestion JSON keys, plus fragility, the YAML form and the test-set outcome."""
        d: dict[str, Any] = {
            "constraint_name": self.constraint.name, "column_name": self.column, "current_value": self.current_value,
            "description": self.description, "suggesting_rule": self.rule_name,
            "rule_description": self.rule_description, "code_for_constraint": self.code,
            "level": self.level.value, "fragile": self.fragile,
        }
        if self.fragile_reason:
            d["fragile_reason"] = self.fragile_reason
        d["yaml"] = self.yaml
        if self.test_set_outcome is not None:
            d["constraint_result_on_test_set"] = self.test_set_outcome
        return d


def _num(x: float) -> str:
    """A number as Python and YAML both read it back exactly."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


class ConstraintRule:
    """Base class: ``should_be_applied`` and ``candidate`` on one column profile."""

    description: ClassVar[str] = ""
    #: distinct values above which a range suggestion is fragile (set by the runner)
    fragile_distinct: int = DEFAULT_FRAGILE_DISTINCT

    @property
    def name(self) -> str:
        return type(self).__name__

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:  # pragma: no cover
        raise NotImplementedError

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:  # pragma: no cover
        raise NotImplementedError

    def _suggest(self, profile: ColumnProfile, build: Callable[[Check], Check], code: str, description: str,
                 current_value: str, fragile_reason: str | None = None) -> ConstraintSuggestion:
        constraint = build(Check(CheckLevel.ERROR, "suggestion")).constraints[-1]
        return ConstraintSuggestion(profile.column, description, current_value, self.name, self.description, code,
                                    constraint, fragile_reason is not None, fragile_reason)

    def __repr__(self) -> str:
        return f"{self.name}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


def _many_values(profile: ColumnProfile, rule: ConstraintRule) -> bool:
    return profile.approximate_num_distinct_values > rule.fragile_distinct


class CompleteIfCompleteRule(ConstraintRule):
    description = "If a column is complete in the sample, we suggest a NOT NULL constraint"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.completeness == 1.0

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c = profile.column
        return self._suggest(profile, lambda ch: ch.is_complete(c), f".is_complete({c!r})",
                             f"'{c}' is not null", f"Completeness: {profile.completeness!r}")


class RetainCompletenessRule(ConstraintRule):
    description = ("If a column is incomplete in the sample, we model its completeness as a binomial variable, "
                   "estimate a confidence interval and use this to define a lower bound for the completeness")

    def __init__(self, min_completeness: float = 0.2, max_completeness: float = 1.0,
                 interval_strategy: IntervalStrategy | None = None):
        self.min_completeness = min_completeness
        self.max_completeness = max_completeness
        self.interval_strategy = interval_strategy or WaldIntervalStrategy()

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        p = profile.completeness
        return p is not None and num_records > 0 and self.min_completeness < p < self.max_completeness

    def target(self, profile: ColumnProfile, num_records: int) -> float:
        return self.interval_strategy.calculate_target_confidence_interval(profile.completeness, num_records).lower_bound

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, t = profile.column, self.target(profile, num_records)
        return self._suggest(
            profile, lambda ch: ch.has_completeness(c, at_least(t), f"It should be above {t}!"),
            f".has_completeness({c!r}, at_least({_num(t)}), 'It should be above {t}!')",
            f"'{c}' has less than {int(round((1 - t) * 100, 9))}% missing values", f"Completeness: {profile.completeness!r}")


class RetainTypeRule(ConstraintRule):
    description = "If we detect a non-string type, we suggest a type constraint"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_data_type_inferred and profile.data_type in ("Integral", "Fractional", "Boolean")

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, t = profile.column, profile.data_type
        # "Fractional" means: numbers, at least one with a fraction; the Numeric ratio is 1 then
        checked = "Numeric" if t == "Fractional" else t
        return self._suggest(profile, lambda ch: ch.has_data_type(c, checked),
                             f".has_data_type({c!r}, ConstrainableDataTypes.{checked.upper()})",
                             f"'{c}' has type {t}", f"DataType: {t}")


def _categories(profile: ColumnProfile) -> list[tuple[str, int, float]]:
    """(value, count, ratio) of the non-NULL values, most frequent first (Deequ's sorter), then by
    value. Read from the exact value counts, where a text 'NullValue' is a value like any other
    (Deequ's histogram merges it with NULL, and then leaves it out of the suggested list)."""
    counts = profile.value_counts
    assert counts is not None
    total = sum(n for _, n in counts)
    items = [(k, n, n / total) for k, n in counts if k is not None]
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))


def _unique_value_ratio(profile: ColumnProfile) -> float:
    counts = profile.value_counts
    assert counts is not None
    if not counts:
        return 1.0
    return sum(1 for _, n in counts if n == 1) / len(counts)


def _typed(profile: ColumnProfile, values: list[str]) -> list[Any]:
    """Histogram keys are text; an integer column gets its values back as integers."""
    if profile.kind is Kind.INTEGRAL:
        return [int(v) for v in values]
    return values


def _values_code(values: list[Any]) -> str:
    return "[" + ", ".join(repr(v) for v in values) + "]"


def _values_text(values: list[Any]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


class CategoricalRangeRule(ConstraintRule):
    description = ("If we see a categorical range for a column, we suggest an IS IN (...) constraint")

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        if profile.value_counts is None or profile.data_type not in ("String", "Integral"):
            return False
        if profile.kind not in (Kind.STRING, Kind.INTEGRAL) or not _categories(profile):
            return False
        return _unique_value_ratio(profile) <= 0.1

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c = profile.column
        values = _typed(profile, [k for k, _, _ in _categories(profile)])
        reason = None
        if len(values) > MAX_ROBUST_CATEGORIES:  # only with a raised low-cardinality threshold
            reason = (f"an exact list of {len(values)} values: new data is likely to bring values outside it")
        return self._suggest(profile, lambda ch: ch.is_contained_in(c, values),
                             f".is_contained_in({c!r}, {_values_code(values)})",
                             f"'{c}' has value range {_values_text(values)}", "Compliance: 1", reason)


class FractionalCategoricalRangeRule(ConstraintRule):
    description = ("If we see a categorical range for most values in a column, we suggest an IS IN (...) "
                   "constraint that should hold for most values")

    def __init__(self, target_data_coverage_fraction: float = 0.9, interval_strategy: IntervalStrategy | None = None):
        self.target_data_coverage_fraction = target_data_coverage_fraction
        self.interval_strategy = interval_strategy or WaldIntervalStrategy()

    def _top(self, profile: ColumnProfile) -> tuple[list[str], float]:
        """The most frequent values until they cover the target fraction of rows. As in Deequ,
        NULL takes part in the coverage (is_contained_in lets NULL pass) but is not listed."""
        counts = profile.value_counts
        assert counts is not None
        total = sum(n for _, n in counts)
        chosen, coverage = [], 0.0
        for k, n in sorted(counts, key=lambda kv: (-kv[1], kv[0] is None, kv[0] or "")):
            if coverage >= self.target_data_coverage_fraction:
                break
            coverage += n / total
            if k is not None:
                chosen.append(k)
        return chosen, coverage

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        if profile.value_counts is None or profile.data_type not in ("String", "Integral"):
            return False
        if profile.kind not in (Kind.STRING, Kind.INTEGRAL) or num_records <= 0:
            return False
        chosen, coverage = self._top(profile)
        return bool(chosen) and _unique_value_ratio(profile) <= 0.4 and coverage < 1.0

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c = profile.column
        chosen, coverage = self._top(profile)
        # coverage is a sum of ratios: clamp the rounding noise before the interval
        t = self.interval_strategy.calculate_target_confidence_interval(min(1.0, coverage), num_records).lower_bound
        values = _typed(profile, chosen)
        hint = f"It should be above {t}!"
        return self._suggest(
            profile, lambda ch: ch.is_contained_in(c, values, at_least(t), hint),
            f".is_contained_in({c!r}, {_values_code(values)}, at_least({_num(t)}), {hint!r})",
            f"'{c}' has value range {_values_text(values)} for at least {t * 100}% of values",
            f"Compliance: {coverage!r}")


class NonNegativeNumbersRule(ConstraintRule):
    description = "If we see only non-negative numbers in a column, we suggest a corresponding constraint"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_numeric and isinstance(profile.minimum, float) and profile.minimum >= 0

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c = profile.column
        return self._suggest(profile, lambda ch: ch.is_non_negative(c), f".is_non_negative({c!r})",
                             f"'{c}' has no negative values", f"Minimum: {profile.minimum!r}")


class UniqueIfApproximatelyUniqueRule(ConstraintRule):
    description = ("If the ratio of approximate num distinct values in a column is close to the number of "
                   "records (within the error of the HLL sketch), we suggest a UNIQUE constraint")

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        if profile.completeness != 1.0 or num_records <= 0:
            return False
        return abs(1.0 - profile.approximate_num_distinct_values / num_records) <= 0.08

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c = profile.column
        ratio = profile.approximate_num_distinct_values / num_records
        reason = None
        if profile.value_counts is None or any(n != 1 for _, n in profile.value_counts):
            # exact only when the histogram shows every value once
            reason = ("uniqueness inferred from an approximate distinct count (HyperLogLog, about 1-2% error): "
                      "the column may hold duplicates")
        return self._suggest(profile, lambda ch: ch.is_unique(c), f".is_unique({c!r})", f"'{c}' is unique",
                             f"ApproxDistinctness: {ratio!r}", reason)


def _range_reason(profile: ColumnProfile, rule: ConstraintRule, what: str) -> str | None:
    if _many_values(profile, rule):
        return (f"an exact {what} of a column with about {profile.approximate_num_distinct_values} distinct values: "
                "new data is likely to go beyond it")
    return None


class HasMin(ConstraintRule):
    description = "The minimum value of the column"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_numeric and isinstance(profile.minimum, float) and not math.isnan(profile.minimum)

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, m = profile.column, profile.minimum
        return self._suggest(profile, lambda ch: ch.has_min(c, at_least(m)), f".has_min({c!r}, at_least({_num(m)}))",
                             f"'{c}' >= {_num(m)}", f"Minimum: {m!r}", _range_reason(profile, self, "lower bound"))


class HasMax(ConstraintRule):
    description = "The maximum value of the column"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_numeric and isinstance(profile.maximum, float) and not math.isnan(profile.maximum)

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, m = profile.column, profile.maximum
        return self._suggest(profile, lambda ch: ch.has_max(c, at_most(m)), f".has_max({c!r}, at_most({_num(m)}))",
                             f"'{c}' <= {_num(m)}", f"Maximum: {m!r}", _range_reason(profile, self, "upper bound"))


_Z = 1.959963984540054


def _interval(centre: float, half: float) -> tuple[float, float]:
    # the verification recomputes the number, maybe summing in another order: keep a margin
    margin = max(half, 1e-9 * max(1.0, abs(centre)))
    return centre - margin, centre + margin


class HasMean(ConstraintRule):
    """Deequ's HasMean suggests ``_ == maximum`` (its quirk 8). dq suggests the mean within its
    95% interval mean ± z·sd/√n; fragile (a property of this sample)."""

    description = "The mean value of the column"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_numeric and _finite(profile.mean) and _finite(profile.std_dev)

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, m, sd = profile.column, profile.mean, profile.std_dev
        n = max(1, round(num_records * (profile.completeness or 0.0)))
        lo, hi = _interval(m, _Z * sd / math.sqrt(n))
        return self._suggest(profile, lambda ch: ch.has_mean(c, between(lo, hi)),
                             f".has_mean({c!r}, between({_num(lo)}, {_num(hi)}))",
                             f"The mean of '{c}' is between {lo:.6g} and {hi:.6g}", f"Mean: {m!r}",
                             "a bound on the mean of this sample: another batch's mean varies")


class HasStandardDeviation(ConstraintRule):
    description = "The standard deviation of the column"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_numeric and _finite(profile.mean) and _finite(profile.std_dev)

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, sd = profile.column, profile.std_dev
        n = max(1, round(num_records * (profile.completeness or 0.0)))
        lo, hi = _interval(sd, _Z * sd / math.sqrt(2 * n))
        lo = max(0.0, lo)
        return self._suggest(profile, lambda ch: ch.has_standard_deviation(c, between(lo, hi)),
                             f".has_standard_deviation({c!r}, between({_num(lo)}, {_num(hi)}))",
                             f"The standard deviation of '{c}' is between {lo:.6g} and {hi:.6g}",
                             f"StandardDeviation: {sd!r}",
                             "a bound on the standard deviation of this sample: another batch's varies")


def _finite(x: Any) -> bool:
    return isinstance(x, float) and math.isfinite(x)


def _length_reason(profile: ColumnProfile, rule: ConstraintRule) -> str | None:
    if profile.min_length != profile.max_length and _many_values(profile, rule):
        return (f"a length bound of a column with about {profile.approximate_num_distinct_values} distinct values "
                "of varying length: new values may be shorter or longer")
    return None


class HasMinLength(ConstraintRule):
    description = "The minimum length of the column (non-NULL values)"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_string and profile.min_length is not None

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, n = profile.column, math.floor(profile.min_length)
        return self._suggest(profile, lambda ch: ch.has_min_length(c, at_least(n)),
                             f".has_min_length({c!r}, at_least({n}))", f"The length of '{c}' >= {n}",
                             f"MinLength: {n}", _length_reason(profile, self))


class HasMaxLength(ConstraintRule):
    """(Deequ's currentValue prints the completeness; dq prints the length.)"""

    description = "The maximum length of the column (non-NULL values)"

    def should_be_applied(self, profile: ColumnProfile, num_records: int) -> bool:
        return profile.is_string and profile.max_length is not None

    def candidate(self, profile: ColumnProfile, num_records: int) -> ConstraintSuggestion:
        c, n = profile.column, math.ceil(profile.max_length)
        return self._suggest(profile, lambda ch: ch.has_max_length(c, at_most(n)),
                             f".has_max_length({c!r}, at_most({n}))", f"The length of '{c}' <= {n}",
                             f"MaxLength: {n}", _length_reason(profile, self))


class Rules:
    """Deequ's rule sets. No rule is applied unless added (``add_constraint_rules(Rules.DEFAULT)``)."""

    DEFAULT: ClassVar[tuple[ConstraintRule, ...]] = (
        CompleteIfCompleteRule(), RetainCompletenessRule(), RetainTypeRule(), CategoricalRangeRule(),
        FractionalCategoricalRangeRule(), NonNegativeNumbersRule())
    STRING: ClassVar[tuple[ConstraintRule, ...]] = (HasMinLength(), HasMaxLength())
    NUMERICAL: ClassVar[tuple[ConstraintRule, ...]] = (HasMax(), HasMin(), HasMean(), HasStandardDeviation())
    COMMON: ClassVar[tuple[ConstraintRule, ...]] = (UniqueIfApproximatelyUniqueRule(),)
    EXTENDED: ClassVar[tuple[ConstraintRule, ...]] = DEFAULT + STRING + NUMERICAL + COMMON

    @classmethod
    def by_name(cls, name: str) -> tuple[ConstraintRule, ...]:
        from dq.errors import InvalidOptionError

        sets = {"default": cls.DEFAULT, "string": cls.STRING, "numerical": cls.NUMERICAL, "common": cls.COMMON,
                "extended": cls.EXTENDED}
        try:
            return sets[name.lower()]
        except (KeyError, AttributeError):
            raise InvalidOptionError("rules", "one of " + ", ".join(sets), name) from None
