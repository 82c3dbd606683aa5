"""Every suggestion rule on crafted profiles: when it applies, and the suggestion it makes
(description, current value, code, constraint, fragility). One table row per case."""

from __future__ import annotations

import math

import pytest

from dq.checks import Check, CheckLevel, at_least, at_most, between, loads
from dq.profiles import ColumnProfile
from dq.schema import Kind
from dq.suggest import (
    CategoricalRangeRule,
    CompleteIfCompleteRule,
    FractionalCategoricalRangeRule,
    HasMax,
    HasMaxLength,
    HasMean,
    HasMin,
    HasMinLength,
    HasStandardDeviation,
    NonNegativeNumbersRule,
    RetainCompletenessRule,
    RetainTypeRule,
    Rules,
    UniqueIfApproximatelyUniqueRule,
    WilsonScoreIntervalStrategy,
)


def profile(kind: Kind = Kind.STRING, *, n: int = 100, completeness: float = 1.0, distinct: int = 50,
            data_type: str | None = None, inferred: bool | None = None, counts=None, **kw) -> ColumnProfile:
    if data_type is None:
        data_type = {Kind.INTEGRAL: "Integral", Kind.FRACTIONAL: "Fractional", Kind.BOOLEAN: "Boolean"}.get(kind,
                                                                                                         "String")
    return ColumnProfile(column="c", kind=kind, engine_type=kind.value, num_records=n, completeness=completeness,
                         approximate_num_distinct_values=distinct, data_type=data_type,
                         is_data_type_inferred=kind is Kind.STRING if inferred is None else inferred,
                         value_counts=counts, **kw)


def check_of(builder) -> object:
    return builder(Check(CheckLevel.ERROR, "suggestion")).constraints[-1]


# (rule, profile, num_records, applies)
APPLICABILITY = [
    (CompleteIfCompleteRule(), profile(completeness=1.0), 100, True),
    (CompleteIfCompleteRule(), profile(completeness=0.99), 100, False),
    (CompleteIfCompleteRule(), profile(completeness=None), 0, False),
    (RetainCompletenessRule(), profile(completeness=0.5), 100, True),
    (RetainCompletenessRule(), profile(completeness=0.2), 100, False),  # strict lower bound (Deequ)
    (RetainCompletenessRule(), profile(completeness=0.21), 100, True),
    (RetainCompletenessRule(), profile(completeness=1.0), 100, False),  # strict upper bound
    (RetainCompletenessRule(min_completeness=0.0), profile(completeness=0.1), 100, True),
    (RetainTypeRule(), profile(data_type="Integral"), 100, True),
    (RetainTypeRule(), profile(data_type="Fractional"), 100, True),
    (RetainTypeRule(), profile(data_type="Boolean"), 100, True),
    (RetainTypeRule(), profile(data_type="String"), 100, False),
    (RetainTypeRule(), profile(data_type="Unknown"), 100, False),
    (RetainTypeRule(), profile(Kind.INTEGRAL), 100, False),  # known, not inferred: nothing to retain
    (CategoricalRangeRule(), profile(counts=(("a", 60), ("b", 40))), 100, True),
    (CategoricalRangeRule(), profile(counts=None), 100, False),
    (CategoricalRangeRule(), profile(Kind.INTEGRAL, counts=(("1", 60), ("2", 40))), 100, True),
    (CategoricalRangeRule(), profile(Kind.BOOLEAN, counts=(("true", 60), ("false", 40))), 100, False),
    (CategoricalRangeRule(), profile(Kind.FRACTIONAL, counts=(("1.5", 60), ("2.5", 40))), 100, False),
    # unique values / entries: 1 of 10 = 0.1 -> applies; 2 of 10 -> not
    (CategoricalRangeRule(), profile(counts=tuple((str(i), 10) for i in range(9)) + (("u", 1),)), 91, True),
    (CategoricalRangeRule(), profile(counts=tuple((str(i), 10) for i in range(8)) + (("u", 1), ("v", 1))), 82,
     False),
    (CategoricalRangeRule(), profile(counts=((None, 100),)), 100, False),  # only NULLs: no value range
    (FractionalCategoricalRangeRule(), profile(counts=(("a", 95), ("b", 4), ("c", 1))), 100, True),
    (FractionalCategoricalRangeRule(), profile(counts=(("a", 60), ("b", 40))), 100, False),  # covers all: sum 1
    (FractionalCategoricalRangeRule(), profile(counts=(("a", 1), ("b", 1), ("c", 1))), 3, False),  # unique ratio 1
    # NULL counts towards the coverage (it passes is_contained_in) but is never a listed value
    (FractionalCategoricalRangeRule(), profile(counts=(("a", 50), ("b", 45), (None, 5))), 100, True),
    (FractionalCategoricalRangeRule(), profile(counts=((None, 95), ("b", 4), ("c", 1))), 100, False),
    (NonNegativeNumbersRule(), profile(Kind.INTEGRAL, minimum=0.0), 100, True),
    (NonNegativeNumbersRule(), profile(Kind.INTEGRAL, minimum=-1.0), 100, False),
    (NonNegativeNumbersRule(), profile(Kind.INTEGRAL, minimum=None), 100, False),
    (NonNegativeNumbersRule(), profile(Kind.STRING), 100, False),
    (UniqueIfApproximatelyUniqueRule(), profile(distinct=100), 100, True),
    (UniqueIfApproximatelyUniqueRule(), profile(distinct=92), 100, True),  # |1 - 0.92| <= 0.08
    (UniqueIfApproximatelyUniqueRule(), profile(distinct=91), 100, False),
    (UniqueIfApproximatelyUniqueRule(), profile(distinct=107), 100, True),  # HLL may overshoot
    (UniqueIfApproximatelyUniqueRule(), profile(distinct=100, completeness=0.99), 100, False),
    (HasMin(), profile(Kind.FRACTIONAL, minimum=-2.5), 100, True),
    (HasMin(), profile(Kind.FRACTIONAL, minimum=None), 100, False),
    (HasMin(), profile(Kind.FRACTIONAL, minimum=math.nan), 100, False),
    (HasMin(), profile(Kind.DATE, minimum=None), 100, False),
    (HasMax(), profile(Kind.INTEGRAL, maximum=7.0), 100, True),
    (HasMax(), profile(Kind.STRING), 100, False),
    (HasMean(), profile(Kind.FRACTIONAL, mean=3.0, std_dev=1.0), 100, True),
    (HasMean(), profile(Kind.FRACTIONAL, mean=math.nan, std_dev=math.nan), 100, False),
    (HasMean(), profile(Kind.FRACTIONAL), 100, False),
    (HasStandardDeviation(), profile(Kind.FRACTIONAL, mean=3.0, std_dev=1.0), 100, True),
    (HasStandardDeviation(), profile(Kind.STRING), 100, False),
    (HasMinLength(), profile(min_length=2.0, max_length=5.0), 100, True),
    (HasMinLength(), profile(min_length=None), 100, False),
    (HasMinLength(), profile(Kind.INTEGRAL), 100, False),
    (HasMaxLength(), profile(min_length=2.0, max_length=5.0), 100, True),
    (HasMaxLength(), profile(Kind.DATE), 100, False),
]


