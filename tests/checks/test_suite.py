"""VerificationSuite: status aggregation, result tables, JSON, required analyzers, one scan per
suite, order independence (hypothesis) and the Deequ blog check on the benchmark's reviews data.

Every test runs on each backend of ``conftest.BACKENDS``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dq import AnalysisRunner, VerificationSuite
from dq.analyzers import Completeness, Mean, Size, Sum, Uniqueness
from dq.checks import (
    Check,
    CheckLevel,
    CheckStatus,
    ConstraintStatus,
    at_least,
    at_most,
    between,
    bin_ratio,
    equals,
    less_than,
    number_of_buckets,
)
from dq.errors import InvalidOptionError
from dq.verification import RESULT_SCHEMA

T = pa.table({
    "a": pa.array([1, 2, 3, 4, 5], pa.int64()),
    "b": pa.array([2, 3, 1, None, 6], pa.int64()),
    "f": pa.array([1.5, -0.5, None, 2.0, 0.0], pa.float64()),
    "g": pa.array(["p", "p", "q", "q", "q"], pa.string()),
    "s": pa.array(["x", "y", "x", None, "O'Brien"], pa.string()),
})

PASSING = Check(CheckLevel.ERROR, "passing").has_size(equals(5)).is_complete("a")
FAILING_WARNING = Check(CheckLevel.WARNING, "failing warning").is_complete("a").is_complete("b")
FAILING_ERROR = Check(CheckLevel.ERROR, "failing error").has_size(at_least(6))
PASSING_WARNING = Check(CheckLevel.WARNING, "passing warning").is_unique("a")


def suite(backend_data, *checks: Check, data: pa.Table = T):
    return VerificationSuite().on_data(backend_data(data)).add_checks(checks)


def run(backend_data, *checks: Check, data: pa.Table = T):
    return suite(backend_data, *checks, data=data).run()


# -- status aggregation --------------------------------------------------------------------------------

@pytest.mark.parametrize("checks,expected", [
    ((), CheckStatus.SUCCESS),
    ((Check(CheckLevel.ERROR, "no constraints"),), CheckStatus.SUCCESS),
    ((PASSING,), CheckStatus.SUCCESS),
    ((PASSING, PASSING_WARNING), CheckStatus.SUCCESS),
    ((FAILING_WARNING,), CheckStatus.WARNING),
    ((PASSING, FAILING_WARNING, PASSING_WARNING), CheckStatus.WARNING),
    ((FAILING_ERROR,), CheckStatus.ERROR),
    ((FAILING_WARNING, FAILING_ERROR), CheckStatus.ERROR),
    ((FAILING_ERROR, FAILING_WARNING, PASSING), CheckStatus.ERROR),
], ids=["no-checks", "no-constraints", "pass", "pass-both-levels", "warning", "warning-among-passing", "error",
        "warning-and-error", "error-first"])
def test_status_aggregation(checks, expected, backend_data):
    result = run(backend_data, *checks)
    assert result.status is expected
    assert result.is_success is (expected is CheckStatus.SUCCESS)
    assert len(result.check_results) == len(checks)


def test_check_status_follows_its_level(backend_data):
    result = run(backend_data, PASSING, FAILING_WARNING, FAILING_ERROR, PASSING_WARNING)
    assert [r.status for r in result.check_results] == [
        CheckStatus.SUCCESS, CheckStatus.WARNING, CheckStatus.ERROR, CheckStatus.SUCCESS]
    assert result.check_result(FAILING_WARNING).status is CheckStatus.WARNING
    with pytest.raises(KeyError):
        result.check_result(Check(CheckLevel.ERROR, "not in the suite"))


def test_status_order():
    assert [s.rank for s in (CheckStatus.SUCCESS, CheckStatus.WARNING, CheckStatus.ERROR)] == [0, 1, 2]


def test_add_check_rejects_a_non_check():
    with pytest.raises(InvalidOptionError) as e:
        VerificationSuite().on_data(T).add_check("is_complete('a')")
    assert e.value.option == "check"
    with pytest.raises(InvalidOptionError) as e:
        VerificationSuite().on_data(T).add_required_analyzer("Size()")
    assert e.value.option == "analyzer"


# -- result tables ---------------------------------------------------------------------------------------

CHECK_COLUMNS = ["check", "check_level", "check_status", "constraint", "constraint_status", "constraint_message"]


def test_check_results_as_table(backend_data):
    hinted = Check(CheckLevel.WARNING, "hinted").has_size(greater_than_5 := at_least(6), "Should be at least 6!")
    assert greater_than_5.text == ">= 6"
    result = run(backend_data, PASSING, FAILING_WARNING, hinted)
    table = result.check_results_as_table()
    assert isinstance(table, pa.Table)
    assert table.column_names == CHECK_COLUMNS
    assert all(t == pa.string() for t in table.schema.types)
    assert table.to_pylist() == [
        {"check": "passing", "check_level": "Error", "check_status": "Success", "constraint": "SizeConstraint(Size())",
         "constraint_status": "Success", "constraint_message": ""},
        {"check": "passing", "check_level": "Error", "check_status": "Success",
         "constraint": "CompletenessConstraint(Completeness(a))", "constraint_status": "Success",
         "constraint_message": ""},
        {"check": "failing warning", "check_level": "Warning", "check_status": "Warning",
         "constraint": "CompletenessConstraint(Completeness(a))", "constraint_status": "Success",
         "constraint_message": ""},
        {"check": "failing warning", "check_level": "Warning", "check_status": "Warning",
         "constraint": "CompletenessConstraint(Completeness(b))", "constraint_status": "Failure",
         "constraint_message": "Value: 0.8 does not meet the constraint requirement! Requirement: == 1."},
        {"check": "hinted", "check_level": "Warning", "check_status": "Warning", "constraint": "SizeConstraint(Size())",
         "constraint_status": "Failure",
         "constraint_message": "Value: 5 does not meet the constraint requirement! Should be at least 6!"},
    ]
    assert result.check_results_as_dicts() == table.to_pylist()
    df = result.check_results_as_table(pandas=True)
    assert list(df.columns) == CHECK_COLUMNS and len(df) == 5
    assert df["constraint_message"].tolist()[:3] == ["", "", ""]


def test_check_results_as_table_without_checks(backend_data):
    table = run(backend_data).check_results_as_table()
    assert table.column_names == CHECK_COLUMNS and table.num_rows == 0


def test_success_metrics_as_table(backend_data):
    check = (Check(CheckLevel.ERROR, "c").has_size(equals(5)).is_complete("b").has_mean("a", equals(3))
             .has_mean("missing", equals(3)).has_max("a", at_most(4)).where("g = 'p'")
             .has_histogram_values("g", bin_ratio("q", equals(0.6))))
    result = run(backend_data, check)
    table = result.success_metrics_as_table()
    assert table.column_names == ["entity", "instance", "name", "value"]
    rows = {(r["entity"], r["instance"], r["name"]): r["value"] for r in table.to_pylist()}
    assert rows == {
        ("Dataset", "*", "Size"): 5.0,
        ("Column", "b", "Completeness"): 0.8,
        ("Column", "a", "Mean"): 3.0,
        ("Column", "a", "Maximum (where: g = 'p')"): 2.0,  # a filtered metric says its filter
        ("Column", "g", "Histogram.bins"): 2.0,
        ("Column", "g", "Histogram.abs.p"): 2.0,
        ("Column", "g", "Histogram.ratio.p"): 0.4,
        ("Column", "g", "Histogram.abs.q"): 3.0,
        ("Column", "g", "Histogram.ratio.q"): 0.6,
    }  # the failed Mean(missing) is not a success metric
    assert table.num_rows == len(rows)
    only = result.success_metrics_as_table([Size(), Mean("a")])
    assert sorted(only.column("name").to_pylist()) == ["Mean", "Size"]
    assert len(result.success_metrics_as_table(pandas=True)) == len(rows)


# -- JSON -------------------------------------------------------------------------------------------------

def _strict_json(text: str):
    def reject(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=reject)


def test_to_json(backend_data):
    shared = Check(CheckLevel.ERROR, "c1").is_complete("b").has_size(equals(5)).has_mean("f", at_least(0))
    again = Check(CheckLevel.WARNING, "c2").is_complete("b").has_completeness("b", at_least(0.8)).has_size(equals(4))
    result = run(backend_data, shared, again)
    doc = _strict_json(result.to_json())
    assert doc["schema"] == RESULT_SCHEMA["schema"] == "dq.verification_result"
    assert doc["version"] == RESULT_SCHEMA["version"] == 1
    assert doc["status"] == "Error"
    assert doc["num_queries"] == result.num_queries == 1
    # Completeness(b) is used by three constraints in two checks, Size by two: each metric is listed once
    metrics = [(m["entity"], m["instance"], m["name"]) for m in doc["metrics"]]
    assert sorted(metrics) == [("Column", "b", "Completeness"), ("Column", "f", "Mean"), ("Dataset", "*", "Size")]
    by_name = {m["name"]: m for m in doc["metrics"]}
    assert by_name["Completeness"]["value"] == 0.8
    assert by_name["Completeness"]["analyzer"]["analyzer"] == "Completeness"
    assert by_name["Mean"]["value"] == 0.75  # (1.5 - 0.5 + 2.0 + 0.0) / 4
    assert [c["check"] for c in doc["checks"]] == ["c1", "c2"]
    assert [c["check_status"] for c in doc["checks"]] == ["Error", "Warning"]
    c1 = doc["checks"][0]["constraints"]
    assert [c["constraint_status"] for c in c1] == ["Failure", "Success", "Success"]
    assert c1[0]["constraint_message"] == "Value: 0.8 does not meet the constraint requirement! Requirement: == 1."
    assert c1[0]["method"] == "is_complete" and c1[0]["arguments"] == {"column": "b"}
    assert c1[0]["requirement"] == "== 1"
    assert c1[0]["metric"]["value"] == 0.8
    assert c1[1]["constraint_message"] == ""
    c2 = doc["checks"][1]["constraints"]
    assert c2[1]["arguments"] == {"column": "b", "assertion": ">= 0.8"}
    assert c2[2]["constraint_message"] == "Value: 5 does not meet the constraint requirement! Requirement: == 4."
    assert json.loads(result.to_json(indent=None)) == doc


def test_to_json_failed_and_non_finite_metrics(backend_data):
    data = pa.table({"x": pa.array([1.0, math.nan, math.inf], pa.float64())})
    check = Check(CheckLevel.ERROR, "c").has_mean("x", at_least(0)).has_min("nope", at_least(0))
    doc = _strict_json(run(backend_data, check, data=data).to_json())
    mean, missing = doc["metrics"]
    assert mean["value"] == "NaN"
    assert "error" in missing and "'nope'" in missing["error"] and "value" not in missing
    cons = doc["checks"][0]["constraints"]
    assert cons[0]["constraint_message"] == "Value: NaN does not meet the constraint requirement! Requirement: >= 0."
    assert cons[1]["metric"]["error"] == missing["error"] == cons[1]["constraint_message"]


def test_to_json_dates_and_infinite_bounds(backend_data):
    data = pa.table({"d": pa.array([dt.date(2020, 1, 5), None], pa.date32()), "x": pa.array([1.0, 2.0])})
    check = (Check(CheckLevel.ERROR, "c").has_min("d", at_least(dt.date(2020, 1, 1)))
             .is_contained_in("x", lower_bound=-math.inf, upper_bound=math.inf).has_mean("x", lambda v: v > 0))
    doc = _strict_json(run(backend_data, check, data=data).to_json())
    d, x, mean = doc["checks"][0]["constraints"]
    assert d["arguments"] == {"column": "d", "assertion": ">= 2020-01-01"} and d["metric"]["value"] == "2020-01-05"
    assert (x["arguments"]["lower_bound"], x["arguments"]["upper_bound"]) == ("-inf", "inf")
    assert mean["arguments"]["assertion"] == mean["requirement"] == "satisfies <lambda>"
    assert doc["status"] == "Success"


def test_to_dict_matches_to_json(backend_data):
    result = run(backend_data, PASSING, FAILING_WARNING)
    assert json.loads(result.to_json()) == json.loads(json.dumps(result.to_dict()))


def test_render(backend_data):
    text = run(backend_data, PASSING, FAILING_WARNING).render()
    lines = text.splitlines()
    assert lines[0] == "Verification: Warning (2 checks, 4 constraints, 1 queries)"
    assert "[Warning] failing warning (level Warning)" in text
    assert "Value: 0.8 does not meet the constraint requirement! Requirement: == 1." in text
    assert str(run(backend_data, PASSING, FAILING_WARNING)) == text


# -- required analyzers ---------------------------------------------------------------------------------------

def test_add_required_analyzer(backend_data):
    result = (suite(backend_data, PASSING).add_required_analyzer(Mean("f")).add_required_analyzers([Sum("a"), Size()])
              .run())
    assert result.status is CheckStatus.SUCCESS
    assert result.metrics[Mean("f")].value == 0.75
    assert result.metrics[Sum("a")].value == 15.0
    assert set(result.metrics) == {Size(), Completeness("a"), Mean("f"), Sum("a")}  # Size shared with a constraint
    assert [len(r.constraint_results) for r in result.check_results] == [2]
    names = result.success_metrics_as_table().column("name").to_pylist()
    assert sorted(names) == ["Completeness", "Mean", "Size", "Sum"]
    doc = json.loads(result.to_json())
    assert sorted(m["name"] for m in doc["metrics"]) == ["Completeness", "Mean", "Size", "Sum"]
    assert result.num_queries == 1


def test_required_analyzer_without_checks(backend_data):
    result = VerificationSuite().on_data(backend_data(T)).add_required_analyzer(Uniqueness("g")).run()
    assert result.status is CheckStatus.SUCCESS and result.check_results == []
    assert result.metrics[Uniqueness("g")].value == 0.0


# -- one scan ---------------------------------------------------------------------------------------------------

def _alone(backend_data, builder, data: pa.Table = T) -> int:
    return AnalysisRunner.on_data(backend_data(data)).add_analyzers(builder.analyzers()).run(
        errors="record").num_queries


SCAN_ONLY = [
    lambda c, k: c.is_complete("b"),
    lambda c, k: c.has_completeness("s", at_least(k / 100)),
    lambda c, k: c.has_size(at_least(k % 6)),
    lambda c, k: c.has_min("a", at_least(k % 3)),
    lambda c, k: c.has_max("f", at_most(k)),
    lambda c, k: c.has_mean("a", between(0, k)),
    lambda c, k: c.has_sum("a", equals(15)).where(f"a > {k % 4}"),
    lambda c, k: c.satisfies(f"a + b > {k}", f"sum > {k}", at_least(0.1)),
    lambda c, k: c.is_contained_in("g", ["p", "q"]),
    lambda c, k: c.is_contained_in("a", lower_bound=0, upper_bound=k + 5),
    lambda c, k: c.has_pattern("s", "^[a-z]$", at_least(0.5)),
    lambda c, k: c.is_non_negative("f"),
    lambda c, k: c.is_less_than("a", "b", at_least(0.5)),
    lambda c, k: c.has_data_type("s", "String"),
    lambda c, k: c.has_approx_count_distinct("g", equals(2)),
    lambda c, k: c.has_standard_deviation("a", less_than(k + 2)),
    lambda c, k: c.has_max_length("s", at_most(7)),
    lambda c, k: c.has_zeros_count("f", equals(1)),
]


def _scan_checks(n: int) -> list[Check]:
    checks = []
    for k in range(n):
        c = Check(CheckLevel.WARNING if k % 3 else CheckLevel.ERROR, f"check {k}")
        for j in range(3):
            c = SCAN_ONLY[(k * 3 + j) % len(SCAN_ONLY)](c, k)
        checks.append(c)
    return checks


def test_fifty_checks_of_scan_constraints_cost_one_query(backend_data):
    checks = _scan_checks(50)
    builder = suite(backend_data, *checks)
    result = builder.run()
    assert result.num_queries == 1 == _alone(backend_data, builder)
    assert len(result.metrics) == len(builder.analyzers())
    assert all(m.is_success for m in result.metrics.values())
    assert sum(len(r.constraint_results) for r in result.check_results) == 150


def test_uniqueness_on_two_column_sets_adds_two_queries(backend_data):
    checks = _scan_checks(50)
    base = suite(backend_data, *checks).run().num_queries
    more = checks + [
        Check(CheckLevel.ERROR, "keys").is_unique("a").is_primary_key("g", "s"),
        Check(CheckLevel.WARNING, "same sets").has_distinctness("a", equals(1)).has_unique_value_ratio(
            ["g", "s"], at_least(0.5)).is_unique("a"),  # grouping sets already planned: free
    ]
    builder = suite(backend_data, *more)
    result = builder.run()
    assert (base, result.num_queries) == (1, 3)
    assert result.num_queries == _alone(backend_data, builder)


def test_suite_costs_what_its_analyzers_cost(backend_data):
    checks = [
        Check(CheckLevel.ERROR, "mixed").has_size(equals(5)).is_unique("a").has_entropy("g", at_least(0.5))
        .has_approx_quantile("a", 0.5, equals(3)).kll_sketch_satisfies("a", number_of_buckets(equals(2)),
                                                                       number_of_buckets=2)
        .custom_sql("SELECT count(*) FROM dataset", equals(5)).has_column("a").has_column_count(equals(5)),
        Check(CheckLevel.WARNING, "filtered").is_complete("b").where("a > 1").is_unique("g").where("a > 3")
        .has_min("nope", equals(1)),
    ]
    builder = suite(backend_data, *checks)
    result = builder.run()
    assert result.num_queries == _alone(backend_data, builder)


def test_shared_metric_is_computed_once(backend_data):
    checks = [
        Check(CheckLevel.ERROR, "one").is_complete("b").has_size(equals(5)).is_unique("a"),
        Check(CheckLevel.WARNING, "two").has_completeness("b", at_least(0.5)).has_size(at_least(1)).is_unique("a"),
        Check(CheckLevel.ERROR, "three").is_complete("b").where("a > 1").has_mean("a", equals(3)),
    ]
    builder = suite(backend_data, *checks).add_required_analyzer(Completeness("b"))
    result = builder.run()
    distinct = {Completeness("b"), Size(), Uniqueness(("a",)), Completeness("b", where="a > 1"), Mean("a")}
    assert set(builder.analyzers()) == distinct
    assert len(result.metrics) == len(distinct) == 5
    # the same Metric object serves every constraint that needs it
    used = [r.metric for _, r in result.constraint_results() if r.constraint.analyzer == Completeness("b")]
    assert len(used) == 2 and used[0] is used[1] is result.metrics[Completeness("b")]
    assert result.num_queries == 2  # one scan, one grouping on a


# -- order independence (hypothesis) ------------------------------------------------------------------------

def _raise(v):
    raise ValueError("nope")


POOL = [
    lambda c: c.is_complete("a"),
    lambda c: c.is_complete("s").where("a > 0"),
    lambda c: c.has_completeness("f", at_least(0.5)),
    lambda c: c.are_complete(["a", "s"]),
    lambda c: c.are_any_complete(["a", "f"]),
    lambda c: c.is_unique("a"),
    lambda c: c.is_primary_key("a", "s"),
    lambda c: c.has_uniqueness("s", at_least(0.5)),
    lambda c: c.has_distinctness("a", at_least(0.5)),
    lambda c: c.has_unique_value_ratio("s", at_least(0.5)).where("f IS NOT NULL"),
    lambda c: c.has_number_of_distinct_values("s", at_most(3)),
    lambda c: c.has_histogram_values("s", bin_ratio("x", at_least(0.2))),
    lambda c: c.has_duplicate_row_count(["s"], at_most(2)),
    lambda c: c.has_entropy("s", at_least(0.3)),
    lambda c: c.has_mutual_information("a", "s", at_least(0.1)),
    lambda c: c.has_approx_quantile("a", 0.5, at_least(0)),
    lambda c: c.has_exact_quantile("f", 0.5, at_most(1)),
    lambda c: c.kll_sketch_satisfies("f", number_of_buckets(at_most(2)), number_of_buckets=2),
    lambda c: c.has_min("a", at_least(-1)),
    lambda c: c.has_max("f", at_most(1)),
    lambda c: c.has_mean("a", between(-1, 1)),
    lambda c: c.has_sum("a", at_least(0)).where("s = 'x'"),
    lambda c: c.has_standard_deviation("f", less_than(1)),
    lambda c: c.has_correlation("a", "f", at_least(0)),
    lambda c: c.has_size(at_least(3)),
    lambda c: c.has_size(at_most(5)).where("a IS NOT NULL"),
    lambda c: c.has_column_count(equals(3)),
    lambda c: c.has_column("s"),
    lambda c: c.has_zeros_count("a", at_most(1)),
    lambda c: c.has_approx_count_distinct("a", at_most(3)),
    lambda c: c.satisfies("a >= f", "a ge f", at_least(0.5)),
    lambda c: c.has_pattern("s", "^[a-z]$", at_least(0.5)),
    lambda c: c.has_data_type("s", "String", at_least(0.5)),
    lambda c: c.is_non_negative("a"),
    lambda c: c.is_positive("f"),
    lambda c: c.is_less_than("a", "f", at_least(0.2)),
    lambda c: c.is_contained_in("s", ["x", "O'Brien"]),
    lambda c: c.is_contained_in("a", lower_bound=-1, upper_bound=2, include_upper_bound=False),
    lambda c: c.custom_sql("SELECT count(*) FROM dataset WHERE a > 0", at_least(1)),
    lambda c: c.has_min("nope", at_least(0)),  # a missing column
    lambda c: c.has_mean("a", _raise),  # an assertion that raises
    lambda c: c.satisfies("CAST(s AS INTEGER) > 0", "s as int"),  # a run-time error on most data
]

optional = lambda s: st.one_of(st.none(), s)  # noqa: E731


@st.composite
def tables(draw) -> pa.Table:
    n = draw(st.integers(0, 7))
    a = draw(st.lists(optional(st.integers(-2, 3)), min_size=n, max_size=n))
    f = draw(st.lists(optional(st.sampled_from([-1.5, 0.0, 0.5, 2.0])), min_size=n, max_size=n))
    s = draw(st.lists(optional(st.sampled_from(["x", "y", "O'Brien", "", "7"])), min_size=n, max_size=n))
    return pa.table({"a": pa.array(a, pa.int64()), "f": pa.array(f, pa.float64()), "s": pa.array(s, pa.string())})


@st.composite
def suites(draw):
    """Checks as lists of pool indices, and a shuffled order of the checks and of each check's constraints."""
    n_checks = draw(st.integers(1, 4))
    checks = [draw(st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=6)) for _ in range(n_checks)]
    levels = [draw(st.sampled_from([CheckLevel.ERROR, CheckLevel.WARNING])) for _ in range(n_checks)]
    check_order = draw(st.permutations(range(n_checks)))
    constraint_orders = [draw(st.permutations(range(len(c)))) for c in checks]
    return checks, levels, check_order, constraint_orders


