"""Balance tools: standardised differences, entropy balancing, matching, shock size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuva.errors import KuvaInputError, MissingValuesWarning
from kuva.evaluate import EntropyBalance, nearest_neighbours, shock_size, standardized_differences
from kuva.evaluate.balance import entropy_balance_weights

MOMENT_TOL = 1e-6  # entropy-balancing targets, in units of the covariate sd


def _units(seed: int = 0, n: int = 120) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = (np.arange(n) < n // 4).astype(int)
    return pd.DataFrame({
        "unit": [f"k{i:03d}" for i in range(n)],
        "d": d,
        "size": rng.normal(9 + 0.6 * d, 1.0),
        "shock": rng.gamma(2.0 + d, 0.1),
    })


def test_standardized_difference_formula() -> None:
    f = _units()
    t = standardized_differences(f, treatment="d", covariates=["size"])
    x1 = f.loc[f["d"] == 1, "size"]
    x0 = f.loc[f["d"] == 0, "size"]
    manual = (x1.mean() - x0.mean()) / np.sqrt((x1.var(ddof=0) + x0.var(ddof=0)) / 2)
    assert t.loc["size", "std_diff"] == pytest.approx(manual)
    with pytest.raises(KuvaInputError, match="must be 0/1"):
        standardized_differences(f.assign(d=f["d"] * 2), treatment="d", covariates=["size"])


def test_entropy_balance_matches_means_and_variances() -> None:
    f = _units(1)
    res = EntropyBalance(f, treatment="d", covariates=["size", "shock"], moments=2).fit()
    assert res.converged
    after = res.balance_after
    np.testing.assert_allclose(after["std_diff"], 0.0, atol=1e-6)
    w = res.weights[f["d"] == 0].to_numpy()
    assert w.sum() == pytest.approx((f["d"] == 1).sum())
    xc = f.loc[f["d"] == 0, "size"].to_numpy()
    xt = f.loc[f["d"] == 1, "size"].to_numpy()
    wm = w @ xc / w.sum()
    assert w @ (xc - wm) ** 2 / w.sum() == pytest.approx(xt.var(), rel=1e-5)
    assert 1 < res.effective_controls < (f["d"] == 0).sum()
    assert "Entropy balancing" in res.summary().as_text()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(20, 80), k=st.integers(1, 3))
def test_entropy_weights_hit_targets_inside_the_hull(seed: int, n: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    x0 = rng.normal(size=(n, k))
    target = x0[rng.choice(n, size=5, replace=False)].mean(axis=0) * 0.5
    w, _, ok = entropy_balance_weights(x0, target)
    assert ok
    assert np.all(w > 0) and w.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(w @ x0, target, atol=MOMENT_TOL * x0.std(axis=0).max() * 10)


def test_nearest_neighbours_on_covid_shock() -> None:
    f = _units(2)
    m = nearest_neighbours(f, unit="unit", treatment="d", covariates=["shock"], k=1,
                           distance="standardized", replace=False)
    assert len(m.pairs) == (f["d"] == 1).sum()
    assert m.pairs["control"].is_unique
    sd = f["shock"].std()
    shock = f.set_index("unit")["shock"]
    gaps = np.abs(shock[m.pairs["treated"]].to_numpy() - shock[m.pairs["control"]].to_numpy())
    np.testing.assert_allclose(m.pairs["distance"], gaps / sd, rtol=1e-9)
    assert abs(m.balance_after.loc["shock", "std_diff"]) < abs(
        m.balance_before.loc["shock", "std_diff"])
    m2 = nearest_neighbours(f, unit="unit", treatment="d", covariates=["shock", "size"], k=3,
                            caliper=0.05)
    assert set(m2.unmatched) | set(m2.pairs["treated"]) == set(f.loc[f["d"] == 1, "unit"])
    assert (m2.pairs["distance"] <= 0.05).all()
    with pytest.raises(KuvaInputError, match="'mahalanobis', 'standardized'"):
        nearest_neighbours(f, unit="unit", treatment="d", covariates=["shock"],
                           distance="cosine")  # type: ignore[arg-type]


def test_shock_size_growth_to_peak() -> None:
    months = pd.period_range("2020-01", "2020-12", freq="M")
    rows = []
    for u, path in {"a": [10, 10, 12, 15, 14, 13, 12, 12, 11, 11, 10, 10],
                    "b": [20, 20, 20, 22, 21, 20, 20, 20, 20, 20, 30, 20]}.items():
        rows += [{"kunta": u, "month": m, "unemployed": v} for m, v in zip(months, path,
                                                                           strict=True)]
    f = pd.DataFrame(rows)
    s = shock_size(f, unit="kunta", time="month", value="unemployed", base="2020-02",
                   end="2020-09")
    assert s["a"] == pytest.approx(0.5)
    assert s["b"] == pytest.approx(0.1)  # the November spike is outside the window
    s_abs = shock_size(f, unit="kunta", time="month", value="unemployed", base="2020-02",
                       end="2020-12", relative=False)
    assert s_abs["b"] == pytest.approx(10.0)
    with pytest.warns(MissingValuesWarning):
        shock_size(f.loc[~((f["kunta"] == "a") & (f["month"] == months[1]))], unit="kunta",
                   time="month", value="unemployed", base="2020-02", end="2020-09")
