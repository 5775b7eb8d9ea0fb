"""Benchmark: pull every mapped catalogue table from the local test server (constructed tables
from the bundled real values) into a fresh warehouse, cold and warm cache, v2 and v1.

Run from the repository root: ``.venv/bin/python benchmarks/bench_pxweb.py``.
The local server answers in milliseconds; against StatFin the rate limit (30 calls / 10 s) and
network latency dominate instead.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sources.pxweb.server import PxWebTestServer

from kuva.sources.pxweb import PxWebClient, pull_statfin
from kuva.warehouse.connection import Warehouse


def main() -> None:
    with PxWebTestServer() as srv, tempfile.TemporaryDirectory() as tmp:
        srv.state.max_calls = 10_000
        for api, base in (("v2", srv.v2), ("v1", srv.v1)):
            for run in ("cold", "warm"):
                db = Path(tmp) / f"{api}-{run}.duckdb"
                with Warehouse(db) as wh, PxWebClient(base, cache_dir=Path(tmp) / f"cache-{api}") as c:
                    t0 = time.perf_counter()
                    reports = pull_statfin(wh, client=c)
                    dt = time.perf_counter() - t0
                    rows = sum(r.inserted for r in reports)
                print(f"{api} {run:4s}: {len(reports)} tables, {rows:,} observations, "
                      f"{c.requests_sent} requests, {c.cache_hits} cache hits, {dt:.2f} s "
                      f"({rows / dt:,.0f} obs/s)")


if __name__ == "__main__":
    main()
