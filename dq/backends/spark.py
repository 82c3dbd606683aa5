"""The Spark backend: the same plans as on DuckDB, compiled to the DataFrame API.

Only ``pyspark.sql`` functions, ``DataFrame.agg`` / ``groupBy`` and ``spark.sql`` are used: no RDD,
no ``_jvm``/py4j, no cache or persist, so a plan runs alike on a cluster, locally and through
Spark Connect. This module imports pyspark; ``dq.backends.backend_for`` loads it only when it is
given a Spark DataFrame, so ``import dq`` never does.

One compile rule per aggregation kind (``_SCAN_RULES``, ``_freq_columns``); a kind without a rule
is a clear error naming the backend. Identifiers are always backtick-quoted; predicates are the
validated trees of ``dq.predicates`` rendered as Spark SQL; patterns and options reach Spark as
literals, never as SQL text.

Queries (``num_queries``, one per Spark action that reads the data): 1 ``agg`` for every scan
aggregation, KLL sketches included (``kll_sketch_agg_double``), 1 per grouping set (sub-sets rolled up from a materialised
one ride along), 1 per CustomSql. Each is one action; Spark may run an action as more than one
job (adaptive execution runs a shuffle's map side as a job of its own).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from dq import aggregations as A
from dq.analyzers.basic import BOOLEAN_PATTERN, FRACTIONAL_PATTERN, INTEGRAL_PATTERN, regex_prefilter
from dq.backends.results import convert_result
from dq.backends.results import number as _number
from dq.backends.spark_hll import hll_state_from_sketch
from dq.backends.spark_text import double_text, instant_text, python_double_text
from dq.errors import UnsupportedDataError
from dq.schema import Column, Kind, Schema
from dq.states.frequencies import COUNT, Frequencies
from dq.states.kll import KLLState

__all__ = ["SparkBackend"]

DIALECT = "spark"

_KINDS: tuple[tuple[tuple[type, ...], Kind], ...] = (
    ((T.ByteType, T.ShortType, T.IntegerType, T.LongType), Kind.INTEGRAL),
    ((T.FloatType, T.DoubleType), Kind.FRACTIONAL),
    ((T.DecimalType,), Kind.DECIMAL),
    ((T.StringType, T.VarcharType, T.CharType), Kind.STRING),
    ((T.BooleanType,), Kind.BOOLEAN),
    ((T.DateType,), Kind.DATE),
    ((T.TimestampType, T.TimestampNTZType), Kind.TIMESTAMP),
    ((T.BinaryType,), Kind.BINARY),
    ((T.ArrayType, T.MapType, T.StructType), Kind.NESTED),
)


def _kind(t: T.DataType) -> Kind:
    for types, kind in _KINDS:
        if isinstance(t, types):
            return kind
    if type(t).__name__ == "TimeType":  # Spark 4.1+ TIME; absent from older pyspark.sql.types
        return Kind.TIME
    return Kind.OTHER


def q(name: str) -> str:
    """A backtick-quoted Spark identifier (``a.b`` is a column, not a struct field)."""
    return "`" + name.replace("`", "``") + "`"


def col(name: str) -> SparkColumn:
    return F.col(q(name))


def sum_column_name(column: str) -> str:
    # the name DuckDB's frequency tables use (dq.backends.duckdb.sum_column_name): states carry it
    return f"__sum:{column}"


def _short_engine_error(e: BaseException) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    return lines[0] if lines else type(e).__name__


class SparkBackend:
    """Runs plans on one Spark DataFrame (classic or Spark Connect). ``num_queries`` counts the
    Spark actions that read the data; ``queries`` describes each of them."""

    name = "spark"
    #: KLL sketches are an ordinary aggregate here: they join the one scan
    STREAM_IN_SCAN = True

    def __init__(self, df: DataFrame):
        self.df = df
        self.spark = df.sparkSession
        self.num_queries = 0
        self.queries: list[str] = []
        self._views: list[str] = []
        self._view: str | None = None
        fields = list(df.schema.fields)
        self._refuse_case_clashes([f.name for f in fields])
        self.schema = Schema(tuple(Column(f.name, _kind(f.dataType), f.dataType.simpleString()) for f in fields))
        # TIMESTAMP (an instant, shown in the session's time zone) vs TIMESTAMP_NTZ (a wall-clock time)
        self._instants = frozenset(f.name for f in fields if isinstance(f.dataType, T.TimestampType))

    def _refuse_case_clashes(self, names: Sequence[str]) -> None:
        if str(self.spark.conf.get("spark.sql.caseSensitive", "false")).lower() == "true":
            return
        # Spark resolves names case-insensitively by default: `Year` and `year` are ambiguous.
        seen: dict[str, str] = {}
        for n in names:
            other = seen.setdefault(n.lower(), n)
            if other != n:
                raise UnsupportedDataError(
                    f"columns {other!r} and {n!r} differ only in case; Spark (spark.sql.caseSensitive=false) "
                    "cannot tell them apart. Rename one of them, or set spark.sql.caseSensitive=true."
                )

    def close(self) -> None:
        """Drop the temporary views this backend made (for CustomSql)."""
        for name in self._views:
            try:
                self.spark.catalog.dropTempView(name)
            except Exception:  # the session stopped meanwhile: nothing left to drop
                pass
        self._views.clear()
        self._view = None

    # -- execution -------------------------------------------------------------------------
    def _collect(self, frame: DataFrame | Callable[[], DataFrame], description: str) -> pa.Table:
        """Run one query (counted before Spark sees it, so one that fails still counts)."""
        self.num_queries += 1
        self.queries.append(description)
        return (frame() if callable(frame) else frame).toArrow()

    def run_scan(self, aggs: Sequence[A.Agg]) -> dict[A.Agg, Any]:
        """One ``agg`` computing every scan aggregation; results mapped back by alias."""
        exprs: list[SparkColumn] = []
        slots: list[tuple[A.Agg, list[str]]] = []
        for i, agg in enumerate(aggs):
            parts = self._compile_scan(agg)
            aliases = [f"a{i}_{j}" for j in range(len(parts))]
            exprs.extend(e.alias(a) for e, a in zip(parts, aliases))
            slots.append((agg, aliases))
        row = _one_row(self._collect(self.df.agg(*exprs), "scan: " + ", ".join(map(_describe, aggs))))
        return {agg: _convert(agg, [row[a] for a in aliases]) for agg, aliases in slots}

    def _compile_scan(self, agg: A.Agg) -> list[SparkColumn]:
        rule = _SCAN_RULES.get(type(agg))
        if rule is None:
            raise NotImplementedError(f"the Spark backend has no rule for aggregation {type(agg).__name__}")
        return rule(self, agg)

    def _kind_of(self, name: str) -> Kind:
        c = self.schema.find(name)
        return Kind.OTHER if c is None else c.kind

    # -- grouping ------------------------------------------------------------------------------
    def _frequency_frame(self, key: A.GroupKey, sums: Sequence[str]) -> DataFrame:
        src = self.df if key.where is None else self.df.where(_expr(key.where))
        # A float key groups as ``x + 0.0`` (as on DuckDB): -0.0 and 0.0 are one group, shown as 0.0,
        # and the key is a DOUBLE whatever the float width, like DuckDB's table for the same data.
        keys = [(col(c).cast("double") + F.lit(0.0)).alias(c) if self._kind_of(c) is Kind.FRACTIONAL else col(c)
                for c in key.columns]
        extra = [F.sum(col(s)).alias(sum_column_name(s)) for s in sums]
        return src.groupBy(*keys).agg(F.count(F.lit(1)).alias(COUNT), *extra)

    def run_grouped(self, key: A.GroupKey, sums: Sequence[str], aggs: Sequence[A.FreqAgg] | None
                    ) -> tuple[dict[A.FreqAgg, Any] | None, Frequencies | None]:
        """One grouped query for ``key``. With ``aggs``: their values, computed in Spark over the
        frequency table. Without: the frequency table itself (a mergeable state, as Arrow)."""
        if aggs is None:
            table = self._collect(self._frequency_frame(key, sums), f"frequencies: {_describe_key(key)}")
            return None, Frequencies(key.columns, _normalize_freq_table(table))
        if all(isinstance(g, _COUNT_ONLY) for g in aggs):
            # Only counts of non-NULL groups are needed: drop the all-NULL group before grouping and
            # keep just the counts (the keys are never shipped past the shuffle).
            nn = _any_not_null(key.columns)
            src = self.df.where(nn if key.where is None else (_expr(key.where) & nn))
            table = src.groupBy(*[col(c) for c in key.columns]).agg(F.count(F.lit(1)).alias(COUNT))
            frame, assemble = self._frequency_aggregations(table, key.columns, aggs, prefiltered=True)
        else:
            frame, assemble = self._frequency_aggregations(self._frequency_frame(key, sums), key.columns, aggs)
        row = _one_row(self._collect(frame, f"grouped: {_describe_key(key)}: " + ", ".join(map(_describe, aggs))))
        return assemble(row), None

    def run_grouped_rollup(self, key: A.GroupKey, sums: Sequence[str], aggs: Sequence[A.FreqAgg],
                           subsets: Sequence[tuple[A.GroupKey, Sequence[str], Sequence[A.FreqAgg]]]
                           ) -> list[dict[A.FreqAgg, Any]]:
        """One query for ``key`` and for grouping sets over a subset of its columns (same filter):
        each subset's table is rolled up from ``key``'s (summing counts) instead of grouping the
        data again. Spark reuses the shuffle of ``key``'s table for every part of the query."""
        freq = self._frequency_frame(key, sums)
        frames, assemblers = [], []
        frame, asm = self._frequency_aggregations(freq, key.columns, aggs, prefix="f0_")
        frames.append(frame)
        assemblers.append(asm)
        for i, (sub, sub_sums, sub_aggs) in enumerate(subsets, start=1):
            extra = [F.sum(col(sum_column_name(s))).alias(sum_column_name(s)) for s in sub_sums]
            table = freq.groupBy(*[col(c) for c in sub.columns]).agg(F.sum(col(COUNT)).alias(COUNT), *extra)
            frame, asm = self._frequency_aggregations(table, sub.columns, sub_aggs, prefix=f"f{i}_")
            frames.append(frame)
            assemblers.append(asm)
        joined = frames[0]
        for f in frames[1:]:
            joined = joined.crossJoin(f)
        row = _one_row(self._collect(joined, f"grouped: {_describe_key(key)} with roll-ups "
                                     + ", ".join(_describe_key(s) for s, _, _ in subsets)))
        return [asm(row) for asm in assemblers]

    def _frequency_aggregations(self, table: DataFrame, columns: Sequence[str], aggs: Sequence[A.FreqAgg], *,
                                prefiltered: bool = False, prefix: str = "f"
                                ) -> tuple[DataFrame, Callable[[dict[str, Any]], dict[A.FreqAgg, Any]]]:
        """A one-row DataFrame of the aggregations over the frequency table ``table`` and a function
        assembling them from its row. Plain aggregates are one ``agg``; mutual information and
        top-N bins are one-row frames of their own, cross-joined beside it (Spark computes the
        frequency table once and reuses its exchange for every part)."""
        c = col(COUNT)
        nn = None if prefiltered else _any_not_null(columns)

        def only(*conds: SparkColumn | None) -> SparkColumn | None:
            kept = [x for x in (nn, *conds) if x is not None]
            out = None
            for x in kept:
                out = x if out is None else out & x
            return out

        def when(cond: SparkColumn | None, value: SparkColumn) -> SparkColumn:
            return value if cond is None else F.when(cond, value)

        plain: list[SparkColumn] = []
        extra: list[DataFrame] = []
        slots: list[tuple[A.FreqAgg, list[str]]] = []
        for i, agg in enumerate(aggs):
            width = 4 if isinstance(agg, A.TopBins) else 2 if isinstance(agg, A.MutualInfo) else 1
            names = [f"{prefix}{i}_{j}" for j in range(width)]
            if isinstance(agg, A.NumGroups):
                plain.append(F.count(when(only(), F.lit(1))).alias(names[0]))
            elif isinstance(agg, A.NumRowsNonNull):
                plain.append(F.coalesce(F.sum(when(only(), c)), F.lit(0)).alias(names[0]))
            elif isinstance(agg, A.NumSingletons):
                plain.append(F.count(when(only(c == 1), F.lit(1))).alias(names[0]))
            elif isinstance(agg, A.SumCountLnCount):
                plain.append(F.coalesce(F.sum(when(only(), c * F.log(c))), F.lit(0.0)).alias(names[0]))
            elif isinstance(agg, A.DuplicateRows):
                plain.append(F.coalesce(F.sum(when(only(c > 1), c)), F.lit(0)).alias(names[0]))
            elif isinstance(agg, A.MutualInfo):
                extra.append(_mutual_information(table, agg.x, agg.y, names))
            elif isinstance(agg, A.TopBins):
                (column,) = columns
                extra.append(self._top_bins(table, column, agg, names))
            else:
                raise NotImplementedError(
                    f"the Spark backend has no rule for frequency aggregation {type(agg).__name__}")
            slots.append((agg, names))
        frames = ([table.agg(*plain)] if plain else []) + extra
        frame = frames[0]
        for f in frames[1:]:
            frame = frame.crossJoin(f)

        def assemble(row: dict[str, Any]) -> dict[A.FreqAgg, Any]:
            out: dict[A.FreqAgg, Any] = {}
            for agg, names in slots:
                vals = [_number(row[n]) for n in names]
                if isinstance(agg, A.TopBins):
                    out[agg] = self._top_bins_result(agg, columns[0], row[names[0]], vals[1:])
                elif isinstance(agg, A.MutualInfo):
                    out[agg] = (float(vals[0] or 0.0), int(vals[1] or 0))
                else:
                    out[agg] = vals[0]
            return out

        return frame, assemble

    def _bin_text(self, column: str) -> tuple[SparkColumn, bool]:
        """The value's text as DuckDB writes it (for ordering ties), and whether Python must
        respell the key from the value (doubles, see ``dq.backends.spark_text``)."""
        kind = self._kind_of(column)
        if kind is Kind.FRACTIONAL:  # the key is already a DOUBLE (``x + 0.0``)
            return double_text(col(column)), True
        if kind is Kind.STRING:
            return col(column), False
        if column in self._instants:
            return instant_text(col(column)), False
        return col(column).cast("string"), False

    def _top_bins(self, table: DataFrame, column: str, agg: A.TopBins, names: list[str]) -> DataFrame:
        text, _ = self._bin_text(column)
        s = col(sum_column_name(agg.value_sum)).cast("double") if agg.value_sum else F.lit(None).cast("double")
        first = s.desc_nulls_last() if agg.value_sum else col(COUNT).desc()
        bins = (table.select(text.alias("v"), col(column).alias("raw"), col(COUNT).alias("c"), s.alias("s"))
                .orderBy(first, F.col("v").asc_nulls_last()).limit(int(agg.max_bins)))
        top = bins.agg(F.collect_list(F.struct("v", "raw", "c", "s")).alias(names[0]))
        totals = table.agg(F.count(F.lit(1)).alias(names[1]), F.coalesce(F.sum(col(COUNT)), F.lit(0)).alias(names[2]),
                           (F.sum(s) if agg.value_sum else F.lit(None).cast("double")).alias(names[3]))
        return top.crossJoin(totals)

    def _top_bins_result(self, agg: A.TopBins, column: str, bins: list[dict] | None, vals: list[Any]
                         ) -> A.TopBinsResult:
        _, respell = self._bin_text(column)
        # collect_list keeps no order: sort as the query did (sum or count desc, NULLs last, then
        # text asc, NULL last); Python's str order is code point order, Spark's is UTF-8 byte order:
        # the same order.
        def key(b: dict) -> tuple:
            first = b["s"] if agg.value_sum else b["c"]
            return (first is None, -(first or 0), b["v"] is None, b["v"] or "")
        out = []
        for b in sorted(bins or [], key=key):
            v = b["v"]
            if respell and b["raw"] is not None:
                v = python_double_text(b["raw"])
            out.append((v, int(b["c"]), None if b["s"] is None else float(b["s"])))
        return A.TopBinsResult(tuple(out), int(vals[0] or 0), int(vals[1] or 0), vals[2])

    # -- predicates, custom SQL ----------------------------------------------------------------
    def bind_problems(self, predicates: Sequence[Any], patterns: Sequence[str]) -> list[str]:
        """Why Spark cannot evaluate these predicates (as booleans) or compile these regular
        expressions; empty when all is well. Predicates are analysed without reading any data;
        patterns are compiled by a one-row query on ``spark.range(1)`` (Spark compiles a regular
        expression only when it evaluates it), which does not read the data either."""
        problems: list[str] = []
        if predicates:
            try:
                fields = self.df.select(*[_expr(p).alias(f"p{i}") for i, p in enumerate(predicates)]).schema.fields
            except Exception as e:
                return [_short_engine_error(e)]
            problems += [f"{p.text!r} is of type {f.dataType.simpleString().upper()}, not BOOLEAN"
                         for p, f in zip(predicates, fields) if not isinstance(f.dataType, T.BooleanType)]
        if patterns:
            try:
                self.spark.range(1).select(*[F.lit("").rlike(java_regex(rx)).alias(f"r{i}")
                                             for i, rx in enumerate(patterns)]
                                           ).collect()
            except Exception as e:
                problems.append(_short_engine_error(e))
        return problems

    def source_name(self) -> str:
        """The name CustomSql statements read the data by: a temporary view of this DataFrame
        with a unique name (dropped by ``close``)."""
        if self._view is None:
            self._view = f"__dq_source_{uuid.uuid4().hex}"
            self.df.createOrReplaceTempView(self._view)
            self._views.append(self._view)
        return self._view

    def run_custom(self, sql: str) -> list[tuple]:
        """Run a CustomSql statement. The runner renders it in DuckDB's dialect (the one users
        write it in); sqlglot translates it to Spark SQL."""
        import sqlglot

        statement = sqlglot.transpile(sql, read="duckdb", write=DIALECT)[0]
        # classic Spark analyses the statement in spark.sql(): a bad statement fails there
        table = self._collect(lambda: self.spark.sql(statement), f"custom: {statement}")
        return [tuple(r.values()) for r in table.to_pylist()]


