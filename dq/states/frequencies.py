"""Exact frequency tables: the shared state of every grouping analyzer.

The table has one column per grouping column (typed as in the data) plus ``__count`` (rows in the
group) and optionally further ``__sum...`` columns (per-group sums, for Histogram with a sum
aggregate). It holds *every* group of the rows that passed ``where``, including the group whose
grouping columns are all NULL: Histogram reports that group as ``NullValue``; the other grouping
analyzers leave it out (Deequ's frequency-table definition).

Merging is exact: concatenate and re-group adding the counts (NULL and NaN keys group together,
as in the engines). Serialised as an Arrow IPC stream whose schema metadata carries type and version.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyarrow import ipc

from dq.errors import StateFormatError, StateMergeError
from dq.states.base import State, register_state

__all__ = ["COUNT", "Frequencies"]

COUNT = "__count"

#: the Arrow IPC end-of-stream marker (continuation token + zero length)
_EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"


def _knowledge(table: pa.Table) -> tuple[int, int]:
    """(columns, typed key columns): how much an empty table tells about the state's shape."""
    keys = [f for f in table.schema if not f.name.startswith("__")]
    return len(table.column_names), sum(not pa.types.is_null(f.type) for f in keys)


def _fold_negative_zero(table: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """-0.0 and 0.0 are one group in the engines (they compare equal) but two in pyarrow's hash
    grouping; adding 0.0 turns -0.0 into 0.0 and leaves every other float (NaN too) as it is."""
    for k in keys:
        col = table[k]
        if pa.types.is_floating(col.type):
            table = table.set_column(table.column_names.index(k), k, pa.compute.add(col, pa.scalar(0.0, col.type)))
    return table


def _rows(table: pa.Table) -> list[tuple]:
    """Rows as tuples with NaN replaced by a marker, so equal tables compare equal (NaN != NaN)."""
    nan = ("NaN",)
    cols = [[nan if isinstance(v, float) and v != v else v for v in table[c].to_pylist()]
            for c in table.column_names]
    return sorted(zip(*cols), key=repr)


@register_state
@dataclass(frozen=True, eq=False)
class Frequencies(State):
    TYPE = "Frequencies"
    columns: tuple[str, ...]
    table: pa.Table

    @classmethod
    def empty(cls, columns: tuple[str, ...]) -> Frequencies:
        fields = [pa.field(c, pa.null()) for c in columns] + [pa.field(COUNT, pa.int64())]
        return cls(tuple(columns), pa.schema(fields).empty_table())

    @property
    def is_empty(self) -> bool:
        return self.table.num_rows == 0

    @property
    def num_rows(self) -> int:
        """Rows in all groups, including the all-NULL group."""
        return int(pa.compute.sum(self.table[COUNT]).as_py() or 0) if self.table.num_rows else 0

    def merge(self, other: Frequencies) -> Frequencies:
        self._check_mergeable(other)
        if self.columns != other.columns:
            raise StateMergeError(f"cannot merge frequencies of {list(self.columns)} with {list(other.columns)}")
        # An empty state is the identity whatever its (possibly null-typed) columns; of two empty
        # states keep the one that knows more (typed keys, extra sum columns).
        if self.is_empty and other.is_empty:
            return self if _knowledge(self.table) >= _knowledge(other.table) else other
        if other.is_empty:
            return self
        if self.is_empty:
            return other
        if set(self.table.column_names) != set(other.table.column_names):
            raise StateMergeError(
                f"cannot merge frequency tables with columns {self.table.column_names} and {other.table.column_names}"
            )
        both = pa.concat_tables([self.table, other.table.select(self.table.column_names)],
                                promote_options="permissive")
        both = _fold_negative_zero(both, self.columns)
        value_cols = [c for c in both.column_names if c.startswith("__")]
        grouped = both.group_by(list(self.columns), use_threads=False).aggregate([(c, "sum") for c in value_cols])
        grouped = grouped.rename_columns([n[: -len("_sum")] if n.endswith("_sum") and n[:-4] in value_cols else n
                                          for n in grouped.column_names])
        return Frequencies(self.columns, grouped.select(self.table.column_names))

    # Equality of tables is by content, independent of row order: the same multiset of groups.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frequencies):
            return NotImplemented
        if self.columns != other.columns or self.table.column_names != other.table.column_names:
            return False
        if self.table.num_rows != other.table.num_rows:
            return False
        if self.table.num_rows and self.table.schema.types != other.table.schema.types:
            return False
        return _rows(self.table) == _rows(other.table)

    __hash__ = None  # type: ignore[assignment]  # a table is not hashable

    def payload(self) -> dict[str, Any]:  # pragma: no cover - Arrow, not JSON
        raise TypeError("Frequencies serialise as Arrow IPC; use to_bytes()")

    def to_bytes(self) -> bytes:
        meta = {b"dq.type": self.TYPE.encode(), b"dq.version": str(self.VERSION).encode(),
                b"dq.columns": json.dumps(list(self.columns)).encode(),
                b"dq.rows": str(self.table.num_rows).encode()}
        table = self.table.replace_schema_metadata(meta)
        sink = io.BytesIO()
        with ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)
        return sink.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Frequencies:
        # A stream cut after its schema message is still a valid, row-less IPC stream: require
        # the end-of-stream marker and the row count written in the metadata.
        if not data.endswith(_EOS):
            raise StateFormatError("corrupt Frequencies state: the Arrow stream is truncated (no end-of-stream marker)")
        try:
            table = ipc.open_stream(io.BytesIO(data)).read_all()
        except (pa.ArrowInvalid, OSError) as e:
            raise StateFormatError(f"corrupt Frequencies state: {e}") from None
        meta = table.schema.metadata or {}
        if meta.get(b"dq.type") != cls.TYPE.encode():
            raise StateFormatError(f"not a Frequencies state (type {meta.get(b'dq.type')!r})")
        try:
            version = int(meta.get(b"dq.version", b"0"))
            columns = tuple(json.loads(meta[b"dq.columns"]))
            rows = int(meta[b"dq.rows"]) if b"dq.rows" in meta else None
        except (ValueError, KeyError, TypeError) as e:
            raise StateFormatError(f"corrupt Frequencies state metadata: {e!r}") from None
        if not 1 <= version <= cls.VERSION:
            raise StateFormatError(f"Frequencies state version {version} is not supported (this dq reads 1..{cls.VERSION})")
        if not all(isinstance(c, str) for c in columns):
            raise StateFormatError("corrupt Frequencies state: column names must be strings")
        if COUNT not in table.column_names or any(c not in table.column_names for c in columns):
            raise StateFormatError("corrupt Frequencies state: missing columns")
        if rows is not None and rows != table.num_rows:
            raise StateFormatError(f"corrupt Frequencies state: {table.num_rows} rows, the metadata says {rows}")
        return cls(columns, table.replace_schema_metadata(None))
