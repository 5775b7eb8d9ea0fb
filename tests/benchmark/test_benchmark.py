"""Benchmarking: the framework model against pyfixest, shrinkage and rank sets against planted
truth over many simulations, peer types, and the whole benchmark on a real warehouse file."""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.benchmark.model import fit_framework
from kuva.benchmark.peers import comparison_types, similar_areas
from kuva.benchmark.ranks import rank_sets
from kuva.benchmark.run import benchmark, publish
from kuva.benchmark.shrink import eb_shrink
from kuva.errors import KuvaInputError
from kuva.warehouse import Warehouse

SIMS = 200
ALPHA = 0.05
#: three Monte Carlo standard errors of a coverage of 0.95 over 200 simulations
MC_TOL = 3 * math.sqrt(ALPHA * (1 - ALPHA) / SIMS)


@pytest.mark.filterwarnings(r"ignore:The inplace keyword in DataFrame\.\w+ is deprecated:pandas.errors.Pandas4Warning")
def test_framework_model_matches_pyfixest_wls_with_hc1() -> None:
    import pyfixest as pf

    rng = np.random.default_rng(3)
    n = 150
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.uniform(0, 10, n)})
    w = rng.integers(20, 2000, n).astype(float)
    y = 2.0 + 1.5 * x["a"] - 0.3 * x["b"] + rng.normal(0, 1, n) * (1 + x["b"] / 5)
    fit = fit_framework(y, x, weights=w)
    ref = pf.feols("y ~ a + b", data=x.assign(y=y, w=w), weights="w", vcov="hetero")
    np.testing.assert_allclose(fit.coef, ref.coef().to_numpy(), rtol=1e-9)
    # pyfixest's "hetero" is HC1 with the same small-sample factor n / (n - k)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.vcov)), ref.se().to_numpy(), rtol=1e-6)
    assert 0 < fit.r2 < 1 and fit.n == n


def test_shrinkage_lowers_the_error_against_planted_area_performance() -> None:
    """200 simulations of 100 areas of very different sizes: the empirical-Bayes gaps are closer
    to the planted performance than the raw gaps (mean squared error ratio reported)."""
    rng = np.random.default_rng(20261203)
    ratios = []
    for _ in range(SIMS):
        se = 3.0 / np.sqrt(rng.integers(10, 2000, 100) / 100)  # small areas are noisy
        truth = rng.normal(0, 1.0, 100)
        gap = truth + rng.normal(0, se)
        eb = eb_shrink(gap, se)
        ratios.append(np.mean((eb.mean - truth) ** 2) / np.mean((gap - truth) ** 2))
    ratio = float(np.mean(ratios))
    print(f"EB / raw mean squared error: {ratio:.3f}")
    assert ratio < 0.5  # measured about 0.2; the raw gaps of the small areas are mostly noise


def _true_ranks(theta: np.ndarray) -> np.ndarray:
    r = np.empty(len(theta), dtype=np.int64)
    r[np.argsort(-theta)] = np.arange(1, len(theta) + 1)
    return r


def test_rank_sets_cover_the_true_ranks_at_their_nominal_level() -> None:
    """200 simulations of 30 areas: the joint rank sets hold together in at least 95 % of them,
    each area's marginal set on its own in at least 95 %, and the 'possibly top tenth' set
    contains every truly top area at least as often (3 Monte Carlo standard errors allowed)."""
    rng = np.random.default_rng(7)
    joint_cover, top_cover, marginal = 0, 0, []
    for k in range(SIMS):
        theta = rng.normal(0, 1, 30)
        se = rng.uniform(0.2, 1.0, 30)
        est = theta + rng.normal(0, se)
        truth = _true_ranks(theta)
        j = rank_sets(est, se, alpha=ALPHA, joint=True, reps=1000, seed=k)
        m = rank_sets(est, se, alpha=ALPHA, joint=False, reps=1000, seed=k)
        joint_cover += bool(np.all((j.low <= truth) & (truth <= j.high)))
        marginal.append(np.mean((m.low <= truth) & (truth <= m.high)))
        top_cover += bool(np.all(j.possibly_top(0.1)[truth <= 3]))
    print(f"joint coverage {joint_cover / SIMS:.3f}, marginal {np.mean(marginal):.3f}, top set {top_cover / SIMS:.3f}")
    assert joint_cover / SIMS >= 1 - ALPHA - MC_TOL
    assert np.mean(marginal) >= 1 - ALPHA - MC_TOL
    assert top_cover / SIMS >= 1 - ALPHA - MC_TOL


