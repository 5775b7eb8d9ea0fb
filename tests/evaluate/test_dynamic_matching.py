"""Dynamic matching of service starts (Sianesi; Lechner): the vectorised estimator against a
plain re-implementation, the planted effect of the simulator recovered (and a no-effect world),
a confounded world where only the matching on strata recovers the truth, overlap trimming,
balance, bad input and the results contract."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.evaluate.contract import TIDY_COLUMNS, EffectResult
from kuva.evaluate.dynamic import dynamic_matching
from kuva.evaluate.planted import confounded_start_truth, confounded_start_world
from kuva.evaluate.survival import cumulative_incidence

H = 180


def _world(n: int, seed: int, hr: float = 1.5, confounded: bool = True, work_share: float = 0.6,
           speed: float = 2.0) -> pd.DataFrame:
    """Spells with constant exit hazards λ_x (x = 1 leaves twice as fast), a service start on a
    whole day drawn by x (x = 1 starts ``speed`` times as fast when ``confounded``), the hazard
    times ``hr`` after it, exits to work with probability ``work_share``, the data ending at day
    400."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n)
    lam = math.log(2) / 150 * (1 + x)
    mu = np.where(x == 1, speed, 1.0) / 120 if confounded else np.full(n, 1 / 120)
    service = np.ceil(rng.exponential(1 / mu))
    e = rng.exponential(size=n)
    t = np.where(e / lam <= service, e / lam, service + (e - lam * service) / (lam * hr))
    day = np.ceil(t)
    end = 400.0
    duration = np.minimum(day, end)
    outcome = np.where(day > end, None, np.where(rng.random(n) < work_share, "exit_work", "exit_other"))
    treat = np.where(service < duration, service, np.nan)
    return pd.DataFrame({"id": [f"p{i}" for i in range(n)], "duration": duration, "outcome": outcome,
                         "treat_day": treat, "x": x, "x_num": x.astype(float)})


def _truth(panel: pd.DataFrame, hr: float, work_share: float = 0.6, horizon: int = H) -> float:
    """The treated sample's effect: each treated spell's x weighs its stratum's effect."""
    x = panel.loc[panel["treat_day"].notna(), "x"].to_numpy()
    lam = math.log(2) / 150 * (1 + x)
    return float(np.mean(work_share * (np.exp(-lam * horizon) - np.exp(-hr * lam * horizon))))


def _arms(rows: list[tuple[object, int, float, float, object]], horizon: int) -> tuple[float, float, float, float]:
    """(treated, comparison) cumulative incidence of exit to work at ``horizon`` and expected days
    still unemployed within it, from ``(cell, arm, weight, days to end, outcome)`` rows by loops:
    Aalen–Johansen per cell, averaged with the treated's counts."""
    cifs, days = [], []
    for arm in (1, 0):
        total, unemployed, mass = 0.0, 0.0, 0.0
        for cell in sorted({c for c, *_ in rows}, key=repr):
            part = [(w, t, o) for c, a, w, t, o in rows if a == arm and c == cell]
            n_treated = sum(1 for c, a, *_ in rows if a == 1 and c == cell)
            cif, surv, rmst = 0.0, 1.0, 0.0
            for day in range(1, horizon + 1):
                rmst += surv  # still unemployed when the day starts
                at_risk = sum(w for w, t, _ in part if t >= day)
                if at_risk == 0:
                    continue
                d_work = sum(w for w, t, o in part if t == day and o == "exit_work")
                d_any = sum(w for w, t, o in part if t == day and isinstance(o, str))
                cif += surv * d_work / at_risk
                surv *= 1 - d_any / at_risk
            total += n_treated * cif
            unemployed += n_treated * rmst
            mass += n_treated
        cifs.append(total / mass)
        days.append(unemployed / mass)
    return cifs[0], cifs[1], days[0], days[1]