# -- scan compile rules -------------------------------------------------------------------------

def _expr(predicate: Any) -> SparkColumn:
    return F.expr(predicate.sql(DIALECT))


def _cond(where: Any, *extra: SparkColumn) -> SparkColumn | None:
    conds = ([_expr(where)] if where is not None else []) + list(extra)
    out = None
    for c in conds:
        out = c if out is None else out & c
    return out


def _only(value: SparkColumn, where: Any, *extra: SparkColumn) -> SparkColumn:
    """``value`` where the conditions hold, NULL elsewhere (which every aggregate skips); a NULL
    condition is not true."""
    c = _cond(where, *extra)
    return value if c is None else F.when(c, value)


def _count_if(where: Any, *extra: SparkColumn) -> SparkColumn:
    return F.count(_only(F.lit(1), where, *extra))


def _any_not_null(columns: Sequence[str]) -> SparkColumn:
    out = None
    for c in columns:
        out = col(c).isNotNull() if out is None else out | col(c).isNotNull()
    return out


def _double(name: str, where: Any) -> SparkColumn:
    return _only(col(name).cast("double"), where)


# DuckDB's regexp_full_match, in Java syntax: Java's '$' also matches before a final line break,
# '\z' only at the very end (as RE2's '$' without the multi-line flag).
_FRACTIONAL_RE, _INTEGRAL_RE, _BOOLEAN_RE = (f"^{p}\\z" for p in (FRACTIONAL_PATTERN, INTEGRAL_PATTERN,
                                                                    BOOLEAN_PATTERN))


