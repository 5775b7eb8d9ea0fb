"""Coverage of dynamic matching (issue 16's "done when"): the effect of starting a service now
rather than not yet on exit to work within 180 days, on simulated event logs with the planted
hazard ratio of exit after a service start (1.5: true effect 0.6 (e^(−λH) − e^(−1.5λH)) = 0.0889
with λ = ln 2 / 150; and 1.0: no effect), over ``--reps`` simulations each — bias, 95 % interval
coverage (Bayesian bootstrap over persons, ``--boot`` replicates), the rejection rate of "no
effect", and the estimates' spread against the mean standard error. Strata: age group and
language; 1,500 clients in three municipalities per world.

``--world continuous``: instead, :func:`kuva.evaluate.planted.confounded_start_world` — a
continuous confounder z moves both the service start (×e^0.8z) and the exits (×e^0.5z), so no
stratum holds it; the design runs with the service-start model (``propensity_on=["z"]``) against
those not treated now (Sianesi's comparison, ``comparison="not_now"``) and against those not yet
treated (censored at their own later start; five score bands), and, for contrast, with no model;
the truth is each world's treated sample's effect for that comparison
(:func:`~kuva.evaluate.planted.confounded_start_truth`).

Run: ``.venv/bin/python benchmarks/dynamic_matching_coverage.py --reps 200``
(``--world continuous --clients 3000 --horizon 120``)
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np

from kuva.evaluate.dynamic import dynamic_matching
from kuva.evaluate.planted import confounded_start_truth, confounded_start_world
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


def continuous(args: argparse.Namespace) -> None:
    """The continuous-confounder world: the design with the start model, without its score
    bands, and without a model, over the same worlds."""
    variants: dict[str, dict[str, object]] = {
        "not now + model": {"propensity_on": ["z"], "comparison": "not_now"},
        "not yet + model, bands": {"propensity_on": ["z"]},
        "not now, no model": {"comparison": "not_now"}}
    print(f"{'variant':>22s} {'HR':>4s} {'reps':>5s} {'mean truth':>10s} {'bias':>8s} {'cover95':>8s} "
          f"{'reject5%':>9s} {'meanSE':>7s} {'sd(est)':>8s} {'secs':>6s}")
    for k, hr in enumerate((1.5, 1.0)):
        rows: dict[str, list[tuple[float, float, float, float]]] = {v: [] for v in variants}
        secs = dict.fromkeys(variants, 0.0)
        for i in range(args.reps):
            panel = confounded_start_world(args.seed + 10_000 * k + i, args.clients, hr=hr)
            for name, options in variants.items():
                truth = confounded_start_truth(panel, hr, args.horizon, comparison=str(options.get("comparison",
                                                                                                 "not_yet")))
                t0 = time.perf_counter()
                r = dynamic_matching(panel, horizon=args.horizon, reps=args.boot, seed=i, **options)
                secs[name] += time.perf_counter() - t0
                rows[name].append((r.estimate, r.std_error, r.p_value, truth))
        for name, got in rows.items():
            a = np.array(got)
            est, se, p, truth = a[:, 0], a[:, 1], a[:, 2], a[:, 3]
            print(f"{name:>22s} {hr:4.1f} {args.reps:5d} {truth.mean():10.4f} {np.mean(est - truth):8.4f} "
                  f"{np.mean(np.abs(est - truth) <= 1.96 * se):8.3f} {np.mean(p < 0.05):9.3f} {se.mean():7.4f} "
                  f"{np.std(est - truth):8.4f} {secs[name]:6.0f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--boot", type=int, default=199)
    parser.add_argument("--clients", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=60_000)
    parser.add_argument("--world", choices=("simulator", "continuous"), default="simulator")
    parser.add_argument("--horizon", type=int, default=120, help="days (the continuous world only)")
    args = parser.parse_args()
    if args.world == "continuous":
        continuous(args)
        return
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
