"""YAML check files (``dq.checks.load`` / ``loads`` / ``dump`` / ``dumps``).

* every constraint method of ``Check`` written in YAML gives the Check the Python call gives;
* ``loads(dumps(checks)) == checks`` for every method, with ``where``, ``hint`` and options;
* ``dumps`` writes only non-default arguments and the shorthand when it can;
* every mistake is a ``CheckFileError`` naming ``<source>:<line>:`` and what was expected/found;
* YAML 1.1 surprises (``Y``, ``no``, ``on`` as booleans, ``012`` as octal) do not happen;
* a loaded suite runs to the same statuses as the Python checks.
"""

from __future__ import annotations

import inspect
import os
import stat
import textwrap

import pyarrow as pa
import pytest
import yaml

from dq import VerificationSuite
from dq.analyzers.base import AnalyzerOptions
from dq.checks import (
    Check,
    CheckFileError,
    CheckLevel,
    ConstrainableDataTypes,
    at_least,
    at_most,
    between,
    bin_count,
    bin_ratio,
    bucket_count,
    dump,
    dumps,
    equals,
    greater_than,
    is_one,
    is_zero,
    less_than,
    load,
    loads,
    not_equal,
    number_of_bins,
    number_of_buckets,
)
from dq.checks.constraints import BUILDERS
from dq.checks.yaml_io import _KINDS, CONSTRAINT_METHODS
from dq.errors import DQError, InvalidOptionError

E = CheckLevel.ERROR


def doc(*constraint_lines: str, description: str = "d", level: str = "error") -> str:
    """A check file with one check whose constraints are the given list items (text after '- ')."""
    body = "".join(f"      - {line}\n" for line in constraint_lines) if constraint_lines else ""
    tail = "\n" + body if body else " []\n"
    return (f"version: 1\nchecks:\n  - description: {description}\n    level: {level}\n"
            f"    constraints:{tail}")


def one(text: str) -> Check:
    checks = loads(text)
    assert len(checks) == 1
    return checks[0]


# -- the table: every constraint method, in YAML and in Python -----------------------------------

