"""Pure kernels for two-way fixed-effects inference: the within transformation and the
restricted wild cluster bootstrap (WCR, Cameron–Gelbach–Miller 2008; MacKinnon–Nielsen–Webb
2023 notation).

The bootstrap works on cluster-level sums (as ``boottest`` does), so one draw costs
O(G·k) rather than O(n): with ``n`` observations, ``k`` regressors after the fixed effects
are partialled out and ``G`` clusters.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import numpy.typing as npt
from scipy import optimize

from kuva.errors import KuvaInputError
from kuva.evaluate.options import BootstrapWeights

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_WEBB = np.array(
    [-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)], dtype=float
)


def within(
    x: FloatArray, groups: list[IntArray], *, tol: float = 1e-12, max_iter: int = 10_000
) -> FloatArray:
    """Partial out one or more sets of fixed effects by alternating projections.

    ``x`` is ``(n,)`` or ``(n, k)``; each entry of ``groups`` is an ``(n,)`` array of codes
    ``0..m-1``. Returns the residuals with the same shape. One sweep is exact for one set of
    effects and for two sets in a balanced panel.
    """
    out = np.array(x, dtype=float, copy=True)
    squeeze = out.ndim == 1
    if squeeze:
        out = out[:, None]
    counts = [np.bincount(g).astype(float) for g in groups]
    for _ in range(max_iter):
        before = out.copy()
        for g, c in zip(groups, counts, strict=True):
            sums = np.zeros((c.size, out.shape[1]))
            np.add.at(sums, g, out)
            out -= (sums / c[:, None])[g]
        if len(groups) <= 1 or np.max(np.abs(out - before)) < tol:
            break
    return out[:, 0] if squeeze else out


def draw_weights(
    kind: BootstrapWeights, n_clusters: int, reps: int, rng: np.random.Generator
) -> tuple[FloatArray, bool]:
    """Bootstrap weights ``(G, B)``; returns ``(weights, enumerated)``.

    With Rademacher weights and ``2**G <= reps`` all ``2**G`` sign patterns are enumerated
    (the p-value is then exact for the bootstrap distribution), as ``boottest`` does.
    """
    if kind == "rademacher" and n_clusters <= 20 and 2**n_clusters <= reps:
        grid = np.array(list(product([-1.0, 1.0], repeat=n_clusters)), dtype=float).T
        return grid, True
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(n_clusters, reps)), False
    return rng.choice(_WEBB, size=(n_clusters, reps)), False


@dataclass(frozen=True)
class WildBootstrapResult:
    """Outcome of a WCR wild cluster bootstrap test of ``beta = null``.

    Attributes
    ----------
    statistic : float
        Cluster-robust (CRV1) t statistic of the sample.
    p_value : float
        Symmetric bootstrap p-value ``mean(|t*| > |t|)``.
    ci_low, ci_high : float
        Confidence interval by test inversion (the set of nulls not rejected at ``alpha``).
    t_draws : ndarray, shape (B,)
        Bootstrap t statistics under the null.
    reps : int
        Number of bootstrap draws (``2**G`` if enumerated).
    enumerated : bool
        Whether all Rademacher sign patterns were enumerated.
    """

    null: float
    statistic: float
    p_value: float
    ci_low: float
    ci_high: float
    t_draws: FloatArray
    reps: int
    enumerated: bool
    weights: BootstrapWeights


def _p_value(draws: FloatArray, t: float) -> float:
    """Symmetric bootstrap p-value ``mean(|t*| > |t|)``.

    Strict inequality, as boottest, fwildclusterboot and wildboottest count: with full
    enumeration the sign pattern that reproduces the sample (``t* = t``) is not counted. A
    relative margin of 1e-9 keeps such exact ties from flipping on rounding noise.
    """
    return float(np.mean(np.abs(draws) > abs(t) * (1 + 1e-9)))


class _WcrKernel:
    """Cluster-level pieces of the WCR bootstrap for the coefficient on column 0 of ``z``."""

    def __init__(self, y: FloatArray, z: FloatArray, cluster: IntArray, v: FloatArray) -> None:
        n, k = z.shape
        self.n_clusters = int(cluster.max()) + 1
        ztz_inv = np.linalg.inv(z.T @ z)
        self.beta_hat = ztz_inv @ (z.T @ y)
        self.a = (ztz_inv @ z.T)[0]  # row of (Z'Z)^-1 Z' for the tested coefficient
        g = self.n_clusters
        self.cluster = cluster
        self.ssc = g / (g - 1) * (n - 1) / max(n - k, 1)
        self.y, self.z, self.v, self.ztz_inv = y, z, v, ztz_inv
        # A_g Z_g : (G, k) cluster sums of a_i z_i
        self.az = np.zeros((g, k))
        np.add.at(self.az, cluster, self.a[:, None] * z)
        # projections used for the restricted fit: X = z[:, 1:]
        x = z[:, 1:]
        d = z[:, 0]
        if x.shape[1]:
            xtx_inv = np.linalg.inv(x.T @ x)
            self.px_y = x @ (xtx_inv @ (x.T @ y))
            self.px_d = x @ (xtx_inv @ (x.T @ d))
        else:
            self.px_y = np.zeros(n)
            self.px_d = np.zeros(n)
        self.d = d

        self._linear_in_null()

    def _csum(self, w: FloatArray) -> FloatArray:
        out = np.zeros(self.n_clusters)
        np.add.at(out, self.cluster, w)
        return out

    def _csum_cols(self, w: FloatArray) -> FloatArray:
        out = np.zeros((self.n_clusters, w.shape[1]))
        np.add.at(out, self.cluster, w)
        return out

    def _linear_in_null(self) -> None:
        """Everything the bootstrap draws need is linear in the tested value ``b0``: the
        restricted fit is ``px_y + b0 (d - px_d)``. The cluster sums are taken once here, so
        each ``b0`` tried while inverting the test costs O(B) instead of a pass over all rows."""
        z, v, a = self.z, self.v, self.a
        r0 = self.y - self.px_y  # restricted residual at b0 = 0
        r1 = self.d - self.px_d  # minus its slope in b0
        zu0, zu1 = self._csum_cols(z * r0[:, None]), self._csum_cols(z * r1[:, None])
        bf0 = self.ztz_inv @ (z.T @ self.px_y)
        bf1 = self.ztz_inv @ (z.T @ r1)
        bs0 = bf0[:, None] + self.ztz_inv @ (zu0.T @ v)  # (k, B)
        bs1 = bf1[:, None] - self.ztz_inv @ (zu1.T @ v)
        af0, af1 = self._csum(a * self.px_y), self._csum(a * r1)
        au0, au1 = self._csum(a * r0), self._csum(a * r1)
        s0 = af0[:, None] + au0[:, None] * v - self.az @ bs0  # scores at b0 = 0, (G, B)
        s1 = af1[:, None] - au1[:, None] * v - self.az @ bs1  # their slope in b0
        self._b0, self._b1 = bs0[0], bs1[0]
        self._q00, self._q01, self._q11 = (s0**2).sum(axis=0), (s0 * s1).sum(axis=0), (s1**2).sum(axis=0)
        self._se_hat = self.se(self.y - z @ self.beta_hat)

    def se(self, resid: FloatArray) -> float:
        s = self._csum(self.a * resid)
        return float(np.sqrt(self.ssc * np.sum(s**2)))

    def sample_t(self, null: float) -> float:
        return float((self.beta_hat[0] - null) / self._se_hat)

    def draws(self, null: float) -> FloatArray:
        """Bootstrap t statistics ``(B,)`` under ``beta = null`` (restricted residuals)."""
        var = self._q00 + 2 * null * self._q01 + null**2 * self._q11
        se_star = np.sqrt(self.ssc * np.maximum(var, 0.0))
        t_star: FloatArray = (self._b0 + null * self._b1 - null) / se_star
        return t_star

    def p_value(self, null: float) -> float:
        t = self.sample_t(null)
        return _p_value(self.draws(null), t)


def wild_cluster_bootstrap(
    y: FloatArray,
    z: FloatArray,
    cluster: IntArray,
    *,
    null: float = 0.0,
    reps: int = 999,
    weights: BootstrapWeights = "webb",
    alpha: float = 0.05,
    rng: np.random.Generator,
) -> WildBootstrapResult:
    """WCR wild cluster bootstrap-t test and test-inversion CI for the coefficient ``z[:, 0]``.

    ``y`` and ``z`` must already have the fixed effects partialled out (:func:`within`);
    ``cluster`` holds codes ``0..G-1``. The same weight draws are used for every null
    tried while inverting the test, so the interval is a deterministic function of them.
    """
    if z.ndim != 2 or z.shape[0] != y.shape[0]:
        raise KuvaInputError("z must be a 2-D array with one row per observation")
    n_clusters = int(cluster.max()) + 1
    if n_clusters < 2:
        raise KuvaInputError("the wild cluster bootstrap needs at least two clusters")
    v, enumerated = draw_weights(weights, n_clusters, reps, rng)
    kern = _WcrKernel(y, z, cluster, v)
    t = kern.sample_t(null)
    draws = kern.draws(null)
    p = _p_value(draws, t)

    beta = float(kern.beta_hat[0])
    se = kern.se(y - z @ kern.beta_hat)

    def excess(b0: float) -> float:
        return kern.p_value(b0) - alpha

    def bound(direction: float) -> float:
        step = max(se, 1e-12)
        inner = beta
        outer = beta + direction * step
        for _ in range(60):
            if excess(outer) < 0:
                break
            inner, outer = outer, outer + direction * step
            step *= 2.0
        else:
            return float(direction * np.inf)
        lo, hi = sorted((inner, outer))
        return float(optimize.brentq(excess, lo, hi, xtol=1e-6 * step + 1e-12))

    ci_low = bound(-1.0) if excess(beta) > 0 else beta
    ci_high = bound(1.0) if excess(beta) > 0 else beta
    return WildBootstrapResult(
        null=null,
        statistic=t,
        p_value=p,
        ci_low=ci_low,
        ci_high=ci_high,
        t_draws=draws,
        reps=int(v.shape[1]),
        enumerated=enumerated,
        weights=weights,
    )
