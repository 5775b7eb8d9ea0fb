"""Time and peak memory of kuva.simulate (tiny and whole country).

Usage: ``python benchmarks/bench_simulate.py [scale ...] [--store]``. Each scale runs in a
fresh subprocess so the peak resident memory (``ru_maxrss``) belongs to that run alone.
``--store`` also loads the result into a temporary DuckDB warehouse (``simulate_into``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _one(scale: float, store: bool) -> dict[str, object]:
    import resource

    from kuva.simulate import simulate, simulate_into
    from kuva.warehouse import Warehouse

    t0 = time.perf_counter()
    if store:
        with tempfile.TemporaryDirectory() as tmp, Warehouse(Path(tmp) / "bench.duckdb") as wh:
            rep = simulate_into(wh, scale=scale, seed=2024)
            n_persons, n_events, n_paths = rep.n_persons, rep.loads["events"].rows_in, 0
    else:
        data = simulate(scale=scale, seed=2024)
        n_persons, n_events, n_paths = data.n_persons, len(data.events), data.persons_state.n_paths
    seconds = time.perf_counter() - t0
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return {"scale": scale, "store": store, "seconds": round(seconds, 2), "peak_gib": round(peak_gib, 2),
            "persons": n_persons, "paths": n_paths, "events": n_events}


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(_one(float(argv[1]), argv[2] == "1")))
        return
    store = "--store" in argv
    scales = [float(a) for a in argv if not a.startswith("--")] or [0.001, 1.0]
    for s in scales:
        out = subprocess.run([sys.executable, __file__, "--child", str(s), "1" if store else "0"],
                             check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"scale={r['scale']:<6} store={r['store']!s:<5} time={r['seconds']:>7.2f} s  "
              f"peak={r['peak_gib']:>5.2f} GiB  persons={r['persons']:,}  paths={r['paths']:,}  events={r['events']:,}")


if __name__ == "__main__":
    main(sys.argv[1:])
