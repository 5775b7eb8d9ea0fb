"""Confidence sets for ranks (Mogstad, Romano, Shaikh and Wilhelm 2024, *Review of Economic
Studies*): from simultaneous confidence intervals for the pairwise differences of the areas'
performance, each area's rank lies between one plus the number of areas credibly better and
the number of areas minus those credibly worse.

``joint=True`` makes the intervals simultaneous over every pair, so all areas' rank sets hold
together with probability at least ``1 − alpha``; ``joint=False`` gives each area's set on its
own (simultaneous over that area's pairs only). Estimates are taken as independent and normal
with known standard errors; the critical value is the ``1 − alpha`` quantile of the maximum
studentised difference, by parametric bootstrap. Rank 1 is the best (largest with
``larger_is_better``). The ``tau``-best set ("possibly in the top tenth") contains every area
whose best possible rank is within the top ``ceil(tau · n)``: it contains all truly top areas
with the sets' joint coverage; "credibly top" are those whose worst possible rank is.
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
              joint: bool = True, larger_is_better: bool = True, reps: int = 2000, seed: int = 0) -> RankSets:
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
    scale = np.sqrt(s[:, None] ** 2 + s[None, :] ** 2)
    np.fill_diagonal(scale, np.inf)
    rng = np.random.default_rng(seed)
    maxima = np.empty((reps, n) if not joint else reps)
    chunk = max(1, 2_000_000 // (n * n))
    for i in range(0, reps, chunk):
        z = rng.standard_normal((min(chunk, reps - i), n)) * s
        t = np.abs(z[:, :, None] - z[:, None, :]) / scale
        maxima[i:i + len(z)] = t.max(axis=(1, 2)) if joint else t.max(axis=2)
    crit = float(np.quantile(maxima, 1 - alpha)) if joint else np.quantile(maxima, 1 - alpha, axis=0)
    c = crit if joint else np.asarray(crit)[:, None]
    diff = x[:, None] - x[None, :]  # row j minus column k
    worse = ((diff - c * scale) > 0).sum(axis=1)  # k credibly below j
    better = ((-diff - c * scale) > 0).sum(axis=1)  # k credibly above j
    order = np.argsort(-x, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    return RankSets(rank, (1 + better).astype(np.int64), (n - worse).astype(np.int64), crit, joint, alpha)


__all__ = ["RankSets", "rank_sets"]