def _reference(panel: pd.DataFrame, strata: list[str], horizon: int,
               band: int = 30) -> tuple[float, float, float, float]:
    """(treated, comparison) cumulative incidence at ``horizon`` and then expected days still
    unemployed within it, by loops, as the module docstring defines them: matching weights per
    (start day, stratum), Aalen–Johansen per (stratum, band of start days), averaged with the
    treated's counts."""
    rows = []
    key = panel[strata].astype(str).agg("|".join, axis=1) if strata else pd.Series("", index=panel.index)
    for s in sorted(panel["treat_day"].dropna().unique()):
        for k in sorted(key[panel["treat_day"] == s].unique()):
            tr = panel[(panel["treat_day"] == s) & (key == k)]
            co = panel[(key == k) & (panel["duration"] > s) & ~(panel["treat_day"] <= s)]
            if co.empty:
                continue
            cell = (k, int(s) // band)
            for _, r in tr.iterrows():
                rows.append((cell, 1, 1.0, r["duration"] - s, r["outcome"]))
            for _, r in co.iterrows():
                later = not pd.isna(r["treat_day"])
                rows.append((cell, 0, len(tr) / len(co), (r["treat_day"] if later else r["duration"]) - s,
                             None if later else r["outcome"]))
    return _arms(rows, horizon)


def test_the_vectorised_estimator_equals_a_plain_reimplementation() -> None:
    panel = _world(160, seed=5)
    r = dynamic_matching(panel, horizon=H, strata=["x"], reps=5, seed=0)
    treated, comparison, days_treated, days_comparison = _reference(panel, ["x"], H)
    assert r.cif_treated == pytest.approx(treated, abs=1e-12)
    assert r.cif_comparison == pytest.approx(comparison, abs=1e-12)
    assert r.estimate == pytest.approx(treated - comparison, abs=1e-12)
    assert r.days_effect == pytest.approx(days_treated - days_comparison, abs=1e-9)


def test_the_treated_incidence_is_the_aalen_johansen_of_the_treated() -> None:
    panel = _world(400, seed=6)
    r = dynamic_matching(panel, horizon=H, reps=5, band_days=10_000)  # one cell
    tr = panel[panel["treat_day"].notna()]
    rel = (tr["duration"] - tr["treat_day"]).to_numpy()
    kinds = np.array([o if isinstance(o, str) else 0 for o in tr["outcome"]], dtype=object)
    cause = np.where(rel > H, 0, kinds)
    cif = cumulative_incidence(np.minimum(rel, H + 1), cause, np.zeros(len(tr))).curves
    work = cif[(cif["cause"] == "exit_work") & (cif["time"] <= H)]["cif"]
    assert r.cif_treated == pytest.approx(float(work.iloc[-1]), abs=1e-12)
    assert r.n_treated == len(tr) and r.n_trimmed == 0


@pytest.mark.slow
def test_a_confounded_world_needs_the_strata() -> None:
    """x = 1 starts services three times as fast and leaves twice as fast: compared without the
    strata, the early starters (mostly x = 1) meet controls who are mostly x = 0 — an expected
    bias of about +0.035, 5-8 SE at this size; with the strata the truth is recovered."""
    panel = _world(20_000, seed=7, hr=1.5, speed=3.0)
    truth = _truth(panel, 1.5, horizon=90)
    matched = dynamic_matching(panel, horizon=90, strata=["x"], balance_on=["x_num"], reps=49, seed=1)
    naive = dynamic_matching(panel, horizon=90, balance_on=["x_num"], reps=49, seed=1)
    assert abs(matched.estimate - truth) < 4 * matched.std_error, (matched.estimate, truth, matched.std_error)
    assert naive.estimate - truth > 3 * naive.std_error, (naive.estimate, truth, naive.std_error)
    bal_m, bal_n = matched.balance.set_index("covariate"), naive.balance.set_index("covariate")
    assert bal_m.loc["x_num", "smd_after"] == pytest.approx(0.0, abs=1e-12)  # exact within strata
    assert abs(bal_n.loc["x_num", "smd_after"]) > 0.1 and abs(bal_m.loc["x_num", "smd_before"]) > 0.1
    assert matched.max_abs_smd < 1e-9


def test_overlap_trimming_drops_treated_without_controls() -> None:
    panel = _world(600, seed=8)
    lonely = pd.DataFrame({"id": ["z1", "z2", "z3"], "duration": [50.0, 60.0, 70.0], "outcome": ["exit_work"] * 3,
                           "treat_day": [5.0, 5.0, 5.0], "x": [9, 9, 9], "x_num": [9.0, 9.0, 9.0]})
    r = dynamic_matching(pd.concat([panel, lonely], ignore_index=True), horizon=H, strata=["x"], reps=5)
    base = dynamic_matching(panel, horizon=H, strata=["x"], reps=5)
    assert r.n_trimmed == base.n_trimmed + 3
    assert r.estimate == pytest.approx(base.estimate, abs=1e-12)
    dropped = r.overlap[~r.overlap["kept"]]
    assert (dropped["controls"] == 0).any()
    capped = dynamic_matching(panel, horizon=H, strata=["x"], reps=5, max_propensity=0.01)
    assert capped.n_trimmed > 0 and (capped.overlap.loc[capped.overlap["kept"], "propensity"] <= 0.01).all()


@pytest.mark.parametrize("hr", [1.5, 1.0])
def test_the_simulators_planted_effect_is_recovered(hr: float) -> None:
    """The simulator's exits are exponential (median 150 days) with the hazard times ``hr`` after
    the service start and 60 % of exits to work, so the true effect on exit to work within 180
    days is 0.6 (e^(−λH) − e^(−hr·λH)), whatever the start day."""
    from datetime import datetime

    from kuva.process.outcomes import service_effect_matched
    from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
    from kuva.warehouse import SourceInfo, Warehouse
    from kuva.warehouse.persons import load_process_events

    source = SourceInfo("synthetic:process", "synthetic", "test", "test", "none", True, "sim", datetime(2025, 1, 1))
    sim = simulate_event_log(["KU091", "KU049", "KU205"], clients=4000, seed=61,
                             params=ProcessParams(service_exit_hr=hr))
    with tempfile.TemporaryDirectory() as d, Warehouse(Path(d) / "w.duckdb") as wh:
        load_process_events(wh, stored_frame(sim), source)
        r = service_effect_matched(wh, reps=199, seed=2)
    lam = math.log(2) / 150
    truth = 0.6 * (math.exp(-lam * H) - math.exp(-hr * lam * H))
    assert abs(r.estimate - truth) < 4 * r.std_error, (r.estimate, truth, r.std_error)

    def days(h: float) -> float:  # Σ_{d=1..H} P(still unemployed when day d starts) = Σ e^(−hλ(d−1))
        return (1 - math.exp(-h * lam * H)) / (1 - math.exp(-h * lam))

    assert abs(r.days_effect - (days(hr) - days(1.0))) < 4 * r.days_effect_se, (r.days_effect, days(hr) - days(1.0))
    assert 0.005 < r.std_error < 0.05
    assert r.balance.loc[0, "covariate"] == "start_month" and abs(r.balance.loc[0, "smd_after"]) < 0.1


def test_cost_per_additional_exit() -> None:
    r = dynamic_matching(_world(3000, seed=12, confounded=False, hr=2.0), horizon=H, reps=199, seed=3)
    lo_effect = float(np.quantile(r.boot_effect, 0.025))
    assert lo_effect > 0  # a clear effect in this world: the ratio has an interval
    cost, low, high = r.cost_per_additional_exit(1000.0)
    assert cost == pytest.approx(1000.0 / r.estimate) and low < cost < high
    # fewer days on benefit lower the net cost: 40 €/day × days_effect (negative) is a saving
    assert r.days_effect < 0
    net, _, _ = r.cost_per_additional_exit(1000.0, daily_benefit=40.0)
    assert net == pytest.approx((1000.0 + 40.0 * r.days_effect) / r.estimate)
    # the same result with replicates centred on no effect: an exit the service may not cause has no bound
    from dataclasses import replace

    nothing = replace(r, boot_effect=r.boot_effect - r.estimate)
    _, low, high = nothing.cost_per_additional_exit(1000.0)
    assert math.isnan(low) and math.isnan(high)
    with pytest.raises(KuvaInputError, match="euros"):
        r.cost_per_additional_exit(-1.0)
    with pytest.raises(ValueError, match="read-only"):
        r.boot_effect[0] = 1.0


def test_bad_panels_are_refused_with_the_row() -> None:
    panel = _world(50, seed=9)
    with pytest.raises(KuvaInputError, match="lacks column"):
        dynamic_matching(panel.drop(columns="treat_day"))
    bad = panel.copy()
    i = bad.index[bad["treat_day"].notna()][0]
    bad.loc[i, "treat_day"] = bad.loc[i, "duration"]
    with pytest.raises(KuvaInputError, match=f"row {i}: treat_day"):
        dynamic_matching(bad)
    with pytest.raises(KuvaInputError, match="duration"):
        dynamic_matching(panel.assign(duration=0))
    with pytest.raises(KuvaInputError, match="no spell has a service start"):
        dynamic_matching(panel.assign(treat_day=np.nan))


def test_the_results_contract() -> None:
    r = dynamic_matching(_world(500, seed=10), horizon=H, strata=["x"], balance_on=["x_num"], reps=49)
    assert isinstance(r, EffectResult)
    assert tuple(r.tidy().columns) == TIDY_COLUMNS and len(r.tidy()) == 4
    lo, hi = r.conf_int()
    assert lo < r.estimate < hi
    assert "Dynamic matching" in str(r.summary())
    handed = r.balance
    handed.loc[0, "smd_after"] = 5.0
    assert r.balance.loc[0, "smd_after"] != 5.0  # frames are handed out as copies


@pytest.mark.slow
def test_interval_coverage_over_simulated_worlds() -> None:
    """40 confounded worlds (x = 1 starts twice as fast) with the strata, a 120-day horizon: the
    95 % interval covers the treated sample's effect in at least 95 % − 3 Monte Carlo SE of them
    (the benchmark runs 200+ simulator worlds). At 180 days the x = 1 comparison has a handful
    of people left at the horizon and the coverage falls (see ``support``)."""
    hits = 0
    worlds = 40
    for k in range(worlds):
        panel = _world(1500, seed=50_000 + k, hr=1.5)
        r = dynamic_matching(panel, horizon=120, strata=["x"], reps=199, seed=k)
        lo, hi = r.conf_int()
        hits += lo <= _truth(panel, 1.5, horizon=120) <= hi
    floor = 0.95 - 3 * math.sqrt(0.95 * 0.05 / worlds)
    assert hits / worlds >= floor, (hits, worlds)


def test_the_service_start_model_is_coxs_with_breslow_ties() -> None:
    """β̂ of the start model equals statsmodels' stratified Cox fit on the same risk sets (a
    spell is at risk of starting on day s while s is before its end, or is its own start day)."""
    from statsmodels.duration.hazard_regression import PHReg

    panel = confounded_start_world(21, 1500)
    panel["g"] = np.arange(len(panel)) % 3
    panel["w"] = np.random.default_rng(1).normal(size=len(panel))
    r = dynamic_matching(panel, horizon=90, strata=["g"], propensity_on=["z", "w"], reps=5)
    treated = panel["treat_day"].notna()
    time = np.where(treated, panel["treat_day"], panel["duration"] - 0.5) + 1  # untreated: at risk while s < end
    fit = PHReg(time, panel[["z", "w"]].to_numpy(), status=treated.astype(int).to_numpy(), strata=panel["g"],
                ties="breslow").fit()
    coef = r.propensity.set_index("covariate")["coef"]
    assert coef.to_numpy() == pytest.approx(fit.params, abs=1e-7)
    assert coef["z"] == pytest.approx(0.8, abs=0.15) and abs(coef["w"]) < 0.15  # the planted start model


def test_the_weighted_comparison_equals_a_plain_loop() -> None:
    """With ``propensity_on`` each control weighs n_treated · exp(β̂'z) / Σ exp(β̂'z) among its
    day's controls in its stratum and fifth of the score: the same incidences by loops."""
    panel = confounded_start_world(22, 300)
    r = dynamic_matching(panel, horizon=H, propensity_on=["z"], reps=5)
    beta = float(r.propensity["coef"].iloc[0])
    score = (panel["z"] - panel["z"].mean()) * beta
    treated = panel["treat_day"].notna()
    edges = np.unique(np.quantile(score[treated], [0.2, 0.4, 0.6, 0.8]))
    panel["band"] = np.searchsorted(edges, score, side="right")
    panel["tilt"] = np.exp(score)
    assert r.cif_treated == pytest.approx(_reference_tilted(panel, H)[0], abs=1e-12)
    treated_cif, comparison_cif, days_t, days_c = _reference_tilted(panel, H)
    assert r.cif_comparison == pytest.approx(comparison_cif, abs=1e-12)
    assert r.days_effect == pytest.approx(days_t - days_c, abs=1e-9)
    assert r.estimate == pytest.approx(treated_cif - comparison_cif, abs=1e-12)


def _reference_tilted(panel: pd.DataFrame, horizon: int, band: int = 30,
                      not_now: bool = False) -> tuple[float, float, float, float]:
    """:func:`_reference` with the controls' weights tilted by ``tilt`` within stratum ``band``;
    ``not_now``: a control is followed to its own end and outcome, a later service included."""
    rows = []
    for s in sorted(panel["treat_day"].dropna().unique()):
        for k in sorted(panel.loc[panel["treat_day"] == s, "band"].unique()):
            tr = panel[(panel["treat_day"] == s) & (panel["band"] == k)]
            co = panel[(panel["band"] == k) & (panel["duration"] > s) & ~(panel["treat_day"] <= s)]
            if co.empty:
                continue
            cell = (k, int(s) // band)
            rows.extend((cell, 1, 1.0, r["duration"] - s, r["outcome"]) for _, r in tr.iterrows())
            total = co["tilt"].sum()
            for _, r in co.iterrows():
                later = not pd.isna(r["treat_day"]) and not not_now
                rows.append((cell, 0, len(tr) * r["tilt"] / total, (r["treat_day"] if later else r["duration"]) - s,
                             None if later else r["outcome"]))
    return _arms(rows, horizon)


def test_the_not_now_comparison_equals_a_plain_loop() -> None:
    """Sianesi's comparison: the controls of a start day are followed to their own exit, later
    services included — with and without the start model, the same figures by loops."""
    panel = confounded_start_world(25, 300)
    panel["band"] = 0
    for model in ([], ["z"]):
        r = dynamic_matching(panel, horizon=H, propensity_on=model, comparison="not_now", reps=5)
        beta = float(r.propensity["coef"].iloc[0]) if model else 0.0
        panel["tilt"] = np.exp((panel["z"] - panel["z"].mean()) * beta)
        treated_cif, comparison_cif, days_t, days_c = _reference_tilted(panel, H, not_now=True)
        assert r.cif_treated == pytest.approx(treated_cif, abs=1e-12)
        assert r.cif_comparison == pytest.approx(comparison_cif, abs=1e-12)
        assert r.days_effect == pytest.approx(days_t - days_c, abs=1e-9)
        assert r.comparison == "not_now" and "maybe later" in r.tidy()["term"].iloc[2]
    plain = dynamic_matching(panel, horizon=H, reps=5)
    assert plain.cif_comparison != pytest.approx(r.cif_comparison, abs=1e-6)  # the two arms differ
    with pytest.raises(KuvaInputError, match="comparison must be one of"):
        dynamic_matching(panel, comparison="never")


@pytest.mark.parametrize("hr", [1.5, 1.0])
def test_a_continuous_confounder_needs_the_start_model_and_sianesis_comparison(hr: float) -> None:
    """z moves both the service start (×e^0.8z) and the exits (×e^0.5z). Compared with those
    not treated now (followed whatever they do later), the start model's weights recover the
    planted effect; without the model the early starters (high z, fast leavers) meet slower
    controls and the effect is overstated by many SEs. Not-yet-treated controls are censored at
    their own later start, which z also drives: the score bands only approximate that (a bias
    of about a third of an SE at this size, see docs/person-level.md)."""
    panel = confounded_start_world(26, 20_000, hr=hr)
    truth = confounded_start_truth(panel, hr, 120, comparison="not_now")
    modelled = dynamic_matching(panel, horizon=120, propensity_on=["z"], balance_on=["z"], comparison="not_now",
                                reps=99, seed=1)
    naive = dynamic_matching(panel, horizon=120, balance_on=["z"], comparison="not_now", reps=99, seed=1)
    assert abs(modelled.estimate - truth) < 3 * modelled.std_error, (modelled.estimate, truth, modelled.std_error)
    assert naive.estimate - truth > 6 * naive.std_error, (naive.estimate, truth, naive.std_error)
    assert abs(modelled.balance.loc[0, "smd_after"]) < 0.02 < abs(naive.balance.loc[0, "smd_after"])
    assert modelled.propensity.loc[0, "coef"] == pytest.approx(0.8, abs=4 * modelled.propensity.loc[0, "std_error"])


def test_the_not_yet_comparison_with_covariates_needs_the_score_bands() -> None:
    """Against the not yet treated, z also drives the controls' own later starts, which censor
    them: with the start model but one band the informative censoring leaves a bias of about
    +0.02 (about 3 SE at this size); the five score bands take most of it away (the 200-world
    run: bias a third of an SE, coverage 0.91–0.94, docs/person-level.md) — an approximation,
    so the check is that they are closer to the truth, and within 3 SE."""
    panel = confounded_start_world(23, 20_000)
    truth = confounded_start_truth(panel, 1.5, 120)
    banded = dynamic_matching(panel, horizon=120, propensity_on=["z"], balance_on=["z"], reps=49, seed=1)
    one_band = dynamic_matching(panel, horizon=120, propensity_on=["z"], score_bands=1, reps=49, seed=1)
    assert abs(banded.estimate - truth) < 3 * banded.std_error, (banded.estimate, truth, banded.std_error)
    assert one_band.estimate - truth > 0.01 and abs(banded.estimate - truth) < 0.5 * (one_band.estimate - truth)
    assert abs(banded.balance.loc[0, "smd_after"]) < 0.02
    assert sum("|score " in s for s in banded.support["stratum"].unique()) == 5


def test_a_bad_propensity_column_is_refused_with_the_row() -> None:
    panel = confounded_start_world(24, 200)
    bad = panel.astype({"z": object})
    bad.loc[7, "z"] = "high"
    with pytest.raises(KuvaInputError, match="row 7: propensity column 'z'"):
        dynamic_matching(bad, propensity_on=["z"])
    with pytest.raises(KuvaInputError, match="constant or collinear"):
        dynamic_matching(panel.assign(c=1.0), propensity_on=["c"])
