"""Row-level results and quarantine: which rows pass which checks (Deequ's ``rowLevelResultsAsDataFrame``).

``row_level_results(result, data)`` returns the input rows (every column, input order) plus one
BOOLEAN column per check, named by the check's description, holding the AND of the check's
row-level constraints. ``split_rows(result, data, passing_path, failing_path)`` writes the rows
that pass every check at the chosen level to one Parquet file and the others to another.

Per-row outcome of each row-level constraint (reference/DEEQU.md sections b and g):

* Completeness: ``value IS NOT NULL`` (NaN is present).
* Compliance family (``satisfies``, ``are_complete``, ``are_any_complete``, ``is_contained_in``,
  ``is_non_negative``, ``is_positive``, ``is_less_than`` ...): the predicate, a NULL predicate
  counting as FALSE, as the metric counts it (Deequ keeps the NULL).
* PatternMatch (``has_pattern``, ``contains_email`` ...): the value contains a match; NULL is FALSE.
* Minimum, Maximum, MinLength, MaxLength: the constraint's assertion applied to the row's value
  (its length, in code points, for the length ones), the value read as the metric reads it (a
  number as a double). ``Compare``/``Between`` assertions compile to SQL with the assertion's own
  semantics (NaN satisfies nothing); any other assertion (a Python callable) runs in Python, once
  per distinct value of each batch, inside the same query (a vectorised DuckDB UDF). An assertion
  that raises fails the row. A NULL value: ``null_behavior`` Ignore -> TRUE (not evaluated),
  Fail -> FALSE, EmptyString -> the length constraints evaluate length 0 (TRUE for Min/Max).
* Uniqueness family (``is_unique``, ``are_unique``, ``is_primary_key``, ``has_uniqueness``,
  ``has_unique_value_ratio``, ``has_duplicate_row_count``): TRUE iff the row's key combination
  occurs exactly once among the rows the metric counts (``count(*) OVER (PARTITION BY keys)``);
  a row whose keys are all NULL is TRUE (the metric ignores it). One window per distinct
  (keys, filter), however many constraints share it. No row identifiers are involved, so the
  result is right on multi-file and hive-partitioned input (Deequ's #753).
* A row excluded by the constraint's ``where`` (the filter is FALSE or NULL) gets
  ``options.filtered_row``: TRUE (default) or NULL. A check column is the SQL three-valued AND of
  its constraints: NULL when some constraint is NULL and none is FALSE.
* A constraint whose metric failed or is missing (a missing column, a predicate the engine cannot
  evaluate) is FALSE for every row (Deequ: ``lit(false)``), except an empty state under ``where``,
  which the constraint counts as a success and whose rows are evaluated as above.
* Aggregate-only constraints (``has_size``, ``has_mean`` ...) contribute nothing; a check without
  row-level constraints is TRUE for every row.

Column names: a check's column is named by its description; a description used twice or equal to
an input column (compared case-insensitively, as DuckDB does) gets `` (2)``, `` (3)`` ... .

Cost: one query however many checks there are. Identical expressions (the same constraint in
several checks) are computed once in a subquery and each check ANDs their columns, so the SQL
grows linearly with the number of constraints (Deequ's #576).

Quarantine (``split_rows``): a row fails when at least one check at ``level`` (``error``: the
Error checks; ``warning``: the Error and the Warning checks) is FALSE for it; a NULL check outcome
(not evaluated: a filtered row with ``filtered_row=NULL``) counts as passing. The failing file adds
a ``dq_failed_checks`` list<string> column naming those checks (as their row-level columns are
named). Both files are written by DuckDB ``COPY ... (FORMAT parquet)`` straight from the data (two
statements, each streaming; nothing is collected into Python) to a temporary name in the target
folder and then renamed over the target, so a reader never sees a partial file. Row order inside
the files is not guaranteed.

The data is read again, so it must be re-readable: a pyarrow ``RecordBatchReader`` (consumed by
the verification run) is refused with ``UnsupportedDataError``.

A Spark DataFrame (classic or Spark Connect) goes to ``dq.checks.rowlevel_spark``: the same
expressions (``RowLevelExpressions``, shared with the DuckDB ``RowLevelPlan``) in Spark SQL, the
same semantics; ``row_level_results`` returns a lazy Spark DataFrame and ``split_rows`` writes two
folders of Parquet part files.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dq.analyzers.base import (
    NUMERIC,
    Analyzer,
    AnalyzerOptions,
    EmptyStateFailure,
    FilteredRowOutcome,
    NullBehavior,
    PlanContext,
)
from dq.analyzers.basic import Completeness, Compliance, Maximum, MaxLength, Minimum, MinLength, PatternMatch
from dq.analyzers.grouping import DuplicateRowCount, GroupingAnalyzer, Uniqueness, UniqueValueRatio
from dq.backends.duckdb import regex_match_sql
from dq.checks.assertions import Assertion, Between, Compare
from dq.checks.check import CheckLevel
from dq.checks.constraints import ConstraintResult
from dq.errors import DQError, InvalidOptionError, UnsupportedDataError
from dq.predicates import quote_identifier, sql_literal
from dq.schema import Kind

__all__ = ["FAILED_CHECKS_COLUMN", "RowLevelExpressions", "RowLevelPlan", "plan_row_level", "row_level_results",
           "split_rows"]

#: the column of the failing file that names the checks a row failed
FAILED_CHECKS_COLUMN = "dq_failed_checks"

ROW_LEVEL_ANALYZERS: tuple[type[Analyzer], ...] = (
    Completeness, Compliance, PatternMatch, Minimum, Maximum, MinLength, MaxLength,
    Uniqueness, UniqueValueRatio, DuplicateRowCount,
)

_SQL_OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "==": "=", "!=": "<>"}
#: integers beyond this are not exact as doubles: such bounds are compared in Python
_EXACT_INT = 2 ** 53


def _q(name: str) -> str:
    return quote_identifier(name)


def unique_names(wanted: Sequence[str], taken: Sequence[str] = ()) -> list[str]:
    """``wanted`` made unique against each other and against ``taken`` (case-insensitively):
    the second ``x`` becomes ``x (2)``, then ``x (3)`` ..."""
    used = {t.lower() for t in taken}
    out = []
    for w in wanted:
        name, k = w, 1
        while name.lower() in used:
            k += 1
            name = f"{w} ({k})"
        used.add(name.lower())
        out.append(name)
    return out


def _level(level: Any) -> CheckLevel:
    from dq.checks.check import parse_level

    return parse_level(level, owner="split_rows")


def _refuse_one_shot(data: Any) -> None:
    if data is None:
        raise UnsupportedDataError("row-level results need the data: pass data= (the verification result does not "
                                   "hold any)")
    if isinstance(data, pa.RecordBatchReader):
        raise UnsupportedDataError(
            "a pyarrow RecordBatchReader can be read only once (the verification run has consumed it), and "
            "row-level results read the data again: pass a re-readable source instead, such as a pyarrow Table "
            "(reader.read_all()), a file path, a list of files, a folder or a DuckDB relation")


# -- Python assertions as a vectorised DuckDB function ------------------------------------------

def _python_assertion(assertion: Assertion) -> Callable[[Any], Any]:
    """An Arrow UDF: one call of ``assertion`` per distinct value of each batch; NULL stays NULL
    (the SQL around it decides what a NULL value means); an assertion that raises gives FALSE."""

    def check(value: Any) -> bool:
        try:
            return bool(assertion(value))
        except Exception:  # noqa: BLE001 - an assertion that raises fails the row, as it fails the constraint
            return False

    def udf(values: Any) -> pa.Array:
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        enc = pc.dictionary_encode(values)
        if len(enc.dictionary) * 2 > len(values):  # mostly distinct: encoding saves nothing
            return pa.array([None if v is None else check(v) for v in values.to_pylist()], pa.bool_())
        outcomes = pa.array([check(v) for v in enc.dictionary.to_pylist()], pa.bool_())
        return outcomes.take(enc.indices)

    return udf


@dataclass
class _Udf:
    name: str
    fn: Callable[[Any], Any]
    arg_type: Any


# -- the plan ----------------------------------------------------------------------------------

@dataclass
class _CheckColumn:
    name: str  # the output name (description, made unique)
    level: CheckLevel
    aliases: list[str] = field(default_factory=list)  # expression columns ANDed


class RowLevelExpressions:
    """The row-level expressions of a verification result's checks on some data, as SQL text in
    one engine's dialect, without running anything. Shared by the DuckDB plan (``RowLevelPlan``)
    and the Spark plan (``dq.checks.rowlevel_spark``): an engine gives its ``dialect`` (identifier
    quoting, predicate rendering), its regular-expression search (``_regex_sql``), how a Python
    assertion is called (``_udf_arg_type``, ``_udf_ref``) and computes the uniqueness windows
    (``_windows``: (keys, filter SQL) -> alias) itself.

    ``num_expressions`` counts the distinct per-constraint expressions and ``num_windows`` the
    distinct uniqueness partitions."""

    dialect = "duckdb"

    def __init__(self, result: Any, data: Any, backend: Any):
        self.data = data
        self.backend = backend
        self.ctx = PlanContext(self.backend.schema)
        self.input_columns: list[str] = list(self.backend.schema.names)
        prefix = "__dq_rl"
        while any(c.lower().startswith(prefix) for c in self.input_columns):
            prefix += "_"
        self._p = prefix
        self._tag = uuid.uuid4().hex[:12]
        self._exprs: dict[str, str] = {}  # SQL -> alias (one column per distinct expression)
        self._expr_sql: dict[str, str] = {}  # alias -> the SQL it computes (FALSE once it is known to fail)
        self._windows: dict[tuple[tuple[str, ...], str | None], str] = {}  # (keys, filter SQL) -> alias
        self._udfs: dict[Any, _Udf] = {}
        results = list(result.check_results)
        names = unique_names([cr.check.description for cr in results], self.input_columns)
        self.checks: list[_CheckColumn] = []
        runnable = self._runnable([r for cr in results for r in cr.constraint_results])
        for cr, name in zip(results, names):
            col = _CheckColumn(name, cr.check.level)
            for r in cr.constraint_results:
                if not isinstance(r.constraint.analyzer, ROW_LEVEL_ANALYZERS):
                    continue
                sql = self._constraint_sql(r) if r.constraint.analyzer in runnable else "FALSE"
                alias = self._expression(sql)
                if alias not in col.aliases:
                    col.aliases.append(alias)
            self.checks.append(col)

    def _q(self, name: str) -> str:
        return quote_identifier(name, self.dialect)

    # -- which constraints can be evaluated ------------------------------------------------
    def _runnable(self, results: list[ConstraintResult]) -> set[Analyzer]:
        """The row-level analyzers whose metric was computed (or is an empty state the constraint
        accepts) and that the engine can evaluate on this data; the others are FALSE."""
        candidates: dict[Analyzer, None] = {}
        for r in results:
            a = r.constraint.analyzer
            if not isinstance(a, ROW_LEVEL_ANALYZERS) or a in candidates:
                continue
            m = r.metric
            if m is None:
                continue
            if not m.is_success and not (isinstance(m.exception, EmptyStateFailure) and a.where_text is not None
                                         and r.is_success):
                continue
            try:
                a.check_schema(self.ctx)  # the data may not be the data the metric was computed on
            except DQError:
                continue
            candidates[a] = None
        own = {a: (a.predicates(self.ctx), a.patterns()) for a in candidates}
        if not self.backend.bind_problems([p for ps, _ in own.values() for p in ps],
                                          [x for _, xs in own.values() for x in xs]):
            return set(candidates)
        return {a for a, (ps, xs) in own.items() if not (ps or xs) or not self.backend.bind_problems(ps, xs)}

    # -- expressions -----------------------------------------------------------------------
    def _expression(self, sql: str) -> str:
        alias = self._exprs.get(sql)
        if alias is None:
            alias = self._exprs[sql] = f"{self._p}_e{len(self._exprs)}"
            self._expr_sql[alias] = sql
        return alias

    def _constraint_sql(self, r: ConstraintResult) -> str:
        a = r.constraint.analyzer
        opts: AnalyzerOptions = getattr(a, "options", None) or AnalyzerOptions()
        where = self.ctx.where(a.where_text)
        w = None if where is None else where.sql(self.dialect)
        if isinstance(a, Completeness):
            core = f"({self._q(self.ctx.column(a.column).name)} IS NOT NULL)"
        elif isinstance(a, Compliance):
            core = f"COALESCE({self.ctx.predicate(a.predicate).sql(self.dialect)}, FALSE)"
        elif isinstance(a, PatternMatch):
            core = f"COALESCE({self._regex_sql(self.ctx.column(a.column).name, a.pattern)}, FALSE)"
        elif isinstance(a, (Minimum, Maximum, MinLength, MaxLength)):
            core = self._asserted_sql(a, r.constraint.assertion, opts)
        elif isinstance(a, (Uniqueness, UniqueValueRatio, DuplicateRowCount)):
            core = self._unique_sql(a, w)
        else:  # pragma: no cover - ROW_LEVEL_ANALYZERS lists exactly the kinds above
            raise NotImplementedError(type(a).__name__)
        if w is None:
            return core
        filtered = "TRUE" if opts.filtered_row is FilteredRowOutcome.TRUE else "CAST(NULL AS BOOLEAN)"
        return f"(CASE WHEN COALESCE({w}, FALSE) THEN {core} ELSE {filtered} END)"

    def _asserted_sql(self, a: Analyzer, assertion: Assertion, opts: AnalyzerOptions) -> str:
        col = self.ctx.column(a.column)
        c = self._q(col.name)
        lengths = isinstance(a, (MinLength, MaxLength))
        nb = opts.null_behavior
        if lengths:
            n = f"coalesce(length({c}), 0)" if nb is NullBehavior.EMPTY_STRING else f"length({c})"
            value, kind, can_be_nan = f"CAST({n} AS DOUBLE)", Kind.FRACTIONAL, False
        elif col.kind in NUMERIC:
            value, kind, can_be_nan = f"CAST({c} AS DOUBLE)", Kind.FRACTIONAL, col.kind is Kind.FRACTIONAL
        else:  # dates and timestamps: compared as the metric value (a date / datetime)
            value, kind, can_be_nan = c, col.kind, False
        test = self._assertion_sql(assertion, value, kind, can_be_nan)
        if test is None:
            test = self._udf_call(assertion, value, kind, col.name)
        if lengths and nb is NullBehavior.EMPTY_STRING:
            return f"({test})"
        on_null = "FALSE" if nb is NullBehavior.FAIL else "TRUE"
        return f"(CASE WHEN {c} IS NULL THEN {on_null} ELSE {test} END)"

    @staticmethod
    def _assertion_sql(assertion: Assertion, v: str, kind: Kind, can_be_nan: bool) -> str | None:
        """The assertion on the (non-NULL) value ``v`` as SQL, or None when it must run in Python."""
        if not isinstance(assertion, (Compare, Between)):
            return None
        if kind is not Kind.FRACTIONAL:
            return "FALSE"  # a number assertion on a date raises in Python: the row fails

        def lit(x: float | int) -> str | None:
            if isinstance(x, int) and abs(x) > _EXACT_INT:
                return None
            return sql_literal(float(x) if isinstance(x, float) else x)

        if isinstance(assertion, Compare):
            b = lit(assertion.bound)
            if b is None:
                return None
            if assertion.tolerance and assertion.op in ("==", "!="):
                close = f"abs({v} - {b}) <= {sql_literal(float(assertion.tolerance))}"
                test = close if assertion.op == "==" else f"NOT ({close})"
            else:
                test = f"{v} {_SQL_OPS[assertion.op]} {b}"
        else:
            lo, hi = lit(assertion.lower), lit(assertion.upper)
            if lo is None or hi is None:
                return None
            test = (f"{v} {'>=' if assertion.include_lower else '>'} {lo} AND "
                    f"{v} {'<=' if assertion.include_upper else '<'} {hi}")
        # DuckDB and Spark order NaN above every number; the assertion says NaN satisfies nothing
        return f"(NOT isnan({v}) AND {test})" if can_be_nan else f"({test})"

    def _udf_call(self, assertion: Assertion, value: str, kind: Kind, column: str) -> str:
        """A call of the Python function evaluating ``assertion``, one per (assertion, type)."""
        arg_type = self._udf_arg_type(kind, column)
        try:
            key: Any = (assertion, str(arg_type))
            hash(key)
        except TypeError:  # an assertion holding an unhashable callable
            key = (id(assertion), str(arg_type))
        udf = self._udfs.get(key)
        if udf is None:
            udf = _Udf(f"{self._p}_py{len(self._udfs)}_{self._tag}", _python_assertion(assertion), arg_type)
            self._udfs[key] = udf
        return self._udf_ref(udf, value)

    def _unique_sql(self, a: GroupingAnalyzer, w: str | None) -> str:
        keys = tuple(a.grouping_columns(self.ctx))
        wkey = (tuple(sorted(set(keys))), w)
        alias = self._windows.get(wkey)
        if alias is None:
            alias = self._windows[wkey] = f"{self._p}_w{len(self._windows)}"
        all_null = " AND ".join(f"{self._q(k)} IS NULL" for k in wkey[0])
        return f"(CASE WHEN {all_null} THEN TRUE ELSE {self._q(alias)} = 1 END)"

    # -- what an engine supplies -------------------------------------------------------------
    def _regex_sql(self, column: str, pattern: str) -> str:
        """Whether ``pattern`` matches somewhere in ``column`` (NULL for NULL)."""
        raise NotImplementedError

    def _udf_arg_type(self, kind: Kind, column: str) -> Any:
        """The type a Python assertion's argument has: DOUBLE for numbers and lengths (``kind``
        FRACTIONAL), else the type of ``column``."""
        raise NotImplementedError

    def _udf_ref(self, udf: _Udf, value: str) -> str:
        """SQL giving ``udf`` applied to the value SQL ``value``."""
        raise NotImplementedError

    # -- the checks ---------------------------------------------------------------------------
    @property
    def num_expressions(self) -> int:
        return len(self._expr_sql)

    @property
    def num_windows(self) -> int:
        return len(self._windows)

    def _check_sql(self, c: _CheckColumn) -> str:
        """A check's outcome: the three-valued AND of its expression columns."""
        if not c.aliases:
            return "TRUE"
        return "(" + " AND ".join(self._q(a) for a in c.aliases) + ")"

    def _check_alias(self, i: int) -> str:
        return f"{self._p}_c{i}"

    def considered(self, level: CheckLevel) -> list[int]:
        """Indexes of the checks quarantine considers at ``level``."""
        levels = (CheckLevel.ERROR,) if level is CheckLevel.ERROR else (CheckLevel.ERROR, CheckLevel.WARNING)
        return [i for i, c in enumerate(self.checks) if c.level in levels]

    def failed_checks_column(self) -> str:
        return unique_names([FAILED_CHECKS_COLUMN], self.input_columns)[0]


