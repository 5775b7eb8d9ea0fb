"""Parallel-trends calibration of the municipal activation rate and its split into services.

The activation rate of municipality ``m`` in month ``t`` (percentage points) is

    r_mt = a_m + b_t + e_mt + delta_mt,

``a_m`` a fixed level, ``b_t`` a national month effect, ``e_mt`` mean-zero AR(1) noise and
``delta_mt`` the planted effect. Persons in services follow from the identity
``AKTASTE = 100 P / (U + P)``: ``P_mt = U_mt r / (100 - r)``. ``b_t`` is found month by month
(bisection; the national sum is increasing in ``b``) so that the municipal ``P_mt`` sum to the
national total. Without an effect the rates therefore move in parallel (in percentage points,
in expectation) whatever happens to unemployment, and ``delta`` shifts the pilots against the
others by exactly ``delta`` before integer rounding (``b_t`` absorbs the national constraint
and is common to all municipalities).

``P_mt`` is rounded to integers summing to the national total (largest remainder), then split
into the seven services by the municipality's mix (propensities by area type, region and size
plus smooth AR(1) noise), raked so that every service sums to its national total, and rounded
by a two-margin controlled rounding that keeps both the municipal ``P_mt`` and the national
totals per service exact.
"""

from __future__ import annotations

import numpy as np

from kuva.simulate.rounding import integerise

#: Rates are kept inside these bounds (pp); binding only in extreme draws.
RATE_MIN, RATE_MAX = 0.5, 90.0


def persons_from_rate(u: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``P = U r / (100 - r)`` with ``r`` clipped to :data:`RATE_MIN` … :data:`RATE_MAX`."""
    rc = np.clip(r, RATE_MIN, RATE_MAX)
    out: np.ndarray = u * rc / (100.0 - rc)
    return out


def solve_month_effect(u: np.ndarray, base: np.ndarray, target: np.ndarray, iters: int = 80) -> np.ndarray:
    """``b_t`` with ``sum_m persons_from_rate(u[:, t], base[:, t] + b_t) == target[t]`` (bisection).

    ``u`` and ``base`` are (municipality, month); the sum is non-decreasing in ``b``.
    """
    lo = np.full(u.shape[1], -100.0)
    hi = np.full(u.shape[1], 100.0)
    for _ in range(iters):
        mid = (lo + hi) / 2
        s = persons_from_rate(u, base + mid[None, :]).sum(axis=0)
        below = s < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    out: np.ndarray = (lo + hi) / 2
    return out


def municipal_persons(u: np.ndarray, base: np.ndarray, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer persons in services per (municipality, month) summing exactly to ``totals``
    (the national total per month), and the month effects ``b_t``."""
    b = solve_month_effect(u, base, totals)
    p = persons_from_rate(u, base + b[None, :])
    s = p.sum(axis=0)
    p = p * np.divide(totals, s, out=np.zeros_like(s), where=s > 0)[None, :]
    return integerise(p, totals), b


def rake(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, iters: int = 60) -> np.ndarray:
    """Iterative proportional fitting of ``x`` (m, k, t) to row sums ``rows`` (m, t) and column
    sums ``cols`` (k, t) (consistent: equal grand totals); rows end exact."""
    y = x.copy()
    for _ in range(iters):
        cs = y.sum(axis=0)
        y = y * np.divide(cols, cs, out=np.zeros_like(cs), where=cs > 0)[None, :, :]
        rs = y.sum(axis=1)
        y = y * np.divide(rows, rs, out=np.zeros_like(rs), where=rs > 0)[:, None, :]
    return y


def controlled_round(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Integers ``n`` (m, k, t) with ``n.sum(axis=1) == rows`` and ``n.sum(axis=0) == cols``
    exactly, each cell the floor or the floor + 1 of ``x`` (whose margins equal ``rows`` and
    ``cols``; integer). Ryser's greedy per month: each service gives its missing units to the
    municipalities with the largest remaining shortfall (ties: largest fractional part)."""
    base = np.floor(x)
    frac = x - base
    need = rows - base.sum(axis=1)  # (m, t)
    miss = cols - base.sum(axis=0)  # (k, t)
    n_m = x.shape[0]
    out = base.copy()
    idx = np.arange(n_m)[:, None]
    for k in np.argsort(-miss.sum(axis=1), kind="stable"):
        key = np.where(need > 0, need + 0.999 * frac[:, k, :], -1.0)
        order = np.argsort(-key, axis=0, kind="stable")
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.broadcast_to(idx, order.shape).copy(), axis=0)
        add = (ranks < miss[k][None, :]) & (need > 0)
        out[:, k, :] += add
        need = need - add
    res: np.ndarray = np.rint(out).astype(np.int64)
    if not (np.array_equal(res.sum(axis=1), np.rint(rows).astype(np.int64))
            and np.array_equal(res.sum(axis=0), np.rint(cols).astype(np.int64))):
        raise RuntimeError("controlled rounding failed to meet both margins")  # pragma: no cover
    return res


def ar1(rng: np.random.Generator, shape: tuple[int, ...], sd: np.ndarray | float, phi: float) -> np.ndarray:
    """Stationary AR(1) along the last axis with marginal standard deviation ``sd``."""
    eps = rng.normal(0.0, 1.0, shape) * np.sqrt(1 - phi**2)
    out = np.empty(shape)
    out[..., 0] = rng.normal(0.0, 1.0, shape[:-1])
    for j in range(1, shape[-1]):
        out[..., j] = phi * out[..., j - 1] + eps[..., j]
    res: np.ndarray = out * (np.asarray(sd)[..., None] if np.ndim(sd) else sd)
    return res
