"""The quality gate: publish only after the checks passed, fail closed on every error, report."""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dq import Check, CheckLevel, CheckStatus, Gate, GateError
from dq.checks import at_least
from dq.cli import main as cli
from dq.errors import InvalidOptionError
from dq.gate import GATE_REPORT_SCHEMA, move_into_place
from dq.repository import FileSystemMetricsRepository, ResultKey

GOOD = pa.table({"id": [1, 2, 3, 4], "amount": [10.0, 0.5, 3.0, None], "country": ["DE", "FR", "DE", "US"]})
BAD = pa.table({"id": [1, 2, 2, None], "amount": [10.0, -0.5, 3.0, None], "country": ["DE", "FR", "XX", "US"]})

ERRORS = (Check(CheckLevel.ERROR, "keys").is_complete("id").is_unique("id")
          .is_non_negative("amount"))
WARNINGS = Check(CheckLevel.WARNING, "countries").is_contained_in("country", ["DE", "FR", "US"])


def stage(tmp_path, table: pa.Table, name: str = "orders.parquet") -> str:
    path = tmp_path / "staging" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return str(path)


def test_passing_dataset_is_published(tmp_path):
    staged = stage(tmp_path, GOOD)
    target = tmp_path / "published" / "orders.parquet"
    result = Gate([ERRORS, WARNINGS]).run(staged, publish=move_into_place(staged, target))
    assert result.published and result.decision == "published" and result.status is CheckStatus.SUCCESS
    assert not os.path.exists(staged) and pq.read_table(target).equals(GOOD)
    assert result.raise_for_status() is result


def test_failing_error_check_blocks_and_keeps_the_staged_data(tmp_path):
    staged = stage(tmp_path, BAD)
    target = tmp_path / "published" / "orders.parquet"
    calls = []
    result = Gate([ERRORS, WARNINGS]).run(staged, publish=lambda: calls.append(1))
    assert not result.published and result.decision == "failed checks" and calls == []
    assert result.status is CheckStatus.ERROR and os.path.exists(staged) and not target.exists()
    # the reason names the failing Error-level constraints (not the Warning-level one)
    assert len(result.failed_constraints) == 3, result.failed_constraints
    assert all(f.startswith("keys: ") for f in result.failed_constraints)
    assert "3 constraint(s) failed, the first: keys: CompletenessConstraint" in result.reason
    with pytest.raises(GateError, match="not published: verification status Error") as info:
        result.raise_for_status()
    assert info.value.result is result


def test_warnings_publish_unless_fail_on_warning(tmp_path):
    data = GOOD.set_column(2, "country", pa.array(["DE", "FR", "XX", "US"]))
    published = []
    r = Gate([ERRORS, WARNINGS]).run(data, publish=lambda: published.append("x"))
    assert r.published and r.status is CheckStatus.WARNING and published == ["x"]
    r = Gate([ERRORS, WARNINGS], fail_on="warning").run(data, publish=lambda: published.append("y"))
    assert not r.published and r.decision == "failed checks" and published == ["x"]
    assert r.failed_constraints and r.failed_constraints[0].startswith("countries: ")


def test_missing_column_fails_closed(tmp_path):
    result = Gate(Check(CheckLevel.ERROR, "c").is_complete("amuont")).run(GOOD, publish=lambda: 1 / 0)
    assert not result.published and result.decision == "failed checks"
    assert "amuont" in result.reason and "amount" in result.reason  # names it, suggests the closest


@pytest.mark.parametrize("data", ["/nonexistent/staged.parquet", "corrupt"])
def test_unreadable_data_is_a_verification_error_never_published(tmp_path, data):
    if data == "corrupt":
        data = str(tmp_path / "corrupt.parquet")
        with open(data, "wb") as f:
            f.write(b"PAR1 this is not parquet")
    calls = []
    result = Gate([ERRORS]).run(data, publish=lambda: calls.append(1))
    assert not result.published and result.decision == "verification error" and calls == []
    assert result.error is not None and result.verification is None
    with pytest.raises(GateError) as info:
        result.raise_for_status()
    assert info.value.__cause__ is result.error


