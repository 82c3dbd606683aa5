"""Suggestions for numbers stored as text: their profiles now carry numeric statistics, but the
rules for numbers (non-negative, min, max, mean, deviation) stay with number columns (their
constraints need a numeric column); the suggestions, written as YAML and verified on the same
data, all pass, on DuckDB and on Spark."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from dq.checks import load
from dq.profiles import ColumnProfiler
from dq.suggest import ConstraintSuggestionRunner, Rules
from dq.verification import VerificationSuite

NUMBER_RULES = {"NonNegativeNumbersRule", "HasMin", "HasMax", "HasMean", "HasStandardDeviation"}
TEXT_COLUMNS = ("lo_int", "lo_frac", "hi_int", "hi_frac")


def table(n: int = 800, seed: int = 3) -> pa.Table:
    rng = np.random.default_rng(seed)
    lo_int = np.array(["12", " 12", "+3", "007", "+ 5", "0"], dtype=object)
    lo_frac = np.array(["1e3", "2.5", "+ 2.25", "1E-2", "0.5"], dtype=object)
    return pa.table({
        "lo_int": pa.array(lo_int[rng.integers(0, len(lo_int), n)], pa.string()),  # complete, non-negative
        "lo_frac": pa.array(lo_frac[rng.integers(0, len(lo_frac), n)], pa.string(), mask=rng.random(n) < 0.1),
        "hi_int": pa.array([str(x) for x in rng.integers(0, 10**6, n)], pa.string()),
        "hi_frac": pa.array([f"{x:.3f}" for x in rng.uniform(0, 100, n)], pa.string()),
        "num": pa.array(rng.integers(0, 7, n), pa.int64()),
    })


def test_round_trip_with_numbers_as_text(backend, backend_data, tmp_path):
    data = backend_data(table())
    result = ConstraintSuggestionRunner.on_data(data).add_constraint_rules(Rules.EXTENDED).run()
    profiles = result.column_profiles
    assert profiles["lo_int"].minimum == 0.0 and profiles["lo_frac"].maximum == 1000.0  # derived from histograms
    by_col = result.constraint_suggestions
    for col in TEXT_COLUMNS:
        rules = {s.rule_name for s in by_col[col]}
        assert "RetainTypeRule" in rules, (col, rules)
        assert not rules & NUMBER_RULES, (col, rules)
    assert {"NonNegativeNumbersRule", "HasMin", "HasMax"} <= {s.rule_name for s in by_col["num"]}
    assert any(s.rule_name == "CategoricalRangeRule" for s in by_col["lo_int"])
    path = tmp_path / "suggested.yaml"
    path.write_text(result.to_yaml())
    verdict = VerificationSuite().on_data(data).add_checks(load(path)).run()
    failed = [(c.constraint.name, c.message) for _, c in verdict.constraint_results() if not c.is_success]
    assert failed == [] and verdict.status.value == "Success"


def test_number_rules_do_not_apply_to_text_even_with_statistics():
    t = table()
    profiles = ColumnProfiler.on_data(t).with_numeric_text_statistics().run()
    for col in TEXT_COLUMNS:
        p = profiles[col]
        assert p.minimum is not None and p.mean is not None  # every one has statistics now
        applied = {r.name for r in Rules.EXTENDED if r.should_be_applied(p, profiles.num_records)}
        assert not applied & NUMBER_RULES, (col, applied)
