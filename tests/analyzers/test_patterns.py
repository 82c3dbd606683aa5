"""``Patterns``: dq's portable rewrites of Deequ's built-in regexes against Deequ's Java originals.

Deequ's SOCIAL_SECURITY_NUMBER_US uses look-aheads and its CREDITCARD back-references, which RE2
(DuckDB) lacks; its URL uses ``\\s`` and ``.``, which mean different things in RE2 and Java. dq's
``Patterns`` are rewritten in syntax both engines share. The reference is Deequ's ORIGINAL pattern
run by Python's ``re`` (which has look-aheads and back-references), configured as Java's defaults:
``re.ASCII`` (Java's ``\\d``, ``\\s``, ``\\w`` are ASCII, and so is ``\\b`` since JDK 19) and ``.``
excluding Java's line terminators. Under search semantics (match anywhere) the reference must agree
with (a) Python's ``re`` running dq's pattern and (b) DuckDB's ``regexp_matches`` running dq's
pattern, on hypothesis strings, exhaustive enumerations and hand-picked edge cases; (c) a few go
end to end through ``PatternMatch``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dq import AnalysisRunner
from dq.analyzers import PatternMatch, Patterns
from dq.analyzers.basic import regex_prefilter
from dq.backends.duckdb import regex_match_sql

# Deequ's originals, verbatim from com.amazon.deequ.analyzers.Patterns (Scala triple-quoted strings,
# so no escaping: the same text as these raw strings).
DEEQU = {
    "EMAIL": r"""(?:[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f\x21\x23-\x5b\x5d-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")@(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?|\[(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[a-z0-9-]*[a-z0-9]:(?:[\x01-\x08\x0b\x0c\x0e-\x1f\x21-\x5a\x53-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])+)\])""",
    "URL": r"""(https?|ftp)://[^\s/$.?#].[^\s]*""",
    "SOCIAL_SECURITY_NUMBER_US": r"""((?!219-09-9999|078-05-1120)(?!666|000|9\d{2})\d{3}-(?!00)\d{2}-(?!0{4})\d{4})|((?!219 09 9999|078 05 1120)(?!666|000|9\d{2})\d{3} (?!00)\d{2} (?!0{4})\d{4})|((?!219099999|078051120)(?!666|000|9\d{2})\d{3}(?!00)\d{2}(?!0{4})\d{4})""",
    "CREDITCARD": r"""\b(?:3[47]\d{2}([\ \-]?)\d{6}\1\d|(?:(?:4\d|5[1-5]|65)\d{2}|6011)([\ \-]?)\d{4}\2\d{4}\2)\d{4}\b""",
}
NAMES = list(DEEQU)

#: characters Java's '.' does not match (no DOTALL, no UNIX_LINES); Python's '.' excludes only \n
JAVA_DOT = "[^\n\r\u0085\u2028\u2029]"


def scan(pattern: str) -> list[tuple[str, bool]]:
    """The pattern's tokens (an escape like ``\\d`` or one character), each with whether it is
    inside a character class. Enough for Deequ's patterns, which nest no classes."""
    tokens, in_class, i = [], False, 0
    while i < len(pattern):
        c = pattern[i]
        n = 2 if c == "\\" else 1
        if c == "[" and in_class:
            raise NotImplementedError("Java class union, not used by Deequ's patterns")
        if c == "[" and not in_class and (pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]"):
            raise NotImplementedError("a leading ']' in a class, not used by Deequ's patterns")
        tokens.append((pattern[i:i + n], in_class or c == "["))
        in_class = (in_class or c == "[") and not (in_class and c == "]")
        i += n
    assert not in_class, pattern
    return tokens


def java(pattern: str) -> re.Pattern:
    """Python ``re`` behaving as ``java.util.regex.Pattern.compile(pattern)`` on these patterns:
    ASCII classes, and every '.' outside a character class made Java's '.'."""
    return re.compile("".join(JAVA_DOT if t == "." and not in_class else t for t, in_class in scan(pattern)), re.ASCII)


REFERENCE = {name: java(p) for name, p in DEEQU.items()}
NEW = {name: re.compile(getattr(Patterns, name), re.ASCII) for name in NAMES}


def test_java_translation_touches_only_urls_dot():
    assert [name for name in NAMES if REFERENCE[name].pattern != DEEQU[name]] == ["URL"]
    assert REFERENCE["URL"].pattern == r"(https?|ftp)://[^\s/$.?#]" + JAVA_DOT + r"[^\s]*"


def test_new_patterns_use_only_shared_syntax():
    for name in NAMES:
        p = getattr(Patterns, name)
        tokens = scan(p)
        outside = "".join(t if not in_class else "C" for t, in_class in tokens)  # classes blanked out
        for construct in ("(?=", "(?!", "(?<", "*+", "++", "?+", "}+"):  # look-around, possessive
            assert construct not in outside, (name, construct)
        for escape in (r"\s", r"\S", r"\d", r"\D", r"\w", r"\W", r"\v", r"\h", r"\u", r"\x{", r"\p", r"\Q"):
            assert all(not t.startswith(escape) for t, _ in tokens), (name, escape)  # engine-specific meaning
        assert not any(re.fullmatch(r"\\[1-9]", t) for t, _ in tokens), name  # back-reference
        assert "." not in [t for t, in_class in tokens if not in_class], name  # RE2's '.' matches \r etc.
        duckdb.sql("SELECT regexp_matches('x', $1)", params=[p]).fetchall()  # RE2 compiles it


def _top_level_literal_runs(pattern: str) -> list[str]:
    """The runs of consecutive literal characters at the top level of ``pattern`` (outside every
    group, alternation and repetition), as Python's parser sees it: text every match contains."""
    from re import _parser  # the parser of re itself (sre_parse before 3.11)

    runs, cur = [], ""
    for op, av in _parser.parse(pattern):
        if op is _parser.LITERAL:
            cur += chr(av)
        else:
            runs.append(cur)
            cur = ""
    return [r for r in [*runs, cur] if r]


@pytest.mark.parametrize("name", NAMES)
def test_prefilters_hold_for_every_match(name: str):
    """Every built-in pattern has a prefilter, and it is implied by a match: its literal is a
    top-level literal run of the pattern (so in every match) or its length is at most the
    pattern's minimum match width. The seeded, hypothesis and edge-case comparisons with Deequ
    run the prefiltered expression on DuckDB beside the bare regex (duckdb_matches)."""
    from re import _parser

    p = getattr(Patterns, name)
    pre = regex_prefilter(p)
    assert pre is not None
    if pre.literal is not None:
        assert any(pre.literal in run for run in _top_level_literal_runs(p)), (name, _top_level_literal_runs(p))
    else:
        assert 0 < pre.min_chars <= _parser.parse(p).getwidth()[0]
    assert regex_prefilter("^[A-Z]+$") is None


def test_prefilter_sql_on_null_and_unicode():
    con = duckdb.connect()
    for name in NAMES:
        p = getattr(Patterns, name)
        got = con.execute(f"SELECT {regex_match_sql('c', p)} FROM (VALUES (NULL::VARCHAR), ('日本@'), ('😀😀😀😀😀😀😀😀😀')) t(c)").fetchall()
        assert [g[0] is True for g in got] == [False, False, False], name


def ref(name: str, s: str) -> bool:
    return REFERENCE[name].search(s) is not None


def duckdb_matches(pattern: str, strings: list[str]) -> list[bool]:
    """``regexp_matches(c, pattern)`` per row, in one query, after checking that dq's DuckDB
    expression (the regex behind its prefilter) gives the same on every row."""
    con = duckdb.connect()
    con.register("t", pa.table({"i": list(range(len(strings))), "c": pa.array(strings, pa.string())}))
    rows = con.execute(f"SELECT regexp_matches(c, $1), {regex_match_sql('c', pattern)} FROM t ORDER BY i",
                       [pattern]).fetchall()
    con.close()
    differ = [(s, plain) for s, (plain, dq_expr) in zip(strings, rows) if plain != dq_expr]
    assert not differ, f"the prefiltered expression differs from the regex on (string, regex): {differ[:10]}"
    return [r[0] for r in rows]


def compare_all(name: str, strings: list[str]) -> None:
    expected = [ref(name, s) for s in strings]
    python = [NEW[name].search(s) is not None for s in strings]
    on_duckdb = duckdb_matches(getattr(Patterns, name), strings)
    bad_py = [(s, e) for s, e, g in zip(strings, expected, python) if e != g]
    bad_db = [(s, e) for s, e, g in zip(strings, expected, on_duckdb) if e != g]
    assert not bad_py, f"{name} on Python re: {len(bad_py)} differ from Deequ (string, Deequ): {bad_py[:10]}"
    assert not bad_db, f"{name} on DuckDB: {len(bad_db)} differ from Deequ (string, Deequ): {bad_db[:10]}"


# -- string generators: random.Random driven, so hypothesis (st.randoms) and seeded batches share them --
NOISE = "0123456789-  abzAZ_.@/:"
EXOTIC = ["é", "日", "\u0301", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\r", "\n", "\t", "\xa0", "٣", "１",
          "😀", "\x00", "\x7f"]
SEPARATORS = ["", "", " ", "-", "--", "  ", "_", ".", "\t", "\xa0", "a"]


def noise(r: random.Random, n_max: int = 5) -> str:
    return "".join(r.choice(NOISE) if r.random() < 0.85 else r.choice(EXOTIC) for _ in range(r.randint(0, n_max)))


def digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def jiggle(r: random.Random, ds: str) -> str:
    """Mostly ``ds``; sometimes a digit short or long."""
    x = r.random()
    return ds[:-1] if x < 0.05 else ds + digits(r, 1) if x < 0.1 else ds


def separators(r: random.Random, n: int) -> list[str]:
    """``n`` separators, mostly all the same (Deequ requires that), sometimes mixed."""
    s = r.choice(SEPARATORS)
    return [s if r.random() < 0.85 else r.choice(SEPARATORS) for _ in range(n)]


def ssn_like(r: random.Random) -> str:
    area = r.choice(["000", "666", "900", "999", "219", "078", "899", "001", "665", "667", digits(r, 3)])
    group = r.choice(["00", "09", "05", "01", "10", digits(r, 2)])
    serial = r.choice(["0000", "9999", "1120", "0001", "1000", digits(r, 4)])
    s1, s2 = separators(r, 2)
    return noise(r) + jiggle(r, area) + s1 + jiggle(r, group) + s2 + jiggle(r, serial) + noise(r)


def cc_like(r: random.Random) -> str:
    head = r.choice(["34", "37", "35", "30", "3", "4", "51", "55", "50", "56", "65", "64", "6011", "6012", "60"])
    groups = list(r.choice([(4, 6, 5), (4, 4, 4, 4), (4, 4, 4, 3), (4, 6, 4), (4, 4, 4, 4, 4)]))
    number = head + digits(r, sum(groups) - len(head))
    parts, k = [], 0
    for g in groups:
        parts.append(jiggle(r, number[k:k + g]))
        k += g
    seps = separators(r, len(parts) - 1) + [""]
    return noise(r) + "".join(p + s for p, s in zip(parts, seps)) + noise(r)


URL_CHARS = "ab9/$.?#:-_ \t\n\r\x0b\x0c\xa0\x85\u2028\u2029é"


def url_like(r: random.Random) -> str:
    scheme = r.choice(["http://", "https://", "ftp://", "ftps://", "HTTP://", "http:/", "http//", "ftp:", ""])
    tail = "".join(r.choice(URL_CHARS) for _ in range(r.randint(0, 5)))
    return noise(r, 3) + scheme + tail


EMAIL_CHARS = 'az09AZ.-_+!#`{|}~"\\@[]: \x01\x0b\x0c\x1f\x7f\x80é'


def email_like(r: random.Random) -> str:
    def chars(n_max: int) -> str:
        return "".join(r.choice(EMAIL_CHARS) if r.random() < 0.5 else r.choice("abz09.-")
                       for _ in range(r.randint(0, n_max)))

    local = r.choice([chars(5), '"' + chars(4) + '"', "a.b", "a..b", ".a", "a"])
    ip = ".".join(r.choice(["0", "1", "25", "255", "256", "249", "300", "01", "001", "9"]) for _ in range(4))
    domain = r.choice([chars(6), "b.c", "b-.c", "-b.c", "b.c-", "b", "[" + ip + "]", "[IPv6:" + chars(4) + "]",
                       "[" + ip.rsplit(".", 1)[0] + "." + chars(3) + ":" + chars(3) + "]"])
    return noise(r, 2) + local + "@" + domain + noise(r, 2)


LIKE: dict[str, Callable[[random.Random], str]] = {
    "EMAIL": email_like, "URL": url_like, "SOCIAL_SECURITY_NUMBER_US": ssn_like, "CREDITCARD": cc_like,
}


def strings_for(name: str) -> st.SearchStrategy[str]:
    """Hypothesis strings for ``name``: free text over digits, separators and letters, or text
    shaped like the pattern (hypothesis drives the randomness, so failures shrink and replay)."""
    return st.one_of(
        st.text(alphabet="0123456789- abcxyzAZ", max_size=30),
        st.text(alphabet=st.sampled_from(list(NOISE) + EXOTIC + list(URL_CHARS) + list(EMAIL_CHARS)), max_size=30),
        st.randoms(use_true_random=False).map(LIKE[name]),
    )


# -- (a) Python re: the rewrite and Deequ's original accept the same strings -------------------------
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=800, deadline=None)
@given(data=st.data())
def test_python_re_same_as_deequ(name: str, data: st.DataObject):
    s = data.draw(strings_for(name))
    assert (NEW[name].search(s) is not None) == ref(name, s), s


