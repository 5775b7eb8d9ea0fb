"""Unit costs and what the client spells cost (issue 16's cost proxy), from a documented,
user-editable table.

The table (``kuva/registry/data/unit_costs.csv`` bundled; the area's own with ``--unit-costs
FILE``) has one row per item — ``item, service_type, unit, euros, year, source``:

- ``benefit`` (unit ``payment_day``): the daily unemployment benefit, bundled as the full labour
  market subsidy and basic daily allowance of 2023–2025 (37.21 €);
- ``benefit_days_per_week`` (unit ``days``): payment days a calendar week (5);
- ``service`` (unit ``start``): the average cost of one started service of ``service_type`` (the
  event log's code). The bundled rows leave the euros empty — service prices differ by area,
  provider and year, and KuVa does not guess them; a cost that needs an empty price says so.

Spell costs (definitions ``v1``): benefit euros = the spell's calendar days × the benefit × days
a week / 7 (every unemployed day on full benefit: an upper bound for those on reduced or no
benefit); service euros = the unit cost of the spell's first started service.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from kuva.errors import BadRowError, KuvaInputError
from kuva.process.kpis import events
from kuva.registry.resources import read_csv, read_user_csv
from kuva.warehouse.connection import Warehouse

COST_VERSION = "v1"
COLUMNS = ("item", "service_type", "unit", "euros", "year", "source")
UNITS = {"benefit": "payment_day", "benefit_days_per_week": "days", "service": "start"}
BUNDLED = "kuva/registry/data/unit_costs.csv"


@dataclass(frozen=True)
class UnitCosts:
    """The unit costs of one table: the daily benefit, its payment days a week and the cost of a
    started service by type (``None``: not given)."""

    benefit_per_payment_day: float
    payment_days_per_week: float
    services: Mapping[str, float | None] = field(default_factory=lambda: MappingProxyType({}))
    year: int = 0
    source: str = BUNDLED

    @property
    def benefit_per_day(self) -> float:
        """Euros of benefit per calendar day of unemployment."""
        return self.benefit_per_payment_day * self.payment_days_per_week / 7

    def service_cost(self, service_type: str) -> float | None:
        return self.services.get(service_type)


def _number(raw: str, source: str, row: int, name: str) -> float | None:
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError as exc:
        raise BadRowError(source, row, name, f"{raw!r} is not a number") from exc
    if not math.isfinite(value) or value < 0:
        raise BadRowError(source, row, name, f"{raw!r} must be a finite number ≥ 0")
    return value


def load_unit_costs(path: Path | None = None) -> UnitCosts:
    """The unit-cost table at ``path`` (CSV: ``,``, ``;`` or tab; decimal point or comma), or the
    bundled one. Every problem names the file, the data row and the field."""
    source = str(path) if path is not None else BUNDLED
    rows = read_user_csv(path, COLUMNS) if path is not None else read_csv("unit_costs.csv", COLUMNS)
    benefit: float | None = None
    days: float | None = None
    services: dict[str, float | None] = {}
    years = set()
    for i, r in enumerate(rows, start=1):
        item = r["item"].strip()
        if item not in UNITS:
            raise BadRowError(source, i, "item", f"{item!r} is none of {sorted(UNITS)}")
        if r["unit"].strip() != UNITS[item]:
            raise BadRowError(source, i, "unit", f"a {item} row is in {UNITS[item]!r}, not {r['unit'].strip()!r}")
        year = r["year"].strip()
        if not (year.isdigit() and len(year) == 4):
            raise BadRowError(source, i, "year", f"{year!r} is not a year")
        years.add(int(year))
        euros = _number(r["euros"], source, i, "euros")
        if item == "service":
            code = r["service_type"].strip()
            if not code:
                raise BadRowError(source, i, "service_type", "a service row names its service_type")
            if code in services:
                raise BadRowError(source, i, "service_type", f"{code!r} is listed twice")
            services[code] = euros
            continue
        if euros is None:
            raise BadRowError(source, i, "euros", f"the {item} row needs a value")
        if item == "benefit":
            benefit = euros
        else:
            if not 1 <= euros <= 7:
                raise BadRowError(source, i, "euros", f"payment days a week must be 1–7, not {euros:g}")
            days = euros
    if benefit is None or days is None:
        missing = [k for k, v in (("benefit", benefit), ("benefit_days_per_week", days)) if v is None]
        raise BadRowError(source, None, "item", f"the table has no {' or '.join(missing)} row")
    if len(years) > 1:
        raise BadRowError(source, None, "year", f"one table, one price year: found {sorted(years)}")
    return UnitCosts(benefit, days, MappingProxyType(services), years.pop(), source)


def first_service_types(wh: Warehouse, spells: pd.DataFrame) -> np.ndarray:
    """The service type of each spell's first started service (``None`` without one): the
    ``service_start`` event of the spell's client on that day (the first code in sort order
    when two start the same day)."""
    if spells["service_start"].notna().sum() == 0:
        return np.full(len(spells), None, dtype=object)
    ev = events(wh)
    starts = ev.filter(ev.event_type == "service_start").select("pseudonym", "event_date", "service_type").to_pandas()
    starts["event_date"] = pd.to_datetime(starts["event_date"]).dt.date
    first = starts.sort_values("service_type").drop_duplicates(["pseudonym", "event_date"]).set_index(
        ["pseudonym", "event_date"])["service_type"]
    keys = list(zip(spells["pseudonym"], spells["service_start"], strict=True))
    return np.array([first.get(k) if k[1] is not None else None for k in keys], dtype=object)


def spell_costs(spells: pd.DataFrame, service_types: np.ndarray, costs: UnitCosts) -> pd.DataFrame:
    """Per spell: ``benefit_days`` (payment days), ``benefit_euros``, ``service_type`` and
    ``service_euros`` (NaN where the table has no price for the spell's service)."""
    def price(t: object) -> float:
        if t is None:
            return 0.0
        p = costs.service_cost(str(t))
        return np.nan if p is None else p

    days = spells["duration_days"].to_numpy(dtype=float)
    service_euros = np.array([price(t) for t in service_types], dtype=float)
    return pd.DataFrame({"benefit_days": days * costs.payment_days_per_week / 7,
                         "benefit_euros": days * costs.benefit_per_day, "service_type": service_types,
                         "service_euros": service_euros}, index=spells.index)


def cost_summary(spells: pd.DataFrame, service_types: np.ndarray, costs: UnitCosts) -> pd.DataFrame:
    """Per group (``service`` / ``no service``): ``spells`` and the mean ``benefit_days``,
    ``benefit_euros`` and ``service_euros`` (NaN when a spell's service has no price)."""
    from kuva.process.outcomes import service_groups

    table = spell_costs(spells, service_types, costs).assign(group=service_groups(spells))
    out = table.groupby("group", sort=True).agg(
        spells=("benefit_days", "size"), benefit_days=("benefit_days", "mean"),
        benefit_euros=("benefit_euros", "mean"),
        service_euros=("service_euros", lambda v: v.mean() if v.notna().all() else np.nan))
    return out.reset_index()


def cost_per_treated(service_types: np.ndarray, costs: UnitCosts) -> tuple[float | None, list[str]]:
    """The mean unit cost of the services started (``None`` and the unpriced types when any
    started service has no price in the table)."""
    started = [str(t) for t in service_types if t is not None]
    if not started:
        raise KuvaInputError("no spell has a service start: there is no service cost to price")
    unpriced = sorted({t for t in started if costs.service_cost(t) is None})
    if unpriced:
        return None, unpriced
    return float(np.mean([costs.service_cost(t) for t in started])), []


__all__ = ["COST_VERSION", "UnitCosts", "cost_per_treated", "cost_summary", "first_service_types",
           "load_unit_costs", "spell_costs"]
