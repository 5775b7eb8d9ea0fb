"""Fixtures: the tiny hand-made warehouse and its pilot list (see ``tiny.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

from kuva.warehouse import Warehouse
from tests.analysis import tiny

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    tiny.write_pilots(folder)
    tiny.build(folder / "kuva.duckdb")
    return folder


@pytest.fixture
def pilots_csv(tiny_dir: Path) -> Path:
    return tiny_dir / "pilots.csv"


@pytest.fixture
def tiny_wh(tiny_dir: Path) -> Iterator[Warehouse]:
    with Warehouse(tiny_dir / "kuva.duckdb", read_only=True) as wh:
        yield wh
