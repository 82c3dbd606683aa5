"""Backends: one compiler per engine. The backend is chosen from the data given."""

from __future__ import annotations

from typing import Any

__all__ = ["backend_for"]


def _is_spark_dataframe(data: Any) -> bool:
    mod = type(data).__module__ or ""
    return mod.startswith("pyspark") and hasattr(data, "schema") and hasattr(data, "agg")


def backend_for(data: Any, *, connection: Any = None):
    """The backend that reads ``data``: Spark for a Spark DataFrame, DuckDB for everything else."""
    if _is_spark_dataframe(data):
        from dq.errors import UnsupportedDataError

        raise UnsupportedDataError(
            "Spark DataFrames are not supported by this version of dq yet (the Spark backend is planned); "
            "convert with df.toArrow() or write Parquet and pass the path"
        )
    from dq.backends.duckdb import DuckDBBackend

    return DuckDBBackend(data, connection=connection)
