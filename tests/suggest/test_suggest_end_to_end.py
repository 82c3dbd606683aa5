"""Suggestions end to end: derived from a dataset, written as a YAML check file, verified on that
same dataset: everything passes (Deequ #116 and PyDeequ #142 show suggestions failing on their own
data). On the benchmark reviews data and on real public tables (vega_datasets)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from dq.checks import CheckLevel, load
from dq.cli import main
from dq.errors import InvalidOptionError
from dq.suggest import ConstraintSuggestionRunner, Rules
from dq.verification import VerificationSuite

pd = pytest.importorskip("pandas")
vega = pytest.importorskip("vega_datasets")

def vega_frame(name: str):
    """A vega_datasets table read with pandas directly (its loader passes options pandas deprecates)."""
    path = getattr(vega.local_data, name).filepath
    return pd.read_csv(path) if path.endswith(".csv") else pd.read_json(path)


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> str:
    """The benchmark generator's reviews data (200k rows, so CI makes it in about a second)."""
    from benchmarks.generate_reviews import generate_reviews

    path = tmp_path_factory.mktemp("reviews") / "reviews_200000.parquet"
    generate_reviews(path, 200_000, seed=42)
    return str(path)


def round_trip(data, tmp_path: Path, rules=Rules.EXTENDED):
    result = ConstraintSuggestionRunner.on_data(data).add_constraint_rules(rules).run()
    path = tmp_path / "suggested.yaml"
    path.write_text(result.to_yaml())
    checks = load(path)
    verdict = VerificationSuite().on_data(data).add_checks(checks).run()
    failed = [(c.constraint.name, c.message) for _, c in verdict.constraint_results() if not c.is_success]
    return result, checks, verdict, failed


def test_reviews_round_trip(reviews, tmp_path):
    result, checks, verdict, failed = round_trip(reviews, tmp_path)
    assert failed == [] and verdict.status.value == "Success"
    # one scan + one grouped statement (no quantiles for suggestions); no uniqueness candidate here
    assert result.column_profiles.num_queries == 2
    by_col = result.constraint_suggestions
    assert {s.rule_name for s in by_col["star_rating"]} >= {"CategoricalRangeRule", "NonNegativeNumbersRule",
                                                            "HasMin", "HasMax", "HasMean"}
    contained = next(s for s in by_col["marketplace"] if s.rule_name == "CategoricalRangeRule")
    # the five codes by frequency, then the two rare bad codes (in either order: their counts are close)
    allowed = dict(contained.constraint.args)["allowed_values"]
    assert allowed[:5] == ("US", "UK", "DE", "JP", "FR") and set(allowed[5:]) == {"us", ""}
    # fragile ones (votes' ranges: hundreds of values; means) are Warnings, never Errors
    assert [c.level for c in checks] == [CheckLevel.ERROR, CheckLevel.WARNING]
    fragile = {(s.column, s.rule_name) for s in result.suggestions if s.fragile}
    assert ("total_votes", "HasMax") in fragile and ("star_rating", "HasMean") in fragile
    assert ("star_rating", "HasMax") not in fragile  # five values: a stable range
    assert all(c.level is CheckLevel.WARNING for c in checks if any(
        k in c.description for k in ("fragile",)))
    assert len(checks[0].constraints) == sum(not s.fragile for s in result.suggestions)


def test_round_trip_on_awkward_values(tmp_path):
    """Quotes, unicode, empty strings, a text 'NullValue', numbers as text, NaN, negative zero."""
    n = 200
    table = pa.table({
        "s": pa.array((["NullValue", "O'Brien", "", "日本", "😀", None, "a\\b", '"q"'] * n)[:n]),
        "digits": pa.array(([str(i % 7) for i in range(n)])),
        "x": pa.array([(-0.0 if i % 2 else 0.0) if i % 5 else float("nan") for i in range(n)]),
        "i": pa.array([i % 9 - 4 for i in range(n)]),
        "id": pa.array(range(n)),
    })
    result, _, _, failed = round_trip(table, tmp_path)
    assert failed == []
    listed = next(s for s in result.suggestions if s.column == "s" and s.rule_name == "CategoricalRangeRule")
    assert "NullValue" in dict(listed.constraint.args)["allowed_values"]
    assert any(s.column == "id" and s.rule_name == "UniqueIfApproximatelyUniqueRule" and not s.fragile
               for s in result.suggestions)


VEGA = ["cars", "iris", "airports", "stocks", "barley", "la_riots", "us_employment", "seattle_weather"]


