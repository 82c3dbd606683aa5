"""CustomSql: a user's own SELECT statement over the dataset, returning one number."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import sqlglot
from sqlglot import exp

from dq.analyzers.base import Analyzer, PlanContext, require_str
from dq.errors import PredicateError
from dq.metrics import Entity
from dq.states.simple import CustomSqlState

__all__ = ["DATASET_TABLE", "CustomSql"]

#: the name under which a CustomSql statement sees the data being analysed
DATASET_TABLE = "dataset"


def _cte_in_scope(table: exp.Table, name: str) -> bool:
    """True if a WITH clause of a query enclosing ``table`` defines ``name`` (CTEs are visible only
    inside the query that defines them, so one defined in another subquery does not count)."""
    node = table.parent
    while node is not None:
        with_ = (node.args.get("with_") or node.args.get("with")) if isinstance(node, exp.Expression) else None
        if with_ is not None and any(c.alias_or_name.lower() == name for c in with_.expressions):
            return True
        node = node.parent
    return False


@lru_cache(maxsize=256)
def _parse(sql: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as e:
        raise PredicateError(sql, f"not valid SQL ({e.errors[0]['description'] if e.errors else e})") from None
    if len(statements) != 1:
        raise PredicateError(sql, f"expected exactly one SELECT statement, found {len(statements)}")
    stmt = statements[0]
    if not isinstance(stmt, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
        raise PredicateError(sql, "expected a SELECT statement", offending=stmt.sql()[:60])
    for t in stmt.find_all(exp.Table):
        name = t.name.lower()
        if t.args.get("db") or t.args.get("catalog") or (name != DATASET_TABLE and not _cte_in_scope(t, name)):
            raise PredicateError(sql, f"a CustomSql statement may read only the table '{DATASET_TABLE}'",
                                 offending=t.sql())
    return stmt


@dataclass(frozen=True)
class CustomSql(Analyzer):
    """The number returned by ``expression``, a single SELECT over the table ``dataset`` (the data
    being analysed), e.g. ``SELECT count(*) FROM dataset WHERE amount < 0``. It must return exactly
    one row with one numeric column, else the metric fails. Runs as its own statement. Its state
    merges by adding (Deequ), which is right only for additive results such as counts and sums."""

    KIND: ClassVar[str] = "custom"
    expression: str
    disambiguator: str = "*"

    def __post_init__(self) -> None:
        require_str(self.expression, "expression", "CustomSql")
        _parse(self.expression)

    @property
    def name(self) -> str:
        return "CustomSQL"

    @property
    def entity(self) -> Entity:
        return Entity.DATASET

    @property
    def instance(self) -> str:
        return self.disambiguator

    def check_schema(self, ctx: PlanContext) -> None:
        return None  # the engine binds the statement; a binding error fails this metric only

    def render(self, source: str, dialect: str = "duckdb") -> str:
        """The statement with ``dataset`` replaced by the engine's name for the data."""
        tree = _parse(self.expression).copy()
        for t in tree.find_all(exp.Table):
            if t.name.lower() == DATASET_TABLE:
                t.set("this", exp.to_identifier(source, quoted=True))
        return tree.sql(dialect=dialect)

    def state_from(self, r: dict[str, Any]) -> CustomSqlState:
        return CustomSqlState(r["value"])

    def value_from_state(self, state: CustomSqlState) -> float:
        from dq.analyzers.base import MetricFailure

        if state.value is None:
            raise MetricFailure("Custom SQL returned NULL")
        return float(state.value)
