"""The State protocol and its versioned, language-neutral serialisation.

A state is an immutable value with

* ``merge(other)``: associative and commutative; ``state(A).merge(state(B)) == state(A ∪ B)``;
* an empty identity (``cls.empty(...)``; ``s.merge(empty) == s``) and ``is_empty``;
* ``to_dict()`` / ``from_dict()``: JSON numbers and strings (bytes as base64), versioned.

States whose natural form is a table (frequency tables) serialise as Arrow IPC instead, by
overriding ``to_bytes``/``from_bytes``. Nothing here uses pickle.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any, ClassVar, TypeVar

from dq.errors import StateFormatError, StateMergeError

__all__ = ["State", "b64", "count", "dumps", "jfloat", "loads", "pfloat", "register_state", "state_types", "unb64"]

S = TypeVar("S", bound="State")

_REGISTRY: dict[str, type[State]] = {}

#: Arrow IPC streams begin with this continuation marker; JSON states begin with '{'.
_ARROW_MAGIC = b"\xff\xff\xff\xff"


def register_state(cls: type[S]) -> type[S]:
    """Class decorator: make a state type loadable by name."""
    name = cls.TYPE
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise RuntimeError(f"state type {name!r} registered twice")
    _REGISTRY[name] = cls
    return cls


def state_types() -> dict[str, type[State]]:
    return dict(_REGISTRY)


class State:
    """Base class of every state. Subclasses are frozen dataclasses."""

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    def merge(self: S, other: S) -> S:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def is_empty(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_mergeable(self, other: State) -> None:
        if type(other) is not type(self):
            raise StateMergeError(
                f"cannot merge a {type(self).__name__} with a {type(other).__name__}: "
                "states merge only with states of the same analyzer"
            )

    # -- serialisation -------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def from_payload(cls: type[S], payload: dict[str, Any]) -> S:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.TYPE, "version": self.VERSION, **self.payload()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> State:
        try:
            kind = d["type"]
            version = d["version"]
        except (KeyError, TypeError) as e:
            raise StateFormatError(f"not a serialised dq state (missing {e})") from None
        target = _REGISTRY.get(kind)
        if target is None:
            raise StateFormatError(f"unknown state type {kind!r}; known: {sorted(_REGISTRY)}")
        if cls is not State and target is not cls:
            raise StateFormatError(f"expected a {cls.TYPE} state, found {kind!r}")
        if type(version) is not int or version > target.VERSION or version < 1:
            raise StateFormatError(
                f"{kind} state version {version!r} is not supported (this dq reads versions 1..{target.VERSION})"
            )
        body = {k: v for k, v in d.items() if k not in ("type", "version")}
        try:
            return target.from_payload(body)
        except StateFormatError:
            raise
        except Exception as e:  # a corrupt payload is a format error, not a crash
            raise StateFormatError(f"corrupt {kind} state: {e}") from e

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), allow_nan=False, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> State:
        state = loads(data)
        if cls is not State and type(state) is not cls:
            raise StateFormatError(f"expected a {cls.TYPE} state, found {state.TYPE!r}")
        return state


def dumps(state: State) -> bytes:
    """Serialise a state to bytes (JSON, or Arrow IPC for table states)."""
    return state.to_bytes()


def loads(data: bytes) -> State:
    """Inverse of :func:`dumps`."""
    if data[:4] == _ARROW_MAGIC:
        from dq.states.frequencies import Frequencies

        return Frequencies.from_bytes(data)
    try:
        d = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StateFormatError(f"corrupt state: not JSON or Arrow ({e})") from None
    return State.from_dict(d)


def count(x: Any, name: str = "count") -> int:
    """A serialised count: a non-negative integer, never coerced from a float or a bool."""
    if type(x) is not int or x < 0:
        raise StateFormatError(f"{name} must be a non-negative integer, found {x!r}")
    return x


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def jfloat(x: float | None) -> float | str | None:
    """A float as JSON: NaN and infinities become strings (JSON has no such numbers)."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def pfloat(x: float | str | None) -> float | None:
    """Inverse of :func:`jfloat`."""
    if x is None:
        return None
    return float(x)
