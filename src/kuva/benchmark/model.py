"""The framework-condition model: area outcomes regressed on conditions the area does not
control (weighted least squares, weights = clients), with the expected value of each area, its
gap (actual − expected) and the gap's standard error including the model's own uncertainty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FrameworkFit:
    """A fitted framework model (arrays read-only)."""

    terms: tuple[str, ...]
    coef: FloatArray
    vcov: FloatArray  #: HC1 heteroskedasticity-robust covariance
    expected: FloatArray
    gap: FloatArray  #: actual − expected
    gap_se: FloatArray  #: sqrt(sampling variance of the outcome + x' V x)
    r2: float
    n: int
    #: the gaps' covariance: the sampling variances on the diagonal plus X V X′ — the gaps share
    #: the estimated coefficients, so they are not independent (NaN for areas without conditions)
    gap_cov: FloatArray | None = None

    def coefficients(self) -> pd.DataFrame:
        se = np.sqrt(np.diag(self.vcov))
        t = self.coef / se
        dof = max(self.n - len(self.terms), 1)
        return pd.DataFrame({"term": list(self.terms), "estimate": self.coef, "std_error": se, "statistic": t,
                             "p_value": 2 * stats.t.sf(np.abs(t), dof)})


def fit_framework(y: Sequence[float] | FloatArray, x: pd.DataFrame, *, weights: Sequence[float] | FloatArray,
                  sampling_se: Sequence[float] | FloatArray | None = None) -> FrameworkFit:
    """WLS of ``y`` on ``x`` (an intercept is added); ``sampling_se`` is each area outcome's own
    standard error (e.g. binomial), added to the model's prediction variance in ``gap_se``."""
    yv = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)
    xm = np.column_stack([np.ones(len(yv)), x.to_numpy(dtype=float)])
    if len(yv) != len(xm) or len(w) != len(yv):
        raise KuvaInputError("y, x and weights must have the same number of areas")
    ok = np.isfinite(yv) & np.isfinite(xm).all(axis=1) & (w > 0)
    if ok.sum() <= xm.shape[1]:
        raise KuvaInputError(f"{int(ok.sum())} complete areas for {xm.shape[1]} terms: too few to fit")
    sw = np.sqrt(w[ok] / w[ok].mean())
    xw, yw = xm[ok] * sw[:, None], yv[ok] * sw
    coef, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    resid_w = yw - xw @ coef
    bread = np.linalg.pinv(xw.T @ xw)
    n, k = xw.shape
    meat = (xw * resid_w[:, None] ** 2).T @ xw
    vcov = bread @ meat @ bread * n / max(n - k, 1)
    expected = np.full(len(yv), np.nan)
    expected[np.isfinite(xm).all(axis=1)] = xm[np.isfinite(xm).all(axis=1)] @ coef
    gap = yv - expected
    pred_var = np.full(len(yv), np.nan)
    fin = np.isfinite(xm).all(axis=1)
    pred_var[fin] = np.einsum("ij,jk,ik->i", xm[fin], vcov, xm[fin])
    s2 = np.zeros(len(yv)) if sampling_se is None else np.asarray(sampling_se, dtype=float) ** 2
    ybar = np.average(yv[ok], weights=w[ok])
    r2 = 1 - np.sum(w[ok] * (yv[ok] - expected[ok]) ** 2) / np.sum(w[ok] * (yv[ok] - ybar) ** 2)
    cov = np.full((len(yv), len(yv)), np.nan)
    pred = xm[fin] @ vcov @ xm[fin].T
    cov[np.ix_(fin, fin)] = (pred + pred.T) / 2 + np.diag(s2[fin])  # symmetric to the last bit
    arrays = [np.array(a, dtype=float) for a in (coef, vcov, expected, gap, np.sqrt(s2 + pred_var), cov)]
    for a in arrays:
        a.flags.writeable = False
    return FrameworkFit(("intercept", *map(str, x.columns)), arrays[0], arrays[1], arrays[2], arrays[3], arrays[4],
                        float(r2), int(ok.sum()), arrays[5])


__all__ = ["FrameworkFit", "fit_framework"]
