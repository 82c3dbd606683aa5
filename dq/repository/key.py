"""ResultKey: when a result was computed and for which dataset (Deequ's ``ResultKey``)."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dq.errors import InvalidOptionError

__all__ = ["ResultKey", "Tags", "to_utc"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def to_utc(value: Any, option: str = "timestamp") -> _dt.datetime:
    """An aware UTC datetime from an aware datetime (converted), a naive one (taken as UTC), a
    date (midnight UTC) or an int of milliseconds since the epoch (Deequ's ``dataSetDate``)."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        else:
            value = value.astimezone(_dt.timezone.utc)
        # a plain datetime (a pandas Timestamp's nanoseconds are dropped): keys compare, hash and
        # store the same whatever type they came from
        return _dt.datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                            value.microsecond, tzinfo=_dt.timezone.utc)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc)
    if isinstance(value, int) and not isinstance(value, bool):
        # exact integer arithmetic: no float rounding of large millisecond counts
        return _EPOCH + _dt.timedelta(milliseconds=value)
    raise InvalidOptionError(option, "a datetime (naive = UTC), a date, or an int of milliseconds since the epoch",
                             value)


class Tags(Mapping[str, str]):
    """An immutable, hashable str -> str mapping (a result key's tags). Equal to a dict with the
    same items."""

    __slots__ = ("_items",)

    def __init__(self, tags: Mapping[str, str] | None = None):
        tags = {} if tags is None else tags
        if not isinstance(tags, Mapping):
            raise InvalidOptionError("tags", "a mapping of str to str (e.g. {'dataset': 'orders'})", tags)
        for k, v in tags.items():
            if not isinstance(k, str) or not k:
                raise InvalidOptionError("tags", "non-empty strings as tag names", k)
            if not isinstance(v, str) or not v:
                raise InvalidOptionError("tags", f"non-empty strings as tag values (tag {k!r})", v)
        self._items = dict(sorted(tags.items()))

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __repr__(self) -> str:
        return repr(self._items)

    def matches(self, wanted: Mapping[str, str]) -> bool:
        """Deequ's tag filter: every wanted (name, value) is among these tags (a subset match)."""
        return all(self._items.get(k) == v for k, v in wanted.items())

    def canonical(self) -> str:
        """Sorted, compact JSON: the same tags always give the same text (used in keys and hashes)."""
        return json.dumps(self._items, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class ResultKey:
    """The key of one saved result: a timestamp (an aware UTC datetime) and tags.

    ``timestamp`` accepts an aware datetime (converted to UTC), a naive datetime (taken as UTC),
    a date (midnight UTC) or an int of milliseconds since the epoch, which is Deequ's
    ``dataSetDate``. Precision is microseconds. Tags are non-empty strings, e.g.
    ``{"dataset": "orders", "region": "EU"}``. Use ``ResultKey.now(tags)`` for the current time;
    there is deliberately no default timestamp."""

    timestamp: _dt.datetime
    tags: Tags = Tags()

    def __post_init__(self) -> None:
        object.__setattr__(self, "timestamp", to_utc(self.timestamp))
        if not isinstance(self.tags, Tags):
            object.__setattr__(self, "tags", Tags(self.tags))

    @classmethod
    def now(cls, tags: Mapping[str, str] | None = None) -> ResultKey:
        return cls(_dt.datetime.now(_dt.timezone.utc), Tags(tags))

    @property
    def epoch_ms(self) -> int:
        """Milliseconds since the epoch (Deequ's ``dataSetDate``), rounded down."""
        return (self.timestamp - _EPOCH) // _dt.timedelta(milliseconds=1)

    @property
    def epoch_us(self) -> int:
        return (self.timestamp - _EPOCH) // _dt.timedelta(microseconds=1)

    def to_dict(self) -> dict[str, Any]:
        return {"timestamp": self.timestamp.isoformat(timespec="microseconds"), "tags": dict(self.tags)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ResultKey:
        return cls(_dt.datetime.fromisoformat(d["timestamp"]), Tags(d.get("tags") or {}))

    def __repr__(self) -> str:
        return f"ResultKey({self.timestamp.isoformat()}, {dict(self.tags)!r})"