class RowLevelPlan(RowLevelExpressions):
    """The row-level SQL for a verification result on DuckDB data, without running it.

    ``select_sql()`` is the one statement of ``row_level_results``; ``copy_sql`` the statements of
    ``split_rows``. (A Spark DataFrame has a plan of its own: ``plan_row_level``.)"""

    def __init__(self, result: Any, data: Any, *, connection: Any = None):
        from dq.backends import backend_for, is_spark_dataframe

        _refuse_one_shot(data)
        if is_spark_dataframe(data):
            raise UnsupportedDataError("RowLevelPlan compiles to DuckDB SQL; for a Spark DataFrame use "
                                       "plan_row_level (dq.checks.rowlevel_spark.SparkRowLevelPlan)")
        self._connection = connection
        super().__init__(result, data, backend_for(data, connection=connection))
        self.rid = f"{self._p}_rid"

    def _regex_sql(self, column: str, pattern: str) -> str:
        return regex_match_sql(self._q(column), pattern)

    def _udf_arg_type(self, kind: Kind, column: str) -> Any:
        import duckdb

        if kind is Kind.FRACTIONAL:
            return duckdb.sqltype("DOUBLE")
        return self.backend.rel.types[self.backend.rel.columns.index(column)]

    def _udf_ref(self, udf: _Udf, value: str) -> str:
        return f"{udf.name}({value})"

    # -- SQL -------------------------------------------------------------------------------
    def _windows_relation(self, *, with_rid: bool) -> str:
        """A subquery over the data: every input column, then (``with_rid``) the row number in
        input order and the window counts."""
        rel = q_source = _q(self.backend.source)
        if with_rid:
            # row_number() OVER () is DuckDB's streaming window: it numbers rows in scan order
            rel = f"(SELECT *, row_number() OVER () AS {_q(self.rid)} FROM {q_source})"
        if self._windows:
            wins = []
            for (keys, w), alias in self._windows.items():
                part = [_q(k) for k in keys] + ([f"COALESCE({w}, FALSE)"] if w is not None else [])
                wins.append(f"count(*) OVER (PARTITION BY {', '.join(part)}) AS {_q(alias)}")
            rel = f"(SELECT *, {', '.join(wins)} FROM {rel})"
        return rel

    def _checks_relation(self, *, with_rid: bool) -> str:
        """``_windows_relation`` plus the expression columns and one column per check."""
        rel = self._windows_relation(with_rid=with_rid)
        if self._expr_sql:
            exprs = ", ".join(f"{sql} AS {_q(alias)}" for alias, sql in self._expr_sql.items())
            rel = f"(SELECT *, {exprs} FROM {rel})"
        cols = [f"{self._check_sql(c)} AS {_q(self._check_alias(i))}" for i, c in enumerate(self.checks)]
        if cols:
            rel = f"(SELECT *, {', '.join(cols)} FROM {rel})"
        return rel

    def select_sql(self, *, input_columns: bool = True) -> str:
        """The statement of ``row_level_results``: the input columns (if ``input_columns``) and
        one column per check, in input order."""
        outs = [_q(c) for c in self.input_columns] if input_columns else []
        outs += [_q(self._check_alias(i)) for i in range(len(self.checks))]
        if not outs:
            outs = [_q(self.rid)]
        return f"SELECT {', '.join(outs)} FROM {self._checks_relation(with_rid=True)} ORDER BY {_q(self.rid)}"

    def copy_sql(self, level: CheckLevel, passing_path: str, failing_path: str) -> tuple[str, str]:
        """The two COPY statements of ``split_rows``."""
        idx = self.considered(level)
        fails = [f"{_q(self._check_alias(i))} IS FALSE" for i in idx]
        failed = "(" + " OR ".join(fails) + ")" if fails else "FALSE"
        cols = ", ".join(_q(c) for c in self.input_columns)
        rel = self._checks_relation(with_rid=False)
        if idx:
            parts = ", ".join(f"CASE WHEN {_q(self._check_alias(i))} IS FALSE THEN [{sql_literal(self.checks[i].name)}]"
                              f" ELSE CAST([] AS VARCHAR[]) END" for i in idx)
            names = f"flatten([{parts}])"
        else:
            names = "CAST([] AS VARCHAR[])"
        passing = f"SELECT {cols} FROM {rel} WHERE NOT {failed}"
        failing = f"SELECT {cols}, {names} AS {_q(self.failed_checks_column())} FROM {rel} WHERE {failed}"
        opts = "(FORMAT parquet)"
        return (f"COPY ({passing}) TO {sql_literal(passing_path)} {opts}",
                f"COPY ({failing}) TO {sql_literal(failing_path)} {opts}")

    # -- running ---------------------------------------------------------------------------
    def _connections(self) -> list[Any]:
        import duckdb

        cons = [self.backend.con]
        if isinstance(self.data, duckdb.DuckDBPyRelation) and self._connection is None:
            # a relation runs on its own connection, which is not known here: the module's
            # default one (duckdb.sql, duckdb.from_arrow ...) is the likely one
            cons.append(duckdb.default_connection())
        return cons

    def execute(self, attempt: Callable[[], Any]) -> Any:
        """``attempt()`` (which runs this plan's statements); if the engine fails while evaluating
        the data (e.g. a cast inside a predicate that the data the metrics came from did not
        trigger), find the expressions that fail, one query each, make them FALSE (as a failed
        metric makes its constraint) and attempt again."""
        import duckdb

        try:
            return attempt()
        except (duckdb.DataError, duckdb.ProgrammingError):
            if not self._isolate():
                raise
        return attempt()

    def _isolate(self) -> bool:
        import duckdb

        rel = self._windows_relation(with_rid=False)
        found = False
        for alias, sql in self._expr_sql.items():
            if sql in ("TRUE", "FALSE"):
                continue
            try:
                self.run(f"SELECT bool_and({sql}) FROM {rel}", lambda r: r.fetchall())
            except (duckdb.DataError, duckdb.ProgrammingError):
                self._expr_sql[alias] = "FALSE"
                found = True
        return found

    def run(self, sql: str, fetch: Callable[[Any], Any]) -> Any:
        """Run one statement and ``fetch`` its result, with the Python assertions registered for
        the duration (a SELECT relation runs lazily, when fetched)."""
        import duckdb

        registered = []
        try:
            for con in self._connections():
                for u in self._udfs.values():
                    con.create_function(u.name, u.fn, [u.arg_type], duckdb.sqltype("BOOLEAN"), type="arrow",
                                        null_handling="special", side_effects=False)
                    registered.append((con, u.name))
            try:
                return fetch(self.backend._run(sql))
            except duckdb.CatalogException as e:
                if any(u.name in str(e) for u in self._udfs.values()):
                    raise UnsupportedDataError(
                        "this check has a Python assertion evaluated per row, which must be registered on the "
                        "connection of the DuckDB relation given as data: pass connection= (the relation's "
                        "connection) to VerificationSuite().on_data or to row_level_results") from None
                raise
        finally:
            for con, name in registered:
                try:
                    con.remove_function(name)
                except Exception:  # noqa: BLE001 - best effort: the name is unique to this plan
                    pass


