"""A representative part of the Spark tests, through Spark Connect.

pyspark 4 starts a local Spark Connect server for ``SparkSession.builder.remote("local[2]")`` and
talks to it over gRPC, as to a remote cluster: no py4j, only the DataFrame API the backend uses.
pyspark refuses a Connect session in a process that already has a classic one, so the selection
runs in a pytest process of its own, with ``DQ_TEST_SPARK_REMOTE`` telling ``conftest`` which
session to make. About two minutes: shared runs of the case table on six datasets (every analyzer
family, NULL/NaN/unicode/dates), the differential test against DuckDB, sketches, frequency states,
CustomSql, quoting and pattern semantics, row-level results and quarantine (Python assertions as
Arrow UDFs, uniqueness windows, evaluation errors, split_rows).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark")

SELECTION = [
    "tests/test_analyzers_cases.py", "tests/test_spark_backend.py", "tests/test_spark_differential.py",
    "tests/checks/test_rowlevel_spark.py",
    "-k", "spark and (shared_run and (nums or strs or special or dates or hist or multi) or kll or hll_registers"
          " or custom_sql or frequency_states or odd_column or random_data or line_breaks"
          " or parity_with_duckdb or split_rows_on_spark or predicate_failing_on_other_data)",
]


@pytest.mark.spark_connect
def test_a_representative_part_of_the_suite_passes_through_spark_connect():
    if os.environ.get("DQ_TEST_SPARK_REMOTE"):
        pytest.skip("already inside the Spark Connect run")
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DQ_TEST_SPARK_REMOTE": "local[2]"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SELECTION],
                          cwd=root, env=env, capture_output=True, text=True, timeout=900)
    tail = "\n".join(proc.stdout.splitlines()[-40:])
    assert proc.returncode == 0, tail
    passed = re.search(r"(\d+) passed", proc.stdout)
    assert passed and int(passed.group(1)) >= 40, tail
