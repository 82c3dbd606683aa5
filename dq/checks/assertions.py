"""Assertions: what a constraint requires of its metric value.

An assertion is a small frozen value with a readable form. The readable form is what messages,
reports and YAML show: ``at_least(0.9)`` reads ``>= 0.9``, ``between(1, 5)`` reads
``between 1 and 5``, ``bin_ratio("US", at_least(0.5))`` reads ``ratio[US] >= 0.5``. The same
text parses back (``parse_assertion``), which is how YAML check files write them.

A plain callable (``lambda v: v >= 0.9``) is accepted wherever an assertion is; it is wrapped in
``Satisfies`` and reads as its name. Callables cannot be written to YAML (there is no text that
rebuilds them), and ``dump`` says so.

NaN never satisfies a comparison (as in Deequ: ``NaN >= 0`` is false), and a value of the wrong
kind (a histogram given to ``>= 0.9``) is an assertion error reported on its constraint.
"""

from __future__ import annotations

import datetime as _dt
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dq.errors import InvalidOptionError

__all__ = [
    "Assertion",
    "Between",
    "Compare",
    "Picked",
    "Satisfies",
    "as_assertion",
    "at_least",
    "at_most",
    "between",
    "bin_count",
    "bin_ratio",
    "bucket_count",
    "equals",
    "greater_than",
    "is_one",
    "is_zero",
    "less_than",
    "not_equal",
    "number_of_bins",
    "number_of_buckets",
    "parse_assertion",
]


class Assertion:
    """Base of named assertions: ``__call__(value) -> bool`` and a readable ``text``."""

    def __call__(self, value: Any) -> bool:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @property
    def text(self) -> str:  # pragma: no cover
        raise NotImplementedError

    @property
    def serialisable(self) -> bool:
        return True

    def explain(self, value: Any) -> str | None:
        """Why ``value`` fails, when the assertion can say more than its text (anomaly checks
        give the expected range); None otherwise."""
        return None

    def __str__(self) -> str:
        return self.text


def _number(value: Any, what: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidOptionError(what, "a number", value)
    return value


def _fmt(x: Any) -> str:
    if isinstance(x, _dt.date):
        return x.isoformat()
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _scalar(value: Any, bound: Any = 0) -> Any:
    """The metric value, checked to be comparable with ``bound``: numbers with numbers, dates
    and timestamps (Minimum/Maximum of a date column) with dates and timestamps."""
    if isinstance(bound, _dt.date):
        if isinstance(value, _dt.datetime) and not isinstance(bound, _dt.datetime):
            return value.date()
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime) and isinstance(bound, _dt.datetime):
            return _dt.datetime.combine(value, _dt.time(), tzinfo=bound.tzinfo)
        if isinstance(value, _dt.datetime) and (value.tzinfo is None) != (bound.tzinfo is None):
            tz = _dt.timezone.utc
            value = value.replace(tzinfo=tz) if value.tzinfo is None else value
            return value if bound.tzinfo is not None else value.astimezone(tz).replace(tzinfo=None)
        if isinstance(value, _dt.date):
            return value
        raise TypeError(f"expected a date or timestamp to compare with {bound.isoformat()}, "
                        f"got {type(value).__name__} {value!r}")
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    raise TypeError(f"expected a number, got {type(value).__name__} {value!r}")


def _bound(value: Any, what: str) -> Any:
    if isinstance(value, _dt.date):
        return value
    return _number(value, what)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": operator.eq, "!=": operator.ne,
}


@dataclass(frozen=True)
class Compare(Assertion):
    """``value <op> bound``; ``==`` and ``!=`` accept an absolute ``tolerance``."""

    op: str
    bound: float | int | _dt.date
    tolerance: float = 0.0

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise InvalidOptionError("op", "one of " + ", ".join(_OPS), self.op)
        _bound(self.bound, "bound")
        if isinstance(self.bound, float) and math.isnan(self.bound):
            raise InvalidOptionError("bound", "a number that is not NaN", self.bound)
        if _number(self.tolerance, "tolerance") < 0:
            raise InvalidOptionError("tolerance", "a non-negative number", self.tolerance)
        if self.tolerance and (self.op not in ("==", "!=") or isinstance(self.bound, _dt.date)):
            raise InvalidOptionError("tolerance", "given only with == or != and a numeric bound",
                                     f"{self.op} {_fmt(self.bound)} +- {_fmt(self.tolerance)}")

    def __call__(self, value: Any) -> bool:
        v = _scalar(value, self.bound)
        if isinstance(v, float) and math.isnan(v):
            return False
        if self.tolerance and self.op in ("==", "!=") and not isinstance(self.bound, _dt.date):
            close = abs(v - self.bound) <= self.tolerance
            return close if self.op == "==" else not close
        return bool(_OPS[self.op](v, self.bound))

    @property
    def text(self) -> str:
        t = f"{self.op} {_fmt(self.bound)}"
        return t + f" +- {_fmt(self.tolerance)}" if self.tolerance else t


