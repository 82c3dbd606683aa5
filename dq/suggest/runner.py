"""ConstraintSuggestionRunner: profile the data, apply rules, optionally evaluate on a test split.

``ConstraintSuggestionRunner.on_data(data).add_constraint_rules(Rules.DEFAULT).run()`` profiles
(one scan + one grouped statement, no quantiles) and applies every rule to every column. With
``use_train_test_split_with_testset_ratio(ratio, seed)`` the data is split at random (seeded,
reproducible) into a training part, on which the suggestions are derived, and a held-out test part
on which all suggestions are verified as one Warning-level check (Deequ's evaluation); each
suggestion then carries its ``test_set_outcome``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from dq.checks import Check, CheckLevel
from dq.errors import InvalidOptionError
from dq.profiles.profile import ColumnProfiles
from dq.profiles.profiler import DEFAULT_THRESHOLD, profile
from dq.suggest.rules import ConstraintRule, ConstraintSuggestion

__all__ = ["ConstraintSuggestionResult", "ConstraintSuggestionRunBuilder", "ConstraintSuggestionRunner"]


class ConstraintSuggestionResult:
    """``column_profiles``, ``num_records_used_for_profiling``, ``constraint_suggestions`` (column ->
    suggestions) and, after a train/test split, the test split's ``verification_result``."""

    def __init__(self, column_profiles: ColumnProfiles, suggestions: list[ConstraintSuggestion],
                 verification_result: Any = None, num_test_records: int | None = None, *,
                 rejected: dict[ConstraintSuggestion, str] | None = None):
        self.column_profiles = column_profiles
        #: candidates the data itself refutes (an approximate uniqueness the exact count denies), with why
        self.rejected = dict(rejected or {})
        self.num_records_used_for_profiling = column_profiles.num_records
        self.suggestions = list(suggestions)
        self.verification_result = verification_result
        self.num_test_records = num_test_records

    @property
    def num_queries(self) -> int:
        """Statements that read the data to derive the suggestions (profile + exact uniqueness);
        the test-split verification counts on ``verification_result.num_queries``."""
        return self.column_profiles.num_queries

    @property
    def constraint_suggestions(self) -> dict[str, list[ConstraintSuggestion]]:
        out: dict[str, list[ConstraintSuggestion]] = {}
        for s in self.suggestions:
            out.setdefault(s.column, []).append(s)
        return out

    def to_checks(self, level: CheckLevel | str = CheckLevel.ERROR, *, description: str = "suggested constraints",
                  include_fragile: bool = True) -> list[Check]:
        """The suggestions as Checks: the robust ones at ``level`` (Error by default), the fragile
        ones in a separate Warning check (left out with ``include_fragile=False``), never at Error."""
        robust = [s for s in self.suggestions if not s.fragile]
        fragile = [s for s in self.suggestions if s.fragile]
        checks = []
        if robust:
            checks.append(Check(level, description, tuple(s.constraint for s in robust)))
        if fragile and include_fragile:
            checks.append(Check(CheckLevel.WARNING, f"{description} (fragile: review before relying on them)",
                                tuple(s.constraint for s in fragile)))
        return checks

    def to_yaml(self, level: CheckLevel | str = CheckLevel.ERROR, *, description: str = "suggested constraints",
                include_fragile: bool = True) -> str:
        """A YAML check file (``dq.checks.load`` / ``dq verify --checks``) of ``to_checks``."""
        from dq.checks import dumps

        return dumps(self.to_checks(level, description=description, include_fragile=include_fragile))

    def to_dicts(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.suggestions]

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps({"num_records_used_for_profiling": self.num_records_used_for_profiling,
                           "constraint_suggestions": self.to_dicts()}, indent=indent, default=str)

    def render(self) -> str:
        lines = []
        for col, ss in self.constraint_suggestions.items():
            lines.append(col)
            for s in ss:
                flag = " [fragile]" if s.fragile else ""
                test = f" (test set: {s.test_set_outcome})" if s.test_set_outcome else ""
                lines.append(f"  {s.description}{flag}{test}\n      {s.code}")
        lines.append(f"\n{len(self.suggestions)} suggestions for {len(self.constraint_suggestions)} columns "
                     f"from {self.num_records_used_for_profiling} rows")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"ConstraintSuggestionResult({len(self.suggestions)} suggestions)"


