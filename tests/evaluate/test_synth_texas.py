"""Synthetic control on Texas (Cunningham's Mixtape; pysyncon's example): which ``V`` gives the
published weights, and what each of KuVa's ``V`` options gives.

Data: ``reference/texas/texas.csv`` (causaldata 0.1.5's ``texas.dta``, see its README).
Predictors and windows are pysyncon's ``examples/texas.ipynb`` (R ``dataprep``): income, ur,
poverty averaged over 1985–1993 (``time.predictors.prior``), special predictors bmprison 1988,
1990, 1991, 1992, alcohol 1990, aidscapita 1990, 1991, black 1990, 1991, 1992, perc1519 1990;
outcome MSPE over 1985–1993 (``time.optimize.ssr``). Both windows include 1993, so the panel's
treatment starts in 1994 here (R ``Synth`` takes windows, not a treatment date).

What is reproduced: the published weights (pysyncon's test references California .4077,
Illinois .3603, Louisiana .1215, Florida .1105; Mixtape .408/.360/.122/.111) are the donor
weights at Synth's *regression-based* ``V`` — pysyncon's BFGS barely moves from that start (its
reported ``V`` equals the start to three decimals), and Stata ``synth`` uses that ``V`` unless
``nested`` is given. ``v="regression"`` and pysyncon's printed ``V`` (three decimals) both
reproduce them within ``PUBLISHED_TOL`` = 0.005 per donor (measured largest differences
0.0012 and 0.0022; pysyncon solves the inner problem with SLSQP, KuVa with exact NNLS).

What is not reproduced: a real search from that start does not stay there. R ``Synth``'s search
(``v_method="synth"``: Nelder–Mead and BFGS from equal and regression starts, best kept) finds
Florida .483, New York .294, Illinois .224 (pre-period RMSPE 845 against 1,295 at the published
weights); KuVa's default nested search finds New York .616, Illinois .384 (RMSPE 910). R itself
could not be run here (its inner solver is ``ipop``, KuVa's exact NNLS), so these two are
KuVa's measured results, asserted within ``SEARCH_TOL`` = 0.02 per donor to catch changes (the
search's only where its BFGS run reaches that optimum: see the test).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.evaluate import PanelData, Predictor, SyntheticControl
from kuva.evaluate.synth.results import SyntheticControlResults

REF = Path(__file__).parent / "reference" / "texas"
PUBLISHED_TOL = 0.005
SEARCH_TOL = 0.02
WINDOWS: dict[str, Any] = {"predictors_window": (1985, 1993), "optimize_window": (1985, 1993)}


@pytest.fixture(scope="module")
def texas() -> tuple[PanelData, list[Predictor]]:
    df = pd.read_csv(REF / "texas.csv")
    df["g"] = np.where(df["state"] == "Texas", 1994, np.nan)
    covs = ["income", "ur", "poverty", "alcohol", "aidscapita", "black", "perc1519"]
    panel = PanelData(df, unit="state", time="year", outcome="bmprison", treat_start="g", covariates=covs)
    preds = ([Predictor(c) for c in ("income", "ur", "poverty")]
             + [Predictor("bmprison", y) for y in (1988, 1990, 1991, 1992)]
             + [Predictor("alcohol", 1990), Predictor("aidscapita", 1990), Predictor("aidscapita", 1991),
                Predictor("black", 1990), Predictor("black", 1991), Predictor("black", 1992),
                Predictor("perc1519", 1990)])
    return panel, preds


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    out: dict[str, Any] = json.loads((REF / "pysyncon_reference.json").read_text())
    return out


def _fit(texas: tuple[PanelData, list[Predictor]], **kw: Any) -> SyntheticControlResults:
    panel, preds = texas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Texas's pre-period fit is poor under every V
        return SyntheticControl(panel, predictors=preds, **WINDOWS, **kw).fit(placebo=False, leave_one_out=False)


def _assert_weights(r: SyntheticControlResults, expected: dict[str, float], tol: float) -> None:
    w = r.weights
    assert set(w[w > 0.005].index) == set(expected)
    for state, value in expected.items():
        assert float(w[state]) == pytest.approx(value, abs=tol), state


def test_regression_v_reproduces_the_published_weights(texas: Any, reference: dict[str, Any]) -> None:
    _assert_weights(_fit(texas, v="regression"), reference["weights"], PUBLISHED_TOL)


def test_pysyncon_v_reproduces_the_published_weights(texas: Any, reference: dict[str, Any]) -> None:
    r = _fit(texas, v=reference["v"])  # a mapping predictor label -> importance
    _assert_weights(r, reference["weights"], PUBLISHED_TOL)
    assert r.v["black 1991"] == pytest.approx(0.443 / 0.999)


#: the best optimum the R-synth search has been seen to reach (BFGS from the regression start)
SEARCH_OPTIMUM = {"Florida": 0.483, "New York": 0.294, "Illinois": 0.224}
SEARCH_OPTIMUM_RMSPE = 845.1


def test_r_synth_search_moves_off_the_published_weights(texas: Any) -> None:
    """The search keeps the best of its four runs, which fits the pre-period better than the
    published weights do. Which local optimum BFGS from the regression start reaches depends on
    the floating-point kernels (a nonconvex objective with finite-difference gradients): with
    OpenBLAS's Haswell or Zen kernels it reaches :data:`SEARCH_OPTIMUM` (RMSPE 845), with its
    AVX-512 kernels (SkylakeX, this CI machine from 2026-12-04) it stops at RMSPE 1,002 and the
    best run is Nelder–Mead's (Florida .93, RMSPE 995). So the weights are asserted whenever the
    search reaches that optimum's fit, and the ordering of the fits always."""
    published = _fit(texas, v="regression")
    synth = _fit(texas, v_method="synth")
    runs = [_fit(texas, v_method="synth", v_starts=(s,), v_optimisers=(o,))
            for s in ("equal", "regression") for o in ("Nelder-Mead", "BFGS")]
    assert synth.pre_rmspe == pytest.approx(min(r.pre_rmspe for r in runs), rel=1e-9)  # the best kept
    assert synth.pre_rmspe < 0.8 * published.pre_rmspe  # 845 or 995 against 1,295
    moved = (synth.weights - published.weights.reindex(synth.weights.index, fill_value=0.0)).abs().max()
    assert moved > 0.1
    if synth.pre_rmspe < SEARCH_OPTIMUM_RMSPE + 1:
        _assert_weights(synth, SEARCH_OPTIMUM, SEARCH_TOL)
    one_run = runs[3]  # BFGS from the regression start: pysyncon's configuration, R's BFGS step
    assert one_run.pre_rmspe < published.pre_rmspe


