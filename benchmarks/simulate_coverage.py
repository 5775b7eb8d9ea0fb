"""Monte Carlo bias, RMSE and 95% coverage of the evaluate estimators on panels with a
planted, known effect (see ``kuva.evaluate.planted``).

Run: ``.venv/bin/python benchmarks/simulate_coverage.py --reps 200``
"""

from __future__ import annotations

import argparse
import time
import warnings

from kuva.evaluate.planted import coverage_study

DESIGNS = ("twfe_common", "cs_staggered", "sdid_block")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200, help="replications per design")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--designs", nargs="*", default=list(DESIGNS), choices=DESIGNS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # e.g. FewClustersWarning on every replication
    header = (f"{'design':<14s} {'estimator':<22s} {'reps':>5s} {'truth':>8s} {'bias':>8s} "
              f"{'RMSE':>7s} {'cover95':>8s} {'meanSE':>7s} {'sd(est)':>8s} {'secs':>6s}")
    print(header)
    print("-" * len(header))
    for design in args.designs:
        t0 = time.perf_counter()
        rows = coverage_study(design, reps=args.reps, seed=args.seed)
        dt = time.perf_counter() - t0
        for s in rows:
            print(f"{s.design:<14s} {s.estimator:<22s} {s.reps:5d} {s.truth_mean:8.3f} "
                  f"{s.bias:8.4f} {s.rmse:7.4f} {s.coverage:8.3f} {s.mean_se:7.4f} "
                  f"{s.sd_estimate:8.4f} {dt:6.0f}")


if __name__ == "__main__":
    main()
