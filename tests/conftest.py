"""Shared test fixtures: the backends every analyzer test runs on.

A backend is named by a string. ``to_backend_data(backend, table)`` turns a pyarrow Table into the
input that backend's runner reads; ``BACKEND_TOLERANCE`` is the relative tolerance its floating
point results get where a case says ``FLOAT`` (exact cases stay exact on every backend).

Adding a backend (e.g. Spark) = one entry in ``BACKENDS``, one branch in ``to_backend_data``, one
entry in ``BACKEND_TOLERANCE``; every parametrized test then runs on it too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

#: the backends the analyzer tests run on. "spark" is added here when the Spark backend lands.
BACKENDS: list[str] = ["duckdb"]

#: relative (and absolute, near zero) tolerance of each backend's floating-point results, for
#: cases whose tolerance is FLOAT. Distributed engines sum in a different order: give them more.
BACKEND_TOLERANCE: dict[str, float] = {
    "duckdb": 1e-12,
}


def to_backend_data(backend: str, table: pa.Table) -> Any:
    """The input ``AnalysisRunner.on_data`` takes on ``backend`` for the rows of ``table``."""
    if backend == "duckdb":
        return table
    # Spark: fill in when the Spark backend exists, e.g.
    #   if backend == "spark":
    #       return spark_session().createDataFrame(table)   # keep the Arrow schema (types, nullability)
    raise ValueError(f"unknown backend {backend!r}; known: {BACKENDS}")


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
