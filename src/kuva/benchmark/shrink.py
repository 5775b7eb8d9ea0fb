"""Empirical-Bayes shrinkage of area gaps toward the model: a small area's noisy gap moves
further toward zero than a large area's.

Normal–normal model: ``gap_j = u_j + e_j``, ``u_j ~ N(mu, tau²)``, ``e_j ~ N(0, s_j²)``; ``mu``
and ``tau²`` by the method of moments (DerSimonian–Laird, truncated at 0); the posterior mean
is ``mu + (1 − B_j)(gap_j − mu)`` with ``B_j = s_j² / (s_j² + tau²)`` and posterior standard
deviation ``sqrt((1 − B_j) s_j²)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kuva.errors import KuvaInputError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Shrunk:
    mean: FloatArray  #: posterior means
    sd: FloatArray  #: posterior standard deviations
    weight: FloatArray  #: 1 − B: the weight on the area's own gap
    mu: float
    tau2: float


def eb_shrink(gap: Sequence[float] | FloatArray, se: Sequence[float] | FloatArray) -> Shrunk:
    g = np.asarray(gap, dtype=float)
    s2 = np.asarray(se, dtype=float) ** 2
    ok = np.isfinite(g) & np.isfinite(s2) & (s2 > 0)
    if ok.sum() < 3:
        raise KuvaInputError(f"empirical Bayes needs at least 3 areas with a gap and a standard error, got {ok.sum()}")
    w = 1 / s2[ok]
    mu_fixed = float(np.sum(w * g[ok]) / w.sum())
    q = float(np.sum(w * (g[ok] - mu_fixed) ** 2))
    denom = float(w.sum() - np.sum(w**2) / w.sum())
    tau2 = max(0.0, (q - (ok.sum() - 1)) / denom) if denom > 0 else 0.0
    wr = 1 / (s2[ok] + tau2)
    mu = float(np.sum(wr * g[ok]) / wr.sum())
    b = np.full(len(g), np.nan)
    b[ok] = s2[ok] / (s2[ok] + tau2)
    mean = mu + (1 - b) * (g - mu)
    sd = np.sqrt((1 - b) * s2)
    return Shrunk(mean, sd, 1 - b, mu, tau2)


__all__ = ["Shrunk", "eb_shrink"]