#: (id, the YAML list item, the same constraint in Python)
CASES: list[tuple[str, str, object]] = [
    ("has_size", 'has_size: ">= 3000000"', lambda c: c.has_size(at_least(3_000_000))),
    ("has_size_between", "has_size: between 1 and 5", lambda c: c.has_size(between(1, 5))),
    ("has_column_count", 'has_column_count: "== 5"', lambda c: c.has_column_count(equals(5))),
    ("has_column", "has_column: review id", lambda c: c.has_column("review id")),
    ("is_complete", "is_complete: review_id", lambda c: c.is_complete("review_id")),
    ("is_complete_options", "is_complete: {column: x, options: {null_behavior: Fail}}",
     lambda c: c.is_complete("x", options=AnalyzerOptions(null_behavior="Fail"))),
    ("has_completeness", "has_completeness: {column: year, assertion: '>= 0.99', where: \"marketplace = 'US'\"}",
     lambda c: c.has_completeness("year", at_least(0.99)).where("marketplace = 'US'")),
    ("has_completeness_options",
     "has_completeness: {column: x, assertion: '>= 0.9', options: {null_behavior: Ignore}}",
     lambda c: c.has_completeness("x", at_least(0.9), options={"null_behavior": "Ignore"})),
    ("are_complete", "are_complete: [a, b]", lambda c: c.are_complete(["a", "b"])),
    ("have_completeness", "have_completeness: {columns: [a, b], assertion: 'in [0.5, 1)'}",
     lambda c: c.have_completeness(("a", "b"), between(0.5, 1, include_upper=False))),
    ("are_any_complete", "are_any_complete: {columns: [a, b], hint: one of them}",
     lambda c: c.are_any_complete(["a", "b"], hint="one of them")),
    ("have_any_completeness", "have_any_completeness: {columns: [a, b], assertion: '> 0.5'}",
     lambda c: c.have_any_completeness(["a", "b"], greater_than(0.5))),
    ("is_unique", "is_unique: {column: review_id, hint: review ids must not repeat}",
     lambda c: c.is_unique("review_id", hint="review ids must not repeat")),
    ("are_unique", "are_unique: {columns: [a, b], options: {filtered_row: NULL}}",
     lambda c: c.are_unique(["a", "b"], options=AnalyzerOptions(filtered_row="NULL"))),
    ("is_primary_key", "is_primary_key: {columns: [a, b]}", lambda c: c.is_primary_key("a", "b")),
    ("is_primary_key_shorthand", "is_primary_key: [a, b, c]", lambda c: c.is_primary_key("a", "b", "c")),
    ("is_primary_key_one", "is_primary_key: id", lambda c: c.is_primary_key("id")),
    ("has_uniqueness", "has_uniqueness: {columns: a, assertion: '== 1'}", lambda c: c.has_uniqueness("a", is_one())),
    ("has_uniqueness_list", "has_uniqueness: {columns: [a, b], assertion: '>= 0.5', options: {filtered_row: 'NULL'}}",
     lambda c: c.has_uniqueness(["a", "b"], at_least(0.5), options=AnalyzerOptions(filtered_row="NULL"))),
    ("has_distinctness", "has_distinctness: {columns: [a], assertion: '< 0.5'}",
     lambda c: c.has_distinctness(["a"], less_than(0.5))),
    ("has_unique_value_ratio", "has_unique_value_ratio: {columns: [a, b], assertion: '!= 0'}",
     lambda c: c.has_unique_value_ratio(["a", "b"], not_equal(0))),
    ("has_number_of_distinct_values",
     "has_number_of_distinct_values: {column: m, assertion: '<= 10', max_bins: 50}",
     lambda c: c.has_number_of_distinct_values("m", at_most(10), max_bins=50)),
    ("has_histogram_values", "has_histogram_values: {column: marketplace, assertion: 'ratio[US] >= 0.5'}",
     lambda c: c.has_histogram_values("marketplace", bin_ratio("US", at_least(0.5)))),
    ("has_histogram_values_bins", "has_histogram_values: {column: m, assertion: bins <= 10, max_bins: 20}",
     lambda c: c.has_histogram_values("m", number_of_bins(at_most(10)), max_bins=20)),
    ("has_histogram_values_absolute", "has_histogram_values: {column: m, assertion: 'absolute[a b] == 4'}",
     lambda c: c.has_histogram_values("m", bin_count("a b", equals(4)))),
    ("has_duplicate_row_count", "has_duplicate_row_count: {columns: [a, b], assertion: '== 0'}",
     lambda c: c.has_duplicate_row_count(["a", "b"], is_zero())),
    ("has_entropy", "has_entropy: {column: a, assertion: '== 0.5 +- 0.01'}",
     lambda c: c.has_entropy("a", equals(0.5, tolerance=0.01))),
    ("has_mutual_information", "has_mutual_information: {column_a: a, column_b: b, assertion: '>= 0.1'}",
     lambda c: c.has_mutual_information("a", "b", at_least(0.1))),
    ("kll_sketch_satisfies",
     "kll_sketch_satisfies: {column: x, assertion: buckets == 10, sketch_size: 1024, number_of_buckets: 10}",
     lambda c: c.kll_sketch_satisfies("x", number_of_buckets(equals(10)), sketch_size=1024, number_of_buckets=10)),
    ("kll_sketch_satisfies_bucket", "kll_sketch_satisfies: {column: x, assertion: 'bucket_count[0] >= 1'}",
     lambda c: c.kll_sketch_satisfies("x", bucket_count(0, at_least(1)))),
    ("has_approx_quantile",
     "has_approx_quantile: {column: x, quantile: 0.5, assertion: '< 3', relative_error: 0.001}",
     lambda c: c.has_approx_quantile("x", 0.5, less_than(3), relative_error=0.001)),
    ("has_exact_quantile", "has_exact_quantile: {column: x, quantile: 0.9, assertion: '<= 100'}",
     lambda c: c.has_exact_quantile("x", 0.9, at_most(100))),
    ("has_interquartile_range", "has_interquartile_range: {column: x, assertion: between 1 and 2}",
     lambda c: c.has_interquartile_range("x", between(1, 2))),
    ("has_min_length", "has_min_length: {column: s, assertion: '>= 1', options: {null_behavior: EmptyString}}",
     lambda c: c.has_min_length("s", at_least(1), options=AnalyzerOptions(null_behavior="EmptyString"))),
    ("has_max_length", "has_max_length: {column: s, assertion: '<= 255'}", lambda c: c.has_max_length("s", at_most(255))),
    ("has_min", "has_min: {column: star_rating, assertion: '== 1'}", lambda c: c.has_min("star_rating", equals(1))),
    ("has_max", "has_max: {column: star_rating, assertion: '== 5', hint: top}",
     lambda c: c.has_max("star_rating", equals(5), hint="top")),
    ("has_range", "has_range: {column: x, assertion: '<= 4'}", lambda c: c.has_range("x", at_most(4))),
    ("has_mean", "has_mean: {column: x, assertion: 'in (0, 1]'}",
     lambda c: c.has_mean("x", between(0, 1, include_lower=False))),
    ("has_sum", "has_sum: {column: x, assertion: '>= -1.5e3'}", lambda c: c.has_sum("x", at_least(-1500.0))),
    ("has_standard_deviation", "has_standard_deviation: {column: x, assertion: '< 2'}",
     lambda c: c.has_standard_deviation("x", less_than(2))),
    ("has_variance", "has_variance: {column: x, assertion: '< 4'}", lambda c: c.has_variance("x", less_than(4))),
    ("has_skewness", "has_skewness: {column: x, assertion: between -1 and 1}",
     lambda c: c.has_skewness("x", between(-1, 1))),
    ("has_kurtosis", "has_kurtosis: {column: x, assertion: '> -2'}", lambda c: c.has_kurtosis("x", greater_than(-2))),
    ("has_approx_count_distinct", "has_approx_count_distinct: {column: x, assertion: '>= 3'}",
     lambda c: c.has_approx_count_distinct("x", at_least(3))),
    ("has_correlation", "has_correlation: {column_a: a, column_b: b, assertion: '>= 0.9'}",
     lambda c: c.has_correlation("a", "b", at_least(0.9))),
    ("has_zeros_count", "has_zeros_count: {column: x, assertion: '== 0'}", lambda c: c.has_zeros_count("x", is_zero())),
    ("satisfies", "satisfies: {predicate: a > 0, constraint_name: positive a}",
     lambda c: c.satisfies("a > 0", "positive a")),
    ("satisfies_full",
     "satisfies: {predicate: 'a > 0 AND b IS NOT NULL', constraint_name: ab, assertion: '>= 0.9', columns: [a, b],"
     " options: {filtered_row: 'NULL'}, where: b < 10}",
     lambda c: c.satisfies("a > 0 AND b IS NOT NULL", "ab", at_least(0.9), columns=["a", "b"],
                           options={"filtered_row": "NULL"}).where("b < 10")),
    ("has_pattern", r"has_pattern: {column: email, pattern: '^\S+@\S+$', name: emails, assertion: '>= 0.9'}",
     lambda c: c.has_pattern("email", r"^\S+@\S+$", at_least(0.9), name="emails")),
    ("has_pattern_plain", r"has_pattern: {column: code, pattern: '[A-Z]{2}\d'}",
     lambda c: c.has_pattern("code", r"[A-Z]{2}\d")),
    ("contains_credit_card_number", "contains_credit_card_number: card",
     lambda c: c.contains_credit_card_number("card")),
    ("contains_email", "contains_email: {column: e, assertion: '>= 0.9'}", lambda c: c.contains_email("e", at_least(0.9))),
    ("contains_url", "contains_url: {column: u, assertion: '== 0'}", lambda c: c.contains_url("u", is_zero())),
    ("contains_social_security_number", "contains_social_security_number: ssn",
     lambda c: c.contains_social_security_number("ssn")),
    ("has_data_type", "has_data_type: {column: year, data_type: integral}",
     lambda c: c.has_data_type("year", ConstrainableDataTypes.INTEGRAL)),
    ("has_data_type_null", "has_data_type: {column: year, data_type: null, assertion: '<= 0.1'}",
     lambda c: c.has_data_type("year", "Null", at_most(0.1))),
    ("is_non_negative", "is_non_negative: amount", lambda c: c.is_non_negative("amount")),
    ("is_positive", "is_positive: {column: amount, assertion: '>= 0.99', options: {filtered_row: 'NULL'}}",
     lambda c: c.is_positive("amount", at_least(0.99), options={"filtered_row": "NULL"})),
    ("is_less_than", "is_less_than: {column_a: start, column_b: end}", lambda c: c.is_less_than("start", "end")),
    ("is_less_than_or_equal_to", "is_less_than_or_equal_to: {column_a: a, column_b: b, assertion: '>= 0.5'}",
     lambda c: c.is_less_than_or_equal_to("a", "b", at_least(0.5))),
    ("is_greater_than", "is_greater_than: {column_a: a, column_b: b, hint: a after b}",
     lambda c: c.is_greater_than("a", "b", hint="a after b")),
    ("is_greater_than_or_equal_to", "is_greater_than_or_equal_to: {column_a: a, column_b: b, where: a IS NOT NULL}",
     lambda c: c.is_greater_than_or_equal_to("a", "b").where("a IS NOT NULL")),
    ("is_contained_in", "is_contained_in: {column: marketplace, allowed_values: [US, UK, DE, JP, FR]}",
     lambda c: c.is_contained_in("marketplace", ["US", "UK", "DE", "JP", "FR"])),
    ("is_contained_in_numbers", "is_contained_in: {column: n, allowed_values: [1, 2.5, -3], assertion: '>= 0.9'}",
     lambda c: c.is_contained_in("n", [1, 2.5, -3], at_least(0.9))),
    ("is_contained_in_yn", "is_contained_in: {column: flag, allowed_values: [Y, N, yes, no, on, off]}",
     lambda c: c.is_contained_in("flag", ["Y", "N", "yes", "no", "on", "off"])),
    ("is_contained_in_bools", "is_contained_in: {column: flag, allowed_values: [true, false, null]}",
     lambda c: c.is_contained_in("flag", [True, False, None])),
    ("is_contained_in_range",
     "is_contained_in: {column: star_rating, lower_bound: 1, upper_bound: 5, include_upper_bound: false}",
     lambda c: c.is_contained_in("star_rating", lower_bound=1, upper_bound=5, include_upper_bound=False)),
    ("is_contained_in_range_float",
     "is_contained_in: {column: x, lower_bound: -0.5, upper_bound: .inf, include_lower_bound: false}",
     lambda c: c.is_contained_in("x", lower_bound=-0.5, upper_bound=float("inf"), include_lower_bound=False)),
    ("custom_sql", "custom_sql: {expression: SELECT COUNT(*) FROM dataset, assertion: '> 0'}",
     lambda c: c.custom_sql("SELECT COUNT(*) FROM dataset", greater_than(0))),
]

