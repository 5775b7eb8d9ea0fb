"""Coverage of the Fine–Gray model (issue 16): in Fine & Gray's simulation design
(:func:`kuva.evaluate.planted.competing_risks_world`, a planted subdistribution hazard ratio of
cause 1 and a competing cause, uniform censoring) — bias, 95 % interval coverage, rejection of
"no effect", mean SE against the spread of the estimates — over ``--reps`` worlds for a planted
ratio of 1.5 and of 1.0.

Run: ``.venv/bin/python benchmarks/fine_gray_coverage.py --reps 1000 --persons 600``
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from kuva.evaluate.planted import competing_risks_world
from kuva.evaluate.survival import FineGray


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--persons", type=int, default=600)
    parser.add_argument("--seed", type=int, default=100_000)
    args = parser.parse_args()
    print(f"{'planted sHR':>11s} {'reps':>5s} {'persons':>7s} {'bias(log)':>10s} {'cover95':>8s} {'reject5%':>9s} "
          f"{'meanSE':>7s} {'sd(est)':>8s} {'secs':>6s}")
    for hr in (1.5, 1.0):
        t0 = time.perf_counter()
        beta = math.log(hr)
        fits = [FineGray(competing_risks_world(args.seed + k, args.persons, beta)).fit() for k in range(args.reps)]
        est = np.array([f.estimate for f in fits])
        se = np.array([f.std_error for f in fits])
        cover = np.mean([lo <= beta <= hi for lo, hi in (f.conf_int() for f in fits)])
        print(f"{hr:11.2f} {args.reps:5d} {args.persons:7d} {est.mean() - beta:10.4f} {cover:8.3f} "
              f"{np.mean(np.abs(est / se) > 1.96):9.3f} {se.mean():7.4f} {est.std():8.4f} "
              f"{time.perf_counter() - t0:6.0f}")


if __name__ == "__main__":
    main()
