"""Influence-function inference for Callaway–Sant'Anna: aggregation weights, analytic
standard errors and the multiplier bootstrap with uniform (simultaneous) bands.

All functions are pure. An influence-function matrix ``inf`` has one row per unit (``n``)
and one column per parameter; a parameter ``theta`` satisfies
``theta_hat - theta ~= mean(inf[:, k])``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def cluster_sums(inf: FloatArray, cluster: IntArray) -> FloatArray:
    """Sum influence-function rows within clusters: ``(G, K)``."""
    inf2 = inf if inf.ndim == 2 else inf[:, None]
    out = np.zeros((int(cluster.max()) + 1, inf2.shape[1]))
    np.add.at(out, cluster, inf2)
    return out


def analytic_se(inf: FloatArray, cluster: IntArray) -> FloatArray:
    """Cluster-robust standard errors ``sqrt(sum_c (sum_{i in c} inf_i)^2) / n``.

    With one unit per cluster this is R ``did``'s analytic ``sqrt(mean(inf^2) / n)``.
    """
    n = inf.shape[0]
    s = cluster_sums(inf, cluster)
    se: FloatArray = np.sqrt(np.sum(s**2, axis=0)) / n
    return se


@dataclass(frozen=True)
class MultiplierBootstrap:
    """Multiplier-bootstrap standard errors ``(K,)`` and the uniform-band critical value."""

    std_errors: FloatArray
    critical_value: float
    reps: int


def multiplier_bootstrap(
    inf: FloatArray,
    cluster: IntArray,
    *,
    reps: int,
    alpha: float,
    rng: np.random.Generator,
) -> MultiplierBootstrap:
    """Rademacher multiplier bootstrap on cluster sums of the influence function.

    Each draw is ``(1/n) * sum_c v_c * S_c`` with ``S_c`` the cluster sum. As in R ``did``
    (``mboot``), standard errors are the interquartile range of the draws divided by
    ``qnorm(.75) - qnorm(.25)``, and the uniform band uses the ``1 - alpha`` quantile of
    ``max_k |draw_k / se_k|``. Parameters with zero influence (e.g. a reference cell) get
    standard error 0 and are left out of the maximum.
    """
    n = inf.shape[0]
    s = cluster_sums(inf, cluster)  # (G, K)
    v = rng.choice(np.array([-1.0, 1.0]), size=(reps, s.shape[0]))
    draws = v @ s / n  # (B, K)
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0)
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    live = se > 1e-12 * (np.max(se) if se.size else 1.0)
    if live.any():
        tmax = np.max(np.abs(draws[:, live] / se[live]), axis=1)
        crit = float(np.quantile(tmax, 1 - alpha))
    else:
        crit = float(stats.norm.ppf(1 - alpha / 2))
    return MultiplierBootstrap(std_errors=se, critical_value=crit, reps=reps)


def weight_influence(
    keepers: IntArray, pg: FloatArray, unit_group: FloatArray, cell_group: FloatArray
) -> FloatArray:
    """Influence function of estimated aggregation weights ``pg_k / sum pg`` (``wif`` in R
    ``did::aggte``): ``(n, len(keepers))``."""
    p = pg[keepers]
    ind = (unit_group[:, None] == cell_group[keepers][None, :]).astype(float)
    if1 = (ind - p) / p.sum()
    if2 = (ind - p).sum(axis=1)[:, None] * (p / p.sum() ** 2)[None, :]
    out: FloatArray = if1 - if2
    return out


def aggregate(
    att: FloatArray,
    inf: FloatArray,
    keepers: IntArray,
    weights: FloatArray,
    wif: FloatArray | None,
) -> tuple[float, FloatArray]:
    """Weighted aggregate of ``att[keepers]`` and its influence function ``(n,)``."""
    est = float(np.sum(weights * att[keepers]))
    agg_inf = inf[:, keepers] @ weights
    if wif is not None:
        agg_inf = agg_inf + wif @ att[keepers]
    return est, agg_inf
