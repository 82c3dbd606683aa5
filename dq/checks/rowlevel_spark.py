"""Row-level results and quarantine on a Spark DataFrame (classic or Spark Connect), with the
semantics of ``dq.checks.rowlevel`` (its docstring lists them per constraint kind).

The per-constraint expressions are the ones DuckDB runs (``RowLevelExpressions``), rendered as
Spark SQL and evaluated with ``F.expr`` (predicates as the Spark backend renders them). Three
kinds of helper column are computed first, with the Column API:

* pattern matches: ``regex_match``, the Spark backend's PatternMatch expression (``rlike`` with
  the pattern made Java-compatible, behind its prefilter; a search; the pattern is a literal,
  never SQL text);
* Python assertions (a plain callable on Min/Max/MinLength/MaxLength): an Arrow UDF calling the
  assertion once per distinct value of each Arrow batch, as on DuckDB (pyspark 4.0, which has no
  ``arrow_udf``: a pandas UDF doing the same). An assertion that raises fails the row. The
  executors' Python needs pyarrow (and dq, if the assertion is one of dq's objects);
* uniqueness windows: ``count(*)`` over ``Window.partitionBy(keys[, COALESCE(filter, FALSE)])``,
  one per distinct (keys, filter), however many constraints share it. Spark's partitioning treats
  -0.0 as 0.0 and NaN as NaN, as DuckDB's does.

Lengths count code points (Spark's ``length``, as DuckDB's). Only the DataFrame API is used: no
RDD, no JVM access, no cache or persist.

``row_level_results`` returns a lazy Spark DataFrame: every input column, then one BOOLEAN column
per check named as on DuckDB. Nothing is sorted: rows come in the order Spark gives them, which is
the input's partition order unless a uniqueness window shuffles them (it partitions by the keys).

Evaluation errors: a predicate (``satisfies``, a ``where`` filter) can fail on some value at run
time (a cast under ANSI mode, a division by zero). The metrics of the suite show that it does not
fail on the data they were computed on; on other data (``row_level_results(result, other_df)``)
one aggregate query over the predicates runs first, and when Spark fails there, one query per
predicate finds the culprits, whose constraints become FALSE for every row (as a failed metric
makes them, and as DuckDB does). Errors that are not about the data (a lost connection ...) are
raised.

Quarantine (``split_rows``): the passing rows and the failing rows (with ``dq_failed_checks``,
array<string>) are written by Spark as two *folders* of Parquet part files (one Spark job each;
nothing is collected into Python), each to a temporary sibling folder, then renamed over the
target: an existing file, or a folder holding only Parquet part files and Spark's marker files (a
previous output), is replaced; any other folder is refused, so a mistyped path cannot delete a
folder of other files. The counts are read from the written files' footers. The targets must be
on the local file system of the machine running this Python (local mode, or a file system that
every executor mounts at the same path); other URIs (``s3a://`` ...) are refused, since an object
store cannot rename a folder atomically.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
from pyspark.sql import Column as SparkColumn
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from dq.analyzers.basic import Compliance
from dq.backends.spark import DIALECT, col, regex_match
from dq.checks.check import CheckLevel, parse_level
from dq.checks.constraints import ConstraintResult
from dq.checks.rowlevel import RowLevelExpressions, _Udf, target_paths, temp_path
from dq.errors import InvalidOptionError
from dq.schema import Kind

__all__ = ["SparkRowLevelPlan", "row_level_results", "split_rows"]


def _data_errors() -> tuple[type[BaseException], ...]:
    """The pyspark exceptions of an expression failing on a value (classic and Connect raise
    subclasses of these)."""
    import pyspark.errors as E

    names = ("ArithmeticException", "NumberFormatException", "DateTimeException", "ArrayIndexOutOfBoundsException",
             "SparkRuntimeException", "IllegalArgumentException")
    return tuple(getattr(E, n) for n in names if hasattr(E, n))


def _assertion_udf(fn: Callable[[Any], pa.Array]) -> Callable[[SparkColumn], SparkColumn]:
    """A vectorised Spark UDF applying ``fn`` (Arrow array -> BOOLEAN Arrow array) to a column."""
    if hasattr(F, "arrow_udf"):  # pyspark 4.1+
        def run(values: pa.Array) -> pa.Array:
            return fn(values)

        run.__annotations__ = {"values": pa.Array, "return": pa.Array}  # how arrow_udf tells its kind
        return F.arrow_udf(run, "boolean")
    import pandas as pd

    def run_pandas(values: pd.Series) -> pd.Series:
        # from_pandas=False: a NaN stays NaN (a NULL arrives as NaN too, but the SQL around the
        # call decides NULL rows without looking at its outcome)
        return fn(pa.array(values, from_pandas=False)).to_pandas()

    run_pandas.__annotations__ = {"values": pd.Series, "return": pd.Series}
    return F.pandas_udf(run_pandas, "boolean")


class SparkRowLevelPlan(RowLevelExpressions):
    """The row-level plan of a verification result on a Spark DataFrame, without running it:
    ``frame`` builds the DataFrame of the checks, ``split_frames`` the two quarantine frames."""

    dialect = DIALECT

    def __init__(self, result: Any, data: Any, *, connection: Any = None):
        from dq.backends import backend_for

        self._leaves: dict[tuple, tuple[str, SparkColumn]] = {}  # key -> (alias, helper column)
        self._spark_udfs: dict[str, Callable[[SparkColumn], SparkColumn]] = {}
        self._probes: dict[str, str] = {}  # expression SQL -> SQL that fails wherever the expression would
        #: the queries run so far (evaluation probes), each a description
        self.queries: list[str] = []
        super().__init__(result, data, backend_for(data, connection=connection))
        self._verified = getattr(result, "_data", None) is data

    # -- what the shared expressions need from Spark -------------------------------------------
    def _leaf(self, key: tuple, make: Callable[[], SparkColumn]) -> str:
        found = self._leaves.get(key)
        if found is None:
            found = self._leaves[key] = (f"{self._p}_x{len(self._leaves)}", make())
        return self._q(found[0])

    def _regex_sql(self, column: str, pattern: str) -> str:
        return self._leaf(("regex", column, pattern), lambda: regex_match(column, pattern))

    def _udf_arg_type(self, kind: Kind, column: str) -> Any:
        return "double" if kind is Kind.FRACTIONAL else self.backend.schema.column(column).engine_type

    def _udf_ref(self, udf: _Udf, value: str) -> str:
        def make() -> SparkColumn:
            fn = self._spark_udfs.get(udf.name)
            if fn is None:
                fn = self._spark_udfs[udf.name] = _assertion_udf(udf.fn)
            return fn(F.expr(value))

        return self._leaf(("udf", udf.name, value), make)

    def _constraint_sql(self, r: ConstraintResult) -> str:
        sql = super()._constraint_sql(r)
        a = r.constraint.analyzer
        where = self.ctx.where(a.where_text)
        if isinstance(a, Compliance):  # a user predicate, and no helper column: probe it as it is
            self._probes[sql] = sql
        elif where is not None:  # only the filter can fail (a uniqueness window partitions by it too)
            self._probes[sql] = f"COALESCE({where.sql(self.dialect)}, FALSE)"
        return sql

    # -- evaluation errors ---------------------------------------------------------------------
    def check_evaluation(self) -> None:
        """Make FALSE the expressions whose predicate Spark fails to evaluate on this data (see the
        module docstring). No query when the data is the data the suite verified."""
        if self._verified:
            return
        probes = list(dict.fromkeys(self._probes[s] for s in self._expr_sql.values() if s in self._probes))
        if not probes:
            return
        errors = _data_errors()
        try:
            self._probe(probes)
            return
        except errors as e:
            first = e
        failing = set()
        for p in probes:
            try:
                self._probe([p])
            except errors:
                failing.add(p)
        if not failing:
            raise first
        for alias, sql in self._expr_sql.items():
            if self._probes.get(sql) in failing:
                self._expr_sql[alias] = "FALSE"

    def _probe(self, probes: Sequence[str]) -> None:
        self.queries.append("row-level probe: " + ", ".join(probes))
        self.backend.df.agg(*[F.bool_and(F.expr(p)).alias(f"p{i}") for i, p in enumerate(probes)]).collect()

    # -- frames --------------------------------------------------------------------------------
    def _used(self, alias: str) -> bool:
        ref = self._q(alias)
        return any(ref in sql for sql in self._expr_sql.values())

    def frame(self, names: Sequence[str]) -> DataFrame:
        """The input columns, then the checks' outcomes, the i-th named ``names[i]``."""
        helpers = [c.alias(alias) for alias, c in self._leaves.values() if self._used(alias)]
        for (keys, w), alias in self._windows.items():
            if self._used(alias):
                part = [col(k) for k in keys] + ([F.expr(f"COALESCE({w}, FALSE)")] if w is not None else [])
                helpers.append(F.count(F.lit(1)).over(Window.partitionBy(*part)).alias(alias))
        rel = self.backend.df
        if helpers:
            rel = rel.select("*", *helpers)
        if self._expr_sql:
            rel = rel.select("*", *[F.expr(sql).alias(alias) for alias, sql in self._expr_sql.items()])
        return rel.select(*[col(c) for c in self.input_columns],
                          *[F.expr(self._check_sql(c)).alias(n) for c, n in zip(self.checks, names)])

    def split_frames(self, level: CheckLevel) -> tuple[DataFrame, DataFrame]:
        """The rows passing every check at ``level`` (the input columns) and the others (with the
        failed checks' names); a NULL outcome passes."""
        aliases = [self._check_alias(i) for i in range(len(self.checks))]
        rel = self.frame(aliases)
        idx = self.considered(level)
        inputs = [col(c) for c in self.input_columns]
        if idx:
            # a flat array, not an OR of hundreds of conditions (a tree that deep overflows Spark's stack)
            names = F.array_compact(F.array(*[F.when(col(aliases[i]).eqNullSafe(F.lit(False)),
                                                     F.lit(self.checks[i].name)) for i in idx]))
            failed = F.size(names) > 0
        else:
            failed, names = F.lit(False), F.array().cast("array<string>")
        return (rel.where(~failed).select(*inputs),
                rel.where(failed).select(*inputs, names.alias(self.failed_checks_column())))


