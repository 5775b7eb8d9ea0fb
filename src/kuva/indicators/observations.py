"""Ibis access to observations for the indicators: long rows with their source's synthetic
flag, wide (one column per measure) tables, and the provenance of what was read.

Everything here returns Ibis expressions (portable to any Ibis backend); nothing is executed
until an analysis asks for a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from kuva.warehouse.connection import Warehouse
from kuva.warehouse.query import select_observations

if TYPE_CHECKING:
    import ibis.expr.types as ir


def observations(
    wh: Warehouse,
    measures: Sequence[str],
    *,
    areas: Sequence[str] | None = None,
    area_prefix: str | None = None,
    start: date | None = None,
    end: date | None = None,
    breakdown: str | None = "",
    as_of: datetime | date | None = None,
) -> ir.Table:
    """Latest-vintage observations of ``measures`` with a boolean ``synthetic`` column.

    ``area_prefix`` keeps codes starting with it (``"KU"`` for municipalities). ``breakdown=""``
    keeps rows without a breakdown, ``None`` every breakdown. Unknown measure codes raise
    :class:`~kuva.errors.KuvaLookupError`.
    """
    t = select_observations(wh, measures, areas=areas, area_prefix=area_prefix, start=start, end=end,
                            breakdown=breakdown, as_of=as_of)
    src = wh.table("sources").select("source_id", "synthetic")
    return t.join(src, "source_id").select(
        "area_code", "period", "measure", "breakdown", "value", "source_id", "synthetic"
    )


def wide(long: ir.Table, measures: Sequence[str], keys: Sequence[str] = ("area_code", "period")) -> ir.Table:
    """One row per ``keys`` and one column per measure (missing when not observed).

    A ``synthetic`` column is True when any of the row's values comes from a synthetic source.
    """
    aggs = {m: long.value.max(where=long.measure == m) for m in measures}
    aggs["synthetic"] = long.synthetic.any()
    return long.group_by(list(keys)).aggregate(**aggs)


@dataclass(frozen=True)
class Provenance:
    """Which sources a set of observations came from."""

    sources: tuple[str, ...]
    synthetic: bool

    def __or__(self, other: Provenance) -> Provenance:
        return Provenance(tuple(sorted(set(self.sources) | set(other.sources))), self.synthetic or other.synthetic)


def provenance(long: ir.Table) -> Provenance:
    """The distinct sources of ``long`` (an :func:`observations` expression) and whether any is
    synthetic. Executes one small query."""
    df = long.filter(long.value.notnull()).select("source_id", "synthetic").distinct().to_pandas()
    return Provenance(tuple(sorted(str(s) for s in df["source_id"])), bool(df["synthetic"].any()))
