"""Nothing is lost: atomic saves (a writer killed mid-save), concurrent writers in two processes,
lock time-outs, and corrupt results reported with their path and never overwritten."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from repo_helpers import context, day
from repo_worker import key, result_context

from dq.repository import (
    DuckDBMetricsRepository,
    FileSystemMetricsRepository,
    RepositoryCorruptError,
    RepositoryCorruptWarning,
    RepositoryError,
    RepositoryLockedError,
    ResultKey,
)

WORKER = str(Path(__file__).with_name("repo_worker.py"))
PERSISTENT = ["duckdb", "filesystem"]


def _path(kind: str, tmp_path: Path) -> str:
    return str(tmp_path / ("metrics.duckdb" if kind == "duckdb" else "metrics"))


def _open(kind: str, path: str):
    return DuckDBMetricsRepository(path) if kind == "duckdb" else FileSystemMetricsRepository(path)


def _worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, WORKER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _assert_complete(results, writer: str | None = None) -> None:
    """Every result present is whole: all its metrics, with the values that were saved."""
    for r in results:
        i = round(r.metric(next(a for a in r.context.metric_map if a.name == "Size" and a.where is None)).value)
        assert r.key == key(i, writer)
        assert r.context.metric_map == result_context(i).metric_map


@pytest.mark.parametrize("kind", PERSISTENT)
def test_a_writer_killed_mid_save_leaves_a_readable_history(kind, tmp_path):
    path = _path(kind, tmp_path)
    _open(kind, path)  # create it, so the kill happens during saves, not during creation
    for round_, delay in enumerate((0.0, 0.003, 0.009)):
        proc = _worker("loop", kind, path)
        done = -1
        target = 8 * (round_ + 1)
        while done < target:  # let it save a few results past the previous round's
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            done = int(line)
        time.sleep(delay)  # then kill it somewhere inside one of the next saves
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # every save it confirmed before it died (it kept saving while we read)
        done = max([done, *(int(x) for x in proc.stdout.read().split())])
        proc.stdout.close()
        proc.stderr.close()
        results = _open(kind, path).load().get()
        saved = {r.key for r in results}
        # every confirmed save is there; at most the interrupted one (done + 1) may or may not be
        assert {key(i) for i in range(done + 1)} <= saved <= {key(i) for i in range(done + 2)}
        _assert_complete(results)
    # the repository still works after the crashes
    repo = _open(kind, path)
    repo.save(ResultKey(day(0)), context(1))
    assert repo.load_by_key(ResultKey(day(0))) is not None


CRASH_POINTS = [("duckdb", f"execute:{n}") for n in range(1, 7)] + [
    ("filesystem", p) for p in ("fsync:1", "replace:1", "fsync:2")]


@pytest.mark.parametrize(("kind", "point"), CRASH_POINTS)
def test_a_save_killed_at_each_step_leaves_the_old_or_the_new_result(kind, point, tmp_path):
    """Deterministic crash points inside a save that replaces a result: DuckDB after each
    statement of the save (BEGIN, 2 DELETEs, 2 INSERTs, COMMIT), the directory around the write
    and the rename. The result read afterwards is the old one or the new one, whole."""
    path = _path(kind, tmp_path)
    _open(kind, path).save(key(0), result_context(0))
    proc = _worker("crash", kind, path, point)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL and "survived" not in out, err
    repo = _open(kind, path)
    got = repo.load_by_key(key(0)).metric_map
    assert got in (result_context(0).metric_map, result_context(1).metric_map)
    if point in ("execute:6", "fsync:2"):  # after the commit / the rename: the new one
        assert got == result_context(1).metric_map
    assert [r.key for r in repo.load().get()] == [key(0)]


@pytest.mark.parametrize("kind", PERSISTENT)
def test_two_processes_saving_at_the_same_time_lose_nothing(kind, tmp_path):
    path = _path(kind, tmp_path)
    _open(kind, path)
    go = tmp_path / "go"
    procs = [_worker("batch", kind, path, w, "50", str(go)) for w in ("a", "b")]
    for p in procs:
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
    go.touch()  # both start saving now
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and out.strip() == "done", err
    repo = _open(kind, path)
    for w in ("a", "b"):
        results = repo.load().with_tag_values({"writer": w}).get()
        assert [r.key for r in results] == [key(i, w) for i in range(50)]
        _assert_complete(results, w)
    assert len(repo.load().get()) == 100


def test_duckdb_waits_for_a_lock_then_says_who_holds_it(tmp_path):
    path = tmp_path / "metrics.duckdb"
    DuckDBMetricsRepository(path)
    holder = _worker("hold", str(path), "1.5")
    assert holder.stdout.readline().strip() == "holding"
    start = time.monotonic()
    with pytest.raises(RepositoryLockedError, match="metrics.duckdb.*another process") as e:
        DuckDBMetricsRepository(path, lock_timeout=0.3).save(ResultKey(day(0)), context(1))
    assert 0.3 <= time.monotonic() - start < 1.4
    assert "PID" in str(e.value) or "lock" in str(e.value).lower()
    # with a longer time-out the save waits for the holder to finish, and succeeds
    patient = DuckDBMetricsRepository(path, lock_timeout=30)
    patient.save(ResultKey(day(0)), context(1))
    holder.communicate(timeout=30)
    assert patient.load_by_key(ResultKey(day(0))) is not None


# -- corrupt results ---------------------------------------------------------------------------

def _fs_with_two_results(tmp_path: Path) -> tuple[FileSystemMetricsRepository, Path, bytes]:
    repo = FileSystemMetricsRepository(tmp_path / "metrics")
    repo.save(ResultKey(day(0)), context(1))
    repo.save(ResultKey(day(1)), context(2))
    bad = repo.path_for(ResultKey(day(1)))
    return repo, bad, bad.read_bytes()


def _bad_documents(good: bytes) -> dict[str, bytes]:
    doc = json.loads(good)
    newer = {**doc, "version": 99}
    foreign = {**doc, "format": "something.else"}
    unknown = json.loads(good)
    unknown["metrics"][0]["analyzer"]["analyzer"] = "NoSuchAnalyzer"
    bad_value = json.loads(good)
    bad_value["metrics"][0]["value"] = "lots"
    moved = json.loads(good)
    moved["key"]["timestamp"] = "2030-01-01T00:00:00+00:00"
    return {
        "truncated": good[: len(good) // 2],
        "not utf-8": b"\xff\xfe\x00garbage",
        "empty": b"",
        "newer version": json.dumps(newer).encode(),
        "not a dq result": json.dumps(foreign).encode(),
        "unknown analyzer": json.dumps(unknown).encode(),
        "bad value": json.dumps(bad_value).encode(),
        "key of another file": json.dumps(moved).encode(),
    }


@pytest.mark.parametrize("case", ["truncated", "not utf-8", "empty", "newer version", "not a dq result",
                                  "unknown analyzer", "bad value", "key of another file"])
def test_a_corrupt_file_is_reported_with_its_path_and_never_overwritten(case, tmp_path):
    repo, bad, good = _fs_with_two_results(tmp_path)
    content = _bad_documents(good)[case]
    bad.write_bytes(content)
    with pytest.raises(RepositoryCorruptError) as e:
        repo.load().get()
    assert str(bad) in str(e.value) and e.value.path == str(bad)
    with pytest.raises(RepositoryCorruptError, match=bad.name):
        repo.load_by_key(ResultKey(day(1)))
    with pytest.raises(RepositoryCorruptError, match="Not overwritten"):
        repo.save(ResultKey(day(1)), context(3))
    # warn instead of raise: the readable results are still there
    lenient = FileSystemMetricsRepository(repo.directory, on_corrupt="warn")
    with pytest.warns(RepositoryCorruptWarning, match=bad.name):
        assert [r.key for r in lenient.load().get()] == [ResultKey(day(0))]
    # retention and delete leave it alone too
    with pytest.warns(RepositoryCorruptWarning, match=bad.name):
        assert repo.retain(max_count=0) == 1
    with pytest.raises(RepositoryCorruptError):
        repo.delete(ResultKey(day(1)))
    assert bad.read_bytes() == content


def test_the_directory_ignores_other_files_and_leftover_temporary_files(tmp_path):
    repo, bad, good = _fs_with_two_results(tmp_path)
    (repo.directory / f".{bad.name}.abc123.tmp").write_bytes(good[:10])  # a save that was killed
    (repo.directory / "README.txt").write_text("metrics of the orders pipeline")
    assert len(repo.load().get()) == 2


def test_duckdb_a_file_that_is_not_a_database_is_reported_and_left_alone(tmp_path):
    path = tmp_path / "metrics.duckdb"
    path.write_bytes(b"this is not a database")
    with pytest.raises(RepositoryCorruptError, match="metrics.duckdb"):
        DuckDBMetricsRepository(path)
    assert path.read_bytes() == b"this is not a database"


def test_duckdb_a_corrupt_row_is_reported_and_never_overwritten(tmp_path):
    path = tmp_path / "metrics.duckdb"
    repo = DuckDBMetricsRepository(path)
    repo.save(ResultKey(day(0)), context(1))
    repo.save(ResultKey(day(1)), context(2, 0.5))
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE dq_metrics SET value = '\"lots\"' WHERE epoch_us(\"timestamp\") = ? AND position = 0",
                    [ResultKey(day(1)).epoch_us])
    with pytest.raises(RepositoryCorruptError, match="metrics.duckdb.*lots"):
        repo.load().get()
    with pytest.raises(RepositoryCorruptError, match="metrics.duckdb"):
        repo.load_by_key(ResultKey(day(1)))
    lenient = DuckDBMetricsRepository(path, on_corrupt="warn")
    with pytest.warns(RepositoryCorruptWarning, match="metrics.duckdb"):
        assert [r.key for r in lenient.load().get()] == [ResultKey(day(0))]
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT count(*) FROM dq_metrics WHERE value = '\"lots\"'").fetchone() == (1,)


def test_duckdb_a_newer_format_is_refused(tmp_path):
    path = tmp_path / "metrics.duckdb"
    DuckDBMetricsRepository(path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE dq_repository SET version = 2")
    with pytest.raises(RepositoryCorruptError, match="version 2 by a newer dq"):
        DuckDBMetricsRepository(path)


def test_duckdb_other_tables_in_the_file_are_kept(tmp_path):
    path = tmp_path / "pipeline.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE orders AS SELECT 1 AS id")
    repo = DuckDBMetricsRepository(path)
    repo.save(ResultKey(day(0)), context(1))
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT * FROM orders").fetchall() == [(1,)]
        # the stored rows are plain SQL values: a double metric is value::DOUBLE
        assert con.execute("SELECT name, value::DOUBLE, analyzer->>'analyzer' FROM dq_metrics").fetchall() == [
            ("Size", 1.0, "Size")]


def test_a_tag_hash_collision_never_replaces_the_other_result(tmp_path, monkeypatch):
    import dq.repository.filesystem as fs

    repo = FileSystemMetricsRepository(tmp_path / "metrics")
    monkeypatch.setattr(fs, "tags_digest", lambda tags: "0123456789abcdef")
    repo.save(ResultKey(day(0), {"dataset": "a"}), context(1))
    with pytest.raises(RepositoryError, match="hash"):
        repo.save(ResultKey(day(0), {"dataset": "b"}), context(2))
    assert repo.load_by_key(ResultKey(day(0), {"dataset": "b"})) is None
    assert repo.load_by_key(ResultKey(day(0), {"dataset": "a"})).metric_map == context(1).metric_map
