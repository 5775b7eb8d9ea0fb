"""Controlled rounding: every published confidential count becomes a multiple of the base (5 or
10), one of the two multiples next to it (a multiple stays as it is), chosen so that every
declared total whose cells are all shown still adds up — the practice of interactive statistics
portals (e.g. BA Statistik), solved as a small mixed-integer programme (scipy's HiGHS).

Rounding comes after suppression: the suppression pattern is already safe against an attacker
who sees exact values, so rounding only takes information away. For some three-way tables no
additive rounding exists; then the totals that cannot be kept are rounded on their own and the
note says how many relations are no longer additive.
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Set
from dataclasses import dataclass

import numpy as np

#: penalty per person of a total that cannot be kept additive (large against rounding error)
_SLACK_COST = 1e4


@dataclass(frozen=True)
class Rounding:
    values: dict[int, float]  #: cell → rounded value
    broken_relations: int  #: declared totals that could not be kept additive


def controlled_rounding(values: np.ndarray, rounded: Sequence[int], fixed: Set[int],
                        relations: Sequence[tuple[int, tuple[int, ...]]], base: int) -> Rounding:
    """Round the cells ``rounded`` of ``values`` to multiples of ``base``; keep every relation
    whose cells are all either rounded or ``fixed`` (shown unchanged, e.g. public). A relation
    with a hidden or unknown cell is not constrained: that cell absorbs the difference."""
    cells = list(dict.fromkeys(rounded))
    col = {c: k for k, c in enumerate(cells)}
    floors = np.array([base * math.floor(values[c] / base) for c in cells])
    rest = np.array([values[c] - f for c, f in zip(cells, floors, strict=True)])
    up_allowed = rest > 1e-9
    n = len(cells)
    rows: list[tuple[dict[int, float], float]] = []
    for t, parts in relations:
        members = (t, *parts)
        if not any(i in col for i in members) or any(i not in col and i not in fixed for i in members):
            continue
        coef: dict[int, float] = {}
        rhs = 0.0
        for i, sign in ((t, 1.0), *((p, -1.0) for p in parts)):
            if i in col:
                coef[col[i]] = coef.get(col[i], 0.0) + sign * base
                rhs -= sign * floors[col[i]]
            else:
                rhs -= sign * values[i]
        rows.append((coef, rhs))
    if n == 0:
        return Rounding({}, 0)
    m = len(rows)
    # variables: z (n binaries: round up), s+ and s- (m slacks per relation)
    cost = np.concatenate([np.where(up_allowed, base - 2 * rest, 0.0), np.full(2 * m, _SLACK_COST)])
    upper = np.concatenate([up_allowed.astype(float), np.full(2 * m, np.inf)])
    integrality = np.concatenate([np.ones(n), np.zeros(2 * m)])
    from scipy.optimize import Bounds, LinearConstraint, milp  # only when rounding is asked for (0.4 s)

    constraints = []
    if m:
        a = np.zeros((m, n + 2 * m))
        b = np.zeros(m)
        for r, (coef, rhs) in enumerate(rows):
            for k, c in coef.items():
                a[r, k] = c
            a[r, n + r] = 1.0
            a[r, n + m + r] = -1.0
            b[r] = rhs
        constraints.append(LinearConstraint(a, b, b))
    res = milp(cost, integrality=integrality, bounds=Bounds(np.zeros(n + 2 * m), upper), constraints=constraints)
    if res.x is None:  # pragma: no cover - the slacks make the programme always feasible
        z = (rest >= base / 2) & up_allowed
        broken = m
    else:
        z = res.x[:n] > 0.5
        broken = int(np.sum((res.x[n:n + m] + res.x[n + m:]) > 1e-6))
    return Rounding({c: float(floors[k] + base * z[k]) for c, k in col.items()}, broken)
