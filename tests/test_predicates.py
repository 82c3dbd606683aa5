"""User SQL predicates: accepted forms run on DuckDB, bad ones are rejected before any scan."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import pickle
from decimal import Decimal

import duckdb
import numpy as np
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

from dq.errors import ColumnNotFoundError, InvalidOptionError, PredicateError
from dq.predicates import Predicate, conjunction, parse_predicate, quote_identifier, sql_literal

FAST = settings(max_examples=150, deadline=None)

# One connection for the property tests: hypothesis calls them many times and a connection per call is slow.
_lit_con = duckdb.connect()

# Column names chosen to break naive quoting: space, dot, embedded quote and backtick, unicode, a keyword
# (year, also a function name) and mixed case.
COLUMNS = [
    "id", "my col", "a.b", 'quote"d', "ünï", "year", "Star_Rating", "marketplace", "review_date", "title",
    "a", "b", "x", "y", "col", "back`tick", "tags", "flag",
]  # fmt: skip

ROWS = [
    (1, 1, 10, "it's", "ü", 1999, 5, "US", dt.date(2009, 12, 31), "Hello World", 1, 2, "abc", 1, "1.5", 1, ["a", "b"], True),
    (2, 2, 20, "plain", None, 2001, 3, "UK", dt.date(2010, 1, 1), "xylophone", 3, 2, "xyz", 2, "7", 2, [], False),
    (3, 3, None, None, "ï", 2005, 4, "DE", dt.date(2015, 6, 1), None, 2, 5, None, 3, None, 3, None, None),
    (4, None, 40, "back\\slash", "ünï", None, None, "US", None, "Max", 5, 5, "a", 4, "-2", 4, ["c"], True),
]  # fmt: skip

TYPES = [
    "INTEGER", "INTEGER", "INTEGER", "VARCHAR", "VARCHAR", "INTEGER", "INTEGER", "VARCHAR", "DATE", "VARCHAR",
    "INTEGER", "INTEGER", "VARCHAR", "INTEGER", "VARCHAR", "INTEGER", "VARCHAR[]", "BOOLEAN",
]  # fmt: skip


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    cols = ", ".join(f"{quote_identifier(n)} {t}" for n, t in zip(COLUMNS, TYPES))
    c.execute(f"CREATE TABLE t ({cols})")
    c.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(COLUMNS))})", ROWS)
    yield c
    c.close()


def ids(con, where: str) -> list[int]:
    return [r[0] for r in con.execute(f"SELECT id FROM t WHERE {where} ORDER BY id").fetchall()]


# ------------------------------------------------------------------------------------------------ accepted


ACCEPTED = [
    # (predicate text, ids of matching rows, resolved columns or None to skip that check)
    ("year > 2000", [2, 3], ("year",)),
    ("YEAR > 2000", [2, 3], ("year",)),  # unquoted: case-insensitive like DuckDB and Spark
    ("star_rating >= 4", [1, 3], ("Star_Rating",)),
    ("`a` < `b`", [1, 3], ("a", "b")),  # Deequ / Spark SQL backticks
    ("marketplace IN ('US','UK')", [1, 2, 4], ("marketplace",)),
    ("review_date >= DATE '2010-01-01'", [2, 3], ("review_date",)),
    ("lower(title) LIKE '%x%'", [2, 4], ("title",)),
    ("regexp_matches(x, '^a')", [1, 4], ("x",)),
    ("CASE WHEN year > 2000 THEN star_rating >= 4 ELSE marketplace = 'US' END", [1, 3, 4],
     ("year", "Star_Rating", "marketplace")),
    ("x IS NOT NULL AND y BETWEEN 1 AND 3", [1, 2], ("x", "y")),
    ("COALESCE(CAST(col AS DOUBLE), 0.0) >= 0", [1, 2, 3], ("col",)),
    ('"my col" > 1', [2, 3], ("my col",)),
    ('"a.b" >= 20', [2, 4], ("a.b",)),
    ("\"quote\"\"d\" = 'it''s'", [1], ('quote"d',)),
    ("contains(\"quote\"\"d\", '\\')", [4], ('quote"d',)),  # DuckDB: backslash is an ordinary character
    ("ünï IS NULL", [2], ("ünï",)),
    ('"ünï" = \'ü\'', [1], ("ünï",)),
    ("`back``tick` > 2", [3, 4], ("back`tick",)),
    ('`my col` = 1 OR `ünï` = "ï"', [1, 3], ("my col", "ünï")),  # Spark: "ï" is a string literal
    ("`quote\"d` = 'it\\'s'", [1], ('quote"d',)),  # Spark: backslash escape inside a string
    ("flag", [1, 4], ("flag",)),
    ("NOT flag", [2], ("flag",)),
    ("TRUE", [1, 2, 3, 4], ()),
    ("CAST('true' AS BOOLEAN)", [1, 2, 3, 4], ()),
    ("y > 1 -- ; DROP TABLE t", [2, 3, 4], ("y",)),
    ("y /* ; DROP TABLE t */ > 3", [4], ("y",)),
    ("y > 1\nAND y < 4", [2, 3], ("y",)),
    ("len(tags) >= 1", [1, 4], ("tags",)),
    ("list_contains(tags, 'c')", [4], ("tags",)),
    ("len(list_filter(tags, e -> e = 'a')) = 1", [1], ("tags",)),  # lambda parameter is not a column
    ("y::VARCHAR = '2'", [2], ("y",)),
    ("title ILIKE 'h%'", [1], ("title",)),
    ("a + b * 2 > 10", [3, 4], ("a", "b")),
    ("year(review_date) = 2010", [2], ("review_date",)),  # year() the function, not the column
    ("x IS DISTINCT FROM 'abc'", [2, 3, 4], ("x",)),
    ("abs(y - 3) <= 1 AND y <> 3", [2, 4], ("y",)),
    ("y IN (1, 2) OR x = 'a'", [1, 2, 4], ("y", "x")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected", "cols"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_predicates_run_on_duckdb(con, text, expected, cols):
    p = parse_predicate(text, COLUMNS)
    assert p.text == text
    if cols is not None:
        assert p.columns == cols
    rendered = p.sql()
    assert rendered.startswith("(") and rendered.endswith(")")
    assert "--" not in rendered and "/*" not in rendered  # comments never reach the engine
    assert ids(con, rendered) == expected
    # Spark rendering must at least be produced, with every referenced column backtick-quoted.
    spark = p.sql("spark")
    for c in p.columns:
        assert quote_identifier(c, "spark") in spark


def test_rendering_quotes_every_column(con):
    p = parse_predicate('"my col" > 1 AND "a.b" < 30 AND ünï IS NULL AND Year > 2000', COLUMNS)
    assert p.sql() == '("my col" > 1 AND "a.b" < 30 AND "ünï" IS NULL AND "year" > 2000)'
    assert p.sql("spark") == "(`my col` > 1 AND `a.b` < 30 AND `ünï` IS NULL AND `year` > 2000)"
    assert ids(con, p.sql()) == [2]


def test_spark_rendering_textual():
    p = parse_predicate("\"quote\"\"d\" = 'it''s' OR \"back`tick\" = 1 OR contains(x, '\\')", COLUMNS)
    assert p.sql("spark") == "(`quote\"d` = 'it\\'s' OR `back``tick` = 1 OR CONTAINS(`x`, '\\\\'))"
    assert parse_predicate("regexp_matches(x, '^a')", COLUMNS).sql("spark") == "(`x` RLIKE '^a')"
    assert parse_predicate("review_date >= DATE '2010-01-01'", COLUMNS).sql("spark") == (
        "(`review_date` >= CAST('2010-01-01' AS DATE))"
    )
    # Read as Spark, rendered for both: the double-quoted string becomes a single-quoted literal.
    p = parse_predicate('`my col` = "U\'S"', COLUMNS)
    assert p.source_dialect == "spark"
    assert p.sql("spark") == "(`my col` = 'U\\'S')"
    assert p.sql("duckdb") == "(\"my col\" = 'U''S')"


def test_backtick_inside_a_duckdb_string_does_not_switch_to_spark(con):
    p = parse_predicate("x <> '`' AND contains('a\\b', '\\')", COLUMNS)
    assert p.source_dialect == "duckdb"
    assert ids(con, p.sql()) == [1, 2, 4]


def test_dialect_can_be_forced():
    # Without backticks the text is DuckDB SQL, where "US" is a column; forcing Spark makes it a string.
    with pytest.raises(ColumnNotFoundError):
        parse_predicate('marketplace = "US"', COLUMNS)
    p = parse_predicate('marketplace = "US"', COLUMNS, dialect="spark")
    assert p.columns == ("marketplace",)
    assert p.sql() == "(\"marketplace\" = 'US')"
    with pytest.raises(InvalidOptionError, match="dialect"):
        parse_predicate("y > 1", COLUMNS, dialect="postgres")


def test_exact_match_wins_over_case_insensitive_and_ambiguity_is_an_error():
    cols = ["Year", "year"]
    assert parse_predicate("year > 1", cols).columns == ("year",)
    assert parse_predicate("Year > 1", cols).columns == ("Year",)
    with pytest.raises(PredicateError, match="ambiguous") as ei:
        parse_predicate("YEAR > 1", cols)
    assert "'Year'" in str(ei.value) and "'year'" in str(ei.value)
    assert ei.value.offending == "YEAR"


def test_columns_are_deduplicated_in_order_of_first_use():
    p = parse_predicate('b > 1 AND a < 2 AND B = 3 AND "b" = 4', COLUMNS)
    assert p.columns == ("b", "a")


# ------------------------------------------------------------------------------------------------ rejected


def _raises(text, exc_type, *fragments, columns=COLUMNS, context=None):
    with pytest.raises(exc_type) as ei:
        parse_predicate(text, columns, context=context)
    msg = str(ei.value)
    for f in fragments:
        assert f.lower() in msg.lower(), f"{f!r} not in {msg!r}"
    return ei.value


BAD = [
    # (text, exception, fragments the message must contain)
    ("", PredicateError, ["is empty"]),
    ("   \n\t", PredicateError, ["is empty"]),
    ("-- just a comment", PredicateError, ["no expression"]),
    ("1=1; DROP TABLE t", PredicateError, ["more than one statement", "'; DROP TABLE t'"]),
    ("year > 1 /* */; DROP TABLE t", PredicateError, ["more than one statement", "DROP TABLE t"]),
    ("year > 1;", PredicateError, ["';'"]),
    ("SELECT * FROM t", PredicateError, ["statement", "'SELECT * FROM t'"]),
    ("DROP TABLE t", PredicateError, ["statement", "'DROP TABLE t'"]),
    ("INSERT INTO t VALUES (1)", PredicateError, ["statement", "INSERT INTO t"]),
    ("DELETE FROM t", PredicateError, ["statement", "DELETE FROM t"]),
    ("UPDATE t SET y = 1", PredicateError, ["statement", "UPDATE t"]),
    ("WITH q AS (SELECT 1) SELECT * FROM q", PredicateError, ["statement", "WITH q"]),
    ("PRAGMA version", PredicateError, ["statement", "PRAGMA"]),
    ("ATTACH 'x.db'", PredicateError, ["statement", "ATTACH"]),
    ("COPY t TO 'f.csv'", PredicateError, ["statement", "COPY"]),
    ("y = 1 UNION SELECT 1", PredicateError, ["not a valid", "'UNION SELECT 1'"]),
    ("y IN (SELECT y FROM t)", PredicateError, ["subquery", "SELECT y FROM t"]),
    ("EXISTS (SELECT 1)", PredicateError, ["subquery", "SELECT 1"]),
    ("(SELECT max(y) FROM t) > 1", PredicateError, ["subquery", "SELECT MAX(y) FROM t"]),
    ("other.y > 1", PredicateError, ["qualified", "'other.y'"]),
    ("main.t.y > 1", PredicateError, ["qualified", "'main.t.y'"]),
    ("a.b > 1", PredicateError, ["qualified", "'a.b'", "quote it as \"a.b\""]),
    ("`t`.`y` > 1", PredicateError, ["qualified", "'`t`.`y`'"]),
    ("sum(y) > 0", PredicateError, ["aggregate", "'SUM(y)'"]),
    ("count(*) > 1", PredicateError, ["aggregate", "'COUNT(*)'"]),
    ("kahan_sum(y) > 1", PredicateError, ["aggregate", "KAHAN_SUM(y)"]),
    ("collect_list(`y`) IS NULL", PredicateError, ["aggregate"]),
    ("avg(y) OVER () > 1", PredicateError, ["window", "OVER ()"]),
    ("row_number() OVER (ORDER BY y) = 1", PredicateError, ["window", "ROW_NUMBER() OVER (ORDER BY y)"]),
    ("lag(y) > 1", PredicateError, ["window", "LAG(y)"]),
    ("unnest(tags) = 'a'", PredicateError, ["set-returning", "UNNEST(tags)"]),
    ("*", PredicateError, ["'*'"]),
    ("COLUMNS(*) > 1", PredicateError, ["'*'"]),
    ("y = ?", PredicateError, ["placeholder", "'?'"]),
    ("y = $1", PredicateError, ["placeholder", "'$1'"]),
    ("y = :p", PredicateError, ["placeholder"]),
    ("y = $name", PredicateError, ["placeholder", "name"]),
    ("'abc'", PredicateError, ["not a condition", "'abc'"]),
    ("42", PredicateError, ["not a condition", "'42'"]),
    ("-1.5", PredicateError, ["not a condition", "-1.5"]),
    ("(((1)))", PredicateError, ["not a condition"]),
    ("DATE '2020-01-01'", PredicateError, ["not a condition", "2020-01-01"]),
    ("(y, x)", PredicateError, ["not a condition", "(y, x)"]),
    ("y > 1 x", PredicateError, ["not a valid", "(at: 'x')"]),
    ("y > 1 AS z", PredicateError, ["not a valid", "'AS z'"]),
    ("y >", PredicateError, ["not a valid"]),
    ("y = 'unterminated", PredicateError, ["not valid"]),
    ("`y > 1", PredicateError, ["not valid spark"]),
    ("#1 > 0", PredicateError, ["positional", "'#1'"]),  # DuckDB column-by-position bypasses names
    ("@", PredicateError, ["incomplete"]),  # sqlglot parses a lone "@" as ABS() without argument
    ("DATE ()", PredicateError, ["cannot be written in duckdb"]),  # sqlglot's generator crashes on it
    ("~ ~y = 1", PredicateError, ["reads back the same", '~~"y"']),  # "~~" would be DuckDB's LIKE operator
    ("yeer > 1", ColumnNotFoundError, ["'yeer'", "Did you mean 'year'"]),
    ('"YEAR" > 1', ColumnNotFoundError, ["'YEAR'", "Did you mean 'year'"]),  # quoted: exact match only
    ('"star_rating" > 1', ColumnNotFoundError, ["'star_rating'", "Did you mean 'Star_Rating'"]),
    ("`Y` > 1", ColumnNotFoundError, ["'Y'", "Did you mean 'y'"]),
    ('x = "abc"', ColumnNotFoundError, ["'abc'"]),  # DuckDB: double quotes make an identifier
    ('"my_col" > 1', ColumnNotFoundError, ["'my_col'", "Did you mean 'my col'"]),
    ("lower(titel) = 'x'", ColumnNotFoundError, ["'titel'", "Did you mean 'title'"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "exc_type", "fragments"), BAD, ids=[b[0] or "<empty>" for b in BAD])
def test_bad_predicates_are_rejected(text, exc_type, fragments):
    err = _raises(text, exc_type, *fragments)
    if isinstance(err, PredicateError):
        assert err.predicate == text
        assert f"invalid predicate {text!r}" in str(err)


SMUGGLING = [
    # Each is either rejected or, if accepted, runs as one harmless condition: the engine only ever sees
    # SQL regenerated from the checked tree, never the user's text.
    ("y > 1 /* /* */ ; DROP TABLE t */", [2, 3, 4]),  # nested comment: all of it is a comment
    ("x = E'\\'' OR y = 4 --'", [4]),  # E-string escape: the quote stays inside the literal
    ("x = $tag$; DROP TABLE t$tag$", []),  # dollar-quoted string
    ("x = '\\'; DROP TABLE t; --'", None),  # DuckDB: backslash does not escape, so ';' is outside
    ("y > 1 --\n; DROP TABLE t", None),
    ("y > 1 \x00; DROP TABLE t", None),
]


@pytest.mark.parametrize(("text", "expected"), SMUGGLING, ids=[s[0] for s in SMUGGLING])
def test_statements_cannot_be_smuggled(con, text, expected):
    if expected is None:
        _raises(text, PredicateError, "more than one statement", "DROP TABLE t")
    else:
        assert ids(con, parse_predicate(text, COLUMNS).sql()) == expected
    assert con.execute("SELECT count(*) FROM t").fetchone() == (4,)


def test_spark_only_rendering_problems_surface_at_render_time():
    # Valid for DuckDB, but sqlglot writes a Spark cast it cannot read back: a PredicateError when the
    # Spark backend renders it (before its scan), not a failure inside a shared Spark scan.
    p = parse_predicate("CAST(y AS TIMESTAMP_NS) IS NULL", COLUMNS)
    assert p.sql() == '(CAST("y" AS TIMESTAMP_NS) IS NULL)'
    with pytest.raises(PredicateError, match="as spark SQL"):
        p.sql("spark")


fragments = st.sampled_from(
    [
        "y", "Y", '"my col"', "`my col`", "a.b", '"a.b"', "1", "-2.5", "'s'", "'it''s'", "'a\\b'", '"str"',
        "(", ")", ",", "AND", "OR", "NOT", "=", "<>", ">", "+", "*", "IS", "NULL", "IN", "BETWEEN", "LIKE",
        "CASE", "WHEN", "THEN", "END", "lower(", "sum(", "CAST(", "AS", "DOUBLE", "::INT", ";", "--", "/*",
        "*/", "SELECT", "FROM", "?", "$1", "#1", "OVER", "()", "->", "[", "]", "TRUE", "DATE", "\n", "`",
        "'", '"', "@", "~", "||",
    ]
)  # fmt: skip


@FAST
@given(st.lists(fragments, min_size=1, max_size=8).map(" ".join) | st.text(max_size=20))
def test_any_input_is_rejected_by_dq_or_renders_stably(text):
    # Nothing from sqlglot leaks out, and an accepted predicate's rendering is itself a valid predicate
    # that renders to the same SQL.
    try:
        p = parse_predicate(text, COLUMNS)
    except (PredicateError, ColumnNotFoundError):
        return
    rendered = p.sql()
    again = parse_predicate(rendered[1:-1], COLUMNS)
    assert again.sql() == rendered and again.columns == p.columns


def test_context_is_named_in_both_error_kinds():
    e = _raises(
        "yeer > 1",
        ColumnNotFoundError,
        "Compliance('rating ok'): column 'yeer'",
        context="Compliance('rating ok')",
    )
    assert e.suggestions[0] == "year"
    _raises("sum(y) > 1", PredicateError, "(in Compliance('rating ok'))", context="Compliance('rating ok')")
    # Cached success is returned whatever the context.
    assert parse_predicate("y > 1", COLUMNS, context="a") is parse_predicate("y > 1", COLUMNS, context="b")


def test_every_duckdb_aggregate_is_rejected():
    # Guards the list of aggregate names sqlglot does not model against new DuckDB releases.
    names = _lit_con.execute(
        "SELECT function_name FROM duckdb_functions() GROUP BY 1 "
        "HAVING bool_and(function_type = 'aggregate') ORDER BY 1"
    ).fetchall()
    assert len(names) > 50
    for (name,) in names:
        outcomes = []
        for args in ("y", "y, y", "y, y, y"):  # arities differ; sqlglot rejects wrong ones as syntax
            with pytest.raises(PredicateError) as ei:
                parse_predicate(f"{name}({args}) IS NULL", ["y"])
            outcomes.append(ei.value.problem)
        assert any("aggregate" in o or "window" in o for o in outcomes), (name, outcomes)


def test_argument_types_are_checked():
    with pytest.raises(TypeError, match="str"):
        parse_predicate(42, COLUMNS)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="columns"):
        parse_predicate("y > 1", "y")


# ------------------------------------------------------------------------------------------ the Predicate


def test_predicate_is_hashable_comparable_and_picklable():
    p = parse_predicate("y > 1", COLUMNS)
    q = parse_predicate("y > 1", ["y", "z"])  # other dataset, same resolved meaning
    assert p == q and hash(p) == hash(q) and len({p, q}) == 1
    assert p != parse_predicate("Y > 1", COLUMNS)  # the text is part of the identity
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.text = "y < 1"  # type: ignore[misc]
    for r in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
        assert r == p and r.sql() == p.sql() == '("y" > 1)'
    assert repr(p) == "Predicate(text='y > 1', columns=('y',), source_dialect='duckdb')"
    assert str(p) == "y > 1"


def test_directly_constructed_predicate_renders():
    assert Predicate("`my col` > 1", ("my col",), "spark").sql() == '("my col" > 1)'
    assert Predicate("star_rating > 1", ("Star_Rating",)).sql("spark") == "(`Star_Rating` > 1)"


def test_parse_accepts_a_predicate_and_revalidates_it():
    p = parse_predicate("`my col` > 1", COLUMNS)
    assert parse_predicate(p, COLUMNS) == p
    with pytest.raises(ColumnNotFoundError):
        parse_predicate(p, ["other"])


def test_parsing_is_cached():
    text = "y BETWEEN 1 AND 2 AND x LIKE 'cache%'"
    first = parse_predicate(text, COLUMNS)
    assert parse_predicate(text, list(COLUMNS)) is first
    assert parse_predicate(text, tuple(COLUMNS)) is first


def test_render_dialect_is_validated():
    with pytest.raises(InvalidOptionError, match="'duckdb' or 'spark'"):
        parse_predicate("y > 1", COLUMNS).sql("postgres")


# ------------------------------------------------------------------------------------------------- helpers


def test_quote_identifier():
    assert quote_identifier('a"b') == '"a""b"'
    assert quote_identifier("a`b", "spark") == "`a``b`"
    assert quote_identifier('a"b', "spark") == '`a"b`'
    with pytest.raises(ValueError, match="empty"):
        quote_identifier("")
    with pytest.raises(TypeError):
        quote_identifier(1)  # type: ignore[arg-type]
    with pytest.raises(InvalidOptionError):
        quote_identifier("a", "mysql")


names = st.text(min_size=1, max_size=12).filter(lambda s: "\x00" not in s)


@FAST
@given(name=names)
def test_any_column_name_round_trips(name):
    # DuckDB reads the quoted name back as exactly that column, and a predicate over it resolves and runs.
    qd = quote_identifier(name)
    assert _lit_con.execute(f"SELECT 1 AS {qd}").description[0][0] == name
    for text in (f"{qd} IS NOT NULL", f"{quote_identifier(name, 'spark')} IS NOT NULL"):
        p = parse_predicate(text, [name, "other"])
        assert p.columns == (name,)
        assert quote_identifier(name, "spark") in p.sql("spark")
        assert duck_value(f"count(*) FROM (SELECT 1 AS {qd}) WHERE {p.sql()}") == 1


def test_conjunction(con):
    assert conjunction([]) == "TRUE"
    assert conjunction(["y = 1 OR y = 4", "x = 'a'"]) == "(y = 1 OR y = 4) AND (x = 'a')"
    p = parse_predicate("`my col` IS NULL OR `my col` > 0", COLUMNS)
    both = conjunction([p, "y > 1"])
    assert both == '("my col" IS NULL OR "my col" > 0) AND (y > 1)'
    assert ids(con, both) == [2, 3, 4]
    assert conjunction([p], dialect="spark") == "(`my col` IS NULL OR `my col` > 0)"
    with pytest.raises(TypeError):
        conjunction("y > 1")
    with pytest.raises(ValueError):
        conjunction(["y > 1", " "])


# --------------------------------------------------------------------------------------------- sql_literal


def duck_value(literal: str):
    return _lit_con.execute(f"SELECT {literal}").fetchone()[0]


@FAST
@given(st.text())
def test_string_literal_round_trips(s):
    assert duck_value(sql_literal(s)) == s
    # Spark is not installed: sqlglot's Spark tokenizer (which applies Spark's backslash escapes) reads it back.
    parsed = sqlglot.parse_one(sql_literal(s, "spark"), read="spark")
    assert isinstance(parsed, sqlglot.exp.Literal) and parsed.is_string and parsed.this == s


@pytest.mark.parametrize(
    "s",
    [
        "it's",
        "''",
        "a\\b",
        "\\",
        "\\'",
        "ünï ☃ 𝄞",
        "line\nbreak\r\n",
        "tab\t",
        "nul\x00byte",
        "--",
        "/* x */",
        '"',
    ],
)
def test_tricky_string_literals(s):
    assert duck_value(sql_literal(s)) == s
    # The literal is one token: spliced into a predicate it cannot end early or open a comment.
    p = parse_predicate(f"x = {sql_literal(s)}", ["x"])
    assert duck_value(p.sql().replace('"x"', "NULL")) is None  # still one well-formed comparison


def test_spark_string_literals_textually():
    assert sql_literal("it's", "spark") == "'it\\'s'"
    assert sql_literal("a\\b", "spark") == "'a\\\\b'"
    assert sql_literal("a\\b", "duckdb") == "'a\\b'"
    assert sql_literal("it's") == "'it''s'"


@FAST
@given(st.integers(min_value=-(2**127) + 1, max_value=2**127 - 1))
def test_int_literal_round_trips(n):
    assert duck_value(sql_literal(n)) == n


@FAST
@given(st.floats(allow_nan=False))
def test_float_literal_round_trips(f):
    got = duck_value(sql_literal(f))
    assert isinstance(got, float) and got == f and math.copysign(1, got) == math.copysign(1, f)


@FAST
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_literal_round_trips(d):
    try:
        lit = sql_literal(d)
    except ValueError as e:
        assert "38" in str(e)
        return
    got = duck_value(lit)
    assert isinstance(got, Decimal) and got == d


def test_other_literals_round_trip():
    assert duck_value(sql_literal(None)) is None
    assert duck_value(sql_literal(True)) is True and duck_value(sql_literal(False)) is False
    assert math.isnan(duck_value(sql_literal(float("nan"))))
    assert duck_value(sql_literal(float("inf"))) == math.inf
    assert duck_value(sql_literal(float("-inf"))) == -math.inf
    assert math.isnan(duck_value(sql_literal(Decimal("NaN"))))
    assert sql_literal(Decimal("-1.50")) == "CAST('-1.50' AS DECIMAL(3, 2))"
    assert sql_literal(Decimal("1E+2")) == "CAST('100' AS DECIMAL(3, 0))"
    assert (
        sql_literal(Decimal("1E-38")) == "CAST('0.00000000000000000000000000000000000001' AS DECIMAL(38, 38))"
    )
    with pytest.raises(ValueError, match="38"):
        sql_literal(Decimal("1E-39"))
    assert duck_value(sql_literal(0.1)) == 0.1 and sql_literal(0.1) == "0.1e0"
    assert sql_literal(-3) == "(-3)"  # f"x-{lit}" must not become the comment "x--3"
    assert duck_value(f"5-{sql_literal(-3)}") == 8
    for v in (
        dt.date(2010, 1, 1),
        dt.date(1, 1, 1),
        dt.datetime(2020, 2, 29, 23, 59, 58, 123456),
        dt.time(3, 4, 5, 6),
    ):
        assert duck_value(sql_literal(v)) == v
    aware = dt.datetime(2020, 1, 2, 3, 4, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert sql_literal(aware) == "TIMESTAMPTZ '2020-01-02 03:04:05.123456+05:30'"
    assert sql_literal(aware, "spark") == "TIMESTAMP '2020-01-02 03:04:05.123456+05:30'"
    # Compared as an instant (fetching TIMESTAMPTZ into Python would need pytz).
    assert duck_value(f"epoch_us({sql_literal(aware)})") == int(aware.timestamp()) * 1_000_000 + 123456
    assert duck_value(sql_literal(np.int64(7))) == 7
    assert duck_value(sql_literal(np.float32(1.5))) == 1.5
    assert duck_value(sql_literal(np.bool_(True))) is True


@pytest.mark.parametrize("bad", [object(), b"bytes", [1], dt.timedelta(days=1), {1: 2}])
def test_unsupported_literal_types(bad):
    with pytest.raises(TypeError, match=type(bad).__qualname__):
        sql_literal(bad)


def test_literal_dialect_is_validated():
    with pytest.raises(InvalidOptionError):
        sql_literal(1, "oracle")


def test_literals_build_predicates_that_run(con):
    quoted, backslashed = quote_identifier('quote"d'), sql_literal("back\\slash")
    text = f"{quoted} = {backslashed} OR {quote_identifier('ünï')} = {sql_literal('ü')}"
    p = parse_predicate(text, COLUMNS)
    assert p.columns == ('quote"d', "ünï")
    assert ids(con, p.sql()) == [1, 4]
