"""Analyzer base class, options, and the plan-time context analyzers use to resolve names.

An analyzer is a frozen, hashable description. It never imports an engine: it declares
aggregations (``dq.aggregations``) and turns their results into a state, and a state into a value.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from dq.errors import InvalidOptionError, StateFormatError
from dq.metrics import Entity
from dq.schema import Column, Kind, Schema

__all__ = [
    "NUMERIC",
    "ORDERABLE",
    "Analyzer",
    "AnalyzerOptions",
    "EmptyStateFailure",
    "FilteredRowOutcome",
    "MetricFailure",
    "NullBehavior",
    "PlanContext",
    "analyzer_from_dict",
    "analyzer_types",
]

NUMERIC = (Kind.INTEGRAL, Kind.FRACTIONAL, Kind.DECIMAL)
ORDERABLE = NUMERIC + (Kind.DATE, Kind.TIMESTAMP)
NESTED_FORBIDDEN = tuple(k for k in Kind if k is not Kind.NESTED)

_REGISTRY: dict[str, type[Analyzer]] = {}


def analyzer_types() -> dict[str, type[Analyzer]]:
    return dict(_REGISTRY)


class MetricFailure(Exception):
    """A metric that cannot be computed from valid input (a value, reported on the metric)."""


class NeedsState(Exception):
    """Raised by ``value_from_metric_results`` when the fused aggregates cannot tell the answer
    (e.g. a NaN correlation): the runner then computes the analyzer's full state instead."""


class EmptyStateFailure(MetricFailure):
    def __init__(self, analyzer: Analyzer):
        super().__init__(f"Empty state for analyzer {analyzer!r}, all input values were NULL.")


class NullBehavior(str, enum.Enum):
    IGNORE = "Ignore"
    EMPTY_STRING = "EmptyString"
    FAIL = "Fail"


class FilteredRowOutcome(str, enum.Enum):
    NULL = "NULL"
    TRUE = "TRUE"


@dataclass(frozen=True)
class AnalyzerOptions:
    """Deequ's analyzer options. ``null_behavior`` changes the metric only for MinLength/MaxLength;
    ``filtered_row`` only affects row-level results (rows excluded by ``where``)."""

    null_behavior: NullBehavior = NullBehavior.IGNORE
    filtered_row: FilteredRowOutcome = FilteredRowOutcome.TRUE

    def __post_init__(self) -> None:
        object.__setattr__(self, "null_behavior", _enum(NullBehavior, self.null_behavior, "null_behavior"))
        object.__setattr__(self, "filtered_row", _enum(FilteredRowOutcome, self.filtered_row, "filtered_row"))

    def to_dict(self) -> dict[str, str]:
        return {"null_behavior": self.null_behavior.value, "filtered_row": self.filtered_row.value}


def _enum(cls: type[enum.Enum], value: Any, option: str) -> Any:
    if isinstance(value, cls):
        return value
    for m in cls:
        if isinstance(value, str) and value.lower() in (m.value.lower(), m.name.lower()):
            return m
    raise InvalidOptionError(option, "one of " + ", ".join(repr(m.value) for m in cls), value)


class PlanContext:
    """What an analyzer may ask at plan time: resolved columns and validated predicates."""

    def __init__(self, schema: Schema):
        self.schema = schema

    def column(self, name: str, kinds: Sequence[Kind] | None = None, expected: str | None = None,
               *, context: str | None = None) -> Column:
        if kinds is None:
            return self.schema.column(name, context=context)
        return self.schema.require(name, kinds, expected or "of kind " + "/".join(k.value for k in kinds),
                                   context=context)

    def predicate(self, text: str, *, context: str | None = None):
        from dq.predicates import parse_predicate

        return parse_predicate(text, self.schema.names, context=context)

    def where(self, text: str | None, *, context: str | None = None):
        return None if text is None else self.predicate(text, context=context)


