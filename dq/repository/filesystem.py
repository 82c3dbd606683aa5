"""FileSystemMetricsRepository: a directory with one JSON file per result.

File name: ``<UTC timestamp>-<tags hash>.json``, e.g. ``20240501T060000000000Z-9f86d081884c7d65.json``
(the timestamp to the microsecond, so names sort by time; the hash is the first 16 hex digits of
the SHA-256 of the tags as sorted compact JSON). The content is the versioned document described
in ``dq.repository.result``. Deequ keeps the whole history in one JSON file that every save
rewrites (#187); here a save writes one small file, whatever the size of the history.

Safety:
- a save writes a temporary file (``.<name>.<random>.tmp`` in the same directory), fsyncs it and
  renames it over the target (``os.replace``), then fsyncs the directory: a reader sees the old
  result or the new one, never half a file; a writer killed mid-save leaves at most a temporary
  file, which readers ignore;
- two processes saving different keys write different files; the same key: the last rename wins
  with a complete result (the replace semantics of ``save``);
- a file that cannot be read is reported with its path (``RepositoryCorruptError``, or a
  ``RepositoryCorruptWarning`` and the file is skipped with ``on_corrupt="warn"``) and is never
  overwritten or deleted: saving under its key raises, and retention leaves it alone.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from dq._files import write_atomic
from dq.analyzers.base import Analyzer
from dq.errors import InvalidOptionError
from dq.repository.base import MetricsRepository
from dq.repository.errors import RepositoryCorruptError, RepositoryCorruptWarning, RepositoryError
from dq.repository.key import ResultKey, Tags
from dq.repository.result import AnalysisResult, _Bad, decode_result, dumps, encode_result
from dq.runner import AnalyzerContext

__all__ = ["FileSystemMetricsRepository"]

_NAME = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{6})Z-[0-9a-f]{16}\.json$")


def _check_on_corrupt(on_corrupt: str) -> str:
    if on_corrupt not in ("raise", "warn"):
        raise InvalidOptionError("on_corrupt", "'raise' or 'warn'", on_corrupt)
    return on_corrupt


def tags_digest(tags: Tags) -> str:
    return hashlib.sha256(tags.canonical().encode("utf-8")).hexdigest()[:16]


def file_name(key: ResultKey) -> str:
    t = key.timestamp
    digest = tags_digest(key.tags)
    return (f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}"
            f"{t.microsecond:06d}Z-{digest}.json")


def _time_of(name: str) -> _dt.datetime | None:
    m = _NAME.match(name)
    if m is None:
        return None
    try:
        return _dt.datetime(*(int(g) for g in m.groups()), tzinfo=_dt.timezone.utc)
    except ValueError:  # e.g. month 13: not a name dq wrote; reading the file will say so
        return _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)


class FileSystemMetricsRepository(MetricsRepository):
    """Results as JSON files in ``directory`` (created if missing). Files whose names do not look
    like results (other files, temporary files of unfinished saves) are ignored."""

    def __init__(self, directory: str | os.PathLike[str], *, on_corrupt: str = "raise",
                 max_age: _dt.timedelta | None = None, max_count: int | None = None):
        super().__init__(max_age=max_age, max_count=max_count)
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.on_corrupt = _check_on_corrupt(on_corrupt)

    def path_for(self, key: ResultKey) -> Path:
        return self.directory / file_name(key)

    def _load_file(self, path: Path) -> AnalysisResult:
        """Raises FileNotFoundError (deleted meanwhile) or RepositoryCorruptError."""
        data = path.read_bytes()
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise RepositoryCorruptError(str(path), f"not a JSON document ({e}); the file was left as it is") from None
        try:
            r = decode_result(doc)
        except _Bad as e:
            raise RepositoryCorruptError(str(path), f"{e}; the file was left as it is") from None
        if file_name(r.key) != path.name:
            raise RepositoryCorruptError(str(path), f"holds the result of {r.key!r}, whose file is "
                                                    f"{file_name(r.key)}; the file was left as it is")
        return r

    def _write(self, key: ResultKey, ctx: AnalyzerContext, run_status: str | None) -> None:
        target = self.path_for(key)
        data = dumps(encode_result(key, ctx, run_status)).encode("utf-8")
        try:
            old = self._load_file(target)  # an unreadable file under this key is reported, never overwritten
        except FileNotFoundError:
            pass
        except RepositoryCorruptError as e:
            raise RepositoryCorruptError(e.path, f"{e.problem}. Not overwritten by the save of {key!r}: "
                                                 f"move the file away to save under this key") from None
        else:
            if old.key != key:  # two tag sets with the same 64-bit hash: never replace the other one
                raise RepositoryError(f"{target}: holds {old.key!r}, whose tags hash like those of {key!r}; "
                                      f"not overwritten")
        write_atomic(target, data)

    def _read(self, key: ResultKey) -> AnalysisResult | None:
        try:
            r = self._load_file(self.path_for(key))
        except FileNotFoundError:
            return None
        return r if r.key == key else None  # a hash collision holds another key

    def _scan(self, after: _dt.datetime | None, before: _dt.datetime | None,
              analyzers: Sequence[Analyzer] | None, *, on_corrupt: str | None = None) -> Iterable[AnalysisResult]:
        on_corrupt = on_corrupt or self.on_corrupt
        for name in sorted(os.listdir(self.directory)):
            t = _time_of(name)
            if t is None or (after is not None and t < after) or (before is not None and t > before):
                continue
            try:
                yield self._load_file(self.directory / name)
            except FileNotFoundError:  # deleted by another process since the listing
                continue
            except RepositoryCorruptError as e:
                if on_corrupt == "raise":
                    raise
                warnings.warn(str(e), RepositoryCorruptWarning, stacklevel=3)

    def _remove(self, keys: Sequence[ResultKey]) -> None:
        for key in keys:
            path = self.path_for(key)
            try:
                self._load_file(path)  # never delete what cannot be read
            except FileNotFoundError:
                continue
            path.unlink(missing_ok=True)

    def __repr__(self) -> str:
        return f"FileSystemMetricsRepository({str(self.directory)!r})"