CASE_IDS = [c[0] for c in CASES]


def test_the_table_covers_every_constraint_method():
    methods = {line.split(":", 1)[0] for _, line, _ in CASES}
    assert methods == set(CONSTRAINT_METHODS)
    assert set(CONSTRAINT_METHODS) == set(BUILDERS)  # every builder has its Check method
    assert len(CONSTRAINT_METHODS) >= 50


def test_every_parameter_of_every_method_has_a_yaml_kind():
    for m in CONSTRAINT_METHODS:
        for name in list(inspect.signature(getattr(Check, m)).parameters)[1:]:
            assert name in _KINDS, (m, name)


@pytest.mark.parametrize(("line", "python"), [c[1:] for c in CASES], ids=CASE_IDS)
def test_yaml_gives_the_python_check(line, python):
    assert one(doc(line)) == python(Check(E, "d"))


@pytest.mark.parametrize("python", [c[2] for c in CASES], ids=CASE_IDS)
@pytest.mark.parametrize("extra", ["plain", "hint", "where", "hint+where"])
def test_round_trip_every_method(python, extra):
    check = python(Check(CheckLevel.WARNING, "round trip"))
    method = check.constraints[-1].method
    if "hint" in extra:
        args = check.constraints[-1].arguments
        args.pop("where", None)
        args["hint"] = "ünïcode hint: 'quoted' \"twice\""
        if method == "is_primary_key":
            cols = args.pop("columns")
            check = Check(check.level, check.description).is_primary_key(*cols, **args)
        else:
            check = getattr(Check(check.level, check.description), method)(**args)
    if "where" in extra:
        if not check.constraints[-1].filterable:
            with pytest.raises(InvalidOptionError, match="filtered"):
                check.where("x > 0")
            return
        check = check.where("x > 0 AND name <> 'it''s'")
    text = dumps([check])
    assert loads(text) == [check]
    # the text is what other YAML tools read too
    assert yaml.safe_load(text)["checks"][0]["description"] == "round trip"


def test_round_trip_all_methods_in_one_file(tmp_path):
    check = Check(E, "all")
    for _, _, python in CASES:
        check = python(check)
    checks = [check, Check(CheckLevel.WARNING, "empty"), python(Check(CheckLevel.WARNING, "last"))]
    path = tmp_path / "checks.yaml"
    dump(checks, path)
    assert load(path) == checks
    assert load(str(path)) == checks
    assert path.read_text(encoding="utf-8") == dumps(checks)


