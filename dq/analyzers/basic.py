"""Counting, compliance, extremes, lengths, sums, data types and schema analyzers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dq import aggregations as A
from dq.analyzers.base import (
    NESTED_FORBIDDEN,
    NUMERIC,
    ORDERABLE,
    Analyzer,
    AnalyzerOptions,
    EmptyStateFailure,
    NullBehavior,
    PlanContext,
    as_columns,
    require_str,
    require_where,
)
from dq.metrics import Distribution, DistributionValue, Entity
from dq.schema import Kind
from dq.states.simple import (
    DATA_TYPES,
    DataTypeHistogram,
    MaxState,
    MeanState,
    MinMaxState,
    MinState,
    NumMatches,
    NumMatchesAndCount,
    RatioOfSumsState,
    SumState,
)

__all__ = [
    "ColumnCount",
    "ColumnExists",
    "Completeness",
    "Compliance",
    "DataType",
    "MaxLength",
    "Maximum",
    "Mean",
    "MinLength",
    "Minimum",
    "PatternMatch",
    "Patterns",
    "Range",
    "RatioOfSums",
    "Size",
    "Sum",
    "ZerosCount",
]

_NUMERIC_EXPECTED = "numeric (integer, float, double or decimal)"
_ORDERABLE_EXPECTED = "numeric, date or timestamp"


def _ratio(state: NumMatchesAndCount, analyzer: Analyzer) -> float:
    if state.count == 0:
        raise EmptyStateFailure(analyzer)
    return state.num_matches / state.count


class _Ratio(Analyzer):
    def state_from(self, r: dict[str, Any]) -> NumMatchesAndCount:
        return NumMatchesAndCount(int(r["matches"] or 0), int(r["count"] or 0))

    def value_from_state(self, state: NumMatchesAndCount) -> float:
        return _ratio(state, self)


@dataclass(frozen=True)
class Size(Analyzer):
    """Number of rows (passing ``where``; rows where the predicate is NULL do not count)."""

    where: str | None = None

    def __post_init__(self) -> None:
        require_where(self.where, "Size")

    @property
    def entity(self) -> Entity:
        return Entity.DATASET

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"n": A.CountRows(ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]) -> NumMatches:
        return NumMatches(int(r["n"] or 0))

    def value_from_state(self, state: NumMatches) -> float:
        # An empty dataset has size 0: a defined value, not a failure.
        return float(state.num_matches)


@dataclass(frozen=True)
class Completeness(_Ratio):
    """Fraction of rows (passing ``where``) whose value is not NULL. NaN counts as present, as in
    Deequ. No rows at all (or none passing ``where``) is a failed metric (empty state)."""

    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "Completeness")
        require_where(self.where, "Completeness")

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, NESTED_FORBIDDEN, "a non-nested column", context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = ctx.column(self.column).name
        return {"matches": A.CountNonNull(c, w), "count": A.CountRows(w)}


@dataclass(frozen=True)
class Compliance(_Ratio):
    """Fraction of rows (passing ``where``) for which ``predicate`` is TRUE. A predicate that is NULL
    for a row counts as non-compliant (Deequ). ``instance`` names the metric."""

    instance_name: str
    predicate: str
    where: str | None = None
    columns: tuple[str, ...] = ()
    options: AnalyzerOptions | None = None

    def __post_init__(self) -> None:
        require_str(self.instance_name, "instance", "Compliance")
        require_str(self.predicate, "predicate", "Compliance")
        require_where(self.where, "Compliance")
        object.__setattr__(self, "columns", as_columns(self.columns, "Compliance", allow_empty=True))

    @property
    def instance(self) -> str:
        return self.instance_name

    def referenced_columns(self) -> tuple[str, ...]:
        return self.columns

    def check_schema(self, ctx: PlanContext) -> None:
        super().check_schema(ctx)
        ctx.predicate(self.predicate, context=self.context())

    def predicates(self, ctx: PlanContext) -> list[Any]:
        return [*super().predicates(ctx), ctx.predicate(self.predicate)]

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        return {"matches": A.CountTrue(ctx.predicate(self.predicate), w), "count": A.CountRows(w)}


# -- Deequ's built-in patterns, portable -------------------------------------------------------------
# Deequ's patterns are Java regexes. dq runs them on DuckDB (RE2) and on Spark (Java), so they are
# rewritten in the syntax both engines share: no look-around, no back-references, no possessive
# quantifiers, and no class escape whose meaning differs between the two (RE2's \s lacks \x0B,
# RE2's '.' matches \r, U+0085, U+2028 and U+2029, which Java's does not). Each rewrite matches
# exactly the strings Deequ's original matches under search semantics (a match anywhere), which
# tests/analyzers/test_patterns.py checks against the originals. The SSN and credit-card patterns
# are long alternations (one alternative per excluded number and per separator), so they are
# generated here from small pieces instead of written out.

_DIGITS = "0123456789"


def _digit_class(digits: str) -> str:
    """A regex for one of ``digits``, runs as ranges: ``"1234578"`` -> ``[1-578]``, ``"5"`` -> ``5``."""
    ds = sorted({int(d) for d in digits})
    if len(ds) == 1:
        return str(ds[0])
    runs: list[list[int]] = []
    for d in ds:
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return "[" + "".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else "".join(map(str, r)) for r in runs) + "]"


def _any_digits(n: int) -> str:
    return "" if n == 0 else "[0-9]" if n == 1 else f"[0-9]{{{n}}}"


def _digits_except(n: int, *excluded: str) -> str | None:
    """Regex for the ``n``-digit strings starting with none of the digit strings ``excluded``
    (a prefix excludes every string it starts: ``"9"`` excludes 900-999); None if none is left.
    E.g. ``_digits_except(2, "00")`` = ``(?:[1-9][0-9]|0[1-9])``: the first digit is free when no
    excluded string starts with it, otherwise it is fixed and the rest recurses."""
    if "" in excluded:
        return None
    if not excluded:
        return _any_digits(n)
    heads = sorted({e[0] for e in excluded})
    free = "".join(d for d in _DIGITS if d not in heads)
    alternatives = [_digit_class(free) + _any_digits(n - 1)] if free else []
    for d in heads:
        rest = _digits_except(n - 1, *(e[1:] for e in excluded if e[0] == d))
        if rest is not None:
            alternatives.append(d + rest)
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


# US social security number AAA-GG-SSSS, Deequ's rules: area not 000, 666 or 9xx; group not 00;
# serial not 0000; not one of two numbers; the separators both '-', both ' ' or both absent.
_SSN_EXCLUDED_AREAS = ("000", "666", "9")
# (_ssn's carving needs these valid under the other rules and in distinct areas, as they are)
_SSN_EXCLUDED_NUMBERS = (("219", "09", "9999"), ("078", "05", "1120"))


def _ssn(sep: str) -> str:
    """AAA{sep}GG{sep}SSSS under Deequ's rules. An excluded number is carved out of the product
    area x group x serial by where a valid number first differs from it: in the area (any group,
    serial), or in the group (same area), or in the serial (same area and group)."""
    group, serial = _digits_except(2, "00"), _digits_except(4, "0000")
    special_areas = [area for area, _, _ in _SSN_EXCLUDED_NUMBERS]
    alternatives = [f"{_digits_except(3, *_SSN_EXCLUDED_AREAS, *special_areas)}{sep}{group}{sep}{serial}"]
    for area, g, s in _SSN_EXCLUDED_NUMBERS:
        alternatives.append(f"{area}{sep}{_digits_except(2, '00', g)}{sep}{serial}")
        alternatives.append(f"{area}{sep}{g}{sep}{_digits_except(4, '0000', s)}")
    return "|".join(alternatives)


# Credit cards, Deequ's (richardsramblings.com) rules: Amex 3[47]xx-xxxxxx-xxxxx (4-6-5); Visa 4,
# MasterCard 51-55, Discover 65 / 6011 as xxxx-xxxx-xxxx-xxxx; one separator ('', ' ' or '-')
# used throughout (Deequ's back-reference), hence one alternative per layout and separator.
_CREDITCARD_LAYOUTS = (
    "3[47][0-9]{2}<s>[0-9]{6}<s>[0-9]{5}",
    "(?:(?:4[0-9]|5[1-5]|65)[0-9]{2}|6011)<s>[0-9]{4}<s>[0-9]{4}<s>[0-9]{4}",
)
_CREDITCARD_SEPARATORS = ("", " ", "-")

# Java's \s (RE2's lacks \x0B) and the line terminators Java's '.' does not match (RE2's matches
# all but \n); U+0085, U+2028 and U+2029 are literal characters, whose escapes differ per engine.
_JAVA_SPACE = r"\t\n\x0B\f\r "
_JAVA_LINE_TERMINATORS = "\\n\\r\u0085\u2028\u2029"


class Patterns:
    """Deequ's built-in patterns, as regexes meaning the same on RE2 (DuckDB) and Java (Spark).

    Search semantics: a value matches if the pattern matches anywhere in it. Each pattern accepts
    exactly the values Deequ's Java original accepts (see the comment before ``_digit_class``).
    One engine difference remains, in Deequ's original too: CREDITCARD's ``\b`` is ASCII on RE2
    and Java 19+, but Java up to 18 counts any Unicode letter or digit as a word character (so
    "é4111111111111111" matches on DuckDB, not there), and Java 19+ counts a combining mark
    after a letter or digit as one (so "e\u03014111111111111111" does not match there)."""

    EMAIL = (r"""(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*|"(?:[\x01-\x08\x0b\x0c"""
             r"""\x0e-\x1f\x21\x23-\x5b\x5d-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")@(?:(?:[a-z0-9](?:[a-z0-9-]"""
             r"""*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|\[(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.)"""
             r"""{3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[a-z0-9-]*[a-z0-9]:(?:[\x01-\x08\x0b\x0c\x0e-\x1f"""
             r"""\x21-\x5a\x53-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])+)\])""")
    #: Deequ: ``(https?|ftp)://[^\s/$.?#].[^\s]*`` with Java's \s and '.' spelled out
    URL = f"(https?|ftp)://[^{_JAVA_SPACE}/$.?#][^{_JAVA_LINE_TERMINATORS}][^{_JAVA_SPACE}]*"
    SOCIAL_SECURITY_NUMBER_US = "|".join(f"(?:{_ssn(sep)})" for sep in ("-", " ", ""))
    CREDITCARD = r"\b(?:" + "|".join(
        layout.replace("<s>", sep) for layout in _CREDITCARD_LAYOUTS for sep in _CREDITCARD_SEPARATORS) + r")\b"