def _datatype(b: SparkBackend, a: A.DataTypeCounts) -> list[SparkColumn]:
    c = col(a.column)
    nulls = _count_if(a.where, c.isNull())
    nonnull = F.count(_only(c, a.where))
    kind = Kind(a.kind)
    zero = F.lit(0)
    if kind is Kind.INTEGRAL:
        return [nulls, zero, nonnull, zero, zero]
    if kind is Kind.BOOLEAN:
        return [nulls, zero, zero, nonnull, zero]
    s = c if kind is Kind.STRING else c.cast("string")
    frac, integ, boolean = (_count_if(a.where, s.rlike(rx)) for rx in (_FRACTIONAL_RE, _INTEGRAL_RE, _BOOLEAN_RE))
    # Java spells a non-finite double "NaN"/"Infinity" (DuckDB "nan"/"inf"): a String either way.
    return [nulls, frac, integ, boolean, nonnull - frac - integ - boolean]


def _hll(b: SparkBackend, a: A.HLLOf) -> list[SparkColumn]:
    # See dq.backends.spark_hll for why the value is hashed before hll_sketch_agg hashes it again.
    c = col(a.column)
    kind = b._kind_of(a.column)
    if kind is Kind.INTEGRAL:
        v = c.cast("bigint")  # every integer width hashes alike (as on DuckDB)
    elif kind is Kind.FRACTIONAL:
        v = c.cast("double") + F.lit(0.0)  # -0.0 and 0.0 are one value
    else:
        v = c
    h = _only(F.xxhash64(v), a.where, c.isNotNull())  # xxhash64(NULL) is a number: keep NULLs out
    return [F.hll_sketch_agg(h, a.precision)]