def _build(description: str, level: CheckLevel, pool_indices) -> Check:
    c = Check(level, description)
    for i in pool_indices:
        c = POOL[i](c)
    return c


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=tables(), plan=suites())
def test_status_does_not_depend_on_order(data, plan, backend_data):
    checks, levels, check_order, constraint_orders = plan
    original = [_build(f"c{k}", levels[k], idx) for k, idx in enumerate(checks)]
    shuffled = [_build(f"c{k}", levels[k], [checks[k][j] for j in constraint_orders[k]]) for k in check_order]
    r1 = run(backend_data, *original, data=data)
    r2 = run(backend_data, *shuffled, data=data)
    assert r1.status is r2.status
    by_description = {cr.check.description: cr for cr in r2.check_results}
    for k, cr in enumerate(r1.check_results):
        other = by_description[f"c{k}"]
        assert cr.status is other.status, cr.check.description
        moved = {pos: r for pos, r in zip(constraint_orders[k], other.constraint_results)}
        for pos, r in enumerate(cr.constraint_results):
            # an engine error may quote a different malformed value in each run (Spark names the
            # first one its task met): compare messages with quoted values blanked
            assert (r.status, _unquoted(r.message)) == (moved[pos].status, _unquoted(moved[pos].message)), \
                r.constraint.name


