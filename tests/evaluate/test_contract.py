"""The one results contract: every design's results object has the same accessors and tidy
columns, its interval is computed on demand, it cannot be changed through what it returns, and
designs go side by side in ``etable`` from the contract alone."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.evaluate import (
    CallawaySantAnna,
    EventStudy,
    PanelData,
    RelativeMagnitudes,
    SunAbraham,
    SyntheticControl,
    SyntheticDiD,
    TwoWayFixedEffects,
)
from kuva.evaluate.contract import TIDY_COLUMNS, EffectResult, etable
from kuva.evaluate.planted import simulate_panel
from tests.evaluate.helpers import PYFIXEST_PANDAS_FILTER, mpdta_panel, prop99_panel

pytestmark = PYFIXEST_PANDAS_FILTER

SEED = 20240611  # the data's seed; the assertions below hold for any seed (no value is checked)


def _common() -> PanelData:
    sim = simulate_panel(n_units=60, n_periods=16, n_clusters=20, treated_clusters=8, adoption=(8,), seed=SEED)
    return PanelData(sim.frame, unit="unit", time="period", outcome="y", treat_start="treat_start",
                     cluster="cluster")


def _spells() -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    rows = []
    for i in range(600):
        s = float(rng.integers(5, 60)) if rng.random() < 0.5 else np.inf
        t = rng.exponential(100.0)
        if t > s:
            t = s + (t - s) / 1.5
        t = min(t, 300.0)
        event = int(t < 300.0)
        if t > s:
            rows += [(i, 0.0, s, 0, 0.0), (i, s, t, event, 1.0)]
        else:
            rows.append((i, 0.0, t, event, 0.0))
    return pd.DataFrame(rows, columns=["id", "start", "stop", "event", "treated"])


def _cox() -> Any:
    from kuva.evaluate.survival import CoxTimeVarying

    return CoxTimeVarying(_spells()).fit()


def _discrete() -> Any:
    from kuva.evaluate.survival import DiscreteTimeHazard

    f = _spells()
    return DiscreteTimeHazard(f.assign(start=np.floor(f["start"]), stop=np.ceil(f["stop"])), width=7).fit()


def _fine_gray() -> Any:
    from kuva.evaluate.survival import FineGray

    f = _spells()
    last = ~f["id"].duplicated(keep="last")
    # every third ended spell ends otherwise than by the event: a competing risk
    cause = [("other" if i % 3 == 0 else "work") if e == 1 and is_last else 0
             for i, e, is_last in zip(f["id"], f["event"], last, strict=True)]
    return FineGray(f.assign(cause=cause)).fit()


def _fits() -> dict[str, Callable[[], Any]]:
    common = _common()
    es = EventStudy(common, leads=3, lags=3).fit()
    cs = CallawaySantAnna(mpdta_panel()).fit(bootstrap_reps=0)
    return {
        "twfe": lambda: TwoWayFixedEffects(common).fit(bootstrap_reps=0),
        "event_study": lambda: es,
        "cs": lambda: cs,
        "cs_dynamic": lambda: cs.aggregate("dynamic"),
        "sun_abraham": lambda: SunAbraham(mpdta_panel()).fit(),
        "synth": lambda: SyntheticControl(prop99_panel()).fit(leave_one_out=False),
        "sdid": lambda: SyntheticDiD(common).fit(variance="jackknife"),
        "relative_magnitudes": lambda: RelativeMagnitudes(es, target=0).fit(mbar=[0.0, 1.0]),
        "cox_time_varying": _cox,
        "discrete_time_hazard": _discrete,
        "fine_gray": _fine_gray,
    }


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return {name: make() for name, make in _fits().items()}


NAMES = ["twfe", "event_study", "cs", "cs_dynamic", "sun_abraham", "synth", "sdid", "relative_magnitudes",
         "cox_time_varying", "discrete_time_hazard", "fine_gray"]


@pytest.mark.parametrize("name", NAMES)
def test_every_design_follows_the_contract(results: dict[str, Any], name: str) -> None:
    r = results[name]
    assert isinstance(r, EffectResult)
    tidy = r.tidy()
    assert tuple(tidy.columns) == TIDY_COLUMNS
    head = tidy.iloc[0]
    assert head["estimate"] == pytest.approx(r.estimate, rel=1e-12)
    if math.isnan(r.std_error):
        assert math.isnan(head["std_error"])
    else:
        assert head["std_error"] == pytest.approx(r.std_error, rel=1e-12)
    assert isinstance(r.inference, str) and r.inference
    assert r.n_units > 0 and r.n_obs >= r.n_units
    lo95, hi95 = r.conf_int(0.05)
    lo90, hi90 = r.conf_int(0.10)
    if math.isfinite(r.std_error) and r.std_error > 0:
        # computed on demand: a 90 % interval lies inside the 95 % one, both around the estimate
        assert lo95 < lo90 < r.estimate < hi90 < hi95
        assert 0.0 <= r.p_value <= 1.0
        assert r.statistic == pytest.approx(r.estimate / r.std_error, rel=1e-9)
    else:  # synthetic control: placebo permutation, no interval
        assert math.isnan(lo95) and math.isnan(hi95) and 0 < r.p_value <= 1
    with pytest.raises(KuvaInputError, match="alpha"):
        r.conf_int(1.5)
    assert str(r.summary())
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert r.plot(ax=ax) is ax  # draws on the axes it is given


def _mutate(obj: object) -> None:
    """Try every way of changing a returned object in place."""
    if isinstance(obj, pd.DataFrame):
        if len(obj.columns):
            obj.iloc[:, 0] = 0 if obj.iloc[:, 0].dtype.kind in "fiu" else "x"
            del obj[obj.columns[0]]
    elif isinstance(obj, pd.Series):
        if len(obj):
            obj.iloc[0] = 0 if obj.dtype.kind in "fiu" else "x"
    elif isinstance(obj, np.ndarray):
        if obj.size:
            obj.flat[0] = 0  # read-only arrays refuse
    elif isinstance(obj, MappingProxyType | dict):
        obj.clear()  # type: ignore[union-attr]  # a read-only view refuses


def _public(r: object) -> dict[str, object]:
    out = {}
    for name in dir(r):
        attr = getattr(type(r), name, None)
        if name.startswith("_") or (callable(attr) and not isinstance(attr, property)):
            continue
        out[name] = getattr(r, name)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_results_cannot_be_changed_through_what_they_return(results: dict[str, Any], name: str) -> None:
    r = results[name]
    before_tidy = r.tidy()
    before_summary = str(r.summary())
    for value in [*_public(r).values(), r.tidy()]:
        with contextlib.suppress(ValueError, TypeError, AttributeError):  # refused: read-only
            _mutate(value)
    pd.testing.assert_frame_equal(r.tidy(), before_tidy)
    assert str(r.summary()) == before_summary


def test_immutability_catches_the_reported_cases(results: dict[str, Any]) -> None:
    sc, cs = results["synth"], results["cs"]
    gap = sc.estimate
    paths = sc.paths
    paths["gap"] = 0.0  # edits a copy
    assert sc.paths["gap"].abs().sum() > 0
    assert sc.estimate == gap
    with pytest.raises(AttributeError):
        cs.labels.clear()  # a read-only view
    assert len(cs.tidy()) == 1 + len(cs.att_gt)


def test_cs_aggregate_inherits_the_fit_inference() -> None:
    cs = CallawaySantAnna(mpdta_panel()).fit(bootstrap_reps=199, seed=7)
    agg = cs.aggregate("group")
    assert "bootstrap (B=199)" in agg.inference
    assert cs.aggregate("group").estimate == agg.estimate
    assert cs.aggregate("group").std_error == agg.std_error  # the fit's seed: reproducible
    assert "analytic" in cs.aggregate("group", bootstrap_reps=0).inference


def test_etable_puts_designs_side_by_side(results: dict[str, Any]) -> None:
    picked = {k: results[k] for k in ("twfe", "cs", "sun_abraham", "synth", "sdid")}
    t = etable(picked)
    assert list(t.columns) == list(picked)
    for k, r in picked.items():
        assert t.loc["estimate", k] == r.estimate
        assert t.loc["inference", k] == r.inference
    lo, hi = t.loc["ci_low", "twfe"], t.loc["ci_high", "twfe"]
    assert (lo, hi) == results["twfe"].conf_int(0.05)
    with pytest.raises(KuvaInputError, match="results contract"):
        etable({"not a result": pd.DataFrame()})  # type: ignore[dict-item]