def _sum(b: SparkBackend, a: A.SumOf) -> list[SparkColumn]:
    kind = b._kind_of(a.column)
    # Integers sum exactly as DECIMAL(38, 0) (DuckDB sums them as HUGEINT): a BIGINT sum would
    # overflow (an error under ANSI mode, a wrong number without it) where DuckDB's is right.
    v = col(a.column).cast("decimal(38,0)") if kind is Kind.INTEGRAL else col(a.column)
    return [F.sum(_only(v, a.where))]


def _length(a: A.MinLengthOf | A.MaxLengthOf) -> SparkColumn:
    # Spark's length counts characters (code points), as DuckDB's does: "😀x" is 2
    n = F.length(col(a.column))
    return _only(F.coalesce(n, F.lit(0)) if a.null_as_empty else n, a.where)


def _comoments(b: SparkBackend, a: A.CoMomentsOf) -> list[SparkColumn]:
    # Spark's regr_* aggregates (3.4+) skip pairs with a NULL on either side; argument order (y, x)
    y, x = _double(a.y, a.where), _double(a.x, a.where)
    return [F.regr_count(y, x), F.regr_avgx(y, x), F.regr_avgy(y, x), F.regr_sxy(y, x), F.regr_sxx(y, x),
            F.regr_syy(y, x)]


