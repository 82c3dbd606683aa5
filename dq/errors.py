"""Exceptions raised for user mistakes.

A user mistake (unknown column, wrong type, bad option, bad predicate) is an exception whose
message names what was expected, what was found, and the closest valid name. A metric that
cannot be computed from valid input is *not* an exception: it is a failed ``Metric``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

__all__ = [
    "ColumnNotFoundError",
    "ColumnTypeError",
    "DQError",
    "InvalidOptionError",
    "PredicateError",
    "StateFormatError",
    "StateMergeError",
    "UnsupportedDataError",
    "closest_names",
]


class DQError(Exception):
    """Base class of every error dq raises on purpose."""


class InvalidOptionError(DQError, ValueError):
    """An analyzer or runner option is outside its valid range."""

    def __init__(self, option: str, expected: str, found: object, *, owner: str | None = None):
        self.option = option
        self.expected = expected
        self.found = found
        where = f"{owner}: " if owner else ""
        super().__init__(f"{where}option '{option}' must be {expected}, but found {found!r}.")


def closest_names(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to ``name`` (case-insensitive first, then by similarity)."""
    cands = list(candidates)
    exact_ci = [c for c in cands if c.lower() == name.lower()]
    similar = difflib.get_close_matches(name, cands, n=n, cutoff=0.5)
    lowered = {c.lower(): c for c in cands}
    similar_ci = [lowered[c] for c in difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)]
    out: list[str] = []
    for c in exact_ci + similar + similar_ci:
        if c not in out:
            out.append(c)
    return out[:n]


def _suggest(name: str, candidates: Sequence[str]) -> str:
    close = closest_names(name, candidates)
    return f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


class ColumnNotFoundError(DQError, KeyError):
    """A column named by an analyzer, check or predicate is not in the data."""

    def __init__(self, column: str, available: Sequence[str], *, context: str | None = None):
        self.column = column
        self.available = list(available)
        self.suggestions = closest_names(column, self.available)
        ctx = f"{context}: " if context else ""
        shown = ", ".join(repr(c) for c in self.available[:30])
        more = f", ... ({len(self.available)} in all)" if len(self.available) > 30 else ""
        msg = f"{ctx}column {column!r} does not exist. Available columns: {shown}{more}.{_suggest(column, self.available)}"
        self.message = msg
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class ColumnTypeError(DQError, TypeError):
    """A column has a type the analyzer cannot work on."""

    def __init__(self, column: str, expected: str, found: str, *, context: str | None = None):
        self.column = column
        self.expected = expected
        self.found = found
        ctx = f"{context}: " if context else ""
        super().__init__(f"{ctx}column {column!r} must be {expected}, but its type is {found}.")


class PredicateError(DQError, ValueError):
    """A SQL predicate (``where``, ``satisfies``, Compliance) is not one boolean expression over known columns."""

    def __init__(self, predicate: str, problem: str, *, offending: str | None = None):
        self.predicate = predicate
        self.problem = problem
        self.offending = offending
        part = f" (at: {offending!r})" if offending else ""
        super().__init__(f"invalid predicate {predicate!r}: {problem}{part}")


class StateMergeError(DQError, ValueError):
    """Two states cannot be merged (different types, hashes, precisions or columns)."""


class StateFormatError(DQError, ValueError):
    """A serialised state or analyzer is corrupt, of an unknown type or of an unsupported version."""


class UnsupportedDataError(DQError, TypeError):
    """The object given as data is of a kind no backend can read."""