@dataclass(frozen=True)
class Prefilter:
    """A test far cheaper than a regular expression that every value containing a match of it
    passes: the value contains ``literal`` (engines test this when it is set), else it is at least
    ``min_chars`` characters long. Engines evaluate the expression only on the values that pass (``CASE WHEN prefilter THEN
    regex ELSE FALSE END``), so a column that mostly cannot match, the common case of a PII check
    such as ``contains_email(col, at_most(0.0))``, costs a substring search per value instead of a
    regex: 0.83 s -> 0.04 s for 40 string columns of 1M rows on DuckDB, and no measurable cost on a
    column of e-mail addresses. NULL stays a non-match."""

    literal: str | None = None
    min_chars: int = 0


#: The built-in patterns' prefilters. Each literal is a run of top-level items of its pattern (outside
#: every alternation and optional part, so it is in every match) and each length is at most the
#: pattern's minimum match width, as tests/analyzers/test_patterns.py checks on the parsed patterns.
_PREFILTERS: dict[str, Prefilter] = {
    Patterns.EMAIL: Prefilter(literal="@"),
    Patterns.URL: Prefilter(literal="://"),
    Patterns.SOCIAL_SECURITY_NUMBER_US: Prefilter(min_chars=9),
    Patterns.CREDITCARD: Prefilter(min_chars=15),
}


