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


def link_returns(start: np.ndarray, end: np.ndarray, head_cell: np.ndarray, tail_cell: np.ndarray, n_cells: int,
                 n_months: int, rng: np.random.Generator, share: float, decay: float, move_share: float,
                 min_gap: int) -> np.ndarray:
    """Link paths (chains of spells) into persons: the predecessor path of each path, -1 = none.

    A path is given by the month its first spell starts (``start``; ≤ 0 = open at the start of
    the window, never linked), the month its last spell ends (``end``; ``n_months`` = still
    open) and the cells (municipalities) of its first and last spell. A path starting in
    month ``t ≥ 1`` is, with probability ``share``, a returning person: one whose latest path
    ended in a month ``≤ t − min_gap`` and who has not returned since (so a person never has
    two open spells). The returner is drawn from the pool of such persons in the same cell
    with probability ∝ ``exp(−decay × months since the exit)`` (without replacement, by
    Efraimidis–Spirakis keys ``log E − decay·end``, E ~ Exp(1), which order the pool the same
    way in every month). With probability ``move_share``, or when the cell's pool is empty,
    the returner is drawn from the whole pool by the same weights (a move between cells).

    One loop over months, vectorised over cells; the pool is kept sorted by (cell, key) in
    int32/float64 arrays and merged with each month's new exits (no per-month sort).
    """
    n = len(start)
    prev = np.full(n, -1, dtype=np.int64)
    key = np.log(np.maximum(rng.exponential(1.0, n), 1e-12)) - decay * np.minimum(end, n_months)
    # offset so that the within-cell key lies in (0, width): the sort key is cell*width + that
    off = 1.0 - float(key.min()) if n else 0.0
    width = float(np.ceil(float(key.max()) + off + 1.0)) if n else 1.0
    # exits enter the pool min_gap months after the month they ended
    exits = np.flatnonzero(end < n_months - min_gap)
    exits = exits[np.lexsort((key[exits], tail_cell[exits], end[exits]))]
    exit_month = end[exits] + min_gap
    returning = np.flatnonzero((start >= 1) & (rng.random(n) < share))
    moving = np.zeros(n, dtype=bool)
    moving[returning] = rng.random(len(returning)) < move_share
    # by month, then local before moving returners, local ones by cell (random order within)
    returning = returning[np.lexsort((rng.random(len(returning)), head_cell[returning], moving[returning],
                                      start[returning]))]
    ret_month = start[returning]
    pool_sort = np.empty(0, dtype=np.float64)  # cell*width + key - off, ascending
    pool_id = np.empty(0, dtype=np.int64)
    cell_base = np.arange(n_cells, dtype=np.float64) * width
    for t in range(1, n_months):
        lo, hi = np.searchsorted(exit_month, [t, t + 1])
        if hi > lo:
            new = exits[lo:hi]
            new_sort = tail_cell[new] * width + key[new] + off
            o = np.argsort(new_sort, kind="stable")
            pos = np.searchsorted(pool_sort, new_sort[o])
            pool_sort = np.insert(pool_sort, pos, new_sort[o])
            pool_id = np.insert(pool_id, pos, new[o])
        lo, hi = np.searchsorted(ret_month, [t, t + 1])
        if hi == lo or len(pool_id) == 0:
            continue
        heads = returning[lo:hi]
        mv = moving[heads]
        local = heads[~mv]
        want = np.bincount(head_cell[local], minlength=n_cells)
        first = np.searchsorted(pool_sort, cell_base)
        have = np.diff(np.append(first, len(pool_sort)))
        take = np.minimum(want, have)
        tot = int(take.sum())
        idx = np.repeat(first, take) + (np.arange(tot) - np.repeat(np.cumsum(take) - take, take))
        # local heads are sorted by cell: the first take[c] of cell c get the pool's first take[c]
        lc = head_cell[local]
        rank = np.arange(len(local)) - np.searchsorted(lc, lc, side="left")
        got = rank < take[lc]
        prev[local[got]] = pool_id[idx]
        rest = np.concatenate([local[~got], heads[mv]])
        keep = np.ones(len(pool_id), dtype=bool)
        keep[idx] = False
        if len(rest):
            avail = np.flatnonzero(keep)
            k = min(len(rest), len(avail))
            if k:
                within = pool_sort[avail] - np.floor(pool_sort[avail] / width) * width
                pick = avail[np.argpartition(within, k - 1)[:k]] if k < len(avail) else avail
                prev[rest[:k]] = pool_id[pick]
                keep[pick] = False
        pool_sort, pool_id = pool_sort[keep], pool_id[keep]
    return prev