@dataclass(frozen=True)
class Between(Assertion):
    """``lower <= value <= upper`` (each bound inclusive unless said otherwise)."""

    lower: float | int | _dt.date
    upper: float | int | _dt.date
    include_lower: bool = True
    include_upper: bool = True

    def __post_init__(self) -> None:
        _bound(self.lower, "lower")
        _bound(self.upper, "upper")
        if (isinstance(self.lower, _dt.date), isinstance(self.lower, _dt.datetime)) != (
                isinstance(self.upper, _dt.date), isinstance(self.upper, _dt.datetime)) or (
                isinstance(self.lower, _dt.datetime) and (self.lower.tzinfo is None) != (self.upper.tzinfo is None)):
            raise InvalidOptionError("between", "two numbers, two dates or two timestamps (both with or both without a time zone)", f"{self.lower!r} and {self.upper!r}")
        if not self.lower <= self.upper:
            raise InvalidOptionError("between", "lower <= upper", f"between {self.lower} and {self.upper}")

    def __call__(self, value: Any) -> bool:
        v = _scalar(value, self.lower)
        if isinstance(v, float) and math.isnan(v):
            return False
        lo = v >= self.lower if self.include_lower else v > self.lower
        hi = v <= self.upper if self.include_upper else v < self.upper
        return bool(lo and hi)

    @property
    def text(self) -> str:
        if self.include_lower and self.include_upper:
            return f"between {_fmt(self.lower)} and {_fmt(self.upper)}"
        lo = "[" if self.include_lower else "("
        hi = "]" if self.include_upper else ")"
        return f"in {lo}{_fmt(self.lower)}, {_fmt(self.upper)}{hi}"


#: value pickers for structured metrics: name -> (takes a key?, how to read it)
def _pick_ratio(v: Any, key: str) -> float:
    return v[key].ratio if key in v.values else 0.0


def _pick_absolute(v: Any, key: str) -> int:
    return v[key].absolute if key in v.values else 0


_PICKERS: dict[str, tuple[bool, Callable[..., Any]]] = {
    "ratio": (True, _pick_ratio),
    "absolute": (True, _pick_absolute),
    "bins": (False, lambda v: v.number_of_bins),
    "buckets": (False, lambda v: len(v.buckets)),
    "bucket_count": (True, lambda v, i: v.buckets[int(i)].count),
    "total_count": (False, lambda v: sum(b.count for b in v.buckets)),
    "quantile": (True, lambda v, q: v[q]),
}


@dataclass(frozen=True)
class Picked(Assertion):
    """An assertion on one part of a structured metric: a histogram bin's ratio or count, the
    number of bins, a KLL bucket's count, one of several quantiles. A bin that is absent has
    ratio and count 0."""

    picker: str
    inner: Assertion
    key: str | None = None

    def __post_init__(self) -> None:
        if self.picker not in _PICKERS:
            raise InvalidOptionError("picker", "one of " + ", ".join(_PICKERS), self.picker)
        takes_key, _ = _PICKERS[self.picker]
        if takes_key != (self.key is not None):
            raise InvalidOptionError(self.picker, "a key" if takes_key else "no key", self.key)
        if not isinstance(self.inner, Assertion):
            object.__setattr__(self, "inner", as_assertion(self.inner))

    def __call__(self, value: Any) -> bool:
        takes_key, pick = _PICKERS[self.picker]
        try:
            part = pick(value, self.key) if takes_key else pick(value)
        except (AttributeError, TypeError) as e:
            raise TypeError(f"{self.picker} of a {type(value).__name__} is undefined") from e
        return self.inner(part)

    @property
    def text(self) -> str:
        head = self.picker if self.key is None else f"{self.picker}[{_escape_key(self.key)}]"
        return f"{head} {self.inner.text}"

    @property
    def serialisable(self) -> bool:
        return self.inner.serialisable


@dataclass(frozen=True)
class Satisfies(Assertion):
    """A plain callable as an assertion; reads as the callable's name (``<lambda>`` for a lambda)."""

    fn: Callable[[Any], bool]
    description: str | None = None

    def __call__(self, value: Any) -> bool:
        return bool(self.fn(value))

    @property
    def text(self) -> str:
        if self.description:
            return self.description
        return "satisfies " + getattr(self.fn, "__name__", type(self.fn).__name__)

    @property
    def serialisable(self) -> bool:
        return False


def as_assertion(value: Any) -> Assertion:
    """An Assertion as given; a callable wrapped in ``Satisfies``; a string parsed."""
    if isinstance(value, Assertion):
        return value
    if isinstance(value, str):
        return parse_assertion(value)
    if callable(value):
        return Satisfies(value)
    raise InvalidOptionError("assertion", "an assertion (e.g. at_least(0.9)), a callable, or text like '>= 0.9'",
                             value)


