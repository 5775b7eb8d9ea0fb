"""Start-up time of the ``kuva`` command line against a bare Python in the same run.

Each command runs as a fresh process (what a user pays), ``--repeat`` times; the median wall
time is printed with its ratio to ``python -c pass`` measured in the same run, so figures from
different machines compare by ratio. Also prints the import time of ``kuva.cli`` alone.

Run: ``.venv/bin/python benchmarks/bench_cli_startup.py [--warehouse PATH] [--repeat N]``.
Without ``--warehouse`` a temporary warehouse with the bundled StatFin tables 12r5 and 12u4 is
built first (not timed). Not a test: the figures go to docs/performance.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KUVA = Path(sys.executable).with_name("kuva")


def median_seconds(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="Warehouse to run info/query against (default: build one).")
    parser.add_argument("--repeat", type=int, default=7, help="Runs per command (median reported).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = args.warehouse
        if warehouse is None:
            warehouse = Path(tmp) / "kuva.duckdb"
            subprocess.run([str(KUVA), "-w", str(warehouse), "load", "bundled", "-t", "12r5", "-t", "12u4"],
                           capture_output=True, check=True)
        w = ["-w", str(warehouse)]
        cases: list[tuple[str, list[str]]] = [
            ("python -c pass", [sys.executable, "-c", "pass"]),
            ("python -c 'import kuva.cli'", [sys.executable, "-c", "import kuva.cli"]),
            ("kuva --help", [str(KUVA), "--help"]),
            ("kuva info", [str(KUVA), *w, "info"]),
            ("kuva query TYOTTOMATLOPUSSA -a KU091 --from 2020-01 --to 2020-12",
             [str(KUVA), *w, "query", "TYOTTOMATLOPUSSA", "-a", "KU091", "--from", "2020-01", "--to", "2020-12"]),
        ]
        base = None
        print(f"{'command':<70} {'median s':>9} {'× python':>9}")
        for name, cmd in cases:
            seconds = median_seconds(cmd, args.repeat)
            base = seconds if base is None else base
            print(f"{name:<70} {seconds:9.3f} {seconds / base:9.1f}")


if __name__ == "__main__":
    main()
