"""Histogram keys on Spark spelled as DuckDB spells them.

A histogram's bins are keyed by the value as text, and ties in the top-N are broken by that text.
The runner turns a *state* (an Arrow frequency table) into a histogram with DuckDB, whatever engine
made the table, so the Spark backend must spell values as DuckDB's ``CAST(x AS VARCHAR)`` does, or
a metric computed directly on Spark would differ from the same metric computed from its state (and
from DuckDB's). Strings, integers, booleans, decimals, dates and naive timestamps already read the
same in both engines; doubles and instants (TIMESTAMP WITH TIME ZONE) do not:

* a double: DuckDB writes Python's ``repr`` (shortest round-trip digits; fixed notation for decimal
  exponents -4..15, else ``1e+20``; ``nan``, ``inf``), Spark writes Java's ``Double.toString``
  (``1.0E20``, ``NaN``, ``Infinity``; fixed notation only for 1e-3 <= |x| < 1e7). :func:`double_text`
  rewrites Java's text into Python's inside Spark (for ordering), and :func:`python_double_text`
  gives the key itself, from the value, in Python: JDK 17's ``Double.toString`` is not always the
  shortest spelling (JDK-4511638, fixed in 19), so the rewrite can order such a value differently
  among equal-count bins, never name it differently.
* an instant: DuckDB appends the UTC offset (``2024-01-01 10:00:00+00``, ``+05:30``).
"""

from __future__ import annotations

import math

from pyspark.sql import Column
from pyspark.sql import functions as F

__all__ = ["double_text", "instant_text", "python_double_text"]


def python_double_text(v: float) -> str:
    """DuckDB's text for a DOUBLE: Python's repr (nan, inf and -inf included)."""
    if math.isnan(v):
        return "nan"
    return repr(float(v))


def double_text(x: Column) -> Column:
    """A Spark string expression equal to :func:`python_double_text` of the DOUBLE ``x``."""
    j = x.cast("string")  # Java: [-]I.F or [-]D.DDDE[-]N
    neg = j.startswith("-")
    a = F.when(neg, F.substring(j, 2, 400)).otherwise(j)
    has_e = F.instr(a, "E") > 0
    mant = F.when(has_e, F.substring_index(a, "E", 1)).otherwise(a)
    exp10 = F.when(has_e, F.substring_index(a, "E", -1).cast("int")).otherwise(F.lit(0))
    ip = F.substring_index(mant, ".", 1)
    raw = F.concat(ip, F.substring_index(mant, ".", -1))
    unpadded = F.regexp_replace(raw, "^0+", "")
    lead = F.length(raw) - F.length(unpadded)
    digits = F.regexp_replace(unpadded, "0+$", "")
    # decimal exponent of the first significant digit (x = d.ddd × 10^e)
    e = exp10 + F.length(ip) - 1 - lead
    nd = F.length(digits)
    fixed_pos = F.concat(
        F.substring(F.rpad(digits, F.greatest(e + 1, nd), "0"), F.lit(1), e + 1), F.lit("."),
        F.when(nd > e + 1, F.substring(digits, e + 2, F.lit(400))).otherwise(F.lit("0")))
    fixed_neg = F.concat(F.lit("0."), F.repeat(F.lit("0"), -e - 1), digits)
    sci = F.concat(F.substring(digits, 1, 1),
                   F.when(nd > 1, F.concat(F.lit("."), F.substring(digits, F.lit(2), F.lit(400)))).otherwise(F.lit("")),
                   F.lit("e"), F.when(e < 0, F.lit("-")).otherwise(F.lit("+")),
                   F.when(F.abs(e) < 10, F.lit("0")).otherwise(F.lit("")), F.abs(e).cast("string"))
    body = (F.when(nd == 0, F.lit("0.0"))
            .when((e >= -4) & (e < 16), F.when(e >= 0, fixed_pos).otherwise(fixed_neg))
            .otherwise(sci))
    finite = F.concat(F.when(neg, F.lit("-")).otherwise(F.lit("")), body)
    return (F.when(x.isNull(), F.lit(None).cast("string"))
            .when(F.isnan(x), F.lit("nan"))
            .when(x == F.lit(math.inf), F.lit("inf"))
            .when(x == F.lit(-math.inf), F.lit("-inf"))
            .otherwise(finite))


def instant_text(x: Column) -> Column:
    """DuckDB's text for a TIMESTAMP WITH TIME ZONE, in the session's time zone: the local time
    and the offset as ``+HH`` (``+HH:MM`` when it has minutes)."""
    offset = F.regexp_replace(F.date_format(x, "xxx"), ":00$", "")
    return F.when(x.isNull(), F.lit(None).cast("string")).otherwise(F.concat(x.cast("string"), offset))
