"""Counting the rows where a predicate is TRUE, in aggregates DuckDB evaluates cheaply.

``count_if(P)`` evaluates ``P`` over every row, and some shapes of ``P`` cost DuckDB far more per row
than an equal count assembled from simpler parts. The compliance family (``is_contained_in``,
``is_non_negative``, ``is_positive``, numeric ranges) writes exactly those shapes, so a suite of many
such constraints pays for them on every row. Measured on the wide table of
``benchmarks/checks_scaling.py`` (1M rows, CPU time added per 40 string or 60 numeric columns,
median of 7):

===============================================  =======  =================================================
shape                                             as is    rewritten
===============================================  =======  =================================================
``x IS NULL OR x IN ('A', 'B', 'C')``             0.24 s   0.11 s: ``count(*) - count(x) + count_if(x = 'A')
                                                           + count_if(x = 'B') + ...`` (0.21 s with
                                                           ``count_if(x = 'A' OR x = 'B' ...)``, the form
                                                           used where two values may equal one row)
``x IN (20 strings)``                             1.9 s    0.64 s (1.4 s as an OR)
``x IS NULL OR Q``                                         ``count(*) - count(x) + count_if(Q)`` (Q is never
                                                           TRUE on a NULL x, so the two sets are disjoint)
``x IS NULL OR (x >= lo AND x <= hi)``            0.26 s   0.19 s: ``count(*) - count(x) + count_if(x >=
                                                           lo) - count_if(x > hi)``
``COALESCE(CAST(x AS DOUBLE), 0.0) >= 0``         0.18 s   0.12 s: as ``x IS NULL OR CAST(x AS DOUBLE) >= 0``
===============================================  =======  =================================================

``count(*)`` and ``count(x)`` cost nearly nothing more: DuckDB computes an aggregate that appears
several times in one statement once. Every rewrite is an identity of counts under SQL's
three-valued logic (NULL and FALSE both count nothing; NaN is the greatest double in DuckDB, so it
is above ``hi`` and at or above ``lo``, and the range difference leaves it out as ``x <= hi``
does). A shape no rule proves equivalent keeps ``count_if(P)``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from dq.predicates import Predicate, render_tree

__all__ = ["count_true_sql"]

#: the longest value list written as a sum of equalities (one aggregate per value)
MAX_LIST = 32

_Term = tuple[int, str]  # (+1 or -1, an aggregate expression)

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    exp.GTE: operator.ge, exp.GT: operator.gt, exp.LTE: operator.le, exp.LT: operator.lt,
    exp.EQ: operator.eq, exp.NEQ: operator.ne,
}


@functools.lru_cache(maxsize=4096)
def count_true_sql(predicate: Predicate, numeric: frozenset[str] = frozenset(),
                   binary_strings: frozenset[str] = frozenset()) -> str:
    """An expression of aggregates equal to ``count_if(predicate)`` over the same rows.

    A value list becomes a sum of one count per value only where no row can equal two of the
    values: ``numeric`` names the columns of a numeric type (distinct integers stay distinct
    there; a BOOLEAN holds TRUE = 1 = 2), ``binary_strings`` the string columns compared byte by
    byte (under a collation such as NOCASE, or for a DATE, two distinct strings can match one
    value). Elsewhere a list of strings becomes ``x = 'A' OR x = 'B' ...``, still cheaper than
    ``IN``, and any other list stays as written."""
    terms = _Rewriter(numeric, binary_strings).terms(predicate.tree)
    head, *rest = terms
    out = head[1] if head[0] > 0 else f"-{head[1]}"
    for sign, term in rest:
        out += f" {'+' if sign > 0 else '-'} {term}"
    return out if len(terms) == 1 else f"({out})"


def _sql(node: exp.Expr) -> str:
    return render_tree(node, "duckdb")


def _count_if(node: exp.Expr) -> _Term:
    return (1, f"count_if({_sql(node)})")


def _unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _column(node: exp.Expr) -> exp.Column | None:
    node = _unparen(node)
    return node if isinstance(node, exp.Column) else None


def _column_or_cast(node: exp.Expr) -> exp.Column | None:
    """The column whose NULL makes ``node`` NULL and whose non-NULL value makes it non-NULL:
    the column itself or a CAST of it (a TRY_CAST may turn a value into NULL, so it is not one)."""
    node = _unparen(node)
    if type(node) is exp.Cast:
        return _column(node.this)
    return _column(node)


def _number(node: exp.Expr) -> int | float | None:
    """The value of a numeric literal (``5``, ``2.5``, ``-3``, ``(-3)``), else None."""
    node = _unparen(node)
    sign = 1
    if isinstance(node, exp.Neg):
        sign, node = -1, _unparen(node.this)
    if not isinstance(node, exp.Literal) or node.is_string:
        return None
    text = str(node.this)
    try:
        return sign * int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            return None
        return sign * value if value == value else None


def _same(a: exp.Expr, b: exp.Expr) -> bool:
    return a == b  # sqlglot compares trees structurally


def _never_true_on_null(node: exp.Expr, col: exp.Column) -> bool:
    """True when ``node`` cannot be TRUE on a row where ``col`` is NULL."""
    node = _unparen(node)
    if type(node) in _COMPARE:
        return any((c := _column_or_cast(side)) is not None and _same(c, col)
                   for side in (node.this, node.expression))
    if isinstance(node, (exp.In, exp.Between)):
        c = _column_or_cast(node.this)
        return c is not None and _same(c, col) and not node.args.get("query")
    if isinstance(node, exp.And):  # NULL AND x is NULL or FALSE
        return _never_true_on_null(node.this, col) or _never_true_on_null(node.expression, col)
    if isinstance(node, exp.Or):
        return _never_true_on_null(node.this, col) and _never_true_on_null(node.expression, col)
    return False


def _nulls(col: exp.Column) -> list[_Term]:
    return [(1, "count(*)"), (-1, f"count({_sql(col)})")]


class _Rewriter:
    def __init__(self, numeric: frozenset[str], binary_strings: frozenset[str]):
        self.numeric, self.binary_strings = numeric, binary_strings

    def terms(self, node: exp.Expr) -> list[_Term]:
        node = _unparen(node)
        for rule in (self._null_or, self._coalesce_compare, self._value_list, self._range):
            terms = rule(node)
            if terms is not None:
                return terms
        return [_count_if(node)]

    def _null_or(self, node: exp.Expr) -> list[_Term] | None:
        """``x IS NULL OR Q`` with Q never TRUE on a NULL x: the NULL rows plus the rows where Q holds."""
        if not isinstance(node, exp.Or):
            return None
        for test, rest in ((node.this, node.expression), (node.expression, node.this)):
            test = _unparen(test)
            if isinstance(test, exp.Is) and isinstance(test.expression, exp.Null):
                col = _column(test.this)
                if col is not None and _never_true_on_null(rest, col):
                    return _nulls(col) + self.terms(rest)
        return None

    def _coalesce_compare(self, node: exp.Expr) -> list[_Term] | None:
        """``COALESCE(x, c) op k``: the rows where ``x op k``, plus the NULL rows when ``c op k``."""
        compare = _COMPARE.get(type(node))
        if compare is None:
            return None
        coalesce = _unparen(node.this)
        if not isinstance(coalesce, exp.Coalesce) or len(coalesce.expressions) != 1:
            return None
        col = _column_or_cast(coalesce.this)
        c, k = _number(coalesce.expressions[0]), _number(node.expression)
        if col is None or c is None or k is None:
            return None
        inner = type(node)(this=coalesce.this.copy(), expression=node.expression.copy())
        return (_nulls(col) if compare(c, k) else []) + self.terms(inner)

    def _value_list(self, node: exp.Expr) -> list[_Term] | None:
        """``x IN (v1, v2, ...)``: one count per distinct value where no row can equal two of
        them, else (strings) one count of ``x = v1 OR x = v2 ...``."""
        if not isinstance(node, exp.In) or node.args.get("query") or node.args.get("unnest") \
                or node.args.get("field"):
            return None
        col = _column(node.this)
        values = node.expressions
        if col is None or not values or len(values) > MAX_LIST:
            return None
        name = col.name
        if all(isinstance(v, exp.Literal) and v.is_string for v in values):
            keyed: dict[Any, exp.Expr] = {str(v.this): v for v in values}
            summable = name in self.binary_strings
        else:
            numbers = [_number(v) for v in values]
            if not all(isinstance(n, int) for n in numbers) or name not in self.numeric:
                return None
            keyed, summable = dict(zip(numbers, values)), True
        equal = [f"{_sql(col)} = {_sql(v)}" for v in keyed.values()]
        if summable:
            return [(1, f"count_if({e})") for e in equal]
        return [(1, f"count_if({' OR '.join(equal)})")]

    def _range(self, node: exp.Expr) -> list[_Term] | None:
        """``x >= lo AND x <= hi`` (either bound strict or not, lo <= hi): the rows at or above lo
        less those above hi (every row above hi is above lo)."""
        if not isinstance(node, exp.And):
            return None
        parts = [_unparen(node.this), _unparen(node.expression)]
        lower = next((p for p in parts if isinstance(p, _LOWER)), None)
        upper = next((p for p in parts if isinstance(p, _UPPER)), None)
        if lower is None or upper is None:
            return None
        col_lo, col_hi = _column(lower.this), _column(upper.this)
        lo, hi = _number(lower.expression), _number(upper.expression)
        if col_lo is None or col_hi is None or lo is None or hi is None or not _same(col_lo, col_hi):
            return None
        if lo > hi or (lo == hi and isinstance(lower, exp.GT) and isinstance(upper, exp.LT)):
            return None  # empty, and the difference would not be
        beyond = (exp.GT if isinstance(upper, exp.LTE) else exp.GTE)(this=col_hi.copy(),
                                                                      expression=upper.expression.copy())
        return self.terms(lower) + [(-1, _count_if(beyond)[1])]


_LOWER, _UPPER = (exp.GTE, exp.GT), (exp.LTE, exp.LT)
