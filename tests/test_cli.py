"""The command line as a user runs it: ``dq analyze`` and ``dq verify`` (exit codes, outputs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dq.cli import main


@pytest.fixture()
def data(tmp_path):
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({
        "id": [1, 2, 3, 3, None],
        "country": ["US", "UK", "XX", "US", None],
        "amount": [10.0, 20.5, -1.0, 3.0, 4.0],
    }), path)
    return str(path)


def checks_file(tmp_path, text: str) -> str:
    p = tmp_path / "checks.yaml"
    p.write_text(text, encoding="utf-8")
    return str(p)


PASSING = """
version: 1
checks:
  - description: sizes
    level: error
    constraints:
      - has_size: "== 5"
      - has_completeness: {column: id, assertion: ">= 0.8"}
"""

FAILING = """
version: 1
checks:
  - description: ids
    level: error
    constraints:
      - is_unique: id
      - is_contained_in: {column: country, allowed_values: [US, UK]}
  - description: amounts
    level: warning
    constraints:
      - is_non_negative: amount
"""


def test_analyze_prints_metrics_and_the_query_count(data, capsys):
    assert main(["analyze", data, "-a", "Uniqueness(['id'])", "--only"]) == 0
    out = capsys.readouterr().out
    assert "Uniqueness" in out and "0.5" in out and "1 queries" in out


def test_analyze_json(data, capsys):
    assert main(["analyze", data, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    size = next(r for r in rows if r["name"] == "Size")
    assert size["value"] == 5.0


def test_analyze_unknown_column_is_reported_on_its_metric(data, capsys):
    # the other metrics are still computed; --strict turns any failed metric into exit status 1
    assert main(["analyze", data, "-a", "Completeness('idd')", "-a", "Size()", "--only"]) == 0
    out = capsys.readouterr().out
    assert "FAILED" in out and "'idd' does not exist" in out and "Did you mean 'id'" in out
    assert main(["analyze", data, "-a", "Completeness('idd')", "--only", "--strict"]) == 1


def test_analyze_unknown_analyzer_is_a_usage_error(data, capsys):
    assert main(["analyze", data, "-a", "Completenes('id')"]) == 2
    assert "Completeness" in capsys.readouterr().err


def test_verify_success_exits_zero_and_writes_the_result(data, tmp_path, capsys):
    out_json = tmp_path / "result.json"
    assert main(["verify", data, "--checks", checks_file(tmp_path, PASSING), "--results", str(out_json)]) == 0
    assert "Verification: Success" in capsys.readouterr().out
    doc = json.loads(out_json.read_text())
    assert doc["schema"] == "dq.verification_result" and doc["version"] == 1 and doc["status"] == "Success"


def test_verify_error_exits_one_with_messages(data, tmp_path, capsys):
    assert main(["verify", data, "--checks", checks_file(tmp_path, FAILING)]) == 1
    out = capsys.readouterr().out
    assert "Verification: Error" in out
    assert "Value: 0.5 does not meet the constraint requirement!" in out  # 2 of 4 ids occur once
    assert "Value: 0.8 does not meet the constraint requirement!" in out  # 'XX' is not allowed


def test_verify_warning_exits_zero_unless_asked(data, tmp_path):
    warn_only = """
version: 1
checks:
  - description: amounts
    level: warning
    constraints:
      - is_non_negative: amount
"""
    f = checks_file(tmp_path, warn_only)
    assert main(["verify", data, "--checks", f]) == 0
    assert main(["verify", data, "--checks", f, "--fail-on-warning"]) == 1


def test_verify_json_output(data, tmp_path, capsys):
    assert main(["verify", data, "--checks", checks_file(tmp_path, FAILING), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    statuses = {c["check"]: c["check_status"] for c in doc["checks"]}
    assert statuses == {"ids": "Error", "amounts": "Warning"}


def test_verify_quarantine_split(data, tmp_path):
    ok, bad = tmp_path / "ok.parquet", tmp_path / "bad.parquet"
    code = main(["verify", data, "--checks", checks_file(tmp_path, FAILING), "--passing", str(ok),
                 "--failing", str(bad)])
    assert code == 1
    passing, failing = pq.read_table(ok), pq.read_table(bad)
    assert passing.num_rows + failing.num_rows == 5
    # ids 1 and 2 are unique and from allowed countries; id 3 repeats; the NULL id row passes
    # uniqueness (all-NULL key) and is_contained_in (NULL passes)
    assert sorted(x for x in passing.column("id").to_pylist() if x is not None) == [1, 2]
    assert failing.column("id").to_pylist() == [3, 3]
    assert all(v == ["ids"] for v in failing.column("dq_failed_checks").to_pylist())


def test_verify_bad_checks_file_is_a_usage_error_with_the_line(data, tmp_path, capsys):
    bad = """
version: 1
checks:
  - description: x
    level: error
    constraints:
      - is_compelte: id
"""
    assert main(["verify", data, "--checks", checks_file(tmp_path, bad)]) == 2
    err = capsys.readouterr().err
    assert "checks.yaml:7:" in err and "is_complete" in err


def test_verify_missing_checks_file_is_a_usage_error(data, tmp_path, capsys):
    assert main(["verify", data, "--checks", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_verify_missing_column_fails_its_constraint_only(data, tmp_path, capsys):
    text = """
version: 1
checks:
  - description: c
    level: error
    constraints:
      - is_complete: idd
      - has_size: "== 5"
"""
    assert main(["verify", data, "--checks", checks_file(tmp_path, text)]) == 1
    out = capsys.readouterr().out
    assert "'idd' does not exist" in out and "Did you mean 'id'" in out
    assert "ok   SizeConstraint" in out


def test_python_dash_m_dq_runs(data, tmp_path):
    # the entry point as the README shows it, in a fresh interpreter
    proc = subprocess.run([sys.executable, "-m", "dq", "verify", data, "--checks", checks_file(tmp_path, PASSING)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Verification: Success" in proc.stdout
