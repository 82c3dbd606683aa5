"""A separate process that writes to a repository, for the crash and concurrency tests.

    python repo_worker.py loop  KIND PATH              save day 0, 1, 2, ... until killed; print i after each save
    python repo_worker.py batch KIND PATH WRITER N GO  wait for file GO, save N results tagged writer=WRITER
    python repo_worker.py hold  PATH SECONDS           keep the DuckDB file open (and locked) for a while
    python repo_worker.py crash KIND PATH POINT        replace key(0)'s result and die at POINT (see crash_during_save)
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from dq.analyzers import ApproxQuantiles, Completeness, Histogram, Size
from dq.metrics import Distribution, DistributionValue, Entity, KeyedValues, Metric
from dq.repository import DuckDBMetricsRepository, FileSystemMetricsRepository, ResultKey
from dq.runner import AnalyzerContext

HISTOGRAM = Histogram("s", where="x > 0")


def result_context(i: int) -> AnalyzerContext:
    """The context saved as result ``i``: several metrics, so a save has work to be cut short in."""
    metrics = {
        Size(): Metric(Entity.DATASET, "*", "Size", float(i)),
        Completeness("x", where="y > 0"): Metric(Entity.COLUMN, "x", "Completeness", 1 / (i + 1)),
        HISTOGRAM: Metric(Entity.COLUMN, "s", "Histogram", Distribution(
            {f"v{k}": DistributionValue(k, k / 100) for k in range(50)}, 50)),
        ApproxQuantiles("y", (0.5,)): Metric(Entity.COLUMN, "y", "ApproxQuantiles", KeyedValues({"0.5": i / 2})),
    }
    for k in range(20):
        metrics[Size(where=f"x > {k}")] = Metric(Entity.DATASET, "*", "Size", float(i * k))
    return AnalyzerContext(metrics)


def key(i: int, writer: str | None = None) -> ResultKey:
    return ResultKey(1_700_000_000_000 + i * 3_600_000, {"writer": writer} if writer else {"dataset": "d"})


def open_repo(kind: str, path: str):
    return DuckDBMetricsRepository(path) if kind == "duckdb" else FileSystemMetricsRepository(path)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _CrashingConnection:
    """A DuckDB connection that kills its process right after its ``after``-th statement."""

    count = 0

    def __init__(self, con, after: int):
        self._con, self._after = con, after

    def execute(self, *args, **kwargs):
        result = self._con.execute(*args, **kwargs)
        _CrashingConnection.count += 1
        if _CrashingConnection.count == self._after:
            _die()
        return result

    def __getattr__(self, name):
        return getattr(self._con, name)


def crash_during_save(kind: str, path: str, point: str) -> None:
    """Replace key(0)'s result with result_context(1), dying at ``point``: for DuckDB after
    statement N of the save; for the directory at the n-th call of os.fsync or os.replace
    ("fsync:1" is after the temporary file's data is written, "replace:1" before the rename,
    "fsync:2" after the rename, before the directory is synced)."""
    repo = open_repo(kind, path)
    name, n = point.split(":")
    if kind == "duckdb":
        import duckdb

        connect = duckdb.connect
        duckdb.connect = lambda *args, **kwargs: _CrashingConnection(connect(*args, **kwargs), int(n))
    else:
        real = getattr(os, name)
        calls = [0]

        def crashing(*args, **kwargs):
            calls[0] += 1
            if calls[0] == int(n):
                _die()
            return real(*args, **kwargs)

        setattr(os, name, crashing)
    repo.save(key(0), result_context(1))
    print("survived", flush=True)


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "crash":
        crash_during_save(*argv[1:4])
        return
    if mode == "loop":
        repo = open_repo(argv[1], argv[2])
        i = 0
        while True:
            repo.save(key(i), result_context(i))
            print(i, flush=True)
            i += 1
    elif mode == "batch":
        repo = open_repo(argv[1], argv[2])
        writer, n, go = argv[3], int(argv[4]), Path(argv[5])
        print("ready", flush=True)
        while not go.exists():
            time.sleep(0.001)
        for i in range(n):
            repo.save(key(i, writer), result_context(i))
        print("done", flush=True)
    elif mode == "hold":
        import duckdb

        con = duckdb.connect(argv[1])
        print("holding", flush=True)
        time.sleep(float(argv[2]))
        con.close()
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
