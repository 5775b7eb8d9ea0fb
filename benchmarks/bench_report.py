"""Benchmark: the full report (every registered chapter) on a warehouse built from the bundled
StatFin data plus the simulator's synthetic output (when :mod:`kuva.simulate` is available).

    .venv/bin/python benchmarks/bench_report.py [--scale 0.01] [--langs fi,sv,en]

Prints the time of each stage per language; the target is under 60 s for one full report.
Results are recorded in docs/report.md.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

from kuva.report import build_report
from kuva.sources.bundled import load_bundled
from kuva.warehouse import Warehouse

DEMO_SEED = 2021


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.01, help="simulator scale (share of the country)")
    ap.add_argument("--langs", default="fi,sv,en", help="comma-separated languages")
    ap.add_argument("--no-simulate", action="store_true", help="bundled data only")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kuva-bench-report-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        with Warehouse(root / "kuva.duckdb") as wh:
            load_bundled(wh)
            simulated = False
            if not args.no_simulate:
                try:
                    from kuva.simulate import simulate_into
                except ImportError:
                    pass
                else:
                    simulate_into(wh, scale=args.scale, seed=DEMO_SEED)
                    simulated = True
        build_s = time.perf_counter() - t0
        print(f"python {platform.python_version()} on {platform.machine()}; warehouse built in {build_s:.1f} s "
              f"(bundled{' + simulated, scale ' + str(args.scale) if simulated else ' only'})")
        with Warehouse(root / "kuva.duckdb", read_only=True) as wh:
            for lang in args.langs.split(","):
                t0 = time.perf_counter()
                out = build_report(wh, lang=lang, out_dir=root / f"report_{lang}")  # type: ignore[arg-type]
                total = time.perf_counter() - t0
                stages = ", ".join(f"{k} {v:.2f} s" for k, v in out.timings.items())
                size_html = out.html.stat().st_size / 1e6
                size_pdf = out.pdf.stat().st_size / 1e6 if out.pdf else 0.0
                print(f"{lang}: total {total:.2f} s ({stages}); {out.figures} figures, {len(out.tables)} table "
                      f"files, {out.pages} PDF pages, HTML {size_html:.1f} MB, PDF {size_pdf:.1f} MB")


if __name__ == "__main__":
    main()