def test_a_failing_publish_step_is_not_published(tmp_path):
    def publish():
        raise PermissionError("access denied to s3://bucket/published/")
    result = Gate([ERRORS]).run(GOOD, publish=publish)
    assert not result.published and result.decision == "publish error"
    assert "access denied" in result.reason and isinstance(result.error, PermissionError)


def test_keyboard_interrupt_propagates_without_publishing(tmp_path, monkeypatch):
    gate = Gate([ERRORS])

    def interrupted(data):
        raise KeyboardInterrupt
    monkeypatch.setattr(gate, "verify", interrupted)
    calls = []
    with pytest.raises(KeyboardInterrupt):
        gate.run(GOOD, publish=lambda: calls.append(1))
    assert calls == []


def test_configuration_mistakes_are_errors_before_any_data(tmp_path):
    with pytest.raises(InvalidOptionError, match="at least one constraint"):
        Gate([Check(CheckLevel.ERROR, "empty")])
    with pytest.raises(InvalidOptionError, match="fail_on"):
        Gate([ERRORS], fail_on="warn")
    with pytest.raises(InvalidOptionError, match="Checks or paths"):
        Gate([ERRORS, 42])
    with pytest.raises(InvalidOptionError, match="repository"):
        Gate([ERRORS], result_key=ResultKey(0))
    with pytest.raises(InvalidOptionError, match="publish"):
        Gate([ERRORS]).run(GOOD, publish="published/orders.parquet")


def test_report_is_written_for_every_outcome(tmp_path):
    report = tmp_path / "reports" / "gate.json"
    gate = Gate([ERRORS], report=report)
    for data, published, decision in [(GOOD, True, "published"), (BAD, False, "failed checks"),
                                      ("/nonexistent.parquet", False, "verification error")]:
        result = gate.run(data)
        assert result.report_path == str(report)
        doc = json.loads(report.read_text())
        assert doc["schema"] == GATE_REPORT_SCHEMA
        assert (doc["published"], doc["decision"]) == (published, decision)
        if decision == "verification error":
            assert doc["verification"] is None and doc["error"]["type"]
        else:
            assert doc["verification"]["status"] == result.status.value
    assert [p.name for p in report.parent.iterdir()] == ["gate.json"]  # no temporary files left