# ==================================================================================================
# Acceptance: the Deequ blog check on the benchmark generator's reviews data
# ==================================================================================================

ROWS = 200_000
MARKETPLACES = ["US", "UK", "DE", "JP", "FR"]


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> str:
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:  # the repository root, where the benchmarks package lives
        sys.path.insert(0, root)
    from benchmarks.generate_reviews import generate_reviews

    return str(generate_reviews(tmp_path_factory.mktemp("reviews") / "reviews.parquet", ROWS))


@pytest.fixture(scope="module")
def truth(reviews) -> dict[str, float]:
    """The metrics of the blog check, computed with plain DuckDB SQL on the same file."""
    con = duckdb.connect()
    src = f"read_parquet('{reviews}')"
    allowed = ", ".join(f"'{m}'" for m in MARKETPLACES)
    size, id_nonnull, mk_nonnull, mk_ok, min_star, max_star, bad_year = con.execute(f"""
        SELECT count(*), count(review_id), count(marketplace),
               count(*) FILTER (WHERE marketplace IS NULL OR marketplace IN ({allowed})),
               min(star_rating), max(star_rating), count(*) FILTER (WHERE year < 0)
        FROM {src}""").fetchone()
    (once,) = con.execute(f"""
        SELECT count(*) FROM (SELECT review_id FROM {src} WHERE review_id IS NOT NULL
                              GROUP BY review_id HAVING count(*) = 1)""").fetchone()
    con.close()
    return {"size": size, "id_completeness": id_nonnull / size, "id_uniqueness": once / id_nonnull,
            "mk_completeness": mk_nonnull / size, "mk_contained": mk_ok / size,
            "min_star": min_star, "max_star": max_star, "bad_year": bad_year}


