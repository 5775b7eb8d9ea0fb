"""The linear system behind a publication: cells, the additive relations between them and the
values derived from them. Both the engine (:mod:`kuva.privacy.engine`) and the attacker
(:mod:`kuva.privacy.audit`) work on it, so they cannot disagree about what is known.

Cells come from tables (a location is ``(table, row, column)``) or only from relations (an
*absent* cell: part of a declared total but published nowhere, its value unknown to everyone).
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from kuva.errors import KuvaInputError
from kuva.privacy.spec import RELATION_TOLERANCE, CellKey, key_text

Location = tuple[str, int, str]  #: (table, row, column)


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
    _index: tuple[int, int, dict[int, list[int]], dict[int, list[int]]] | None = None

    def _indexes(self) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
        """Cell → relation ids and cell → derived ids (rebuilt when relations or derived grow)."""
        if self._index is None or self._index[:2] != (len(self.relations), len(self.derived)):
            rel: dict[int, list[int]] = {}
            for r, (t, parts) in enumerate(self.relations):
                for i in dict.fromkeys((t, *parts)):
                    rel.setdefault(i, []).append(r)
            der: dict[int, list[int]] = {}
            for k, d in enumerate(self.derived):
                for i in dict.fromkeys((*d.numerator, *d.denominator)):
                    der.setdefault(i, []).append(k)
            self._index = (len(self.relations), len(self.derived), rel, der)
        return self._index[2], self._index[3]

    def relation_ids(self, cells: Iterable[int]) -> list[int]:
        """The relations that involve any of ``cells``, in declaration order."""
        rel, _ = self._indexes()
        return sorted({r for i in cells for r in rel.get(i, ())})

    def derived_ids(self, cells: Iterable[int]) -> list[int]:
        """The derived values that depend on any of ``cells``, in declaration order."""
        _, der = self._indexes()
        return sorted({k for i in cells for k in der.get(i, ())})

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
    published: Sequence[float | None] | Mapping[int, float | None],
    lower: Sequence[float] | Mapping[int, float],
    derived_published: Sequence[bool] | Mapping[int, bool],
    targets: Iterable[int],
    *,
    upper: Sequence[float | None] | Mapping[int, float | None] | None = None,
) -> dict[int, Interval]:
    """The attacker's interval for each of ``targets``: min and max of the cell over every
    assignment of the unpublished cells of ``component`` that satisfies every relation, every
    published ratio and the known lower bounds. ``published[i]`` is the published value of cell
    ``i`` or None; ``lower[i]`` (and ``upper[i]``, default none) the attacker's bounds of an
    unpublished cell."""
    unknown = [i for i in component if published[i] is None]
    col = {i: k for k, i in enumerate(unknown)}
    eq_rows: list[dict[int, float]] = []
    eq_rhs: list[float] = []
    ub_rows: list[dict[int, float]] = []
    ub_rhs: list[float] = []
    for r_id in system.relation_ids(component):
        t, parts = system.relations[r_id]
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
    for k in system.derived_ids(component):
        d = system.derived[k]
        if not derived_published[k] or d.kind != "ratio" or not d.numerator:
            continue
        loc_value = d.value
        if math.isnan(loc_value):
            continue
        delta = 0.5 * 10.0 ** (-d.decimals) if d.decimals is not None else 1e-9 * max(1.0, abs(loc_value))
        # scale*Σnum - (r+δ)Σden <= 0  and  -(scale*Σnum) + (r-δ)Σden <= 0
        for sign, r in ((1.0, loc_value + delta), (-1.0, loc_value - delta)):
            row = {}
            rhs = 0.0
            terms = (*((c, sign * d.scale) for c in d.numerator), *((c, -sign * r) for c in d.denominator))
            for i, coef in terms:
                value = published[i]
                if value is None:
                    row[col[i]] = row.get(col[i], 0.0) + coef
                else:
                    rhs -= coef * value
            if row:
                ub_rows.append(row)
                ub_rhs.append(rhs)
    lp = LinearProgram(
        [lower[i] for i in unknown],
        [(upper[i] if upper is not None else None) for i in unknown],
        [(row, rhs, rhs) for row, rhs in zip(eq_rows, eq_rhs, strict=True)]
        + [(row, None, rhs) for row, rhs in zip(ub_rows, ub_rhs, strict=True)])
    out: dict[int, Interval] = {}
    for target in targets:
        if target not in col:
            continue
        lo = lp.optimum({col[target]: 1.0})
        hi = lp.optimum({col[target]: 1.0}, maximize=True)
        out[target] = Interval(-math.inf if lo is None else lo.value, math.inf if hi is None else hi.value)
    return out


@dataclass(frozen=True)
class Optimum:
    value: float
    x: np.ndarray


_QUIET = False


def _highs() -> highspy.Highs:
    """A silent HiGHS instance. The first construction in a process prints HiGHS's copyright
    banner on the C-level stdout; it is kept off KuVa's output (CSV/JSON on stdout)."""
    global _QUIET
    if _QUIET:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _QUIET = True
    h.setOptionValue("output_flag", False)
    return h


_DECIDED = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kInfeasible)


class LinearProgram:
    """``min/max c @ x`` subject to ``lo <= A x <= hi`` and column bounds, built once and solved
    for many objectives (HiGHS warm-starts from the previous basis)."""

    def __init__(self, col_lower: Sequence[float], col_upper: Sequence[float | None],
                 rows: Sequence[tuple[Mapping[int, float], float | None, float | None]]) -> None:
        inf = highspy.kHighsInf
        self.n = len(col_lower)
        lp = highspy.HighsLp()
        lp.num_col_ = self.n
        lp.num_row_ = len(rows)
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = np.asarray(col_lower, dtype=float)
        lp.col_upper_ = np.array([inf if u is None else float(u) for u in col_upper], dtype=float)
        lp.row_lower_ = np.array([-inf if lo is None else float(lo) for _, lo, _ in rows], dtype=float)
        lp.row_upper_ = np.array([inf if hi is None else float(hi) for _, _, hi in rows], dtype=float)
        starts, index, values = [0], [], []
        for row, _, _ in rows:
            for j, coef in row.items():
                index.append(j)
                values.append(coef)
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.asarray(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.asarray(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray(values, dtype=float)
        self._h = _highs()
        self._h.passModel(lp)
        self._cost: dict[int, float] = {}

    def optimum(self, cost: Mapping[int, float], *, maximize: bool = False,
                infeasible_is_none: bool = False) -> Optimum | None:
        """The optimum (value and solution), None when unbounded; an error when infeasible
        (None with ``infeasible_is_none``)."""
        change = {j: 0.0 for j in self._cost if j not in cost} | dict(cost)
        if change:
            idx = np.fromiter(change, dtype=np.int32)
            self._h.changeColsCost(len(idx), idx, np.fromiter(change.values(), dtype=float))
        self._cost = dict(cost)
        self._h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize)
        self._h.run()
        status = self._h.getModelStatus()
        if status not in _DECIDED:  # a warm start can end undecided: solve again from scratch
            self._h.clearSolver()
            self._h.run()
            status = self._h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            x = np.asarray(self._h.getSolution().col_value, dtype=float)
            return Optimum(float(self._h.getInfo().objective_function_value), x)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None
        if infeasible_is_none and status == highspy.HighsModelStatus.kInfeasible:
            return None
        raise KuvaInputError(f"the published values are inconsistent with the declared totals "
                             f"(HiGHS: {self._h.modelStatusToString(status)})")