def plan_row_level(result: Any, data: Any, *, connection: Any = None) -> RowLevelExpressions:
    """The row-level plan of ``result`` on ``data`` (see ``RowLevelPlan``; for a Spark DataFrame
    ``dq.checks.rowlevel_spark.SparkRowLevelPlan``), without running it."""
    from dq.backends import is_spark_dataframe

    if is_spark_dataframe(data):
        from dq.checks.rowlevel_spark import SparkRowLevelPlan

        return SparkRowLevelPlan(result, data, connection=connection)
    return RowLevelPlan(result, data, connection=connection)


def row_level_results(result: Any, data: Any, *, connection: Any = None) -> Any:
    """The rows of ``data`` (all columns, input order) and one BOOLEAN column per check of
    ``result`` (named by its description): the AND of the check's row-level constraints.
    One query. See the module docstring for the per-constraint semantics. A pyarrow Table; for a
    Spark DataFrame, a (lazy) Spark DataFrame (``dq.checks.rowlevel_spark``)."""
    from dq.backends import is_spark_dataframe

    if is_spark_dataframe(data):
        from dq.checks import rowlevel_spark

        return rowlevel_spark.row_level_results(result, data, connection=connection)
    if _is_polars(data):
        data = data.to_arrow()
    plan = RowLevelPlan(result, data, connection=connection)
    names = [c.name for c in plan.checks]
    if isinstance(data, pa.Table):
        # the input's own columns, untouched (types, chunks); only the check columns come back
        out = plan.execute(lambda: plan.run(plan.select_sql(input_columns=False), lambda rel: rel.to_arrow_table()))
        if out.num_rows != data.num_rows:  # pragma: no cover - a scan returns every row
            raise RuntimeError(f"row-level results returned {out.num_rows} rows for {data.num_rows}")
        table = data
        for i, name in enumerate(names):
            table = table.append_column(pa.field(name, pa.bool_()), out.column(i))
        return table
    out = plan.execute(lambda: plan.run(plan.select_sql(), lambda rel: rel.to_arrow_table()))
    if not names and not plan.input_columns:  # pragma: no cover - data without columns
        return out.select([])
    return out.rename_columns(plan.input_columns + names)


