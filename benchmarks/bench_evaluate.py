"""Timing of the evaluate estimators (prints figures; see docs/evaluate.md).

1. Synthetic DiD on California Proposition 99 (39 units × 31 years) including the placebo
   standard error (200 placebo fits, as R synthdid's default): target < 1 s.
2. A full battery on a synthetic municipality panel (309 units × 96 months, 70 regional
   clusters of which 25 treated, three adoption cohorts): target < 2 min on 2 cores.

Run: ``.venv/bin/python benchmarks/bench_evaluate.py``
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kuva.evaluate import (
    CallawaySantAnna,
    EntropyBalance,
    EventStudy,
    PanelData,
    RelativeMagnitudes,
    SunAbraham,
    SyntheticControl,
    SyntheticDiD,
    TwoWayFixedEffects,
    nearest_neighbours,
    shock_size,
)
from kuva.evaluate.planted import simulate_panel

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "evaluate" / "reference"


def timed(label: str, fn: Callable[[], Any], log: list[tuple[str, float]]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    log.append((label, dt))
    print(f"  {label:<58s} {dt:8.3f} s")
    return out


def bench_prop99(repeats: int) -> None:
    frame = pd.read_csv(REFERENCE / "california_prop99.csv", sep=";")
    frame["start"] = np.where(frame["State"] == "California", 1989.0, np.nan)
    panel = PanelData(frame, unit="State", time="Year", outcome="PacksPerCapita",
                      treat_start="start")
    print("SDID on Prop 99 (39 x 31), estimate + placebo SE (200 placebos):")
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        res = SyntheticDiD(panel).fit(variance="placebo", reps=200, seed=i)
        times.append(time.perf_counter() - t0)
        print(f"  run {i + 1}: {times[-1]:.3f} s  (estimate {res.estimate:.2f}, "
              f"SE {res.std_error:.2f})")
    print(f"  median {np.median(times):.3f} s, max {np.max(times):.3f} s "
          f"-> {'OK' if np.max(times) < 1.0 else 'ABOVE'} the 1 s target")


def bench_battery() -> None:
    print("Full battery on 309 municipalities x 96 months, 25 of 70 clusters treated:")
    log: list[tuple[str, float]] = []
    sim = simulate_panel(n_units=309, n_periods=96, n_clusters=70, treated_clusters=25,
                         adoption=(36, 48, 60), effect=-0.8, effect_growth=0.01, seed=2026)
    t_all = time.perf_counter()
    panel = timed("PanelData (validation, month index)", lambda: PanelData(
        sim.frame, unit="unit", time="period", outcome="y", treat_start="treat_start",
        cluster="cluster", covariates=("size",)), log)
    timed("TWFE + CRV1 + WCR bootstrap (Webb, B=9999)",
          lambda: TwoWayFixedEffects(panel).fit(bootstrap_reps=9999, seed=1), log)
    es = timed("Event study (12 leads, 24 lags) + pre-trend Wald",
               lambda: EventStudy(panel, leads=12, lags=24).fit(), log)
    timed("Relative-magnitudes bounds (e = 0, 7 Mbar values)",
          lambda: RelativeMagnitudes(es, target=0).fit(), log)
    cs = timed("Callaway-Sant'Anna dr, never treated, bootstrap B=999",
               lambda: CallawaySantAnna(panel).fit(bootstrap_reps=999, seed=1), log)
    timed("  aggregations simple/group/dynamic/calendar (B=999 each)",
          lambda: [cs.aggregate(k, bootstrap_reps=999, seed=1)  # type: ignore[arg-type]
                   for k in ("simple", "group", "dynamic", "calendar")], log)
    timed("Callaway-Sant'Anna dr, not yet treated, analytic",
          lambda: CallawaySantAnna(panel, control_group="not_yet_treated").fit(
              bootstrap_reps=0), log)
    timed("Sun-Abraham interaction-weighted event study",
          lambda: SunAbraham(panel).fit(), log)
    first = sim.frame["treat_start"].dropna().min()
    cohort = sim.frame.loc[sim.frame["treat_start"].isna()
                           | (sim.frame["treat_start"] == first)]
    p1 = PanelData(cohort, unit="unit", time="period", outcome="y",
                   treat_start="treat_start", cluster="cluster")
    timed("Synthetic DiD, first cohort vs never treated, placebo B=200",
          lambda: SyntheticDiD(p1).fit(variance="placebo", reps=200, seed=1), log)
    timed("Synthetic DiD, first cohort, jackknife",
          lambda: SyntheticDiD(p1).fit(variance="jackknife"), log)
    one_treated = cohort.loc[cohort["treat_start"].isna()
                             | (cohort["unit"] == cohort.loc[cohort["treat_start"].notna(),
                                                             "unit"].iloc[0])]
    p2 = PanelData(one_treated, unit="unit", time="period", outcome="y",
                   treat_start="treat_start")
    timed("Synthetic control, one unit, outcome-only, placebos + LOO",
          lambda: SyntheticControl(p2).fit(), log)
    units = sim.frame.drop_duplicates("unit").assign(
        d=lambda f: f["treat_start"].notna().astype(int))
    shock = timed("Shock size (growth to peak, 2020-02 -> 2020-12)",
                  lambda: shock_size(sim.frame, unit="unit", time="period", value="y",
                                     base="2020-02", end="2020-12"), log)
    units = units.merge(shock.rename("shock").reset_index(), on="unit")
    timed("Entropy balancing (size, shock; means + variances)",
          lambda: EntropyBalance(units, treatment="d", covariates=["size", "shock"],
                                 moments=2).fit(), log)
    timed("Nearest-neighbour matching on the shock (k=3)",
          lambda: nearest_neighbours(units, unit="unit", treatment="d",
                                     covariates=["shock", "size"], k=3), log)
    total = time.perf_counter() - t_all
    print(f"  {'TOTAL':<58s} {total:8.3f} s -> {'OK' if total < 120 else 'ABOVE'} the "
          "2 min target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="SDID timing repeats")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # data warnings (e.g. few clusters) are not timed here
    bench_prop99(args.repeats)
    bench_battery()


if __name__ == "__main__":
    main()