@pytest.mark.parametrize("rule,prof,n,applies", APPLICABILITY,
                         ids=[f"{r.name}-{i}" for i, (r, *_) in enumerate(APPLICABILITY)])
def test_applicability(rule, prof, n, applies):
    assert rule.should_be_applied(prof, n) is applies


# (rule, profile, num_records, description, current value, code, the Check call, fragile)
CANDIDATES = [
    (CompleteIfCompleteRule(), profile(), 100, "'c' is not null", "Completeness: 1.0", ".is_complete('c')",
     lambda ch: ch.is_complete("c"), False),
    # Wald(0.5, 100) = 0.5 - 1.96 * 0.05 = 0.402 -> truncated 0.40
    (RetainCompletenessRule(), profile(completeness=0.5), 100, "'c' has less than 60% missing values",
     "Completeness: 0.5", ".has_completeness('c', at_least(0.4), 'It should be above 0.4!')",
     lambda ch: ch.has_completeness("c", at_least(0.4), "It should be above 0.4!"), False),
    # Wilson(0.5, 100): (0.5 + 0.0192 - 0.0980...) / 1.0384 = 0.4038 -> 0.40
    (RetainCompletenessRule(interval_strategy=WilsonScoreIntervalStrategy()), profile(completeness=0.9), 100,
     "'c' has less than 18% missing values", "Completeness: 0.9",
     ".has_completeness('c', at_least(0.82), 'It should be above 0.82!')",
     lambda ch: ch.has_completeness("c", at_least(0.82), "It should be above 0.82!"), False),
    (RetainTypeRule(), profile(data_type="Integral"), 100, "'c' has type Integral", "DataType: Integral",
     ".has_data_type('c', ConstrainableDataTypes.INTEGRAL)", lambda ch: ch.has_data_type("c", "Integral"), False),
    # Deequ checks the Fractional ratio, which "2" among "1.5"s makes < 1: dq checks Numeric
    (RetainTypeRule(), profile(data_type="Fractional"), 100, "'c' has type Fractional", "DataType: Fractional",
     ".has_data_type('c', ConstrainableDataTypes.NUMERIC)", lambda ch: ch.has_data_type("c", "Numeric"), False),
    (CategoricalRangeRule(), profile(counts=(("b", 40), ("a", 40), ("it's", 20), (None, 3))), 103,
     "'c' has value range 'a', 'b', 'it''s'", "Compliance: 1", ".is_contained_in('c', ['a', 'b', \"it's\"])",
     lambda ch: ch.is_contained_in("c", ["a", "b", "it's"]), False),
    # the text 'NullValue' is a value (Deequ merges it with NULL and drops it from the list)
    (CategoricalRangeRule(), profile(counts=(("NullValue", 50), ("a", 50), (None, 3))), 103,
     "'c' has value range 'NullValue', 'a'", "Compliance: 1", ".is_contained_in('c', ['NullValue', 'a'])",
     lambda ch: ch.is_contained_in("c", ["NullValue", "a"]), False),
    (CategoricalRangeRule(), profile(Kind.INTEGRAL, counts=(("2", 40), ("10", 60))), 100,
     "'c' has value range '10', '2'", "Compliance: 1", ".is_contained_in('c', [10, 2])",
     lambda ch: ch.is_contained_in("c", [10, 2]), False),
    # top categories until 90% coverage: a (0.85), b (0.1) -> 0.95; Wald(0.95, 100) lower = 0.907 -> 0.9
    (FractionalCategoricalRangeRule(), profile(counts=(("a", 85), ("b", 10), ("c", 5))), 100,
     "'c' has value range 'a', 'b' for at least 90.0% of values", "Compliance: 0.95",
     ".is_contained_in('c', ['a', 'b'], at_least(0.9), 'It should be above 0.9!')",
     lambda ch: ch.is_contained_in("c", ["a", "b"], at_least(0.9), "It should be above 0.9!"), False),
    # a list of 121 values (a raised histogram threshold) is fragile
    (CategoricalRangeRule(), profile(Kind.INTEGRAL, counts=tuple((str(i), 2) for i in range(121))), 242,
     "'c' has value range " + ", ".join(f"'{i}'" for i in sorted(range(121), key=str)), "Compliance: 1",
     f".is_contained_in('c', {sorted(range(121), key=str)})",
     lambda ch: ch.is_contained_in("c", sorted(range(121), key=str)), True),
    (NonNegativeNumbersRule(), profile(Kind.INTEGRAL, minimum=0.0), 100, "'c' has no negative values",
     "Minimum: 0.0", ".is_non_negative('c')", lambda ch: ch.is_non_negative("c"), False),
    (UniqueIfApproximatelyUniqueRule(), profile(distinct=98), 100, "'c' is unique", "ApproxDistinctness: 0.98",
     ".is_unique('c')", lambda ch: ch.is_unique("c"), True),
    # exact when the histogram shows every value once
    (UniqueIfApproximatelyUniqueRule(), profile(distinct=3, counts=(("a", 1), ("b", 1), ("c", 1))), 3,
     "'c' is unique", "ApproxDistinctness: 1.0", ".is_unique('c')", lambda ch: ch.is_unique("c"), False),
    (HasMin(), profile(Kind.FRACTIONAL, minimum=-2.5, distinct=10), 100, "'c' >= -2.5", "Minimum: -2.5",
     ".has_min('c', at_least(-2.5))", lambda ch: ch.has_min("c", at_least(-2.5)), False),
    (HasMin(), profile(Kind.FRACTIONAL, minimum=-2.5, distinct=5000), 10000, "'c' >= -2.5", "Minimum: -2.5",
     ".has_min('c', at_least(-2.5))", lambda ch: ch.has_min("c", at_least(-2.5)), True),
    (HasMax(), profile(Kind.INTEGRAL, maximum=7.0, distinct=7), 100, "'c' <= 7", "Maximum: 7.0",
     ".has_max('c', at_most(7))", lambda ch: ch.has_max("c", at_most(7.0)), False),
    # the mean, not the maximum (Deequ's bug); mean ± 1.96 * sd / sqrt(n): 3 ± 0.196
    (HasMean(), profile(Kind.FRACTIONAL, mean=3.0, std_dev=1.0, maximum=99.0), 100,
     "The mean of 'c' is between 2.804 and 3.196", "Mean: 3.0",
     ".has_mean('c', between(2.8040036015459946, 3.1959963984540054))",
     lambda ch: ch.has_mean("c", between(3.0 - 0.1959963984540054, 3.0 + 0.1959963984540054)), True),
    # a constant column: the margin is relative, never zero
    (HasMean(), profile(Kind.FRACTIONAL, mean=1e6, std_dev=0.0), 100,
     "The mean of 'c' is between 1e+06 and 1e+06", "Mean: 1000000.0",
     ".has_mean('c', between(999999.999, 1000000.001))",
     lambda ch: ch.has_mean("c", between(1e6 - 1e-3, 1e6 + 1e-3)), True),
    (HasStandardDeviation(), profile(Kind.FRACTIONAL, mean=3.0, std_dev=2.0), 200,
     "The standard deviation of 'c' is between 1.804 and 2.196", "StandardDeviation: 2.0",
     ".has_standard_deviation('c', between(1.8040036015459946, 2.1959963984540054))",
     lambda ch: ch.has_standard_deviation("c", between(2.0 - 0.1959963984540054, 2.0 + 0.1959963984540054)), True),
    (HasMinLength(), profile(min_length=2.0, max_length=5.0, distinct=10), 100, "The length of 'c' >= 2",
     "MinLength: 2", ".has_min_length('c', at_least(2))", lambda ch: ch.has_min_length("c", at_least(2)), False),
    (HasMaxLength(), profile(min_length=2.0, max_length=5.0, distinct=10), 100, "The length of 'c' <= 5",
     "MaxLength: 5", ".has_max_length('c', at_most(5))", lambda ch: ch.has_max_length("c", at_most(5)), False),
    (HasMaxLength(), profile(min_length=2.0, max_length=50.0, distinct=4000), 5000, "The length of 'c' <= 50",
     "MaxLength: 50", ".has_max_length('c', at_most(50))", lambda ch: ch.has_max_length("c", at_most(50)), True),
    # fixed-width values (ids) are not fragile however many there are
    (HasMaxLength(), profile(min_length=14.0, max_length=14.0, distinct=4000), 5000, "The length of 'c' <= 14",
     "MaxLength: 14", ".has_max_length('c', at_most(14))", lambda ch: ch.has_max_length("c", at_most(14)), False),
]