def _is_polars(obj: Any) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("polars") and hasattr(obj, "to_arrow")


def target_paths(passing_path: Any, failing_path: Any) -> list[str]:
    """The absolute paths of ``split_rows``'s two outputs, checked: each a path in an existing
    folder, the two different."""
    paths = []
    for option, p in (("passing_path", passing_path), ("failing_path", failing_path)):
        if not isinstance(p, (str, os.PathLike)) or not os.fspath(p):
            raise InvalidOptionError(option, "a file path", p, owner="split_rows")
        folder = os.path.dirname(os.path.abspath(os.fspath(p)))
        if not os.path.isdir(folder):
            raise InvalidOptionError(option, "a path in an existing folder", os.fspath(p), owner="split_rows")
        paths.append(os.path.abspath(os.fspath(p)))
    if paths[0] == paths[1]:
        raise InvalidOptionError("failing_path", "a different file than passing_path", os.fspath(failing_path),
                                 owner="split_rows")
    return paths


def temp_path(path: str) -> str:
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base}.{uuid.uuid4().hex[:12]}.tmp")


def split_rows(result: Any, data: Any, passing_path: str | os.PathLike, failing_path: str | os.PathLike, *,
               connection: Any = None, level: CheckLevel | str = CheckLevel.ERROR) -> tuple[int, int]:
    """Quarantine: the rows of ``data`` passing every row-level constraint of every check at
    ``level`` (``"error"``: the Error checks; ``"warning"``: the Error and Warning checks) go to
    ``passing_path``, the others to ``failing_path``, as Parquet: the input columns, plus, in the
    failing file, ``dq_failed_checks`` (list<string>) naming the checks the row failed. A NULL
    check outcome (not evaluated) passes. Written by DuckDB without collecting rows into Python,
    each file to a temporary name in its folder and then renamed over the target.
    Returns (passing rows, failing rows). On a Spark DataFrame both outputs are folders of Parquet
    part files (``dq.checks.rowlevel_spark``)."""
    from dq.backends import is_spark_dataframe

    if is_spark_dataframe(data):
        from dq.checks import rowlevel_spark

        return rowlevel_spark.split_rows(result, data, passing_path, failing_path, connection=connection,
                                         level=level)
    lv = _level(level)
    paths = target_paths(passing_path, failing_path)
    if _is_polars(data):
        data = data.to_arrow()
    plan = RowLevelPlan(result, data, connection=connection)
    temps = [temp_path(p) for p in paths]

    def write() -> list[int]:
        counts = []
        for sql in plan.copy_sql(lv, *temps):
            (row,) = plan.run(sql, lambda rel: rel.fetchall())
            counts.append(int(row[0]))
        return counts

    try:
        counts = plan.execute(write)
        for tmp, final in zip(temps, paths):
            os.replace(tmp, final)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.remove(tmp)
    return counts[0], counts[1]