def regex_prefilter(pattern: str) -> Prefilter | None:
    """The prefilter of ``pattern`` if it is one of the built-in :class:`Patterns`, else None."""
    return _PREFILTERS.get(pattern)


@dataclass(frozen=True)
class PatternMatch(_Ratio):
    """Fraction of rows (passing ``where``) whose value contains a match of ``pattern``.

    Semantics: regular-expression *search* (anchor with ^...$ for a full match); NULL is a
    non-match; the denominator is every row passing ``where``. Deviation from Deequ, deliberate:
    Deequ counts a match only if the matched text is non-empty, so a pattern such as ``^$`` never
    matches even an empty string; dq counts any match. Patterns use RE2 syntax on DuckDB (no
    look-around or back-references)."""

    column: str
    pattern: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "PatternMatch")
        if isinstance(self.pattern, re.Pattern):
            object.__setattr__(self, "pattern", self.pattern.pattern)
        require_str(self.pattern, "pattern", "PatternMatch")
        require_where(self.where, "PatternMatch")

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, (Kind.STRING,), "a string column", context=self.context())
        ctx.where(self.where, context=self.context())

    def patterns(self) -> list[str]:
        return [self.pattern]

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        return {"matches": A.CountRegex(ctx.column(self.column).name, self.pattern, w), "count": A.CountRows(w)}


