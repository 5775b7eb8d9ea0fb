"""Numerical kernels of the Kykyviisari analyses: arrays in, small frozen results out.

All intervals are t-intervals at the given confidence; with fewer than two observations (or
no spread) the interval and test are NaN rather than a warning or a false certainty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats


@dataclass(frozen=True)
class MeanCI:
    """Mean of ``n`` values with standard deviation and a t-interval."""

    n: int
    mean: float
    sd: float
    low: float
    high: float


@dataclass(frozen=True)
class PairedChange:
    """Within-person change ``after - before`` with a paired t-test (H0: mean change 0)."""

    n: int
    mean_before: float
    mean_after: float
    mean_change: float
    sd_change: float
    low: float
    high: float
    t: float
    p: float


@dataclass(frozen=True)
class Difference:
    """Difference of two independent means ``a - b`` (Welch t, unequal variances)."""

    n_a: int
    n_b: int
    diff: float
    low: float
    high: float
    t: float
    df: float
    p: float


def _clean(values: ArrayLike) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    out: np.ndarray = arr[np.isfinite(arr)]
    return out


def mean_ci(values: ArrayLike, confidence: float = 0.95) -> MeanCI:
    """Mean, sd (ddof 1) and the t-interval of the finite values."""
    x = _clean(values)
    n = len(x)
    if n == 0:
        return MeanCI(0, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n < 2:
        return MeanCI(n, mean, math.nan, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return MeanCI(n, mean, sd, mean - half, mean + half)


def paired_change(before: ArrayLike, after: ArrayLike, confidence: float = 0.95) -> PairedChange:
    """Mean within-person change with its t-interval and the paired t-test p-value.

    ``before`` and ``after`` are aligned per person; pairs with a missing value are dropped.
    """
    b = np.asarray(before, dtype=float).ravel()
    a = np.asarray(after, dtype=float).ravel()
    if b.shape != a.shape:
        raise ValueError(f"before and after differ in length: {b.shape} vs {a.shape}")
    ok = np.isfinite(a) & np.isfinite(b)
    b, a = b[ok], a[ok]
    d = a - b
    ci = mean_ci(d, confidence)
    t_stat, p = math.nan, math.nan
    if ci.n >= 2 and ci.sd > 0:
        t_stat = ci.mean / (ci.sd / math.sqrt(ci.n))
        p = float(2 * stats.t.sf(abs(t_stat), ci.n - 1))
    nan = math.nan
    return PairedChange(ci.n, float(b.mean()) if len(b) else nan, float(a.mean()) if len(a) else nan,
                        ci.mean, ci.sd, ci.low, ci.high, t_stat, p)


def welch_difference(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> Difference:
    """``mean(a) - mean(b)`` with a Welch t-interval and two-sided p-value."""
    x, y = _clean(a), _clean(b)
    nx, ny = len(x), len(y)
    nan = math.nan
    if nx == 0 or ny == 0:
        return Difference(nx, ny, nan, nan, nan, nan, nan, nan)
    diff = float(x.mean() - y.mean())
    if nx < 2 or ny < 2:
        return Difference(nx, ny, diff, nan, nan, nan, nan, nan)
    vx, vy = float(x.var(ddof=1)) / nx, float(y.var(ddof=1)) / ny
    se = math.sqrt(vx + vy)
    if se == 0:
        return Difference(nx, ny, diff, nan, nan, nan, nan, nan)
    df = (vx + vy) ** 2 / (vx**2 / (nx - 1) + vy**2 / (ny - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    t_stat = diff / se
    return Difference(nx, ny, diff, diff - half, diff + half, t_stat, df, float(2 * stats.t.sf(abs(t_stat), df)))


__all__ = ["Difference", "MeanCI", "PairedChange", "mean_ci", "paired_change", "welch_difference"]