_SCAN_RULES: dict[type, Callable[[SparkBackend, Any], list[SparkColumn]]] = {
    # Spark 4's kll_sketch_agg_double builds an Apache DataSketches sketch per partition and
    # merges them; its bytes are the state
    A.KLLOf: lambda b, a: [F.kll_sketch_agg_double(_only(col(a.column).cast("double"), a.where), a.k)],
    A.CountRows: lambda b, a: [_count_if(a.where)],
    A.CountNonNull: lambda b, a: [F.count(_only(col(a.column), a.where))],
    A.CountTrue: lambda b, a: [_count_if(a.where, _expr(a.predicate))],
    A.CountZeros: lambda b, a: [_count_if(a.where, col(a.column) == F.lit(0))],
    # rlike is a search (Java's Matcher.find), as DuckDB's regexp_matches; NULL is no match
    A.CountRegex: lambda b, a: [_count_if(a.where, regex_match(a.column, a.pattern))],
    A.SumOf: _sum,
    A.MinOf: lambda b, a: [F.min(_only(col(a.column), a.where))],
    A.MaxOf: lambda b, a: [F.max(_only(col(a.column), a.where))],
    A.MinLengthOf: lambda b, a: [F.min(_length(a))],
    A.MaxLengthOf: lambda b, a: [F.max(_length(a))],
    A.VarPopOf: lambda b, a: [F.var_pop(_double(a.column, a.where))],
    A.PowerSumOf: lambda b, a: [F.sum(_only(_power(col(a.column).cast("double"), a.k), a.where))],
    A.CoMomentsOf: _comoments,
    # Spark's corr is NULL where it is undefined (constant column); DuckDB's is NaN: both are
    # "undefined" to the Correlation analyzer, which then asks for the co-moments to say why.
    A.CorrOf: lambda b, a: [F.corr(_double(a.y, a.where), _double(a.x, a.where))],
    A.PairCount: lambda b, a: [F.regr_count(_double(a.y, a.where), _double(a.x, a.where))],
    A.HLLOf: _hll,
    A.DataTypeCounts: _datatype,
    # percentile is exact, interpolating linearly at position q·(n-1); NaN sorts above every number
    A.ExactQuantileOf: lambda b, a: [F.percentile(_double(a.column, a.where), float(a.quantile))],
}


