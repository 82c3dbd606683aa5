"""Fixtures for the repository tests: every test taking ``make_repo`` runs on each implementation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from repo_helpers import KINDS, new_repo

from dq.repository import MetricsRepository


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_repo(kind: str, tmp_path: Path) -> Callable[..., MetricsRepository]:
    """``make_repo(**options)``: a new, empty repository of the implementation under test."""
    return lambda **options: new_repo(kind, tmp_path, **options)