# -- the named assertions ------------------------------------------------------------------

def at_least(x: float) -> Compare:
    return Compare(">=", x)


def at_most(x: float) -> Compare:
    return Compare("<=", x)


def greater_than(x: float) -> Compare:
    return Compare(">", x)


def less_than(x: float) -> Compare:
    return Compare("<", x)


def equals(x: float, *, tolerance: float = 0.0) -> Compare:
    return Compare("==", x, tolerance)


def not_equal(x: float, *, tolerance: float = 0.0) -> Compare:
    return Compare("!=", x, tolerance)


def between(lower: float, upper: float, *, include_lower: bool = True, include_upper: bool = True) -> Between:
    return Between(lower, upper, include_lower, include_upper)


def is_one() -> Compare:
    """Deequ's ``Check.IsOne``: the default of the ratio constraints (every row complies)."""
    return Compare("==", 1)


def is_zero() -> Compare:
    return Compare("==", 0)


def bin_ratio(key: str, assertion: Any) -> Picked:
    return Picked("ratio", as_assertion(assertion), str(key))


def bin_count(key: str, assertion: Any) -> Picked:
    return Picked("absolute", as_assertion(assertion), str(key))


def number_of_bins(assertion: Any) -> Picked:
    return Picked("bins", as_assertion(assertion))


def number_of_buckets(assertion: Any) -> Picked:
    return Picked("buckets", as_assertion(assertion))


def bucket_count(index: int, assertion: Any) -> Picked:
    return Picked("bucket_count", as_assertion(assertion), str(int(index)))


# -- text form -------------------------------------------------------------------------------

_DATE = r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"
_NUM = rf"{_DATE}|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?inf(?:inity)?"
_COMPARE = re.compile(rf"^(>=|<=|==|!=|>|<|=)\s*({_NUM})(?:\s*(?:\+-|±)\s*({_NUM}))?$", re.I)
_BETWEEN = re.compile(rf"^between\s+({_NUM})\s+and\s+({_NUM})$", re.I)
_INTERVAL = re.compile(rf"^in\s*([\[(])\s*({_NUM})\s*,\s*({_NUM})\s*([\])])$", re.I)
# a picker's key is written verbatim between brackets, with "\\" and "]" escaped by a backslash
_PICK = re.compile(r"^\s*([a-z_]+)(?:\[((?:[^\]\\]|\\.)*)\])?\s+(.+)$", re.I | re.S)


def _escape_key(key: str) -> str:
    return key.replace("\\", "\\\\").replace("]", "\\]")


def _unescape_key(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def _num(text: str) -> Any:
    if re.fullmatch(_DATE, text):
        try:
            if len(text) == 10:
                return _dt.date.fromisoformat(text)
            return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as e:
            raise InvalidOptionError("assertion", "a valid date or timestamp (ISO 8601)", text) from e
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_assertion(text: str) -> Assertion:
    """Parse the readable form: ``>= 0.9``, ``== 1``, ``>= 2020-01-01`` (dates and ISO
    timestamps compare with date metrics), ``== 0.5 +- 0.01``, ``between 1 and 5``,
    ``in (0, 1]``, ``ratio[US] >= 0.5``, ``absolute[a] == 4``, ``bins <= 10``,
    ``buckets == 10``, ``bucket_count[0] >= 1``, ``total_count == 100``, ``quantile[0.5] < 3``."""
    if not isinstance(text, str):
        raise InvalidOptionError("assertion", "text like '>= 0.9' or 'between 1 and 5'", text)
    if (m := _PICK.match(text)) and m.group(1).lower() in _PICKERS:
        key = None if m.group(2) is None else _unescape_key(m.group(2))
        return Picked(m.group(1).lower(), parse_assertion(m.group(3)), key)
    t = " ".join(text.split())
    if m := _COMPARE.match(t):
        op = "==" if m.group(1) == "=" else m.group(1)
        tol = _num(m.group(3)) if m.group(3) else 0.0
        if not isinstance(tol, (int, float)):
            raise InvalidOptionError("assertion", "a numeric tolerance after '+-'", text)
        return Compare(op, _num(m.group(2)), float(tol))
    if m := _BETWEEN.match(t):
        return Between(_num(m.group(1)), _num(m.group(2)))
    if m := _INTERVAL.match(t):
        return Between(_num(m.group(2)), _num(m.group(3)), m.group(1) == "[", m.group(4) == "]")
    raise InvalidOptionError(
        "assertion",
        "'>= x', '> x', '<= x', '< x', '== x' (optionally '+- tol'), '!= x', 'between a and b', "
        "'in [a, b)', or a picker such as 'ratio[US] >= 0.5', 'bins <= 10'",
        text,
    )
