"""Warehouse benchmark: build from bundled data, reload (idempotent), query, as-of query.

Prints wall time and peak memory (RSS) for each step. Run: ``.venv/bin/python benchmarks/bench_warehouse.py``.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from kuva.sources.bundled import load_bundled
from kuva.warehouse import Warehouse, query_observations


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def step(name: str, t0: float) -> float:
    now = time.perf_counter()
    print(f"{name:<48} {now - t0:7.2f} s   peak RSS {peak_mib():7.0f} MiB")
    return now


def bench_persons(scale: float) -> None:
    """Person-level loading: the simulator's service events at ``scale`` through the validator."""
    from kuva.simulate import simulate
    from kuva.simulate.effects import DEMO_EFFECTS
    from kuva.simulate.store import SOURCE_IDS, source_info
    from kuva.warehouse import load_service_events

    t = time.perf_counter()
    data = simulate(scale=scale, seed=1)
    t = step(f"simulate persons, scale {scale} ({len(data.events):,} events)", t)
    with tempfile.TemporaryDirectory() as tmp, Warehouse(Path(tmp) / "p.duckdb") as wh:
        t = time.perf_counter()
        info = source_info("events", seed=1, scale=scale, effects=DEMO_EFFECTS, years=(2017, 2024))
        assert info.source_id == SOURCE_IDS["events"]
        load_service_events(wh, data.events, info)
        step(f"validate + load {len(data.events):,} service events", t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons-scale", type=float, default=0.1,
                        help="simulator scale for the person-level load (0 to skip; 1 = whole country)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.duckdb"
        t = time.perf_counter()
        with Warehouse(path) as wh:
            t = step("create + migrate + reference tables", t)
            reports = load_bundled(wh)
            t = step(f"load bundled ({sum(r.rows_in for r in reports):,} rows, 19 tables)", t)
            load_bundled(wh)
            t = step("reload bundled (idempotent, no change)", t)
        print(f"{'warehouse file size':<48} {path.stat().st_size / 2**20:7.1f} MiB")
        with Warehouse(path, read_only=True) as wh:
            t = time.perf_counter()
            df = query_observations(wh, ["TYOTTOMATLOPUSSA"])
            t = step(f"query one measure, all areas ({len(df):,} rows)", t)
            df = query_observations(wh, ["TYOTTOMATLOPUSSA"], areas=["KU091"], start=date(2020, 1, 1))
            t = step(f"query one area, from 2020 ({len(df):,} rows)", t)
            df = query_observations(wh, ["TYOTTOMATLOPUSSA"], as_of=date(2023, 12, 31))
            step(f"as-of query, all areas ({len(df):,} rows)", t)
    if args.persons_scale > 0:
        bench_persons(args.persons_scale)


if __name__ == "__main__":
    main()
