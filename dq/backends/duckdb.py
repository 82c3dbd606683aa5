"""The DuckDB backend (embedded default).

Every input becomes a DuckDB relation on a connection; every statement reads it as the virtual
table ``__dq_source`` (``relation.query``), so files stream and nothing is copied unless a
one-shot stream (an Arrow RecordBatchReader) has to be read more than once.

One compile rule per aggregation kind (``_SCAN_RULES``, ``_FREQ_RULES``); an aggregation without a
rule is a clear error naming the backend. Identifiers are always quoted; values appear only as
escaped literals (``dq.predicates.sql_literal``).
"""

from __future__ import annotations

import functools
import glob
import os
import uuid
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from dq import aggregations as A
from dq.analyzers.basic import BOOLEAN_PATTERN, FRACTIONAL_PATTERN, INTEGRAL_PATTERN, regex_prefilter
from dq.backends.duckdb_counts import count_true_sql
from dq.backends.duckdb_hll import hll_bitstring_sql, hll_state_from_bitstring
from dq.backends.results import convert_result
from dq.backends.results import number as _number
from dq.errors import UnsupportedDataError
from dq.predicates import quote_identifier, sql_literal
from dq.schema import Column, Kind, Schema
from dq.states.frequencies import COUNT, Frequencies
from dq.states.kll import KLLState

__all__ = ["SOURCE", "DuckDBBackend", "connect", "evaluate_frequency_aggregations"]

#: prefix of the name under which a backend's SQL reads its data; each backend adds its own suffix
#: (``DuckDBBackend.source``), so two backends on one connection never read each other's view
SOURCE = "__dq_source"
FREQ = "__dq_freq"
DIALECT = "duckdb"

_INTEGRAL = {"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint", "uinteger",
             "ubigint", "uhugeint"}
_KINDS = {
    **{t: Kind.INTEGRAL for t in _INTEGRAL},
    "float": Kind.FRACTIONAL, "double": Kind.FRACTIONAL, "decimal": Kind.DECIMAL,
    "varchar": Kind.STRING, "enum": Kind.STRING, "boolean": Kind.BOOLEAN, "date": Kind.DATE,
    "timestamp": Kind.TIMESTAMP, "timestamp with time zone": Kind.TIMESTAMP, "timestamp_s": Kind.TIMESTAMP,
    "timestamp_ms": Kind.TIMESTAMP, "timestamp_ns": Kind.TIMESTAMP, "timestamp_tz": Kind.TIMESTAMP,
    "time": Kind.TIME, "time with time zone": Kind.TIME, "blob": Kind.BINARY, "bit": Kind.BINARY,
    "list": Kind.NESTED, "struct": Kind.NESTED, "map": Kind.NESTED, "union": Kind.NESTED, "array": Kind.NESTED,
}