@pytest.mark.parametrize("rule,prof,n,description,current,code,build,fragile", CANDIDATES,
                         ids=[f"{r.name}-{i}" for i, (r, *_) in enumerate(CANDIDATES)])
def test_candidate(rule, prof, n, description, current, code, build, fragile):
    assert rule.should_be_applied(prof, n)
    s = rule.candidate(prof, n)
    assert (s.column, s.rule_name) == ("c", rule.name)
    assert s.description == description
    assert s.current_value == current
    assert s.code == code
    expected = check_of(build)
    if s.constraint.method in ("has_mean", "has_standard_deviation"):
        got, want = dict(s.constraint.args)["assertion"], dict(expected.args)["assertion"]
        assert (got.lower, got.upper) == pytest.approx((want.lower, want.upper), rel=1e-12)
    else:
        assert s.constraint == expected
    assert s.fragile is fragile and (s.fragile_reason is not None) is fragile
    assert s.level is (CheckLevel.WARNING if fragile else CheckLevel.ERROR)
    # the code is runnable Python that builds the same constraint
    from dq.checks import ConstrainableDataTypes  # noqa: F401  (the code's namespace)

    ns = {"Check": Check, "CheckLevel": CheckLevel, "at_least": at_least, "at_most": at_most, "between": between,
          "ConstrainableDataTypes": ConstrainableDataTypes}
    built = eval(f"Check(CheckLevel.ERROR, 'suggestion'){s.code}", ns).constraints[-1]  # noqa: S307
    assert built == s.constraint
    # and the YAML form reads back as the same constraint, at the suggestion's level
    (check,) = loads(s.yaml)
    assert check.constraints == (s.constraint,) and check.level is s.level


def test_rule_sets_are_deequs():
    names = lambda rs: [r.name for r in rs]  # noqa: E731
    assert names(Rules.DEFAULT) == ["CompleteIfCompleteRule", "RetainCompletenessRule", "RetainTypeRule",
                                    "CategoricalRangeRule", "FractionalCategoricalRangeRule", "NonNegativeNumbersRule"]
    assert names(Rules.STRING) == ["HasMinLength", "HasMaxLength"]
    assert names(Rules.NUMERICAL) == ["HasMax", "HasMin", "HasMean", "HasStandardDeviation"]
    assert names(Rules.COMMON) == ["UniqueIfApproximatelyUniqueRule"]
    assert Rules.EXTENDED == Rules.DEFAULT + Rules.STRING + Rules.NUMERICAL + Rules.COMMON
    assert Rules.by_name("Extended") == Rules.EXTENDED


def test_has_mean_suggests_the_mean_not_the_maximum():
    s = HasMean().candidate(profile(Kind.FRACTIONAL, mean=3.0, std_dev=0.5, maximum=1000.0), 10_000)
    a = dict(s.constraint.args)["assertion"]
    assert a(3.0) and not a(1000.0)
