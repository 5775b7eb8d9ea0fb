"""KuVa's estimators against the peer Python packages on the same data at 1×, 10× and 100×.

- Callaway–Sant'Anna (doubly robust, never-treated comparison, analytic standard errors) on
  mpdta replicated 1×, 10×, 100× (2,500 → 250,000 rows; replicas get new unit ids): KuVa vs
  ``csdid`` (``ATTgt(...).fit(est_method="dr", bstrap=False)``);
- TWFE with a 9,999-draw WCR wild cluster bootstrap (Webb weights) on a simulated person panel
  of 10,000, 100,000 and 1,000,000 rows: KuVa (panel validation included) vs pyfixest ``feols``
  + its ``wildboottest`` (the wildboottest package).

Peers not installed are reported as skipped (they are not KuVa dependencies:
``pip install csdid wildboottest``). Prints seconds and KuVa / fastest-peer ratios. Run:

    .venv/bin/python benchmarks/bench_peers.py [--sizes 1 10 100]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from kuva.evaluate import CallawaySantAnna, PanelData, TwoWayFixedEffects
from kuva.evaluate.planted import simulate_panel

REFERENCE = Path(__file__).resolve().parents[1] / "tests" / "evaluate" / "reference"


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def mpdta(times: int) -> pd.DataFrame:
    base = pd.read_csv(REFERENCE / "mpdta.csv")
    parts = [base.assign(countyreal=base["countyreal"] + k * 100_000) for k in range(times)]
    return pd.concat(parts, ignore_index=True)


def cs_row(times: int) -> None:
    df = mpdta(times)
    df["g"] = df["first.treat"].where(df["first.treat"] > 0)

    def kuva() -> None:
        p = PanelData(df, unit="countyreal", time="year", outcome="lemp", treat_start="g")
        CallawaySantAnna(p).fit(bootstrap_reps=0)

    out = {"kuva": timed(kuva)}
    try:
        from csdid.att_gt import ATTgt

        out["csdid"] = timed(lambda: ATTgt(yname="lemp", gname="first.treat", idname="countyreal", tname="year",
                                           data=df).fit(est_method="dr", bstrap=False))
    except Exception as exc:  # a peer's failure is reported, not fatal
        out["csdid"] = float("nan")
        print(f"  csdid skipped: {type(exc).__name__}: {exc}")
    report(f"Callaway–Sant'Anna, mpdta ×{times} ({len(df):,} rows)", out)


def twfe_row(rows: int) -> None:
    units = rows // 20
    sim = simulate_panel(n_units=units, n_periods=20, n_clusters=60, treated_clusters=20, adoption=(10,), seed=1)
    frame = sim.frame

    def kuva() -> None:
        p = PanelData(frame, unit="unit", time="period", outcome="y", treat_start="treat_start", cluster="cluster")
        TwoWayFixedEffects(p).fit(bootstrap_reps=9999, seed=1)

    out = {"kuva": timed(kuva)}
    try:
        import pyfixest as pf

        work = frame.assign(treat=(frame["period"] >= frame["treat_start"]).fillna(False).astype(float),
                            t=frame["period"].astype(str), cluster=pd.factorize(frame["cluster"])[0],
                            unit=pd.factorize(frame["unit"])[0])
        out["pyfixest+wildboottest"] = timed(lambda: pf.feols("y ~ treat | unit + t", data=work,
                                                              vcov={"CRV1": "cluster"}).wildboottest(
            param="treat", reps=9999, seed=1))
    except Exception as exc:
        out["pyfixest+wildboottest"] = float("nan")
        print(f"  pyfixest+wildboottest skipped: {type(exc).__name__}: {exc}")
    report(f"TWFE + WCR 9,999, {len(frame):,} rows", out)


def report(title: str, out: dict[str, float]) -> None:
    peers = [v for k, v in out.items() if k != "kuva" and np.isfinite(v)]
    ratio = f"{out['kuva'] / min(peers):.2f}× the fastest peer" if peers else "no peer ran"
    print(f"{title}: " + ", ".join(f"{k} {v:.2f} s" for k, v in out.items()) + f" — KuVa {ratio}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    a = ap.parse_args()
    warnings.filterwarnings("ignore")  # peers' deprecation noise; timings only
    for k in a.sizes:
        cs_row(k)
    for k in a.sizes:
        twfe_row(10_000 * k)


if __name__ == "__main__":
    main()
