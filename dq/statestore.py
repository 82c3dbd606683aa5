"""State stores: where per-partition states are kept between runs (Deequ's StateLoader and
StatePersister). Keys are analyzers; a directory store names each file by a hash of the analyzer's
full identity (including ``where`` and options) and writes atomically."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from dq._files import write_atomic
from dq.analyzers.base import Analyzer
from dq.errors import StateFormatError
from dq.states.base import State, dumps, loads

__all__ = ["DirectoryStateStore", "InMemoryStateStore", "StateStore", "analyzer_key"]


def analyzer_key(analyzer: Analyzer) -> str:
    ident = json.dumps(analyzer.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(ident.encode()).hexdigest()[:32]


class StateStore:
    def load(self, analyzer: Analyzer) -> State | None:  # pragma: no cover - interface
        raise NotImplementedError

    def save(self, analyzer: Analyzer, state: State) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class InMemoryStateStore(StateStore):
    def __init__(self) -> None:
        self._states: dict[Analyzer, State] = {}

    def load(self, analyzer: Analyzer) -> State | None:
        return self._states.get(analyzer)

    def save(self, analyzer: Analyzer, state: State) -> None:
        self._states[analyzer] = state

    def analyzers(self) -> list[Analyzer]:
        return list(self._states)


class DirectoryStateStore(StateStore):
    """One file per analyzer state: ``<key>.state`` (JSON or Arrow IPC) next to ``<key>.json``
    holding the analyzer identity, so a directory can be listed and audited. Writes go to a
    temporary file that is renamed into place, so a reader never sees a half-written state."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def _file(self, analyzer: Analyzer) -> Path:
        return self.path / f"{analyzer_key(analyzer)}.state"

    def load(self, analyzer: Analyzer) -> State | None:
        f = self._file(analyzer)
        try:
            data = f.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return loads(data)
        except StateFormatError as e:
            raise StateFormatError(f"{f}: {e}") from None

    def save(self, analyzer: Analyzer, state: State) -> None:
        key = self._file(analyzer)
        write_atomic(key.with_suffix(".json"),
                      json.dumps(analyzer.to_dict(), sort_keys=True, indent=1, default=str).encode())
        write_atomic(key, dumps(state))