def test_unwritable_report_does_not_change_the_decision(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = Gate([ERRORS], report=blocker / "gate.json").run(GOOD)
    assert result.published and result.report_path is None and "report could not be written" in result.reason


def test_metrics_are_saved_to_the_repository_whatever_the_verdict(tmp_path):
    repo = FileSystemMetricsRepository(tmp_path / "repo")
    Gate([ERRORS], repository=repo, result_key=ResultKey(1000, {"run": "good"})).run(GOOD)
    Gate([ERRORS], repository=repo, result_key=ResultKey(2000, {"run": "bad"})).run(BAD)
    saved = {r.key.tags["run"]: r.run_status for r in repo.load().get()}
    assert saved == {"good": "Success", "bad": "Error"}


def test_yaml_checks_file(tmp_path):
    path = tmp_path / "checks.yaml"
    path.write_text(_yaml(ERRORS))
    assert Gate(path).run(GOOD).published
    assert not Gate(str(path)).run(BAD).published


def _yaml(check: Check) -> str:
    from dq.checks import dumps
    return dumps([check])


def test_move_into_place_folder_replaces_the_published_one(tmp_path):
    staged, target = tmp_path / "staging" / "day=1", tmp_path / "published" / "day=1"
    for folder, n in ((staged, 3), (target, 5)):
        folder.mkdir(parents=True)
        for i in range(n):
            pq.write_table(GOOD, folder / f"part-{i}.parquet")
    # every part repeats the ids: completeness and sign only
    check = Check(CheckLevel.ERROR, "parts").is_complete("id").has_size(at_least(12))
    result = Gate([check]).run(str(staged), publish=move_into_place(staged, target))
    assert result.published, result.reason
    assert sorted(p.name for p in target.iterdir()) == [f"part-{i}.parquet" for i in range(3)]
    assert not staged.exists() and [p.name for p in target.parent.iterdir()] == ["day=1"]


def test_move_into_place_restores_the_old_folder_when_the_swap_fails(tmp_path, monkeypatch):
    staged, target = tmp_path / "staging" / "d", tmp_path / "published" / "d"
    for folder in (staged, target):
        folder.mkdir(parents=True)
        (folder / "x").write_text(folder.parent.name)
    real_rename = os.rename
    calls = []

    def rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the staged folder into place
            raise OSError(18, "Invalid cross-device link")
        return real_rename(src, dst)
    monkeypatch.setattr(os, "rename", rename)
    result = Gate([ERRORS]).run(GOOD, publish=move_into_place(staged, target))
    assert not result.published and result.decision == "publish error" and "cross-device" in result.reason
    assert (target / "x").read_text() == "published" and (staged / "x").read_text() == "staging"
    assert sorted(p.name for p in target.parent.iterdir()) == ["d"]


def test_move_into_place_refusals(tmp_path):
    staged = tmp_path / "s.parquet"
    pq.write_table(GOOD, staged)
    (tmp_path / "t").mkdir()
    with pytest.raises(IsADirectoryError):
        move_into_place(staged, tmp_path / "t")()
    (tmp_path / "u.parquet").write_text("old")
    with pytest.raises(FileExistsError):
        move_into_place(staged, tmp_path / "u.parquet", replace=False)()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        move_into_place(tmp_path / "missing", tmp_path / "v")()
    move_into_place(staged, tmp_path / "u.parquet")()
    assert pq.read_table(tmp_path / "u.parquet").equals(GOOD)


def test_gate_on_spark(spark):
    from spark_support import to_spark

    published = []
    assert Gate([ERRORS, WARNINGS]).run(to_spark(GOOD), publish=lambda: published.append(1)).published
    bad = Gate([ERRORS, WARNINGS]).run(to_spark(BAD), publish=lambda: published.append(2))
    assert not bad.published and len(bad.failed_constraints) == 3 and published == [1]


# -- the command line ---------------------------------------------------------------------------

def test_cli_gate_publishes_and_blocks(tmp_path, capsys):
    checks = tmp_path / "checks.yaml"
    checks.write_text(_yaml(ERRORS))
    staged = stage(tmp_path, GOOD)
    target = tmp_path / "published" / "orders.parquet"
    report = tmp_path / "gate.json"
    assert cli(["gate", staged, "-c", str(checks), "--publish-to", str(target), "--report", str(report)]) == 0
    assert target.exists() and not os.path.exists(staged)
    assert json.loads(report.read_text())["published"] is True
    assert "PUBLISHED" in capsys.readouterr().out

    staged = stage(tmp_path, BAD)
    assert cli(["gate", staged, "-c", str(checks), "--publish-to", str(target), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["published"] is False and out["decision"] == "failed checks"
    assert pq.read_table(target).equals(GOOD) and os.path.exists(staged)  # the published data untouched

    assert cli(["gate", str(tmp_path / "missing.parquet"), "-c", str(checks)]) == 2
    assert cli(["gate", staged, "-c", str(tmp_path / "no-such-checks.yaml")]) == 2
    assert "no-such-checks.yaml" in capsys.readouterr().err


def test_preflight_problems_block_before_any_query(tmp_path):
    calls = []
    result = Gate([ERRORS], preflight=[lambda d: [], lambda d: ["file x.csv is empty", "no manifest"]]).run(
        GOOD, publish=lambda: calls.append(1))
    assert not result.published and result.decision == "failed preflight" and calls == []
    assert result.problems == ["file x.csv is empty", "no manifest"] and result.verification is None
    assert "2 preflight problem(s), the first: file x.csv is empty" in result.reason
    assert "  - no manifest" in str(result)


def test_preflight_that_raises_fails_closed():
    def broken(data):
        raise OSError("permission denied: manifest.json")
    result = Gate([ERRORS], preflight=[broken]).run(GOOD, publish=lambda: 1 / 0)
    assert not result.published and result.decision == "verification error" and "manifest.json" in result.reason
    with pytest.raises(InvalidOptionError, match="preflight"):
        Gate([ERRORS], preflight=["not callable"])
