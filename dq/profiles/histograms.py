"""The profiler's second pass: the exact value counts of every low-cardinality column, in ONE
grouped statement (Deequ groups each column separately, deequ#534).

DuckDB: ``GROUP BY GROUPING SETS ((c1), (c2), ...)`` reads the data once and keeps one hash table
per column. Values come back as text (``CAST(v AS VARCHAR)``, the form ``Histogram`` reports), NULL
as None. A float column groups on ``v + 0.0`` so that -0.0 and 0.0 are one group whose text is
"0.0" whichever came first (the engines compare them equal).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dq.predicates import quote_identifier
from dq.schema import Column, Kind

__all__ = ["ValueCounts", "value_counts"]

#: column -> ((value text or None for NULL, count), ...) sorted by count desc, then value
ValueCounts = dict[str, tuple[tuple[str | None, int], ...]]

# Both statements are written in DuckDB's dialect and go through the backend's ``run_custom``
# (counted there); the Spark backend translates them with sqlglot (GROUPING SETS, grouping(),
# count(DISTINCT) exist in both). Spark spells some values differently as text (doubles such as
# 1.0E10), so a float histogram's keys may differ between engines; counts do not.


def _sorted(counts: dict[str | None, int]) -> tuple[tuple[str | None, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or "")))


def value_counts(backend: Any, columns: Sequence[Column]) -> ValueCounts:
    """Exact value counts of ``columns`` through ``backend`` in one statement (none if no columns)."""
    if not columns:
        return {}
    q = quote_identifier
    names = [f"c{i}" for i in range(len(columns))]
    inner = ", ".join(
        f"({q(c.name)} + 0.0) AS {q(n)}" if c.kind is Kind.FRACTIONAL else f"{q(c.name)} AS {q(n)}"
        for c, n in zip(columns, names))
    which = " ".join(f"WHEN grouping({q(n)}) = 0 THEN {i}" for i, n in enumerate(names))
    value = " ".join(f"WHEN grouping({q(n)}) = 0 THEN CAST({q(n)} AS VARCHAR)" for n in names)
    sets = ", ".join(f"({q(n)})" for n in names)
    sql = (f"SELECT CASE {which} END AS i, CASE {value} END AS v, count(*) AS n "
           f"FROM (SELECT {inner} FROM {q(backend.source_name())}) GROUP BY GROUPING SETS ({sets})")
    rows = backend.run_custom(sql)
    out: dict[str, dict[str | None, int]] = {c.name: {} for c in columns}
    for i, v, n in rows:
        d = out[columns[int(i)].name]
        d[v] = d.get(v, 0) + int(n)
    return {k: _sorted(d) for k, d in out.items()}


def merge_value_counts(a: tuple[tuple[str | None, int], ...], b: tuple[tuple[str | None, int], ...]
                       ) -> tuple[tuple[str | None, int], ...]:
    d: dict[str | None, int] = dict(a)
    for k, n in b:
        d[k] = d.get(k, 0) + n
    return _sorted(d)


def unique_columns(backend: Any, columns: Sequence[str]) -> dict[str, bool]:
    """Whether each column's non-NULL values are all distinct (exact), in one statement:
    ``count(DISTINCT c) = count(c)`` (NaN equals NaN and -0.0 equals 0.0 here, as in grouping)."""
    if not columns:
        return {}
    q = quote_identifier
    exprs = ", ".join(f"count(DISTINCT {q(c)}) = count({q(c)}) AS {q(f'u{i}')}" for i, c in enumerate(columns))
    (row,) = backend.run_custom(f"SELECT {exprs} FROM {q(backend.source_name())}")
    return {c: bool(v) for c, v in zip(columns, row)}
