"""Backend-neutral column types, for the schema checks analyzers run before any scan."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dq.errors import ColumnNotFoundError, ColumnTypeError

__all__ = ["Column", "Kind", "Schema"]


class Kind(str, enum.Enum):
    INTEGRAL = "integral"
    FRACTIONAL = "fractional"  # float, double
    DECIMAL = "decimal"
    STRING = "string"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"
    TIME = "time"
    BINARY = "binary"
    NESTED = "nested"  # struct, list, map, union
    OTHER = "other"

    @property
    def is_numeric(self) -> bool:
        return self in (Kind.INTEGRAL, Kind.FRACTIONAL, Kind.DECIMAL)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    engine_type: str  # the engine's own spelling, for messages

    def describe(self) -> str:
        return f"{self.engine_type} ({self.kind.value})"


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]

    def __iter__(self) -> Iterator[Column]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def find(self, name: str) -> Column | None:
        """Exact match first; else a unique case-insensitive match (as DuckDB and Spark resolve names)."""
        for c in self.columns:
            if c.name == name:
                return c
        folded = [c for c in self.columns if c.name.lower() == name.lower()]
        return folded[0] if len(folded) == 1 else None

    def column(self, name: str, *, context: str | None = None) -> Column:
        c = self.find(name)
        if c is None:
            raise ColumnNotFoundError(name, self.names, context=context)
        return c

    def require(self, name: str, kinds: Sequence[Kind], expected: str, *, context: str | None = None) -> Column:
        c = self.column(name, context=context)
        if c.kind not in kinds:
            raise ColumnTypeError(name, expected, c.describe(), context=context)
        return c