BLOG_CHECK = (Check(CheckLevel.ERROR, "Review Check")
              .has_size(at_least(3_000_000))
              .has_min("star_rating", equals(1))
              .has_max("star_rating", equals(5))
              .is_complete("review_id")
              .is_unique("review_id")
              .is_complete("marketplace")
              .is_contained_in("marketplace", MARKETPLACES)
              .is_non_negative("year"))


def test_deequ_blog_check(reviews, truth, backend_data):
    result = VerificationSuite().on_data(backend_data(pq.read_table(reviews))).add_check(BLOG_CHECK).run()
    rows = result.check_results[0].constraint_results
    statuses = [r.status for r in rows]
    S, F = ConstraintStatus.SUCCESS, ConstraintStatus.FAILURE
    assert statuses == [F, S, S, F, F, F, F, S]
    assert result.status is CheckStatus.ERROR

    # the independently computed truth first: the data has the flaws the check should find
    assert truth["size"] == ROWS
    assert (truth["min_star"], truth["max_star"], truth["bad_year"]) == (1, 5, 0)
    assert 0.999 < truth["id_completeness"] < 1  # 0.01% NULL
    assert 0.98 < truth["id_uniqueness"] < 0.99  # ~0.7% copies of earlier ids: both rows lose uniqueness
    assert 0.99 < truth["mk_completeness"] < 1  # 0.5% NULL
    assert 0.999 < truth["mk_contained"] < 1  # 0.01% bad codes; NULL passes

    def message(value) -> str:
        return f"Value: {value} does not meet the constraint requirement! Requirement: "

    size, _, _, id_complete, id_unique, mk_complete, mk_contained, _ = [r.message for r in rows]
    assert size == message(ROWS) + ">= 3000000."
    assert id_complete == message(repr(truth["id_completeness"])) + "== 1."
    assert id_unique == message(repr(truth["id_uniqueness"])) + "== 1."
    assert mk_complete == message(repr(truth["mk_completeness"])) + "== 1."
    assert mk_contained == message(repr(truth["mk_contained"])) + "== 1."
    assert result.num_queries == 2  # one scan and one grouping on review_id
    table = result.check_results_as_table().to_pylist()
    assert [r["constraint_status"] for r in table] == [s.value for s in statuses]


def test_deequ_blog_check_on_the_parquet_path(reviews):
    """DuckDB reads the file itself: the same verdict as from the table in memory."""
    from_path = VerificationSuite().on_data(reviews).add_check(BLOG_CHECK).run()
    from_table = VerificationSuite().on_data(pq.read_table(reviews)).add_check(BLOG_CHECK).run()
    assert from_path.check_results_as_dicts() == from_table.check_results_as_dicts()
    assert from_path.num_queries == 2


def _unquoted(message: str | None) -> str | None:
    import re

    # Spark escapes a quote inside the value: 'O\'Brien'
    return None if message is None else re.sub(r"'(?:[^'\\]|\\.)*'", "'?'", message)