def connect(*, memory_limit: str | None = None, threads: int | None = None,
            temp_directory: str | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB connection as dq configures it by default.

    Large grouped queries (exact frequency tables of 10^8 values) may exceed memory; DuckDB then
    spills to ``temp_directory``, so a bounded ``memory_limit`` keeps peak RSS bounded."""
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = {sql_literal(memory_limit or os.environ.get('DQ_DUCKDB_MEMORY_LIMIT', '3GB'))}")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if temp_directory:
        con.execute(f"SET temp_directory = {sql_literal(temp_directory)}")
    # insertion order is irrelevant to aggregates; dropping it lets DuckDB stream with less memory
    con.execute("SET preserve_insertion_order = false")
    return con


def q(name: str) -> str:
    return quote_identifier(name, DIALECT)


def _kind(t: Any) -> Kind:
    tid = getattr(t, "id", str(t)).lower()
    return _KINDS.get(tid, Kind.OTHER)


# -- inputs -----------------------------------------------------------------------------------

_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".txt")
_JSON = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")


def _is_polars(obj: Any) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("polars") and hasattr(obj, "to_arrow")


def _is_pandas(obj: Any) -> bool:
    mod = type(obj).__module__ or ""
    return mod.startswith("pandas") and hasattr(obj, "columns")


def _is_hive_dir(path: str) -> bool:
    """True when the file sits in a ``key=value`` folder (hive partitioning)."""
    return any("=" in part and not part.startswith("=") for part in Path(path).parent.parts)


def _files_relation(con: duckdb.DuckDBPyConnection, paths: Sequence[str]) -> duckdb.DuckDBPyRelation:
    expanded: list[str] = []
    hive = False
    for p in paths:
        if os.path.isdir(p):
            found = sorted(glob.glob(os.path.join(p, "**", "*"), recursive=True))
            files = [f for f in found if os.path.isfile(f) and f.lower().endswith(_PARQUET + _CSV + _JSON)]
            if not files:
                raise UnsupportedDataError(f"folder {p!r} holds no Parquet, CSV or JSON files")
            hive = hive or any("=" in part for f in files for part in Path(f).relative_to(p).parts[:-1])
            expanded.extend(files)
        elif any(ch in p for ch in "*?["):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                raise UnsupportedDataError(f"no file matches {p!r}")
            hive = hive or any(_is_hive_dir(m) for m in matches)
            expanded.extend(matches)
        elif os.path.isfile(p):
            hive = hive or _is_hive_dir(p)
            expanded.append(p)
        else:
            raise UnsupportedDataError(f"no such file or folder: {p!r}")
    lowered = [f.lower() for f in expanded]
    if all(f.endswith(_PARQUET) for f in lowered):
        return con.read_parquet(expanded, hive_partitioning=hive, union_by_name=True)
    if all(f.endswith(_CSV) for f in lowered):
        # A quoted empty string "" is an empty string, not NULL (DuckDB's default reads it as
        # NULL), so a CSV gives the same metrics as the same data in Parquet or Arrow.
        return con.read_csv(expanded, hive_partitioning=hive, union_by_name=True, allow_quoted_nulls=False)
    if all(f.endswith(_JSON) for f in lowered):
        return con.read_json(expanded, hive_partitioning=hive, union_by_name=True)
    kinds = sorted({os.path.splitext(f)[1] or "(none)" for f in lowered})
    raise UnsupportedDataError(
        f"files must all be Parquet ({', '.join(_PARQUET)}), CSV ({', '.join(_CSV)}) or JSON "
        f"({', '.join(_JSON)}); found extensions {kinds}"
    )


def _original_names(data: Any) -> list[str]:
    """The column names as the data itself has them, where that is cheap to know."""
    try:
        if isinstance(data, (pa.Table, pa.RecordBatchReader)):
            return list(data.schema.names)
        if _is_pandas(data) or _is_polars(data):
            return [str(c) for c in data.columns]
        if isinstance(data, (str, os.PathLike)) and os.fspath(data).lower().endswith(_PARQUET) \
                and os.path.isfile(os.fspath(data)):
            import pyarrow.parquet as pq

            return list(pq.read_schema(os.fspath(data)).names)
    except Exception:  # only a safety check: never fail a run because names could not be read
        return []
    return []


def _refuse_case_clashes(names: Sequence[str]) -> None:
    # DuckDB resolves names case-insensitively and silently renames the second of 'Year'/'year'
    # to 'year_1', so a metric could be computed on the wrong column without a word.
    seen: dict[str, str] = {}
    for n in names:
        other = seen.setdefault(n.lower(), n)
        if other != n:
            raise UnsupportedDataError(
                f"columns {other!r} and {n!r} differ only in case; DuckDB (case-insensitive) cannot tell them "
                "apart and would rename one. Rename one of them before analysing."
            )


class DuckDBBackend:
    """Runs plans on one relation. ``num_queries`` counts statements that read the data."""

    name = "duckdb"
    #: KLL sketches are not a DuckDB aggregate: their values stream once through Arrow (run_stream)
    STREAM_IN_SCAN = False

    def __init__(self, data: Any, *, connection: duckdb.DuckDBPyConnection | None = None):
        self.num_queries = 0
        self.queries: list[str] = []
        self._one_shot = False
        self._own_connection = connection is None
        self._temp_tables: list[str] = []
        self._view = False
        self.source = f"{SOURCE}_{uuid.uuid4().hex[:12]}"
        self.con = connection if connection is not None else connect()
        _refuse_case_clashes(_original_names(data))
        self._caller_relation = isinstance(data, duckdb.DuckDBPyRelation)
        self.rel = self._relation(data, connection)
        self._can_view = not isinstance(data, duckdb.DuckDBPyRelation)
        self.schema = Schema(tuple(Column(n, _kind(t), str(t)) for n, t in zip(self.rel.columns, self.rel.types)))
        self._equality: tuple[frozenset[str], frozenset[str]] | None = None

    def close(self) -> None:
        """Drop the temporary tables this backend made on a caller's connection; a connection of
        its own is left to the garbage collector (relations made from it may still be in use)."""
        if self._own_connection:
            return
        if self._view:
            try:
                self.con.execute(f"DROP VIEW IF EXISTS {q(self.source)}")
            except duckdb.Error:
                pass
            self._view = False
        for name in self._temp_tables:
            try:
                self.con.execute(f"DROP TABLE IF EXISTS {q(name)}")
            except duckdb.Error:  # a caller's connection closed meanwhile: nothing left to drop
                pass
        self._temp_tables.clear()

    def _relation(self, data: Any, connection: duckdb.DuckDBPyConnection | None) -> duckdb.DuckDBPyRelation:
        con = self.con
        if isinstance(data, duckdb.DuckDBPyRelation):
            return data
        if isinstance(data, (str, os.PathLike)) and connection is not None and not os.path.exists(os.fspath(data)) \
                and not any(ch in os.fspath(data) for ch in "*?[/\\"):
            self._caller_relation = True
            try:
                return connection.table(os.fspath(data))
            except duckdb.Error as e:
                raise UnsupportedDataError(f"{os.fspath(data)!r} is neither a file nor a table or view on the "
                                           f"given connection ({e})") from None
        if isinstance(data, (str, os.PathLike)):
            return _files_relation(con, [os.fspath(data)])
        if isinstance(data, (list, tuple)) and data and all(isinstance(p, (str, os.PathLike)) for p in data):
            return _files_relation(con, [os.fspath(p) for p in data])
        if isinstance(data, pa.Table):
            return con.from_arrow(data)
        if isinstance(data, pa.RecordBatchReader):
            # A reader can be consumed once; a plan may need several passes, so it is loaded into
            # a temporary table (DuckDB spills it to disk when large).
            name = f"__dq_stream_{id(data)}"
            con.register(name + "_reader", data)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {q(name)} AS SELECT * FROM {q(name + '_reader')}")
            con.unregister(name + "_reader")
            self._temp_tables.append(name)
            return con.table(name)
        if _is_polars(data):
            return con.from_arrow(data.to_arrow())
        if _is_pandas(data):
            return con.from_df(data)
        raise UnsupportedDataError(
            f"cannot analyse an object of type {type(data).__module__}.{type(data).__name__}; expected a file "
            "path, glob, list of files or folder (Parquet/CSV/JSON), a DuckDB relation or table name (with "
            "connection=), a pyarrow Table or RecordBatchReader, a pandas or polars DataFrame, or a Spark DataFrame"
        )

    # -- execution -------------------------------------------------------------------------
    def _sql(self, sql: str) -> duckdb.DuckDBPyRelation:
        """``sql`` (which reads the data as ``self.source``) as a relation. The data is exposed once
        as a temporary view: ``rel.query(name, sql)`` re-parses the statement in DuckDB's Python
        layer on every call, ~0.2 s for a 1,000-constraint scan. The name is unique to this
        backend: ``rel.query`` reads an existing view of the same name on the relation's
        connection rather than the relation (DuckDB 2.0), and two backends on one connection
        must not replace each other's view."""
        if not self._can_view:  # a caller's relation may live on another connection than self.con
            return self.rel.query(self.source, sql)
        if not self._view:
            self.rel.create_view(self.source, replace=True)
            self._view = True
        return self.con.sql(sql)

    def _run(self, sql: str) -> duckdb.DuckDBPyRelation:
        self.num_queries += 1
        self.queries.append(sql)
        return self._sql(sql)

    def run_scan(self, aggs: Sequence[A.Agg]) -> dict[A.Agg, Any]:
        """One statement computing every scan aggregation; results mapped back by alias."""
        exprs: list[str] = []
        slots: list[tuple[A.Agg, list[str]]] = []
        scalar_hll: set[A.Agg] = set()
        exact_var: set[A.Agg] = set()
        for i, agg in enumerate(aggs):
            col = self.schema.find(agg.column) if isinstance(agg, (A.HLLOf, A.VarPopOf)) else None
            if isinstance(agg, A.HLLOf) and col is not None and col.kind in _HLL_SCALAR_KINDS:
                scalar_hll.add(agg)
                parts = _hll(agg, scalar=True)
            elif isinstance(agg, A.VarPopOf) and col is not None and col.engine_type in _SQUARES_FIT_BIGINT:
                exact_var.add(agg)
                parts = _exact_var_parts(agg)
            elif isinstance(agg, A.CountTrue) and agg.where is None:
                numeric, strings = self._equality_columns()
                cols = frozenset(agg.predicate.columns)
                parts = [count_true_sql(agg.predicate, numeric & cols, strings & cols)]
            else:
                parts = compile_scan(agg)
            aliases = [f"a{i}_{j}" for j in range(len(parts))]
            exprs.extend(f"{e} AS {q(a)}" for e, a in zip(parts, aliases))
            slots.append((agg, aliases))
        rel = self._run(f"SELECT {', '.join(exprs)} FROM {q(self.source)}")
        (row,) = rel.fetchall()
        by_alias = dict(zip(rel.columns, row))
        out: dict[A.Agg, Any] = {}
        for agg, aliases in slots:
            values = [by_alias[a] for a in aliases]
            out[agg] = _exact_var(*values) if agg in exact_var else \
                _convert(agg, values, scalar_hll=agg in scalar_hll)
        return out

    def _equality_columns(self) -> tuple[frozenset[str], frozenset[str]]:
        """The numeric columns, and the string columns whose equality is byte by byte: no
        collation can come with the data unless it is a caller's relation or table, and the
        connection's default collation is the binary one."""
        if self._equality is None:
            numeric = frozenset(c.name for c in self.schema.columns if c.kind.is_numeric)
            binary = not self._caller_relation and \
                self.con.execute("SELECT current_setting('default_collation')").fetchall()[0][0] in ("", None)
            strings = frozenset(c.name for c in self.schema.columns
                                if binary and c.kind is Kind.STRING and c.engine_type == "VARCHAR")
            self._equality = (numeric, strings)
        return self._equality

    def run_stream(self, aggs: Sequence[A.KLLOf]) -> dict[A.Agg, Any]:
        """One pass streaming the values of every stream aggregation's column through Arrow. A
        batch with few distinct values is counted and merged in as a sketch built from its counts
        (``dq.states.kll_build``), far cheaper than updating the sketch value by value."""
        from dq.states.kll_build import KLLStream

        exprs = []
        for i, agg in enumerate(aggs):
            v = f"CAST({q(agg.column)} AS DOUBLE)"
            if agg.where is not None:
                v = f"CASE WHEN {agg.where.sql(DIALECT)} THEN {v} END"
            exprs.append(f"{v} AS {q(f'k{i}')}")
        streams = [KLLStream(agg.k) for agg in aggs]
        reader = self._run(f"SELECT {', '.join(exprs)} FROM {q(self.source)}").to_arrow_reader(1 << 20)
        try:
            for batch in reader:
                for i, stream in enumerate(streams):
                    col = batch.column(i)
                    if col.null_count:
                        col = pc.drop_null(col)
                    if len(col):
                        stream.add(col.to_numpy(zero_copy_only=False))
        finally:
            reader.close()  # an undrained result would block the connection
        return {agg: KLLState(s.sketch.serialize()) for agg, s in zip(aggs, streams)}

    def run_grouped(self, key: A.GroupKey, sums: Sequence[str], aggs: Sequence[A.FreqAgg] | None
                    ) -> tuple[dict[A.FreqAgg, Any] | None, Frequencies | None]:
        """One grouped statement for ``key``. With ``aggs``: their values, computed in the engine
        over the frequency table. Without: the frequency table itself (a mergeable state)."""
        freq_sql = _frequency_table_sql(key, sums, self.source, self._floats())
        if aggs is None:
            table = self._run(freq_sql).to_arrow_table()
            return None, Frequencies(key.columns, _normalize_freq_table(table, key.columns))
        if all(isinstance(g, _COUNT_ONLY) for g in aggs):
            # Only the counts of non-NULL groups are needed: drop the all-NULL group before
            # grouping and keep just the counts, so the table is never materialised (about 25%
            # faster on 10M distinct keys than a materialised CTE carrying the keys).
            statement, assemble = compile_frequency_aggregations(key.columns, aggs, prefiltered=True)
            cols = ", ".join(q(c) for c in key.columns)
            nn = " OR ".join(f"{q(c)} IS NOT NULL" for c in key.columns)
            where = f"({key.where.sql(DIALECT)}) AND ({nn})" if key.where is not None else nn
            inner = f"SELECT count(*) AS {q(COUNT)} FROM {q(self.source)} WHERE {where} GROUP BY {cols}"
            rel = self._run(f"WITH {q(FREQ)} AS ({inner}) {statement}")
        else:
            statement, assemble = compile_frequency_aggregations(key.columns, aggs)
            rel = self._run(f"WITH {q(FREQ)} AS MATERIALIZED ({freq_sql}) {statement}")
        (row,) = rel.fetchall()
        return assemble(dict(zip(rel.columns, row))), None

    def _floats(self) -> frozenset[str]:
        return frozenset(c.name for c in self.schema if c.kind is Kind.FRACTIONAL)

    def run_grouped_rollup(self, key: A.GroupKey, sums: Sequence[str], aggs: Sequence[A.FreqAgg],
                           subsets: Sequence[tuple[A.GroupKey, Sequence[str], Sequence[A.FreqAgg]]]
                           ) -> list[dict[A.FreqAgg, Any]]:
        """One statement for ``key`` and for grouping sets over a subset of its columns (same
        filter): the full frequency table is materialised once and each subset's table is rolled
        up from it (summing counts) instead of scanning the data again. Results in order: ``key``
        first, then each subset."""
        parts_sql = [f"{q(FREQ)} AS MATERIALIZED ({_frequency_table_sql(key, sums, self.source, self._floats())})"]
        statements, assemblers = [], []
        st, asm = compile_frequency_aggregations(key.columns, aggs, prefix="f0_")
        statements.append(st)
        assemblers.append(asm)
        for i, (sub, sub_sums, sub_aggs) in enumerate(subsets, start=1):
            name = f"{FREQ}_{i}"
            cols = ", ".join(q(c) for c in sub.columns)
            extra = "".join(f", sum({q(sum_column_name(c))}) AS {q(sum_column_name(c))}" for c in sub_sums)
            parts_sql.append(f"{q(name)} AS (SELECT {cols}, sum({q(COUNT)}) AS {q(COUNT)}{extra} "
                             f"FROM {q(FREQ)} GROUP BY {cols})")
            st, asm = compile_frequency_aggregations(sub.columns, sub_aggs, table=name, prefix=f"f{i}_")
            statements.append(st)
            assemblers.append(asm)
        joined = ", ".join(f"({st}) AS {q(f's{i}')}" for i, st in enumerate(statements))
        rel = self._run(f"WITH {', '.join(parts_sql)} SELECT * FROM {joined}")
        (row,) = rel.fetchall()
        by_alias = dict(zip(rel.columns, row))
        return [asm(by_alias) for asm in assemblers]

    def bind_problems(self, predicates: Sequence[Any], patterns: Sequence[str]) -> list[str]:
        """Why the engine cannot evaluate these predicates (as booleans) or compile these regular
        expressions; empty when all is well. Neither reads any data: DESCRIBE binds the predicates
        against the source, and the patterns are compiled by matching them against a constant (since
        DuckDB 2.0.1, DESCRIBE no longer folds constants, so it would not compile them)."""
        if patterns:
            rxs = ", ".join(f"regexp_matches('', {sql_literal(rx)})" for rx in patterns)
            try:
                self._sql(f"SELECT {rxs}").fetchall()
            except duckdb.Error as e:
                return [_short_engine_error(e)]
        if not predicates:
            return []
        exprs = [f"{p.sql(DIALECT)} AS {q(f'p{i}')}" for i, p in enumerate(predicates)]
        try:
            rows = self._sql(f"DESCRIBE SELECT {', '.join(exprs)} FROM {q(self.source)}").fetchall()
        except duckdb.Error as e:
            return [_short_engine_error(e)]
        return [f"{p.text!r} is of type {row[1]}, not BOOLEAN"
                for p, row in zip(predicates, rows) if row[1] != "BOOLEAN"]

    def run_custom(self, sql: str) -> list[tuple]:
        return self._run(sql).fetchall()

    def source_name(self) -> str:
        return self.source


def regex_match_sql(column: str, pattern: str) -> str:
    """Whether ``pattern`` matches somewhere in the value of ``column`` (quoted SQL); not TRUE for
    NULL (NULL, or FALSE where the pattern's prefilter, ``regex_prefilter``, rules values out). DuckDB
    evaluates a CASE branch only on the rows selected for it (an AND would evaluate both sides)."""
    match = f"regexp_matches({column}, {sql_literal(pattern)})"
    pre = regex_prefilter(pattern)
    if pre is None:
        return match
    test = (f"contains({column}, {sql_literal(pre.literal)})" if pre.literal is not None
            else f"strlen({column}) >= {pre.min_chars}")  # bytes: at least the characters
    return f"CASE WHEN {test} THEN {match} ELSE FALSE END"


def _short_engine_error(e: BaseException) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(e).__name__


# -- scan compile rules -----------------------------------------------------------------------

def _cond(where: Any, *extra: str) -> str | None:
    conds = [c for c in extra if c]
    if where is not None:
        conds.insert(0, where.sql(DIALECT))
    return " AND ".join(conds) if conds else None


# Filters are written as CASE WHEN inside the aggregate, never as FILTER (WHERE ...): DuckDB's
# ungrouped aggregate slices the whole input chunk once per filtered aggregate, so a scan with
# hundreds of filtered aggregates (a suite with many ``where``s) grows quadratically: 1,000
# constraints on 100 columns ran 5.1 s with FILTER and 1.3 s with CASE on 100k rows. A NULL
# condition is false in both spellings.
def _only(value: str, where: Any, *extra: str) -> str:
    """``value`` where the conditions hold, NULL elsewhere (which every aggregate skips)."""
    c = _cond(where, *extra)
    return value if c is None else f"CASE WHEN {c} THEN {value} END"


def _count_if(where: Any, *extra: str) -> str:
    c = _cond(where, *extra)
    return "count(*)" if c is None else f"count_if({c})"


_FRACTIONAL_RE, _INTEGRAL_RE, _BOOLEAN_RE = (f"^{p}$" for p in (FRACTIONAL_PATTERN, INTEGRAL_PATTERN,
                                                                 BOOLEAN_PATTERN))


def _datatype(a: A.DataTypeCounts) -> list[str]:
    c = q(a.column)
    nulls = _count_if(a.where, f"{c} IS NULL")
    nonnull = f"count({_only(c, a.where)})"
    kind = Kind(a.kind)
    if kind is Kind.INTEGRAL:
        return [nulls, "0", nonnull, "0", "0"]
    if kind is Kind.BOOLEAN:
        return [nulls, "0", "0", nonnull, "0"]
    s = c if kind is Kind.STRING else f"CAST({c} AS VARCHAR)"
    m = lambda rx: _count_if(a.where, f"regexp_full_match({s}, {sql_literal(rx)})")
    frac, integ, boolean = m(_FRACTIONAL_RE), m(_INTEGRAL_RE), m(_BOOLEAN_RE)
    # the three classes are disjoint, so String is what is left of the non-null values
    return [nulls, frac, integ, boolean, f"({nonnull} - {frac} - {integ} - {boolean})"]


#: column kinds whose values all hash apart from NULL (a nested value may hash as NULL does)
_HLL_SCALAR_KINDS = frozenset(Kind) - {Kind.NESTED, Kind.OTHER}


def _hll(a: A.HLLOf, scalar: bool = False) -> list[str]:
    # A NULL (or a row the ``where`` leaves out) sets the NULL slot, which decoding drops, when
    # the column is scalar; otherwise the expression sets no bit for it. No FILTER clause: it
    # costs a selection pass per aggregate in DuckDB.
    return [hll_bitstring_sql(_only(q(a.column), a.where), a.precision, nulls_set_bit=scalar)]


#: integer types whose squares fit in a BIGINT: their variance is computed exactly
_SQUARES_FIT_BIGINT = frozenset({"TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT"})


def _exact_var_parts(a: A.VarPopOf) -> list[str]:
    # count, sum and sum of squares, all exact (a BIGINT sum is a HUGEINT): half the CPU of
    # var_pop's per-row update (a division per value) on an INTEGER column, and the count and the
    # sum are usually computed anyway (DuckDB computes a repeated aggregate once).
    c = q(a.column)
    return [f"count({_only(c, a.where)})", f"sum({_only(c, a.where)})",
            f"sum({_only(f'CAST({c} AS BIGINT) * {c}', a.where)})"]


def _exact_var(n: int, total: Any, squares: Any) -> float | None:
    """The population variance from exact integer sums, correctly rounded."""
    if not n:
        return None
    return float(Fraction(int(squares) * n - int(total) ** 2, n * n))


def _power(a: A.PowerSumOf) -> list[str]:
    x = f"CAST({q(a.column)} AS DOUBLE)"
    return [f"sum({_only(' * '.join([x] * a.k), a.where)})"]


def _comoments(a: A.CoMomentsOf) -> list[str]:
    # DuckDB's regr_* aggregates skip pairs with a NULL on either side, exactly the rows we want;
    # argument order is (y, x).
    y, x = _only(f"CAST({q(a.y)} AS DOUBLE)", a.where), _only(f"CAST({q(a.x)} AS DOUBLE)", a.where)
    return [f"regr_count({y}, {x})", f"regr_avgx({y}, {x})", f"regr_avgy({y}, {x})",
            f"regr_sxy({y}, {x})", f"regr_sxx({y}, {x})", f"regr_syy({y}, {x})"]


def _length(a: A.MinLengthOf | A.MaxLengthOf) -> str:
    c = q(a.column)
    return _only(f"coalesce(length({c}), 0)" if a.null_as_empty else f"length({c})", a.where)


_SCAN_RULES: dict[type, Callable[[Any], list[str]]] = {
    # Counting rows that satisfy a condition with count_if(cond) rather than count(*) FILTER (...):
    # NULL and FALSE both add nothing, and it avoids DuckDB's per-aggregate selection pass
    # (~10% on a 13-metric scan); count_if is also ~6% cheaper than sum(CAST(cond AS INTEGER))
    # on a 1,000-constraint suite (benchmarks/checks_scaling.py).
    A.CountRows: lambda a: ["count(*)" if a.where is None else _count_if(a.where)],
    # with a where, count_if(w AND x IS NOT NULL) is ~15% cheaper than count(CASE WHEN w THEN x END)
    A.CountNonNull: lambda a: [f"count({q(a.column)})" if a.where is None
                               else _count_if(a.where, f"{q(a.column)} IS NOT NULL")],
    # without a where, run_scan writes it with count_true_sql, which needs the backend's column facts
    A.CountTrue: lambda a: [_count_if(a.where, a.predicate.sql(DIALECT))],
    A.CountZeros: lambda a: [_count_if(a.where, f"{q(a.column)} = 0")],
    A.CountRegex: lambda a: [_count_if(a.where, regex_match_sql(q(a.column), a.pattern))],
    A.SumOf: lambda a: [f"sum({_only(q(a.column), a.where)})"],
    A.MinOf: lambda a: [f"min({_only(q(a.column), a.where)})"],
    A.MaxOf: lambda a: [f"max({_only(q(a.column), a.where)})"],
    A.MinLengthOf: lambda a: [f"min({_length(a)})"],
    A.MaxLengthOf: lambda a: [f"max({_length(a)})"],
    A.VarPopOf: lambda a: [f"var_pop({_only(q(a.column), a.where)})"],
    A.PowerSumOf: _power,
    A.CoMomentsOf: _comoments,
    A.CorrOf: lambda a: [
        f"corr({_only(f'CAST({q(a.y)} AS DOUBLE)', a.where)}, {_only(f'CAST({q(a.x)} AS DOUBLE)', a.where)})"],
    A.PairCount: lambda a: [
        f"regr_count({_only(f'CAST({q(a.y)} AS DOUBLE)', a.where)}, {_only(f'CAST({q(a.x)} AS DOUBLE)', a.where)})"],
    A.HLLOf: _hll,
    A.DataTypeCounts: _datatype,
    # in DOUBLE: on a DECIMAL column quantile_cont would round the interpolation to its scale
    A.ExactQuantileOf: lambda a: [
        f"quantile_cont({_only(f'CAST({q(a.column)} AS DOUBLE)', a.where)}, {float(a.quantile)!r})"],
}


def compile_scan(agg: A.Agg) -> list[str]:
    rule = _SCAN_RULES.get(type(agg))
    if rule is None:
        raise NotImplementedError(f"the DuckDB backend has no rule for aggregation {type(agg).__name__}")
    return rule(agg)


def _convert(agg: A.Agg, values: list[Any], *, scalar_hll: bool = False) -> Any:
    """``scalar_hll``: an HLLOf compiled with ``nulls_set_bit`` (its NULL slot is dropped)."""
    return convert_result(agg, values, functools.partial(hll_state_from_bitstring, drop_null_slot=scalar_hll))


# -- grouping -----------------------------------------------------------------------------------

def sum_column_name(col: str) -> str:
    return f"__sum:{col}"


def _frequency_table_sql(key: A.GroupKey, sums: Sequence[str], source: str,
                         floats: frozenset[str] = frozenset()) -> str:
    # A float key groups as ``col + 0.0``: -0.0 and 0.0 are one group in DuckDB, and adding 0.0
    # makes its representative 0.0 whichever came first, as a merge of states folds them.
    exprs = [f"({q(c)} + 0.0)" if c in floats else q(c) for c in key.columns]
    cols = ", ".join(f"{e} AS {q(c)}" if e != q(c) else e for e, c in zip(exprs, key.columns))
    extra = "".join(f", sum({q(s)}) AS {q(sum_column_name(s))}" for s in sums)
    where = f" WHERE {key.where.sql(DIALECT)}" if key.where is not None else ""
    return f"SELECT {cols}, count(*) AS {q(COUNT)}{extra} FROM {q(source)}{where} GROUP BY {', '.join(exprs)}"


def _normalize_freq_table(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    # Engines may return dictionary-encoded keys (ENUM); states keep plain values so they merge.
    arrays, names = [], []
    for name in table.column_names:
        col = table[name]
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        arrays.append(col)
        names.append(name)
    out = pa.table(arrays, names=names)
    return out.set_column(out.column_names.index(COUNT), COUNT, out[COUNT].cast(pa.int64()))


_COUNT_ONLY = (A.NumGroups, A.NumRowsNonNull, A.NumSingletons, A.SumCountLnCount, A.DuplicateRows)


def compile_frequency_aggregations(columns: Sequence[str], aggs: Sequence[A.FreqAgg], *, prefiltered: bool = False,
                                   table: str = FREQ, prefix: str = "f"
                                   ) -> tuple[str, Callable[[dict[str, Any]], dict[A.FreqAgg, Any]]]:
    """A statement over the frequency table ``__dq_freq`` (defined by the caller) and a function
    assembling its one result row. Plain aggregates go in one SELECT over the table; parts that
    need their own subquery (window sums, top-N) are uncorrelated scalar subqueries beside it."""
    cnt = q(COUNT)
    subquery_parts: set[str] = set()
    # ``prefiltered``: the table holds no all-NULL group (and maybe no key columns at all)
    nn = None if prefiltered else "(" + " OR ".join(f"{q(c)} IS NOT NULL" for c in columns) + ")"

    def only(*conds: str | None) -> str:
        """FILTER clause over the non-NULL groups (none needed when the table holds no other)."""
        kept = [c for c in (nn, *conds) if c]
        return f" FILTER (WHERE {' AND '.join(kept)})" if kept else ""
    exprs: list[str] = []
    slots: list[tuple[A.FreqAgg, list[str]]] = []
    for i, agg in enumerate(aggs):
        if isinstance(agg, A.NumGroups):
            parts = [f"count(*){only()}"]
        elif isinstance(agg, A.NumRowsNonNull):
            parts = [f"coalesce(sum({cnt}){only()}, 0)"]
        elif isinstance(agg, A.NumSingletons):
            parts = [f"count(*){only(f'{cnt} = 1')}"]
        elif isinstance(agg, A.SumCountLnCount):
            parts = [f"coalesce(sum({cnt} * ln({cnt})){only()}, 0)"]
        elif isinstance(agg, A.DuplicateRows):
            parts = [f"coalesce(sum({cnt}){only(f'{cnt} > 1')}, 0)"]
        elif isinstance(agg, A.MutualInfo):
            x, y = q(agg.x), q(agg.y)
            inner = (f"SELECT CAST({cnt} AS DOUBLE) AS c, sum({cnt}) OVER (PARTITION BY {x}) AS cx, "
                     f"sum({cnt}) OVER (PARTITION BY {y}) AS cy, sum({cnt}) OVER () AS n "
                     f"FROM {q(table)} WHERE {x} IS NOT NULL AND {y} IS NOT NULL")
            parts = [f"(SELECT coalesce(sum(c * ln(c * n / (CAST(cx AS DOUBLE) * cy))) / max(n), 0) FROM ({inner}))",
                     f"(SELECT coalesce(sum({cnt}), 0) FROM {q(table)} WHERE {x} IS NOT NULL AND {y} IS NOT NULL)"]
            subquery_parts.update(parts)
        elif isinstance(agg, A.TopBins):
            (col,) = columns
            v = f"CAST({q(col)} AS VARCHAR)"
            s = q(sum_column_name(agg.value_sum)) if agg.value_sum else "NULL"
            order = f"{s if agg.value_sum else cnt} DESC NULLS LAST, {v} ASC NULLS LAST"
            top = (f"(SELECT list({{'v': v, 'c': c, 's': s}} ORDER BY rn) FROM (SELECT {v} AS v, {cnt} AS c, "
                   f"CAST({s} AS DOUBLE) AS s, row_number() OVER (ORDER BY {order}) AS rn FROM {q(table)} "
                   f"ORDER BY {order} LIMIT {int(agg.max_bins)}))")
            parts = [top, "count(*)", f"coalesce(sum({cnt}), 0)",
                     f"sum(CAST({s} AS DOUBLE))" if agg.value_sum else "NULL"]
            subquery_parts.add(top)
        else:
            raise NotImplementedError(f"the DuckDB backend has no rule for frequency aggregation {type(agg).__name__}")
        aliases = [f"{prefix}{i}_{j}" for j in range(len(parts))]
        exprs.extend(f"{e} AS {q(a)}" for e, a in zip(parts, aliases))
        slots.append((agg, aliases))
    plain = [e for e in exprs if e.rsplit(" AS ", 1)[0] not in subquery_parts]
    subs = [e for e in exprs if e.rsplit(" AS ", 1)[0] in subquery_parts]
    if plain:
        statement = f"SELECT {', '.join(['plain.*', *subs])} FROM (SELECT {', '.join(plain)} FROM {q(table)}) AS plain"
    else:
        statement = f"SELECT {', '.join(subs)}"

    def assemble(row: dict[str, Any]) -> dict[A.FreqAgg, Any]:
        out: dict[A.FreqAgg, Any] = {}
        for agg, aliases in slots:
            vals = [_number(row[a]) for a in aliases]
            if isinstance(agg, A.TopBins):
                bins = tuple((b["v"], int(b["c"]), b["s"]) for b in (vals[0] or []))
                out[agg] = A.TopBinsResult(bins, int(vals[1] or 0), int(vals[2] or 0), vals[3])
            elif isinstance(agg, A.MutualInfo):
                out[agg] = (float(vals[0] or 0.0), int(vals[1] or 0))
            else:
                out[agg] = vals[0]
        return out

    return statement, assemble


def evaluate_frequency_aggregations(freq: Frequencies, aggs: Sequence[A.FreqAgg]) -> dict[A.FreqAgg, Any]:
    """Evaluate frequency aggregations over a (merged) frequency state, locally, without any data:
    the same SQL as the in-engine path, run by DuckDB over the Arrow table."""
    con = duckdb.connect(":memory:")
    try:
        statement, assemble = compile_frequency_aggregations(freq.columns, aggs)
        rel = con.from_arrow(freq.table)
        res = rel.query(FREQ, statement)
        (row,) = res.fetchall()
        return assemble(dict(zip(res.columns, row)))
    finally:
        con.close()
