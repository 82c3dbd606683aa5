"""Errors of the metrics repositories."""

from __future__ import annotations

from dq.errors import DQError, StateFormatError

__all__ = ["RepositoryCorruptError", "RepositoryCorruptWarning", "RepositoryError", "RepositoryLockedError"]


class RepositoryError(DQError):
    """A metrics repository cannot do what was asked (base class)."""


class RepositoryCorruptError(RepositoryError, StateFormatError):
    """A stored result cannot be read: not JSON, not a dq result, or written by a newer dq.
    ``path`` names the file (or the database file and the result's key). The file is left as it
    is: dq never overwrites or deletes a result it cannot read."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class RepositoryLockedError(RepositoryError):
    """Another process kept the repository locked for longer than the repository waits."""


class RepositoryCorruptWarning(UserWarning):
    """A stored result could not be read and was skipped (repositories with on_corrupt="warn")."""