def row_level_results(result: Any, data: DataFrame, *, connection: Any = None) -> DataFrame:
    """``dq.checks.rowlevel.row_level_results`` on a Spark DataFrame: a lazy DataFrame of the
    input columns and one BOOLEAN column per check (see the module docstring)."""
    plan = SparkRowLevelPlan(result, data, connection=connection)
    plan.check_evaluation()
    return plan.frame([c.name for c in plan.checks])


# -- quarantine -----------------------------------------------------------------------------------

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _local_path(option: str, path: Any) -> Any:
    """``path`` as a local path: a ``file:`` URI becomes its path, any other URI (``s3a://`` ...)
    is refused; anything else is left to ``target_paths``."""
    text = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(text, str):
        return path
    if text[:5].lower() == "file:":
        parsed = urllib.parse.urlparse(text)
        if parsed.netloc in ("", "localhost"):
            return urllib.request.url2pathname(parsed.path)
    elif not _URI.match(text):
        return path
    raise InvalidOptionError(option, "a local file-system path (split_rows on Spark writes a folder next to the "
                             "target and renames it into place, which an object store or a remote file system "
                             "cannot do atomically)", text, owner="split_rows")


def _is_spark_output(name: str) -> bool:
    return name.endswith((".parquet", ".crc")) or name.startswith("_")


def _check_replaceable(option: str, path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        for entry in sorted(os.scandir(path), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False) or not _is_spark_output(entry.name):
                raise InvalidOptionError(
                    option, "a new path, a file, or a folder of Parquet part files (a previous output, which is "
                    "replaced)", f"{path} (a folder holding {entry.name!r})", owner="split_rows")


def _write_parquet(frame: DataFrame, path: str) -> None:
    # file: so that Spark writes where the driver renames, whatever the default file system is
    frame.write.mode("error").parquet("file://" + path)  # "errorifexists" is not known to Spark Connect


def _count_rows(path: str) -> int:
    import pyarrow.dataset as ds

    return ds.dataset(path, format="parquet").count_rows()  # footers only; ignores ._crc and _SUCCESS


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.remove(path)


def _replace(tmp: str, final: str) -> None:
    """Put the folder ``tmp`` at ``final``, replacing what is there (a folder cannot be renamed
    over a non-empty folder: the old one is moved aside first and deleted after)."""
    old = None
    if os.path.lexists(final):
        old = temp_path(final) + ".old"
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        _remove(old)


def split_rows(result: Any, data: DataFrame, passing_path: str | os.PathLike, failing_path: str | os.PathLike, *,
               connection: Any = None, level: CheckLevel | str = CheckLevel.ERROR) -> tuple[int, int]:
    """``dq.checks.rowlevel.split_rows`` on a Spark DataFrame: two folders of Parquet part files
    (see the module docstring). Returns (passing rows, failing rows)."""
    lv = parse_level(level, owner="split_rows")
    paths = target_paths(_local_path("passing_path", passing_path), _local_path("failing_path", failing_path))
    for option, p in zip(("passing_path", "failing_path"), paths):
        _check_replaceable(option, p)
    plan = SparkRowLevelPlan(result, data, connection=connection)
    plan.check_evaluation()
    temps = [temp_path(p) for p in paths]
    try:
        for frame, tmp in zip(plan.split_frames(lv), temps):
            _write_parquet(frame, tmp)
        counts = [_count_rows(t) for t in temps]
        for tmp, final in zip(temps, paths):
            _replace(tmp, final)
    finally:
        for tmp in temps:
            _remove(tmp)
    return counts[0], counts[1]