def test_rank_sets_account_for_the_models_estimation() -> None:
    """200 worlds of 25 areas whose outcome is four conditions' effect plus the area's own
    performance (sd 4) plus binomial-like noise: the gaps of the fitted framework model share its
    estimated coefficients. Rank sets from the gaps' covariance (X V X′ plus the sampling
    variances) keep their coverage of the true performance ranks and are narrower than those
    that treat the gaps as independent — the common estimation error cancels in the pairwise
    differences."""
    rng = np.random.default_rng(29)
    cover = {"independent": 0, "covariance": 0}
    marginal: dict[str, list[float]] = {"independent": [], "covariance": []}
    width: dict[str, list[float]] = {"independent": [], "covariance": []}
    for k in range(SIMS):
        x = rng.normal(size=(25, 4))
        theta = rng.normal(0, 4.0, 25)
        clients = rng.integers(200, 20_000, 25)
        se = 30 / np.sqrt(clients)
        y = 20 + x @ rng.normal(size=4) + theta + rng.normal(0, se)
        fit = fit_framework(y, pd.DataFrame(x), weights=clients, sampling_se=se)
        assert fit.gap_cov is not None
        np.testing.assert_allclose(np.sqrt(np.diag(fit.gap_cov)), fit.gap_se, rtol=1e-12)
        truth = _true_ranks(theta)
        for name, cov in (("independent", None), ("covariance", fit.gap_cov)):
            j = rank_sets(fit.gap, fit.gap_se, alpha=ALPHA, joint=True, reps=1000, seed=k, cov=cov)
            m = rank_sets(fit.gap, fit.gap_se, alpha=ALPHA, joint=False, reps=1000, seed=k, cov=cov)
            cover[name] += bool(np.all((j.low <= truth) & (truth <= j.high)))
            marginal[name].append(float(np.mean((m.low <= truth) & (truth <= m.high))))
            width[name].append(float(np.mean(m.high - m.low)))
    print({n: (cover[n] / SIMS, np.mean(marginal[n]), np.mean(width[n])) for n in cover})
    assert cover["covariance"] / SIMS >= 1 - ALPHA - MC_TOL
    assert np.mean(marginal["covariance"]) >= 1 - ALPHA - MC_TOL
    assert np.mean(width["covariance"]) < np.mean(width["independent"]) - 1.0


def test_rank_sets_with_a_diagonal_covariance_are_the_independent_ones() -> None:
    rng = np.random.default_rng(2)
    est, se = rng.normal(size=12), rng.uniform(0.2, 1.0, 12)
    a = rank_sets(est, se, seed=4)
    b = rank_sets(est, se, seed=4, cov=np.diag(se**2))
    assert list(a.low) == list(b.low) and list(a.high) == list(b.high) and a.critical == b.critical
    with pytest.raises(KuvaInputError, match="diagonal"):
        rank_sets(est, se, cov=np.diag(se))
    with pytest.raises(KuvaInputError, match="symmetric"):
        rank_sets(est, se, cov=np.diag(se**2) + np.triu(np.full((12, 12), 0.01), 1))


def test_rank_sets_narrow_when_areas_differ_clearly() -> None:
    est = np.array([10.0, 5.0, 0.0, -5.0])
    rs = rank_sets(est, np.full(4, 0.1))
    assert list(rs.low) == [1, 2, 3, 4] and list(rs.high) == [1, 2, 3, 4]
    assert list(rs.credibly_top(0.25)) == [True, False, False, False]
    with pytest.raises(KuvaInputError, match="positive standard error"):
        rank_sets(est, np.array([0.1, 0.0, 0.1, 0.1]))


