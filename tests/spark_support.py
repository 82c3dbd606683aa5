"""The one SparkSession of a test run, and test tables as Spark DataFrames.

``spark_session()`` makes it on first use: local[2], 4 shuffle partitions, UI off, UTC. With
``DQ_TEST_SPARK_REMOTE`` set (e.g. ``local[2]``) it is a Spark Connect session instead
(tests/test_spark_connect.py runs a part of the suite that way, in a process of its own: pyspark
refuses a Connect session beside a classic one). Without pyspark installed, Spark tests are skipped.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

import pyarrow as pa
import pytest

HAVE_SPARK = importlib.util.find_spec("pyspark") is not None

_SPARK: Any = None


def spark_session() -> Any:
    """The one SparkSession of this test run."""
    global _SPARK
    if _SPARK is None:
        if not HAVE_SPARK:
            pytest.skip("pyspark is not installed (pip install -e '.[test,spark]')")
        from pyspark.sql import SparkSession

        # Python UDFs (row-level Python assertions) run in worker processes started with
        # PYSPARK_PYTHON, else "python3" from PATH, which need not be this environment's Python
        # (a venv not activated, as `make test` runs it) and then lacks pyarrow and dq.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        remote = os.environ.get("DQ_TEST_SPARK_REMOTE")
        builder = SparkSession.builder.remote(remote) if remote else SparkSession.builder.master("local[2]")
        conf = {
            "spark.sql.shuffle.partitions": "4",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            "spark.sql.adaptive.coalescePartitions.enabled": "false",  # keep test data split
        }
        if not remote:  # static settings of the local JVM (a Connect session cannot set them)
            conf.update({"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                         "spark.driver.memory": "2g", "spark.sql.warehouse.dir": "/tmp/dq-spark-warehouse"})
        for k, v in conf.items():
            builder = builder.config(k, v)
        _SPARK = builder.getOrCreate()
        if not remote:
            _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def to_spark(table: pa.Table, partitions: int = 2) -> Any:
    """``table`` as a Spark DataFrame spread over ``partitions`` partitions (so merges of partial
    aggregates are exercised), keeping the Arrow types: a naive timestamp stays a wall-clock time
    (TIMESTAMP_NTZ), a zoned one an instant (TIMESTAMP)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    spark = spark_session()
    schema = from_arrow_schema(table.schema, prefer_timestamp_ntz=True)
    return spark.createDataFrame(table, schema=schema).repartition(partitions)


def stop_spark() -> None:
    global _SPARK
    if _SPARK is not None:
        _SPARK.stop()
        _SPARK = None
