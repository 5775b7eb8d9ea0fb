"""Small panels with a planted, known treatment effect, for validating the estimators.

This is deliberately self-contained (the project's full synthetic-data generator lives in
``kuva.simulate``): a municipality-like monthly or yearly panel with unit and period fixed
effects, AR(1) noise, treatment assigned to whole clusters (regions), common or staggered
adoption and heterogeneous, optionally growing effects. The true average effect on the
treated is returned with the data, so bias, RMSE and coverage can be measured.

:func:`competing_risks_world` is the person-level counterpart for the Fine–Gray model: spells
whose cause-1 cumulative incidence has a planted subdistribution hazard ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError


@dataclass(frozen=True)
class PlantedPanel:
    """A simulated panel and its true effects.

    ``frame`` has columns ``unit, period, y, treat_start, cluster, size``; ``period`` is a
    monthly ``pandas.Period`` (``monthly=True``) or an integer year. ``att`` is the average
    effect over all treated unit × post-treatment cells (the estimand of a ``simple``
    Callaway–Sant'Anna aggregation and, with common adoption and time-constant effects, of
    TWFE); ``att_by_event`` the same by periods since adoption.
    """

    frame: pd.DataFrame
    att: float
    att_by_event: dict[int, float]
    first_period: int | pd.Period


def simulate_panel(
    *,
    n_units: int = 120,
    n_periods: int = 24,
    n_clusters: int = 30,
    treated_clusters: int = 10,
    adoption: tuple[int, ...] = (12,),
    effect: float = -1.0,
    effect_growth: float = 0.0,
    effect_sd: float = 0.5,
    rho: float = 0.5,
    sigma: float = 1.0,
    cluster_shock_sd: float = 0.3,
    monthly: bool = True,
    seed: int | np.random.Generator | None = None,
) -> PlantedPanel:
    """Simulate a balanced panel with a planted effect.

    Parameters
    ----------
    adoption
        Time indexes (0-based) at which treated clusters adopt; clusters are spread evenly
        over them (one value = common adoption).
    effect, effect_growth, effect_sd
        Unit effect ``tau_i ~ N(effect, effect_sd^2)``; at ``e`` periods after adoption the
        effect is ``tau_i * (1 + effect_growth * e)``.
    rho, sigma
        AR(1) coefficient and innovation sd of the idiosyncratic error.
    cluster_shock_sd
        Sd of cluster × period shocks (makes errors correlated within clusters).
    """
    if not 0 < treated_clusters < n_clusters:
        raise KuvaInputError("treated_clusters must be between 1 and n_clusters - 1")
    if n_units < n_clusters:
        raise KuvaInputError("need at least one unit per cluster")
    if any(not 0 < a < n_periods for a in adoption):
        raise KuvaInputError("adoption times must be inside (0, n_periods)")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    cluster = np.sort(np.arange(n_units) % n_clusters)
    treated_c = rng.choice(n_clusters, size=treated_clusters, replace=False)
    start_c = np.full(n_clusters, np.nan)
    for i, c in enumerate(treated_c):
        start_c[c] = adoption[i % len(adoption)]
    g = start_c[cluster]

    t = np.arange(n_periods)
    unit_fe = rng.normal(8.0, 2.0, n_units) + 0.5 * np.isfinite(g)  # treated a bit higher
    time_fe = 0.03 * t + 0.4 * np.sin(2 * np.pi * t / 12)
    eps = np.empty((n_units, n_periods))
    eps[:, 0] = rng.normal(0, sigma / np.sqrt(max(1 - rho**2, 1e-6)), n_units)
    for s in range(1, n_periods):
        eps[:, s] = rho * eps[:, s - 1] + rng.normal(0, sigma, n_units)
    shocks = rng.normal(0, cluster_shock_sd, (n_clusters, n_periods))[cluster]
    tau_i = rng.normal(effect, effect_sd, n_units)
    e = t[None, :] - g[:, None]
    treated = np.isfinite(e) & (e >= 0)
    tau = np.where(treated, tau_i[:, None] * (1 + effect_growth * np.where(treated, e, 0)), 0.0)
    y = unit_fe[:, None] + time_fe[None, :] + shocks + eps + tau

    first: int | pd.Period
    start_ord = np.repeat(np.where(np.isfinite(g), g, np.nan), n_periods)
    time_ord = np.tile(t, n_units)
    frame = pd.DataFrame(
        {
            "unit": np.repeat([f"m{i:03d}" for i in range(n_units)], n_periods),
            "y": y.ravel(),
            "cluster": np.repeat([f"r{c:02d}" for c in cluster], n_periods),
            "size": np.repeat(rng.normal(9.0, 1.0, n_units), n_periods),
        }
    )
    if monthly:
        base = pd.Period("2018-01", freq="M")
        first = base
        months = [pd.Period(ordinal=base.ordinal + int(s), freq="M") for s in t]
        frame["period"] = pd.PeriodIndex(np.tile(np.array(months, dtype=object), n_units),
                                         freq="M")
        frame["treat_start"] = pd.PeriodIndex(
            [months[int(v)] if np.isfinite(v) else None for v in start_ord], freq="M"
        )
    else:
        first = 2000
        frame["period"] = 2000 + time_ord
        frame["treat_start"] = pd.array(
            [2000 + int(v) if np.isfinite(v) else None for v in start_ord], dtype="Int64"
        )
    frame = frame[["unit", "period", "y", "treat_start", "cluster", "size"]]
    att = float(tau[treated].mean())
    by_event = {
        int(k): float(tau[treated & (e == k)].mean()) for k in np.unique(e[treated]).astype(int)
    }
    return PlantedPanel(frame=frame, att=att, att_by_event=by_event, first_period=first)


Design = Literal["twfe_common", "cs_staggered", "sdid_block"]
"""Planted-effect designs of :func:`coverage_study`."""


@dataclass(frozen=True)
class CoverageSummary:
    """Bias, RMSE and 95% coverage of one estimator/interval over replications."""

    design: str
    estimator: str
    reps: int
    truth_mean: float
    bias: float
    rmse: float
    coverage: float
    mean_se: float
    sd_estimate: float


def _one_replication(design: Design, rng: np.random.Generator) -> dict[str, tuple[float, ...]]:
    """Estimates and 95% intervals for one simulated panel: {name: (est, lo, hi, se, truth)}."""
    from kuva.evaluate.data import PanelData
    from kuva.evaluate.did.model import TwoWayFixedEffects
    from kuva.evaluate.staggered.model import CallawaySantAnna
    from kuva.evaluate.synthdid.model import SyntheticDiD

    out: dict[str, tuple[float, ...]] = {}
    if design == "twfe_common":
        sim = simulate_panel(n_units=150, n_periods=24, n_clusters=30, treated_clusters=10,
                             adoption=(12,), effect=-1.0, effect_sd=0.5, seed=rng)
        p = PanelData(sim.frame, unit="unit", time="period", outcome="y",
                      treat_start="treat_start", cluster="cluster")
        r = TwoWayFixedEffects(p).fit(bootstrap_reps=399, bootstrap_weights="webb", seed=rng)
        out["twfe_crv1"] = (r.estimate, r.ci_low, r.ci_high, r.std_error, sim.att)
        if r.bootstrap is not None:
            b = r.bootstrap
            out["twfe_wcr"] = (r.estimate, b.ci_low, b.ci_high, r.std_error, sim.att)
    elif design == "cs_staggered":
        sim = simulate_panel(n_units=240, n_periods=24, n_clusters=40, treated_clusters=18,
                             adoption=(8, 12, 16), effect=-1.0, effect_growth=0.05,
                             effect_sd=0.5, seed=rng)
        p = PanelData(sim.frame, unit="unit", time="period", outcome="y",
                      treat_start="treat_start", cluster="cluster")
        agg = CallawaySantAnna(p).fit(bootstrap_reps=0).aggregate("simple", bootstrap_reps=0)
        out["cs_simple"] = (agg.estimate, agg.ci_low, agg.ci_high, agg.std_error, sim.att)
        tw = TwoWayFixedEffects(p).fit(bootstrap_reps=0)
        out["twfe_staggered_crv1"] = (tw.estimate, tw.ci_low, tw.ci_high, tw.std_error, sim.att)
    else:
        sim = simulate_panel(n_units=50, n_periods=20, n_clusters=50, treated_clusters=10,
                             adoption=(14,), effect=-1.0, effect_sd=0.5,
                             cluster_shock_sd=0.0, monthly=False, seed=rng)
        p = PanelData(sim.frame, unit="unit", time="period", outcome="y",
                      treat_start="treat_start")
        res = SyntheticDiD(p).fit(variance="placebo", reps=50, seed=rng)
        out["sdid_placebo"] = (res.estimate, res.ci_low, res.ci_high, res.std_error, sim.att)
        jk = SyntheticDiD(p).fit(variance="jackknife")
        out["sdid_jackknife"] = (jk.estimate, jk.ci_low, jk.ci_high, jk.std_error, sim.att)
    return out


def coverage_study(
    design: Design, *, reps: int = 200, seed: int | np.random.Generator | None = None
) -> list[CoverageSummary]:
    """Run ``reps`` replications of a planted-effect design; one summary per estimator.

    Designs: ``twfe_common`` (30 regional clusters, 10 treated, common adoption, TWFE with
    CRV1 and WCR intervals), ``cs_staggered`` (3 adoption cohorts, effects growing with
    exposure; Callaway–Sant'Anna simple ATT vs the biased static TWFE), ``sdid_block``
    (50 units, 10 treated, synthetic DiD with placebo and jackknife SEs).
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    rows: dict[str, list[tuple[float, ...]]] = {}
    for _ in range(reps):
        for name, one in _one_replication(design, rng).items():
            rows.setdefault(name, []).append(one)
    out = []
    for name, vals in rows.items():
        a = np.array(vals)
        err = a[:, 0] - a[:, 4]
        out.append(
            CoverageSummary(
                design=design,
                estimator=name,
                reps=len(a),
                truth_mean=float(a[:, 4].mean()),
                bias=float(err.mean()),
                rmse=float(np.sqrt(np.mean(err**2))),
                coverage=float(np.mean((a[:, 1] <= a[:, 4]) & (a[:, 4] <= a[:, 2]))),
                mean_se=float(a[:, 3].mean()),
                sd_estimate=float(err.std(ddof=1)),
            )
        )
    return out


def competing_risks_world(seed: int, n: int, beta: float, p: float = 0.6) -> pd.DataFrame:
    """Fine & Gray's (1999, §5) design: P(T ≤ t, cause 1 | Z) = 1 − (1 − p(1 − e^(−t)))^exp(βZ)
    exactly, so ``beta`` is the log subdistribution hazard ratio of cause 1 ("work"); cause 2
    ("other") otherwise, at an exponential time with rate 1 (its law does not enter cause 1's
    subdistribution); Z ~ Bernoulli(½) as ``treated``; censoring uniform on (0, 3). One row per
    person in the start–stop shape of :class:`~kuva.evaluate.survival.FineGray`."""
    if not 0 < p < 1 or n < 1:
        raise KuvaInputError(f"need 0 < p < 1 and n ≥ 1, got p={p}, n={n}")
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n).astype(float)
    e = np.exp(beta * z)
    f_inf = 1 - (1 - p) ** e  # P(cause 1 | Z)
    first = rng.random(n) < f_inf
    u = rng.random(n)
    t1 = -np.log(1 - (1 - (1 - u * f_inf) ** (1 / e)) / p)  # the inverse of cause 1's conditional CDF
    t = np.where(first, t1, rng.exponential(1.0, n))
    c = rng.uniform(0, 3, n)
    cause = np.where(first, "work", "other").astype(object)
    cause[t > c] = 0
    return pd.DataFrame({"id": range(n), "start": 0.0, "stop": np.minimum(t, c), "cause": cause, "treated": z})