@pytest.mark.parametrize("name", VEGA)
def test_vega_round_trip(name, tmp_path):
    df = vega_frame(name)
    result, _, verdict, failed = round_trip(df, tmp_path)
    assert failed == [], failed
    assert result.suggestions and result.num_records_used_for_profiling == len(df)


def test_approximate_uniqueness_is_confirmed_or_rejected():
    # airports: 3,376 rows; HyperLogLog puts 'name', 'latitude' and 'longitude' within 8% of
    # unique, but they hold duplicates (Deequ would suggest is_unique and fail on its own data)
    df = vega_frame("airports")
    result = ConstraintSuggestionRunner.on_data(df).add_constraint_rules(Rules.COMMON).run()
    rejected = {s.column for s in result.rejected}
    assert {"name", "latitude", "longitude"} <= rejected
    assert df["name"].duplicated().any()
    kept = {s.column: s for s in result.suggestions}
    assert "iata" in kept and not kept["iata"].fragile and df["iata"].is_unique
    assert "confirmed" in kept["iata"].current_value
    assert result.num_queries == 3  # + one exact count(DISTINCT) statement


def test_train_test_split(tmp_path):
    df = vega_frame("seattle_weather")
    table = pa.Table.from_pandas(df, preserve_index=False)
    run = lambda seed: (ConstraintSuggestionRunner.on_data(table).add_constraint_rules(Rules.EXTENDED)  # noqa: E731
                        .use_train_test_split_with_testset_ratio(0.3, seed).run())
    a, b, c = run(7), run(7), run(8)
    assert a.num_records_used_for_profiling + a.num_test_records == len(df)
    assert abs(a.num_test_records / len(df) - 0.3) < 0.05
    assert [s.to_dict() for s in a.suggestions] == [s.to_dict() for s in b.suggestions]  # same seed, same split
    assert a.num_records_used_for_profiling != c.num_records_used_for_profiling
    outcomes = {s.test_set_outcome for s in a.suggestions}
    assert outcomes <= {"Success", "Failure"} and "Success" in outcomes
    # a range taken from the training split can miss the test split's extremes: reported, not hidden
    d = a.to_dicts()[0]
    assert d["constraint_result_on_test_set"] in ("Success", "Failure")
    assert a.verification_result is not None
    robust = [s for s in a.suggestions if not s.fragile]
    assert sum(s.test_set_outcome == "Success" for s in robust) >= 0.8 * len(robust)
    with pytest.raises(InvalidOptionError):
        ConstraintSuggestionRunner.on_data(table).use_train_test_split_with_testset_ratio(1.0)


def test_outputs_and_options():
    df = vega_frame("cars")
    r = (ConstraintSuggestionRunner.on_data(df).add_constraint_rules(Rules.EXTENDED)
         .restrict_to_columns(["Cylinders", "Origin"]).with_low_cardinality_histogram_threshold(3).run())
    assert set(r.constraint_suggestions) == {"Cylinders", "Origin"}
    # Cylinders has 5 values: above a threshold of 3, no histogram, so no value range
    assert not any(s.rule_name == "CategoricalRangeRule" and s.column == "Cylinders" for s in r.suggestions)
    assert any(s.rule_name == "CategoricalRangeRule" and s.column == "Origin" for s in r.suggestions)
    only_robust = r.to_checks(include_fragile=False)
    assert all(c.level is CheckLevel.ERROR for c in only_robust)
    assert r.to_checks("warning")[0].level is CheckLevel.WARNING
    doc = json.loads(r.to_json())
    keys = {"constraint_name", "column_name", "current_value", "description", "suggesting_rule",
            "rule_description", "code_for_constraint", "yaml", "fragile", "level"}
    assert keys <= set(doc["constraint_suggestions"][0])
    assert "Origin" in str(r)
    with pytest.raises(InvalidOptionError, match="at least one rule"):
        ConstraintSuggestionRunner.on_data(df).run()


def test_cli_profile_and_suggest_then_verify(tmp_path, capsys):
    path = vega.local_data.seattle_weather.filepath
    assert main(["profile", path, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "dq.column_profiles" and doc["num_records"] == 1461
    assert main(["profile", path, "--columns", "weather", "precipitation"]) == 0
    assert "weather" in capsys.readouterr().out
    out = tmp_path / "checks.yaml"
    assert main(["suggest", path, "--rules", "extended", "--out", str(out)]) == 0
    assert "suggestions" in capsys.readouterr().out and out.exists()
    assert main(["verify", path, "--checks", str(out)]) == 0
    assert main(["suggest", path, "--format", "yaml", "--no-fragile"]) == 0
    assert "level: warning" not in capsys.readouterr().out
