"""Coverage of the person-level duration designs (issue 16's "done when"): the Cox model
(``--design cox``) or the daily discrete-time hazard model (``--design discrete``, grouped-time
proportional hazards, cloglog) with the service start as a time-varying treatment on simulated
event logs with a planted hazard ratio of exit to work (1.5) and in a no-effect world (1.0) —
bias, 95 % interval coverage and the rejection rate of H0: HR = 1 — over ``--reps`` simulations
each.

Run: ``.venv/bin/python benchmarks/person_level_coverage.py --reps 200 [--design discrete]``
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import numpy as np

from kuva.process.outcomes import service_effect_discrete, service_effect_on_exits
from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events

SOURCE = SourceInfo("synthetic:process", "synthetic", "coverage", "benchmark", "none", True, "sim",
                    datetime(2025, 1, 1))


@contextmanager
def simulated(hr: float, seed: int, clients: int, folder: Path) -> Iterator[Warehouse]:
    """A throw-away warehouse with one simulated log of three municipalities (planted HR ``hr``)."""
    sim = simulate_event_log(["KU091", "KU049", "KU205"], clients=clients, seed=seed,
                             params=ProcessParams(service_exit_hr=hr))
    path = folder / f"w{seed}.duckdb"
    try:
        with Warehouse(path) as wh:
            load_process_events(wh, stored_frame(sim), SOURCE)
            yield wh
    finally:
        path.unlink(missing_ok=True)


DESIGNS = {"cox": service_effect_on_exits, "discrete": service_effect_discrete}


def one(hr: float, seed: int, clients: int, folder: Path, design: str = "cox") -> tuple[float, float, float]:
    """(log HR estimate, its SE, two-sided p-value of HR = 1) of one simulated log."""
    with simulated(hr, seed, clients, folder) as wh:
        r = DESIGNS[design](wh)
    return r.estimate, r.std_error, r.p_value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--clients", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=16_000)
    parser.add_argument("--design", choices=sorted(DESIGNS), default="cox")
    args = parser.parse_args()
    print(f"{'planted HR':>10s} {'reps':>5s} {'mean HR':>8s} {'bias(log)':>10s} {'cover95':>8s} "
          f"{'reject5%':>9s} {'meanSE':>7s} {'sd(est)':>8s} {'secs':>6s}")
    with tempfile.TemporaryDirectory() as tmp:
        for k, hr in enumerate((1.5, 1.0)):
            t0 = time.perf_counter()
            rows = np.array([one(hr, args.seed + 10_000 * k + i, args.clients, Path(tmp), args.design)
                             for i in range(args.reps)])
            est, se, p = rows[:, 0], rows[:, 1], rows[:, 2]
            truth = math.log(hr)
            cover = np.mean((est - 1.96 * se <= truth) & (truth <= est + 1.96 * se))
            print(f"{hr:10.2f} {args.reps:5d} {math.exp(est.mean()):8.3f} {est.mean() - truth:10.4f} {cover:8.3f} "
                  f"{np.mean(p < 0.05):9.3f} {se.mean():7.4f} {est.std():8.4f} {time.perf_counter() - t0:6.0f}")


if __name__ == "__main__":
    main()
