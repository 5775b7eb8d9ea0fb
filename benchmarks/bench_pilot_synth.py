"""A pilot area's synthetic control as the portal's area page computes it (issue 14's cold
latency): ``kuva.report.effects_chapter.pilot_area_synth`` for several pilot areas one after
another on a warehouse with municipal service counts from 2018 (e.g. the demo's), against a bare
baseline measured in the same run (opening the warehouse and reading one observation).

Run: ``.venv/bin/python benchmarks/bench_pilot_synth.py --warehouse kuva-data/kuva.duckdb``
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from kuva.analysis.own_area import resolve_own_area
from kuva.report.effects_chapter import pilot_area_synth
from kuva.warehouse import Warehouse

AREAS = ("etela_pohjanmaan_seutu", "hameenlinnan_seutu", "kainuun_seutu", "oulun_seutu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args()
    for _ in range(2):  # the second: imports and the query compiler warmed up, as on a running server
        t = time.perf_counter()
        with Warehouse(args.warehouse, read_only=True) as wh:
            wh.table("observations").limit(1).to_pandas()
        base = time.perf_counter() - t
    print(f"baseline (open the warehouse, read one observation): {base:.2f} s")
    with Warehouse(args.warehouse, read_only=True) as wh, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for code in AREAS:
            try:
                own = resolve_own_area(wh, code)
            except Exception as exc:  # an area name the registry does not know: say so and go on
                print(f"{code}: {exc}")
                continue
            t = time.perf_counter()
            r = pilot_area_synth(wh, own)
            took = time.perf_counter() - t
            print(f"{code:28s} {took:5.2f} s ({took / base:4.0f}× the baseline)  gap {r.numbers['estimate']:+.2f} pp, "
                  f"placebo p {r.numbers['p_value']:.4f}")


if __name__ == "__main__":
    main()