@dataclass(frozen=True)
class Analyzer:
    """Base of every analyzer. Subclasses are frozen dataclasses named like Deequ's."""

    #: "scan" (fused into the single scan), "grouping" (frequency table), "schema" (no query),
    #: "custom" (its own statement)
    KIND: ClassVar[str] = "scan"
    #: True when the state merges (ExactQuantile and InterquartileRange do not)
    MERGEABLE: ClassVar[bool] = True

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        _REGISTRY[cls.__name__] = cls

    # -- identity ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return type(self).__name__

    @property
    def entity(self) -> Entity:
        return Entity.COLUMN

    @property
    def instance(self) -> str:
        col = getattr(self, "column", None)
        if isinstance(col, str):
            return col
        cols = getattr(self, "columns", None)
        if cols:
            return ",".join(cols)
        return "*"

    def referenced_columns(self) -> tuple[str, ...]:
        """Column names (as the user gave them) that must exist."""
        col = getattr(self, "column", None)
        if isinstance(col, str):
            return (col,)
        return tuple(getattr(self, "columns", ()) or ())

    @property
    def where_text(self) -> str | None:
        return getattr(self, "where", None)

    def context(self) -> str:
        return repr(self)

    # -- plan ----------------------------------------------------------------------------
    def check_schema(self, ctx: PlanContext) -> None:
        """Raise ColumnNotFoundError / ColumnTypeError / PredicateError before any scan."""
        for c in self.referenced_columns():
            ctx.column(c, context=self.context())
        ctx.where(self.where_text, context=self.context())

    def predicates(self, ctx: PlanContext) -> list[Any]:
        """The validated SQL predicates this analyzer evaluates (bound by the engine before any scan)."""
        w = ctx.where(self.where_text)
        return [] if w is None else [w]

    def patterns(self) -> list[str]:
        """Regular expressions this analyzer evaluates (compiled by the engine before any scan)."""
        return []

    def aggregations(self, ctx: PlanContext) -> dict[str, Any]:  # scan analyzers
        raise NotImplementedError(f"{self.name} declares no scan aggregations")

    def metric_aggregations(self, ctx: PlanContext) -> dict[str, Any] | None:
        """Optional cheaper aggregations that give the metric but no mergeable state, used when a
        run needs no states (``value_from_metric_results`` turns them into the value). Analyzers
        whose engine has a fused aggregate for the final value define it (Correlation)."""
        return None

    def value_from_metric_results(self, results: dict[str, Any]) -> Any:
        raise NotImplementedError

    def state_from(self, results: dict[str, Any]):  # scan analyzers
        raise NotImplementedError(f"{self.name} builds no state from scan results")

    def value_from_state(self, state) -> Any:  # scan analyzers
        raise NotImplementedError(f"{self.name} computes no value from a state")

    # -- serialisation of the identity (repository keys, state stores) --------------------
    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"analyzer": type(self).__name__}  # the class, not the metric name
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, AnalyzerOptions):
                v = v.to_dict()
            elif isinstance(v, tuple):
                v = list(v)
            d[f.name] = v
        return d


def analyzer_from_dict(d: dict[str, Any]) -> Analyzer:
    try:
        cls = _REGISTRY[d["analyzer"]]
    except (KeyError, TypeError):
        raise StateFormatError(f"unknown analyzer in {d!r}") from None
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in d:
            v = d[f.name]
            if f.name == "options" and isinstance(v, dict):
                v = AnalyzerOptions(**v)
            elif isinstance(v, list):
                v = tuple(v)
            kwargs[f.name] = v
    return cls(**kwargs)


# -- small helpers for subclasses ---------------------------------------------------------

def as_columns(value: str | Sequence[str], owner: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        cols: tuple[str, ...] = (value,)
    else:
        try:
            cols = tuple(value)
        except TypeError:
            raise InvalidOptionError("columns", "a column name or a list of column names", value, owner=owner) from None
    if not cols and not allow_empty:
        raise InvalidOptionError("columns", "at least one column name", list(cols), owner=owner)
    for c in cols:
        if not isinstance(c, str) or not c:
            raise InvalidOptionError("columns", "non-empty column names (strings)", c, owner=owner)
    return cols


def require_str(value: Any, option: str, owner: str) -> None:
    if not isinstance(value, str) or not value:
        raise InvalidOptionError(option, "a non-empty string", value, owner=owner)


def require_where(value: Any, owner: str) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidOptionError("where", "a SQL predicate string or None", value, owner=owner)


def require_fraction(value: Any, option: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise InvalidOptionError(option, "a number in the closed interval [0, 1]", value, owner=owner)
    return float(value)