# -- (b) DuckDB: regexp_matches with the rewrite, per row, same as Deequ's original ----------------
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_duckdb_same_as_deequ_hypothesis(name: str, data: st.DataObject):
    compare_all(name, data.draw(st.lists(strings_for(name), min_size=1, max_size=150)))


@pytest.mark.parametrize("name", NAMES)
def test_duckdb_same_as_deequ_seeded_batch(name: str):
    r = random.Random(f"patterns-{name}")
    compare_all(name, [LIKE[name](r) for _ in range(20_000)])


def test_ssn_exhaustive_areas():
    """Every area 000-999 with the groups and serials the rules single out, in every separator style."""
    strings = [f"{a:03d}{sep}{g}{sep}{s}" for a in range(1000) for g in ("00", "01", "05", "09", "10", "99")
               for s in ("0000", "0001", "1120", "9999", "5555") for sep in ("-", " ", "")]
    compare_all("SOCIAL_SECURITY_NUMBER_US", strings)
    assert sum(ref("SOCIAL_SECURITY_NUMBER_US", s) for s in strings) == 3 * (1000 - 2 - 100) * 5 * 4 - 2 * 3


def test_creditcard_exhaustive_prefixes():
    """Every 4-digit prefix in both layouts and every separator."""
    strings = [f"{p:04d}{sep}{mid}{sep}{tail}" for p in range(10_000) for sep in ("", " ", "-")
               for mid, tail in (("123456", "12345"), ("1234", f"5678{sep}9012"))]
    compare_all("CREDITCARD", strings)
    # Amex 34xx/37xx in 4-6-5; 4xxx, 51xx-55xx, 65xx, 6011 in 4-4-4-4
    assert sum(ref("CREDITCARD", s) for s in strings) == 3 * (200 + 1000 + 500 + 100 + 1)


