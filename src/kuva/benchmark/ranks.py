"""Confidence sets for ranks (Mogstad, Romano, Shaikh and Wilhelm 2024, *Review of Economic
Studies*): from simultaneous confidence intervals for the pairwise differences of the areas'
performance, each area's rank lies between one plus the number of areas credibly better and
the number of areas minus those credibly worse.

``joint=True`` makes the intervals simultaneous over every pair, so all areas' rank sets hold
together with probability at least ``1 − alpha``; ``joint=False`` gives each area's set on its
own (simultaneous over that area's pairs only). Estimates are normal with known standard errors,
independent, or with the covariance ``cov`` when given (the benchmark's gaps share the
framework model's estimated coefficients: each pairwise difference then has the variance
``cov_jj + cov_kk − 2 cov_jk`` and the bootstrap draws from the joint normal); the critical
value is the ``1 − alpha`` quantile of the maximum studentised difference, by parametric
bootstrap. Rank 1 is the best (largest with ``larger_is_better``). The ``tau``-best set
("possibly in the top tenth") contains every area whose best possible rank is within the top
``ceil(tau · n)``: it contains all truly top areas with the sets' joint coverage; "credibly top"
are those whose worst possible rank is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kuva.errors import KuvaInputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RankSets:
    rank: IntArray  #: the point rank (1 = best)
    low: IntArray  #: best possible rank
    high: IntArray  #: worst possible rank
    critical: float | FloatArray  #: critical value (joint) or one per area (marginal)
    joint: bool
    alpha: float

    def possibly_top(self, tau: float = 0.1) -> npt.NDArray[np.bool_]:
        return self.low <= math.ceil(tau * len(self.rank))

    def credibly_top(self, tau: float = 0.1) -> npt.NDArray[np.bool_]:
        return self.high <= math.ceil(tau * len(self.rank))

    def possibly_bottom(self, tau: float = 0.1) -> npt.NDArray[np.bool_]:
        n = len(self.rank)
        return self.high > n - math.ceil(tau * n)

    def credibly_bottom(self, tau: float = 0.1) -> npt.NDArray[np.bool_]:
        n = len(self.rank)
        return self.low > n - math.ceil(tau * n)


def rank_sets(estimate: Sequence[float] | FloatArray, se: Sequence[float] | FloatArray, *, alpha: float = 0.05,
              joint: bool = True, larger_is_better: bool = True, reps: int = 2000, seed: int = 0,
              cov: FloatArray | None = None) -> RankSets:
    est = np.asarray(estimate, dtype=float)
    s = np.asarray(se, dtype=float)
    if est.shape != s.shape or est.ndim != 1 or len(est) < 2:
        raise KuvaInputError("estimate and se must be two equal-length vectors of at least 2 areas")
    if not (np.isfinite(est).all() and np.isfinite(s).all() and (s > 0).all()):
        raise KuvaInputError("every area needs a finite estimate and a positive standard error")
    if not 0 < alpha < 1:
        raise KuvaInputError(f"alpha must be between 0 and 1, got {alpha}")
    x = est if larger_is_better else -est
    n = len(x)
    if cov is None:
        scale = np.sqrt(s[:, None] ** 2 + s[None, :] ** 2)
        root = np.diag(s)
    else:
        c = _checked_cov(cov, s)
        d = np.diag(c)
        scale = np.sqrt(np.maximum(d[:, None] + d[None, :] - 2 * c, 1e-300))
        root = _root(c)
    np.fill_diagonal(scale, np.inf)
    rng = np.random.default_rng(seed)
    maxima = np.empty((reps, n) if not joint else reps)
    chunk = max(1, 2_000_000 // (n * n))
    for i in range(0, reps, chunk):
        z = rng.standard_normal((min(chunk, reps - i), n)) @ root.T
        t = np.abs(z[:, :, None] - z[:, None, :]) / scale
        maxima[i:i + len(z)] = t.max(axis=(1, 2)) if joint else t.max(axis=2)
    crit = float(np.quantile(maxima, 1 - alpha)) if joint else np.quantile(maxima, 1 - alpha, axis=0)
    cv = crit if joint else np.asarray(crit)[:, None]
    diff = x[:, None] - x[None, :]  # row j minus column k
    worse = ((diff - cv * scale) > 0).sum(axis=1)  # k credibly below j
    better = ((-diff - cv * scale) > 0).sum(axis=1)  # k credibly above j
    order = np.argsort(-x, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    return RankSets(rank, (1 + better).astype(np.int64), (n - worse).astype(np.int64), crit, joint, alpha)


def _checked_cov(cov: FloatArray, se: FloatArray) -> FloatArray:
    c = np.asarray(cov, dtype=float)
    n = len(se)
    if c.shape != (n, n) or not np.isfinite(c).all():
        raise KuvaInputError(f"cov must be a finite {n} × {n} matrix")
    if not np.allclose(c, c.T, rtol=1e-9, atol=1e-12 * float(np.abs(c).max())):
        raise KuvaInputError("cov must be symmetric")
    if not np.allclose(np.sqrt(np.maximum(np.diag(c), 0.0)), se, rtol=1e-6, atol=1e-6 * float(se.max())):
        raise KuvaInputError("cov's diagonal must be the squared standard errors")
    return c


def _root(c: FloatArray) -> FloatArray:
    """A matrix L with L L′ = c: Cholesky, or from the eigen-decomposition when c is only
    positive semi-definite."""
    try:
        return np.asarray(np.linalg.cholesky(c), dtype=np.float64)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(c)
        if vals.min() < -1e-8 * max(vals.max(), 1.0):
            raise KuvaInputError("cov is not positive semi-definite") from None
        root: FloatArray = np.asarray(vecs * np.sqrt(np.maximum(vals, 0.0)), dtype=np.float64)
        return root


__all__ = ["RankSets", "rank_sets"]
