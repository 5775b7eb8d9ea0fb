"""Coverage of the inflow-cohort DiD of the pilots' effect (issue 16): on simulated event logs
where the clients of the stored pilot municipalities registering from 3/2021 on exit
``hr`` times as fast (1.5, and 1.0: no effect), over ``--reps`` worlds each — the estimate of the
effect on exit to work within 180 days against each world's own truth (the mean over pilot
clients of the outcome with the effect minus without it, from the simulator's draws), bias,
coverage of the CRV1 interval (t(G−1)) and of the wild cluster bootstrap interval, the rejection
rate of "no effect", and the estimates' spread against the mean standard error. Each world:
``--clients`` clients over the mainland municipalities registering 3/2019–2/2023.

Run: ``.venv/bin/python benchmarks/cohort_did_coverage.py --reps 100``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from kuva.process.outcomes import pilot_effect_on_exits
from kuva.registry import area_registry
from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events
from kuva.warehouse.reference import stored_memberships

H = 180


def _within(exit_day: object, reg: date, to_work: bool) -> bool:
    return isinstance(exit_day, date) and (exit_day - reg).days <= H and to_work


def one(hr: float, seed: int, clients: int, boot: int, folder: Path) -> tuple[float, float, float, float, float,
                                                                                  float]:
    """(truth, estimate, SE, p-value, bootstrap CI low, high) of one world."""
    munis = [m.code for m in area_registry().municipalities(mainland_only=True)]
    path = folder / f"w{seed}.duckdb"
    with Warehouse(path) as wh:
        pilots = sorted(set(stored_memberships(wh)["municipality_code"]))
        sim = simulate_event_log(munis, clients=clients, start=date(2019, 3, 4), months=48, seed=seed,
                                 params=ProcessParams(pilot_exit_hr=hr), pilot_municipalities=pilots)
        load_process_events(wh, stored_frame(sim), SourceInfo("synthetic:process", "synthetic", "bench", "kuva",
                                                              "none", True, "sim", datetime(2025, 1, 1)))
        r = pilot_effect_on_exits(wh, horizon_days=H, reps=boot, seed=seed)
    path.unlink()
    t = sim.truth[sim.truth["piloted"]]
    last = max(x for x in sim.truth["exit"] if isinstance(x, date))
    t = t[[g + timedelta(days=H) <= last for g in t["registration"]]]
    with_ = [_within(x, g, w) for x, g, w in zip(t["exit"], t["registration"], t["exit_to_work"], strict=True)]
    without = [_within(x, g, w) for x, g, w in zip(t["exit_without_pilot"], t["registration"], t["exit_to_work"],
                                                    strict=True)]
    lo, hi = (r.bootstrap.ci_low, r.bootstrap.ci_high) if r.bootstrap is not None else (np.nan, np.nan)
    return float(np.mean(with_) - np.mean(without)), r.estimate, r.std_error, r.p_value, lo, hi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--boot", type=int, default=199)
    parser.add_argument("--clients", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=70_000)
    args = parser.parse_args()
    print(f"{'planted HR':>10s} {'truth':>7s} {'reps':>5s} {'mean est':>9s} {'bias':>8s} {'coverCRV':>9s} "
          f"{'coverWCR':>9s} {'reject5%':>9s} {'meanSE':>7s} {'sd(est)':>8s} {'secs':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        for k, hr in enumerate((1.5, 1.0)):
            t0 = time.perf_counter()
            rows = np.array([one(hr, args.seed + 10_000 * k + i, args.clients, args.boot, Path(tmp))
                             for i in range(args.reps)])
            truth, est, se, p, lo, hi = (rows[:, j] for j in range(6))
            crv = np.mean(np.abs(est - truth) <= 1.97 * se)  # t(G−1) with G ≈ 290 clusters
            wcr = np.mean((lo <= truth) & (truth <= hi))
            print(f"{hr:10.2f} {truth.mean():7.4f} {args.reps:5d} {est.mean():9.4f} {np.mean(est - truth):8.4f} "
                  f"{crv:9.3f} {wcr:9.3f} {np.mean(p < 0.05):9.3f} {se.mean():7.4f} {np.std(est - truth):8.4f} "
                  f"{time.perf_counter() - t0:6.0f}", flush=True)


if __name__ == "__main__":
    main()
