"""The attacker: take every table a run published and try to recover each hidden cell.

:func:`audit_directory` reads every ``<table>.csv`` that has a ``<table>.disclosure.json``
sidecar beside it (recursively), takes the *published values from the CSV files* (the sidecar
only says where each count sits and which totals and ratios link them — the structure a real
attacker reads off the labels), joins all tables into one linear system by the cells' global keys
and, for every hidden cell, solves the linear programmes min/max of the cell subject to every
published total, margin and ratio (scipy's HiGHS). A cell is *exposed* when its feasible
interval may reach below ``min_cell`` but does not span the protection interval
``[1, min_cell]`` (or, for a cell known to be larger before anything was published — a total
of hidden cells that are each at least 1 — from that known floor to ``min_cell``). A derived
value (share, mean …) published while one of its counts is hidden is exposed too. When a table
was published with controlled rounding to base ``b``, each of its shown confidential counts ``r``
tells the attacker only that the true count lies in ``[r − b + 1, r + b − 1]``, and its shares
(computed from the rounded counts) add nothing.

Who holds the true values (KuVa's own tests) can name the small cells (``sensitive``): then
exactly those are checked. Without them every hidden cell is judged by its interval alone, which
for rounded tables can flag a large complementary cell whose interval, widened by the rounding,
now reaches below ``min_cell`` — a false alarm the engine cannot rule out without the truth.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.privacy.engine import SIDECAR_SUFFIX, is_exposed, prior_floors
from kuva.privacy.spec import key_text, parse_key
from kuva.privacy.system import CellSystem, DerivedValue, feasible_intervals


@dataclass(frozen=True)
class Exposure:
    """One cell the attacker can narrow down too far (or a derived value that gives it away)."""

    key: str
    table: str
    row: int  #: 1-based data row of the CSV
    column: str
    low: float
    high: float
    kind: str  #: ``cell`` or ``derived``

    def text(self) -> str:
        where = f"{self.table}, row {self.row}, column {self.column!r}"
        if self.kind == "derived":
            return f"{where}: a value derived from the hidden count {self.key} is published"
        hi = "∞" if math.isinf(self.high) else f"{self.high:g}"
        return f"{where}: hidden cell {self.key} lies in [{self.low:g}, {hi}]"


@dataclass(frozen=True)
class AuditReport:
    tables: int
    published_cells: int
    hidden_cells: int
    exposures: tuple[Exposure, ...]
    min_cell: int

    @property
    def exposed(self) -> int:
        return len(self.exposures)


def read_published(directory: Path) -> list[tuple[Path, Mapping[str, Any], pd.DataFrame]]:
    """Every (sidecar path, sidecar, CSV table) under ``directory``."""
    if not directory.exists():
        raise KuvaInputError(f"{directory}: no such directory")
    out = []
    for side in sorted(directory.rglob(f"*{SIDECAR_SUFFIX}")):
        csv = side.with_name(side.name[: -len(SIDECAR_SUFFIX)] + ".csv")
        if not csv.is_file():
            raise KuvaInputError(f"{side}: no table {csv.name} beside it")
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KuvaInputError(f"{side}: not valid JSON ({exc})") from exc
        if meta.get("kuva_disclosure") != 1:
            raise KuvaInputError(f"{side}: not a KuVa disclosure sidecar (field 'kuva_disclosure')")
        out.append((side, meta, _read_csv(csv)))
    return out


def _read_csv(csv: Path) -> pd.DataFrame:
    """A published CSV: comma-separated UTF-8 (the report) or ``;``-separated with a BOM (the
    Excel-friendly exports)."""
    with csv.open(encoding="utf-8-sig") as f:
        head = f.readline()
    sep = ";" if head.count(";") > head.count(",") else ","
    return pd.read_csv(csv, sep=sep, encoding="utf-8-sig")


def audit_directory(directory: Path | str, *, min_cell: int | None = None) -> AuditReport:
    """Audit every published table under ``directory`` (see the module docstring)."""
    return audit_tables(read_published(Path(directory)), min_cell=min_cell)


def audit_tables(tables: Sequence[tuple[Path | str, Mapping[str, Any], pd.DataFrame]], *,
                 min_cell: int | None = None, sensitive: Collection[str] | None = None) -> AuditReport:
    """Audit tables given as (name, sidecar, published frame); ``sensitive``: the keys of the
    cells known to be small (see the module docstring)."""
    system = CellSystem()
    shown: dict[int, bool] = {}
    where: dict[int, tuple[str, int, str]] = {}
    seen_rel: set[tuple[int, tuple[int, ...]]] = set()
    derived_shown: list[bool] = []
    zeros_shown = True
    cell_min = min_cell
    ranges: dict[int, tuple[float, float]] = {}
    for name, meta, frame in tables:
        policy = meta.get("note", {}).get("policy", {})
        cell_min = cell_min if cell_min is not None else int(policy.get("min_cell", 5))
        zeros_shown = zeros_shown and policy.get("zeros", "shown") == "shown"
        label = Path(str(name)).name.removesuffix(SIDECAR_SUFFIX)
        base = int(policy.get("rounding") or 0)
        for c in meta["cells"]:
            value = _value(frame, c["row"], c["column"], label)
            public = bool(c.get("public"))
            if base and not public and not math.isnan(value):
                i = system.cell(parse_key(c["key"]), public=False, location=(label, int(c["row"]), str(c["column"])))
                ranges[i] = (max(0.0, value - base + 1), value + base - 1)
                shown[i] = False
                where.setdefault(i, (label, int(c["row"]), str(c["column"])))
                continue
            i = system.cell(parse_key(c["key"]), value, public=public,
                            location=(label, int(c["row"]), str(c["column"])))
            shown[i] = shown.get(i, False) or not math.isnan(value)
            where.setdefault(i, (label, int(c["row"]), str(c["column"])))
        for total, parts in meta["relations"]:
            ti = system.cell(parse_key(total))
            pi = tuple(system.cell(parse_key(k)) for k in parts)
            if (ti, pi) not in seen_rel:
                seen_rel.add((ti, pi))
                system.relations.append((ti, pi))
        for d in meta["derived"]:
            value = _value(frame, d["row"], d["column"], label)
            system.derived.append(DerivedValue(
                (label, int(d["row"]), str(d["column"])), str(d["kind"]),
                tuple(system.cell(parse_key(k)) for k in d["numerator"]),
                tuple(system.cell(parse_key(k)) for k in d["denominator"]),
                float(d.get("scale", 100.0)), d.get("decimals"), value))
            derived_shown.append(not math.isnan(value) and not base)
    m = cell_min if cell_min is not None else 5
    n = len(system.keys)
    values: list[float | None] = [system.values[i] if shown.get(i, False) else None for i in range(n)]
    # the attacker knows a hidden cell is positive when zeros are shown; absent cells may be 0
    lower = [(1.0 if zeros_shown else 0.0) if i in where and not shown[i] and not system.public[i] else 0.0
             for i in range(n)]
    upper: list[float | None] = [None] * n
    for i, (lo, hi) in ranges.items():
        lower[i], upper[i] = lo, hi
    exposures: list[Exposure] = []
    hidden_total = 0
    for comp in system.components():
        targets = [i for i in comp if i in where and not shown[i] and not system.public[i] and i not in ranges
                   and (sensitive is None or key_text(system.keys[i]) in sensitive)]
        hidden_total += len(targets)
        if not targets:
            continue
        intervals = feasible_intervals(system, comp, values, lower, derived_shown, targets, upper=upper)
        low_side = [i for i, iv in intervals.items() if 1 < iv.low < m]
        floors = prior_floors(system, comp, lower, low_side) if low_side else {}
        for i, iv in intervals.items():
            if is_exposed(iv, m, floors.get(i, 1.0)):
                table, r, c = where[i]
                exposures.append(Exposure(key_text(system.keys[i]), table, r + 1, c, iv.low, iv.high, "cell"))
    for d, is_shown in zip(system.derived, derived_shown, strict=True):
        deps = [*d.numerator, *d.denominator]
        if is_shown and any(i in where and not shown[i] and not system.public[i] and i not in ranges for i in deps):
            table, r, c = d.location
            exposures.append(Exposure(key_text(system.keys[deps[0]]), table, r + 1, c, math.nan, math.nan,
                                      "derived"))
    return AuditReport(len(tables), sum(1 for v in shown.values() if v), hidden_total, tuple(exposures), m)


def _value(frame: pd.DataFrame, row: int, column: str, table: str) -> float:
    if column not in frame.columns:
        raise KuvaInputError(f"{table}: the disclosure sidecar names column {column!r}, which the table lacks")
    if row >= len(frame):
        raise KuvaInputError(f"{table}: the disclosure sidecar names row {row + 1}, "
                             f"but the table has {len(frame)} rows")
    value = pd.to_numeric(pd.Series([frame[column].iloc[row]]), errors="coerce").iloc[0]
    return float(value) if not pd.isna(value) else math.nan


def write_sidecar(path: Path, sidecar: Mapping[str, Any]) -> Path:
    """Write a table's disclosure sidecar beside its CSV (``<stem>.disclosure.json``)."""
    out = path.with_name(path.stem + SIDECAR_SUFFIX)
    out.write_text(json.dumps(_plain(sidecar), ensure_ascii=False), encoding="utf-8")
    return out


def _plain(obj: object) -> object:
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def exposures_frame(report: AuditReport) -> pd.DataFrame:
    """The exposures as a table (for ``--format csv/json``)."""
    return pd.DataFrame([e.__dict__ for e in report.exposures],
                        columns=["key", "table", "row", "column", "low", "high", "kind"])
