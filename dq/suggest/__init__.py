"""Constraint suggestion (Deequ's ``suggestions``): rules applied to column profiles.

``ConstraintSuggestionRunner.on_data(data).add_constraint_rules(Rules.DEFAULT).run()`` ->
``ConstraintSuggestionResult`` with one ``ConstraintSuggestion`` per (column, applicable rule), each
with its description, current value, rule, Python code, Constraint and YAML form;
``result.to_yaml()`` is a check file that the data it came from passes.
"""

from dq.suggest.intervals import (
    ConfidenceInterval,
    IntervalStrategy,
    WaldIntervalStrategy,
    WilsonScoreIntervalStrategy,
)
from dq.suggest.rules import (
    CategoricalRangeRule,
    CompleteIfCompleteRule,
    ConstraintRule,
    ConstraintSuggestion,
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
)
from dq.suggest.runner import ConstraintSuggestionResult, ConstraintSuggestionRunBuilder, ConstraintSuggestionRunner

__all__ = [
    "CategoricalRangeRule",
    "CompleteIfCompleteRule",
    "ConfidenceInterval",
    "ConstraintRule",
    "ConstraintSuggestion",
    "ConstraintSuggestionResult",
    "ConstraintSuggestionRunBuilder",
    "ConstraintSuggestionRunner",
    "FractionalCategoricalRangeRule",
    "HasMax",
    "HasMaxLength",
    "HasMean",
    "HasMin",
    "HasMinLength",
    "HasStandardDeviation",
    "IntervalStrategy",
    "NonNegativeNumbersRule",
    "RetainCompletenessRule",
    "RetainTypeRule",
    "Rules",
    "UniqueIfApproximatelyUniqueRule",
    "WaldIntervalStrategy",
    "WilsonScoreIntervalStrategy",
]
