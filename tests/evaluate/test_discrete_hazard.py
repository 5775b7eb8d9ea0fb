"""The discrete-time (grouped-time proportional hazards, cloglog) model with a time-varying
treatment: its person-period counts by hand, the same fit as one row per person and period, the
planted hazard ratio recovered from daily data, the attenuation that coarse periods bring, and
refusals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.evaluate.survival import CoxTimeVarying, DiscreteTimeHazard, person_periods

COLUMNS = ["id", "start", "stop", "event", "treated"]
#: the recovery tolerance in standard errors (a 4-SE band fails by chance about once in 16,000)
Z_TOL = 4.0


def _world(n: int, hr: float, seed: int) -> pd.DataFrame:
    """Exponential exits (median about 104 days) that come ``hr`` times as fast after a service
    starting at an exponential day (mean 120); uniform censoring 100–700 days; whole days."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, int, int, int, float]] = []
    for i in range(n):
        s, t0, c = rng.exponential(120.0), rng.exponential(150.0), rng.uniform(100.0, 700.0)
        t = t0 if t0 <= s else s + rng.exponential(150.0 / hr)
        event = int(t <= c)
        stop = max(1, math.ceil(min(t, c)))
        start = math.ceil(s)
        if 0 < start < stop:
            rows += [(i, 0, start, 0, 0.0), (i, start, stop, event, 1.0)]
        else:
            rows.append((i, 0, stop, event, 0.0))
    return pd.DataFrame(rows, columns=COLUMNS)


def test_person_periods_by_hand() -> None:
    """30-day periods. A: untreated to day 45, treated from day 46, exit on day 100 — periods 1–2
    untreated (their first days 1 and 31 are before the start), 3–4 treated, the exit in 4.
    B: the service starts on day 41 and B exits on day 50, inside period 2 whose first day was
    untreated — the exit counts as untreated. C: censored on day 20."""
    frame = pd.DataFrame([("A", 0, 45, 0, 0.0), ("A", 45, 100, 1, 1.0), ("B", 0, 40, 0, 0.0),
                          ("B", 40, 50, 1, 1.0), ("C", 0, 20, 0, 0.0)], columns=COLUMNS)
    cells = person_periods(frame, width=30).set_index(["period", "treated"])
    expected = {(1, 0): (3, 0), (2, 0): (2, 1), (3, 1): (1, 0), (4, 1): (1, 1)}
    assert {k: (int(r.at_risk), int(r.events)) for k, r in cells.iterrows()} == expected


def _row_level(frame: pd.DataFrame, width: int) -> tuple[float, float]:
    """The same model fitted plainly: one row per person and period, status of the period's
    first day, the event in the period of its day."""
    import statsmodels.api as sm

    rows = []
    for _, g in frame.groupby("id", sort=True):
        g = g.sort_values("start")
        end = int(g["stop"].max())
        event = int(g["event"].iloc[-1])
        for p in range(1, (end - 1) // width + 2):
            first_day = (p - 1) * width + 1
            status = float(g[(g["start"] < first_day) & (first_day <= g["stop"])]["treated"].iloc[0])
            rows.append((p, status, int(event and p == (end - 1) // width + 1)))
    pp = pd.DataFrame(rows, columns=["period", "treated", "y"])
    keep = pp.groupby("period")["y"].transform("sum") > 0
    pp = pp[keep]
    dummies = pd.get_dummies(pp["period"], dtype=float)
    exog = np.column_stack([pp["treated"].to_numpy(), dummies.to_numpy()])
    fit = sm.GLM(pp["y"].to_numpy(dtype=float), exog,
                 family=sm.families.Binomial(link=sm.families.links.CLogLog())).fit(tol=1e-12)
    return float(fit.params[0]), float(fit.bse[0])


@pytest.mark.parametrize("width", [7, 30])
def test_the_counts_fit_equals_one_row_per_person_and_period(width: int) -> None:
    frame = _world(300, 1.5, seed=11)
    r = DiscreteTimeHazard(frame, width=width).fit()
    est, se = _row_level(frame, width)
    assert r.estimate == pytest.approx(est, abs=1e-8)
    assert r.std_error == pytest.approx(se, rel=1e-6)
    assert r.n_units == 300 and r.n_events == int(frame["event"].sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_daily_periods_recover_the_planted_hazard_ratio(seed: int) -> None:
    frame = _world(5000, 1.5, seed)
    r = DiscreteTimeHazard(frame, width=1).fit()
    assert abs(r.estimate - math.log(1.5)) <= Z_TOL * r.std_error
    cox = CoxTimeVarying(frame).fit()
    # short periods: the grouped-time and the Cox estimate of the same log hazard ratio agree
    # within a fraction of their standard error
    assert abs(r.estimate - cox.estimate) <= 0.75 * cox.std_error
    lo, hi = r.conf_int()
    assert lo < r.estimate < hi and r.baseline["hazard"].between(0, 1).all()


def test_coarse_periods_attenuate_the_effect() -> None:
    """A service starting inside a period counts from the next one, so 30-day periods misclassify
    part of the treated time as untreated and pull the hazard ratio toward one — the price of
    monthly data, and why the daily model is the default on the event log."""
    frames = [_world(5000, 1.5, seed) for seed in (0, 1, 2)]
    daily = np.mean([DiscreteTimeHazard(f, width=1).fit().estimate for f in frames])
    monthly = np.mean([DiscreteTimeHazard(f, width=30).fit().estimate for f in frames])
    assert 0 < monthly < daily


def test_refusals() -> None:
    frame = pd.DataFrame([(1, 0, 10.5, 1, 0.0), (2, 0, 4, 0, 1.0)], columns=COLUMNS)
    with pytest.raises(KuvaInputError, match="whole days"):
        DiscreteTimeHazard(frame).fit()
    with pytest.raises(KuvaInputError, match="at least one day"):
        person_periods(frame.assign(stop=[10, 4]), width=0)
    with pytest.raises(KuvaInputError, match="never varies"):
        DiscreteTimeHazard(pd.DataFrame([(1, 0, 10, 1, 0.0), (2, 0, 4, 0, 0.0)], columns=COLUMNS)).fit()