# -- hand-picked edge cases: Python re, DuckDB, and end to end through PatternMatch -----------------
EDGE = {
    "SOCIAL_SECURITY_NUMBER_US": [
        ("123-45-6789", True), ("123 45 6789", True), ("123456789", True),
        ("000-12-3456", False), ("666-12-3456", False), ("900-12-3456", False), ("999 12 3456", False),
        ("987654321", False), ("899-12-3456", True), ("665-12-3456", True), ("667-12-3456", True),
        ("001-01-0001", True), ("123-00-4567", False), ("123-45-0000", False), ("123450000", False),
        ("219-09-9999", False), ("219 09 9999", False), ("219099999", False),
        ("078-05-1120", False), ("078 05 1120", False), ("078051120", False),
        ("219-09-9998", True), ("219-08-9999", True), ("218-09-9999", True), ("219 09 9998", True),
        ("078-05-1121", True), ("078-05-1119", True), ("079-05-1120", True), ("078-04-1120", True),
        ("078051121", True), ("219099990", True),
        ("123-45 6789", False), ("123 45-6789", False), ("123-456789", False), ("12345-6789", False),
        ("123--45--6789", False), ("12-345-6789", False), ("123-45-678", False),
        ("x123-45-6789y", True), ("1123-45-67890", True), ("9123-45-6789", True), ("0219-09-99999", False), ("0219-09-99980", True),
        ("2190999990", True), ("12190999999", True), ("0780511200", True), ("000000000000", False),
        ("21909999", False), ("ssn: 219-09-9999 or 123-45-6789", True), ("000-12-3456 666-12-3456", False),
        ("ssn №123-45-6789 ✓", True), ("日本123 45 6789語", True), ("١٢٣-٤٥-٦٧٨٩", False), ("１２３-４５-６７８９", False),
        ("", False),
    ],
    "CREDITCARD": [
        ("4111111111111111", True), ("4111 1111 1111 1111", True), ("4111-1111-1111-1111", True),
        ("4111-1111 1111-1111", False), ("4111 1111-1111 1111", False), ("4111--1111--1111--1111", False),
        ("4111 1111 1111 1111 ", True), ("4111  1111  1111  1111", False), ("4111_1111_1111_1111", False),
        ("378282246310005", True), ("3782 822463 10005", True), ("3782-822463-10005", True),
        ("3782 822463-10005", False), ("371449635398431", True), ("341111111111111", True),
        ("351111111111111", False), ("3782 8224 6310 005", False),
        ("6011111111111117", True), ("6011 1111 1111 1117", True), ("6511111111111111", True),
        ("6012111111111111", False), ("6411111111111111", False),
        ("5105105105105100", True), ("5555555555554444", True), ("5011111111111111", False),
        ("5611111111111111", False), ("2221000000000009", False),
        ("41111111111111111", False), ("411111111111111", False), ("4111111111111", False),
        ("44111111111111111", False), ("4111 1111 1111 11111", False),
        ("card:4111111111111111.", True), ("x4111111111111111", False), ("_4111111111111111", False),
        ("4111111111111111x", False), ("4111111111111111_", False), ("(4111 1111 1111 1111)", True),
        ("a 4111-1111-1111-1111 b", True), ("é4111111111111111", True), ("4111111111111111é", True),
        ("日4111-1111-1111-1111日", True), ("1 4111111111111111 2", True), ("4111111111111111\n", True),
        ("-4111111111111111-", True), ("4111111111111111-", True), ("", False),
    ],
    "URL": [
        ("http://example.com", True), ("https://a.b/c?d#e", True), ("ftp://a.b", True), ("http://a", False),
        ("http://ab", True), ("http://", False), ("http:// a", False), ("http:///a", False),
        ("http://$a", False), ("http://.a", False), ("http://?a", False), ("http://#a", False),
        ("http://\ta", False), ("http://\x0bab", False), ("http://\x0cab", False), ("http://a\x0b", True),
        ("http://a\r", False), ("http://a\n", False), ("http://a\r\n", False), ("http://a\x85", False),
        ("http://a\u2028", False), ("http://a\u2029", False), ("http://\u2028a", True), ("http://\xa0a", True),
        ("http://a\xa0", True), ("http://日本", True), ("xhttp://a.b", True), ("HTTP://a.b", False),
        ("ftps://a.b", False), ("mailto:a@b", False), ("see http://a.b, and", True), ("http:/a.b", False),
        ("", False),
    ],
    "EMAIL": [
        ("a@b.c", True), ("a@b", False), ("A@B.C", False), ("a.b@c.d", True), (".a@b.c", True),
        ("a..b@c.d", True), ('"a b"@c.d', False), ('"a!b"@c.d', True), ('"a\\"b"@c.d', True), ('"a"b"@c.d', True),
        ("a@[1.2.3.4]", True), ("a@[255.255.255.255]", True), ("a@[256.1.1.1]", False),
        ("a@[1.2.3.a:b]", True), ("a@[1.2.3.4", False), ("a@-b.c", False), ("a@b-.c", False), ("a@b-b.c", True), ("a@b.c-", True),
        ("user@日本.jp", False), ("é@b.c", False), ("\x01@b.c", False), ('"\x01"@b.c', True),
        ("a\x01@b.c", False), ("a@b.c\x7f", True), ("@b.c", False), ("a@", False), ("", False),
    ],
}


