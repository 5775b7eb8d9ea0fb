"""ADH synthetic control on California Proposition 99.

References
----------
* Abadie, Diamond & Hainmueller (2010, JASA), Table 2 / Figure 3: synthetic California is
  Utah 0.394, Nevada 0.234, Montana 0.199, Colorado 0.164, Connecticut 0.069 (with their full
  predictor set), the gap in 2000 is about -26 packs, and California's post/pre MSPE ratio is
  the largest of 39 (placebo p = 1/39 ≈ 0.026).
* R ``synthdid::sc_estimate`` on the same data: -19.62 (outcome-only SC; see test_synthdid).

Offline we have only lagged sales and the retail price as predictors (see PROVENANCE.md), so
the weights are compared loosely: the outcome-only SC must reproduce ADH's donor set, and the
predictor-based fit ADH's 2000 gap and placebo rank.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuva.errors import KuvaInputError
from kuva.evaluate import Predictor, SyntheticControl
from kuva.evaluate.synth import simplex_weights
from tests.evaluate.helpers import prop99_panel, prop99_retprice_panel

ADH_DONORS = {"Utah", "Nevada", "Montana", "Colorado", "Connecticut"}
ADH_UTAH = 0.394
UTAH_TOL = 0.02  # outcome-only fit vs ADH's predictor-based weight
SC_ESTIMATE = -19.62
SC_ESTIMATE_TOL = 0.25  # synthdid's sc_estimate adds a tiny ridge (eta = 1e-6)
GAP_2000 = -26.0
GAP_2000_TOL = 3.0  # different predictor set (no income, age share, beer)
PLACEBO_P = 1 / 39


@pytest.fixture(scope="module")
def outcome_only() -> object:
    return SyntheticControl(prop99_panel()).fit()


def test_outcome_only_fit_reproduces_adh_donors(outcome_only: object) -> None:
    res = outcome_only
    w = res.weights  # type: ignore[attr-defined]
    top = set(w.sort_values(ascending=False).index[:4])
    assert top <= ADH_DONORS
    assert w["Utah"] == pytest.approx(ADH_UTAH, abs=UTAH_TOL)
    assert res.estimate == pytest.approx(SC_ESTIMATE, abs=SC_ESTIMATE_TOL)  # type: ignore[attr-defined]
    # outcome-only fit: two small, badly fitted placebo states also have large MSPE ratios
    assert res.p_value <= 3 * PLACEBO_P + 1e-12  # type: ignore[attr-defined]
    assert res.pre_rmspe < 2.0  # type: ignore[attr-defined]
    assert set(res.leave_one_out.columns) == set(w.index[w > 1e-3])  # type: ignore[attr-defined]


def test_predictor_fit_matches_adh_gap_and_rank() -> None:
    preds = [Predictor("retprice", 1980, 1988), Predictor("cigsale", 1975),
             Predictor("cigsale", 1980), Predictor("cigsale", 1988)]
    res = SyntheticControl(prop99_retprice_panel(), predictors=preds).fit(reoptimise_v=False)
    gap = res.paths.set_index("period")["gap"]
    assert gap["2000"] == pytest.approx(GAP_2000, abs=GAP_2000_TOL)
    assert res.p_value == pytest.approx(PLACEBO_P)
    assert res.v.sum() == pytest.approx(1.0)
    bal = res.balance
    assert np.all(np.abs(bal["treated"] - bal["synthetic"]) <= np.abs(bal["treated"] - bal["donor_mean"]) + 1e-9)
    assert "Utah" in set(res.weights.sort_values(ascending=False).index[:3])
    text = res.summary().as_text()
    assert "Placebo p-value" in text
    for kind in ("paths", "gaps", "placebo"):
        res.plot(kind=kind)  # type: ignore[arg-type]


def test_predictor_validation() -> None:
    p = prop99_retprice_panel()
    with pytest.raises(KuvaInputError, match="reaches into the treated period"):
        SyntheticControl(p, predictors=[Predictor("cigsale", 1985, 1990)])
    with pytest.raises(KuvaInputError, match="neither the outcome nor a declared covariate"):
        SyntheticControl(p, predictors=[Predictor("beer", 1984, 1988)])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), k=st.integers(2, 10), j=st.integers(2, 15))
def test_simplex_weights_are_feasible_and_optimal(seed: int, k: int, j: int) -> None:
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=(k, j))
    x1 = rng.normal(size=k)
    v = rng.uniform(0.1, 1.0, size=k)
    w = simplex_weights(x1, x0, v)
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-9)
    loss = float(v @ (x1 - x0 @ w) ** 2)
    # no random point of the simplex does better (up to solver tolerance)
    others = rng.dirichlet(np.ones(j), size=200)
    other_loss = ((x1[None, :] - others @ x0.T) ** 2) @ v
    assert loss <= other_loss.min() + 1e-7
    # KKT: the gradient is equal on the support and not smaller off it
    grad = -2 * x0.T @ (v * (x1 - x0 @ w))
    support = w > 1e-8
    lam = grad[support].mean()
    assert np.all(np.abs(grad[support] - lam) < 1e-5 * (1 + abs(lam)))
    assert np.all(grad[~support] >= lam - 1e-5 * (1 + abs(lam)))