def confounded_start_world(seed: int, n: int, hr: float = 1.5, start_coef: float = 0.8, exit_coef: float = 0.5,
                           work_share: float = 0.6, end: int = 400) -> pd.DataFrame:
    """Unemployment spells for dynamic matching with a continuous confounder z ~ N(0, 1): the
    exit hazard λ = ln 2 / 150 · exp(``exit_coef`` z), the service start on a whole day with
    hazard exp(``start_coef`` z) / 120, the exit hazard times ``hr`` after it, exits to work with
    probability ``work_share``, the data ending on day ``end``. One row per spell in the shape of
    :func:`~kuva.evaluate.dynamic.dynamic_matching` with ``z`` and each spell's ``lam``
    (:func:`confounded_start_truth`)."""
    if n < 1 or hr <= 0 or not 0 < work_share <= 1:
        raise KuvaInputError(f"need n ≥ 1, hr > 0 and 0 < work_share ≤ 1, got n={n}, hr={hr}, work_share={work_share}")
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    lam = np.log(2) / 150 * np.exp(exit_coef * z)
    service = np.ceil(rng.exponential(120 / np.exp(start_coef * z)))
    e = rng.exponential(size=n)
    t = np.ceil(np.where(e / lam <= service, e / lam, service + (e - lam * service) / (lam * hr)))
    duration = np.minimum(t, float(end))
    kinds = np.where(rng.random(n) < work_share, "exit_work", "exit_other").astype(object)
    kinds[t > end] = None  # still unemployed when the data end
    return pd.DataFrame({"id": [f"p{i}" for i in range(n)], "duration": duration, "outcome": kinds,
                         "treat_day": np.where(service < duration, service, np.nan), "z": z, "lam": lam})


