"""Backends: one compiler per engine. The backend is chosen from the data given."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["backend_for", "is_spark_dataframe"]


def is_spark_dataframe(data: Any) -> bool:
    """True for a classic or Spark Connect DataFrame, without importing pyspark: an object of a
    pyspark class can exist only once pyspark is imported, so an absent module means "no"."""
    module = sys.modules.get("pyspark.sql.dataframe")
    if module is not None and isinstance(data, module.DataFrame):  # pyspark 4: base of both kinds
        return True
    connect = sys.modules.get("pyspark.sql.connect.dataframe")
    return connect is not None and isinstance(data, connect.DataFrame)


def backend_for(data: Any, *, connection: Any = None):
    """The backend that reads ``data``: Spark for a Spark DataFrame, DuckDB for everything else."""
    if is_spark_dataframe(data):
        if connection is not None:
            from dq.errors import InvalidOptionError

            raise InvalidOptionError("connection", "None for a Spark DataFrame (it carries its own session; "
                                     "connection= is a DuckDB connection)", connection)
        try:
            from dq.backends.spark import SparkBackend
        except ImportError as e:  # pragma: no cover - pyspark present but too old for the backend
            from dq.errors import UnsupportedDataError

            raise UnsupportedDataError(f"the Spark backend needs pyspark>=4.0 (pip install 'dq[spark]'): {e}") from None
        return SparkBackend(data)
    from dq.backends.duckdb import DuckDBBackend

    return DuckDBBackend(data, connection=connection)
