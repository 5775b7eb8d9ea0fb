"""Controlled rounding: integers whose totals are exactly the given integer totals."""

from __future__ import annotations

import numpy as np


def integerise(x: np.ndarray, totals: np.ndarray | None = None) -> np.ndarray:
    """Round ``x`` (non-negative, shape ``(n, ...)``) to integers along axis 0 so that every
    column sums exactly to ``totals`` (default: the rounded column sums of ``x``).

    Largest-remainder method: floor every cell, then give the missing units to the cells with
    the largest fractional parts (ties to the lower index). Each cell moves by less than one.
    """
    x = np.asarray(x, dtype=float)
    flat = x.reshape(x.shape[0], -1)
    tot = np.rint(flat.sum(axis=0)) if totals is None else np.asarray(totals, dtype=float).reshape(-1)
    base = np.floor(flat)
    missing = (tot - base.sum(axis=0)).astype(np.int64)
    if (missing < 0).any() or (missing > flat.shape[0]).any():
        raise ValueError("totals are not reachable by rounding x")
    frac = flat - base
    order = np.argsort(-frac, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(flat.shape[0])[:, None].repeat(flat.shape[1], axis=1), axis=0)
    out = base + (ranks < missing[None, :])
    res: np.ndarray = out.reshape(x.shape).astype(np.int64)
    return res


def allocate(total: np.ndarray, weights: np.ndarray, cap: np.ndarray | None = None) -> np.ndarray:
    """Split integer ``total`` (shape ``(k,)``) over the rows of ``weights`` (shape ``(n, k)``)
    in proportion to the weights, as integers summing exactly to ``total``, never above ``cap``.

    When a cell would exceed its cap the excess goes to the cells with room left, in
    proportion to their weights. If the caps together are below the total, the caps win and
    the sum falls short (the caller checks).
    """
    w = np.clip(np.asarray(weights, dtype=float), 0.0, None)
    tot = np.asarray(total, dtype=float).reshape(-1)
    c = np.full_like(w, np.inf) if cap is None else np.asarray(cap, dtype=float)
    tot = np.minimum(tot, np.where(np.isfinite(c), c, 0).sum(axis=0) if cap is not None else tot)
    out = np.zeros_like(w)
    fixed = np.zeros(w.shape, dtype=bool)
    for _ in range(50):
        free = ~fixed
        rest = tot - out.sum(axis=0, where=fixed)
        ws = np.where(free, w, 0.0)
        s = ws.sum(axis=0)
        # columns with no weight left: spread evenly over the free cells
        even = (s <= 0) & (rest > 0)
        ws = np.where(even[None, :] & free, 1.0, ws)
        s = ws.sum(axis=0)
        share = np.divide(ws, s, out=np.zeros_like(ws), where=s > 0)
        trial = np.where(free, share * rest[None, :], out)
        over = free & (trial > c)
        if not over.any():
            out = trial
            break
        out = np.where(over, c, out)
        fixed |= over
    else:  # pragma: no cover - caps are redistributed in far fewer rounds
        out = np.minimum(out, c)
    fl = np.floor(out)
    res = np.rint(tot - fl.sum(axis=0)).astype(np.int64)
    frac = np.where(fl + 1 <= c, out - fl, -1.0)
    order = np.argsort(-frac, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(w.shape[0])[:, None].repeat(w.shape[1], axis=1), axis=0)
    final: np.ndarray = (fl + (ranks < res[None, :])).astype(np.int64)
    return final
