"""User SQL predicates: parsed once, validated before any scan, rendered per engine.

Users write row-level conditions as SQL text (``where="year > 2000"``, ``Compliance(..., "star_rating >= 4")``,
``satisfies("`a` < `b`")``). Many metrics share one scan, so a predicate that fails to bind would fail
*every* metric of that scan. We therefore accept a predicate only if sqlglot parses it into exactly one
expression that can be evaluated row by row on one table, with every column reference resolved against
the dataset's columns. Everything else is rejected up front with a ``PredicateError`` or
``ColumnNotFoundError``.

Security note: the engine never sees the user's text. ``Predicate.sql()`` re-generates SQL from the
validated syntax tree, without comments and with every column quoted, so comments, stray quotes or
``;`` in the input cannot change what the engine runs; only what the tree says can.

Reading dialect: DuckDB SQL by default. DuckDB has no backtick syntax at all, so a backtick outside a
string literal can only mean Spark SQL (what Deequ users write); such text is read as Spark SQL *as a
whole*, so its other parts keep their Spark meaning too (``"US"`` is a string, ``'\\''`` an escape).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from dq.errors import ColumnNotFoundError, InvalidOptionError, PredicateError

__all__ = [
    "DIALECTS",
    "Predicate",
    "conjunction",
    "parse_predicate",
    "quote_identifier",
    "render_tree",
    "sql_literal",
]

#: The engines a predicate can be rendered for (and read from).
DIALECTS = ("duckdb", "spark")

_CACHE_SIZE = 4096


def _check_dialect(dialect: object, option: str = "dialect") -> str:
    if not isinstance(dialect, str) or dialect.lower() not in DIALECTS:
        raise InvalidOptionError(option, " or ".join(repr(d) for d in DIALECTS), dialect)
    return dialect.lower()


# ---------------------------------------------------------------------------------------------------------
# Quoting and literals
# ---------------------------------------------------------------------------------------------------------


def quote_identifier(name: str, dialect: str = "duckdb") -> str:
    """``name`` as a quoted identifier: DuckDB ``"a""b"``, Spark ``\\`a\\`\\`b\\```.

    Always quoted, so keywords, spaces, dots, unicode and case survive unchanged.
    """
    dialect = _check_dialect(dialect)
    if not isinstance(name, str):
        raise TypeError(f"identifier must be a str, not {type(name).__name__}")
    if not name:
        # Neither engine accepts a zero-length quoted identifier; failing here names the cause.
        raise ValueError("identifier must not be empty")
    q = '"' if dialect == "duckdb" else "`"
    return q + name.replace(q, q + q) + q


def _string_literal(value: str, dialect: str) -> str:
    if dialect == "duckdb":
        # DuckDB strings are standard SQL: backslash is an ordinary character, only ' is doubled.
        return "'" + value.replace("'", "''") + "'"
    # Spark SQL string literals process backslash escapes (unless spark.sql.parser.escapedStringLiterals
    # is enabled, which dq does not support), so the backslash itself must be escaped first.
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _non_finite(value: float) -> str:
    # Both engines parse these spellings when casting a string to DOUBLE; there is no bare literal.
    if math.isnan(value):
        return "CAST('NaN' AS DOUBLE)"
    return "CAST('Infinity' AS DOUBLE)" if value > 0 else "CAST('-Infinity' AS DOUBLE)"


def _number(text: str) -> str:
    # A negative literal is parenthesised so splicing it after an operator can never form a comment:
    # f"x-{lit}" would otherwise read "x--1", i.e. "x" followed by a comment.
    return f"({text})" if text.startswith("-") else text


def sql_literal(value: object, dialect: str = "duckdb") -> str:
    """A SQL literal for a Python value, for building predicates without splicing raw text.

    Supported: ``None`` (NULL), ``bool``, ``int``, ``float`` (NaN and infinities as casts),
    ``decimal.Decimal``, ``str``, ``datetime.date``, ``datetime.datetime`` (naive → TIMESTAMP, aware →
    TIMESTAMPTZ on DuckDB / TIMESTAMP with offset on Spark), ``datetime.time`` and numpy scalars of
    those kinds. Anything else raises ``TypeError``.
    """
    dialect = _check_dialect(dialect)
    if value is None:
        return "NULL"
    if isinstance(value, (bool, np.bool_)):  # before int: bool is an int subclass
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return _number(str(int(value)))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            return _non_finite(value)
        text = repr(value)
        # Without an exponent both engines read "0.1" as DECIMAL; an exponent makes it a DOUBLE, and
        # repr() is the shortest text that round-trips to the same double.
        if "e" not in text:
            text += "e0"
        return _number(text)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            # Neither engine's DECIMAL has NaN or infinity; DOUBLE is the only faithful rendering.
            return _non_finite(float(value))
        _sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)  # finite
        scale = max(-exponent, 0)
        precision = max(len(digits) + max(exponent, 0), scale, 1)
        if precision > 38:
            # Both engines cap DECIMAL at 38 digits; anything longer cannot come back as the same number.
            raise ValueError(f"Decimal {value} needs {precision} digits; no SQL DECIMAL holds more than 38")
        # A typed cast rather than a bare literal: DuckDB reads a long literal as a DOUBLE and an integral
        # one as an INTEGER, while the cast keeps the exact value and the scale in both engines.
        return f"CAST('{value:f}' AS DECIMAL({precision}, {scale}))"
    if isinstance(value, str):
        return _string_literal(value, dialect)
    if isinstance(value, _dt.datetime):  # before date: datetime is a date subclass
        text = value.isoformat(sep=" ")
        if value.utcoffset() is None:
            return f"TIMESTAMP '{text}'"
        # An aware value names an instant; DuckDB needs TIMESTAMPTZ to keep the offset, while Spark's
        # TIMESTAMP is already "with local time zone" and honours an offset in the literal.
        return f"TIMESTAMPTZ '{text}'" if dialect == "duckdb" else f"TIMESTAMP '{text}'"
    if isinstance(value, _dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, _dt.time):
        if value.utcoffset() is not None:
            raise TypeError("sql_literal cannot render a time with a time zone (no portable SQL type)")
        return f"TIME '{value.isoformat()}'"
    raise TypeError(
        f"sql_literal cannot render a value of type {type(value).__module__}.{type(value).__qualname__}"
    )


def conjunction(parts: Sequence[str | Predicate], *, dialect: str = "duckdb") -> str:
    """``(p1) AND (p2) AND ...`` of SQL conditions; ``TRUE`` when there are none.

    Text parts are always parenthesised (an unparenthesised ``a OR b`` would otherwise bind wrongly);
    ``Predicate`` parts are rendered for ``dialect`` and are already parenthesised.
    """
    dialect = _check_dialect(dialect)
    if isinstance(parts, (str, Predicate)):
        raise TypeError("conjunction takes a sequence of conditions, not a single one")
    rendered: list[str] = []
    for part in parts:
        if isinstance(part, Predicate):
            rendered.append(part.sql(dialect))
        elif isinstance(part, str):
            if not part.strip():
                raise ValueError("conjunction: empty condition")
            rendered.append(f"({part})")
        else:
            raise TypeError(f"conjunction: a condition must be a str or Predicate, not {type(part).__name__}")
    return " AND ".join(rendered) if rendered else "TRUE"


# ---------------------------------------------------------------------------------------------------------
# The Predicate value
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Predicate:
    """A validated row-level SQL condition.

    Equality and hash use ``text``, ``columns`` and ``source_dialect`` only, so analyzers holding a
    Predicate stay hashable; the parsed tree and rendered SQL are private caches.
    """

    text: str
    #: Dataset column names the predicate reads, resolved to their exact spelling, in order of first use.
    columns: tuple[str, ...]
    #: The dialect ``text`` was read as ("duckdb", or "spark" for backtick-quoted Spark SQL).
    source_dialect: str = "duckdb"
    _tree: exp.Expr | None = field(default=None, compare=False, hash=False, repr=False)
    _rendered: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def sql(self, dialect: str = "duckdb") -> str:
        """The condition in ``dialect`` SQL, every column quoted, wrapped in parentheses."""
        dialect = _check_dialect(dialect)
        out = self._rendered.get(dialect)
        if out is None:
            tree = self._tree
            if tree is None:
                # Built directly rather than by parse_predicate: re-resolving against the already
                # resolved column names gives the same tree (each name matches itself exactly).
                tree = parse_predicate(self.text, self.columns, dialect=self.source_dialect)._tree
                assert tree is not None
            out = _render(self.text, tree, dialect)
            self._rendered[dialect] = out  # a cache of a pure function; mutating it keeps the value frozen
        return out

    @property
    def tree(self) -> exp.Expr:
        """The validated syntax tree, every column resolved and quoted (a copy: edit it freely)."""
        tree = self._tree
        if tree is None:
            tree = parse_predicate(self.text, self.columns, dialect=self.source_dialect)._tree
            assert tree is not None
        return tree.copy()

    def __str__(self) -> str:
        return self.text


# ---------------------------------------------------------------------------------------------------------
# Parsing and validation
# ---------------------------------------------------------------------------------------------------------


def _classes(*names: str) -> tuple[type, ...]:
    # getattr: sqlglot renames or adds expression classes between releases; a missing one just is not checked.
    return tuple(c for c in (getattr(exp, n, None) for n in names) if isinstance(c, type))


_WINDOW_FUNCS = _classes(
    "RowNumber", "Rank", "DenseRank", "PercentRank", "CumeDist", "Ntile",
    "Lag", "Lead", "FirstValue", "LastValue", "NthValue",
)  # fmt: skip
_WINDOW_NODES = _classes("Window", "WindowSpec", "WithinGroup")
_SUBQUERY_NODES = _classes("Query", "Subquery", "Exists", "Table", "From", "Values", "Into")
_STATEMENT_NODES = _classes(
    "DDL", "DML", "Command", "Set", "Use", "Transaction", "Commit", "Rollback", "Pragma"
)
_PARAMETER_NODES = _classes("Placeholder", "Parameter", "SessionParameter")
# DuckDB's "#1" names a column by position, bypassing the name check (and means nothing in Spark).
_POSITIONAL_NODES = _classes("PositionalColumn")
# Set-returning functions change the number of rows, so like aggregates they are not row-level.
_GENERATOR_NODES = _classes("Unnest", "Explode", "ExplodeOuter", "Posexplode", "PosexplodeOuter", "Inline")

# Names sqlglot parses as anonymous functions but that are aggregates (DuckDB ``duckdb_functions()``
# aggregates sqlglot does not model, plus Spark's). Names that also have a scalar overload are left out.
_AGGREGATE_NAMES = frozenset([
    "arbitrary", "arg_max_null", "arg_max_nulls_last", "arg_min_null", "arg_min_nulls_last",
    "bitstring_agg", "combine_aggr", "count_star", "decimal_average", "entropy", "favg", "fsum",
    "histogram_exact", "kahan_sum", "kurtosis_pop", "lttb", "mad", "mean", "product",
    "reservoir_quantile", "sem", "sum_no_overflow", "sumkahan", "variant_group_object", "corr",
    "covar_pop", "covar_samp", "regr_avgx", "regr_avgy", "regr_count", "regr_intercept", "regr_r2",
    "regr_slope", "regr_sxx", "regr_sxy", "regr_syy", "collect_list", "collect_set", "percentile",
    "percentile_approx", "approx_percentile", "count_min_sketch", "bloom_filter_agg", "every",
    "bool_and", "bool_or", "bit_and", "bit_or", "bit_xor", "max_by", "min_by", "try_avg",
    "try_sum", "histogram_numeric", "hll_sketch_agg", "hll_union_agg", "kurtosis", "skewness",
    "std", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp", "variance", "first",
    "last", "approx_count_distinct", "count_if", "mode", "median", "listagg", "string_agg",
    "array_agg", "list", "group_concat", "sum", "avg", "min", "max", "count",
])  # fmt: skip
_WINDOW_NAMES = frozenset([
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
    "first_value", "last_value", "nth_value",
])  # fmt: skip


@functools.cache
def _statement_tokens(dialect: str) -> frozenset[TokenType]:
    d = Dialect.get_or_raise(dialect)
    return frozenset(
        set(d.parser_class.STATEMENT_PARSERS)
        | set(d.tokenizer_class.COMMANDS)
        | {TokenType.SELECT, TokenType.WITH, TokenType.FROM, TokenType.VALUES}
    )


def _short(sql: str, limit: int = 80) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= limit else sql[: limit - 3] + "..."


def _node_sql(node: exp.Expr, dialect: str, text: str) -> str:
    """The offending part of ``text`` as sqlglot writes it back (the tree keeps no exact source span)."""
    try:
        # IGNORE: this only quotes the user's input back in a message; sqlglot would otherwise log
        # warnings about arguments of (rejected) functions it cannot express.
        return _short(node.sql(dialect=dialect, comments=False, unsupported_level=ErrorLevel.IGNORE))
    except Exception:  # noqa: BLE001 - the generator can crash on odd trees (e.g. "INTERVAL DATE()")
        # The error raised must still be ours, quoting the whole text instead.
        return _short(text)


def _tokenize(text: str, dialect: str) -> list[Token]:
    return Dialect.get_or_raise(dialect).tokenize(text)


def _choose_dialect(text: str) -> tuple[str, list[Token] | None]:
    """The dialect to read ``text`` as, and its tokens if already tokenized."""
    if "`" not in text:
        return "duckdb", None
    try:
        tokens = _tokenize(text, "duckdb")
    except TokenError:
        # e.g. `a` = 'it\'s' : Spark escapes that DuckDB cannot tokenize; the backtick says Spark.
        return "spark", None
    # DuckDB tokenizes a backtick outside strings as an UNKNOWN token; inside a string it is just text.
    if any(t.token_type == TokenType.UNKNOWN and t.text == "`" for t in tokens):
        return "spark", None
    return "duckdb", tokens


def _parse_tree(text: str, dialect: str, tokens: list[Token] | None) -> exp.Expr:
    """Exactly one expression (not a statement) or a PredicateError quoting where it went wrong."""
    try:
        if tokens is None:
            tokens = _tokenize(text, dialect)
    except TokenError as e:
        raise PredicateError(text, f"is not valid {dialect} SQL: {e}") from None
    if not tokens:
        raise PredicateError(text, "contains no expression (only comments)")
    semis = [t for t in tokens if t.token_type == TokenType.SEMICOLON]
    if semis:
        # Rejected even when trailing: a predicate is an expression, never a statement list, and this
        # turns "1=1; DROP TABLE t" into a clear message instead of a generic syntax error.
        after = text[semis[0].start :]
        more = any(t.start > semis[0].start for t in tokens if t.token_type != TokenType.SEMICOLON)
        problem = "contains more than one statement" if more else "must not contain ';'"
        raise PredicateError(
            text, f"{problem}; a predicate is a single SQL expression", offending=_short(after)
        )
    d = Dialect.get_or_raise(dialect)
    try:
        # exp.Condition makes sqlglot parse one boolean-level expression (what follows WHERE) and fail on
        # any leftover token, so statements, aliases, ORDER BY, UNION ... never get through.
        trees = d.parser().parse_into(exp.Condition, tokens, text)
    except ParseError as e:
        if tokens[0].token_type in _statement_tokens(dialect):
            raise PredicateError(
                text,
                "is a SQL statement, not an expression; give only the condition (what would follow WHERE)",
                offending=_short(text[tokens[0].start :]),
            ) from None
        err = (e.errors or [{}])[0]
        offending = _short(f"{err.get('highlight', '')}{err.get('end_context', '')}", 60) or None
        description = err.get("description") or str(e)
        raise PredicateError(
            text, f"is not a valid {dialect} SQL expression: {description}", offending=offending
        ) from None
    if len(trees) != 1 or trees[0] is None:  # defensive: ';' is rejected above
        raise PredicateError(text, "must be exactly one SQL expression")
    return trees[0]


def _function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return ""


def _check_nodes(text: str, tree: exp.Expr, dialect: str, columns: Sequence[str]) -> None:
    """Reject anything that is not evaluable row by row on one table (first problem in reading order)."""
    for node in tree.walk(bfs=False):
        name = _function_name(node)
        missing = node.error_messages()
        if missing:
            # sqlglot's parser is lenient in places (a lone "@" becomes ABS() with no argument); an
            # incomplete node would only fail later, at bind time, inside the shared scan.
            raise PredicateError(
                text, f"is incomplete: {missing[0]}", offending=_node_sql(node, dialect, text)
            )
        if isinstance(node, _STATEMENT_NODES):
            problem = "contains a SQL statement; only an expression is allowed"
        elif isinstance(node, _SUBQUERY_NODES):
            problem = "contains a subquery or table reference; a predicate reads one row of one table"
        elif isinstance(node, (_WINDOW_NODES, _WINDOW_FUNCS)) or name in _WINDOW_NAMES:
            problem = "uses a window function; a predicate is evaluated on each row on its own"
        elif isinstance(node, exp.AggFunc) or name in _AGGREGATE_NAMES:
            problem = "uses an aggregate function; a predicate is evaluated on each row on its own"
        elif isinstance(node, _GENERATOR_NODES):
            problem = "uses a set-returning function; a predicate yields one value per row"
        elif isinstance(node, exp.Star):
            problem = "uses '*'; name the columns instead"
        elif (isinstance(node, exp.Lambda) and not isinstance(node.parent, exp.Func)) or (
                isinstance(node, (exp.JSONExtract, exp.JSONExtractScalar)) and isinstance(node.this, exp.Identifier)):
            # `x -> y` is a lambda in Spark and JSON extraction in DuckDB (sqlglot reads the
            # Spark form with a bare identifier, not a column): outside a higher-order function's
            # arguments the same text would mean different things on each engine.
            problem = "uses '->' outside a function's argument; lambdas go inside list functions"
        elif isinstance(node, _POSITIONAL_NODES):
            problem = "uses a positional column reference; name the column"
        elif isinstance(node, _PARAMETER_NODES):
            problem = "contains a parameter placeholder; embed values with dq.predicates.sql_literal()"
        elif isinstance(node, exp.Dot) or (isinstance(node, exp.Column) and node.parts[:-1]):
            parts = node.parts if isinstance(node, exp.Column) else []
            dotted = ".".join(p.name for p in parts)
            hint = ""
            if dotted and dotted in columns:
                hint = f"; {dotted!r} is a column: quote it as {quote_identifier(dotted, dialect)}"
            problem = (
                "uses a qualified name (table.column or struct.field); refer to columns by their bare name"
                + hint
            )
        else:
            continue
        raise PredicateError(text, problem, offending=_node_sql(node, dialect, text))


def _check_top_level(text: str, tree: exp.Expr, dialect: str) -> None:
    node = tree
    while isinstance(node, exp.Paren):
        node = node.this
    inner = node.this if isinstance(node, (exp.Neg, exp.Cast, exp.TryCast)) else None
    non_boolean = (
        isinstance(node, (exp.Literal, exp.Interval, exp.Array, exp.Tuple))
        or (isinstance(node, exp.Neg) and isinstance(inner, exp.Literal))
        or (
            isinstance(node, (exp.Cast, exp.TryCast))
            and isinstance(inner, exp.Literal)
            and not node.to.is_type(exp.DataType.Type.BOOLEAN)
        )
    )
    if non_boolean:
        raise PredicateError(
            text,
            "is a plain value, not a condition (write e.g. x = 'abc', not 'abc')",
            offending=_node_sql(tree, dialect, text),
        )


def _resolve(text: str, tree: exp.Expr, columns: tuple[str, ...]) -> tuple[exp.Expr, tuple[str, ...]]:
    """A copy of ``tree`` with every column replaced by the quoted dataset name, and those names.

    Unquoted names follow DuckDB's and Spark's default case-insensitivity (exact match first, so
    ``Year`` and ``year`` can coexist); quoted names must match exactly so quoting stays a way to be precise.
    """
    exact = set(columns)
    folded: dict[str, list[str]] = {}
    for c in columns:
        bucket = folded.setdefault(c.lower(), [])
        if c not in bucket:
            bucket.append(c)
    used: list[str] = []

    def resolve(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Column):
            return node
        ident = node.this
        name = ident.name
        if name in exact:
            resolved = name
        elif ident.quoted:
            raise ColumnNotFoundError(name, columns)
        else:
            matches = folded.get(name.lower(), [])
            if not matches:
                raise ColumnNotFoundError(name, columns)
            if len(matches) > 1:
                raise PredicateError(
                    text,
                    f"column name {name!r} is ambiguous: it matches {', '.join(map(repr, matches))} "
                    "ignoring case; quote the exact name",
                    offending=name,
                )
            resolved = matches[0]
        if resolved not in used:
            used.append(resolved)
        return exp.Column(this=exp.to_identifier(resolved, quoted=True))

    return tree.transform(resolve, copy=True), tuple(used)


def _generate(tree: exp.Expr, dialect: str) -> str:
    # comments=False: a "--" comment rendered inside our parentheses would swallow the closing one.
    # RAISE: SQL that sqlglot knows it cannot express in ``dialect`` must not be emitted approximately.
    return tree.sql(dialect=dialect, comments=False, unsupported_level=ErrorLevel.RAISE)


def render_tree(node: exp.Expr, dialect: str = "duckdb") -> str:
    """A part of a validated predicate's tree (``Predicate.tree``) as ``dialect`` SQL."""
    return _generate(node, _check_dialect(dialect))


def _render(text: str, tree: exp.Expr, dialect: str) -> str:
    """``tree`` as ``dialect`` SQL in parentheses, checked to read back as itself."""
    try:
        out = _generate(tree, dialect)
    except Exception as e:
        # Deliberately broad: sqlglot's generator can also crash on odd trees it parsed (e.g. "DATE ()").
        raise PredicateError(text, f"cannot be written in {dialect} SQL: {e}") from e
    # The generator does not always separate tokens that fuse: NOT(NOT(x)) written "~~x" is DuckDB's LIKE
    # operator. Reading the output back and writing it again must give the same text; the engine then
    # parses what we checked.
    try:
        d = Dialect.get_or_raise(dialect)
        again = d.parser().parse_into(exp.Condition, d.tokenize(out), out)
        stable = len(again) == 1 and again[0] is not None and _generate(again[0], dialect) == out
    except Exception:  # noqa: BLE001 - any failure to read it back means it is not stable
        stable = False
    if not stable:
        raise PredicateError(
            text, f"sqlglot cannot write it as {dialect} SQL that reads back the same", offending=out
        )
    return f"({out})"


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_cached(text: str, columns: tuple[str, ...], dialect: str | None) -> Predicate:
    if not text.strip():
        raise PredicateError(text, "is empty")
    tokens: list[Token] | None = None
    if dialect is None:
        dialect, tokens = _choose_dialect(text)
    tree = _parse_tree(text, dialect, tokens)
    _check_nodes(text, tree, dialect, columns)
    _check_top_level(text, tree, dialect)
    resolved, used = _resolve(text, tree, columns)
    # Rendered for DuckDB now, so a tree sqlglot cannot generate fails here, before any scan. Spark is
    # rendered on first use: a DuckDB-only function should not stop a predicate that never runs on Spark.
    rendered = {"duckdb": _render(text, resolved, "duckdb")}
    return Predicate(text=text, columns=used, source_dialect=dialect, _tree=resolved, _rendered=rendered)


def parse_predicate(
    text: str | Predicate,
    columns: Sequence[str],
    *,
    context: str | None = None,
    dialect: str | None = None,
) -> Predicate:
    """Validate ``text`` as one row-level SQL condition over ``columns`` and return a ``Predicate``.

    ``dialect`` forces how the text is read ("duckdb" or "spark"); by default it is DuckDB SQL, or Spark
    SQL when the text uses backtick-quoted identifiers. ``context`` (e.g. ``"Compliance('rating ok')"``)
    is named in error messages. Results are cached, so re-parsing a suite's predicates is cheap.

    Raises ``PredicateError`` for anything but a single row-level expression and ``ColumnNotFoundError``
    (suggesting the closest names) for an unknown column.
    """
    if isinstance(text, Predicate):
        dialect = dialect or text.source_dialect
        text = text.text
    if not isinstance(text, str):
        raise TypeError(f"a predicate must be SQL text (str), not {type(text).__name__}")
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise TypeError("columns must be a sequence of column names (str)")
    if dialect is not None:
        dialect = _check_dialect(dialect)
    try:
        return _parse_cached(text, tuple(columns), dialect)
    except ColumnNotFoundError as e:
        # The cache is keyed without the context (it only changes messages), so it is added here.
        if context is None:
            raise
        raise ColumnNotFoundError(e.column, e.available, context=context) from None
    except PredicateError as e:
        if context is None:
            raise
        raise PredicateError(e.predicate, f"{e.problem} (in {context})", offending=e.offending) from None