def test_the_default_nested_search(texas: Any) -> None:
    nested = _fit(texas)
    _assert_weights(nested, {"New York": 0.616, "Illinois": 0.384}, SEARCH_TOL)
    assert nested.pre_rmspe < _fit(texas, v="regression").pre_rmspe


def test_predictors_window_is_time_predictors_prior(texas: Any) -> None:
    panel, preds = texas
    explicit = [Predictor(p.column, 1985, 1993) if p.start is None else p for p in preds]
    a = SyntheticControl(panel, predictors=preds, predictors_window=(1985, 1993), v="equal")
    b = SyntheticControl(panel, predictors=explicit, v="equal")
    ra, rb = (s.fit(placebo=False, leave_one_out=False) for s in (a, b))
    assert np.allclose(ra.balance.to_numpy(), rb.balance.to_numpy())
    c = SyntheticControl(panel, predictors=preds, predictors_window=(1990, 1993), v="equal")
    rc = c.fit(placebo=False, leave_one_out=False)
    assert rc.balance.loc["income", "treated"] == pytest.approx(
        panel.long.loc[(panel.long["unit"] == "Texas") & (panel.long["t"] >= panel.to_index(1990))
                       & (panel.long["t"] <= panel.to_index(1993)), "income"].mean())


def test_v_options_are_checked(texas: tuple[PanelData, list[Predictor]]) -> None:
    panel, preds = texas
    with pytest.raises(KuvaInputError, match="14 non-negative importances"):
        SyntheticControl(panel, predictors=preds, v=[1.0, 2.0])
    with pytest.raises(KuvaInputError, match="missing"):
        SyntheticControl(panel, predictors=preds, v={"income": 1.0})
    with pytest.raises(KuvaInputError, match="v must be"):
        SyntheticControl(panel, predictors=preds, v="optimal")  # type: ignore[arg-type]
    with pytest.raises(KuvaInputError, match="v_method"):
        SyntheticControl(panel, predictors=preds, v_method="optimx")  # type: ignore[arg-type]
    with pytest.raises(KuvaInputError, match="v_starts"):
        SyntheticControl(panel, predictors=preds, v_starts=())
    with pytest.raises(KuvaInputError, match="v_optimisers"):
        SyntheticControl(panel, predictors=preds, v_optimisers=("Powell",))  # type: ignore[arg-type]
    with pytest.raises(KuvaInputError, match="optimize_window"):
        SyntheticControl(panel, predictors=preds, optimize_window=(1990, 1996))
    with pytest.raises(KuvaInputError, match="predictors_window"):
        SyntheticControl(panel, predictors=preds, predictors_window=(1984, 1993))
    equal = SyntheticControl(panel, predictors=preds, v="equal").fit(placebo=False, leave_one_out=False)
    assert np.allclose(equal.v.to_numpy(), 1 / 14)
