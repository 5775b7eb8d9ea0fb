"""Service-process measures over a simulated event log: time and memory of every KPI for every
municipality and month against a bare DuckDB scan of the same events, measured in the same run.

The baseline is one grouped scan of ``process_events`` (events per municipality, month and
type) — what any measure must at least read. The KPIs are KuVa's Ibis expressions
(``kuva.process.kpis``): rule compliance against the rulebook in force, plan debt at every
month end, job-offer debt at every month end, referral routes and the data-quality checks, at
municipality level. The process analyses that are not monthly KPIs (process map, variants,
conformance, recording changes, outcomes by milestone) are timed once each, after the KPIs, and
printed apart. Run:

    .venv/bin/python benchmarks/bench_process.py [--clients 50000 200000] [--seed 1] [--chunk 100000] [--repeat 3]

The bare scan and every round of KPIs (from the log, from the stored intermediates, after a
monthly load) are each timed ``--repeat`` times and the medians printed (a single timing of a
0.15 s scan varies by ±15 % on a shared machine).

The log is simulated and loaded in chunks of ``--chunk`` clients (each its own seed and load), so
the whole-country log (``--clients 800000``: two years of the simulator's national inflow) fits
in memory; the peak RSS printed is the process's, simulation included.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from kuva.process import kpis
from kuva.process.refresh import load_and_refresh, refresh
from kuva.process.rules import rulebooks
from kuva.registry import area_registry
from kuva.simulate.process import simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def run(clients: int, seed: int, chunk: int, repeat: int) -> None:
    munis = [m.code for m in area_registry().municipalities()]
    t_sim = t_load = 0.0
    with tempfile.TemporaryDirectory() as d, Warehouse(Path(d) / "k.duckdb") as wh:
        src = SourceInfo("bench:process", "synthetic", "bench", "kuva", "none", True, "bench", datetime(2025, 1, 1))
        for part, first in enumerate(range(0, clients, chunk)):
            t0 = time.perf_counter()
            log = simulate_event_log(munis, clients=min(chunk, clients - first), start=date(2023, 1, 2), months=24,
                                     seed=seed * 1000 + part)
            t_sim += time.perf_counter() - t0
            t0 = time.perf_counter()
            load_process_events(wh, stored_frame(log), src)
            t_load += time.perf_counter() - t0
            del log
        n = wh.table("process_events").count().to_pandas()
        t = wh.table("process_events")
        bare = statistics.median(timed(lambda: t.group_by(
            [t.municipality_code, t.event_date.truncate("M"), t.event_type]).aggregate(n=t.count()).to_pandas())
            for _ in range(repeat))
        direct = all_kpis(wh, repeat)  # nothing stored yet: every measure reads the log
        full = refresh(wh)
        assert full.mode == "full"
        stored = all_kpis(wh, repeat)  # from the stored intermediates
        # a monthly load: one month of the national inflow registers (new clients, their events)
        month = simulate_event_log(munis, clients=max(1, clients // 24), start=date(2025, 1, 2), months=1,
                                   seed=seed * 1000 + 999)
        loaded, inc = load_and_refresh(wh, stored_frame(month), src)
        assert inc.mode == "incremental", inc
        n_month = loaded.rows_in
        after = all_kpis(wh, repeat)
        others = analyses(wh)
    print(f"clients {clients:,}, events {n:,}: simulate {t_sim:.1f} s, load {t_load:.1f} s; bare scan {bare:.3f} s")
    for label, timings in (("from the log", direct), ("from the stored intermediates", stored),
                           ("after the monthly load, stored", after)):
        total = sum(timings.values())
        print(f"  all KPIs {label}: {total:.2f} s = {total / bare:.1f}x the bare scan ("
              + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()) + ")")
    print(f"  full refresh {full.seconds:.1f} s ({sum(full.rows.values()):,} rows); a monthly load of {n_month:,} "
          f"events: incremental refresh of {inc.clients:,} clients {inc.seconds:.1f} s; "
          f"peak RSS {peak_gib():.2f} GiB")
    print("  analyses beside the KPIs (once each, employment areas; not in the ratio): "
          + ", ".join(f"{k} {v:.2f} s" for k, v in others.items()))


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def all_kpis(wh: Warehouse, repeat: int) -> dict[str, float]:
    """Seconds each KPI takes for every municipality and month (the median of ``repeat`` rounds)."""
    as_of = kpis.data_end(wh)
    fns = {
        "compliance": lambda: kpis.compliance_in_force(wh, rulebooks(), as_of=as_of),
        "plan_debt": lambda: kpis.plan_debt(wh),
        "job_offer_debt": lambda: kpis.job_offer_debt(wh),
        "routes": lambda: kpis.referral_routes(wh, as_of=as_of),
        "quality": lambda: kpis.data_quality(wh, as_of=as_of),
    }
    rounds = [{name: timed(fn) for name, fn in fns.items()} for _ in range(repeat)]
    return {name: statistics.median(r[name] for r in rounds) for name in fns}


def analyses(wh: Warehouse) -> dict[str, float]:
    """Seconds each of the process analyses that are not monthly KPIs takes once, by employment
    area: the process map, the path variants, conformance to the rulebook, the municipalities
    whose recording changed, and outcomes by whether the plan was drawn up in time."""
    from kuva.process import outcomes

    fns = {
        "process map": lambda: kpis.directly_follows(wh, level="employment_area"),
        "variants": lambda: kpis.path_variants(wh, level="employment_area"),
        "conformance": lambda: kpis.conformance(wh, rulebooks(), level="employment_area"),
        "recording changes": lambda: kpis.recording_changes(wh),
        "outcomes by milestone": lambda: outcomes.outcomes_by_milestone(wh, "employment_plan", horizon_days=90,
                                                                        level="employment_area"),
    }
    return {name: timed(fn) for name, fn in fns.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[20_000, 80_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk", type=int, default=100_000, help="clients simulated and loaded at a time")
    ap.add_argument("--repeat", type=int, default=3, help="timings of the scan and of each round (medians printed)")
    a = ap.parse_args()
    for c in a.clients:
        run(c, a.seed, a.chunk, a.repeat)


if __name__ == "__main__":
    main()
