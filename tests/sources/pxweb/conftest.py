"""Fixtures: the local misbehaving PxWeb server, a fresh warehouse, a client factory with a
recorded (fake) sleep so retries and rate limiting cost no wall time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kuva.sources.pxweb import PxWebClient
from kuva.warehouse.connection import Warehouse
from tests.sources.pxweb.server import PxWebTestServer


@pytest.fixture
def server() -> Iterator[PxWebTestServer]:
    with PxWebTestServer() as srv:
        srv.state.max_calls = 10_000  # the rate limit has its own test
        yield srv


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse(tmp_path / "kuva.duckdb") as w:
        yield w


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., PxWebClient]]:
    made: list[PxWebClient] = []

    def make(base: str, **kw: Any) -> PxWebClient:
        kw.setdefault("cache_dir", tmp_path / "cache")
        kw.setdefault("sleep", Sleeps())
        kw.setdefault("timeout", 5.0)
        c = PxWebClient(base, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


def warehouse_checksum(w: Warehouse) -> str:
    """SHA-256 over every row of the tables a load writes (sources, loads, observations)."""
    h = hashlib.sha256()
    for table in ("sources", "loads", "observations"):
        rows = w.con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        h.update(f"{table}:{len(rows)}:{rows!r}".encode())
    return h.hexdigest()
