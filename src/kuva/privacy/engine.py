"""The one disclosure engine: every table that leaves KuVa is declared here and protected here.

A :class:`Publication` collects the tables of one output (a report, a CLI answer, an export, an
API response), each declared with a :class:`~kuva.privacy.spec.TableSpec` (or, for long
observation tables, through :mod:`kuva.privacy.observations`), and protects them *jointly*, so
a cell shown in one table and hidden in another cannot be recovered by differencing.

Algorithm (docs/privacy.md):

1. **Primary suppression** — a confidential count in ``[1, min_cell)`` (and 0 under the
   ``protected`` zero policy) is hidden. Public cells (already published by their owner) are
   never hidden; they are constants the attacker knows.
2. **Secondary suppression** — for every hidden cell the attacker's interval is computed
   exactly by linear programming (min and max of the cell subject to every declared total,
   every published ratio and the known lower bounds — :func:`~kuva.privacy.system.feasible_intervals`).
   A cell is *exposed* when that interval may reach below ``min_cell`` but does not contain the
   whole protection interval ``[1, min_cell]``. For each exposed cell and each missing direction
   the engine solves the classic LP of Kelly–Golden–Assad / Fischetti–Salazar: the cheapest
   perturbation of the table (cost = persons in the cells it must newly hide) that keeps every
   total and moves the exposed cell to the end of its protection interval; the cells the
   perturbation touches are hidden. Repeat until no hidden cell is exposed. Because the final
   pattern is checked by the same attacker LP, the result is proven, not assumed.
3. **Derived values** — every share, rate, mean or interval computed from a hidden count is
   hidden too.
4. **Controlled rounding** (when the policy asks for base 5 or 10) — the shown confidential
   counts are rounded so that the totals still add up (:mod:`kuva.privacy.rounding`), and shares
   are recomputed from the rounded counts.

The engine returns each table with hidden cells missing and a boolean ``suppressed`` column,
a :class:`DisclosureNote` (how many cells were hidden — never which were primary, since that
would tell the attacker which cells are small) and a sidecar for the audit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.privacy.policy import DisclosurePolicy
from kuva.privacy.rounding import controlled_rounding
from kuva.privacy.spec import (
    CellKey,
    ColumnSum,
    Count,
    Derived,
    Hierarchy,
    Ratio,
    Share,
    SumOver,
    TableSpec,
    code_text,
    key_text,
)
from kuva.privacy.system import CellSystem, DerivedValue, Interval, LinearProgram, feasible_intervals

SUPPRESSED_FLAG = "suppressed"
SIDECAR_SUFFIX = ".disclosure.json"
_TOL = 1e-6


def is_exposed(interval: Interval, min_cell: int, floor: float = 1.0) -> bool:
    """True when the attacker's interval may be small but does not span ``[floor, min_cell]``.

    ``floor`` is 1, or more for a cell the attacker knows to be larger before anything is
    published (a total of several hidden cells that are each at least 1 when zeros are shown):
    the publication must not narrow the cell beyond what is known without it. An interval
    entirely at or above ``min_cell`` tells the attacker only that the cell is not small."""
    if interval.low >= min_cell - _TOL:
        return False
    return interval.low > max(1.0, floor) + _TOL or interval.high < min_cell - _TOL


def prior_floors(system: CellSystem, component: Sequence[int], lower: Sequence[float] | Mapping[int, float],
                 targets: Sequence[int]) -> dict[int, float]:
    """The smallest value of each target that the attacker knows from the suppression pattern
    alone, before reading any confidential figure: from the public figures, the totals and
    ``lower`` (1 for a hidden cell when zeros are shown, 0 for a shown one)."""
    public_only: dict[int, float | None] = {
        i: float(system.values[i]) if system.public[i] and not math.isnan(system.values[i]) else None
        for i in component}
    no_derived = dict.fromkeys(system.derived_ids(component), False)
    prior = feasible_intervals(system, component, public_only, lower, no_derived, targets)
    return {i: iv.low for i, iv in prior.items()}


@dataclass(frozen=True)
class DisclosureNote:
    """What was done to one table — machine-readable, printed by the report, CLI and exports.

    It says how many cells were hidden, never which of them were small (primary): that would
    narrow the attacker's interval for those cells.
    """

    table: str
    policy: Mapping[str, object]
    confidential_cells: int
    public_cells: int
    hidden_cells: int
    hidden_derived: int
    unprotectable: int = 0  #: cells no suppression can protect (determined by public data alone)
    non_additive_totals: int = 0  #: with rounding: declared totals that could not be kept additive

    def as_dict(self) -> dict[str, object]:
        return {"table": self.table, "policy": dict(self.policy), "confidential_cells": self.confidential_cells,
                "public_cells": self.public_cells, "hidden_cells": self.hidden_cells,
                "hidden_derived": self.hidden_derived, "unprotectable": self.unprotectable,
                "non_additive_totals": self.non_additive_totals}

    def text(self) -> str:
        """One line in English for logs and the CLI (the report words it per language)."""
        mc = self.policy.get("min_cell")
        if not self.confidential_cells:
            return f"{self.table}: public statistics, shown unchanged"
        return (f"{self.table}: {self.hidden_cells} of {self.confidential_cells} confidential counts hidden "
                f"(fewer than {mc} persons, or hidden so that those cannot be recovered from totals) and "
                f"{self.hidden_derived} values derived from them; {self.public_cells} public figures unchanged")


@dataclass(frozen=True)
class ProtectedTable:
    """One protected table: ``frame`` (a copy each time), its note and its audit sidecar."""

    name: str
    _frame: pd.DataFrame
    note: DisclosureNote
    sidecar: Mapping[str, Any]

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame.copy()


@dataclass(frozen=True)
class ProtectionStats:
    """Information loss of one protection run (for docs and tests; never published, since the
    number of persons hidden is itself a linear fact about the hidden cells)."""

    cells: int
    persons: float
    primary_cells: int
    hidden_cells: int
    hidden_persons: float


@dataclass
class _Table:
    frame: pd.DataFrame
    spec: TableSpec | None
    cells: list[tuple[int, int, str]] = field(default_factory=list)  #: (cell, row, column)
    derived: list[int] = field(default_factory=list)  #: indices into system.derived


class Publication:
    """Tables published together, protected jointly (see the module docstring)."""

    def __init__(self, policy: DisclosurePolicy) -> None:
        self.policy = policy
        self.system = CellSystem()
        self._tables: dict[str, _Table] = {}
        self.stats: ProtectionStats | None = None
        self._rounded: dict[int, float] = {}
        self._broken = 0

    # -- declaring -----------------------------------------------------------------------------

    def add(self, name: str, frame: pd.DataFrame, spec: TableSpec) -> None:
        """Declare a wide table (see :class:`~kuva.privacy.spec.TableSpec`)."""
        if name in self._tables:
            raise KuvaInputError(f"table {name!r} is already part of this publication")
        _check_columns(name, frame, spec)
        frame = frame.reset_index(drop=True)
        table = _Table(frame.copy(), spec)
        self._tables[name] = table
        public_rows = (frame[spec.public].fillna(False).astype(bool).to_numpy() if spec.public
                       else np.zeros(len(frame), dtype=bool))
        if not spec.confidential:
            public_rows = np.ones(len(frame), dtype=bool)
        keys: dict[str, list[CellKey]] = {}
        for count in spec.counts:
            values = pd.to_numeric(frame[count.column], errors="coerce").to_numpy(dtype=float)
            dims = frame[list(count.dims)].to_numpy(dtype=object)
            col_keys: list[CellKey] = []
            for r in range(len(frame)):
                codes = ({**{d: code_text(v) for d, v in zip(count.dims, dims[r], strict=True)}, **dict(count.at)}
                         if count.dims else {"row": str(r), "table": name})
                key = (count.name, tuple(sorted(codes.items())))
                col_keys.append(key)
                i = self.system.cell(key, values[r], public=bool(public_rows[r]) or count.public,
                                     location=(name, r, count.column))
                table.cells.append((i, r, count.column))
            keys[count.column] = col_keys
        for rel in spec.relations:
            self._relate(name, frame, spec, rel, keys)
        for d in spec.derived:
            self._derive(name, frame, spec, d, keys, table)

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(self._tables)

    def add_cell_free_table(self, name: str, frame: pd.DataFrame) -> None:
        """Declare a table whose cells are then added one by one (:meth:`add_cell`,
        :meth:`add_derived`); with none it passes unchanged, with its note."""
        if name in self._tables:
            raise KuvaInputError(f"table {name!r} is already part of this publication")
        self._tables[name] = _Table(frame.reset_index(drop=True).copy(), None)

    def add_cell(self, table: str, frame: pd.DataFrame, row: int, column: str, key: CellKey, *,
                 public: bool, value: float | None = None) -> int:
        """Declare one cell of a table given cell by cell (long tables); ``value`` saves reading
        it from the frame again."""
        t = self._tables.get(table)
        if t is None:
            t = self._tables[table] = _Table(frame.reset_index(drop=True).copy(), None)
        if value is None:
            value = _number(t.frame.at[row, column])
        i = self.system.cell(key, float(value), public=public, location=(table, row, column))
        t.cells.append((i, row, column))
        return i

    def add_derived(self, table: str, row: int, column: str, *, kind: str, numerator: Sequence[CellKey],
                    denominator: Sequence[CellKey] = (), scale: float = 100.0, decimals: int | None = None) -> None:
        """Declare one derived value of a table given cell by cell."""
        t = self._tables[table]
        value = _number(t.frame.at[row, column])
        self.system.derived.append(DerivedValue(
            (table, row, column), kind, tuple(self.system.cell(k) for k in numerator),
            tuple(self.system.cell(k) for k in denominator), scale, decimals, float(value)))
        t.derived.append(len(self.system.derived) - 1)

    def relate(self, total: CellKey, parts: Sequence[CellKey]) -> None:
        """Declare ``total = sum(parts)`` between cells of any tables of this publication."""
        self.system.relate(total, parts)

    def _relate(self, name: str, frame: pd.DataFrame, spec: TableSpec, rel: SumOver | ColumnSum | Hierarchy,
                keys: Mapping[str, list[CellKey]]) -> None:
        if isinstance(rel, ColumnSum):
            for r in range(len(frame)):
                self.system.relate(keys[rel.total][r], [keys[p][r] for p in rel.parts])
        elif isinstance(rel, SumOver):
            part = spec.count(rel.part)
            if rel.dim not in part.dims:
                raise KuvaInputError(f"table {name}: SumOver dimension {rel.dim!r} is not a dimension of {rel.part!r}")
            groups: dict[tuple[tuple[str, str], ...], list[CellKey]] = {}
            for key in dict.fromkeys(keys[rel.part]):
                rest = tuple(kv for kv in key[1] if kv[0] != rel.dim)
                groups.setdefault(rest, []).append(key)
            for total in dict.fromkeys(keys[rel.total]):
                self.system.relate(total, groups.get(total[1], []))
        else:
            count = spec.count(rel.column)
            if rel.dim not in count.dims:
                raise KuvaInputError(f"table {name}: Hierarchy dimension {rel.dim!r} is not a dimension of "
                                     f"{rel.column!r}")
            for key in dict.fromkeys(keys[rel.column]):
                here = dict(key[1])
                children = rel.children.get(here[rel.dim])
                if not children:
                    continue
                self.system.relate(key, [(key[0], tuple(sorted({**here, rel.dim: str(c)}.items())))
                                         for c in children])

    def _derive(self, name: str, frame: pd.DataFrame, spec: TableSpec, d: Ratio | Share | Derived,
                keys: Mapping[str, list[CellKey]], table: _Table) -> None:
        values = pd.to_numeric(frame[d.column], errors="coerce").to_numpy(dtype=float)
        for r in range(len(frame)):
            if isinstance(d, Ratio):
                item = DerivedValue((name, r, d.column), "ratio", (self.system.index[keys[d.numerator][r]],),
                                    tuple(self.system.index[keys[c][r]] for c in d.denominator), d.scale,
                                    spec.decimals.get(d.column), float(values[r]))
            elif isinstance(d, Share):
                key = keys[d.count][r]
                if d.dim not in dict(key[1]):
                    raise KuvaInputError(f"table {name}: Share dimension {d.dim!r} is not a dimension of {d.count!r}")
                total = (key[0], tuple(sorted({**dict(key[1]), d.dim: d.total}.items())))
                item = DerivedValue((name, r, d.column), "ratio", (self.system.index[key],),
                                    (self.system.cell(total),), d.scale, spec.decimals.get(d.column),
                                    float(values[r]))
            else:
                item = DerivedValue((name, r, d.column), "opaque",
                                    tuple(self.system.index[keys[c][r]] for c in d.counts), (),
                                    decimals=spec.decimals.get(d.column), value=float(values[r]))
            self.system.derived.append(item)
            table.derived.append(len(self.system.derived) - 1)

    # -- protecting ----------------------------------------------------------------------------

    def protect(self) -> dict[str, ProtectedTable]:
        """Protect every table jointly; return them by name."""
        sys_ = self.system
        sys_.check_relations()
        v = np.asarray(sys_.values, dtype=float)
        public = np.asarray(sys_.public, dtype=bool)
        known = ~np.isnan(v)
        m = self.policy.min_cell
        primary = known & ~public & (v >= 1) & (v < m)
        if self.policy.zeros == "protected":
            primary |= known & ~public & (v == 0)
        hidden = primary.copy()
        unprotectable: set[int] = set()
        published = self._published(v, hidden)
        lower = self._lower(v)
        for comp in sys_.components():
            if hidden[comp].any():
                unprotectable |= self._secure(comp, v, public, hidden, published, lower)
        derived_hidden = self._derived_hidden(hidden)
        self._rounded, self._broken = {}, 0
        if self.policy.rounding:
            located = np.array([bool(loc) for loc in sys_.locations])
            chosen = np.flatnonzero(known & ~public & ~hidden & located)
            fixed = {int(i) for i in np.flatnonzero(public & known)}
            result = controlled_rounding(v, [int(i) for i in chosen], fixed, sys_.relations, self.policy.rounding)
            self._rounded, self._broken = result.values, result.broken_relations
            for k, d in enumerate(sys_.derived):  # shares of rounded counts are computed from them
                deps = (*d.numerator, *d.denominator)
                if d.kind == "ratio" and not all(i in self._rounded or public[i] for i in deps):
                    derived_hidden[k] = True
        conf = known & ~public
        self.stats = ProtectionStats(int(conf.sum()), float(np.nansum(v[conf])), int(primary.sum()),
                                     int((hidden & conf).sum()), float(np.nansum(v[hidden & conf])))
        return {name: self._output(name, t, hidden, derived_hidden, unprotectable)
                for name, t in self._tables.items()}

    def _lower(self, v: np.ndarray) -> list[float]:
        """The attacker's lower bound of each cell when it is not shown: at least 1 for a
        confidential cell of a published table when zeros are shown (a zero would have been
        shown); 0 for a cell published nowhere (context or absent) or missing at the source."""
        lb = self.policy.lower_bound
        sys_ = self.system
        return [lb if (sys_.locations[i] and not sys_.public[i] and not math.isnan(x)) else 0.0
                for i, x in enumerate(v)]

    def _published(self, v: np.ndarray, hidden: np.ndarray) -> list[float | None]:
        """What the attacker sees: the value of every shown cell, None for hidden, absent and
        context cells (known to the engine, published nowhere)."""
        loc = self.system.locations
        return [None if (hidden[i] or math.isnan(v[i]) or not loc[i]) else float(v[i]) for i in range(len(v))]

    def add_context(self, key: CellKey, value: float, *, public: bool) -> None:
        """A cell the engine must know but that is published nowhere (e.g. the numerator of a
        published share whose measure was not asked for): if it is small it is protected."""
        self.system.cell(key, value, public=public)

    def _derived_hidden(self, hidden: np.ndarray, ids: Sequence[int] | None = None) -> np.ndarray:
        """Which derived values are hidden (only ``ids`` are computed when given)."""
        out = np.zeros(len(self.system.derived), dtype=bool)
        for k in range(len(self.system.derived)) if ids is None else ids:
            d = self.system.derived[k]
            out[k] = bool(hidden[list(d.numerator)].any() or (d.denominator and hidden[list(d.denominator)].any()))
        return out

    def _secure(self, comp: list[int], v: np.ndarray, public: np.ndarray, hidden: np.ndarray,
                published: list[float | None], lower: Sequence[float]) -> set[int]:
        """Hide cells of one component until no hidden cell is exposed; the cells that stay
        exposed whatever is hidden (fixed by public figures) are returned."""
        m = self.policy.min_cell
        stuck: set[int] = set()
        while True:
            targets = [i for i in comp if hidden[i] and i not in stuck]
            ids = self.system.derived_ids(comp)
            gone = self._derived_hidden(hidden, ids)
            shown_derived = {k: not gone[k] for k in ids}
            intervals = feasible_intervals(self.system, comp, published, lower, shown_derived, targets)
            low_side = [i for i in targets if 1 + _TOL < intervals[i].low < m - _TOL]
            # the floor follows from the pattern alone: hidden cells are at least 1, shown ones may be 0
            prior_lower = {i: (lower[i] if hidden[i] else 0.0) for i in comp}
            floors = prior_floors(self.system, comp, prior_lower, low_side) if low_side else {}
            exposed = [i for i in targets if is_exposed(intervals[i], m, floors.get(i, 1.0))]
            if not exposed:
                return stuck
            added = False
            for i in sorted(exposed, key=lambda j: v[j]):
                iv = intervals[i]
                goals = []
                floor = max(1.0, floors.get(i, 1.0))
                if iv.low > floor + _TOL:
                    goals.append(min(floor, v[i]))
                if iv.high < m - _TOL:
                    goals.append(float(m))
                for goal in goals:
                    for j in self._complement(comp, i, goal, v, public, hidden):
                        if not hidden[j]:
                            hidden[j] = True
                            published[j] = None
                            added = True
            if not added:
                # the LP found no cheaper way: hide every confidential neighbour of the exposed cells
                for i in exposed:
                    for j in self._neighbours(i):
                        shown_zero = self.policy.zeros == "shown" and v[j] == 0
                        if not (hidden[j] or public[j] or math.isnan(v[j]) or shown_zero) and self.system.locations[j]:
                            hidden[j] = True
                            published[j] = None
                            added = True
                if not added:
                    stuck |= set(exposed)

    def _neighbours(self, i: int) -> set[int]:
        out: set[int] = set()
        for r in self.system.relation_ids((i,)):
            t, parts = self.system.relations[r]
            out.update((t, *parts))
        return out

    def _complement(self, comp: list[int], cell: int, goal: float, v: np.ndarray, public: np.ndarray,
                    hidden: np.ndarray) -> list[int]:
        """Cells to hide so that ``cell`` can move to ``goal`` with every total kept: the support
        of the cheapest perturbation (cost = persons in newly hidden cells)."""
        lb = self.policy.lower_bound
        free: list[int] = []
        for i in comp:
            if public[i]:
                continue
            if not math.isnan(v[i]) and v[i] == 0 and not hidden[i] and self.policy.zeros == "shown":
                continue  # a shown zero stays shown: hiding it would tell the attacker nothing new
            free.append(i)
        col = {i: k for k, i in enumerate(free)}
        k = len(free)
        if cell not in col:
            return []
        rels = [self.system.relations[r] for r in self.system.relation_ids(comp)]
        rows: list[tuple[dict[int, float], float | None, float | None]] = []
        for t, parts in rels:
            row: dict[int, float] = {}
            for i, coef in ((t, 1.0), *((p, -1.0) for p in parts)):
                if i in col:  # y_i = p_i - q_i
                    row[col[i]] = row.get(col[i], 0.0) + coef
                    row[k + col[i]] = row.get(k + col[i], 0.0) - coef
            if row:
                rows.append((row, 0.0, 0.0))
        move = float(goal - v[cell])
        rows.append(({col[cell]: 1.0, k + col[cell]: -1.0}, move, move))
        cost: dict[int, float] = {}
        upper: list[float | None] = [None] * k
        for i in free:
            unknown = math.isnan(v[i])
            shown = not (hidden[i] or unknown or not self.system.locations[i])
            cost[col[i]] = cost[k + col[i]] = max(float(v[i]), 1.0) if shown else 1e-6
            # v + y >= lb  =>  q <= v - lb (when the value is known)
            upper.append(None if unknown else max(0.0, float(v[i]) - lb))
        best = LinearProgram([0.0] * (2 * k), upper, rows).optimum(cost, infeasible_is_none=True)
        if best is None:
            return []
        y = best.x[:k] - best.x[k:]
        loc = self.system.locations
        return [i for i in free if abs(y[col[i]]) > 1e-7 and not hidden[i] and not math.isnan(v[i]) and loc[i]]

    # -- output --------------------------------------------------------------------------------

    def _output(self, name: str, t: _Table, hidden: np.ndarray, derived_hidden: np.ndarray,
                unprotectable: set[int]) -> ProtectedTable:
        out = t.frame.copy()
        flag = np.zeros(len(out), dtype=bool)
        masked: dict[str, list[int]] = {}
        for i, r, col in t.cells:
            if hidden[i]:
                masked.setdefault(col, []).append(r)
        for k in t.derived:
            if derived_hidden[k]:
                _, r, col = self.system.derived[k].location
                masked.setdefault(col, []).append(r)
        for col, rows in masked.items():
            values = pd.to_numeric(out[col], errors="coerce").astype(float).to_numpy(copy=True)
            values[rows] = np.nan
            out[col] = values
            flag[rows] = True
        if self._rounded:
            self._write_rounded(out, t, derived_hidden)
        if SUPPRESSED_FLAG in out.columns:
            flag |= out[SUPPRESSED_FLAG].fillna(False).astype(bool).to_numpy()
        out[SUPPRESSED_FLAG] = flag
        cells = {i for i, _, _ in t.cells}
        pub = self.system.public
        note = DisclosureNote(
            table=name, policy=MappingProxyType(self.policy.describe()),
            confidential_cells=sum(1 for i in cells if not pub[i]),
            public_cells=sum(1 for i in cells if pub[i]),
            hidden_cells=sum(1 for i in cells if hidden[i]),
            hidden_derived=sum(1 for k in t.derived if derived_hidden[k]),
            unprotectable=len(cells & unprotectable), non_additive_totals=self._broken)
        return ProtectedTable(name, out, note, MappingProxyType(self._sidecar(name, t, note)))

    def _write_rounded(self, out: pd.DataFrame, t: _Table, derived_hidden: np.ndarray) -> None:
        """Put the rounded counts into ``out`` and recompute the shares from them."""
        sys_ = self.system
        for i, r, col in t.cells:
            if i in self._rounded:
                out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
                out.loc[r, col] = self._rounded[i]

        def shown(i: int) -> float:
            return self._rounded.get(i, sys_.values[i])

        for k in t.derived:
            d = sys_.derived[k]
            if d.kind != "ratio" or derived_hidden[k]:
                continue
            den = sum(shown(i) for i in d.denominator)
            value = d.scale * sum(shown(i) for i in d.numerator) / den if den else math.nan
            _, r, col = d.location
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[r, col] = value

    def _sidecar(self, name: str, t: _Table, note: DisclosureNote) -> dict[str, Any]:
        sys_ = self.system
        cells = {i for i, _, _ in t.cells}
        rel = [[key_text(sys_.keys[tt]), [key_text(sys_.keys[p]) for p in parts]]
               for tt, parts in sys_.relations if tt in cells or any(p in cells for p in parts)]
        derived = []
        for k in t.derived:
            d = sys_.derived[k]
            derived.append({"row": d.location[1], "column": d.location[2], "kind": d.kind,
                            "numerator": [key_text(sys_.keys[i]) for i in d.numerator],
                            "denominator": [key_text(sys_.keys[i]) for i in d.denominator],
                            "scale": d.scale, "decimals": d.decimals})
        return {"kuva_disclosure": 1, "table": name, "note": note.as_dict(),
                "cells": [{"key": key_text(sys_.keys[i]), "row": r, "column": c, "public": bool(sys_.public[i])}
                          for i, r, c in t.cells],
                "relations": rel, "derived": derived}


def _number(value: object) -> float:
    """A cell as a float (NaN for missing or non-numeric)."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def _check_columns(name: str, frame: pd.DataFrame, spec: TableSpec) -> None:
    needed: list[str] = []
    for c in spec.counts:
        needed += [c.column, *c.dims]
    for d in spec.derived:
        needed.append(d.column)
    if spec.public:
        needed.append(spec.public)
    missing = sorted({c for c in needed if c not in frame.columns})
    if missing:
        raise KuvaInputError(f"table {name}: declared column(s) {missing} not in the table; "
                             f"it has {list(frame.columns)}")
    for d in spec.derived:
        deps = ((d.numerator, *d.denominator) if isinstance(d, Ratio) else (d.count,) if isinstance(d, Share)
                else d.counts)
        unknown = [c for c in deps if c not in spec.count_columns]
        if unknown:
            raise KuvaInputError(f"table {name}: derived column {d.column!r} depends on {unknown}, "
                                 f"which are not declared counts")


def protect_table(frame: pd.DataFrame, spec: TableSpec, policy: DisclosurePolicy, *,
                  name: str = "table") -> ProtectedTable:
    """Protect one table on its own (a publication of one)."""
    pub = Publication(policy)
    pub.add(name, frame, spec)
    return pub.protect()[name]


__all__ = [
    "SIDECAR_SUFFIX",
    "SUPPRESSED_FLAG",
    "Count",
    "DisclosureNote",
    "ProtectedTable",
    "ProtectionStats",
    "Publication",
    "is_exposed",
    "protect_table",
]
