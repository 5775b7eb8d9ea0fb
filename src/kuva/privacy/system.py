"""The linear system behind a publication: cells, the additive relations between them and the
values derived from them. Both the engine (:mod:`kuva.privacy.engine`) and the attacker
(:mod:`kuva.privacy.audit`) work on it, so they cannot disagree about what is known.

Cells come from tables (a location is ``(table, row, column)``) or only from relations (an
*absent* cell: part of a declared total but published nowhere, its value unknown to everyone).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

from kuva.errors import KuvaInputError
from kuva.privacy.spec import CellKey, key_text

Location = tuple[str, int, str]  #: (table, row, column)
#: relation tolerance: declared totals must add up to this (counts are whole numbers)
RELATION_TOLERANCE = 1e-6


@dataclass
class DerivedValue:
    """A published value computed from cells: ``kind`` is ``ratio`` (linear for the attacker
    when published: ``scale × Σnum = value × Σden``) or ``opaque`` (means, intervals …)."""

    location: Location
    kind: str
    numerator: tuple[int, ...]
    denominator: tuple[int, ...] = ()
    scale: float = 100.0
    decimals: int | None = None  #: published rounding; None = as exact as a float
    value: float = math.nan  #: the value (true when protecting, as published when auditing)


@dataclass
class CellSystem:
    """Cells by key with their values, flags and locations; relations; derived values."""

    keys: list[CellKey] = field(default_factory=list)
    index: dict[CellKey, int] = field(default_factory=dict)
    values: list[float] = field(default_factory=list)  #: NaN = unknown (absent or missing)
    public: list[bool] = field(default_factory=list)
    locations: list[list[Location]] = field(default_factory=list)
    relations: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    derived: list[DerivedValue] = field(default_factory=list)

    def cell(self, key: CellKey, value: float = math.nan, *, public: bool = False,
             location: Location | None = None) -> int:
        """The index of ``key``, adding it if new; a second, different value is refused."""
        i = self.index.get(key)
        if i is None:
            i = len(self.keys)
            self.index[key] = i
            self.keys.append(key)
            self.values.append(float(value))
            self.public.append(public)
            self.locations.append([])
        else:
            old = self.values[i]
            if not math.isnan(value):
                if math.isnan(old):
                    self.values[i] = float(value)
                elif abs(old - value) > RELATION_TOLERANCE:
                    where = self.locations[i][0] if self.locations[i] else ("?", -1, "?")
                    raise KuvaInputError(
                        f"cell {key_text(key)} has two values: {old:g} (table {where[0]}, row {where[1] + 1}, "
                        f"column {where[2]!r}) and {value:g}"
                        + (f" (table {location[0]}, row {location[1] + 1}, column {location[2]!r})"
                           if location else ""))
            self.public[i] = self.public[i] or public
        if location is not None:
            self.locations[i].append(location)
        return i

    def relate(self, total: CellKey, parts: Sequence[CellKey]) -> None:
        """Declare ``total = sum(parts)`` (cells not yet seen become absent cells)."""
        if not parts:
            return
        t = self.cell(total)
        p = tuple(self.cell(k) for k in parts)
        self.relations.append((t, p))

    def check_relations(self) -> None:
        """Refuse a declared relation that the data do not satisfy (the declaration is wrong)."""
        v = np.asarray(self.values, dtype=float)
        for t, parts in self.relations:
            idx = [t, *parts]
            if np.isnan(v[idx]).any():
                continue
            total = float(v[list(parts)].sum())
            if abs(total - v[t]) > RELATION_TOLERANCE * max(1.0, abs(v[t])):
                raise KuvaInputError(
                    f"declared total {key_text(self.keys[t])} = {v[t]:g} but its {len(parts)} parts sum to "
                    f"{total:g} (first part {key_text(self.keys[parts[0]])}); declare only totals that add up")

    def components(self) -> list[list[int]]:
        """Connected groups of cells (linked by relations or published ratios)."""
        parent = list(range(len(self.keys)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def union(idx: Iterable[int]) -> None:
            it = iter(idx)
            first = next(it, None)
            if first is None:
                return
            r = find(first)
            for j in it:
                rj = find(j)
                if rj != r:
                    parent[rj] = r

        for t, parts in self.relations:
            union((t, *parts))
        for d in self.derived:
            union((*d.numerator, *d.denominator))
        groups: dict[int, list[int]] = {}
        for i in range(len(self.keys)):
            groups.setdefault(find(i), []).append(i)
        return list(groups.values())


@dataclass(frozen=True)
class Interval:
    low: float
    high: float  #: inf when unbounded


def feasible_intervals(
    system: CellSystem,
    component: Sequence[int],
    published: Sequence[float | None],
    lower: Sequence[float],
    derived_published: Sequence[bool],
    targets: Iterable[int],
    *,
    upper: Sequence[float | None] | None = None,
) -> dict[int, Interval]:
    """The attacker's interval for each of ``targets``: min and max of the cell over every
    assignment of the unpublished cells of ``component`` that satisfies every relation, every
    published ratio and the known lower bounds. ``published[i]`` is the published value of cell
    ``i`` or None; ``lower[i]`` (and ``upper[i]``, default none) the attacker's bounds of an
    unpublished cell."""
    unknown = [i for i in component if published[i] is None]
    col = {i: k for k, i in enumerate(unknown)}
    n = len(unknown)
    eq_rows: list[dict[int, float]] = []
    eq_rhs: list[float] = []
    ub_rows: list[dict[int, float]] = []
    ub_rhs: list[float] = []
    comp = set(component)
    for t, parts in system.relations:
        if t not in comp:
            continue
        row: dict[int, float] = {}
        rhs = 0.0
        for i, coef in ((t, 1.0), *((p, -1.0) for p in parts)):
            value = published[i]
            if value is None:
                row[col[i]] = row.get(col[i], 0.0) + coef
            else:
                rhs -= coef * value
        if row:
            eq_rows.append(row)
            eq_rhs.append(rhs)
    for d, shown in zip(system.derived, derived_published, strict=True):
        if not shown or d.kind != "ratio" or not d.numerator or d.numerator[0] not in comp:
            continue
        loc_value = d.value
        if math.isnan(loc_value):
            continue
        delta = 0.5 * 10.0 ** (-d.decimals) if d.decimals is not None else 1e-9 * max(1.0, abs(loc_value))
        # scale*Σnum - (r+δ)Σden <= 0  and  -(scale*Σnum) + (r-δ)Σden <= 0
        for sign, r in ((1.0, loc_value + delta), (-1.0, loc_value - delta)):
            row = {}
            rhs = 0.0
            for i, coef in (*((k, sign * d.scale) for k in d.numerator), *((k, -sign * r) for k in d.denominator)):
                value = published[i]
                if value is None:
                    row[col[i]] = row.get(col[i], 0.0) + coef
                else:
                    rhs -= coef * value
            if row:
                ub_rows.append(row)
                ub_rhs.append(rhs)
    a_eq = _dense(eq_rows, n)
    a_ub = _dense(ub_rows, n)
    bounds: list[tuple[float, float | None]] = [(lower[i], upper[i] if upper is not None else None)
                                                for i in unknown]
    out: dict[int, Interval] = {}
    for target in targets:
        if target not in col:
            continue
        c = np.zeros(n)
        c[col[target]] = 1.0
        lo = _solve(c, a_eq, eq_rhs, a_ub, ub_rhs, bounds)
        hi = _solve(-c, a_eq, eq_rhs, a_ub, ub_rhs, bounds)
        out[target] = Interval(lo if lo is not None else -math.inf, -hi if hi is not None else math.inf)
    return out


def _dense(rows: list[dict[int, float]], n: int) -> np.ndarray | None:
    if not rows:
        return None
    a = np.zeros((len(rows), n))
    for r, row in enumerate(rows):
        for j, coef in row.items():
            a[r, j] = coef
    return a


def _solve(c: np.ndarray, a_eq: np.ndarray | None, b_eq: list[float], a_ub: np.ndarray | None,
           b_ub: list[float], bounds: list[tuple[float, float | None]]) -> float | None:
    """The optimum of ``c @ x``; None when unbounded; an error when infeasible."""
    res = linprog(c, A_ub=a_ub, b_ub=b_ub or None, A_eq=a_eq, b_eq=b_eq or None, bounds=bounds,
                  method="highs")
    if res.status == 3:  # unbounded
        return None
    if res.status != 0:
        raise KuvaInputError(f"the published values are inconsistent with the declared totals ({res.message})")
    return float(res.fun)