def test_peer_types_and_similar_areas() -> None:
    rng = np.random.default_rng(1)
    x = pd.DataFrame(np.vstack([rng.normal(0, 0.1, (10, 2)), rng.normal(5, 0.1, (20, 2))]), columns=["u", "v"],
                     index=[f"a{i}" for i in range(30)])
    types = comparison_types(x, 2, seed=0)
    assert types.iloc[:10].nunique() == 1 and types.iloc[10:].nunique() == 1 and types.iloc[10] == 1  # largest = 1
    near = similar_areas(x, "a0", 3)
    assert "a0" not in near.index and set(near.index) <= {f"a{i}" for i in range(10)}


def test_the_benchmark_runs_on_a_warehouse_and_hides_small_counts(bundled_warehouse_path: Path,
                                                                 tmp_path: Path) -> None:
    from kuva.simulate import simulate_into

    path = tmp_path / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_into(wh, scale=0.001, seed=5, years=(2021, 2023))
        b = benchmark(wh, date(2023, 6, 1))
        p = publish(b, min_cell=5)
    t = b.table
    assert len(t) > 250 and (t["spec_version"] == "v1").all()
    assert (t["rank_low"] <= t["rank"]).all() and (t["rank"] <= t["rank_high"]).all()
    # shrinkage pulls the small municipalities' gaps toward the model more than the large ones'
    small, large = t[t["clients"] < t["clients"].quantile(0.2)], t[t["clients"] > t["clients"].quantile(0.8)]
    shrink = lambda d: float(np.median(np.abs(d["shrunk_gap_pp"]) / np.abs(d["gap_pp"])))  # noqa: E731
    assert shrink(small) < shrink(large)
    shown = p.frame
    vals = shown["clients"].dropna()
    assert ((vals == 0) | (vals >= 5)).all()
    assert shown.loc[shown["clients"].isna(), "gap_pp"].isna().all()
    # the 45 employment areas of 2025: the frame sums the member municipalities' counts
    from kuva.benchmark.run import area_frame
    from kuva.registry import programme_registry

    with Warehouse(path, read_only=True) as wh:
        muni, _, _ = area_frame(wh, date(2023, 6, 1), "municipality")
        areas, _, _ = area_frame(wh, date(2023, 6, 1), "employment_area")
        assert len(benchmark(wh, date(2023, 6, 1), level="employment_area").table) == 45
    reg = programme_registry()
    of = {c: reg.area_of(c, programme="areas_2025") for c in muni.index}
    muni = muni.assign(area=[a.code if a else None for a in of.values()]).dropna(subset=["area"])  # Åland: none
    for col in ("clients", "in_services", "unemployed"):
        np.testing.assert_allclose(areas[col].sort_index(), muni.groupby("area")[col].sum().sort_index(), err_msg=col)
    # custom areas may overlap: each sums its own members
    from kuva.sources.own import load_own_file

    (tmp_path / "areas.csv").write_text("area_name;municipality\nMetro;Helsinki\nMetro;Espoo\nMetro;Vantaa\n"
                                        "Pääkaupunki;Helsinki\n", encoding="utf-8")
    with Warehouse(path) as wh:
        load_own_file(wh, "areas", tmp_path / "areas.csv")
        custom, _, _ = area_frame(wh, date(2023, 6, 1), "custom")
    assert custom.loc["metro", "clients"] == muni.loc[["KU091", "KU049", "KU092"], "clients"].sum()
    assert custom.loc["paakaupunki", "clients"] == muni.loc["KU091", "clients"]


def test_a_nearly_exactly_fitted_area_keeps_the_covariance_usable() -> None:
    """An area the model fits almost exactly, with no sampling variance, has a standard error
    near zero whose square root of the covariance's diagonal differs from it in the last digits
    (seen on the portal's plan-debt benchmark): the rank sets still run."""
    se = np.array([8.6e-6, 7.2, 8.4, 9.0])
    cov = np.diag(se**2)
    cov[0, 0] = (8.37e-6) ** 2  # the same tiny value computed another way
    rs = rank_sets(np.array([0.0, 5.0, -3.0, 1.0]), se, cov=cov)
    assert (rs.low <= rs.rank).all() and (rs.rank <= rs.high).all()