def confounded_start_truth(panel: pd.DataFrame, hr: float, horizon: int, work_share: float = 0.6, *,
                           comparison: str = "not_yet", start_coef: float = 0.8) -> float:
    """The treated sample's effect on exit to work within ``horizon`` days in
    :func:`confounded_start_world` (the hazards are constant, so the start day does not enter):
    the mean over the treated of ``work_share · (S_wait − e^(−hr·λH))``, where ``S_wait`` is the
    chance of staying unemployed ``H`` days without a service now — ``e^(−λH)`` when the
    comparison gets no service within the horizon (``not_yet``); with ``not_now`` the service
    may start on any later day ``k`` (geometric, daily chance ``q = 1 − e^(−μ)``), so
    ``S_wait = Σ_{k=1..H} (1 − q)^(k−1) q e^(−λk − hr·λ(H−k)) + (1 − q)^H e^(−λH)``."""
    treated = panel["treat_day"].notna()
    lam = panel.loc[treated, "lam"].to_numpy()
    if comparison == "not_yet":
        wait = np.exp(-lam * horizon)
    elif comparison == "not_now":
        q = 1 - np.exp(-np.exp(start_coef * panel.loc[treated, "z"].to_numpy()) / 120)
        k = np.arange(1, horizon + 1)[None, :]
        q_, lam_ = q[:, None], lam[:, None]
        later = (1 - q_) ** (k - 1) * q_ * np.exp(-lam_ * k - hr * lam_ * (horizon - k))
        wait = later.sum(axis=1) + (1 - q) ** horizon * np.exp(-lam * horizon)
    else:
        raise KuvaInputError(f"comparison must be not_yet or not_now, got {comparison!r}")
    return float(np.mean(work_share * (wait - np.exp(-hr * lam * horizon))))