class ConstraintSuggestionRunBuilder:
    def __init__(self, data: Any, *, connection: Any = None):
        self._data = data
        self._connection = connection
        self._rules: list[ConstraintRule] = []
        self._columns: list[str] | None = None
        self._threshold = DEFAULT_THRESHOLD
        self._split: tuple[float, int | None] | None = None

    def add_constraint_rule(self, rule: ConstraintRule) -> ConstraintSuggestionRunBuilder:
        if not isinstance(rule, ConstraintRule):
            raise InvalidOptionError("rule", "a ConstraintRule (e.g. Rules.DEFAULT or CompleteIfCompleteRule())", rule)
        self._rules.append(rule)
        return self

    def add_constraint_rules(self, rules: Iterable[ConstraintRule]) -> ConstraintSuggestionRunBuilder:
        for r in rules:
            self.add_constraint_rule(r)
        return self

    def restrict_to_columns(self, columns: Iterable[str]) -> ConstraintSuggestionRunBuilder:
        self._columns = [columns] if isinstance(columns, str) else list(columns)
        return self

    def with_low_cardinality_histogram_threshold(self, threshold: int) -> ConstraintSuggestionRunBuilder:
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
            raise InvalidOptionError("low_cardinality_histogram_threshold", "an integer >= 0", threshold)
        self._threshold = threshold
        return self

    def use_train_test_split_with_testset_ratio(self, ratio: float, seed: int | None = None
                                                ) -> ConstraintSuggestionRunBuilder:
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or not 0.0 < ratio < 1.0:
            raise InvalidOptionError("ratio", "a number in the open interval (0, 1)", ratio,
                                     owner="use_train_test_split_with_testset_ratio")
        self._split = (float(ratio), seed)
        return self

    def run(self) -> ConstraintSuggestionResult:
        if not self._rules:
            raise InvalidOptionError("rules", "at least one rule (add_constraint_rules(Rules.DEFAULT)); Deequ "
                                     "adds none by default either", [])
        data, test = self._data, None
        if self._split is not None:
            data, test = _split(self._data, self._connection, *self._split)
        conn = None if test is not None else self._connection
        profiles = profile(data, connection=conn, columns=self._columns, threshold=self._threshold,
                           quantiles=False)
        rules = []
        for r in dict.fromkeys(self._rules):
            r = copy.copy(r)
            r.fragile_distinct = self._threshold
            rules.append(r)
        suggestions = [r.candidate(p, profiles.num_records) for p in profiles for r in rules
                       if r.should_be_applied(p, profiles.num_records)]
        suggestions, rejected, queries = _confirm_uniqueness(data, conn, suggestions)
        profiles.num_queries += queries
        if test is None:
            return ConstraintSuggestionResult(profiles, suggestions, rejected=rejected)
        return _evaluate(profiles, suggestions, test, rejected)


class ConstraintSuggestionRunner:
    """Entry point: ``ConstraintSuggestionRunner.on_data(data).add_constraint_rules(Rules.DEFAULT).run()``."""

    @staticmethod
    def on_data(data: Any, *, connection: Any = None) -> ConstraintSuggestionRunBuilder:
        return ConstraintSuggestionRunBuilder(data, connection=connection)


def _split(data: Any, connection: Any, ratio: float, seed: int | None):
    """(train, test) as Arrow tables: every row goes to the test part with probability ``ratio``,
    drawn from numpy's generator with ``seed`` (the same seed gives the same split)."""
    import numpy as np

    from dq.backends import backend_for, is_spark_dataframe

    if is_spark_dataframe(data):  # Deequ's own split: randomSplit([1 - r, r], seed)
        train, test = data.randomSplit([1.0 - ratio, ratio], seed)
        return train, test
    backend = backend_for(data, connection=connection)
    try:
        table = backend.rel.to_arrow_table()
    finally:
        backend.close()
    in_test = np.random.default_rng(seed).random(table.num_rows) < ratio
    return table.filter(~in_test), table.filter(in_test)


def _confirm_uniqueness(data: Any, connection: Any, suggestions: list[ConstraintSuggestion]
                        ) -> tuple[list[ConstraintSuggestion], dict[ConstraintSuggestion, str], int]:
    """UniqueIfApproximatelyUnique fires on a HyperLogLog estimate, which cannot tell 3,376 distinct
    values from 3,125 (vega's airports names; Deequ then suggests a uniqueness its own data fails,
    deequ#116). One exact statement for all such columns settles it: a confirmed claim is kept as a
    robust suggestion, a refuted one is dropped (listed in ``rejected``)."""
    import dataclasses

    from dq.backends import backend_for
    from dq.profiles.histograms import unique_columns

    pending = [s for s in suggestions if s.rule_name == "UniqueIfApproximatelyUniqueRule" and s.fragile]
    if not pending:
        return suggestions, {}, 0
    backend = backend_for(data, connection=connection)
    try:
        exact = unique_columns(backend, list(dict.fromkeys(s.column for s in pending)))
        queries = backend.num_queries
    finally:
        backend.close()
    out: list[ConstraintSuggestion] = []
    rejected: dict[ConstraintSuggestion, str] = {}
    for s in suggestions:
        if s in pending:
            if not exact[s.column]:
                rejected[s] = f"'{s.column}' holds duplicate values (exact count), despite its approximate count"
                continue
            s = dataclasses.replace(s, fragile=False, fragile_reason=None,
                                    current_value=s.current_value + " (uniqueness confirmed exactly)")
        out.append(s)
    return out, rejected, queries


def _evaluate(profiles: ColumnProfiles, suggestions: list[ConstraintSuggestion], test: Any,
              rejected: dict[ConstraintSuggestion, str] | None = None) -> ConstraintSuggestionResult:
    import dataclasses

    from dq.verification import VerificationSuite

    num_test = test.num_rows if hasattr(test, "num_rows") else test.count()
    if not suggestions:
        return ConstraintSuggestionResult(profiles, suggestions, None, num_test, rejected=rejected)
    check = Check(CheckLevel.WARNING, "generated constraints", tuple(s.constraint for s in suggestions))
    result = VerificationSuite().on_data(test).add_check(check).run()
    outcomes = result.check_results[0].constraint_results
    evaluated = [dataclasses.replace(s, test_set_outcome="Success" if r.is_success else "Failure",
                                     test_set_message=r.message)
                 for s, r in zip(suggestions, outcomes)]
    return ConstraintSuggestionResult(profiles, evaluated, result, num_test, rejected=rejected)
