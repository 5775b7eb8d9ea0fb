"""Coverage of dynamic matching (issue 16's "done when"): the effect of starting a service now
rather than not yet on exit to work within 180 days, on simulated event logs with the planted
hazard ratio of exit after a service start (1.5: true effect 0.6 (e^(−λH) − e^(−1.5λH)) = 0.0889
with λ = ln 2 / 150; and 1.0: no effect), over ``--reps`` simulations each — bias, 95 % interval
coverage (Bayesian bootstrap over persons, ``--boot`` replicates), the rejection rate of "no
effect", and the estimates' spread against the mean standard error. Strata: age group and
language; 1,500 clients in three municipalities per world.

Run: ``.venv/bin/python benchmarks/dynamic_matching_coverage.py --reps 200``
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from kuva.process.outcomes import service_effect_matched

try:
    from person_level_coverage import simulated
except ImportError:  # run from the repository root
    from benchmarks.person_level_coverage import simulated

H = 180
LAM = math.log(2) / 150


def one(hr: float, seed: int, clients: int, boot: int, folder: Path) -> tuple[float, float, float]:
    """(estimate, SE, p-value of no effect) of one simulated log."""
    with simulated(hr, seed, clients, folder) as wh:
        r = service_effect_matched(wh, horizon=H, reps=boot, seed=seed)
    return r.estimate, r.std_error, r.p_value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--boot", type=int, default=199)
    parser.add_argument("--clients", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=60_000)
    args = parser.parse_args()
    print(f"{'planted HR':>10s} {'truth':>7s} {'reps':>5s} {'mean est':>9s} {'bias':>8s} {'cover95':>8s} "
          f"{'reject5%':>9s} {'meanSE':>7s} {'sd(est)':>8s} {'secs':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        for k, hr in enumerate((1.5, 1.0)):
            truth = 0.6 * (math.exp(-LAM * H) - math.exp(-hr * LAM * H))
            t0 = time.perf_counter()
            rows = np.array([one(hr, args.seed + 10_000 * k + i, args.clients, args.boot, Path(tmp))
                             for i in range(args.reps)])
            est, se, p = rows[:, 0], rows[:, 1], rows[:, 2]
            cover = np.mean(np.abs(est - truth) <= 1.96 * se)
            print(f"{hr:10.2f} {truth:7.4f} {args.reps:5d} {est.mean():9.4f} {est.mean() - truth:8.4f} {cover:8.3f} "
                  f"{np.mean(p < 0.05):9.3f} {se.mean():7.4f} {est.std():8.4f} {time.perf_counter() - t0:6.0f}",
                  flush=True)


if __name__ == "__main__":
    main()
