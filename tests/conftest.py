"""Shared test fixtures: the backends every analyzer test runs on.

A backend is named by a string. ``to_backend_data(backend, table)`` turns a pyarrow Table into the
input that backend's runner reads; ``BACKEND_TOLERANCE`` is the relative tolerance its floating
point results get where a case says ``FLOAT`` (exact cases stay exact on every backend).

Adding a backend = one entry in ``BACKENDS``, one branch in ``to_backend_data``, one entry in
``BACKEND_TOLERANCE``; every parametrized test then runs on it too.

Spark: one SparkSession for the whole run, made on first use (tests/spark_support.py; a module of
its own so that test files import it by a name no other conftest.py shadows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from spark_support import spark_session, stop_spark, to_spark

#: the backends the analyzer tests run on.
BACKENDS: list[str] = ["duckdb", "spark"]

#: relative (and absolute, near zero) tolerance of each backend's floating-point results, for
#: cases whose tolerance is FLOAT. Distributed engines sum in a different order: give them more.
BACKEND_TOLERANCE: dict[str, float] = {
    "duckdb": 1e-12,
    # partial aggregates are merged in partition order; moments use Spark's own update formulas
    "spark": 1e-9,
}

def to_backend_data(backend: str, table: pa.Table) -> Any:
    """The input ``AnalysisRunner.on_data`` takes on ``backend`` for the rows of ``table``."""
    if backend == "duckdb":
        return table
    if backend == "spark":
        return to_spark(table)
    raise ValueError(f"unknown backend {backend!r}; known: {BACKENDS}")


def pytest_configure(config: pytest.Config) -> None:
    # pyspark 4.x warns on import that it does not fully support pandas 3 (dq uses no pandas path)
    config.addinivalue_line("filterwarnings", "ignore:PySpark does not yet fully support pandas:FutureWarning")
    config.addinivalue_line("markers", "spark_connect: runs part of the suite through a local Spark Connect server")


#: tests whose Spark parameter asserts something DuckDB-specific, with why (none today)
_SPARK_XFAIL: dict[str, str] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        reason = _SPARK_XFAIL.get(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_spark()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the backend under test (every test using it runs once per backend)."""
    return request.param


@pytest.fixture
def backend_data(backend: str) -> Callable[[pa.Table], Any]:
    """``backend_data(table)``: ``table`` as input for the backend under test."""
    return lambda table: to_backend_data(backend, table)


@pytest.fixture
def backend_tolerance(backend: str) -> float:
    return BACKEND_TOLERANCE[backend]


@pytest.fixture(scope="session")
def spark() -> Any:
    """The shared SparkSession."""
    return spark_session()
