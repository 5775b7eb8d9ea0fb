"""Time the full effects battery on the demo warehouse; optionally score designs against the
simulator's planted activation gap over many seeds.

    python benchmarks/bench_evaluate_battery.py            # battery time on bundled + simulate(0.01, 2021)
    python benchmarks/bench_evaluate_battery.py --reps 20  # + bias/RMSE/coverage over 20 seeds

Scoring (per seed s): the panel is simulated with DEMO_EFFECTS and with NO_EFFECTS (same seed;
the planted truth is defined against that no-effect world) and loaded (panel only) into copies of
the bundled warehouse. "direct" compares the effect-world estimate with the planted gap; "paired"
compares effect-world minus no-effect-world estimates (coverage: the effect-world CI re-centred
by the no-effect estimate).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from kuva.effects.battery import planted_gap, run_designs
from kuva.simulate import DEMO_EFFECTS, NO_EFFECTS, EffectSpec, simulate_into, simulate_panel_frames
from kuva.simulate.store import SOURCE_IDS, source_info
from kuva.sources.bundled import load_bundled
from kuva.warehouse import Warehouse, load_observations
from kuva.warehouse.truth import write_truth

warnings.filterwarnings("ignore", category=DeprecationWarning)  # ibis/pyfixest internals
SCORED = ("did", "cs", "sdid", "synth")


def _panel_only(base: Path, folder: Path, seed: int, effects: EffectSpec) -> Path:
    path = folder / f"wh_{seed}_{'eff' if effects.activation_pp else 'none'}.duckdb"
    shutil.copy(base, path)
    panel, _ = simulate_panel_frames(seed=seed, effects=effects)
    with Warehouse(path) as wh:
        info = source_info("panel", seed=seed, scale=0.0, effects=effects, years=(2017, 2024))
        load_observations(wh, panel.frame, info, before_commit=lambda: write_truth(wh, SOURCE_IDS["panel"],
                                                                                     panel.truth))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=0, help="simulator seeds to score (e.g. 20 quick, 200 full)")
    ap.add_argument("--seed", type=int, default=1000, help="first seed of the scoring run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = folder / "bundled.duckdb"
        with Warehouse(base) as wh:
            load_bundled(wh)
        demo = folder / "demo.duckdb"
        shutil.copy(base, demo)
        with Warehouse(demo) as wh:
            t = time.perf_counter()
            simulate_into(wh, scale=0.01, seed=2021)
            print(f"demo warehouse: simulate_into(scale=0.01, seed=2021) {time.perf_counter() - t:.1f} s")
            for run in range(3):
                t = time.perf_counter()
                b = run_designs(wh)  # all designs, 25 areas, placebo inference
                total = time.perf_counter() - t
                print(f"full battery run {run + 1}: {total:.1f} s  "
                      + ", ".join(f"{k} {v:.2f}" for k, v in b.seconds.items()))
            print(b.summary())
            print("planted gap:", planted_gap(wh, start=b.data.treat_start, end=b.data.end))
        if args.reps <= 0:
            return
        rows: dict[str, list[tuple[float, float, float, float, float]]] = {d: [] for d in SCORED}
        t = time.perf_counter()
        for s in range(args.seed, args.seed + args.reps):
            p1 = _panel_only(base, folder, s, DEMO_EFFECTS)
            p0 = _panel_only(base, folder, s, NO_EFFECTS)
            with Warehouse(p1, read_only=True) as wh:
                b1 = run_designs(wh, designs=SCORED, placebo=False, bootstrap_reps=0, sdid_reps=100, seed=s,
                                 synth_by_area=False)
                truth = planted_gap(wh, start=b1.data.treat_start, end=b1.data.end)
            with Warehouse(p0, read_only=True) as wh:
                b0 = run_designs(wh, designs=SCORED, placebo=False, bootstrap_reps=0, sdid_reps=100, seed=s,
                                 synth_by_area=False)
            p1.unlink()
            p0.unlink()
            assert truth is not None
            for d in SCORED:
                r = b1.table[b1.table["design"] == d]
                est, lo, hi = (float(r[c].to_numpy(dtype=float)[0]) for c in ("estimate", "ci_low", "ci_high"))
                rows[d].append((est, lo, hi, b0.estimate(d), truth))
        print(f"\n{args.reps} seeds from {args.seed}: {time.perf_counter() - t:.0f} s")
        print("| design | truth (mean) | direct bias | direct RMSE | direct coverage | paired bias | paired RMSE "
              "| paired coverage |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for d, vals in rows.items():
            a = np.array(vals)
            est, lo, hi, est0, truth_v = a.T
            e_dir, e_pair = est - truth_v, est - est0 - truth_v
            cov_dir = np.mean((lo <= truth_v) & (truth_v <= hi)) if np.isfinite(lo).all() else float("nan")
            cov_pair = (np.mean((lo - est0 <= truth_v) & (truth_v <= hi - est0))
                        if np.isfinite(lo).all() else float("nan"))
            print(f"| {d} | {truth_v.mean():.3f} | {e_dir.mean():+.3f} | {np.sqrt(np.mean(e_dir**2)):.3f} | "
                  f"{cov_dir:.2f} | {e_pair.mean():+.4f} | {np.sqrt(np.mean(e_pair**2)):.4f} | {cov_pair:.2f} |")


if __name__ == "__main__":
    main()