BRIEF_EXAMPLE = """\
version: 1            # required, only 1 is known
checks:
  - description: reviews            # required
    level: error                    # error | warning (case-insensitive), required
    constraints:
      - has_size: ">= 3000000"                       # scalar shorthand: the method's first required parameter
      - has_min: {column: star_rating, assertion: "== 1"}
      - is_complete: review_id
      - is_unique: {column: review_id, hint: "review ids must not repeat"}
      - is_contained_in: {column: marketplace, allowed_values: [US, UK, DE, JP, FR]}
      - is_contained_in: {column: star_rating, lower_bound: 1, upper_bound: 5, include_upper_bound: false}
      - has_completeness: {column: year, assertion: ">= 0.99", where: "marketplace = 'US'"}
      - is_primary_key: {columns: [a, b]}
      - has_data_type: {column: year, data_type: integral}
      - has_histogram_values: {column: marketplace, assertion: "ratio[US] >= 0.5"}
      - has_completeness: {column: x, assertion: ">= 0.9", options: {null_behavior: Ignore}}
"""


def test_the_documented_example():
    expected = (Check(E, "reviews")
                .has_size(at_least(3_000_000))
                .has_min("star_rating", equals(1))
                .is_complete("review_id")
                .is_unique("review_id", hint="review ids must not repeat")
                .is_contained_in("marketplace", ["US", "UK", "DE", "JP", "FR"])
                .is_contained_in("star_rating", lower_bound=1, upper_bound=5, include_upper_bound=False)
                .has_completeness("year", at_least(0.99)).where("marketplace = 'US'")
                .is_primary_key("a", "b")
                .has_data_type("year", ConstrainableDataTypes.INTEGRAL)
                .has_histogram_values("marketplace", bin_ratio("US", at_least(0.5)))
                .has_completeness("x", at_least(0.9), options=AnalyzerOptions(null_behavior="Ignore")))
    assert loads(BRIEF_EXAMPLE) == [expected]
    assert loads(dumps([expected])) == [expected]


# -- what dumps writes -------------------------------------------------------------------------

def test_dumps_text():
    check = (Check(E, "reviews")
             .has_size(at_least(3_000_000))
             .is_complete("review_id")
             .has_min("star_rating", equals(1))
             .is_unique("review_id", hint="review ids must not repeat")
             .is_contained_in("marketplace", ["US", "UK", "Y", "no"])
             .is_contained_in("star_rating", lower_bound=1, upper_bound=5, include_upper_bound=False)
             .has_completeness("year", at_least(0.99)).where("marketplace = 'US'")
             .is_primary_key("a", "b")
             .has_number_of_distinct_values("m", at_most(10))
             .has_histogram_values("marketplace", bin_ratio("US", at_least(0.5))))
    expected = textwrap.dedent("""\
        version: 1
        checks:
          - description: reviews
            level: error
            constraints:
              - has_size: '>= 3000000'
              - is_complete: review_id
              - has_min: {column: star_rating, assertion: == 1}
              - is_unique: {column: review_id, hint: review ids must not repeat}
              - is_contained_in: {column: marketplace, allowed_values: [US, UK, 'Y', 'no']}
              - is_contained_in: {column: star_rating, lower_bound: 1, upper_bound: 5, include_upper_bound: false}
              - has_completeness: {column: year, assertion: '>= 0.99', where: marketplace = 'US'}
              - is_primary_key: [a, b]
              - has_number_of_distinct_values: {column: m, assertion: <= 10}
              - has_histogram_values: {column: marketplace, assertion: 'ratio[US] >= 0.5'}
        """)
    assert dumps([check]) == expected
    assert dumps(check) == expected  # one Check is accepted too
    assert loads(expected) == [check]


def test_dumps_omits_defaults_and_uses_the_shorthand_only_for_the_first_required_argument():
    c = (Check(E, "d")
         .has_number_of_distinct_values("m", at_most(10), max_bins=1000)
         .kll_sketch_satisfies("x", number_of_bins(at_most(3)), sketch_size=2048, number_of_buckets=100)
         .has_approx_quantile("x", 0.5, at_most(1), relative_error=0.01)
         .is_contained_in("x", lower_bound=0, upper_bound=1, include_lower_bound=True, include_upper_bound=True)
         .satisfies("a > 0", "p", columns=())
         .is_complete("a").where("b > 0")
         .is_complete("a", hint="h")
         .has_size(at_least(1), hint=None))
    lines = dumps([c]).splitlines()[5:]
    assert lines == [
        "      - has_number_of_distinct_values: {column: m, assertion: <= 10}",
        "      - kll_sketch_satisfies: {column: x, assertion: bins <= 3}",
        "      - has_approx_quantile: {column: x, quantile: 0.5, assertion: <= 1}",
        "      - is_contained_in: {column: x, lower_bound: 0, upper_bound: 1}",
        "      - satisfies: {predicate: a > 0, constraint_name: p}",
        "      - is_complete: {column: a, where: b > 0}",
        "      - is_complete: {column: a, hint: h}",
        "      - has_size: '>= 1'",
    ]
    assert loads(dumps([c])) == [c]


def test_dumps_writes_default_options_explicitly():
    # options=AnalyzerOptions() is not options=None: the file must say so
    c = Check(E, "d").is_complete("a", options=AnalyzerOptions()).is_complete("a")
    text = dumps([c])
    assert "- is_complete: {column: a, options: {}}" in text
    assert loads(text) == [c]
    assert loads(text)[0].constraints[0] != loads(text)[0].constraints[1]


def test_dumps_callable_assertion_is_refused_naming_check_and_method(tmp_path):
    c = Check(E, "reviews").is_complete("a").has_min("star_rating", lambda v: v >= 1)
    with pytest.raises(InvalidOptionError) as info:
        dumps([c])
    msg = str(info.value)
    assert "'reviews'" in msg and "has_min" in msg and "named assertion" in msg and "callable" in msg
    # nested in a picker too
    c2 = Check(E, "hist").has_histogram_values("m", bin_ratio("US", lambda v: v > 0.5))
    with pytest.raises(InvalidOptionError, match="has_histogram_values.*named assertion"):
        dumps([c2])
    # dump leaves no file behind
    path = tmp_path / "c.yaml"
    with pytest.raises(InvalidOptionError):
        dump([c], path)
    assert list(tmp_path.iterdir()) == []