class _NumericColumn(Analyzer):
    KINDS: ClassVar[tuple[Kind, ...]] = NUMERIC
    EXPECTED: ClassVar[str] = _NUMERIC_EXPECTED

    def __post_init__(self) -> None:
        require_str(self.column, "column", self.name)
        require_where(self.where, self.name)

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, self.KINDS, self.EXPECTED, context=self.context())
        ctx.where(self.where, context=self.context())

    def col(self, ctx: PlanContext) -> str:
        return ctx.column(self.column).name


@dataclass(frozen=True)
class Sum(_NumericColumn):
    """Sum of the non-null values; all-null is a failed metric (empty state)."""

    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = self.col(ctx)
        return {"sum": A.SumOf(c, w), "n": A.CountNonNull(c, w)}

    def state_from(self, r: dict[str, Any]) -> SumState:
        return SumState(float(r["sum"] or 0.0), int(r["n"] or 0))

    def value_from_state(self, state: SumState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return state.sum


@dataclass(frozen=True)
class Mean(_NumericColumn):
    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = self.col(ctx)
        return {"sum": A.SumOf(c, w), "n": A.CountNonNull(c, w)}

    def state_from(self, r: dict[str, Any]) -> MeanState:
        return MeanState(float(r["sum"] or 0.0), int(r["n"] or 0))

    def value_from_state(self, state: MeanState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return state.sum / state.count


class _Extreme(_NumericColumn):
    KINDS: ClassVar[tuple[Kind, ...]] = ORDERABLE
    EXPECTED: ClassVar[str] = _ORDERABLE_EXPECTED
    AGG: ClassVar[type]
    STATE: ClassVar[type]

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"v": self.AGG(self.col(ctx), ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]):
        return self.STATE(r["v"])

    def value_from_state(self, state) -> Any:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return state.value


@dataclass(frozen=True)
class Minimum(_Extreme):
    """Smallest non-null value. Numeric columns give a float; date and timestamp columns give a
    ``datetime.date`` / ``datetime.datetime`` (Deequ supports numbers only). NaN is larger than
    every number (engine order), so it never is the minimum unless all values are NaN."""

    AGG: ClassVar[type] = A.MinOf
    STATE: ClassVar[type] = MinState
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None


@dataclass(frozen=True)
class Maximum(_Extreme):
    """Largest non-null value (see Minimum for types); NaN is the largest value when present."""

    AGG: ClassVar[type] = A.MaxOf
    STATE: ClassVar[type] = MaxState
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None


@dataclass(frozen=True)
class Range(_NumericColumn):
    """max - min of the non-null values (numeric columns)."""

    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = self.col(ctx)
        return {"min": A.MinOf(c, w), "max": A.MaxOf(c, w)}

    def state_from(self, r: dict[str, Any]) -> MinMaxState:
        return MinMaxState(r["min"], r["max"])

    def value_from_state(self, state: MinMaxState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return float(state.max) - float(state.min)


class _Length(Analyzer):
    """String length in characters (Unicode code points; Java/Deequ counts UTF-16 units, so an
    emoji counts 1 here and 2 there). ``options.null_behavior``: IGNORE skips NULLs; EMPTY_STRING
    counts a NULL as length 0; FAIL makes any NULL turn the metric extreme (MinLength -1.8e308,
    MaxLength 1.8e308), as Deequ does, so an assertion on it fails."""

    EXTREME: ClassVar[float] = 0.0

    def __post_init__(self) -> None:
        require_str(self.column, "column", self.name)
        require_where(self.where, self.name)

    @property
    def null_behavior(self) -> NullBehavior:
        return self.options.null_behavior if self.options else NullBehavior.IGNORE

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, (Kind.STRING,), "a string column", context=self.context())
        ctx.where(self.where, context=self.context())

    def _agg(self, c: str, w: Any, empty: bool) -> Any:
        raise NotImplementedError

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        c = ctx.column(self.column).name
        aggs = {"v": self._agg(c, w, self.null_behavior is NullBehavior.EMPTY_STRING)}
        if self.null_behavior is NullBehavior.FAIL:
            aggs["nonnull"] = A.CountNonNull(c, w)
            aggs["rows"] = A.CountRows(w)
        return aggs

    def state_from(self, r: dict[str, Any]):
        v = r["v"]
        if self.null_behavior is NullBehavior.FAIL and int(r["rows"] or 0) > int(r["nonnull"] or 0):
            v = self.EXTREME
        return self._state(None if v is None else float(v))

    def value_from_state(self, state) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        return float(state.value)


@dataclass(frozen=True)
class MinLength(_Length):
    EXTREME: ClassVar[float] = -1.7976931348623157e308
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def _agg(self, c: str, w: Any, empty: bool) -> Any:
        return A.MinLengthOf(c, w, empty)

    def _state(self, v):
        return MinState(v)


@dataclass(frozen=True)
class MaxLength(_Length):
    EXTREME: ClassVar[float] = 1.7976931348623157e308
    column: str
    where: str | None = None
    options: AnalyzerOptions | None = None

    def _agg(self, c: str, w: Any, empty: bool) -> Any:
        return A.MaxLengthOf(c, w, empty)

    def _state(self, v):
        return MaxState(v)


@dataclass(frozen=True)
class ZerosCount(_NumericColumn):
    """Number of values equal to 0 (NULLs are not counted)."""

    column: str
    where: str | None = None

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        return {"n": A.CountZeros(self.col(ctx), ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]) -> NumMatches:
        return NumMatches(int(r["n"] or 0))

    def value_from_state(self, state: NumMatches) -> float:
        return float(state.num_matches)


@dataclass(frozen=True)
class RatioOfSums(Analyzer):
    """sum(numerator) / sum(denominator), each sum ignoring its own NULLs. Division by a zero sum
    gives ±Infinity or NaN (Deequ). Deequ reads its two sums by fixed position and so is wrong
    whenever it shares a scan (its quirk 3); dq maps every result by name."""

    numerator: str
    denominator: str
    where: str | None = None

    def __post_init__(self) -> None:
        require_str(self.numerator, "numerator", "RatioOfSums")
        require_str(self.denominator, "denominator", "RatioOfSums")
        require_where(self.where, "RatioOfSums")

    @property
    def entity(self) -> Entity:
        return Entity.MULTICOLUMN

    @property
    def instance(self) -> str:
        return f"{self.numerator},{self.denominator}"

    def referenced_columns(self) -> tuple[str, ...]:
        return (self.numerator, self.denominator)

    def check_schema(self, ctx: PlanContext) -> None:
        for c in (self.numerator, self.denominator):
            ctx.column(c, NUMERIC, _NUMERIC_EXPECTED, context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        w = ctx.where(self.where)
        num = ctx.column(self.numerator).name
        return {"num": A.SumOf(num, w), "den": A.SumOf(ctx.column(self.denominator).name, w),
                "n": A.CountNonNull(num, w)}

    def state_from(self, r: dict[str, Any]) -> RatioOfSumsState:
        # ``count`` = non-null numerators: none at all is an empty state (Deequ: a NULL sum).
        return RatioOfSumsState(float(r["num"] or 0.0), float(r["den"] or 0.0), int(r["n"] or 0))

    def value_from_state(self, state: RatioOfSumsState) -> float:
        if state.is_empty:
            raise EmptyStateFailure(self)
        if state.denominator == 0:
            if state.numerator == 0 or math.isnan(state.numerator):
                return math.nan
            return math.copysign(math.inf, state.numerator)
        return state.numerator / state.denominator


#: Deequ's type-inference expressions for DataType, unanchored: each engine anchors them in its
#: dialect (DuckDB ``^...$``, Java ``^...\z``, Python ``fullmatch`` with ``re.ASCII``, as ``\d``
#: is ASCII in RE2 and Java)
FRACTIONAL_PATTERN = r"(-|\+)? ?\d+((\.\d+)|((?:\.\d+)?[Ee][-+]?\d+))"
INTEGRAL_PATTERN = r"(-|\+)? ?\d+"
BOOLEAN_PATTERN = r"(true|false)"


@dataclass(frozen=True)
class DataType(Analyzer):
    """Histogram of inferred value types: Unknown (NULL), Fractional, Integral, Boolean, String.

    A value is classified from its text form (Deequ's regular expressions): Fractional
    ``^(-|+)? ?\\d+((\\.\\d+)|((?:\\.\\d+)?[Ee][-+]?\\d+))$``, Integral ``^(-|+)? ?\\d+$``, Boolean
    ``^(true|false)$``, else String. Integer columns are all Integral and boolean columns all Boolean
    without casting; other non-string columns are cast to text first (so NaN is a String, as in
    Deequ). The ratio of each type is its count over all rows (passing ``where``)."""

    column: str
    where: str | None = None

    def __post_init__(self) -> None:
        require_str(self.column, "column", "DataType")
        require_where(self.where, "DataType")

    @property
    def name(self) -> str:
        return "Histogram"

    def check_schema(self, ctx: PlanContext) -> None:
        ctx.column(self.column, NESTED_FORBIDDEN, "a non-nested column", context=self.context())
        ctx.where(self.where, context=self.context())

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:
        col = ctx.column(self.column)
        return {"counts": A.DataTypeCounts(col.name, col.kind.value, ctx.where(self.where))}

    def state_from(self, r: dict[str, Any]) -> DataTypeHistogram:
        return DataTypeHistogram(*(int(x or 0) for x in r["counts"]))

    def value_from_state(self, state: DataTypeHistogram) -> Distribution:
        total = sum(state.counts)
        values = {
            name: DistributionValue(n, (n / total) if total else 0.0) for name, n in zip(DATA_TYPES, state.counts)
        }
        return Distribution(values, len(DATA_TYPES))

    @staticmethod
    def determine(dist: Distribution) -> str:
        """Deequ's ``determineType``: the single type that describes the column."""
        n = {k: v.absolute for k, v in dist.values.items()}
        if sum(n.values()) == n.get("Unknown", 0):
            return "Unknown"
        if n.get("String", 0) > 0 or (n.get("Boolean", 0) > 0 and (n.get("Integral", 0) + n.get("Fractional", 0)) > 0):
            return "String"
        if n.get("Boolean", 0) > 0:
            return "Boolean"
        if n.get("Fractional", 0) > 0:
            return "Fractional"
        return "Integral"


@dataclass(frozen=True)
class ColumnCount(Analyzer):
    """Number of columns; from the schema, no query."""

    KIND: ClassVar[str] = "schema"

    @property
    def entity(self) -> Entity:
        return Entity.DATASET

    def check_schema(self, ctx: PlanContext) -> None:
        return None

    def value_from_schema(self, ctx: PlanContext) -> float:
        return float(len(ctx.schema))


@dataclass(frozen=True)
class ColumnExists(Analyzer):
    """1.0 if the column exists (exact, case-sensitive name), else 0.0; from the schema, no query."""

    KIND: ClassVar[str] = "schema"
    column: str = field(default="")

    def __post_init__(self) -> None:
        require_str(self.column, "column", "ColumnExists")

    @property
    def entity(self) -> Entity:
        return Entity.DATASET

    def check_schema(self, ctx: PlanContext) -> None:
        return None  # a missing column is this analyzer's answer, not an error

    def value_from_schema(self, ctx: PlanContext) -> float:
        return 1.0 if self.column in ctx.schema.names else 0.0
