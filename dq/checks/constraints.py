"""Constraints: one analyzer's metric and an assertion on it, built by the ``Check`` methods.

Every ``Check`` method has a builder here, registered under the method's name. A constraint keeps
the method and the arguments it was built from, so that ``.where()`` can rebuild it with a filter
and a YAML file can write it back (``dq.checks.dump``) exactly as the Python call that made it.

Evaluation follows Deequ (reference/DEEQU.md section b):

* assertion false: ``Value: <v> does not meet the constraint requirement! <hint>`` (dq adds the
  requirement's readable form when there is no hint: ``Requirement: >= 0.9.``);
* the metric failed: its error, except an empty state under a ``where`` filter, which is a success
  (no rows to violate the constraint);
* no metric: ``Missing Analysis, can't run the constraint!``;
* the assertion raised: ``Can't execute the assertion: <msg>!``; the value could not be read from
  the metric: ``Can't retrieve the value to assert on: <msg>!``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass, fields
from typing import Any

from dq import analyzers as An
from dq.analyzers.base import Analyzer, AnalyzerOptions, EmptyStateFailure, as_columns
from dq.checks.assertions import Assertion, as_assertion, is_one
from dq.errors import InvalidOptionError
from dq.metrics import Distribution, Metric
from dq.predicates import quote_identifier, sql_literal

__all__ = ["BUILDERS", "ConstrainableDataTypes", "Constraint", "ConstraintResult", "ConstraintStatus",
           "build_constraint"]


class ConstraintStatus(str, enum.Enum):
    SUCCESS = "Success"
    FAILURE = "Failure"

    def __str__(self) -> str:
        return self.value


class ConstrainableDataTypes(str, enum.Enum):
    """Deequ's types for ``has_data_type``. The ratio is the type's count over the non-NULL rows
    (``NULL``: over all rows); ``NUMERIC`` is Fractional plus Integral."""

    NULL = "Null"
    FRACTIONAL = "Fractional"
    INTEGRAL = "Integral"
    BOOLEAN = "Boolean"
    STRING = "String"
    NUMERIC = "Numeric"


def _data_type(value: Any) -> ConstrainableDataTypes:
    if isinstance(value, ConstrainableDataTypes):
        return value
    if isinstance(value, str):
        for t in ConstrainableDataTypes:
            if value.lower() in (t.value.lower(), t.name.lower()):
                return t
    raise InvalidOptionError("data_type", "one of " + ", ".join(repr(t.value) for t in ConstrainableDataTypes), value)


def _data_type_ratio(dist: Distribution, kind: ConstrainableDataTypes) -> float:
    counts = {k: v.absolute for k, v in dist.values.items()}
    total = sum(counts.values())
    if kind is ConstrainableDataTypes.NULL:
        return counts.get("Unknown", 0) / total if total else 0.0
    non_null = total - counts.get("Unknown", 0)
    if kind is ConstrainableDataTypes.NUMERIC:
        n = counts.get("Fractional", 0) + counts.get("Integral", 0)
    else:
        n = counts.get(kind.value, 0)
    return n / non_null if n else 0.0


@dataclass(frozen=True)
class ConstraintResult:
    constraint: Constraint
    status: ConstraintStatus
    message: str | None
    metric: Metric | None

    @property
    def is_success(self) -> bool:
        return self.status is ConstraintStatus.SUCCESS


def _fmt_value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return repr(v)
    if isinstance(v, Distribution):
        shown = ", ".join(f"{k}: {d.absolute} ({d.ratio:.4g})" for k, d in list(v.values.items())[:10])
        more = ", ..." if len(v.values) > 10 else ""
        return f"Distribution({v.number_of_bins} bins: {shown}{more})"
    return str(v)


@dataclass(frozen=True)
class Constraint:
    """One requirement of a check. ``method`` and ``args`` say how it was built (the ``Check``
    method and its arguments, ``where`` and ``hint`` included)."""

    method: str
    args: tuple[tuple[str, Any], ...]
    analyzer: Analyzer
    assertion: Assertion
    name: str
    hint: str | None = None
    #: how the assertion reads the metric: "value", "int" (counts, as Deequ's ``toLong``),
    #: "bins" (a histogram's number of bins) or "data_type:<Type>"
    pick: str = "value"
    filterable: bool = True

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self.args)

    @property
    def where(self) -> str | None:
        return self.arguments.get("where")

    def with_where(self, predicate: str) -> Constraint:
        if not self.filterable:
            raise InvalidOptionError("where", f"absent: {self.method} cannot be filtered", predicate)
        return build_constraint(self.method, {**self.arguments, "where": predicate})

    def __str__(self) -> str:
        return self.name

    def _pick(self, value: Any) -> Any:
        if self.pick == "int":
            if isinstance(value, float) and math.isfinite(value):
                return int(value)
            return value
        if self.pick == "bins":
            return value.number_of_bins
        if self.pick.startswith("data_type:"):
            return _data_type_ratio(value, ConstrainableDataTypes(self.pick.split(":", 1)[1]))
        return value

    def evaluate(self, metric: Metric | None) -> ConstraintResult:
        fail = ConstraintStatus.FAILURE
        if metric is None:
            return ConstraintResult(self, fail, "Missing Analysis, can't run the constraint!", None)
        if not metric.is_success:
            if isinstance(metric.exception, EmptyStateFailure) and self.analyzer.where_text is not None:
                # Deequ: no row passes the filter, so no row violates the constraint
                return ConstraintResult(self, ConstraintStatus.SUCCESS, None, metric)
            return ConstraintResult(self, fail, metric.error, metric)
        try:
            value = self._pick(metric.value)
        except Exception as e:  # noqa: BLE001 - reported on the constraint
            return ConstraintResult(self, fail, f"Can't retrieve the value to assert on: {e}!", metric)
        try:
            ok = bool(self.assertion(value))
        except Exception as e:  # noqa: BLE001 - an assertion that raises fails its constraint only
            return ConstraintResult(self, fail, f"Can't execute the assertion: {e}!", metric)
        if ok:
            return ConstraintResult(self, ConstraintStatus.SUCCESS, None, metric)
        detail = self.assertion.explain(value)  # e.g. an anomaly check's expected range
        tail = " ".join(t for t in (detail, self.hint) if t) or f"Requirement: {self.assertion.text}."
        return ConstraintResult(
            self, fail, f"Value: {_fmt_value(value)} does not meet the constraint requirement! {tail}", metric)


# -- builders ----------------------------------------------------------------------------------

#: method name -> builder(**arguments) -> Constraint
BUILDERS: dict[str, Callable[..., Constraint]] = {}


def _canonical(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_canonical(x) for x in v)
    if isinstance(v, tuple):
        return tuple(_canonical(x) for x in v)
    if isinstance(v, enum.Enum) and not isinstance(v, ConstrainableDataTypes):
        return v.value
    return v


def build_constraint(method: str, arguments: dict[str, Any]) -> Constraint:
    try:
        builder = BUILDERS[method]
    except KeyError:
        from dq.errors import closest_names

        close = closest_names(method, BUILDERS)
        expected = "a Check method such as 'is_complete'"
        if close:
            expected += " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
        raise InvalidOptionError("constraint", expected, method) from None
    return builder(**arguments)


_BARE = ("column", "columns", "first", "second", "instance_name", "numerator", "denominator", "expression")


def _short(a: Analyzer) -> str:
    """``Completeness(review_id)``, ``Uniqueness(a,b, where='x > 0')``: the fields that are set,
    the column-like ones bare (as Deequ prints them)."""
    parts = []
    for f in fields(a):
        v = getattr(a, f.name)
        if v is None or v == () or (f.default is not MISSING and v == f.default):
            continue
        if f.name == "columns" and hasattr(a, "instance_name"):
            continue  # a Compliance's columns are those its predicate names
        if isinstance(v, AnalyzerOptions):
            parts.append(f"options={v.to_dict()}")
        elif f.name in _BARE:
            parts.append(",".join(v) if isinstance(v, tuple) else str(v))
        else:
            parts.append(f"{f.name}={v!r}")
    return f"{type(a).__name__}({', '.join(parts)})"


def _register(method: str, *, filterable: bool = True):
    def deco(fn: Callable[..., tuple[Analyzer, Any, str, str]]):
        def build(*, hint: str | None = None, where: str | None = None, **kw: Any) -> Constraint:
            if hint is not None and not isinstance(hint, str):
                raise InvalidOptionError("hint", "a string", hint, owner=method)
            if where is not None and not filterable:
                raise InvalidOptionError("where", f"absent: {method} cannot be filtered", where, owner=method)
            if kw.get("options") is not None:
                kw["options"] = _opts(kw["options"])
            if kw.get("data_type") is not None:
                kw["data_type"] = _data_type(kw["data_type"])
            if "columns" in kw and kw["columns"] is not None:
                kw["columns"] = as_columns(kw["columns"], method, allow_empty=method == "satisfies")
            if kw.get("assertion") is not None:
                kw["assertion"] = as_assertion(kw["assertion"])
            analyzer, assertion, kind, pick = fn(where=where, **kw)
            args = {k: _canonical(v) for k, v in kw.items() if v is not None}
            if where is not None:
                args["where"] = where
            if hint is not None:
                args["hint"] = hint
            # a kind ending in ")" or given by the user (has_pattern's name) is the whole name
            name = kind if kind.endswith(")") or kw.get("name") else f"{kind}Constraint({_short(analyzer)})"
            return Constraint(method, tuple(args.items()), analyzer, assertion, name, hint, pick, filterable)

        build.__name__ = method
        BUILDERS[method] = build
        return fn

    return deco


def _a(assertion: Any, default: Callable[[], Assertion] | None = None) -> Assertion:
    if assertion is None:
        if default is None:
            raise InvalidOptionError("assertion", "an assertion (e.g. at_least(0.9), '>= 0.9' or a callable)", None)
        return default()
    return as_assertion(assertion)


def _opts(options: Any) -> AnalyzerOptions | None:
    if options is None or isinstance(options, AnalyzerOptions):
        return options
    if isinstance(options, dict):
        return AnalyzerOptions(**options)
    raise InvalidOptionError("options", "AnalyzerOptions or a dict of its fields", options)


def _q(c: str) -> str:
    return quote_identifier(c)


# dataset-level
@_register("has_size")
def _has_size(*, assertion, where):
    return An.Size(where=where), _a(assertion), "Size", "int"


@_register("has_column_count", filterable=False)
def _has_column_count(*, assertion, where):
    return An.ColumnCount(), _a(assertion), "ColumnCount", "int"


@_register("has_column", filterable=False)
def _has_column(*, column, where):
    return An.ColumnExists(column), is_one(), f"ColumnExistsConstraint({column})", "value"


# completeness
@_register("is_complete")
def _is_complete(*, column, where, options=None):
    return An.Completeness(column, where, _opts(options)), is_one(), "Completeness", "value"


@_register("has_completeness")
def _has_completeness(*, column, assertion, where, options=None):
    return An.Completeness(column, where, _opts(options)), _a(assertion), "Completeness", "value"


def _combined(columns: Any, joiner: str, owner: str) -> tuple[tuple[str, ...], str]:
    cols = as_columns(columns, owner)
    return cols, f" {joiner} ".join(f"({_q(c)} IS NOT NULL)" for c in cols)


@_register("are_complete")
def _are_complete(*, columns, where):
    cols, pred = _combined(columns, "AND", "are_complete")
    return An.Compliance("Combined Completeness", pred, where, cols), is_one(), "Compliance", "value"


@_register("have_completeness")
def _have_completeness(*, columns, assertion, where):
    cols, pred = _combined(columns, "AND", "have_completeness")
    return An.Compliance("Combined Completeness", pred, where, cols), _a(assertion), "Compliance", "value"


@_register("are_any_complete")
def _are_any_complete(*, columns, where):
    cols, pred = _combined(columns, "OR", "are_any_complete")
    return An.Compliance("Any Completeness", pred, where, cols), is_one(), "Compliance", "value"


@_register("have_any_completeness")
def _have_any_completeness(*, columns, assertion, where):
    cols, pred = _combined(columns, "OR", "have_any_completeness")
    return An.Compliance("Any Completeness", pred, where, cols), _a(assertion), "Compliance", "value"


# uniqueness family
@_register("is_unique")
def _is_unique(*, column, where, options=None):
    return An.Uniqueness((column,), where, _opts(options)), is_one(), "Uniqueness", "value"


@_register("are_unique")
def _are_unique(*, columns, where, options=None):
    return An.Uniqueness(as_columns(columns, "are_unique"), where, _opts(options)), is_one(), "Uniqueness", "value"


@_register("is_primary_key")
def _is_primary_key(*, columns, where, options=None):
    cols = as_columns(columns, "is_primary_key")
    return An.Uniqueness(cols, where, _opts(options)), is_one(), "Uniqueness", "value"


@_register("has_uniqueness")
def _has_uniqueness(*, columns, assertion, where, options=None):
    cols = as_columns(columns, "has_uniqueness")
    return An.Uniqueness(cols, where, _opts(options)), _a(assertion), "Uniqueness", "value"


@_register("has_distinctness")
def _has_distinctness(*, columns, assertion, where):
    return An.Distinctness(as_columns(columns, "has_distinctness"), where), _a(assertion), "Distinctness", "value"


@_register("has_unique_value_ratio")
def _has_uvr(*, columns, assertion, where, options=None):
    cols = as_columns(columns, "has_unique_value_ratio")
    return An.UniqueValueRatio(cols, where, _opts(options)), _a(assertion), "UniqueValueRatio", "value"


@_register("has_number_of_distinct_values")
def _has_ndv(*, column, assertion, where, max_bins=1000):
    # Deequ: the number of histogram bins, so NULL counts as one distinct value (its own bin)
    a = An.Histogram(column, max_bins, where, compute_frequencies_as_ratio=False)
    return a, _a(assertion), "Histogram", "bins"


@_register("has_histogram_values")
def _has_histogram_values(*, column, assertion, where, max_bins=1000):
    return An.Histogram(column, max_bins, where), _a(assertion), "Histogram", "value"


@_register("kll_sketch_satisfies", filterable=False)
def _kll(*, column, assertion, where, sketch_size=2048, number_of_buckets=100):
    return An.KLLSketch(column, sketch_size, number_of_buckets), _a(assertion), "kllSketch", "value"


@_register("has_entropy")
def _has_entropy(*, column, assertion, where):
    return An.Entropy(column, where), _a(assertion), "Entropy", "value"


@_register("has_mutual_information")
def _has_mi(*, column_a, column_b, assertion, where):
    return An.MutualInformation((column_a, column_b), where), _a(assertion), "MutualInformation", "value"


@_register("has_approx_quantile")
def _has_approx_quantile(*, column, quantile, assertion, where, relative_error=0.01):
    a = An.ApproxQuantile(column, quantile, relative_error, where)
    return a, _a(assertion), "ApproxQuantile", "value"


@_register("has_exact_quantile")
def _has_exact_quantile(*, column, quantile, assertion, where):
    return An.ExactQuantile(column, quantile, where), _a(assertion), "ExactQuantile", "value"


def _simple(method: str, cls: type[Analyzer], kind: str, *, options: bool = False, pick: str = "value") -> None:
    if options:
        def fn(*, column, assertion, where, options=None):
            return cls(column, where, _opts(options)), _a(assertion), kind, pick
    else:
        def fn(*, column, assertion, where):
            return cls(column, where), _a(assertion), kind, pick
    _register(method)(fn)


_simple("has_min_length", An.MinLength, "MinLength", options=True)
_simple("has_max_length", An.MaxLength, "MaxLength", options=True)
_simple("has_min", An.Minimum, "Minimum", options=True)
_simple("has_max", An.Maximum, "Maximum", options=True)
_simple("has_range", An.Range, "Range")
_simple("has_interquartile_range", An.InterquartileRange, "InterquartileRange")
_simple("has_mean", An.Mean, "Mean")
_simple("has_sum", An.Sum, "Sum")
_simple("has_standard_deviation", An.StandardDeviation, "StandardDeviation")
_simple("has_variance", An.Variance, "Variance")
_simple("has_skewness", An.Skewness, "Skewness")
_simple("has_kurtosis", An.Kurtosis, "Kurtosis")
_simple("has_approx_count_distinct", An.ApproxCountDistinct, "ApproxCountDistinct")
_simple("has_zeros_count", An.ZerosCount, "ZerosCount", pick="int")


@_register("has_correlation")
def _has_correlation(*, column_a, column_b, assertion, where):
    return An.Correlation(column_a, column_b, where), _a(assertion), "Correlation", "value"


@_register("has_duplicate_row_count")
def _has_duplicate_row_count(*, columns, assertion, where, options=None):
    cols = as_columns(columns, "has_duplicate_row_count")
    return An.DuplicateRowCount(cols, where, _opts(options)), _a(assertion), "DuplicateRowCount", "int"


# compliance family
@_register("satisfies")
def _satisfies(*, predicate, constraint_name, where, assertion=None, columns=(), options=None):
    cols = as_columns(columns, "satisfies", allow_empty=True)
    a = An.Compliance(constraint_name, predicate, where, cols, _opts(options))
    return a, _a(assertion, is_one), "Compliance", "value"


@_register("has_pattern")
def _has_pattern(*, column, pattern, where, assertion=None, name=None, options=None):
    a = An.PatternMatch(column, pattern, where, _opts(options))
    return a, _a(assertion, is_one), name if name else "PatternMatch", "value"


def _contains(method: str, pattern: str, label: str) -> None:
    def fn(*, column, where, assertion=None):
        return (An.PatternMatch(column, pattern, where), _a(assertion, is_one), f"{label}({column})", "value")

    _register(method)(fn)


_contains("contains_credit_card_number", An.Patterns.CREDITCARD, "containsCreditCardNumber")
_contains("contains_email", An.Patterns.EMAIL, "containsEmail")
_contains("contains_url", An.Patterns.URL, "containsURL")
_contains("contains_social_security_number", An.Patterns.SOCIAL_SECURITY_NUMBER_US, "containsSocialSecurityNumber")


@_register("has_data_type")
def _has_data_type(*, column, data_type, where, assertion=None):
    t = _data_type(data_type)
    return An.DataType(column, where), _a(assertion, is_one), "DataType", f"data_type:{t.value}"


@_register("is_non_negative")
def _is_non_negative(*, column, where, assertion=None, options=None):
    # Deequ: NULL passes (COALESCE to 0.0)
    pred = f"COALESCE(CAST({_q(column)} AS DOUBLE), 0.0) >= 0"
    a = An.Compliance(f"{column} is non-negative", pred, where, (column,), _opts(options))
    return a, _a(assertion, is_one), "Compliance", "value"


@_register("is_positive")
def _is_positive(*, column, where, assertion=None, options=None):
    # Deequ: NULL passes (COALESCE to 1.0)
    pred = f"COALESCE(CAST({_q(column)} AS DOUBLE), 1.0) > 0"
    a = An.Compliance(f"{column} is positive", pred, where, (column,), _opts(options))
    return a, _a(assertion, is_one), "Compliance", "value"


def _comparison(method: str, op: str, words: str) -> None:
    def fn(*, column_a, column_b, where, assertion=None, options=None):
        # a NULL on either side makes the predicate NULL, which counts as non-compliant (Deequ)
        pred = f"{_q(column_a)} {op} {_q(column_b)}"
        a = An.Compliance(f"{column_a} is {words} {column_b}", pred, where, (column_a, column_b), _opts(options))
        return a, _a(assertion, is_one), "Compliance", "value"

    _register(method)(fn)


_comparison("is_less_than", "<", "less than")
_comparison("is_less_than_or_equal_to", "<=", "less than or equal to")
_comparison("is_greater_than", ">", "greater than")
_comparison("is_greater_than_or_equal_to", ">=", "greater than or equal to")


def _bound(x: Any, option: str) -> float | int:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or (isinstance(x, float) and math.isnan(x)):
        raise InvalidOptionError(option, "a number", x, owner="is_contained_in")
    return x


@_register("is_contained_in")
def _is_contained_in(*, column, where, allowed_values=None, lower_bound=None, upper_bound=None,
                     include_lower_bound=True, include_upper_bound=True, assertion=None, options=None):
    # Deequ: NULL passes; the value list and the numeric range are two overloads
    col = _q(column)
    if allowed_values is not None:
        if lower_bound is not None or upper_bound is not None:
            raise InvalidOptionError("allowed_values", "given without lower_bound/upper_bound", allowed_values,
                                     owner="is_contained_in")
        if isinstance(allowed_values, (str, bytes)) or not isinstance(allowed_values, Sequence):
            raise InvalidOptionError("allowed_values", "a list of values", allowed_values, owner="is_contained_in")
        if not allowed_values:
            raise InvalidOptionError("allowed_values", "at least one value", list(allowed_values),
                                     owner="is_contained_in")
        values = ", ".join(sql_literal(v) for v in allowed_values)
        pred = f"{col} IS NULL OR {col} IN ({values})"
        name = f"{column} contained in {','.join(str(v) for v in allowed_values)}"
        assertion_ = _a(assertion, is_one)
    else:
        if lower_bound is None or upper_bound is None:
            raise InvalidOptionError("allowed_values", "a list of values, or both lower_bound and upper_bound",
                                     None, owner="is_contained_in")
        lo, hi = _bound(lower_bound, "lower_bound"), _bound(upper_bound, "upper_bound")
        lo_op = ">=" if include_lower_bound else ">"
        hi_op = "<=" if include_upper_bound else "<"
        pred = f"{col} IS NULL OR ({col} {lo_op} {sql_literal(lo)} AND {col} {hi_op} {sql_literal(hi)})"
        name = f"{column} between {lo} and {hi}"
        if assertion is not None:  # Deequ fixes the range form's assertion to IsOne
            raise InvalidOptionError("assertion", "not given with a numeric range (every row must be in range)",
                                     getattr(assertion, "text", assertion), owner="is_contained_in")
        assertion_ = is_one()
    a = An.Compliance(name, pred, where, (column,), _opts(options))
    return a, assertion_, "Compliance", "value"


@_register("custom_sql", filterable=False)
def _custom_sql(*, expression, assertion, where):
    return An.CustomSql(expression), _a(assertion), "CustomSql", "value"
