"""Disclosure control: information loss and safety of the engine against the methods it replaced.

On random additive tables (2-D and 3-D, every margin published, many small counts) and on the
demo's service-mix table shape, three methods are compared:

- ``primary``: hide counts in [1, min_cell) only;
- ``next-smallest``: KuVa's former method — when exactly one cell of a group is hidden, hide the
  next-smallest cell of that group too (each dimension's groups, repeated until stable);
- ``engine``: kuva.privacy (LP-based secondary suppression, checked by the LP attacker).

For each: the share of confidential cells and of persons hidden, the time, and how many hidden
cells the attacker (kuva.privacy.audit) can still narrow down ("exposed").

With ``--warehouse FILE`` (e.g. the demo's kuva-data/kuva.duckdb) it also times what ``kuva
query`` does for every municipality's eight service counts over 12 months (about 30,000 cells):
the bare warehouse query (the baseline), the engine and the audit, and prints the ratios. Run:

    .venv/bin/python benchmarks/bench_disclosure.py [--tables 60] [--seed 1] [--warehouse FILE]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from kuva.privacy.audit import audit_tables
from kuva.privacy.engine import protect_table
from kuva.privacy.policy import policy
from kuva.privacy.spec import Count, Hierarchy, TableSpec

MIN_CELL = 5
SMALL = np.array([0, 1, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40, 80])


def additive(values: np.ndarray) -> tuple[pd.DataFrame, TableSpec, list[str]]:
    dims = [f"d{k}" for k in range(values.ndim)]
    rows = []
    for idx in np.ndindex(*(s + 1 for s in values.shape)):
        sel = tuple(slice(None) if i == s else i for i, s in zip(idx, values.shape, strict=True))
        rows.append({**{d: ("T" if i == s else str(i)) for d, i, s in zip(dims, idx, values.shape, strict=True)},
                     "n": int(np.sum(values[sel]))})
    spec = TableSpec(counts=(Count("n", tuple(dims)),), relations=tuple(
        Hierarchy("n", d, {"T": [str(i) for i in range(s)]}) for d, s in zip(dims, values.shape, strict=True)))
    return pd.DataFrame(rows), spec, dims


def primary(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(n=df["n"].where(~((df["n"] > 0) & (df["n"] < MIN_CELL))))


def next_smallest(df: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    out = primary(df)
    changed = True
    while changed:
        changed = False
        for d in dims:
            others = [x for x in dims if x != d]
            for _, idx in out.groupby(others, sort=False).indices.items():
                sub = out.iloc[idx]
                hidden = sub["n"].isna() & df["n"].iloc[idx].notna()
                if hidden.sum() == 1:
                    rest = sub[~hidden & (sub["n"] > 0)]
                    if len(rest):
                        out.loc[rest["n"].idxmin(), "n"] = np.nan
                        changed = True
    return out


def measure(name: str, frames: list[tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]], seconds: float) -> str:
    cells = persons = hid_cells = hid_persons = exposed = 0.0
    for true, published, sidecar in frames:
        mask = published["n"].isna() & true["n"].notna()
        cells += len(true)
        persons += float(true["n"].sum())
        hid_cells += float(mask.sum())
        hid_persons += float(true.loc[mask, "n"].sum())
        exposed += audit_tables([("t", sidecar, published)]).exposed
    return (f"{name:14s} cells hidden {hid_cells / cells:6.1%}  persons hidden {hid_persons / persons:6.2%}  "
            f"exposed cells {int(exposed):5d}  time {seconds:6.2f} s")


def query_scale(path: str) -> None:
    from datetime import date

    from kuva.privacy.observations import protect_observations, related_measures
    from kuva.warehouse import Warehouse, query_observations
    from kuva.warehouse.query import source_sensitivity

    measures = ["PALVELUISSAYHTEENSA", "TVKOULUTUSLOP", "VALMENNUSLOP", "TYOLLISTETTYLOP", "KOKEILULOP",
                "VUORVAPLOP", "KUNTTYOLOP", "OMAEHTLOP"]
    window = {"start": date(2021, 1, 1), "end": date(2021, 12, 1)}
    with Warehouse(path, read_only=True) as wh:
        t0 = time.perf_counter()
        df = query_observations(wh, measures, **window)  # type: ignore[arg-type]
        bare = time.perf_counter() - t0
        ctx = query_observations(wh, sorted(related_measures(measures) - set(measures)), **window)  # type: ignore[arg-type]
        sens = source_sensitivity(wh)
    t0 = time.perf_counter()
    pt = protect_observations(df, policy(MIN_CELL), sensitivity=sens, context=ctx)
    protect = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = audit_tables([("query", pt.sidecar, pt.frame)])
    attack = time.perf_counter() - t0
    print(f"query of {len(df):,} counts: bare {bare:.2f} s; engine {protect:.1f} s ({protect / bare:.0f}x bare); "
          f"audit {attack:.1f} s; hidden {pt.note.hidden_cells:,} of {pt.note.confidential_cells:,}; "
          f"exposed {report.exposed}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--warehouse", default=None)
    args = ap.parse_args()
    if args.warehouse:
        query_scale(args.warehouse)
    rng = np.random.default_rng(args.seed)
    pol = policy(MIN_CELL)
    cases = []
    for k in range(args.tables):
        shape = (rng.integers(3, 7), rng.integers(3, 7)) if k % 3 else tuple(rng.integers(2, 5, size=3))
        cases.append(additive(rng.choice(SMALL, size=shape)))
    results: dict[str, list[tuple[pd.DataFrame, pd.DataFrame, dict[str, object]]]] = {
        "primary": [], "next-smallest": [], "engine": []}
    times = dict.fromkeys(results, 0.0)
    for df, spec, dims in cases:
        t0 = time.perf_counter()
        pt = protect_table(df, spec, pol, name="t")
        times["engine"] += time.perf_counter() - t0
        sidecar = dict(pt.sidecar)
        results["engine"].append((df, pt.frame, sidecar))
        t0 = time.perf_counter()
        prim = primary(df)
        times["primary"] += time.perf_counter() - t0
        results["primary"].append((df, prim, sidecar))
        t0 = time.perf_counter()
        ns = next_smallest(df, dims)
        times["next-smallest"] += time.perf_counter() - t0
        results["next-smallest"].append((df, ns, sidecar))
    n_cells = sum(len(c[0]) for c in cases)
    print(f"{args.tables} random additive tables (2-D and 3-D with all margins), {n_cells} cells, "
          f"min_cell {MIN_CELL}, seed {args.seed}")
    for name, frames in results.items():
        print(measure(name, frames, times[name]))


if __name__ == "__main__":
    main()