def test_histogram_keys_with_brackets_and_spaces_round_trip():
    # the key is escaped in the assertion text, so the check reads back the same
    for key in ("a]b", "New  York", "back\\slash"):
        c = Check(E, "d").has_histogram_values("m", bin_ratio(key, at_least(0.5)))
        assert loads(dumps([c])) == [c]


def test_dumps_refuses_values_yaml_cannot_carry():
    import datetime as dt
    import decimal

    for v in (dt.date(2021, 1, 1), decimal.Decimal("1.5")):
        c = Check(E, "d").is_contained_in("x", [v])
        with pytest.raises(InvalidOptionError, match="allowed_values"):
            dumps([c])
    with pytest.raises(InvalidOptionError, match="Check"):
        dumps(["not a check"])


def test_dumps_refuses_constraints_a_file_cannot_express():
    import dataclasses

    # options given to has_duplicate_row_count (the method takes them) round-trip
    c = Check(E, "d").add("has_duplicate_row_count", columns=["a"], assertion=is_zero(),
                          options=AnalyzerOptions(filtered_row="NULL"))
    assert loads(dumps([c])) == [c]
    # a constraint no Check method builds
    odd = dataclasses.replace(Check(E, "d").is_complete("a").constraints[0], method="is_odd")
    with pytest.raises(InvalidOptionError, match="is_odd"):
        dumps([Check(E, "d").add_constraint(odd)])


def test_dump_is_atomic_and_keeps_the_mode(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("old", encoding="utf-8")
    os.chmod(path, 0o640)
    checks = [Check(E, "d").is_complete("a")]
    dump(checks, path)
    assert path.read_text(encoding="utf-8") == dumps(checks)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]


def test_numpy_values_are_written_as_plain_numbers():
    np = pytest.importorskip("numpy")
    c = Check(E, "d").is_contained_in("x", [np.int64(1), np.float64(2.5)])
    text = dumps([c])
    assert "allowed_values: [1, 2.5]" in text
    assert loads(text) == [c]


# -- names and scalars -------------------------------------------------------------------------

AWKWARD = [
    "first name", "it's", 'say "hi"', "a.b", "col: x", "- dash", "#hash", "a, b", "[x]", "{y}", "名前",
    "naïve café", "emoji 🎉", " leading", "trailing ", "Y", "N", "yes", "no", "on", "off", "true", "null", "~",
    "2021", "012", "1e5", "0o17", "0x1F", ".inf", "1:20", "2021-01-01", "=", "<<", "*star", "&amp", "!bang",
    "%pct", "@at", "`tick", "|pipe", ">gt", "?q", "tab\there", "line\nbreak", "back\\slash", "\u2028sep",
]


def test_awkward_column_names_and_values_survive_the_round_trip():
    check = Check(E, "ünïcode ✓ 'description'")
    for name in AWKWARD:
        check = check.is_complete(name)
    check = check.is_contained_in("v", AWKWARD).has_pattern("p", r"^[\"'] \d+$", hint="héllo \"world\"")
    check = check.is_primary_key(*AWKWARD[:5]).where("\"first name\" = 'it''s'")
    text = dumps([check])
    assert loads(text) == [check]
    # another YAML reader (PyYAML, YAML 1.1) reads the same strings
    read = yaml.safe_load(text)["checks"][0]["constraints"]
    assert [next(iter(c.values())) for c in read[: len(AWKWARD)]] == AWKWARD
    assert read[len(AWKWARD)]["is_contained_in"]["allowed_values"] == AWKWARD


def test_dumps_quotes_strings_yaml_1_1_or_1_2_would_read_as_other_types():
    text = dumps([Check(E, "d").is_contained_in("v", ["Y", "n", "yes", "Off", "1e5", "0o17", "012", "~", "NULL"])])
    assert "allowed_values: ['Y', 'n', 'yes', 'Off', '1e5', '0o17', '012', '~', 'NULL']" in text


def test_yaml_1_2_scalars():
    c = one(doc("is_contained_in: {column: v, allowed_values: [Y, N, yes, no, on, off, y, n]}"))
    assert c.constraints[0].arguments["allowed_values"] == ("Y", "N", "yes", "no", "on", "off", "y", "n")
    c = one(doc("is_contained_in: {column: v, allowed_values: [true, False, TRUE, null, ~, 012, 0o17, 0x1F, 1e5, "
                "1_000, 2021-01-01, 1:20, .5]}"))
    assert c.constraints[0].arguments["allowed_values"] == (
        True, False, True, None, None, 12, 15, 31, 100000.0, "1_000", "2021-01-01", "1:20", 0.5)
    vals = c.constraints[0].arguments["allowed_values"]
    assert [type(v) for v in vals[:5]] == [bool, bool, bool, type(None), type(None)]
    assert isinstance(vals[8], float) and isinstance(vals[5], int)
    # quoted values are always text
    c = one(doc("is_contained_in: {column: v, allowed_values: ['1', \"true\", 'null']}"))
    assert c.constraints[0].arguments["allowed_values"] == ("1", "true", "null")


def test_column_names_are_always_text():
    c = one(doc("is_complete: 2021", "is_complete: yes", "is_complete: true", "is_complete: 1.50",
                "are_complete: [on, off, 012]", "has_min: {column: 3, assertion: '>= 1'}",
                "is_less_than: {column_a: 1, column_b: false}"))
    expected = (Check(E, "d").is_complete("2021").is_complete("yes").is_complete("true").is_complete("1.50")
                .are_complete(["on", "off", "012"]).has_min("3", at_least(1)).is_less_than("1", "false"))
    assert c == expected


