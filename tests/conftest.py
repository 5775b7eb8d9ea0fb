"""Shared fixtures: real DuckDB files in temporary folders, built from the bundled data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kuva.sources.bundled import load_bundled
from kuva.warehouse import Warehouse


@pytest.fixture(scope="session")
def bundled_warehouse_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file holding every bundled StatFin table (built once per test session)."""
    path = tmp_path_factory.mktemp("bundled") / "kuva.duckdb"
    with Warehouse(path) as wh:
        load_bundled(wh)
    return path


@pytest.fixture
def bundled_wh(bundled_warehouse_path: Path) -> Iterator[Warehouse]:
    """The bundled warehouse opened read-only."""
    with Warehouse(bundled_warehouse_path, read_only=True) as wh:
        yield wh


@pytest.fixture
def empty_wh(tmp_path: Path) -> Iterator[Warehouse]:
    """A new, migrated warehouse file with only reference tables."""
    with Warehouse(tmp_path / "kuva.duckdb") as wh:
        yield wh
