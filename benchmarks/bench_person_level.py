"""Whole-country person-level run (issue 16's "done when": under 5 minutes and 8 GiB): the
simulated event log of every municipality at ``--scale`` (1.0 = about 400,000 new spells a year,
two years), then each person-level design on it — the spells and outcomes, the Cox model with the
time-varying service start, the same in the daily discrete-time hazard model, the Fine–Gray
model of exit to work at the 90-day landmark, the competing-risks incidence, and dynamic
matching with 199
bootstrap replicates — timed one by one, with the process's peak memory. Baseline: reading the
event log's row count (the bare scan) in the same run.

Run: ``.venv/bin/python benchmarks/bench_person_level.py --scale 1.0``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from kuva.evaluate.survival import CoxTimeVarying, DiscreteTimeHazard
from kuva.process.outcomes import (
    client_spells,
    exit_incidence,
    matching_panel,
    service_effect_fine_gray,
    start_stop,
)
from kuva.simulate.process import simulate_process_into
from kuva.warehouse import Warehouse


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--reps", type=int, default=199)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Warehouse(Path(tmp) / "w.duckdb") as wh:
        t0 = time.perf_counter()
        simulate_process_into(wh, scale=args.scale, seed=1)
        print(f"simulated and loaded the event log: {time.perf_counter() - t0:.0f} s (not counted)", flush=True)
        start = time.perf_counter()

        def step(name: str, t: float) -> float:
            now = time.perf_counter()
            print(f"{name:55s} {now - t:7.1f} s   peak {peak_gib():.2f} GiB", flush=True)
            return now

        t = time.perf_counter()
        n = int(wh.table("process_events").count().to_pandas())
        t = step(f"baseline: count the {n:,} events", t)
        spells = client_spells(wh)
        t = step(f"client spells ({len(spells):,})", t)
        cox = CoxTimeVarying(start_stop(spells), event="exit_work").fit()
        t = step(f"Cox model, time-varying service start (HR {cox.hazard_ratio:.3f})", t)
        daily = DiscreteTimeHazard(start_stop(spells), event="exit_work").fit()
        t = step(f"discrete-time hazard, daily periods (HR {daily.hazard_ratio:.3f})", t)
        fine_gray = service_effect_fine_gray(wh, spells=spells)
        t = step(f"Fine–Gray, 90-day landmark (sHR {fine_gray.hazard_ratio:.3f}, {fine_gray.n_units:,} spells)", t)
        exit_incidence(wh)
        t = step("competing-risks incidence by group", t)
        panel = matching_panel(wh)
        t = step("matching panel", t)
        from kuva.evaluate.dynamic import dynamic_matching

        r = dynamic_matching(panel, strata=["age_group", "language"], balance_on=["start_month"], reps=args.reps)
        step(f"dynamic matching, {args.reps} replicates (effect {r.estimate:.4f} ± {r.std_error:.4f}, "
             f"{r.n_obs:,} rows)", t)
        print(f"total of the designs: {time.perf_counter() - start:.0f} s; peak memory {peak_gib():.2f} GiB")


if __name__ == "__main__":
    main()