@pytest.mark.parametrize("name", NAMES)
def test_edge_cases(name: str):
    strings = [s for s, _ in EDGE[name]]
    wrong = [(s, want) for s, want in EDGE[name] if ref(name, s) != want]
    assert not wrong, f"the expectations disagree with Deequ's original: {wrong}"
    compare_all(name, strings)


@pytest.mark.parametrize("name", NAMES)
def test_edge_cases_end_to_end(name: str):
    """Through AnalysisRunner + PatternMatch: one analyzer per row (``where`` picks it) and one on
    the whole column, all in one scan."""
    cases = EDGE[name]
    table = pa.table({"i": list(range(len(cases))), "c": [s for s, _ in cases]})
    per_row = [PatternMatch("c", getattr(Patterns, name), where=f"i = {k}") for k in range(len(cases))]
    whole = PatternMatch("c", getattr(Patterns, name))
    metrics = AnalysisRunner.on_data(table).add_analyzers([*per_row, whole]).run().metric_map
    got = [metrics[a].value for a in per_row]
    assert got == [1.0 if want else 0.0 for _, want in cases], [s for (s, w), g in zip(cases, got) if g != w]
    assert metrics[whole].value == sum(want for _, want in cases) / len(cases)


@pytest.mark.parametrize("name, value", [
    ("SOCIAL_SECURITY_NUMBER_US", "123-45-6789"), ("SOCIAL_SECURITY_NUMBER_US", "078-05-1120"),
    ("CREDITCARD", "4111-1111-1111-1111"), ("CREDITCARD", "4111-1111 1111-1111"),
    ("URL", "https://example.com"), ("EMAIL", "a@b.c"),
])
def test_single_row_pattern_match(name: str, value: str):
    """The brief's reproduction: a one-row table, the pattern by itself."""
    m = AnalysisRunner.on_data(pa.table({"c": [value]})).add_analyzer(PatternMatch("c", getattr(Patterns, name))).run()
    assert m.metric_map[PatternMatch("c", getattr(Patterns, name))].value == (1.0 if ref(name, value) else 0.0)