def test_level_is_case_insensitive_and_description_may_be_unicode():
    for level, expected in (("error", E), ("Error", E), ("ERROR", E), ("warning", CheckLevel.WARNING),
                            ("Warning", CheckLevel.WARNING)):
        c = one(doc("is_complete: a", level=level, description="réviews ✓"))
        assert c.level is expected and c.description == "réviews ✓"


def test_empty_checks_and_empty_constraints():
    assert loads("version: 1\nchecks: []\n") == []
    assert one(doc()) == Check(E, "d")
    assert loads(dumps([])) == []
    assert loads(dumps([Check(E, "x")])) == [Check(E, "x")]


def test_anchors_and_aliases_work():
    text = textwrap.dedent("""\
        version: 1
        checks:
          - description: a
            level: error
            constraints:
              - is_contained_in: {column: m, allowed_values: &markets [US, UK]}
              - is_contained_in: {column: n, allowed_values: *markets}
        """)
    assert one(text) == Check(E, "a").is_contained_in("m", ["US", "UK"]).is_contained_in("n", ["US", "UK"])


def test_load_reads_utf8_with_a_bom(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes("\ufeff".encode() + doc("is_complete: naïve").encode("utf-8"))
    assert load(path) == [Check(E, "d").is_complete("naïve")]
    assert loads(doc("is_complete: naïve").encode("utf-8")) == [Check(E, "d").is_complete("naïve")]


# -- the error catalogue -----------------------------------------------------------------------

H = "version: 1\nchecks:\n  - description: d\n    level: error\n    constraints:\n"

#: (id, document, line, substrings of the message)
ERRORS = [
    ("unknown_constraint", H + "      - is_compelte: id\n", 6,
     ["unknown constraint 'is_compelte'", "Did you mean 'is_complete'"]),
    ("unknown_argument", H + "      - has_min: {colum: x, assertion: '>= 1'}\n", 6,
     ["has_min: unknown argument 'colum'", "Did you mean 'column'", "has_min takes column, assertion"]),
    ("unknown_argument_block", H + "      - has_min:\n          column: x\n          asertion: '>= 1'\n", 8,
     ["unknown argument 'asertion'", "'assertion'"]),
    ("missing_argument", H + "      - has_completeness: x\n", 6,
     ["has_completeness: missing required argument 'assertion'"]),
    ("missing_arguments", H + "      - has_correlation: {assertion: '> 0'}\n", 6,
     ["missing required arguments 'column_a' and 'column_b'"]),
    ("missing_shorthand_value", H + "      - is_complete:\n", 6, ["missing required argument 'column'"]),
    ("list_for_column", H + "      - is_complete: {column: [a, b]}\n", 6,
     ["argument 'column' must be a column name", "found a list"]),
    ("mapping_for_column_item", H + "      - are_complete: [a, {b: c}]\n", 6,
     ["argument 'columns': each item must be a column name", "found a mapping"]),
    ("null_column", H + "      - has_min: {column: ~, assertion: '>= 1'}\n", 6,
     ["argument 'column' must be a column name", "found null"]),
    ("number_for_text", H + "      - is_unique: {column: a, hint: 5}\n", 6,
     ["argument 'hint' must be text", "found the number 5", "quote it"]),
    ("bool_for_predicate", H + "      - satisfies: {predicate: true, constraint_name: p}\n", 6,
     ["argument 'predicate' must be text", "found the boolean true"]),
    ("number_for_assertion", H + "      - has_size: 5\n", 6,
     ["argument 'assertion' must be assertion text", "found the number 5", "'== 5'"]),
    ("bad_assertion", H + "      - has_size: at least 5\n", 6,
     ["has_size: option 'assertion' must be '>= x'", "'at least 5'"]),
    ("bad_assertion_in_block", H + "      - has_min:\n          column: x\n          assertion: '>>= 1'\n", 8,
     ["'>>= 1'"]),
    ("yes_for_boolean", H + "      - is_contained_in: {column: a, lower_bound: 1, upper_bound: 2, "
     "include_upper_bound: no}\n", 6, ["'include_upper_bound' must be true or false", "the text 'no'", "YAML 1.2"]),
    ("text_for_integer", H + "      - has_number_of_distinct_values: {column: a, assertion: '< 3', max_bins: '100'}\n",
     6, ["'max_bins' must be a whole number", "the text '100'"]),
    ("float_for_integer", H + "      - has_histogram_values: {column: a, assertion: bins < 3, max_bins: 10.5}\n",
     6, ["'max_bins' must be a whole number", "the number 10.5"]),
    ("text_for_number", H + "      - has_exact_quantile: {column: a, quantile: half, assertion: '< 3'}\n", 6,
     ["'quantile' must be a number", "the text 'half'"]),
    ("scalar_for_values", H + "      - is_contained_in: {column: a, allowed_values: US}\n", 6,
     ["'allowed_values' must be a list of values", "the text 'US'"]),
    ("nested_values", H + "      - is_contained_in: {column: a, allowed_values: [US, [UK]]}\n", 6,
     ["each value must be text, a number, a boolean or null", "found a list"]),
    ("scalar_for_options", H + "      - is_complete: {column: a, options: Fail}\n", 6,
     ["'options' must be a mapping", "the text 'Fail'"]),
    ("unknown_option", H + "      - is_complete:\n          column: y\n          options: {null_behaviour: Fail}\n", 8,
     ["unknown key 'null_behaviour'", "Did you mean 'null_behavior'"]),
    ("bad_level", "version: 1\nchecks:\n  - description: d\n    level: fatal\n    constraints: []\n", 4,
     ["'level' must be error or warning", "'fatal'"]),
    ("level_list", "version: 1\nchecks:\n  - description: d\n    level: [error]\n    constraints: []\n", 4,
     ["'level' must be error or warning", "found a list"]),
    ("missing_level", "version: 1\nchecks:\n  - description: d\n    constraints: []\n", 3,
     ["check is missing 'level'"]),
    ("missing_description", "version: 1\nchecks:\n  - level: error\n    constraints: []\n", 3,
     ["check is missing 'description'"]),
    ("number_description", "version: 1\nchecks:\n  - description: 2021\n    level: error\n    constraints: []\n", 3,
     ["'description' must be text", "the number 2021"]),
    ("missing_constraints", "version: 1\nchecks:\n  - description: d\n    level: error\n", 3,
     ["check is missing 'constraints'"]),
    ("constraints_not_list", "version: 1\nchecks:\n  - description: d\n    level: error\n    constraints: a\n", 5,
     ["'constraints' must be a list of constraints", "the text 'a'"]),
    ("unknown_check_key", "version: 1\nchecks:\n  - description: d\n    levl: error\n    constraints: []\n", 4,
     ["unknown key 'levl' in a check", "Did you mean 'level'"]),
    ("check_not_mapping", "version: 1\nchecks:\n  - reviews\n", 3,
     ["a check must be a mapping", "the text 'reviews'"]),
    ("unknown_top_key", "version: 1\nchecks: []\nchekcs: []\n", 3,
     ["unknown key 'chekcs' at the top level", "Did you mean 'checks'"]),
    ("missing_version", "checks: []\n", 1, ["missing 'version: 1'"]),
    ("unknown_version", "checks: []\nversion: 2\n", 2, ["unknown version 2", "version 1"]),
    ("text_version", "version: '1'\nchecks: []\n", 1, ["'version' must be the number 1", "the text '1'"]),
    ("missing_checks", "version: 1\n", 1, ["missing 'checks'"]),
    ("checks_not_list", "version: 1\nchecks: {a: 1}\n", 2, ["'checks' must be a list of checks", "a mapping"]),
    ("root_not_mapping", "- a\n", 1, ["a check file must be a mapping", "found a list"]),
    ("empty_document", "", 1, ["empty document"]),
    ("comment_only", "# nothing\n", 1, ["empty document"]),
    ("two_keys", H + "      - is_complete: a\n        is_unique: a\n", 6,
     ["one-key mapping", "found 2 keys ('is_complete', 'is_unique')"]),
    ("empty_entry", H + "      - {}\n", 6, ["one-key mapping", "found 0 keys"]),
    ("scalar_entry", H + "      - is_complete\n", 6, ["one-key mapping", "found the text 'is_complete'"]),
    ("list_entry", H + "      - [is_complete, a]\n", 6, ["one-key mapping", "found a list"]),
    ("yaml_syntax_flow", H + "      - is_complete: [a\n", 7, ["invalid YAML", "expected ',' or ']'"]),
    ("yaml_syntax_indent", "version: 1\nchecks:\n  - description: d\n   level: error\n", 4, ["invalid YAML"]),
    ("yaml_syntax_tab", "version: 1\nchecks:\n\t- a\n", 3, ["invalid YAML", "'\\t'"]),
    ("yaml_bad_character", "version: 1\nchecks: []\n# \x07\n", 3, ["invalid YAML", "#x0007"]),
    ("yaml_two_documents", "version: 1\nchecks: []\n---\nversion: 1\n", 3, ["invalid YAML", "single document"]),
    ("yaml_unknown_alias", H + "      - is_complete: *nope\n", 6, ["invalid YAML", "undefined alias"]),
    ("duplicate_argument", H + "      - has_min: {column: x, assertion: '>= 1', column: y}\n", 6,
     ["duplicate key 'column'", "first at line 6"]),
    ("duplicate_argument_block", H + "      - has_min:\n          column: x\n          assertion: '>= 1'\n"
     "          column: y\n", 9, ["has_min: duplicate key 'column' (first at line 7)"]),
    ("duplicate_top_key", "version: 1\nchecks: []\nversion: 1\n", 3, ["duplicate key 'version' (first at line 1)"]),
    ("duplicate_check_key", "version: 1\nchecks:\n  - description: a\n    level: error\n    description: b\n"
     "    constraints: []\n", 5, ["duplicate key 'description' (first at line 3)"]),
    ("duplicate_option", H + "      - is_complete: {column: a, options: {null_behavior: Fail, null_behavior: Ignore}}\n",
     6, ["duplicate key 'null_behavior'"]),
    ("non_text_key", H + "      - is_complete: {[a]: b}\n", 6, ["keys must be names", "found a list as a key"]),
    ("unsupported_tag", H + "      - is_complete: !!binary aGVsbG8=\n", 6, ["unsupported YAML tag"]),
    ("custom_tag", H + "      - is_complete: !col a\n", 6, ["unsupported YAML tag '!col'"]),
    ("bad_explicit_int", H + "      - has_number_of_distinct_values: {column: a, assertion: '< 3', max_bins: !!int x}\n",
     6, ["'x' is not a valid int"]),
    ("method_error_data_type", H + "      - has_data_type: {column: y, data_type: integer}\n", 6,
     ["has_data_type: option 'data_type' must be one of", "'Integral'", "'integer'"]),
    ("method_error_on_its_line", H + "      - is_contained_in:\n          column: y\n          lower_bound: 1\n"
     "          upper_bound: 2\n          assertion: '== 1'\n", 10,
     ["is_contained_in: option 'assertion' must be not given with a numeric range"]),
    ("method_error_range", H + "      - is_contained_in:\n          column: y\n          lower_bound: 1\n", 6,
     ["is_contained_in: option 'allowed_values'", "both lower_bound and upper_bound"]),
    ("method_error_option_value", H + "      - is_complete:\n          column: y\n          options:\n"
     "            null_behavior: sometimes\n", 9, ["is_complete: option 'null_behavior' must be one of", "'sometimes'"]),
    ("method_error_quantile", H + "      - has_exact_quantile:\n          column: x\n          quantile: 1.5\n"
     "          assertion: '> 0'\n", 8, ["has_exact_quantile", "'quantile'", "1.5"]),
    ("method_error_empty_columns", H + "      - are_complete: []\n", 6, ["are_complete", "at least one column"]),
    ("primary_key_no_columns", H + "      - is_primary_key: {columns: []}\n", 6,
     ["is_primary_key: argument 'columns' must be at least one column name"]),
    ("where_not_filterable", H + "      - has_column_count:\n          assertion: '== 1'\n          where: a > 0\n", 8,
     ["has_column_count: argument 'where' is not allowed", "cannot be filtered"]),
    ("where_number", H + "      - is_complete: {column: a, where: 1}\n", 6,
     ["argument 'where' must be text", "the number 1"]),
    ("second_check_line", H + "      - is_complete: a\n  - description: e\n    level: warning\n    constraints:\n"
     "      - is_complete: a\n      - has_size: '>= x'\n", 11, ["has_size: option 'assertion'", "'>= x'"]),
]


@pytest.mark.parametrize(("text", "line", "parts"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_error_catalogue(text, line, parts):
    with pytest.raises(CheckFileError) as info:
        loads(text, source="checks.yaml")
    err = info.value
    msg = str(err)
    assert msg.startswith(f"checks.yaml:{line}: "), msg
    assert err.source == "checks.yaml" and err.line == line
    for p in parts:
        assert p in msg, (p, msg)
    assert isinstance(err, DQError) and isinstance(err, ValueError)


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(doc("is_complete: a", "is_unqiue: a"), encoding="utf-8")
    with pytest.raises(CheckFileError, match=r"mine\.yaml:7: unknown constraint 'is_unqiue'.*'is_unique'"):
        load(path)
    assert str(tmp_path) in str(pytest.raises(CheckFileError, load, path).value)
    with pytest.raises(CheckFileError, match=r"^<string>:6: "):
        loads(doc("is_unqiue: a"))


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(doc("is_complete: café").encode("latin-1"))
    with pytest.raises(CheckFileError, match=r"latin1\.yaml:6: a check file must be UTF-8 text, but byte 0xe9"):
        load(path)


def test_method_errors_keep_their_cause():
    with pytest.raises(CheckFileError) as info:
        loads(doc("has_data_type: {column: y, data_type: integer}"))
    assert isinstance(info.value.__cause__, InvalidOptionError)


def test_deeply_nested_yaml_is_an_error_not_a_crash():
    text = "version: 1\nchecks: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(CheckFileError, match="^<string>:1: "):
        loads(text)


# -- a loaded suite runs -----------------------------------------------------------------------

SUITE_YAML = """\
version: 1
checks:
  - description: reviews
    level: error
    constraints:
      - has_size: ">= 5"
      - is_complete: review_id
      - is_unique: {column: review_id, hint: review ids must not repeat}
      - is_contained_in: {column: marketplace, allowed_values: [US, UK, DE]}
      - is_contained_in: {column: star_rating, lower_bound: 1, upper_bound: 5}
      - has_completeness: {column: year, assertion: ">= 0.99", where: "marketplace = 'US'"}
      - has_histogram_values: {column: marketplace, assertion: "ratio[US] >= 0.5"}
      - is_contained_in: {column: flag, allowed_values: [Y, N]}
      - has_data_type: {column: year, data_type: integral, assertion: ">= 0.5"}
      - is_primary_key: {columns: [review_id, marketplace]}
  - description: warnings
    level: Warning
    constraints:
      - has_max: {column: star_rating, assertion: "< 5"}
      - has_mean: {column: star_rating, assertion: between 1 and 5}
      - is_contained_in: {column: "first name", allowed_values: [Ann, Bob, Zoë]}
  - description: failing
    level: error
    constraints:
      - has_completeness: {column: year, assertion: "== 1"}
"""


def _python_suite() -> list[Check]:
    return [
        Check(E, "reviews")
        .has_size(at_least(5))
        .is_complete("review_id")
        .is_unique("review_id", hint="review ids must not repeat")
        .is_contained_in("marketplace", ["US", "UK", "DE"])
        .is_contained_in("star_rating", lower_bound=1, upper_bound=5)
        .has_completeness("year", at_least(0.99)).where("marketplace = 'US'")
        .has_histogram_values("marketplace", bin_ratio("US", at_least(0.5)))
        .is_contained_in("flag", ["Y", "N"])
        .has_data_type("year", "Integral", at_least(0.5))
        .is_primary_key("review_id", "marketplace"),
        Check(CheckLevel.WARNING, "warnings")
        .has_max("star_rating", less_than(5))
        .has_mean("star_rating", between(1, 5))
        .is_contained_in("first name", ["Ann", "Bob", "Zoë"]),
        Check(E, "failing").has_completeness("year", equals(1)),
    ]


def test_a_loaded_suite_runs_like_the_python_checks(tmp_path):
    table = pa.table({
        "review_id": [1, 2, 3, 4, 5, 6],
        "marketplace": ["US", "US", "US", "UK", "DE", "US"],
        "star_rating": [1, 5, 3, 4, 2, 5],
        "year": [2020, 2021, 2021, None, 2019, 2022],
        "flag": ["Y", "N", "Y", None, "N", "Y"],
        "first name": ["Ann", "Bob", "Zoë", "Ann", "Bob", "Ann"],
    })
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE_YAML, encoding="utf-8")
    loaded = load(path)
    python = _python_suite()
    assert loaded == python

    from_yaml = VerificationSuite().on_data(table).add_checks(loaded).run()
    from_python = VerificationSuite().on_data(table).add_checks(python).run()

    def statuses(result):
        return [(r.check.description, str(r.status), [str(c.status) for c in r.constraint_results])
                for r in result.check_results]

    assert statuses(from_yaml) == statuses(from_python)
    assert statuses(from_yaml) == [
        ("reviews", "Success", ["Success"] * 10),
        ("warnings", "Warning", ["Failure", "Success", "Success"]),
        ("failing", "Error", ["Failure"]),
    ]
    assert str(from_yaml.status) == "Error"
    # and the file written back runs the same
    dump(loaded, path)
    again = VerificationSuite().on_data(table).add_checks(load(path)).run()
    assert statuses(again) == statuses(from_python)