_MULTI_LINE = re.compile(r"\(\?[a-zA-Z]*m")


def regex_match(column: str, pattern: str) -> SparkColumn:
    """Whether ``pattern`` matches somewhere in ``column``; not TRUE for NULL. ``rlike`` is a search
    (Java's Matcher.find), as DuckDB's regexp_matches. Where the pattern has a prefilter
    (``regex_prefilter``), the regex runs only on the values passing it: a CASE evaluates its
    branch lazily in Spark's generated code too."""
    match = col(column).rlike(java_regex(pattern))
    pre = regex_prefilter(pattern)
    if pre is None:
        return match
    test = (col(column).contains(pre.literal) if pre.literal is not None
            else F.length(col(column)) >= pre.min_chars)  # characters
    return F.when(test, match).otherwise(F.lit(False))


def java_regex(pattern: str) -> str:
    r"""A user's pattern (written for RE2, DuckDB's engine) with RE2's line semantics in Java:
    ``(?d)`` (UNIX_LINES) makes ``\n`` the only line break, so '.' also matches ``\r``, ``\u0085``,
    ``\u2028`` and ``\u2029`` as RE2's does; and a ``$`` outside a character class becomes ``\z``,
    because RE2's ``$`` (without multi-line mode) matches only at the very end, Java's also before
    a final line break ("abc\n" would match ``^abc$``). A pattern that turns multi-line mode on
    keeps its ``$``: there both engines match it before every ``\n``."""
    if _MULTI_LINE.search(pattern):
        return "(?d)" + pattern
    out: list[str] = []
    i, depth = 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and pattern.startswith("\\Q", i):  # quoted text up to \E: copied as it is
            end = pattern.find("\\E", i + 2)
            end = len(pattern) if end < 0 else end + 2
            out.append(pattern[i:end])
            i = end
            continue
        if ch == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[":
            depth += 1
            out.append(ch)
            i += 1
            # a ']' right after '[' or '[^' is a literal, not the end of the class
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("]")
                i += 1
            continue
        if ch == "]" and depth:
            depth -= 1
        out.append("\\z" if ch == "$" and not depth else ch)
        i += 1
    return "(?d)" + "".join(out)


def _power(x: SparkColumn, k: int) -> SparkColumn:
    out = x
    for _ in range(k - 1):
        out = out * x
    return out


def _mutual_information(table: DataFrame, x: str, y: str, names: list[str]) -> DataFrame:
    """Σ p(x,y)·ln(p(x,y)/(p(x)p(y))) over groups where both are non-NULL, with N and the marginals
    over those rows, as one-row frame (mi, n). With S = Σ c·ln c over the joint table and over each
    marginal: MI = ln N + (S_xy − S_x − S_y) / N, which needs two small group-bys of the frequency
    table instead of three window passes (one of them over a single partition)."""
    c = col(COUNT)
    both = table.where(col(x).isNotNull() & col(y).isNotNull())
    joint = both.agg(F.sum(c).alias("n"), F.sum(c * F.log(c)).alias("sxy"))
    sx = both.groupBy(col(x)).agg(F.sum(c).alias("m")).agg(F.sum(F.col("m") * F.log(F.col("m"))).alias("sx"))
    sy = both.groupBy(col(y)).agg(F.sum(c).alias("m")).agg(F.sum(F.col("m") * F.log(F.col("m"))).alias("sy"))
    n = F.col("n")
    mi = F.when(n > 0, F.log(n) + (F.col("sxy") - F.col("sx") - F.col("sy")) / n).otherwise(F.lit(0.0))
    return joint.crossJoin(sx).crossJoin(sy).select(mi.alias(names[0]), F.coalesce(n, F.lit(0)).alias(names[1]))


_COUNT_ONLY = (A.NumGroups, A.NumRowsNonNull, A.NumSingletons, A.SumCountLnCount, A.DuplicateRows)


# -- results ----------------------------------------------------------------------------------------

def _one_row(table: pa.Table) -> dict[str, Any]:
    if table.num_rows != 1:
        raise RuntimeError(f"expected one result row from Spark, got {table.num_rows}")
    return {name: table.column(name)[0].as_py() for name in table.column_names}


def _convert(agg: A.Agg, values: list[Any]) -> Any:
    if isinstance(agg, A.KLLOf):
        return KLLState.empty(agg.k) if values[0] is None else KLLState(bytes(values[0]))
    return convert_result(agg, values, hll_state_from_sketch)


def _normalize_freq_table(table: pa.Table) -> pa.Table:
    # Spark marks aggregate outputs NOT NULL and may write large_string; states keep plain, nullable
    # types so they merge with (and equal) DuckDB's.
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_large_string(t):
            t = pa.string()
        elif pa.types.is_large_binary(t):
            t = pa.binary()
        if f.name == COUNT:
            t = pa.int64()
        fields.append(pa.field(f.name, t, nullable=True))
    return table.cast(pa.schema(fields))


def _describe(agg: Any) -> str:
    return repr(agg)


def _describe_key(key: A.GroupKey) -> str:
    where = f" where {key.where.text}" if key.where is not None else ""
    return f"({', '.join(key.columns)}){where}"
