"""Stock-flow kernel: individual spells whose month-end stocks equal given targets exactly.

For every cell (e.g. municipality × service type) and month, spells whose planned duration
has run out end; if the stock is still above the month's target, the spells closest to their
planned end end early; then new spells start until the stock equals the target. Vectorised
over cells, one loop over months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spells:
    """Spells by month index: ``start`` may be negative (began before the window, left-
    censored); ``end`` is the month in which the spell ended, ``n_months`` if still open."""

    cell: np.ndarray
    start: np.ndarray
    end: np.ndarray


def scaled_targets(values: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Integers within one of ``scale * values`` per cell: ``floor(scale*x + u)`` with one
    uniform ``u`` per row (cell) kept over time, so small stocks do not flicker."""
    u = np.asarray(rng.random(values.shape[0]))
    out: np.ndarray = np.floor(scale * values + u[:, None]).astype(np.int64)
    return out


def _durations(rng: np.random.Generator, n: int, mean_short: np.ndarray, mean_long: np.ndarray,
               long_share: np.ndarray) -> np.ndarray:
    long = rng.random(n) < long_share
    mean = np.where(long, mean_long, mean_short)
    return np.maximum(1, np.ceil(rng.exponential(1.0, n) * mean)).astype(np.int64)


def stock_flow(targets: np.ndarray, rng: np.random.Generator, mean_short: np.ndarray,
               mean_long: np.ndarray | None = None, long_share: np.ndarray | None = None) -> Spells:
    """Spells with stock ``targets[c, t]`` at every month end. Duration parameters per cell."""
    n_c, n_t = targets.shape
    ml = mean_short if mean_long is None else mean_long
    ls = np.zeros(n_c) if long_share is None else long_share
    n0 = targets[:, 0]
    cell = np.repeat(np.arange(n_c), n0)
    dur = _durations(rng, len(cell), mean_short[cell], ml[cell], ls[cell])
    elapsed = np.floor(rng.random(len(cell)) * dur).astype(np.int64)
    start = -elapsed
    pend = np.maximum(start + dur, 1)
    out_c: list[np.ndarray] = []
    out_s: list[np.ndarray] = []
    out_e: list[np.ndarray] = []
    for t in range(1, n_t):
        a = np.bincount(cell, minlength=n_c)
        natural = np.bincount(cell[pend <= t], minlength=n_c)
        need = np.maximum(natural, a - targets[:, t])
        order = np.lexsort((pend, cell))
        cs = cell[order]
        first = np.cumsum(a) - a
        rank = np.arange(len(cs)) - first[cs]
        ends = np.zeros(len(cell), dtype=bool)
        ends[order[rank < need[cs]]] = True
        out_c.append(cell[ends])
        out_s.append(start[ends])
        out_e.append(np.full(int(ends.sum()), t, dtype=np.int64))
        keep = ~ends
        cell, start, pend = cell[keep], start[keep], pend[keep]
        new = targets[:, t] - (a - need)
        nc = np.repeat(np.arange(n_c), new)
        nd = _durations(rng, len(nc), mean_short[nc], ml[nc], ls[nc])
        cell = np.concatenate([cell, nc])
        start = np.concatenate([start, np.full(len(nc), t, dtype=np.int64)])
        pend = np.concatenate([pend, t + nd])
    out_c.append(cell)
    out_s.append(start)
    out_e.append(np.full(len(cell), n_t, dtype=np.int64))
    return Spells(np.concatenate(out_c), np.concatenate(out_s), np.concatenate(out_e))


def stock_at_month_end(spells: Spells, n_cells: int, n_months: int) -> np.ndarray:
    """(cell, month) count of spells open at the end of each month (the inverse check)."""
    out = np.zeros((n_cells, n_months + 1), dtype=np.int64)
    s = np.clip(spells.start, 0, n_months)
    np.add.at(out, (spells.cell, s), 1)
    np.add.at(out, (spells.cell, np.clip(spells.end, 0, n_months)), -1)
    return np.cumsum(out, axis=1)[:, :n_months]


def pair_within(key_a: np.ndarray, key_b: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Randomly pair elements of ``a`` and ``b`` that share a key (as many as possible).
    Returns the indices into ``a`` and ``b`` of the pairs."""
    def ranks(key: np.ndarray) -> np.ndarray:
        order = np.lexsort((rng.random(len(key)), key))
        ks = key[order]
        first = np.searchsorted(ks, ks, side="left")
        r = np.empty(len(key), dtype=np.int64)
        r[order] = np.arange(len(key)) - first
        return r

    ra, rb = ranks(key_a), ranks(key_b)
    big = max(len(key_a), len(key_b)) + 1
    ia = key_a.astype(np.int64) * big + ra
    ib = key_b.astype(np.int64) * big + rb
    _, pa, pb = np.intersect1d(ia, ib, assume_unique=True, return_indices=True)
    return pa, pb


def chain_roots(prev: np.ndarray) -> np.ndarray:
    """The first element of each chain given predecessor links (-1 = none), by pointer doubling."""
    root = np.where(prev < 0, np.arange(len(prev)), prev)
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt
